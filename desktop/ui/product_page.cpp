#include "ui/product_page.h"

#include "ui/tools_table_model.h"

#include <QAction>
#include <QClipboard>
#include <QDateTime>
#include <QDir>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QString text(const std::string &value)
{
    return QString::fromStdString(value);
}

enum Tab { ToolsTab, DocumentsTab, TutorialsTab, SerialsTab, AboutTab };

enum SerialColumn { SerialColumn, SeatsColumn, ExpiresColumn, MaintenanceColumn, ActionsColumn };

QString dayText(const QDate &date)
{
    return QLocale().toString(date, QStringLiteral("d MMM yyyy"));
}

// "English (en)", or the code when the locale is not one Qt knows.
QString languageText(const std::string &code)
{
    const QString name = text(code);
    const QLocale locale(name);
    if (locale.language() == QLocale::C || name.isEmpty()) {
        return name;
    }
    QString language = QLocale::languageToString(locale.language());
    return QStringLiteral("%1 (%2)").arg(language, name);
}

QTableWidgetItem *cell(const QString &value)
{
    auto *item = new QTableWidgetItem(value);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

QPushButton *actionButton(const QString &label, const QString &objectName, QWidget *parent)
{
    auto *button = new QPushButton(label, parent);
    button->setObjectName(objectName);
    button->setEnabled(false);
    return button;
}

} // namespace

ProductPage::ProductPage(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_summary(new QLabel(this)),
      m_tabs(new QTabWidget(this)), m_tools(new ToolsTableModel(this)),
      m_toolFilter(new ToolFilterModel(this))
{
    setObjectName(QStringLiteral("productPage"));
    m_title->setObjectName(QStringLiteral("productTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_summary->setObjectName(QStringLiteral("productSummary"));
    m_summary->setWordWrap(true);

    m_toolFilter->setSourceModel(m_tools);
    m_tabs->setObjectName(QStringLiteral("productTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(makeToolsTab(), tr("Tools"));
    m_documents = makeResourceList(QStringLiteral("documentsList"));
    m_tabs->addTab(m_documents, tr("Documents"));
    m_tutorials = makeResourceList(QStringLiteral("tutorialsList"));
    m_tabs->addTab(m_tutorials, tr("Tutorials"));
    m_tabs->addTab(makeSerialsTab(), tr("Serial numbers"));
    m_description = new QTextBrowser(this);
    m_description->setObjectName(QStringLiteral("productDescription"));
    m_description->setOpenExternalLinks(true);
    m_description->setFrameShape(QFrame::NoFrame);
    m_tabs->addTab(m_description, tr("About"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 8);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addSpacing(6);
    layout->addWidget(m_tabs, 1);
}

QWidget *ProductPage::makeToolsTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(QStringLiteral("toolsTab"));

    m_install = actionButton(tr("Install"), QStringLiteral("installButton"), tab);
    m_install->setDefault(true);
    m_installVersion = new QToolButton(tab);
    m_installVersion->setObjectName(QStringLiteral("installVersionButton"));
    m_installVersion->setText(tr("Version"));
    m_installVersion->setToolTip(tr("Install a specific version"));
    m_installVersion->setPopupMode(QToolButton::InstantPopup);
    m_installVersion->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_installVersion->setEnabled(false);
    m_versionMenu = new QMenu(m_installVersion);
    m_versionMenu->setObjectName(QStringLiteral("installVersionMenu"));
    m_installVersion->setMenu(m_versionMenu);
    m_update = actionButton(tr("Update"), QStringLiteral("updateButton"), tab);
    m_rollBack = actionButton(tr("Roll back"), QStringLiteral("rollBackButton"), tab);
    m_remove = actionButton(tr("Remove"), QStringLiteral("removeButton"), tab);
    m_verify = actionButton(tr("Verify"), QStringLiteral("verifyButton"), tab);
    m_verify->setToolTip(tr("Check that the installed files are unchanged"));

    const auto ask = [this](auto signal) {
        return [this, signal] {
            const QString tool = selectedSlug();
            if (!tool.isEmpty()) {
                Q_EMIT(this->*signal)(productSlug(), tool);
            }
        };
    };
    connect(m_install, &QPushButton::clicked, this, [this] {
        const QString tool = selectedSlug();
        if (!tool.isEmpty()) {
            Q_EMIT installRequested(productSlug(), tool, QString());
        }
    });
    connect(m_versionMenu, &QMenu::triggered, this, [this](QAction *action) {
        const QString tool = selectedSlug();
        if (!tool.isEmpty()) {
            Q_EMIT installRequested(productSlug(), tool, action->data().toString());
        }
    });
    connect(m_update, &QPushButton::clicked, this, ask(&ProductPage::updateRequested));
    connect(m_rollBack, &QPushButton::clicked, this, ask(&ProductPage::rollBackRequested));
    connect(m_remove, &QPushButton::clicked, this, ask(&ProductPage::removeRequested));
    connect(m_verify, &QPushButton::clicked, this, ask(&ProductPage::verifyRequested));

    auto *actions = new QHBoxLayout;
    actions->addWidget(m_install);
    actions->addWidget(m_installVersion);
    actions->addSpacing(12);
    actions->addWidget(m_update);
    actions->addWidget(m_rollBack);
    actions->addWidget(m_verify);
    actions->addStretch();
    actions->addWidget(m_remove);

    m_toolTable = new QTableView(tab);
    m_toolTable->setObjectName(QStringLiteral("toolsTable"));
    m_toolTable->setModel(m_toolFilter);
    m_toolTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_toolTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_toolTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_toolTable->setAlternatingRowColors(true);
    m_toolTable->setShowGrid(false);
    m_toolTable->setWordWrap(false);
    m_toolTable->verticalHeader()->setVisible(false);
    m_toolTable->horizontalHeader()->setHighlightSections(false);
    m_toolTable->horizontalHeader()->setSectionResizeMode(ToolsTableModel::NameColumn,
                                                          QHeaderView::Stretch);
    for (int column : {ToolsTableModel::InstalledColumn, ToolsTableModel::NewestColumn,
                       ToolsTableModel::ChannelColumn, ToolsTableModel::StatusColumn}) {
        m_toolTable->horizontalHeader()->setSectionResizeMode(column,
                                                              QHeaderView::ResizeToContents);
    }
    m_toolTable->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_toolTable, &QTableView::customContextMenuRequested, this, &ProductPage::showToolMenu);
    connect(m_toolTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ProductPage::updateActions);
    connect(m_toolFilter, &QAbstractItemModel::modelReset, this, &ProductPage::updateActions);
    connect(m_toolFilter, &QAbstractItemModel::layoutChanged, this, &ProductPage::updateActions);
    connect(m_toolFilter, &QAbstractItemModel::rowsRemoved, this, &ProductPage::updateActions);

    m_toolDetails = new QLabel(tab);
    m_toolDetails->setObjectName(QStringLiteral("toolDetails"));
    m_toolDetails->setWordWrap(true);
    m_toolDetails->setTextFormat(Qt::PlainText);
    m_toolDetails->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(tab);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->addLayout(actions);
    layout->addWidget(m_toolTable, 1);
    layout->addWidget(m_toolDetails);
    return tab;
}

QTreeWidget *ProductPage::makeResourceList(const QString &objectName)
{
    auto *list = new QTreeWidget(this);
    list->setObjectName(objectName);
    list->setColumnCount(4);
    list->setHeaderLabels({tr("Title"), tr("Language"), tr("Kind"), QString()});
    list->setRootIsDecorated(false);
    list->setAlternatingRowColors(true);
    list->setUniformRowHeights(true);
    list->header()->setStretchLastSection(false);
    list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    list->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    list->header()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    connect(list, &QTreeWidget::itemActivated, this, [this, list](QTreeWidgetItem *item) {
        const auto *resources = list == m_documents ? &m_product.documents : &m_product.tutorials;
        const int row = list->indexOfTopLevelItem(item);
        if (row >= 0 && row < int(resources->size())) {
            Q_EMIT openResourceRequested((*resources)[std::size_t(row)]);
        }
    });
    return list;
}

QWidget *ProductPage::makeSerialsTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(QStringLiteral("serialsTab"));
    m_serials = new QTableWidget(tab);
    m_serials->setObjectName(QStringLiteral("serialTable"));
    m_serials->setColumnCount(5);
    m_serials->setHorizontalHeaderLabels(
        {tr("Serial number"), tr("Seats"), tr("Expires"), tr("Maintenance until"), QString()});
    m_serials->verticalHeader()->setVisible(false);
    m_serials->setSelectionMode(QAbstractItemView::NoSelection);
    m_serials->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_serials->setShowGrid(false);
    m_serials->setAlternatingRowColors(true);
    m_serials->horizontalHeader()->setHighlightSections(false);
    m_serials->horizontalHeader()->setSectionResizeMode(SerialColumn, QHeaderView::Stretch);
    for (int column : {SeatsColumn, ExpiresColumn, MaintenanceColumn, ActionsColumn}) {
        m_serials->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    }

    m_noSerials = new QLabel(tr("Your organization has no serial numbers for this product."), tab);
    m_noSerials->setObjectName(QStringLiteral("noSerials"));
    m_noSerials->setEnabled(false);
    m_noSerials->setAlignment(Qt::AlignCenter);

    auto *layout = new QVBoxLayout(tab);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->addWidget(m_serials, 1);
    layout->addWidget(m_noSerials, 1);
    return tab;
}

QString ProductPage::maskSerial(const QString &serial)
{
    const QString visible = serial.right(4);
    return QStringLiteral("••••-••••-") + visible;
}

void ProductPage::setProduct(const CatalogProduct &product)
{
    const bool sameProduct = product.product.slug == m_product.product.slug;
    const QString keep = selectedSlug();
    m_product = product;

    m_title->setText(text(product.product.name));
    m_summary->setText(text(product.product.summary));
    m_summary->setVisible(!product.product.summary.empty());

    m_toolFilter->setProductTexts({text(product.product.name), text(product.product.slug)});
    m_tools->setProduct(&m_product);
    if (!(sameProduct && !keep.isEmpty() && selectTool(keep)) && m_toolFilter->rowCount() > 0) {
        m_toolTable->setCurrentIndex(m_toolFilter->index(0, 0));
    }
    fillResources(m_documents, product.documents);
    fillResources(m_tutorials, product.tutorials);
    fillSerials();
    if (product.product.description.empty()) {
        m_description->setPlainText(tr("No description."));
    } else {
        m_description->setMarkdown(text(product.product.description));
    }

    m_tabs->setTabText(DocumentsTab, product.documents.empty()
                                         ? tr("Documents")
                                         : tr("Documents (%1)").arg(product.documents.size()));
    m_tabs->setTabText(TutorialsTab, product.tutorials.empty()
                                         ? tr("Tutorials")
                                         : tr("Tutorials (%1)").arg(product.tutorials.size()));
    m_tabs->setTabText(SerialsTab, product.licenses.empty()
                                       ? tr("Serial numbers")
                                       : tr("Serial numbers (%1)").arg(product.licenses.size()));
    updateActions();
}

QString ProductPage::productSlug() const
{
    return text(m_product.product.slug);
}

void ProductPage::setSearch(const QString &text)
{
    m_toolFilter->setSearch(text);
    if (!m_toolTable->currentIndex().isValid() && m_toolFilter->rowCount() > 0) {
        m_toolTable->setCurrentIndex(m_toolFilter->index(0, 0));
    }
    updateActions();
}

void ProductPage::setMode(ProductFilterModel::Mode mode)
{
    m_toolFilter->setMode(mode);
    if (!m_toolTable->currentIndex().isValid() && m_toolFilter->rowCount() > 0) {
        m_toolTable->setCurrentIndex(m_toolFilter->index(0, 0));
    }
    updateActions();
}

const CatalogTool *ProductPage::selectedTool() const
{
    const QModelIndex current = m_toolTable->currentIndex();
    if (!current.isValid()) {
        return nullptr;
    }
    return m_tools->toolAt(m_toolFilter->mapToSource(current).row());
}

QString ProductPage::selectedSlug() const
{
    const CatalogTool *tool = selectedTool();
    return tool ? text(tool->tool.slug) : QString();
}

bool ProductPage::selectTool(const QString &slug)
{
    const int row = m_tools->rowOf(slug);
    if (row < 0) {
        return false;
    }
    const QModelIndex index = m_toolFilter->mapFromSource(m_tools->index(row, 0));
    if (!index.isValid()) {
        return false;
    }
    m_toolTable->setCurrentIndex(index);
    m_toolTable->selectRow(index.row());
    return true;
}

void ProductPage::updateActions()
{
    const CatalogTool *tool = selectedTool();
    const bool installed = tool && tool->installed;
    const toolhub::Release *newest = tool ? tool->newest(toolhub::Channel::Stable) : nullptr;
    const toolhub::Release *update = tool ? tool->update() : nullptr;
    const toolhub::Release *previous = tool ? tool->previous() : nullptr;
    const auto version = [](const toolhub::Release *release) {
        return QString::fromStdString(release->version.toString());
    };

    m_install->setEnabled(tool && !installed && newest);
    m_install->setText(newest && !installed ? tr("Install %1").arg(version(newest))
                                            : tr("Install"));
    m_update->setEnabled(update != nullptr);
    m_update->setText(update ? tr("Update to %1").arg(version(update)) : tr("Update"));
    m_rollBack->setEnabled(previous != nullptr);
    m_rollBack->setText(previous ? tr("Roll back to %1").arg(version(previous)) : tr("Roll back"));
    m_remove->setEnabled(installed);
    m_verify->setEnabled(installed);

    m_versionMenu->clear();
    m_installVersion->setEnabled(tool && !tool->releases.empty());
    if (tool) {
        for (const auto &release : tool->releases) {
            const QString number = version(&release);
            QString label = number;
            if (release.channel == toolhub::Channel::Beta) {
                label += QStringLiteral("  ·  ") + tr("beta");
            }
            if (release.publishedAt) {
                const QDateTime published =
                    QDateTime::fromString(text(*release.publishedAt), Qt::ISODate);
                if (published.isValid()) {
                    label += QStringLiteral("  ·  ") + dayText(published.toLocalTime().date());
                }
            }
            QAction *action = m_versionMenu->addAction(label);
            action->setObjectName(QStringLiteral("installVersion-") + number);
            action->setData(number);
            if (installed && tool->release(tool->installed->version) == &release) {
                action->setText(label + QStringLiteral("  ·  ") + tr("installed"));
                action->setEnabled(false);
            }
        }
    }

    if (!tool) {
        m_toolDetails->clear();
        return;
    }
    QStringList lines;
    if (!tool->tool.summary.empty()) {
        lines << text(tool->tool.summary);
    }
    const toolhub::Release *shown = update ? update : newest;
    if (shown && !shown->notes.empty()) {
        lines << tr("What is new in %1: %2").arg(version(shown), text(shown->notes));
    }
    if (installed) {
        lines << tr("Installed in %1").arg(QDir::toNativeSeparators(tool->installed->folder));
    }
    m_toolDetails->setText(lines.join(u'\n'));
}

void ProductPage::showToolMenu(const QPoint &position)
{
    const QModelIndex index = m_toolTable->indexAt(position);
    if (!index.isValid()) {
        return;
    }
    m_toolTable->setCurrentIndex(index);
    QMenu menu(this);
    for (QPushButton *button : {m_install, m_update, m_rollBack, m_verify, m_remove}) {
        QAction *action = menu.addAction(button->text(), button, &QPushButton::click);
        action->setEnabled(button->isEnabled());
    }
    menu.addSeparator();
    QMenu *versions = menu.addMenu(tr("Install version"));
    versions->setEnabled(m_installVersion->isEnabled());
    for (const QAction *choice : m_versionMenu->actions()) {
        QAction *copy = versions->addAction(choice->text());
        copy->setEnabled(choice->isEnabled());
        const QString version = choice->data().toString();
        connect(copy, &QAction::triggered, this, [this, version] {
            const QString tool = selectedSlug();
            if (!tool.isEmpty()) {
                Q_EMIT installRequested(productSlug(), tool, version);
            }
        });
    }
    menu.exec(m_toolTable->viewport()->mapToGlobal(position));
}

void ProductPage::fillResources(QTreeWidget *list, const std::vector<toolhub::Resource> &resources)
{
    list->clear();
    for (std::size_t row = 0; row < resources.size(); ++row) {
        const toolhub::Resource &resource = resources[row];
        auto *item = new QTreeWidgetItem(list);
        item->setText(0, text(resource.title));
        item->setText(1, languageText(resource.locale));
        if (resource.url) {
            item->setText(2, tr("Web page"));
            item->setToolTip(0, text(*resource.url));
        } else {
            item->setText(2, resource.size ? tr("File, %1")
                                                 .arg(QLocale().formattedDataSize(
                                                     qint64(*resource.size), 1,
                                                     QLocale::DataSizeTraditionalFormat))
                                           : tr("File"));
            item->setToolTip(0, resource.fileName ? text(*resource.fileName) : QString());
        }
        if (resource.release) {
            item->setText(
                0,
                tr("%1  (for %2)").arg(text(resource.title), text(resource.release->toString())));
        }
        auto *open = new QPushButton(tr("Open"), list);
        open->setObjectName(QStringLiteral("openResource"));
        open->setProperty("resourceId", text(resource.id));
        connect(open, &QPushButton::clicked, this,
                [this, resource] { Q_EMIT openResourceRequested(resource); });
        list->setItemWidget(item, 3, open);
    }
    if (resources.empty()) {
        auto *item = new QTreeWidgetItem(list);
        item->setText(0, list == m_documents ? tr("No documents for this product.")
                                             : tr("No tutorials for this product."));
        item->setFlags(Qt::NoItemFlags);
    }
}

void ProductPage::fillSerials()
{
    m_serials->clearContents();
    m_serials->setRowCount(int(m_product.licenses.size()));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (std::size_t index = 0; index < m_product.licenses.size(); ++index) {
        const int row = int(index);
        const toolhub::License &license = m_product.licenses[index];
        const QString serial = text(license.serial);

        auto *serialItem = cell(maskSerial(serial));
        serialItem->setFont(mono);
        serialItem->setToolTip(
            license.orderRef.empty() ? QString() : tr("Order %1").arg(text(license.orderRef)));
        m_serials->setItem(row, SerialColumn, serialItem);
        m_serials->setItem(row, SeatsColumn, cell(QString::number(license.seats)));

        QTableWidgetItem *expires = cell(tr("Never"));
        if (license.expiresAt) {
            const QDateTime at = QDateTime::fromString(text(*license.expiresAt), Qt::ISODate);
            expires->setText(at < now ? tr("Expired %1").arg(dayText(at.toLocalTime().date()))
                                      : dayText(at.toLocalTime().date()));
            if (at < now) {
                expires->setForeground(QColor(0xc9, 0x3a, 0x3a));
            }
        }
        m_serials->setItem(row, ExpiresColumn, expires);

        QTableWidgetItem *maintenance = cell(tr("—"));
        if (license.maintenanceEnd) {
            const QDate end = QDate::fromString(text(*license.maintenanceEnd), Qt::ISODate);
            const bool ended = end < QDate::currentDate();
            maintenance->setText(ended ? tr("Ended %1").arg(dayText(end)) : dayText(end));
            if (ended) {
                maintenance->setForeground(QColor(0xd8, 0x9b, 0x1a));
                maintenance->setToolTip(
                    tr("Releases published after this day are not covered by this license."));
            }
        }
        m_serials->setItem(row, MaintenanceColumn, maintenance);

        auto *buttons = new QWidget(m_serials);
        auto *reveal = new QToolButton(buttons);
        reveal->setObjectName(QStringLiteral("revealSerial"));
        reveal->setCheckable(true);
        reveal->setText(tr("Reveal"));
        reveal->setToolTip(tr("Show the whole serial number"));
        auto *copy = new QToolButton(buttons);
        copy->setObjectName(QStringLiteral("copySerial"));
        copy->setText(tr("Copy"));
        copy->setToolTip(tr("Copy the serial number to the clipboard"));
        connect(reveal, &QToolButton::toggled, this, [this, row, reveal, serial](bool on) {
            if (QTableWidgetItem *shown = m_serials->item(row, SerialColumn)) {
                shown->setText(on ? serial : maskSerial(serial));
            }
            reveal->setText(on ? tr("Hide") : tr("Reveal"));
        });
        connect(copy, &QToolButton::clicked, this, [this, serial] {
            QGuiApplication::clipboard()->setText(serial);
            Q_EMIT serialCopied(serial);
        });
        auto *layout = new QHBoxLayout(buttons);
        layout->setContentsMargins(4, 0, 4, 0);
        layout->setSpacing(4);
        layout->addWidget(reveal);
        layout->addWidget(copy);
        m_serials->setCellWidget(row, ActionsColumn, buttons);
    }
    m_serials->setVisible(!m_product.licenses.empty());
    m_noSerials->setVisible(m_product.licenses.empty());
}
