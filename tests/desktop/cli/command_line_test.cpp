// The command line, `toolhub <command>`, end to end: the real toolhub binary in a home folder of
// its own against the real toolhub-server, signed in through the address it prints, with the test
// playing the browser. Each command is a new process, as when a person or a script runs it.

#include "http_client.h"
#include "native_sign_in.h"
#include "server_process.h"
#include "test_browser.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

QString alice()
{
    return QStringLiteral("alice.archer@acme.example");
}

// How one toolhub process ended.
struct Run {
    int exitCode = -1; // -1: crashed or did not end
    QByteArray out;
    QByteArray err;
    QJsonDocument json; // stdout, with --json
    QString jsonError;  // why stdout is not one JSON document (with --json)

    [[nodiscard]] QByteArray describe() const
    {
        return "exit code " + QByteArray::number(exitCode) + "\n--- stdout:\n" + out +
               "\n--- stderr:\n" + err;
    }
    [[nodiscard]] QJsonObject object() const { return json.object(); }
};

// One person's computer for toolhub: its own home, configuration, data and cache folders, no
// machine-wide settings (XDG_CONFIG_DIRS is an empty folder, so /etc/xdg is not read) and no
// display. The keychain is the test's (tests/support/with-keyring.sh).
class Home {
public:
    [[nodiscard]] bool isValid() const { return m_home.isValid() && m_machine.isValid(); }
    // Where IT's settings for this computer are (/etc/xdg elsewhere).
    [[nodiscard]] QString machineFolder() const { return m_machine.path(); }
    // A computer whose session bus cannot be reached: no keychain answers.
    void loseTheKeychain()
    {
        m_extra.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                       QStringLiteral("unix:path=") + m_home.filePath(QStringLiteral("no-bus")));
    }

    [[nodiscard]] QProcessEnvironment environment() const
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const auto &key : environment.keys()) {
            if (key.startsWith(QLatin1String("TOOLHUB_")) || key.startsWith(QLatin1String("QT_"))) {
                environment.remove(key);
            }
        }
        environment.remove(QStringLiteral("DISPLAY"));
        environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
        environment.insert(QStringLiteral("HOME"), m_home.path());
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                           m_home.filePath(QStringLiteral(".config")));
        environment.insert(QStringLiteral("XDG_DATA_HOME"),
                           m_home.filePath(QStringLiteral(".local/share")));
        environment.insert(QStringLiteral("XDG_CACHE_HOME"),
                           m_home.filePath(QStringLiteral(".cache")));
        environment.insert(QStringLiteral("XDG_CONFIG_DIRS"), m_machine.path());
        environment.insert(m_extra);
        return environment;
    }

private:
    QTemporaryDir m_home;
    QTemporaryDir m_machine;
    QProcessEnvironment m_extra;
};

QByteArray bytesOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The entry of `tool` in a `list --json` array.
QJsonObject entryOf(const QJsonDocument &list, const QString &tool)
{
    for (const auto &value : list.array()) {
        if (value.toObject().value(QLatin1String("tool")).toString() == tool) {
            return value.toObject();
        }
    }
    return {};
}

} // namespace

class CommandLineTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void helpAndVersion();
    void usageErrorsExitWithTwo_data();
    void usageErrorsExitWithTwo();
    void commandsNeedASignIn();
    void serverAddressesAreChecked();
    void signInThroughThePrintedAddress();
    void signInIsRememberedAcrossProcesses();
    void signInWithoutAKeychainIsNotRemembered();
    void listShowsTheLicensedTools();
    void installPutsTheToolOnDisk();
    void updateGoesToTheNewestRelease();
    void rollBackGoesToThePreviousRelease();
    void verifyFindsAndRepairsDamage();
    void toolsNotLicensedAreRefused();
    void removeTakesTheToolAway();
    void offlineShowsTheKeptCatalogAndInstallsNothing();
    void signOutEndsTheSignIn();

private:
    // Runs toolhub to its end (`--json` first when `json`), keeping the servers' output drained.
    Run toolhub(const QStringList &arguments, bool json = true, const Home *home = nullptr);
    // `toolhub --json sign-in --server <server>`, signing in as `login` in the test browser at the
    // address it prints.
    Run signIn(ServerProcess &server, const Home &home, const QString &login,
               const QString &password);
    [[nodiscard]] QString toolFolder() const;
    [[nodiscard]] QString installedVersion();

    std::unique_ptr<ServerProcess> m_server;
    Home m_home;
    QString m_installRoot;
};

void CommandLineTest::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(TOOLHUB_EXE)), TOOLHUB_EXE);
    QVERIFY(m_home.isValid());
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void CommandLineTest::cleanupTestCase()
{
    m_server.reset(); // stopped by its PID, if the offline test did not stop it
}

Run CommandLineTest::toolhub(const QStringList &arguments, bool json, const Home *home)
{
    QProcess process;
    process.setProcessEnvironment((home ? *home : m_home).environment());
    process.start(QStringLiteral(TOOLHUB_EXE),
                  json ? QStringList{QStringLiteral("--json")} + arguments : arguments);
    Run run;
    if (!process.waitForStarted(10000)) {
        run.err = process.errorString().toUtf8();
        return run;
    }
    // Events keep flowing meanwhile: the servers' output is read as it comes.
    if (!QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, 120000)) {
        process.kill(); // this child, by its PID
        process.waitForFinished(10000);
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit) {
        run.exitCode = process.exitCode();
    }
    if (json) {
        QJsonParseError error;
        run.json = QJsonDocument::fromJson(run.out, &error);
        if (error.error != QJsonParseError::NoError) {
            run.jsonError = error.errorString();
        } else if (run.json.isNull()) {
            run.jsonError = QStringLiteral("no JSON document");
        }
    }
    return run;
}

Run CommandLineTest::signIn(ServerProcess &server, const Home &home, const QString &login,
                            const QString &password)
{
    QProcess process;
    process.setProcessEnvironment(home.environment());
    process.start(QStringLiteral(TOOLHUB_EXE),
                  {QStringLiteral("--json"), QStringLiteral("sign-in"), QStringLiteral("--server"),
                   server.url(QString()).toString()});
    Run run;
    if (!process.waitForStarted(10000)) {
        run.err = process.errorString().toUtf8();
        return run;
    }
    // The address is printed on stderr, on a line of its own.
    const QByteArray prompt = "Open this address in your browser to sign in: ";
    QUrl address;
    const bool prompted = QTest::qWaitFor(
        [&] {
            run.err += process.readAllStandardError();
            const qsizetype at = run.err.indexOf(prompt);
            const qsizetype end = at < 0 ? -1 : run.err.indexOf('\n', at);
            if (end >= 0) {
                const qsizetype begin = at + prompt.size();
                address =
                    QUrl(QString::fromUtf8(run.err.mid(begin, end - begin)), QUrl::StrictMode);
                return true;
            }
            return process.state() == QProcess::NotRunning;
        },
        30000);
    if (!prompted) {
        run.err += "\n--- no address to sign in at within 30 s";
    }
    if (address.isValid()) {
        TestBrowser browser;
        const HttpExchange answer = browser.signIn(server, address, login, password);
        if (answer.status != 200) {
            run.err +=
                "\n--- the browser got " + QByteArray::number(answer.status) + ": " + answer.body;
        }
    }
    if (!QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, 60000)) {
        process.kill();
        process.waitForFinished(10000);
    }
    run.out = process.readAllStandardOutput();
    run.err += process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit) {
        run.exitCode = process.exitCode();
    }
    QJsonParseError error;
    run.json = QJsonDocument::fromJson(run.out, &error);
    if (error.error != QJsonParseError::NoError) {
        run.jsonError = error.errorString();
    }
    return run;
}

QString CommandLineTest::toolFolder() const
{
    return m_installRoot + QStringLiteral("/fluxcad/flux-cli");
}

QString CommandLineTest::installedVersion()
{
    const Run run = toolhub({QStringLiteral("list"), QStringLiteral("--installed")});
    return entryOf(run.json, QStringLiteral("flux-cli"))
        .value(QLatin1String("installed_version"))
        .toString();
}

void CommandLineTest::helpAndVersion()
{
    const Run help = toolhub({QStringLiteral("--help")}, false);
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("Usage: toolhub"));
    QVERIFY(help.out.contains("Exit codes:"));
    for (const char *command : {"list", "install", "update", "rollback", "remove", "verify",
                                "sign-in", "sign-out", "status"}) {
        QVERIFY2(help.out.contains(QByteArray("  ") + command), command);
    }
    const Run version = toolhub({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.jsonError.isEmpty(), version.describe());
    QVERIFY(!version.object().value(QLatin1String("version")).toString().isEmpty());
}

void CommandLineTest::usageErrorsExitWithTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("no tool") << QStringList{QStringLiteral("install")};
    QTest::newRow("bad version") << QStringList{QStringLiteral("install"),
                                                QStringLiteral("fluxcad/flux-cli@one")};
    QTest::newRow("not a tool name")
        << QStringList{QStringLiteral("install"), QStringLiteral("fluxcad/flux/cli")};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("list"), QStringLiteral("--everything")};
    QTest::newRow("update without a tool") << QStringList{QStringLiteral("update")};
    QTest::newRow("version for remove")
        << QStringList{QStringLiteral("remove"), QStringLiteral("fluxcad/flux-cli@1.0.0")};
    QTest::newRow("server without address")
        << QStringList{QStringLiteral("sign-in"), QStringLiteral("--server")};
}

void CommandLineTest::usageErrorsExitWithTwo()
{
    QFETCH(QStringList, arguments);
    const Run json = toolhub(arguments);
    QCOMPARE(json.exitCode, 2);
    QVERIFY2(json.jsonError.isEmpty(), json.describe());
    QCOMPARE(json.object().value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(json.object().value(QLatin1String("error")).toString(), QStringLiteral("usage"));
    QVERIFY(!json.object().value(QLatin1String("message")).toString().isEmpty());

    const Run text = toolhub(arguments, false);
    QCOMPARE(text.exitCode, 2);
    QVERIFY(text.out.isEmpty());
    QVERIFY2(text.err.trimmed().count('\n') == 0 && text.err.contains("toolhub --help"),
             text.describe());
}

void CommandLineTest::commandsNeedASignIn()
{
    const Run list = toolhub({QStringLiteral("list")});
    QCOMPARE(list.exitCode, 3);
    QVERIFY2(list.jsonError.isEmpty(), list.describe());
    QCOMPARE(list.object().value(QLatin1String("error")).toString(),
             QStringLiteral("not_signed_in"));

    const Run status = toolhub({QStringLiteral("status")});
    QCOMPARE(status.exitCode, 0);
    QVERIFY2(status.jsonError.isEmpty(), status.describe());
    QCOMPARE(status.object().value(QLatin1String("signed_in")), QJsonValue(false));
    QCOMPARE(status.object().value(QLatin1String("server_url")), QJsonValue(QJsonValue::Null));
    QCOMPARE(status.object().value(QLatin1String("installed_tools")).toInt(), 0);
    QCOMPARE(status.object().value(QLatin1String("locked_settings")).toArray().size(), 0);
    m_installRoot = status.object().value(QLatin1String("install_root")).toString();
    QVERIFY(QDir::isAbsolutePath(m_installRoot));
}

void CommandLineTest::serverAddressesAreChecked()
{
    const Run invalid = toolhub({QStringLiteral("sign-in"), QStringLiteral("--server"),
                                 QStringLiteral("ftp://toolhub.example.com")});
    QCOMPARE(invalid.exitCode, 2);
    QVERIFY2(invalid.jsonError.isEmpty(), invalid.describe());
    QCOMPARE(invalid.object().value(QLatin1String("error")).toString(),
             QStringLiteral("setting_refused"));
    QVERIFY2(invalid.err.contains("https://"), invalid.describe());

    // On a computer where IT set the server (one that does not answer), another one is refused,
    // and status says so.
    const Home managed;
    QVERIFY(managed.isValid());
    QVERIFY(QDir().mkpath(managed.machineFolder() + QStringLiteral("/Toolhub")));
    QFile settings(managed.machineFolder() + QStringLiteral("/Toolhub/toolhub.conf"));
    QVERIFY(settings.open(QIODevice::WriteOnly));
    QVERIFY(settings.write("[server]\nurl=https://127.0.0.1:1\n") > 0);
    settings.close();
    const Run locked = toolhub({QStringLiteral("sign-in"), QStringLiteral("--server"),
                                m_server->url(QString()).toString()},
                               true, &managed);
    QCOMPARE(locked.exitCode, 2);
    QVERIFY2(locked.err.contains("IT department"), locked.describe());
    const Run status = toolhub({QStringLiteral("status")}, true, &managed);
    QVERIFY2(status.exitCode == 0 && status.jsonError.isEmpty(), status.describe());
    QCOMPARE(status.object().value(QLatin1String("server_url")).toString(),
             QStringLiteral("https://127.0.0.1:1"));
    QCOMPARE(status.object().value(QLatin1String("locked_settings")).toArray(),
             QJsonArray{QStringLiteral("server_url")});

    // Nothing was stored for the person's own computer.
    const Run own = toolhub({QStringLiteral("status")});
    QCOMPARE(own.object().value(QLatin1String("server_url")), QJsonValue(QJsonValue::Null));
}

void CommandLineTest::signInThroughThePrintedAddress()
{
    const Run run = signIn(*m_server, m_home, alice(), QStringLiteral("acme-demo-1"));
    QVERIFY2(run.exitCode == 0, run.describe());
    QVERIFY2(run.jsonError.isEmpty(), run.describe());
    QCOMPARE(run.object().value(QLatin1String("ok")), QJsonValue(true));
    QCOMPARE(run.object().value(QLatin1String("action")).toString(), QStringLiteral("sign-in"));
    QCOMPARE(run.object().value(QLatin1String("server")).toString(),
             m_server->url(QString()).toString());
    QCOMPARE(run.object().value(QLatin1String("remembered")), QJsonValue(true));
}

void CommandLineTest::signInIsRememberedAcrossProcesses()
{
    for (int round = 0; round < 2; ++round) { // each process renews the sign-in for the next
        const Run status = toolhub({QStringLiteral("status")});
        QVERIFY2(status.exitCode == 0 && status.jsonError.isEmpty(), status.describe());
        const QJsonObject json = status.object();
        QCOMPARE(json.value(QLatin1String("signed_in")), QJsonValue(true));
        QCOMPARE(json.value(QLatin1String("can_remember_sign_in")), QJsonValue(true));
        QCOMPARE(json.value(QLatin1String("offline")), QJsonValue(false));
        QCOMPARE(json.value(QLatin1String("server_url")).toString(),
                 m_server->url(QString()).toString());
    }
    const Run text = toolhub({QStringLiteral("status")}, false);
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains("Signed in:") && text.out.contains("yes"), text.describe());
}

void CommandLineTest::signInWithoutAKeychainIsNotRemembered()
{
    Home home;
    QVERIFY(home.isValid());
    home.loseTheKeychain();
    const Run run = signIn(*m_server, home, alice(), QStringLiteral("acme-demo-1"));
    QVERIFY2(run.exitCode == 0 && run.jsonError.isEmpty(), run.describe());
    QCOMPARE(run.object().value(QLatin1String("remembered")), QJsonValue(false));
    QVERIFY2(
        run.object().value(QLatin1String("message")).toString().contains(QLatin1String("keychain")),
        run.describe());

    const Run status = toolhub({QStringLiteral("status")}, true, &home);
    QVERIFY2(status.exitCode == 0 && status.jsonError.isEmpty(), status.describe());
    QCOMPARE(status.object().value(QLatin1String("signed_in")), QJsonValue(false));
    QCOMPARE(status.object().value(QLatin1String("can_remember_sign_in")), QJsonValue(false));
    const Run list = toolhub({QStringLiteral("list")}, false, &home);
    QCOMPARE(list.exitCode, 3);
    QVERIFY2(list.err.contains("keychain"), list.describe());
}

void CommandLineTest::listShowsTheLicensedTools()
{
    const Run list = toolhub({QStringLiteral("list")});
    QVERIFY2(list.exitCode == 0 && list.jsonError.isEmpty(), list.describe());
    QVERIFY(list.json.isArray());
    const QJsonObject fluxCli = entryOf(list.json, QStringLiteral("flux-cli"));
    QCOMPARE(fluxCli.value(QLatin1String("product")).toString(), QStringLiteral("fluxcad"));
    QCOMPARE(fluxCli.value(QLatin1String("newest_version")).toString(), QStringLiteral("2.0.0"));
    QCOMPARE(fluxCli.value(QLatin1String("newest_channel")).toString(), QStringLiteral("stable"));
    QCOMPARE(fluxCli.value(QLatin1String("installed_version")), QJsonValue(QJsonValue::Null));
    QCOMPARE(fluxCli.value(QLatin1String("update_available")), QJsonValue(false));
    // Alice's organization licenses the other demo products too.
    QVERIFY(!entryOf(list.json, QStringLiteral("meshlab-pro")).isEmpty());
    QVERIFY2(!list.err.contains("offline"), list.describe());

    const Run text = toolhub({QStringLiteral("list")}, false);
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains("fluxcad/flux-cli") && text.out.contains("2.0.0"), text.describe());

    const Run installed = toolhub({QStringLiteral("list"), QStringLiteral("--installed")});
    QVERIFY2(installed.exitCode == 0 && installed.jsonError.isEmpty(), installed.describe());
    QCOMPARE(installed.json.array().size(), 0);
}

void CommandLineTest::installPutsTheToolOnDisk()
{
    const Run install =
        toolhub({QStringLiteral("install"), QStringLiteral("fluxcad/flux-cli@1.0.1")});
    QVERIFY2(install.exitCode == 0 && install.jsonError.isEmpty(), install.describe());
    const QJsonObject json = install.object();
    QCOMPARE(json.value(QLatin1String("ok")), QJsonValue(true));
    QCOMPARE(json.value(QLatin1String("action")).toString(), QStringLiteral("install"));
    QCOMPARE(json.value(QLatin1String("product")).toString(), QStringLiteral("fluxcad"));
    QCOMPARE(json.value(QLatin1String("tool")).toString(), QStringLiteral("flux-cli"));
    QCOMPARE(json.value(QLatin1String("version")).toString(), QStringLiteral("1.0.1"));

    // The files are on disk, under the install root.
    const QString folder = toolFolder() + QStringLiteral("/1.0.1");
    QCOMPARE(json.value(QLatin1String("folder")).toString(), folder);
    QDirIterator files(folder, QDir::Files, QDirIterator::Subdirectories);
    QVERIFY2(files.hasNext(), qPrintable(folder));

    const Run installed = toolhub({QStringLiteral("list"), QStringLiteral("--installed")});
    QVERIFY2(installed.exitCode == 0 && installed.jsonError.isEmpty(), installed.describe());
    QCOMPARE(installed.json.array().size(), 1);
    const QJsonObject entry = entryOf(installed.json, QStringLiteral("flux-cli"));
    QCOMPARE(entry.value(QLatin1String("installed_version")).toString(), QStringLiteral("1.0.1"));
    QCOMPARE(entry.value(QLatin1String("update_available")), QJsonValue(true));
    QCOMPARE(entry.value(QLatin1String("update_version")).toString(), QStringLiteral("2.0.0"));

    // The server heard of it: Alice's installations list it at the installed version.
    QString error;
    const QString token = signInNative(*m_server, alice(), QStringLiteral("acme-demo-1"), &error)
                              .value(QLatin1String("access_token"))
                              .toString();
    QVERIFY2(!token.isEmpty(), qPrintable(error));
    QNetworkAccessManager network;
    const HttpExchange reply =
        httpRequest(network, "GET", m_server->url(QStringLiteral("/api/v1/installations")),
                    {{"Authorization", "Bearer " + token.toLatin1()}});
    QVERIFY2(reply.status != 404, "GET /api/v1/installations is not served");
    QCOMPARE(reply.status, 200);
    const QJsonArray items = reply.json().value(QLatin1String("items")).toArray();
    bool listed = false;
    for (const auto &item : items) {
        const QJsonObject installation = item.toObject();
        listed =
            listed ||
            (installation.value(QLatin1String("product")).toString() == QLatin1String("fluxcad") &&
             installation.value(QLatin1String("tool")).toString() == QLatin1String("flux-cli") &&
             installation.value(QLatin1String("version")).toString() == QLatin1String("1.0.1"));
    }
    QVERIFY2(listed, reply.body.constData());
}

void CommandLineTest::updateGoesToTheNewestRelease()
{
    const Run update = toolhub({QStringLiteral("update"), QStringLiteral("fluxcad/flux-cli")});
    QVERIFY2(update.exitCode == 0 && update.jsonError.isEmpty(), update.describe());
    QCOMPARE(update.object().value(QLatin1String("version")).toString(), QStringLiteral("2.0.0"));
    QCOMPARE(update.object().value(QLatin1String("previous_version")).toString(),
             QStringLiteral("1.0.1"));
    QVERIFY(QFileInfo::exists(toolFolder() + QStringLiteral("/2.0.0")));
    QVERIFY(!QFileInfo::exists(toolFolder() + QStringLiteral("/1.0.1")));
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));

    // Nothing newer now: nothing to do, and no failure.
    const Run again = toolhub({QStringLiteral("update"), QStringLiteral("--all")});
    QVERIFY2(again.exitCode == 0 && again.jsonError.isEmpty(), again.describe());
    QCOMPARE(again.object().value(QLatin1String("results")).toArray().size(), 0);
    QCOMPARE(installedVersion(), QStringLiteral("2.0.0"));
}

void CommandLineTest::rollBackGoesToThePreviousRelease()
{
    // Only the tool's name: one product has it.
    const Run rollBack = toolhub({QStringLiteral("rollback"), QStringLiteral("flux-cli")});
    QVERIFY2(rollBack.exitCode == 0 && rollBack.jsonError.isEmpty(), rollBack.describe());
    QCOMPARE(rollBack.object().value(QLatin1String("action")).toString(),
             QStringLiteral("rollback"));
    QCOMPARE(rollBack.object().value(QLatin1String("version")).toString(), QStringLiteral("1.0.1"));
    QVERIFY(QFileInfo::exists(toolFolder() + QStringLiteral("/1.0.1")));
    QVERIFY(!QFileInfo::exists(toolFolder() + QStringLiteral("/2.0.0")));
    QCOMPARE(installedVersion(), QStringLiteral("1.0.1"));

    // A version that is not older is not a roll-back.
    const Run forward =
        toolhub({QStringLiteral("rollback"), QStringLiteral("fluxcad/flux-cli@2.0.0")});
    QCOMPARE(forward.exitCode, 2);
    QVERIFY2(forward.jsonError.isEmpty(), forward.describe());
    QCOMPARE(installedVersion(), QStringLiteral("1.0.1"));
}

void CommandLineTest::verifyFindsAndRepairsDamage()
{
    const QString folder = toolFolder() + QStringLiteral("/1.0.1");
    QDirIterator files(folder, QDir::Files | QDir::NoSymLinks, QDirIterator::Subdirectories);
    QVERIFY(files.hasNext());
    const QString damaged = files.next();
    const QString relative = QDir(folder).relativeFilePath(damaged);
    const QByteArray original = bytesOf(damaged);
    QVERIFY(!original.isEmpty());

    const Run whole = toolhub({QStringLiteral("verify")});
    QVERIFY2(whole.exitCode == 0 && whole.jsonError.isEmpty(), whole.describe());

    {
        QFile file(damaged);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
        QVERIFY(file.write("tampered") > 0);
    }
    const Run text = toolhub({QStringLiteral("verify")}, false);
    QVERIFY2(text.exitCode != 0, text.describe());
    QVERIFY2(text.err.contains(relative.toUtf8()), text.describe());
    QVERIFY2(text.out.contains(relative.toUtf8()), text.describe());

    const Run json = toolhub({QStringLiteral("verify"), QStringLiteral("fluxcad/flux-cli")});
    QVERIFY2(json.exitCode != 0 && json.jsonError.isEmpty(), json.describe());
    QCOMPARE(json.object().value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(json.object().value(QLatin1String("error")).toString(), QStringLiteral("damaged"));
    const QJsonArray found = json.object().value(QLatin1String("damaged")).toArray();
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.first().toObject().value(QLatin1String("path")).toString(), relative);
    QCOMPARE(found.first().toObject().value(QLatin1String("problem")).toString(),
             QStringLiteral("changed"));
    QVERIFY(bytesOf(damaged) != original); // verify alone changes nothing

    const Run repair = toolhub(
        {QStringLiteral("verify"), QStringLiteral("fluxcad/flux-cli"), QStringLiteral("--repair")});
    QVERIFY2(repair.exitCode == 0 && repair.jsonError.isEmpty(), repair.describe());
    QCOMPARE(repair.object().value(QLatin1String("repaired")), QJsonValue(true));
    QCOMPARE(bytesOf(damaged), original);

    const Run after = toolhub({QStringLiteral("verify")});
    QVERIFY2(after.exitCode == 0 && after.jsonError.isEmpty(), after.describe());
    QCOMPARE(installedVersion(), QStringLiteral("1.0.1"));
}

void CommandLineTest::toolsNotLicensedAreRefused()
{
    // Dana's organization (Globex) has no license for MeshLab Pro. Her own computer, and a server
    // of its own: the keychain holds one sign-in per server address.
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    ServerProcess server(environment);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Home dana;
    QVERIFY(dana.isValid());
    const Run signedIn = signIn(server, dana, QStringLiteral("dana.diaz@globex.example"),
                                QStringLiteral("globex-demo-1"));
    QVERIFY2(signedIn.exitCode == 0, signedIn.describe());

    for (const QString &tool : {QStringLiteral("meshlab-pro/meshlab-pro"),
                                QStringLiteral("meshlab-pro/meshlab-pro@3.2.0")}) {
        const Run json = toolhub({QStringLiteral("install"), tool}, true, &dana);
        QCOMPARE(json.exitCode, 5);
        QVERIFY2(json.jsonError.isEmpty(), json.describe());
        QCOMPARE(json.object().value(QLatin1String("ok")), QJsonValue(false));
        QCOMPARE(json.object().value(QLatin1String("error")).toString(),
                 QStringLiteral("not_entitled"));
        QVERIFY(!json.object().value(QLatin1String("message")).toString().isEmpty());
    }
    const Run text = toolhub({QStringLiteral("install"), QStringLiteral("meshlab-pro/meshlab-pro")},
                             false, &dana);
    QCOMPARE(text.exitCode, 5);
    QVERIFY2(text.err.contains("licenses") && text.err.contains("meshlab-pro"), text.describe());
    QVERIFY(text.out.isEmpty());

    const Run installed =
        toolhub({QStringLiteral("list"), QStringLiteral("--installed")}, true, &dana);
    QVERIFY2(installed.exitCode == 0 && installed.jsonError.isEmpty(), installed.describe());
    QCOMPARE(installed.json.array().size(), 0);
    QCOMPARE(server.terminate(), 0);
}

void CommandLineTest::removeTakesTheToolAway()
{
    const Run remove = toolhub({QStringLiteral("remove"), QStringLiteral("fluxcad/flux-cli")});
    QVERIFY2(remove.exitCode == 0 && remove.jsonError.isEmpty(), remove.describe());
    QCOMPARE(remove.object().value(QLatin1String("action")).toString(), QStringLiteral("remove"));
    QCOMPARE(remove.object().value(QLatin1String("version")).toString(), QStringLiteral("1.0.1"));
    QVERIFY(!QFileInfo::exists(toolFolder()));

    const Run installed = toolhub({QStringLiteral("list"), QStringLiteral("--installed")});
    QVERIFY2(installed.exitCode == 0 && installed.jsonError.isEmpty(), installed.describe());
    QCOMPARE(installed.json.array().size(), 0);

    const Run again = toolhub({QStringLiteral("remove"), QStringLiteral("fluxcad/flux-cli")});
    QCOMPARE(again.exitCode, 5);
    QVERIFY2(again.jsonError.isEmpty(), again.describe());
}

void CommandLineTest::offlineShowsTheKeptCatalogAndInstallsNothing()
{
    QCOMPARE(m_server->terminate(), 0);

    const Run list = toolhub({QStringLiteral("list")});
    QVERIFY2(list.exitCode == 0 && list.jsonError.isEmpty(), list.describe());
    QCOMPARE(entryOf(list.json, QStringLiteral("flux-cli"))
                 .value(QLatin1String("newest_version"))
                 .toString(),
             QStringLiteral("2.0.0"));
    QVERIFY2(list.err.contains("offline"), list.describe());

    const Run install = toolhub({QStringLiteral("install"), QStringLiteral("fluxcad/flux-cli")});
    QCOMPARE(install.exitCode, 4);
    QVERIFY2(install.jsonError.isEmpty(), install.describe());
    QCOMPARE(install.object().value(QLatin1String("error")).toString(), QStringLiteral("network"));
    QVERIFY(!QFileInfo::exists(toolFolder()));
    const Run installed = toolhub({QStringLiteral("list"), QStringLiteral("--installed")});
    QVERIFY2(installed.exitCode == 0 && installed.jsonError.isEmpty(), installed.describe());
    QCOMPARE(installed.json.array().size(), 0);

    const Run status = toolhub({QStringLiteral("status")});
    QVERIFY2(status.exitCode == 0 && status.jsonError.isEmpty(), status.describe());
    QCOMPARE(status.object().value(QLatin1String("offline")), QJsonValue(true));
    QCOMPARE(status.object().value(QLatin1String("signed_in")), QJsonValue(true));
}

void CommandLineTest::signOutEndsTheSignIn()
{
    const Run signOut = toolhub({QStringLiteral("sign-out")});
    QVERIFY2(signOut.exitCode == 0 && signOut.jsonError.isEmpty(), signOut.describe());
    QCOMPARE(signOut.object().value(QLatin1String("was_signed_in")), QJsonValue(true));

    const Run list = toolhub({QStringLiteral("list")});
    QCOMPARE(list.exitCode, 3);
    QVERIFY2(list.jsonError.isEmpty(), list.describe());
    QCOMPARE(list.object().value(QLatin1String("error")).toString(),
             QStringLiteral("not_signed_in"));
    const Run text = toolhub({QStringLiteral("list")}, false);
    QCOMPARE(text.exitCode, 3);
    QVERIFY2(text.err.contains("not signed in"), text.describe());

    const Run status = toolhub({QStringLiteral("status")});
    QVERIFY2(status.exitCode == 0 && status.jsonError.isEmpty(), status.describe());
    QCOMPARE(status.object().value(QLatin1String("signed_in")), QJsonValue(false));
}

QTEST_GUILESS_MAIN(CommandLineTest)
#include "command_line_test.moc"
