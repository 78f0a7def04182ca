// From a click in a real browser to an installed tool. Chromium (click-install.mjs) signs in to the
// portal of the real toolhub-server on the demo data and clicks "Install with Toolhub"; Chromium
// hands the toolhub:// link to xdg-open, which runs toolhub-open as registered with xdg-mime for
// this HOME, which hands it to the app:
//   1. the app runs (a window in this process, listening on the user's socket): the confirmation
//      appears, Install installs the release that was clicked;
//   2. no app runs: toolhub-open starts the real toolhub binary, signed in from the keychain and
//      set by IT to trust the portal, which installs the clicked release without asking;
//   3. hostile links through xdg-open: nothing is asked, installed or changed, and the app still
//      answers on its socket.
// Runs under tests/support/with-keyring.sh (fresh HOME and XDG folders, a private D-Bus session
// with a keyring) and with-xvfb.sh (DISPLAY). The functions run in order and build on each other.

#include "core/app/app_core.h"
#include "core/app/instance.h"
#include "core/registry/registry.h"
#include "core/secrets/secret_store.h"
#include "ui/link_confirm_dialog.h"
#include "ui/link_controller.h"
#include "ui/main_window.h"
#include "ui/product_list_model.h"
#include "ui/tasks_panel.h"

#include "native_sign_in.h"
#include "server_process.h"
#include "test_browser.h"

#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QListView>
#include <QLocalSocket>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>

namespace {

using namespace std::chrono_literals;

constexpr int networkTimeoutMs = 30000;
// Chromium takes a few seconds from the click to xdg-open; the app then asks the server.
constexpr int clickTimeoutMs = 20000;
const QString alice = QStringLiteral("alice.archer@acme.example");
const QString alicePassword = QStringLiteral("acme-demo-1");
const QString product = QStringLiteral("fluxcad");
const QString tool = QStringLiteral("flux-cli");

QString environmentFolder(const char *name)
{
    return QDir::cleanPath(qEnvironmentVariable(name));
}

// Writes one line to the socket the way toolhub-open does and returns the answer.
QByteArray sendLine(const QString &name, const QByteArray &line)
{
    QLocalSocket socket;
    socket.connectToServer(name);
    if (!socket.waitForConnected(5000)) {
        return {};
    }
    socket.write(line);
    socket.flush();
    if (!QTest::qWaitFor([&socket] { return socket.canReadLine(); }, 10000)) {
        return {};
    }
    return socket.readLine();
}

// The version of product/tool in the registry file of another process, read only; empty when not
// installed or not readable (yet).
QString installedVersionIn(const QString &databaseFile)
{
    if (!QFileInfo::exists(databaseFile)) {
        return {};
    }
    const QString connection = QStringLiteral("e2e-registry");
    QString version;
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        database.setDatabaseName(databaseFile);
        database.setConnectOptions(
            QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=1000"));
        if (database.open()) {
            QSqlQuery query(database);
            query.prepare(
                QStringLiteral("SELECT version FROM installations WHERE product = ? AND tool = ?"));
            query.addBindValue(product);
            query.addBindValue(tool);
            if (query.exec() && query.next()) {
                version = query.value(0).toString();
            }
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return version;
}

// Waits for `process` while this process's event loop runs: the app in it must be able to answer
// toolhub-open.
bool finishes(QProcess &process)
{
    return QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, 15000);
}

// The processes whose executable is `executable` (a path only this test uses).
QList<qint64> processesOf(const QString &executable)
{
    QList<qint64> pids;
    const QString wanted = QFileInfo(executable).canonicalFilePath();
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        const qint64 pid = entry.toLongLong(&number);
        if (number &&
            QFileInfo(QStringLiteral("/proc/%1/exe").arg(entry)).symLinkTarget() == wanted) {
            pids << pid;
        }
    }
    return pids;
}

// Stops a process this test caused to start (not its child) by its PID: SIGTERM, then SIGKILL.
bool stopProcess(qint64 pid)
{
    const QString proc = QStringLiteral("/proc/%1").arg(pid);
    ::kill(pid_t(pid), SIGTERM);
    if (QTest::qWaitFor([&proc] { return !QFileInfo::exists(proc); }, 10000)) {
        return true;
    }
    ::kill(pid_t(pid), SIGKILL);
    return QTest::qWaitFor([&proc] { return !QFileInfo::exists(proc); }, 5000);
}

// Stands in for the system's browser where the app opens its sign-in page.
class UrlReceiver : public QObject {
    Q_OBJECT

public:
    QList<QUrl> urls;

public Q_SLOTS:
    void open(const QUrl &url) { urls.append(url); }
};

// Chromium driven by click-install.mjs; the browser stays open until close().
class ClickingBrowser {
public:
    ClickingBrowser(const QProcessEnvironment &environment, const QString &profile,
                    const QUrl &portal, const QString &link)
    {
        m_process.setProcessEnvironment(environment);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStringLiteral(TOOLHUB_NODE),
                        {QStringLiteral(TOOLHUB_CLICK_SCRIPT), portal.toString(), profile, link});
    }
    ~ClickingBrowser() { close(); }
    ClickingBrowser(const ClickingBrowser &) = delete;
    ClickingBrowser &operator=(const ClickingBrowser &) = delete;

    // Waits for the click; false (with output()) when the script failed before.
    bool waitForClick()
    {
        return QTest::qWaitFor(
                   [this] {
                       m_output += m_process.readAll();
                       return m_output.contains("clicked\n") ||
                              m_process.state() == QProcess::NotRunning;
                   },
                   60000) &&
               m_output.contains("clicked\n");
    }
    // Closes the browser; the script's exit code, or -1.
    int close()
    {
        if (m_process.state() == QProcess::NotRunning) {
            return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
        }
        m_process.write("close\n");
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(20000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
            return -1;
        }
        m_output += m_process.readAll();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    [[nodiscard]] QByteArray output()
    {
        m_output += m_process.readAll();
        return m_output;
    }

private:
    QProcess m_process;
    QByteArray m_output;
};

} // namespace

class E2ELinkTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void clickInstallsInTheRunningApp();
    void clickStartsTheApp();
    void hostileLinksChangeNothing();

private:
    bool listen();
    [[nodiscard]] QList<LinkConfirmDialog *> openDialogs() const;
    [[nodiscard]] QString installedVersion() const;
    [[nodiscard]] QProcessEnvironment childEnvironment() const;

    std::unique_ptr<ServerProcess> m_server;
    QString m_home;
    QString m_bin; // copies of toolhub-open and toolhub, side by side
    QString m_appDir;
    std::unique_ptr<AppCore> m_core;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<InstanceServer> m_instance;
    UrlReceiver m_urls;
};

bool E2ELinkTest::listen()
{
    m_instance = std::make_unique<InstanceServer>(defaultInstanceName());
    if (!m_instance->listen().ok()) {
        return false;
    }
    connect(m_instance.get(), &InstanceServer::linkRequested, m_window->links(),
            &LinkController::handle);
    connect(m_instance.get(), &InstanceServer::showRequested, m_window->links(),
            &LinkController::show);
    return true;
}

QList<LinkConfirmDialog *> E2ELinkTest::openDialogs() const
{
    QList<LinkConfirmDialog *> shown;
    for (auto *dialog :
         m_window->findChildren<LinkConfirmDialog *>(QStringLiteral("linkConfirmDialog"))) {
        if (dialog->isVisible()) {
            shown << dialog;
        }
    }
    return shown;
}

QString E2ELinkTest::installedVersion() const
{
    auto installed = m_core->registry().installation(product, tool);
    return installed.ok() && installed->has_value() ? (*installed)->version : QString();
}

QProcessEnvironment E2ELinkTest::childEnvironment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("XDG_CURRENT_DESKTOP"));
    // xdg-open falls back to a web browser for a link no program is registered for.
    environment.insert(QStringLiteral("BROWSER"), QStringLiteral("false"));
    return environment;
}

void E2ELinkTest::initTestCase()
{
    // The surroundings with-keyring.sh and with-xvfb.sh make; without them this test would touch
    // the real home folder and desktop.
    QVERIFY2(qEnvironmentVariable("TOOLHUB_KEYCHAIN") == QStringLiteral("keyring"),
             "run under tests/support/with-keyring.sh --keyring");
    QVERIFY2(!qEnvironmentVariableIsEmpty("DISPLAY"), "run under tests/e2e/with-xvfb.sh");
    QVERIFY2(QFileInfo::exists(QStringLiteral(TOOLHUB_NODE)), "node was not found at configure");
    QVERIFY(QFileInfo::exists(QStringLiteral("/usr/bin/chromium")));
    qunsetenv("XDG_CURRENT_DESKTOP");
    m_home = environmentFolder("HOME");
    const QString runtime = environmentFolder("XDG_RUNTIME_DIR");
    QVERIFY(!runtime.isEmpty());
    QVERIFY((QFileInfo(runtime).permissions().toInt() & 0x0077) == 0);
    QVERIFY(!QStandardPaths::findExecutable(QStringLiteral("xdg-open")).isEmpty());
    QVERIFY(!QStandardPaths::findExecutable(QStringLiteral("xdg-mime")).isEmpty());

    QStandardPaths::setTestModeEnabled(true);
    QProcessEnvironment serverEnvironment;
    serverEnvironment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    m_server = std::make_unique<ServerProcess>(serverEnvironment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    // toolhub-open starts the toolhub beside it (applicationDirPath() resolves symbolic links):
    // copies of both in one folder.
    m_bin = m_home + QStringLiteral("/bin");
    QVERIFY(QDir().mkpath(m_bin));
    QVERIFY(
        QFile::copy(QStringLiteral(TOOLHUB_OPEN_PATH), m_bin + QStringLiteral("/toolhub-open")));
    QVERIFY(QFile::copy(QStringLiteral(TOOLHUB_APP_PATH), m_bin + QStringLiteral("/toolhub")));

    // toolhub-open as this HOME's handler of toolhub:// links.
    const QString applications =
        environmentFolder("XDG_DATA_HOME") + QStringLiteral("/applications");
    QVERIFY(QDir().mkpath(applications));
    {
        QFile desktop(applications + QStringLiteral("/toolhub-open.desktop"));
        QVERIFY(desktop.open(QIODevice::WriteOnly));
        desktop.write("[Desktop Entry]\nType=Application\nName=Toolhub link handler\nExec=" +
                      QFile::encodeName(m_bin) +
                      "/toolhub-open -- %u\nMimeType=x-scheme-handler/toolhub;\n"
                      "NoDisplay=true\nTerminal=false\n");
    }
    QProcess mime;
    mime.setProcessEnvironment(childEnvironment());
    mime.start(QStringLiteral("xdg-mime"),
               {QStringLiteral("default"), QStringLiteral("toolhub-open.desktop"),
                QStringLiteral("x-scheme-handler/toolhub")});
    QVERIFY(mime.waitForFinished(10000));
    QCOMPARE(mime.exitCode(), 0);
    mime.start(QStringLiteral("xdg-mime"), {QStringLiteral("query"), QStringLiteral("default"),
                                            QStringLiteral("x-scheme-handler/toolhub")});
    QVERIFY(mime.waitForFinished(10000));
    QCOMPARE(mime.readAllStandardOutput().trimmed(), QByteArray("toolhub-open.desktop"));

    // The app of runs 1 and 3, as main.cpp makes it, over its own settings files and data.
    m_appDir = m_home + QStringLiteral("/in-process");
    QVERIFY(QDir().mkpath(m_appDir));
    auto settings = std::make_unique<Settings>(
        std::make_unique<QSettings>(m_appDir + QStringLiteral("/user.ini"), QSettings::IniFormat),
        std::make_unique<QSettings>(m_appDir + QStringLiteral("/managed.ini"),
                                    QSettings::IniFormat));
    QVERIFY(settings->setServerUrl(m_server->url(QString())).isEmpty());
    QVERIFY(settings->setInstallRoot(m_appDir + QStringLiteral("/tools")).isEmpty());
    AppCore::Options options;
    options.dataDir = m_appDir + QStringLiteral("/data");
    options.cacheDir = m_appDir + QStringLiteral("/cache");
    options.settings = std::move(settings);
    // Not the real app's entry: run 2 gives the real toolhub its own sign-in.
    options.keychainService = QStringLiteral("ToolhubE2ETest");
    auto core = AppCore::create(std::move(options));
    QVERIFY2(core.ok(), core ? "" : core.error().message.c_str());
    m_core = std::move(core).value();
    m_window = std::make_unique<MainWindow>(*m_core);
    m_window->tasksPanel()->setLinger(10min);
    QVERIFY(listen());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->start();

    // Signed in as Alice through the window; the browser part of the sign-in is TestBrowser's.
    QDesktopServices::setUrlHandler(QStringLiteral("http"), &m_urls, "open");
    m_window->signIn();
    QTRY_VERIFY_WITH_TIMEOUT(!m_urls.urls.isEmpty(), networkTimeoutMs);
    TestBrowser browser;
    QCOMPARE(browser.signIn(*m_server, m_urls.urls.first(), alice, alicePassword).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(m_core->isSignedIn(), networkTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isSettling(), networkTimeoutMs);
    QVERIFY(m_core->catalog().product(product));
}

void E2ELinkTest::cleanupTestCase()
{
    for (const qint64 pid : processesOf(m_bin + QStringLiteral("/toolhub"))) {
        stopProcess(pid);
    }
    m_instance.reset();
    m_window.reset();
    m_core.reset();
    QDesktopServices::unsetUrlHandler(QStringLiteral("http"));
}

void E2ELinkTest::clickInstallsInTheRunningApp()
{
    QCOMPARE(installedVersion(), QString());
    QSignalSpy finished(&m_core->queue(), &TaskQueue::finished);
    ClickingBrowser browser(childEnvironment(), m_home + QStringLiteral("/chromium"),
                            m_server->url(QString()),
                            QStringLiteral("toolhub://install/fluxcad/flux-cli?version=2.0.0"));
    QVERIFY2(browser.waitForClick(), browser.output().constData());
    QTRY_COMPARE_WITH_TIMEOUT(openDialogs().size(), 1, clickTimeoutMs);
    LinkConfirmDialog *dialog = openDialogs().first();
    QCOMPARE(dialog->productText(), QStringLiteral("FluxCAD"));
    QCOMPARE(dialog->toolText(), QStringLiteral("Flux CLI"));
    QCOMPARE(dialog->versionText(), QStringLiteral("2.0.0"));
    dialog->findChild<QPushButton *>(QStringLiteral("linkInstallButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), networkTimeoutMs);
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
    auto installed = m_core->registry().installation(product, tool);
    QVERIFY(installed.ok() && installed->has_value());
    QVERIFY(!(*installed)->files.empty());
    for (const auto &file : (*installed)->files) {
        QVERIFY2(QFileInfo::exists(QDir((*installed)->folder).filePath(file.path)),
                 qPrintable(file.path));
    }
    const int browserExit = browser.close();
    QVERIFY2(browserExit == 0, browser.output().constData());
    QVERIFY(openDialogs().isEmpty());
}

void E2ELinkTest::clickStartsTheApp()
{
    m_instance.reset();
    QVERIFY(!QFileInfo::exists(defaultInstanceName()));
    const QUrl server = m_server->url(QString());

    // IT trusts the portal (a managed file in XDG_CONFIG_DIRS); the user chose the server.
    const QString managedDir = m_home + QStringLiteral("/managed");
    {
        QSettings managed(managedDir + QStringLiteral("/Toolhub/toolhub.conf"),
                          QSettings::IniFormat);
        managed.setValue(QStringLiteral("links/trusted_portal"), true);
        managed.sync();
        QCOMPARE(managed.status(), QSettings::NoError);
        QSettings user(environmentFolder("XDG_CONFIG_HOME") +
                           QStringLiteral("/Toolhub/toolhub.conf"),
                       QSettings::IniFormat);
        user.setValue(QStringLiteral("server/url"),
                      server.adjusted(QUrl::StripTrailingSlash).toString(QUrl::FullyEncoded));
        user.setValue(QStringLiteral("install/root"), m_home + QStringLiteral("/real-tools"));
        user.sync();
        QCOMPARE(user.status(), QSettings::NoError);
    }

    // The real app's sign-in, in the keychain it reads.
    QString error;
    const QJsonObject tokens = signInNative(*m_server, alice, alicePassword, &error);
    QVERIFY2(!tokens.isEmpty(), qPrintable(error));
    SecretStore keychain(QStringLiteral("Toolhub"));
    std::optional<SecretStatus> written;
    keychain.write(SecretStore::refreshTokenKey(server),
                   tokens.value(QStringLiteral("refresh_token")).toString(), this,
                   [&written](const SecretResult &result) { written = result.status; });
    QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), networkTimeoutMs);
    QCOMPARE(*written, SecretStatus::Ok);

    QProcessEnvironment environment = childEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_DIRS"), managedDir);
    const QString app = m_bin + QStringLiteral("/toolhub");
    QVERIFY(processesOf(app).isEmpty());
    const QString registry =
        environmentFolder("XDG_DATA_HOME") + QStringLiteral("/Toolhub/toolhub/toolhub.db");
    ClickingBrowser browser(environment, m_home + QStringLiteral("/chromium"), server,
                            QStringLiteral("toolhub://install/fluxcad/flux-cli?version=1.0.1"));
    QVERIFY2(browser.waitForClick(), browser.output().constData());
    QTRY_VERIFY_WITH_TIMEOUT(!processesOf(app).isEmpty(), clickTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(installedVersionIn(registry), QStringLiteral("1.0.1"),
                              networkTimeoutMs);
    QVERIFY(QDir(m_home + QStringLiteral("/real-tools")).exists());
    const QList<qint64> started = processesOf(app);
    QCOMPARE(started.size(), 1);
    QVERIFY(stopProcess(started.first()));
    const int browserExit = browser.close();
    QVERIFY2(browserExit == 0, browser.output().constData());
    // The app in this process was not asked.
    QVERIFY(openDialogs().isEmpty());
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
}

void E2ELinkTest::hostileLinksChangeNothing()
{
    QVERIFY(listen());
    QSignalSpy added(&m_core->queue(), &TaskQueue::added);
    QSignalSpy shown(m_window->links(), &LinkController::confirmationShown);
    auto *list = m_window->findChild<QListView *>(QStringLiteral("productList"));
    QVERIFY(list);
    const QString selected = list->currentIndex().data(ProductListModel::SlugRole).toString();
    QVERIFY(selected != QStringLiteral("meshlab-pro"));

    // Only links xdg-open gives to the toolhub:// handler; each must be refused by toolhub-open.
    const QStringList hostile{
        QStringLiteral("toolhub://evil.example/install/fluxcad/flux-cli"),
        QStringLiteral("toolhub://127.0.0.1/install/fluxcad/flux-cli"),
        QStringLiteral("toolhub://[::1]/install/fluxcad/flux-cli"),
        QStringLiteral("toolhub://install:8080/fluxcad/flux-cli"),
        QStringLiteral("toolhub://u:p@install/fluxcad/flux-cli"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli?server=evil.example"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli?version=2.0.0&version=1.0.0"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli?version=../../x"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli?version=1.0.0?x=1"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli?url=https://evil.example/x"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli#x"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli/"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli%2F..%2F..%2Fx"),
        QStringLiteral("toolhub://install/fluxcad/flux%00cli"),
        QStringLiteral("toolhub://install/%2e%2e/flux-cli"),
        QStringLiteral("toolhub://install/fluxcad/.."),
        QStringLiteral("toolhub://install/./flux-cli"),
        QStringLiteral("toolhub://install/../fluxcad/flux-cli"),
        QStringLiteral("toolhub://open/fluxcad%5C"),
        QStringLiteral("toolhub://open/%66luxcad"),
        QStringLiteral("toolhub://open/fluxcad%"),
        QStringLiteral("toolhub://open/fluxcad?version=1.0.0"),
        QStringLiteral("toolhub:\\\\install\\fluxcad\\flux-cli"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli\""),
        QStringLiteral("toolhub://install/fluxcad/flux-cli'"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli`id`"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli$(id)"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli;id"),
        QStringLiteral("toolhub://open/fluxcad --no-sandbox"),
        QStringLiteral("toolhub://open/fluxcad\t"),
        QStringLiteral("toolhub://install/fluxcad\n/flux-cli"),
        QStringLiteral("toolhub://open/fluxcad\x7f"),
        QStringLiteral("toolhub://open/fluxcad\x1b[31m"),
        QString::fromUtf8("toolhub://install/flux\xd1\x81"
                          "ad/flux-cli"),
        QString::fromUtf8("toolhub://install/fluxcad\xef\xbc\x8f"
                          "flux-cli"),
        QString::fromUtf8("toolhub://open/fluxcad\xe2\x80\x8b"),
        QString::fromUtf8("toolhub://open/flux\xe2\x80\xae"
                          "dac"),
        QStringLiteral("toolhub://install/") + QString(600, QLatin1Char('a')) +
            QStringLiteral("/b"),
        QStringLiteral("toolhub://install/") + QString(65, QLatin1Char('a')) + QStringLiteral("/b"),
        QStringLiteral("toolhub://"),
        QStringLiteral("toolhub:install/fluxcad/flux-cli"),
        QStringLiteral("toolhub://uninstall/fluxcad/flux-cli"),
        QStringLiteral("toolhub://install/fluxcad"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli/extra"),
        QStringLiteral("toolhub://install/FluxCAD/flux-cli"),
        QStringLiteral("toolhub://install/fluxcad/flux-cli?version="),
    };
    QVERIFY(hostile.size() >= 40);
    for (const QString &link : hostile) {
        QProcess open;
        open.setProcessEnvironment(childEnvironment());
        open.setProcessChannelMode(QProcess::MergedChannels);
        open.start(QStringLiteral("xdg-open"), {link});
        QVERIFY2(finishes(open), qPrintable(link));
        // Refused by toolhub-open itself, which says so; xdg-open then fails too.
        const QString output = QString::fromUtf8(open.readAll());
        QVERIFY2(open.exitStatus() == QProcess::NormalExit && open.exitCode() != 0 &&
                     output.contains(QStringLiteral("toolhub-open: this link was refused")),
                 qPrintable(link + QStringLiteral(": ") + output));
    }
    QCOMPARE(added.size(), 0);
    QCOMPARE(shown.size(), 0);
    QVERIFY(openDialogs().isEmpty());
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
    QCOMPARE(list->currentIndex().data(ProductListModel::SlugRole).toString(), selected);
    QVERIFY(processesOf(m_bin + QStringLiteral("/toolhub")).isEmpty());
    QCOMPARE(sendLine(m_instance->name(), "SHOW\n"), QByteArray("OK\n"));

    // The same way works for a good link: the refusals above were toolhub-open's.
    QProcess open;
    open.setProcessEnvironment(childEnvironment());
    open.setProcessChannelMode(QProcess::MergedChannels);
    open.start(QStringLiteral("xdg-open"), {QStringLiteral("toolhub://open/meshlab-pro")});
    QVERIFY(finishes(open));
    QVERIFY2(open.exitCode() == 0, open.readAll().constData());
    QTRY_COMPARE(list->currentIndex().data(ProductListModel::SlugRole).toString(),
                 QStringLiteral("meshlab-pro"));
}

QTEST_MAIN(E2ELinkTest)
#include "e2e_link_test.moc"
