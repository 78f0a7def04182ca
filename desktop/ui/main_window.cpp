#include "ui/main_window.h"

#include "core/api/api_client.h"
#include "core/install/tool_tasks.h"
#include "ui/documents.h"
#include "ui/link_controller.h"
#include "ui/notice_bar.h"
#include "ui/product_list_model.h"
#include "ui/product_page.h"
#include "ui/settings_dialog.h"
#include "ui/tasks_panel.h"
#include "ui/tools_table_model.h"
#include "ui/ui_logging.h"

#include <QAction>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QVBoxLayout>

#include <chrono>

namespace {

using namespace std::chrono_literals;

// How often the catalog is read again while the server cannot be reached.
constexpr auto offlineRetryInterval = 60s;
constexpr int statusMessageMs = 5000;

enum ContentPage { EmptyPage, ProductPageIndex };

QString text(const std::string &value)
{
    return QString::fromStdString(value);
}

// "14:05" today, else "3 Mar 2026 14:05".
QString momentText(const QDateTime &utc)
{
    const QDateTime local = utc.toLocalTime();
    const QLocale locale;
    if (local.date() == QDate::currentDate()) {
        return locale.toString(local.time(), QLocale::ShortFormat);
    }
    return locale.toString(local.date(), QStringLiteral("d MMM yyyy")) + u' ' +
           locale.toString(local.time(), QLocale::ShortFormat);
}

} // namespace

MainWindow::MainWindow(AppCore &core, QWidget *parent)
    : QMainWindow(parent), m_core(core), m_products(new ProductListModel(this)),
      m_productFilter(new ProductFilterModel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Toolhub"));
    resize(1100, 700);
    m_productFilter->setSourceModel(m_products);

    buildToolBar();

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->setSpacing(6);
    buildNotices(layout);

    auto *splitter = new QSplitter(Qt::Horizontal, central);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(buildProductColumn());
    m_content = new QStackedWidget(splitter);
    m_content->setObjectName(QStringLiteral("contentStack"));
    m_content->addWidget(buildEmptyState());
    m_page = new ProductPage(m_content);
    m_content->addWidget(m_page);
    splitter->addWidget(m_content);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({280, 820});
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    m_tasks = new TasksPanel(core.queue(), this);
    m_tasksDock = new QDockWidget(tr("Tasks"), this);
    m_tasksDock->setObjectName(QStringLiteral("tasksDock"));
    m_tasksDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    m_tasksDock->setWidget(m_tasks);
    addDockWidget(Qt::BottomDockWidgetArea, m_tasksDock);
    m_tasksDock->hide();
    connect(m_tasks, &TasksPanel::taskShown, this, [this] { m_tasksDock->show(); });

    m_catalogStatus = new QLabel(this);
    m_catalogStatus->setObjectName(QStringLiteral("catalogStatus"));
    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("catalogBusy"));
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setMaximumHeight(12);
    m_busy->setTextVisible(false);
    m_busy->hide();
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_catalogStatus);
    QAction *tasksToggle = m_tasksDock->toggleViewAction();
    tasksToggle->setObjectName(QStringLiteral("tasksAction"));
    tasksToggle->setText(tr("Tasks"));
    auto *tasksButton = new QPushButton(tr("Tasks"), this);
    tasksButton->setObjectName(QStringLiteral("tasksButton"));
    tasksButton->setFlat(true);
    tasksButton->setCheckable(true);
    connect(tasksToggle, &QAction::toggled, tasksButton, &QPushButton::setChecked);
    connect(tasksButton, &QPushButton::clicked, m_tasksDock, &QDockWidget::setVisible);
    statusBar()->addPermanentWidget(tasksButton);

    connect(m_page, &ProductPage::installRequested, this, &MainWindow::install);
    connect(m_page, &ProductPage::updateRequested, this, &MainWindow::update);
    connect(m_page, &ProductPage::rollBackRequested, this, &MainWindow::rollBack);
    connect(m_page, &ProductPage::removeRequested, this, &MainWindow::confirmRemove);
    connect(m_page, &ProductPage::verifyRequested, this,
            [this](const QString &product, const QString &tool) { verify(product, tool, false); });
    connect(m_page, &ProductPage::openResourceRequested, this, &MainWindow::openResource);
    connect(m_page, &ProductPage::serialCopied, this, [this] {
        statusBar()->showMessage(tr("Serial number copied to the clipboard."), statusMessageMs);
    });

    connect(&core, &AppCore::catalogChanged, this, &MainWindow::showCatalog);
    connect(&core, &AppCore::signedInChanged, this, [this](bool signedIn) {
        if (signedIn) {
            m_signInRequired->hide();
        }
        updateAccount();
        updateContent();
    });
    connect(&core, &AppCore::offlineChanged, this, [this] { updateOfflineBanner(); });
    connect(&core, &AppCore::signInRequired, this, [this] {
        m_signInRequired->show();
        updateAccount();
    });
    connect(&core, &AppCore::signInNotRemembered, this, [this](const QString &why) {
        m_keychain->setText(
            why + u' ' +
            tr("You stay signed in until you quit Toolhub; next time, sign in again."));
        m_keychain->show();
    });
    connect(&core, &AppCore::warning, this, [this](const QString &warning) {
        m_warning->setText(warning);
        m_warning->show();
    });

    m_retry.setInterval(offlineRetryInterval);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (!isLoadingCatalog() && m_core.isSignedIn()) {
            loadCatalog(false);
        }
    });

    showCatalog();
    updateAccount();
    m_links = new LinkController(core, *this);
}

MainWindow::~MainWindow()
{
    if (m_signIn) {
        m_signIn->cancel();
    }
    if (m_loader) {
        m_loader->disconnect(this);
    }
}

void MainWindow::buildToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_refreshAction = bar->addAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Refresh"),
                                     this, &MainWindow::refresh);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setToolTip(tr("Read the catalog from the server again"));
    m_updateAllAction = bar->addAction(style()->standardIcon(QStyle::SP_ArrowUp), tr("Update all"),
                                       this, &MainWindow::updateAll);
    m_updateAllAction->setObjectName(QStringLiteral("updateAllAction"));
    m_updateAllAction->setToolTip(tr("Update every installed tool that has a newer version"));

    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);

    m_account = new QLabel(bar);
    m_account->setObjectName(QStringLiteral("accountLabel"));
    m_account->setContentsMargins(0, 0, 8, 0);
    bar->addWidget(m_account);
    m_signInAction = bar->addAction(tr("Sign in"), this, &MainWindow::signIn);
    m_signInAction->setObjectName(QStringLiteral("signInAction"));
    m_signOutAction = bar->addAction(tr("Sign out"), this, &MainWindow::signOut);
    m_signOutAction->setObjectName(QStringLiteral("signOutAction"));
    m_settingsAction = bar->addAction(style()->standardIcon(QStyle::SP_FileDialogDetailedView),
                                      tr("Settings"), this, [this] { openSettings(false); });
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcut(QKeySequence::Preferences);
}

void MainWindow::buildNotices(QVBoxLayout *layout)
{
    m_offline = new NoticeBar(NoticeBar::Kind::Warning, QStringLiteral("offlineBanner"), this);
    connect(m_offline->addButton(tr("Retry"), QStringLiteral("retryButton")), &QPushButton::clicked,
            this, &MainWindow::refresh);

    m_waiting = new NoticeBar(NoticeBar::Kind::Info, QStringLiteral("signInBanner"), this);
    connect(m_waiting->addButton(tr("Cancel"), QStringLiteral("cancelSignInButton")),
            &QPushButton::clicked, this, [this] {
                if (m_signIn) {
                    m_signIn->cancel();
                }
            });

    m_signInRequired =
        new NoticeBar(NoticeBar::Kind::Warning, QStringLiteral("signInRequiredNotice"), this);
    m_signInRequired->setText(tr("Your sign-in has ended. Sign in again to see what is new and "
                                 "to install tools."));
    connect(m_signInRequired->addButton(tr("Sign in"), QStringLiteral("signInAgainButton")),
            &QPushButton::clicked, this, &MainWindow::signIn);
    m_signInRequired->setDismissable(true);

    m_keychain = new NoticeBar(NoticeBar::Kind::Warning, QStringLiteral("keychainNotice"), this);
    m_keychain->setDismissable(true);
    m_warning = new NoticeBar(NoticeBar::Kind::Error, QStringLiteral("warningNotice"), this);
    m_warning->setDismissable(true);
    m_error = new NoticeBar(NoticeBar::Kind::Error, QStringLiteral("errorNotice"), this);
    m_error->setDismissable(true);
    m_damage = new NoticeBar(NoticeBar::Kind::Warning, QStringLiteral("damageNotice"), this);
    m_damage->setDismissable(true);
    connect(m_damage->addButton(tr("Repair"), QStringLiteral("repairButton")),
            &QPushButton::clicked, this, [this] {
                m_damage->hide();
                verify(m_damaged.first, m_damaged.second, true);
            });

    m_linkNotice = new NoticeBar(NoticeBar::Kind::Warning, QStringLiteral("linkNotice"), this);
    m_linkNotice->setDismissable(true);

    for (NoticeBar *bar : {m_offline, m_waiting, m_signInRequired, m_keychain, m_warning, m_error,
                           m_damage, m_linkNotice}) {
        layout->addWidget(bar);
    }
}

QWidget *MainWindow::buildProductColumn()
{
    auto *column = new QWidget(this);
    column->setObjectName(QStringLiteral("productColumn"));
    m_search = new QLineEdit(column);
    m_search->setObjectName(QStringLiteral("searchField"));
    m_search->setPlaceholderText(tr("Search products and tools"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(style()->standardIcon(QStyle::SP_FileDialogContentsView),
                        QLineEdit::LeadingPosition);
    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_search, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    addAction(find);

    m_filter = new QComboBox(column);
    m_filter->setObjectName(QStringLiteral("filterCombo"));
    m_filter->addItem(tr("All products"), int(ProductFilterModel::Mode::All));
    m_filter->addItem(tr("Installed"), int(ProductFilterModel::Mode::Installed));
    m_filter->addItem(tr("Updates available"), int(ProductFilterModel::Mode::Updates));

    m_productList = new QListView(column);
    m_productList->setObjectName(QStringLiteral("productList"));
    m_productList->setModel(m_productFilter);
    m_productList->setItemDelegate(new ProductDelegate(m_productList));
    m_productList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_productList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_productList->setUniformItemSizes(true);
    m_productList->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);

    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::applyFilter);
    connect(m_filter, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(m_productList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::currentProductChanged);

    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_search);
    layout->addWidget(m_filter);
    layout->addWidget(m_productList, 1);
    return column;
}

QWidget *MainWindow::buildEmptyState()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("emptyState"));
    m_emptyText = new QLabel(page);
    m_emptyText->setObjectName(QStringLiteral("emptyStateText"));
    m_emptyText->setAlignment(Qt::AlignCenter);
    m_emptyText->setWordWrap(true);
    QFont large = m_emptyText->font();
    large.setPointSizeF(large.pointSizeF() * 1.25);
    m_emptyText->setFont(large);
    m_emptyButton = new QPushButton(page);
    m_emptyButton->setObjectName(QStringLiteral("emptyStateButton"));
    m_emptyButton->setDefault(true);
    auto *layout = new QVBoxLayout(page);
    layout->addStretch();
    layout->addWidget(m_emptyText);
    layout->addSpacing(12);
    layout->addWidget(m_emptyButton, 0, Qt::AlignHCenter);
    layout->addStretch();
    return page;
}

void MainWindow::start()
{
    if (m_core.serverUrl().isEmpty()) {
        updateContent();
        openSettings(true);
        return;
    }
    loadCatalog(true);
    m_restoring = true;
    QPointer<MainWindow> self(this);
    m_core.restoreSignIn([self](bool) {
        if (!self) {
            return;
        }
        self->updateAccount();
        // Signed in also when the keychain's sign-in could not be renewed for want of a
        // connection: then the catalog comes from the kept copy, marked offline.
        if (self->m_core.isSignedIn()) {
            self->refresh();
        } else {
            self->updateContent();
        }
        self->m_restoring = false;
        Q_EMIT self->settled();
    });
}

void MainWindow::refresh()
{
    if (m_core.serverUrl().isEmpty()) {
        openSettings(true);
        return;
    }
    loadCatalog(false);
}

void MainWindow::loadCatalog(bool cachedOnly)
{
    if (m_loader) {
        if (cachedOnly) {
            return;
        }
        m_loader->disconnect(this);
        m_loader->cancel();
    }
    CatalogLoader *loader = m_core.loadCatalog(cachedOnly);
    if (!loader) {
        return;
    }
    m_loader = loader;
    m_refreshAction->setEnabled(false);
    m_busy->setVisible(!cachedOnly);
    if (!cachedOnly) {
        m_catalogStatus->setText(tr("Refreshing…"));
    }
    const auto ended = [this, loader, cachedOnly] {
        if (m_loader == loader) {
            m_loader.clear();
        }
        m_busy->hide();
        if (!cachedOnly) {
            m_triedServer = true;
        }
        updateAccount();
    };
    connect(loader, &Task::succeeded, this, [this, ended] {
        ended();
        m_error->hide();
        updateOfflineBanner();
        updateContent();
        Q_EMIT settled();
    });
    connect(loader, &Task::failed, this,
            [this, ended, cachedOnly](TaskError error, const QString &message) {
                ended();
                if (cachedOnly) {
                    qCInfo(lcUi) << "no kept catalog to show:" << message;
                } else if (error == TaskError::NotSignedIn) {
                    m_signInRequired->show();
                } else {
                    showError(tr("Toolhub could not read the catalog."),
                              describe(error) + u' ' + message);
                }
                updateOfflineBanner();
                updateContent();
                Q_EMIT settled();
            });
    connect(loader, &Task::canceled, this, [this, ended] {
        ended();
        Q_EMIT settled();
    });
    loader->start();
}

void MainWindow::showCatalog()
{
    const QString keep = m_currentProduct;
    m_products->setCatalog(m_core.catalog());
    selectProduct(keep);
    if (m_core.catalog().fetchedAt.isValid()) {
        m_catalogStatus->setText(
            tr("Catalog as of %1").arg(momentText(m_core.catalog().fetchedAt)));
    }
    updateAccount();
    updateOfflineBanner();
    updateContent();
    Q_EMIT catalogShown();
}

void MainWindow::selectProduct(const QString &slug)
{
    const int sourceRow = m_products->rowOf(slug);
    QModelIndex index = sourceRow >= 0
                            ? m_productFilter->mapFromSource(m_products->index(sourceRow, 0))
                            : QModelIndex();
    if (!index.isValid() && m_productFilter->rowCount() > 0) {
        index = m_productFilter->index(0, 0);
    }
    if (index.isValid()) {
        m_productList->setCurrentIndex(index);
    }
    currentProductChanged();
}

void MainWindow::currentProductChanged()
{
    const QModelIndex current = m_productList->currentIndex();
    const CatalogProduct *product =
        current.isValid() ? m_products->productAt(m_productFilter->mapToSource(current).row())
                          : nullptr;
    if (product) {
        m_currentProduct = text(product->product.slug);
        m_page->setProduct(*product);
    }
    updateContent();
}

void MainWindow::applyFilter()
{
    const auto mode = ProductFilterModel::Mode(m_filter->currentData().toInt());
    m_productFilter->setSearch(m_search->text());
    m_productFilter->setMode(mode);
    m_page->setSearch(m_search->text());
    m_page->setMode(mode);
    if (!m_productList->currentIndex().isValid() ||
        m_productList->currentIndex().data(ProductListModel::SlugRole).toString() !=
            m_currentProduct) {
        selectProduct(m_currentProduct);
    } else {
        updateContent();
    }
}

void MainWindow::updateAccount()
{
    const bool haveServer = !m_core.serverUrl().isEmpty();
    const bool signedIn = m_core.isSignedIn();
    const bool waiting = !m_signIn.isNull();
    m_signInAction->setVisible(!signedIn);
    m_signInAction->setEnabled(haveServer && !waiting);
    m_signOutAction->setVisible(signedIn);
    if (!haveServer) {
        m_account->setText(tr("No server set"));
    } else if (signedIn) {
        m_account->setText(tr("Signed in to %1").arg(m_core.serverUrl().host()));
    } else {
        m_account->setText(tr("Not signed in"));
    }
    m_refreshAction->setEnabled(haveServer && signedIn && !isLoadingCatalog());
    const auto &products = m_core.catalog().products;
    const bool anyUpdate =
        std::any_of(products.begin(), products.end(), [](const CatalogProduct &product) {
            return std::any_of(product.tools.begin(), product.tools.end(),
                               [](const CatalogTool &tool) { return tool.update() != nullptr; });
        });
    m_updateAllAction->setEnabled(anyUpdate && signedIn);
}

void MainWindow::updateContent()
{
    const bool haveProducts = m_products->rowCount() > 0;
    const bool showsProduct = haveProducts && m_productList->currentIndex().isValid();
    m_content->setCurrentIndex(showsProduct ? ProductPageIndex : EmptyPage);
    if (showsProduct) {
        return;
    }
    m_emptyButton->disconnect(this);
    m_emptyButton->show();
    if (m_core.serverUrl().isEmpty()) {
        m_emptyText->setText(tr("Toolhub is not connected to your company's server yet."));
        m_emptyButton->setText(tr("Set the server address…"));
        connect(m_emptyButton, &QPushButton::clicked, this, [this] { openSettings(true); });
    } else if (haveProducts) {
        m_emptyText->setText(tr("No product matches your search."));
        m_emptyButton->setText(tr("Show all products"));
        connect(m_emptyButton, &QPushButton::clicked, this, [this] {
            m_search->clear();
            m_filter->setCurrentIndex(0);
        });
    } else if (!m_core.isSignedIn()) {
        m_emptyText->setText(tr("Sign in to see your company's products and tools."));
        m_emptyButton->setText(tr("Sign in"));
        m_emptyButton->setEnabled(m_signIn.isNull());
        connect(m_emptyButton, &QPushButton::clicked, this, &MainWindow::signIn);
    } else if (isLoadingCatalog()) {
        m_emptyText->setText(tr("Loading your products…"));
        m_emptyButton->hide();
    } else {
        m_emptyText->setText(tr("No products are licensed to your organization yet."));
        m_emptyButton->setText(tr("Refresh"));
        connect(m_emptyButton, &QPushButton::clicked, this, &MainWindow::refresh);
    }
    if (m_signIn.isNull()) {
        m_emptyButton->setEnabled(true);
    }
}

void MainWindow::updateOfflineBanner()
{
    const Catalog &catalog = m_core.catalog();
    // A kept copy shown at start-up is not "offline" until the server was asked.
    const bool offline = m_core.isOffline() || (catalog.offline && m_triedServer);
    if (!offline) {
        m_offline->hide();
        m_retry.stop();
        return;
    }
    m_offline->setText(
        catalog.fetchedAt.isValid()
            ? tr("Offline — showing what Toolhub knew at %1").arg(momentText(catalog.fetchedAt))
            : tr("Offline — showing what Toolhub knew before"));
    m_offline->show();
    if (!m_retry.isActive()) {
        m_retry.start();
    }
}

void MainWindow::showError(const QString &what, const QString &details)
{
    m_error->setText(what + u' ' + details);
    m_error->show();
}

// ---- links ----

bool MainWindow::isSettling() const
{
    return m_restoring || (m_signIn && !m_signIn->isFinished()) || isLoadingCatalog();
}

bool MainWindow::showProduct(const QString &slug)
{
    const int sourceRow = m_products->rowOf(slug);
    if (sourceRow < 0) {
        return false;
    }
    if (!m_productFilter->mapFromSource(m_products->index(sourceRow, 0)).isValid()) {
        m_search->clear();
        m_filter->setCurrentIndex(0);
    }
    selectProduct(slug);
    bringToFront();
    return true;
}

void MainWindow::bringToFront()
{
    if (isMinimized()) {
        showNormal();
    } else {
        show();
    }
    raise();
    activateWindow();
}

void MainWindow::showLinkNotice(const QString &text)
{
    m_linkNotice->setText(text);
    m_linkNotice->show();
}

// ---- sign-in ----

void MainWindow::signIn()
{
    if (m_signIn) {
        return;
    }
    BrowserSignIn *task =
        m_core.signIn([](const QUrl &url) { return QDesktopServices::openUrl(url); });
    if (!task) {
        openSettings(true);
        return;
    }
    m_signIn = task;
    m_signInRequired->hide();
    m_waiting->setKind(NoticeBar::Kind::Info);
    m_waiting->setText(tr("Waiting for the browser… Finish signing in in the browser window "
                          "that opened."));
    m_waiting->show();
    connect(task, &BrowserSignIn::browserNotOpened, this, [this](const QUrl &url) {
        m_waiting->setText(tr("Toolhub could not open your browser. Open this address in it to "
                              "sign in: %1")
                               .arg(url.toString(QUrl::FullyEncoded)));
    });
    connect(task, &Task::succeeded, this, [this] {
        m_waiting->hide();
        statusBar()->showMessage(tr("Signed in."), statusMessageMs);
        updateAccount();
        refresh();
        Q_EMIT settled();
    });
    connect(task, &Task::failed, this, [this](TaskError error, const QString &message) {
        m_waiting->hide();
        showError(tr("Signing in did not work."), describe(error) + u' ' + message);
        Q_EMIT settled();
    });
    connect(task, &Task::canceled, this, [this] {
        m_waiting->hide();
        Q_EMIT settled();
    });
    connect(task, &Task::stateChanged, this, [this] {
        QTimer::singleShot(0, this, [this] {
            updateAccount();
            updateContent();
        });
    });
    task->start();
    updateAccount();
    updateContent();
}

void MainWindow::signOut()
{
    m_core.signOut();
    m_triedServer = false;
    m_offline->hide();
    m_retry.stop();
    updateAccount();
    updateContent();
    statusBar()->showMessage(tr("Signed out."), statusMessageMs);
}

// ---- settings ----

void MainWindow::openSettings(bool firstRun)
{
    if (m_settings) {
        m_settings->raise();
        m_settings->activateWindow();
        return;
    }
    auto *dialog = new SettingsDialog(m_core.settings(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFirstRun(firstRun);
    m_settings = dialog;
    connect(dialog, &QDialog::accepted, this, [this] {
        const QUrl before = m_core.serverUrl();
        m_core.reloadSettings();
        if (m_core.serverUrl() != before) {
            m_triedServer = false;
            m_offline->hide();
            m_currentProduct.clear();
            if (!m_core.serverUrl().isEmpty()) {
                loadCatalog(true);
            }
        }
        updateAccount();
        updateContent();
    });
    dialog->open();
}

// ---- work on tools ----

QString MainWindow::toolName(const QString &product, const QString &tool) const
{
    const CatalogTool *entry = m_core.catalog().tool(product, tool);
    return entry ? displayName(*entry) : tool;
}

QString MainWindow::installedVersion(const QString &product, const QString &tool) const
{
    const CatalogTool *entry = m_core.catalog().tool(product, tool);
    return entry && entry->installed ? entry->installed->version : QString();
}

void MainWindow::titled(Task *task, const QString &title)
{
    if (task) {
        m_tasks->setTitle(task, title);
    }
}

void MainWindow::install(const QString &product, const QString &tool, const QString &version)
{
    const CatalogTool *entry = m_core.catalog().tool(product, tool);
    QString shown = version;
    if (shown.isEmpty() && entry) {
        if (const toolhub::Release *newest = entry->newest(toolhub::Channel::Stable)) {
            shown = text(newest->version.toString());
        }
    }
    Task *task = m_core.install(product, tool, version);
    titled(task, tr("Installing %1 %2").arg(toolName(product, tool), shown).trimmed());
}

void MainWindow::update(const QString &product, const QString &tool)
{
    const CatalogTool *entry = m_core.catalog().tool(product, tool);
    const toolhub::Release *next = entry ? entry->update() : nullptr;
    Task *task = m_core.update(product, tool);
    titled(
        task,
        next ? tr("Updating %1 to %2").arg(toolName(product, tool), text(next->version.toString()))
             : tr("Updating %1").arg(toolName(product, tool)));
}

void MainWindow::rollBack(const QString &product, const QString &tool)
{
    const CatalogTool *entry = m_core.catalog().tool(product, tool);
    const toolhub::Release *previous = entry ? entry->previous() : nullptr;
    Task *task = m_core.rollBack(product, tool);
    titled(task, previous ? tr("Rolling %1 back to %2")
                                .arg(toolName(product, tool), text(previous->version.toString()))
                          : tr("Rolling back %1").arg(toolName(product, tool)));
}

void MainWindow::confirmRemove(const QString &product, const QString &tool)
{
    const QString name = toolName(product, tool);
    const QString version = installedVersion(product, tool);
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove %1?").arg(name),
                                tr("Remove %1 %2 from this computer?").arg(name, version),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRemove"));
    box->setInformativeText(tr("The files Toolhub installed are deleted; files you added to its "
                               "folder stay."));
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmRemoveButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, remove, product, tool, name, version](QAbstractButton *clicked) {
                if (clicked != remove) {
                    return;
                }
                Task *task = m_core.remove(product, tool);
                titled(task, tr("Removing %1 %2").arg(name, version).trimmed());
            });
    box->open();
}

void MainWindow::verify(const QString &product, const QString &tool, bool repair)
{
    const QString name = toolName(product, tool);
    const QString version = installedVersion(product, tool);
    Task *task = m_core.verify(product, tool, repair);
    titled(task,
           (repair ? tr("Repairing %1 %2") : tr("Checking %1 %2")).arg(name, version).trimmed());
    auto *check = qobject_cast<VerifyTask *>(task);
    if (!check) {
        return; // refused: the tasks panel tells why
    }
    m_damage->hide();
    connect(check, &Task::succeeded, this, [this, check, product, tool, name, version, repair] {
        const std::size_t damaged = check->damaged().size();
        if (damaged == 0) {
            statusBar()->showMessage(tr("%1 %2 is intact.").arg(name, version), statusMessageMs);
            return;
        }
        if (repair) {
            statusBar()->showMessage(tr("%1 %2 is repaired.").arg(name, version), statusMessageMs);
            return;
        }
        statusBar()->clearMessage();
        QStringList paths;
        for (const DamagedFile &file : check->damaged()) {
            paths << file.path;
        }
        const QString what =
            damaged == 1
                ? tr("1 file of %1 %2 changed or went missing.").arg(name, version)
                : tr("%1 files of %2 %3 changed or went missing.").arg(damaged).arg(name, version);
        m_damage->setText(what + u' ' + tr("Repair installs the same version again."));
        m_damage->setToolTip(paths.mid(0, 20).join(u'\n'));
        m_damaged = {product, tool};
        m_damage->show();
    });
}

void MainWindow::updateAll()
{
    // AppCore::updateAll() queues one update for each installed tool with a newer release, in
    // the catalog's order: the titles are made in the same walk.
    QStringList titles;
    for (const auto &product : m_core.catalog().products) {
        for (const auto &tool : product.tools) {
            if (const toolhub::Release *next = tool.installed ? tool.update() : nullptr) {
                titles << tr("Updating %1 to %2")
                              .arg(displayName(tool), text(next->version.toString()));
            }
        }
    }
    const QList<Task *> tasks = m_core.updateAll();
    for (qsizetype i = 0; i < tasks.size(); ++i) {
        titled(tasks[i], tasks.size() == titles.size() ? titles[i] : tr("Updating"));
    }
}

// ---- documents and tutorials ----

void MainWindow::openResource(const toolhub::Resource &resource)
{
    if (resource.url) {
        const QUrl url(text(*resource.url), QUrl::StrictMode);
        if (!QDesktopServices::openUrl(url)) {
            showError(tr("Toolhub could not open %1.").arg(text(resource.title)),
                      tr("Open %1 in your browser.").arg(url.toString()));
        }
        return;
    }
    ApiClient *api = m_core.api();
    if (!api || !resource.fileName) {
        return;
    }
    const QString title = text(resource.title);
    const QString id = text(resource.id);
    const QString fileName = text(*resource.fileName);
    statusBar()->showMessage(tr("Downloading %1…").arg(title));
    api->get(QStringLiteral("/api/v1/resources/%1/download")
                 .arg(QString::fromLatin1(QUrl::toPercentEncoding(id))),
             this, [this, title, id, fileName](const ApiReply &reply) {
                 statusBar()->clearMessage();
                 if (!reply.ok()) {
                     showError(tr("%1 could not be downloaded.").arg(title),
                               describe(*reply.error) + u' ' + reply.message);
                     return;
                 }
                 // Kept with the app's other downloads; a second Open replaces it whole.
                 const QString folder =
                     QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                     QStringLiteral("/documents/") + id;
                 QSaveFile file(folder + u'/' + fileName);
                 if (!QDir().mkpath(folder) || !file.open(QIODevice::WriteOnly) ||
                     file.write(reply.body) != reply.body.size() || !file.commit()) {
                     showError(tr("%1 could not be saved.").arg(title), file.errorString());
                     return;
                 }
                 // Only documents are handed to their program: a file that could run (a
                 // script, a .desktop launcher, an installer) is shown in its folder instead.
                 if (!isReadableDocument(fileName)) {
                     QDesktopServices::openUrl(QUrl::fromLocalFile(folder));
                     statusBar()->showMessage(
                         tr("%1 is saved in %2.").arg(fileName, QDir::toNativeSeparators(folder)));
                     return;
                 }
                 const QUrl local = QUrl::fromLocalFile(file.fileName());
                 if (!QDesktopServices::openUrl(local)) {
                     showError(tr("No program opens %1.").arg(fileName),
                               tr("It is saved in %1.").arg(QDir::toNativeSeparators(folder)));
                 }
             });
}
