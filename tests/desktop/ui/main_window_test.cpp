// The main window over a real AppCore against the real toolhub-server on the demo data: signing
// in through the browser (played by TestBrowser), the product list and its search, installing
// and the other work on a tool through the window's buttons with the tasks panel showing it,
// serial numbers, documents and tutorials, the settings dialog, and the offline banner once the
// server is gone. The functions run in order and build on each other (signed in, then
// installed, then offline). With TOOLHUB_UI_SNAPSHOTS set to a folder, the window is saved there
// as PNG pictures at the main steps, to look at.

#include "core/app/app_core.h"
#include "core/registry/registry.h"
#include "core/secrets/secret_store.h"
#include "ui/main_window.h"
#include "ui/notice_bar.h"
#include "ui/product_list_model.h"
#include "ui/product_page.h"
#include "ui/settings_dialog.h"
#include "ui/tasks_panel.h"
#include "ui/tools_table_model.h"

#include "server_process.h"
#include "test_browser.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include <chrono>
#include <memory>
#include <optional>

namespace {

using namespace std::chrono_literals;

constexpr int networkTimeoutMs = 30000;
const QString alice = QStringLiteral("alice.archer@acme.example");
const QString alicePassword = QStringLiteral("acme-demo-1");
const QString fluxSerial = QStringLiteral("FLX-ACME-2F7K-9QWD");

// Stands in for the system's browser and file viewer: QDesktopServices hands it every URL the
// window opens.
class UrlReceiver : public QObject {
    Q_OBJECT

public:
    QList<QUrl> urls;

public Q_SLOTS:
    void open(const QUrl &url) { urls.append(url); }
};

// A Settings over two INI files of `dir` (the user's and IT's), so nothing of this machine is
// read.
std::unique_ptr<Settings> settingsIn(const QString &dir)
{
    return std::make_unique<Settings>(
        std::make_unique<QSettings>(dir + QStringLiteral("/user.ini"), QSettings::IniFormat),
        std::make_unique<QSettings>(dir + QStringLiteral("/managed.ini"), QSettings::IniFormat));
}

} // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void firstStartAsksForTheServer();
    void signInCanBeCanceled();
    void signInThroughTheWindow();
    void listsLicensedProducts();
    void searchFiltersProductsAndTools();
    void installThroughTheWindow();
    void filterShowsInstalledProducts();
    void verifyOffersRepairWhenDamaged();
    void rollBackAndUpdate();
    void waitingTaskCanBeCanceled();
    void installSpecificVersionAndRemove();
    void serialNumbersMaskedUntilRevealed();
    void tutorialOpensInTheBrowser();
    void hostedDocumentIsDownloadedAndOpened();
    void lockedSettingIsReadOnly();
    void offlineBannerWhenServerStops();
    void restartWithoutServerShowsKeptCatalog();

private:
    template <class T>
    T *find(const QString &name) const
    {
        T *widget = m_window->findChild<T *>(name);
        if (!widget) {
            qWarning() << "no" << name << "in the window";
        }
        return widget;
    }
    // The product list's row for `slug` (invalid when it does not show it).
    [[nodiscard]] QModelIndex productRow(const QString &slug) const;
    [[nodiscard]] QStringList listedProducts() const;
    // Shows `product` and selects `tool` in the tools table.
    [[nodiscard]] bool selectTool(const QString &product, const QString &tool);
    // The tools table's text in `column` for `tool` (empty when not shown).
    [[nodiscard]] QString toolCell(const QString &tool, int column) const;
    [[nodiscard]] QString installedVersion() const;
    // Clicks `button`, waits for the one task it queues to end, and says whether it succeeded.
    [[nodiscard]] bool runTask(QAbstractButton *button, QString *title = nullptr);
    [[nodiscard]] QTreeWidgetItem *resourceItem(QTreeWidget *list, const QString &title) const;
    void snapshot(const QString &name) const;

    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<AppCore> m_core;
    std::unique_ptr<MainWindow> m_window;
    UrlReceiver m_browser;
};

void MainWindowTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    // IT manages the number of parallel downloads; the user set the server and the folder.
    {
        QSettings managed(m_dir.filePath(QStringLiteral("settings/managed.ini")),
                          QSettings::IniFormat);
        managed.setValue(QStringLiteral("downloads/parallel"), 2);
    }
    auto settings = settingsIn(m_dir.filePath(QStringLiteral("settings")));
    QCOMPARE(settings->setServerUrl(m_server->url(QString())), QString());
    QCOMPARE(settings->setInstallRoot(m_dir.filePath(QStringLiteral("tools"))), QString());

    AppCore::Options options;
    options.dataDir = m_dir.filePath(QStringLiteral("data"));
    options.cacheDir = m_dir.filePath(QStringLiteral("cache"));
    options.settings = std::move(settings);
    options.keychainService = QStringLiteral("ToolhubMainWindowTest");
    auto core = AppCore::create(std::move(options));
    QVERIFY2(core.ok(), core ? "" : core.error().message.c_str());
    m_core = std::move(core).value();

    QDesktopServices::setUrlHandler(QStringLiteral("http"), &m_browser, "open");
    QDesktopServices::setUrlHandler(QStringLiteral("https"), &m_browser, "open");
    QDesktopServices::setUrlHandler(QStringLiteral("file"), &m_browser, "open");

    m_window = std::make_unique<MainWindow>(*m_core);
    // Finished tasks stay in the panel for the whole test, so that it can look at them.
    m_window->tasksPanel()->setLinger(10min);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->start();
}

void MainWindowTest::cleanupTestCase()
{
    m_window.reset();
    m_core.reset();
    QDesktopServices::unsetUrlHandler(QStringLiteral("http"));
    QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
    QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
}

QModelIndex MainWindowTest::productRow(const QString &slug) const
{
    const QAbstractItemModel *model = find<QListView>(QStringLiteral("productList"))->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(ProductListModel::SlugRole).toString() == slug) {
            return index;
        }
    }
    return {};
}

QStringList MainWindowTest::listedProducts() const
{
    QStringList slugs;
    const QAbstractItemModel *model = find<QListView>(QStringLiteral("productList"))->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        slugs << model->index(row, 0).data(ProductListModel::SlugRole).toString();
    }
    return slugs;
}

bool MainWindowTest::selectTool(const QString &product, const QString &tool)
{
    auto *list = find<QListView>(QStringLiteral("productList"));
    const QModelIndex row = productRow(product);
    if (!row.isValid()) {
        return false;
    }
    list->setCurrentIndex(row);
    find<QTabWidget>(QStringLiteral("productTabs"))->setCurrentIndex(0);
    return find<ProductPage>(QStringLiteral("productPage"))->selectTool(tool);
}

QString MainWindowTest::toolCell(const QString &tool, int column) const
{
    const QAbstractItemModel *model = find<QTableView>(QStringLiteral("toolsTable"))->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(ToolsTableModel::SlugRole).toString() == tool) {
            return model->index(row, column).data().toString();
        }
    }
    return {};
}

QString MainWindowTest::installedVersion() const
{
    auto installed =
        m_core->registry().installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
    return installed.ok() && installed->has_value() ? (*installed)->version : QString();
}

bool MainWindowTest::runTask(QAbstractButton *button, QString *title)
{
    QPointer<Task> task;
    const auto connection =
        connect(&m_core->queue(), &TaskQueue::added, this, [&task](Task *added) { task = added; });
    QSignalSpy finished(&m_core->queue(), &TaskQueue::finished);
    button->click();
    disconnect(connection);
    if (!task) {
        qWarning() << button->objectName() << "queued no task";
        return false;
    }
    TaskRow *row = m_window->tasksPanel()->rowOf(task);
    if (!row) {
        qWarning() << "the tasks panel does not show the task";
        return false;
    }
    if (!QTest::qWaitFor([&finished] { return !finished.isEmpty(); }, networkTimeoutMs)) {
        qWarning() << "the task did not end";
        return false;
    }
    if (title) {
        *title = row->title();
    }
    if (row->hasFailed()) {
        qWarning() << "the task failed:"
                   << row->findChild<QLabel *>(QStringLiteral("taskDetail"))->text();
    }
    return row->isFinished() && !row->hasFailed();
}

QTreeWidgetItem *MainWindowTest::resourceItem(QTreeWidget *list, const QString &title) const
{
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        if (list->topLevelItem(i)->text(0) == title) {
            return list->topLevelItem(i);
        }
    }
    return nullptr;
}

void MainWindowTest::snapshot(const QString &name) const
{
    const QString folder = qEnvironmentVariable("TOOLHUB_UI_SNAPSHOTS");
    if (folder.isEmpty()) {
        return;
    }
    QDir().mkpath(folder);
    QCoreApplication::processEvents(); // the layouts catch up with the last change first
    QWidget *shown =
        QApplication::activeModalWidget() ? QApplication::activeModalWidget() : m_window.get();
    if (!shown->grab().save(folder + u'/' + name + QStringLiteral(".png"))) {
        qWarning() << "cannot save a snapshot in" << folder;
    }
}

// Without a server address the window asks for one at once; once given, it offers to sign in.
void MainWindowTest::firstStartAsksForTheServer()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    AppCore::Options options;
    options.dataDir = dir.filePath(QStringLiteral("data"));
    options.cacheDir = dir.filePath(QStringLiteral("cache"));
    options.settings = settingsIn(dir.path());
    options.keychainService = QStringLiteral("ToolhubMainWindowTestFirstRun");
    auto created = AppCore::create(std::move(options));
    QVERIFY(created.ok());
    AppCore &core = **created;
    MainWindow window(core);
    window.show();
    window.start();

    auto *dialog = window.findChild<SettingsDialog *>(QStringLiteral("settingsDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("settingsWelcome"))->isVisible());
    auto *server = dialog->findChild<QLineEdit *>(QStringLiteral("serverUrlEdit"));
    QVERIFY(server->text().isEmpty());

    // An address the app refuses keeps the dialog open with the reason.
    QTest::keyClicks(server, QStringLiteral("http://toolhub.example.com"));
    dialog->accept();
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("settingsError"))->isVisible());
    QVERIFY(core.serverUrl().isEmpty());

    server->setText(m_server->url(QString()).toString());
    dialog->accept();
    QTRY_VERIFY(!dialog->isVisible());
    QCOMPARE(core.serverUrl(), m_server->url(QString()));
    auto *text = window.findChild<QLabel *>(QStringLiteral("emptyStateText"));
    QVERIFY(text->isVisible());
    QVERIFY2(text->text().contains(QStringLiteral("Sign in")), qPrintable(text->text()));
    QVERIFY(window.findChild<QAction *>(QStringLiteral("signInAction"))->isEnabled());
}

void MainWindowTest::signInCanBeCanceled()
{
    QVERIFY(!m_core->isSignedIn());
    QVERIFY(!find<QAction>(QStringLiteral("refreshAction"))->isEnabled());
    m_browser.urls.clear();
    auto *signIn = find<QAction>(QStringLiteral("signInAction"));
    QVERIFY(signIn->isVisible() && signIn->isEnabled());
    signIn->trigger();
    QTRY_COMPARE(m_browser.urls.size(), 1);
    auto *banner = find<NoticeBar>(QStringLiteral("signInBanner"));
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().startsWith(QStringLiteral("Waiting for the browser…")),
             qPrintable(banner->text()));
    QVERIFY(!signIn->isEnabled());
    snapshot(QStringLiteral("waiting-for-browser"));

    find<QPushButton>(QStringLiteral("cancelSignInButton"))->click();
    QTRY_VERIFY(!banner->isVisible());
    QTRY_VERIFY(signIn->isEnabled());
    QVERIFY(!m_core->isSignedIn());
}

void MainWindowTest::signInThroughTheWindow()
{
    m_browser.urls.clear();
    find<QAction>(QStringLiteral("signInAction"))->trigger();
    QTRY_COMPARE(m_browser.urls.size(), 1);
    const QUrl authorize = m_browser.urls.first();
    QCOMPARE(authorize.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(authorize.port(), int(m_server->port()));
    QCOMPARE(authorize.path(), QStringLiteral("/oauth/authorize"));

    TestBrowser browser;
    const HttpExchange back = browser.signIn(*m_server, authorize, alice, alicePassword);
    QCOMPARE(back.status, 200);

    QTRY_VERIFY_WITH_TIMEOUT(m_core->isSignedIn(), networkTimeoutMs);
    QTRY_VERIFY(!find<NoticeBar>(QStringLiteral("signInBanner"))->isVisible());
    QVERIFY(find<QAction>(QStringLiteral("signOutAction"))->isVisible());
    QVERIFY(!find<QAction>(QStringLiteral("signInAction"))->isVisible());
    QVERIFY2(
        find<QLabel>(QStringLiteral("accountLabel"))->text().contains(QStringLiteral("Signed in")),
        qPrintable(find<QLabel>(QStringLiteral("accountLabel"))->text()));
    QTRY_VERIFY_WITH_TIMEOUT(productRow(QStringLiteral("fluxcad")).isValid(), networkTimeoutMs);
    QTRY_VERIFY(find<QAction>(QStringLiteral("refreshAction"))->isEnabled());

    // The keychain keeps the sign-in, or the window says it cannot, without stopping anyone.
    auto *notice = find<NoticeBar>(QStringLiteral("keychainNotice"));
    if (qgetenv("TOOLHUB_KEYCHAIN") == "keyring") {
        const auto kept = [this] {
            SecretStore store(QStringLiteral("ToolhubMainWindowTest"));
            std::optional<SecretResult> result;
            store.read(SecretStore::refreshTokenKey(m_core->serverUrl()), &store,
                       [&result](const SecretResult &read) { result = read; });
            if (!QTest::qWaitFor([&result] { return result.has_value(); }, networkTimeoutMs)) {
                return false;
            }
            return result && result->status == SecretStatus::Ok && !result->secret.isEmpty();
        };
        QTRY_VERIFY_WITH_TIMEOUT(kept(), networkTimeoutMs);
        QVERIFY(m_core->canRememberSignIn());
        QVERIFY(!notice->isVisible());
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible(), networkTimeoutMs);
        QVERIFY2(
            notice->text().contains(QStringLiteral("You stay signed in until you quit Toolhub")),
            qPrintable(notice->text()));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QVERIFY(m_core->isSignedIn());
    }
}

void MainWindowTest::listsLicensedProducts()
{
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isLoadingCatalog(), networkTimeoutMs);
    QCOMPARE(listedProducts(), (QStringList{QStringLiteral("datastream"), QStringLiteral("fluxcad"),
                                            QStringLiteral("meshlab-pro")}));
    const QModelIndex flux = productRow(QStringLiteral("fluxcad"));
    QCOMPARE(flux.data().toString(), QStringLiteral("FluxCAD"));
    find<QListView>(QStringLiteral("productList"))->setCurrentIndex(flux);
    QVERIFY(find<ProductPage>(QStringLiteral("productPage"))->isVisible());
    QCOMPARE(find<QLabel>(QStringLiteral("productTitle"))->text(), QStringLiteral("FluxCAD"));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::NameColumn),
             QStringLiteral("Flux CLI"));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::NewestColumn),
             QStringLiteral("2.0.0"));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::ChannelColumn),
             QStringLiteral("stable"));
    QVERIFY(!find<NoticeBar>(QStringLiteral("offlineBanner"))->isVisible());
    snapshot(QStringLiteral("products"));
}

void MainWindowTest::searchFiltersProductsAndTools()
{
    auto *search = find<QLineEdit>(QStringLiteral("searchField"));
    QTest::keyClicks(search, QStringLiteral("mesh"));
    QCOMPARE(listedProducts(), QStringList{QStringLiteral("meshlab-pro")});
    QCOMPARE(find<QLabel>(QStringLiteral("productTitle"))->text(), QStringLiteral("MeshLab Pro"));

    // A tool's slug finds its product, and the table shows only that tool.
    search->setText(QStringLiteral("flux-cli"));
    QCOMPARE(listedProducts(), QStringList{QStringLiteral("fluxcad")});
    QCOMPARE(find<QTableView>(QStringLiteral("toolsTable"))->model()->rowCount(), 1);
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::NameColumn),
             QStringLiteral("Flux CLI"));

    // The product's own name shows all of its tools.
    search->setText(QStringLiteral("FLUXCAD"));
    QCOMPARE(find<QTableView>(QStringLiteral("toolsTable"))->model()->rowCount(), 2);

    search->setText(QStringLiteral("no such thing"));
    QVERIFY(listedProducts().isEmpty());
    QVERIFY(find<QWidget>(QStringLiteral("emptyState"))->isVisible());
    QVERIFY(find<QLabel>(QStringLiteral("emptyStateText"))
                ->text()
                .contains(QStringLiteral("No product matches")));

    find<QPushButton>(QStringLiteral("emptyStateButton"))->click();
    QVERIFY(search->text().isEmpty());
    QCOMPARE(listedProducts().size(), 3);
}

void MainWindowTest::installThroughTheWindow()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::InstalledColumn),
             QStringLiteral("—"));
    auto *install = find<QPushButton>(QStringLiteral("installButton"));
    QVERIFY(install->isEnabled());
    QCOMPARE(install->text(), QStringLiteral("Install 2.0.0"));
    QVERIFY(!find<QPushButton>(QStringLiteral("removeButton"))->isEnabled());
    QVERIFY(!find<QPushButton>(QStringLiteral("updateButton"))->isEnabled());

    // What the tasks panel shows while the task runs.
    QPointer<TaskRow> row;
    QList<int> barValues;
    std::unique_ptr<QSignalSpy> progress;
    QObject watcher; // ends the watching of the bar with this function
    const auto connection = connect(&m_core->queue(), &TaskQueue::added, this, [&](Task *task) {
        row = m_window->tasksPanel()->rowOf(task);
        progress = std::make_unique<QSignalSpy>(task, &Task::progress);
        if (row) {
            auto *bar = row->findChild<QProgressBar *>(QStringLiteral("taskProgress"));
            connect(bar, &QProgressBar::valueChanged, &watcher,
                    [&barValues](int value) { barValues << value; });
        }
    });
    install->click();
    disconnect(connection);
    QVERIFY2(row, "the tasks panel shows no row for the install");
    QVERIFY(find<QWidget>(QStringLiteral("tasksDock"))->isVisible());
    QCOMPARE(row->title(), QStringLiteral("Installing Flux CLI 2.0.0"));

    QTRY_VERIFY_WITH_TIMEOUT(row->isFinished(), networkTimeoutMs);
    QVERIFY2(!row->hasFailed(),
             qPrintable(row->findChild<QLabel *>(QStringLiteral("taskDetail"))->text()));
    QVERIFY(!progress->isEmpty());
    const qint64 total = progress->last().at(1).toLongLong();
    QVERIFY(total > 0);
    QCOMPARE(progress->last().at(0).toLongLong(), total);
    auto *bar = row->findChild<QProgressBar *>(QStringLiteral("taskProgress"));
    QVERIFY(!barValues.isEmpty());
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(row->findChild<QLabel *>(QStringLiteral("taskStatus"))->text(),
             QStringLiteral("Done"));
    QVERIFY(!row->findChild<QPushButton *>(QStringLiteral("taskCancel"))->isVisibleTo(row));
    QVERIFY(find<QPushButton>(QStringLiteral("clearFinishedButton"))->isEnabled());

    QTRY_COMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::InstalledColumn),
                 QStringLiteral("2.0.0"));
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::StatusColumn),
             QStringLiteral("Up to date"));
    QVERIFY(!install->isEnabled());
    QVERIFY(find<QPushButton>(QStringLiteral("removeButton"))->isEnabled());
    QVERIFY(find<QPushButton>(QStringLiteral("verifyButton"))->isEnabled());
    QCOMPARE(find<QPushButton>(QStringLiteral("rollBackButton"))->text(),
             QStringLiteral("Roll back to 1.0.1"));
    snapshot(QStringLiteral("installed"));
}

void MainWindowTest::filterShowsInstalledProducts()
{
    auto *filter = find<QComboBox>(QStringLiteral("filterCombo"));
    filter->setCurrentIndex(filter->findData(int(ProductFilterModel::Mode::Installed)));
    QCOMPARE(listedProducts(), QStringList{QStringLiteral("fluxcad")});
    // Of FluxCAD, only the installed tool.
    QCOMPARE(find<QTableView>(QStringLiteral("toolsTable"))->model()->rowCount(), 1);
    filter->setCurrentIndex(filter->findData(int(ProductFilterModel::Mode::Updates)));
    QVERIFY(listedProducts().isEmpty());
    filter->setCurrentIndex(filter->findData(int(ProductFilterModel::Mode::All)));
    QCOMPARE(listedProducts().size(), 3);
}

void MainWindowTest::verifyOffersRepairWhenDamaged()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    auto installed =
        m_core->registry().installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
    QVERIFY(installed.ok() && installed->has_value());
    const Installation installation = **installed;
    QVERIFY(!installation.files.empty());
    const InstalledFile &victim = installation.files.front();
    const QString path = installation.folder + u'/' + victim.path;
    const auto hashOf = [&path] {
        QFile file(path);
        return file.open(QIODevice::ReadOnly)
                   ? QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex()
                   : QByteArray();
    };
    QCOMPARE(hashOf(), victim.sha256Hex);

    auto *verify = find<QPushButton>(QStringLiteral("verifyButton"));
    auto *notice = find<NoticeBar>(QStringLiteral("damageNotice"));
    QVERIFY(runTask(verify));
    QVERIFY(!notice->isVisible());

    // One file changed, another deleted.
    QVERIFY(installation.files.size() >= 2);
    const QString deleted = installation.folder + u'/' + installation.files.back().path;
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::Append));
        file.write("changed by hand\n");
    }
    QVERIFY(QFile::remove(deleted));
    QVERIFY(hashOf() != victim.sha256Hex);
    QVERIFY(runTask(verify));
    QTRY_VERIFY(notice->isVisible());
    QVERIFY2(notice->text().startsWith(
                 QStringLiteral("2 files of Flux CLI 2.0.0 changed or went missing.")),
             qPrintable(notice->text()));
    snapshot(QStringLiteral("damaged"));

    QString title;
    QVERIFY(runTask(find<QPushButton>(QStringLiteral("repairButton")), &title));
    QCOMPARE(title, QStringLiteral("Repairing Flux CLI 2.0.0"));
    QVERIFY(!notice->isVisible());
    QCOMPARE(hashOf(), victim.sha256Hex);
    QVERIFY(QFile::exists(deleted));
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
}

void MainWindowTest::rollBackAndUpdate()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    QString title;
    QVERIFY(runTask(find<QPushButton>(QStringLiteral("rollBackButton")), &title));
    QCOMPARE(title, QStringLiteral("Rolling Flux CLI back to 1.0.1"));
    QCOMPARE(installedVersion(), QStringLiteral("1.0.1"));
    QTRY_COMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::InstalledColumn),
                 QStringLiteral("1.0.1"));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::StatusColumn),
             QStringLiteral("Update to 2.0.0 available"));

    // The update shows in the filter and on the product's badge.
    auto *filter = find<QComboBox>(QStringLiteral("filterCombo"));
    filter->setCurrentIndex(filter->findData(int(ProductFilterModel::Mode::Updates)));
    QCOMPARE(listedProducts(), QStringList{QStringLiteral("fluxcad")});
    QCOMPARE(productRow(QStringLiteral("fluxcad")).data(ProductListModel::UpdateCountRole).toInt(),
             1);
    filter->setCurrentIndex(0);

    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    auto *update = find<QPushButton>(QStringLiteral("updateButton"));
    QCOMPARE(update->text(), QStringLiteral("Update to 2.0.0"));
    QVERIFY(runTask(update, &title));
    QCOMPARE(title, QStringLiteral("Updating Flux CLI to 2.0.0"));
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
    QTRY_VERIFY(!update->isEnabled());
}

// A second task on the same tool waits for the first; Cancel ends it without it ever running.
void MainWindowTest::waitingTaskCanBeCanceled()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    QList<QPointer<Task>> queued;
    const auto connection = connect(&m_core->queue(), &TaskQueue::added, this,
                                    [&queued](Task *task) { queued << task; });
    QSignalSpy finished(&m_core->queue(), &TaskQueue::finished);
    find<QPushButton>(QStringLiteral("verifyButton"))->click();
    find<QPushButton>(QStringLiteral("rollBackButton"))->click();
    disconnect(connection);
    QCOMPARE(queued.size(), 2);
    QVERIFY(queued[1]);
    QCOMPARE(queued[1]->state(), Task::State::Ready);
    TaskRow *waiting = m_window->tasksPanel()->rowOf(queued[1]);
    QVERIFY(waiting);
    QCOMPARE(waiting->title(), QStringLiteral("Rolling Flux CLI back to 1.0.1"));
    QCOMPARE(waiting->findChild<QLabel *>(QStringLiteral("taskStatus"))->text(),
             QStringLiteral("Waiting"));
    auto *cancel = waiting->findChild<QPushButton *>(QStringLiteral("taskCancel"));
    QVERIFY(cancel->isVisibleTo(waiting) && cancel->isEnabled());
    cancel->click();
    QCOMPARE(waiting->findChild<QLabel *>(QStringLiteral("taskStatus"))->text(),
             QStringLiteral("Canceled"));
    QVERIFY(!cancel->isVisibleTo(waiting));
    QVERIFY(!waiting->hasFailed());

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, networkTimeoutMs);
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
}

void MainWindowTest::installSpecificVersionAndRemove()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("fluxcad")));
    auto *versions = find<QToolButton>(QStringLiteral("installVersionButton"));
    QVERIFY(versions->isEnabled());
    auto *choice = versions->menu()->findChild<QAction *>(QStringLiteral("installVersion-1.1.0"));
    QVERIFY(choice);
    QVERIFY(versions->menu()->findChild<QAction *>(QStringLiteral("installVersion-2.0.0")));
    QSignalSpy finished(&m_core->queue(), &TaskQueue::finished);
    choice->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), networkTimeoutMs);
    QTRY_COMPARE(toolCell(QStringLiteral("fluxcad"), ToolsTableModel::InstalledColumn),
                 QStringLiteral("1.1.0"));

    find<QPushButton>(QStringLiteral("removeButton"))->click();
    auto *confirm = m_window->findChild<QMessageBox *>(QStringLiteral("confirmRemove"));
    QVERIFY(confirm);
    QTRY_VERIFY(confirm->isVisible());
    QVERIFY(confirm->text().contains(QStringLiteral("FluxCAD 1.1.0")));
    finished.clear();
    confirm->findChild<QPushButton *>(QStringLiteral("confirmRemoveButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), networkTimeoutMs);
    QTRY_COMPARE(toolCell(QStringLiteral("fluxcad"), ToolsTableModel::InstalledColumn),
                 QStringLiteral("—"));
    auto gone =
        m_core->registry().installation(QStringLiteral("fluxcad"), QStringLiteral("fluxcad"));
    QVERIFY(gone.ok() && !gone->has_value());
    // The other tool stays.
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));

    QVERIFY(!m_window->tasksPanel()->rows().isEmpty());
    find<QPushButton>(QStringLiteral("clearFinishedButton"))->click();
    QVERIFY(m_window->tasksPanel()->rows().isEmpty());
}

void MainWindowTest::serialNumbersMaskedUntilRevealed()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    auto *tabs = find<QTabWidget>(QStringLiteral("productTabs"));
    tabs->setCurrentWidget(find<QWidget>(QStringLiteral("serialsTab")));
    auto *table = find<QTableWidget>(QStringLiteral("serialTable"));
    QVERIFY(table->isVisible());
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("••••-••••-9QWD"));
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("25"));
    QVERIFY(table->item(0, 2)->text().contains(QStringLiteral("2028")));
    QVERIFY(table->item(0, 3)->text().contains(QStringLiteral("2027")));

    auto *reveal =
        table->cellWidget(0, 4)->findChild<QToolButton *>(QStringLiteral("revealSerial"));
    reveal->click();
    QCOMPARE(table->item(0, 0)->text(), fluxSerial);
    snapshot(QStringLiteral("serials"));
    reveal->click();
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("••••-••••-9QWD"));

    QGuiApplication::clipboard()->setText(QStringLiteral("something else"));
    table->cellWidget(0, 4)->findChild<QToolButton *>(QStringLiteral("copySerial"))->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), fluxSerial);
    // Copying reveals nothing on screen.
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("••••-••••-9QWD"));
}

void MainWindowTest::tutorialOpensInTheBrowser()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    auto *tabs = find<QTabWidget>(QStringLiteral("productTabs"));
    auto *list = find<QTreeWidget>(QStringLiteral("tutorialsList"));
    tabs->setCurrentWidget(list);
    QVERIFY(tabs->tabText(tabs->currentIndex()).startsWith(QStringLiteral("Tutorials (3)")));
    QTreeWidgetItem *item = resourceItem(list, QStringLiteral("Getting started with FluxCAD"));
    QVERIFY(item);
    QCOMPARE(item->text(1), QStringLiteral("English (en)"));
    snapshot(QStringLiteral("tutorials"));
    m_browser.urls.clear();
    qobject_cast<QPushButton *>(list->itemWidget(item, 3))->click();
    QCOMPARE(m_browser.urls,
             QList<QUrl>{QUrl(QStringLiteral("https://docs.example.com/fluxcad/getting-started"))});
}

void MainWindowTest::hostedDocumentIsDownloadedAndOpened()
{
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    auto *list = find<QTreeWidget>(QStringLiteral("documentsList"));
    find<QTabWidget>(QStringLiteral("productTabs"))->setCurrentWidget(list);
    QTreeWidgetItem *item = resourceItem(list, QStringLiteral("FluxCAD Benutzerhandbuch"));
    QVERIFY(item);
    QCOMPARE(item->text(1), QStringLiteral("German (de)"));
    m_browser.urls.clear();
    qobject_cast<QPushButton *>(list->itemWidget(item, 3))->click();
    QTRY_COMPARE_WITH_TIMEOUT(m_browser.urls.size(), 1, networkTimeoutMs);
    const QUrl opened = m_browser.urls.first();
    QVERIFY(opened.isLocalFile());
    QCOMPARE(QFileInfo(opened.toLocalFile()).fileName(),
             QStringLiteral("fluxcad-benutzerhandbuch.md"));
    QFile file(opened.toLocalFile());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().startsWith("# FluxCAD Benutzerhandbuch"));
    QVERIFY(!find<NoticeBar>(QStringLiteral("errorNotice"))->isVisible());
}

void MainWindowTest::lockedSettingIsReadOnly()
{
    find<QAction>(QStringLiteral("settingsAction"))->trigger();
    auto *dialog = m_window->findChild<SettingsDialog *>(QStringLiteral("settingsDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(!dialog->findChild<QLabel *>(QStringLiteral("settingsWelcome"))->isVisible());

    auto *parallel = dialog->findChild<QSpinBox *>(QStringLiteral("parallelDownloadsSpin"));
    QCOMPARE(parallel->value(), 2);
    QVERIFY(parallel->isReadOnly());
    auto *lock = dialog->findChild<QLabel *>(QStringLiteral("parallelDownloadsLock"));
    QVERIFY(lock && lock->isVisible());
    QCOMPARE(lock->text(), QStringLiteral("Set by your administrator"));
    snapshot(QStringLiteral("settings"));

    // What IT leaves alone stays the user's to change.
    auto *server = dialog->findChild<QLineEdit *>(QStringLiteral("serverUrlEdit"));
    QVERIFY(!server->isReadOnly());
    QCOMPARE(server->text(), m_server->url(QString()).toString());
    QVERIFY(!dialog->findChild<QLabel *>(QStringLiteral("serverUrlLock")));
    auto *folder = dialog->findChild<QLineEdit *>(QStringLiteral("installRootEdit"));
    QVERIFY(!folder->isReadOnly());
    QCOMPARE(QDir::fromNativeSeparators(folder->text()), m_dir.filePath(QStringLiteral("tools")));
    QVERIFY(dialog->findChild<QToolButton *>(QStringLiteral("chooseFolderButton"))->isEnabled());

    // OK with a locked value keeps it and changes the rest.
    folder->setText(m_dir.filePath(QStringLiteral("other-tools")));
    dialog->accept();
    QTRY_VERIFY(!dialog->isVisible());
    QCOMPARE(m_core->settings().installRoot(), m_dir.filePath(QStringLiteral("other-tools")));
    QCOMPARE(m_core->settings().parallelDownloads(), 2);
    QVERIFY(m_core->isSignedIn()); // the same server: still signed in
}

void MainWindowTest::offlineBannerWhenServerStops()
{
    auto *banner = find<NoticeBar>(QStringLiteral("offlineBanner"));
    QVERIFY(!banner->isVisible());
    QCOMPARE(m_server->terminate(), 0);

    find<QAction>(QStringLiteral("refreshAction"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), networkTimeoutMs);
    QVERIFY2(banner->text().startsWith(QStringLiteral("Offline — showing what Toolhub knew at ")),
             qPrintable(banner->text()));
    QVERIFY(find<QPushButton>(QStringLiteral("retryButton"))->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isLoadingCatalog(), networkTimeoutMs);
    snapshot(QStringLiteral("offline"));
    QCOMPARE(listedProducts(), (QStringList{QStringLiteral("datastream"), QStringLiteral("fluxcad"),
                                            QStringLiteral("meshlab-pro")}));
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::InstalledColumn),
             QStringLiteral("2.0.0"));

    // Retry while the server is still gone: still offline, nothing lost.
    find<QPushButton>(QStringLiteral("retryButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isLoadingCatalog(), networkTimeoutMs);
    QVERIFY(banner->isVisible());
    QCOMPARE(listedProducts().size(), 3);

    // An install that cannot reach the server fails, and the failure stays until dismissed (a
    // success or a cancel would go after the linger).
    m_window->tasksPanel()->setLinger(50ms);
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("fluxcad")));
    QString title;
    QVERIFY(!runTask(find<QPushButton>(QStringLiteral("installButton")), &title));
    QCOMPARE(title, QStringLiteral("Installing FluxCAD 2.0.0"));
    const QList<TaskRow *> rows = m_window->tasksPanel()->rows();
    QCOMPARE(rows.size(), 1);
    TaskRow *failed = rows.first();
    QVERIFY(failed->hasFailed());
    QCOMPARE(failed->findChild<QLabel *>(QStringLiteral("taskStatus"))->text(),
             QStringLiteral("Failed"));
    QVERIFY2(failed->findChild<QLabel *>(QStringLiteral("taskDetail"))
                 ->text()
                 .startsWith(describe(TaskError::Network)),
             qPrintable(failed->findChild<QLabel *>(QStringLiteral("taskDetail"))->text()));
    // Waits out four lingers: a row that was going to go would be gone.
    QTest::qWait(200);
    QCOMPARE(m_window->tasksPanel()->rows().size(), 1);
    failed->findChild<QPushButton *>(QStringLiteral("taskDismiss"))->click();
    QVERIFY(m_window->tasksPanel()->rows().isEmpty());
}

// The app started again while the server is still gone: the sign-in comes back from the keychain,
// the window shows the kept catalog at once and says it is offline.
void MainWindowTest::restartWithoutServerShowsKeptCatalog()
{
    m_window.reset();
    m_core.reset();
    AppCore::Options options;
    options.dataDir = m_dir.filePath(QStringLiteral("data"));
    options.cacheDir = m_dir.filePath(QStringLiteral("cache"));
    options.settings = settingsIn(m_dir.filePath(QStringLiteral("settings")));
    options.keychainService = QStringLiteral("ToolhubMainWindowTest");
    auto core = AppCore::create(std::move(options));
    QVERIFY(core.ok());
    m_core = std::move(core).value();
    m_window = std::make_unique<MainWindow>(*m_core);
    m_window->show();
    m_window->start();

    QTRY_COMPARE(listedProducts().size(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(m_core->isSignedIn(), networkTimeoutMs);
    auto *banner = find<NoticeBar>(QStringLiteral("offlineBanner"));
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), networkTimeoutMs);
    QVERIFY(banner->text().startsWith(QStringLiteral("Offline — showing what Toolhub knew at ")));
    QVERIFY(selectTool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli")));
    QCOMPARE(toolCell(QStringLiteral("flux-cli"), ToolsTableModel::InstalledColumn),
             QStringLiteral("2.0.0"));
    QVERIFY(find<QPushButton>(QStringLiteral("verifyButton"))->isEnabled());
    QVERIFY(!find<NoticeBar>(QStringLiteral("signInRequiredNotice"))->isVisible());
    snapshot(QStringLiteral("restart-offline"));
}

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
