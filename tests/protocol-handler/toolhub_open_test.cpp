// The real toolhub-open program: dry runs, refusals of hostile links, forwarding to a running app
// over its local socket, starting the app beside it, the command line and the notification.

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const QString openProgram = QStringLiteral(TOOLHUB_OPEN_PATH);
const QString linkCorpus = QStringLiteral(TOOLHUB_LINK_CORPUS);
const QString dbusDaemon = QStringLiteral(TOOLHUB_DBUS_DAEMON);

const QByteArray refusedPrefix = "toolhub-open: this link was refused: ";

struct RunResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;
};

struct HostileLink {
    QString name;
    QString link;
    QString code; // linkErrorCodeName of the refusal
};

// The corpus files, each with the refusal it must get. hostile-nul is left out: a NUL byte cannot
// travel in a program argument (encoded NULs are in ownHostileLinks).
QList<HostileLink> corpusHostileLinks()
{
    const QList<std::pair<QString, QString>> expected{
        {QStringLiteral("hostile-backslash"), QStringLiteral("backslash")},
        {QStringLiteral("hostile-cyrillic"), QStringLiteral("non_ascii")},
        {QStringLiteral("hostile-dotdot"), QStringLiteral("dot_dot")},
        {QStringLiteral("hostile-duplicate"), QStringLiteral("duplicate_parameter")},
        {QStringLiteral("hostile-embedded-url"), QStringLiteral("embedded_url")},
        {QStringLiteral("hostile-encoded-slash"), QStringLiteral("encoded_separator")},
        {QStringLiteral("hostile-params-on-open"), QStringLiteral("parameters_not_allowed")},
        {QStringLiteral("hostile-port"), QStringLiteral("port")},
        {QStringLiteral("hostile-quote-flag"), QStringLiteral("quote")},
        {QStringLiteral("hostile-second-question"), QStringLiteral("second_question_mark")},
        {QStringLiteral("hostile-server"), QStringLiteral("server_address")},
        {QStringLiteral("hostile-trailing-slash"), QStringLiteral("trailing_slash")},
        {QStringLiteral("hostile-userinfo"), QStringLiteral("user_info")},
        {QStringLiteral("hostile-version"), QStringLiteral("invalid_version")},
    };
    QList<HostileLink> links;
    for (const auto &[file, code] : expected) {
        QFile corpusFile(linkCorpus + QLatin1Char('/') + file);
        if (!corpusFile.open(QIODevice::ReadOnly)) {
            qFatal("cannot read the link corpus file %s", qPrintable(corpusFile.fileName()));
        }
        links.append(
            {QStringLiteral("corpus ") + file, QString::fromUtf8(corpusFile.readAll()), code});
    }
    return links;
}

QList<HostileLink> ownHostileLinks()
{
    const auto s = [](const char *text) { return QString::fromUtf8(text); };
    return {
        {s("http scheme"), s("http://install/a/b"), s("wrong_scheme")},
        {s("https to a server"), s("https://evil.example/install/a/b"), s("wrong_scheme")},
        {s("javascript"), s("javascript:alert(1)"), s("wrong_scheme")},
        {s("file"), s("file:///etc/passwd"), s("wrong_scheme")},
        {s("ms-msdt"), s("ms-msdt:/id=PCWDiagnostic"), s("wrong_scheme")},
        {s("mailto"), s("mailto:x@y"), s("wrong_scheme")},
        {s("server name"), s("toolhub://evil.com/install/a/b"), s("server_address")},
        {s("ip address"), s("toolhub://127.0.0.1/install/a/b"), s("server_address")},
        {s("ipv6 address"), s("toolhub://[::1]/install/a/b"), s("server_address")},
        {s("upper-case scheme to a server"), s("TOOLHUB://evil/x"), s("unknown_action")},
        {s("port 8080"), s("toolhub://install:8080/a/b"), s("port")},
        {s("user and password"), s("toolhub://u:p@install/a/b"), s("user_info")},
        {s("encoded slash in tool"), s("toolhub://install/a/b%2Fc"), s("encoded_separator")},
        {s("encoded nul"), s("toolhub://install/a%00/b"), s("encoded_nul")},
        {s("encoded dot dot"), s("toolhub://install/%2e%2e/b"), s("encoded_separator")},
        {s("encoded backslash"), s("toolhub://open/a%5C"), s("encoded_separator")},
        {s("encoded letter"), s("toolhub://open/%41"), s("percent_encoded")},
        {s("lone percent"), s("toolhub://open/a%"), s("percent_encoded")},
        {s("dot dot at the end"), s("toolhub://install/a/.."), s("dot_dot")},
        {s("dot segment"), s("toolhub://install/./b"), s("dot_segment")},
        {s("windows path"), s("toolhub:\\\\install\\a\\b"), s("backslash")},
        {s("double quote"), s("toolhub://install/a/b\""), s("quote")},
        {s("single quote"), s("toolhub://install/a/b'"), s("quote")},
        {s("backticks"), s("toolhub://install/a/b`id`"), s("quote")},
        {s("space and option"), s("toolhub://open/a --no-sandbox"), s("whitespace")},
        {s("newline"), s("toolhub://install/a\n/b"), s("whitespace")},
        {s("carriage return"), s("toolhub://open/a\r"), s("whitespace")},
        {s("tab"), s("toolhub://open/a\t"), s("whitespace")},
        {s("delete character"), s("toolhub://open/a\x7f"), s("control_character")},
        {s("escape sequence"), s("toolhub://open/a\x1b[31m"), s("control_character")},
        {s("cyrillic a"),
         s("toolhub://install/\xd0\xb0"
           "cme/cad"),
         s("non_ascii")},
        {s("fullwidth slash"),
         s("toolhub://install/a\xef\xbc\x8f"
           "b/c"),
         s("non_ascii")},
        {s("fullwidth letter"),
         s("toolhub://open/\xef\xbd\x81"
           "cme"),
         s("non_ascii")},
        {s("zero-width space"), s("toolhub://open/a\xe2\x80\x8b"), s("non_ascii")},
        {s("right-to-left override"),
         s("toolhub://open/a\xe2\x80\xae"
           "b"),
         s("non_ascii")},
        {s("over-long link"),
         QStringLiteral("toolhub://install/") + QString(600, QLatin1Char('a')) +
             QStringLiteral("/b"),
         s("too_long")},
        {s("over-long identifier"),
         QStringLiteral("toolhub://install/") + QString(65, QLatin1Char('a')) +
             QStringLiteral("/b"),
         s("identifier_too_long")},
        {s("option as the link"), s("--dry-run"), s("missing_scheme")},
        {s("qt option as the link"), s("-platform xcb"), s("whitespace")},
        {s("qt plugin option as the link"), s("-platformpluginpath=/tmp"), s("missing_scheme")},
        {s("empty"), s(""), s("empty")},
        {s("scheme only"), s("toolhub://"), s("missing_action")},
        {s("no slashes"), s("toolhub:install/a/b"), s("malformed_scheme")},
        {s("fragment"), s("toolhub://install/a/b#x"), s("fragment")},
        {s("unknown parameter"), s("toolhub://install/a/b?version=1.0.0&x=1"),
         s("unknown_parameter")},
        {s("parameter on project"), s("toolhub://project/p?channel=beta"),
         s("parameters_not_allowed")},
        {s("unknown channel"), s("toolhub://install/a/b?channel=nightly"), s("invalid_channel")},
        {s("unknown project action"), s("toolhub://project/p/delete"), s("unknown_action")},
        {s("upper-case action"), s("toolhub://INSTALL/a/b"), s("unknown_action")},
        {s("upper-case identifier"), s("toolhub://install/A/b"), s("invalid_identifier")},
        {s("shell substitution"), s("toolhub://install/a/$(id)"), s("invalid_identifier")},
        {s("shell separator"), s("toolhub://install/a/b;rm"), s("invalid_identifier")},
        {s("html"), s("toolhub://install/<script>/x"), s("invalid_identifier")},
        {s("leading dash identifier"), s("toolhub://open/-a"), s("invalid_identifier")},
        {s("extra segment"), s("toolhub://install/a/b/c"), s("extra_segment")},
        {s("missing tool"), s("toolhub://install/a"), s("missing_segment")},
        {s("empty segment"), s("toolhub://install//b"), s("empty_segment")},
    };
}

QList<HostileLink> allHostileLinks()
{
    return corpusHostileLinks() + ownHostileLinks();
}

// Plays the running toolhub: listens on the socket, records each line and answers it.
class FakeApp : public QObject {
    Q_OBJECT

public:
    enum class Answer { Ok, Error, Silent, Close };

    explicit FakeApp(Answer answer) : m_answer(answer)
    {
        connect(&m_server, &QLocalServer::newConnection, this, &FakeApp::accept);
    }

    bool listen(const QString &path) { return m_server.listen(path); }
    [[nodiscard]] int connections() const { return m_connections; }
    [[nodiscard]] const QList<QByteArray> &lines() const { return m_lines; }

private:
    void accept()
    {
        while (QLocalSocket *socket = m_server.nextPendingConnection()) {
            ++m_connections;
            socket->setParent(this);
            QPointer<QLocalSocket> guarded(socket);
            connect(socket, &QLocalSocket::readyRead, this, [this, guarded] {
                if (!guarded || !guarded->canReadLine()) {
                    return;
                }
                m_lines.append(guarded->readLine());
                switch (m_answer) {
                case Answer::Ok:
                    guarded->write("OK\n");
                    break;
                case Answer::Error:
                    guarded->write("ERR busy\n");
                    break;
                case Answer::Silent:
                    break;
                case Answer::Close:
                    guarded->disconnectFromServer();
                    break;
                }
            });
        }
    }

    QLocalServer m_server;
    Answer m_answer;
    int m_connections = 0;
    QList<QByteArray> m_lines;
};

// Plays the desktop's notification server on a private session bus.
class FakeNotifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    QStringList capabilities;
    QStringList summaries;
    QStringList bodies;

public Q_SLOTS:
    Q_SCRIPTABLE QStringList GetCapabilities() { return capabilities; }
    Q_SCRIPTABLE uint Notify(const QString &appName, uint replacesId, const QString &appIcon,
                             const QString &summary, const QString &body,
                             const QStringList &actions, const QVariantMap &hints, int timeout)
    {
        Q_UNUSED(appName);
        Q_UNUSED(replacesId);
        Q_UNUSED(appIcon);
        Q_UNUSED(actions);
        Q_UNUSED(hints);
        Q_UNUSED(timeout);
        summaries.append(summary);
        bodies.append(body);
        return uint(summaries.size());
    }
};

} // namespace

class ToolhubOpenTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_runtimeDir; // XDG_RUNTIME_DIR of toolhub-open
    std::unique_ptr<QTemporaryDir> m_appDir;     // a copy of toolhub-open, maybe a fake toolhub
    QProcessEnvironment m_environment;

    [[nodiscard]] QString socketPath() const
    {
        return m_runtimeDir->filePath(QStringLiteral("toolhub.sock"));
    }
    [[nodiscard]] QString recordPath() const
    {
        return m_appDir->filePath(QStringLiteral("started.txt"));
    }
    [[nodiscard]] QString copiedOpen() const
    {
        return m_appDir->filePath(QStringLiteral("toolhub-open"));
    }

    // Copies toolhub-open into the app folder (applicationDirPath() resolves symbolic links).
    bool copyOpenIntoAppDir()
    {
        return QFile::copy(openProgram, copiedOpen()) &&
               QFile::setPermissions(copiedOpen(),
                                     QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    // A fake toolhub beside the copy: appends its argument count and arguments to started.txt.
    bool writeFakeApp()
    {
        QFile script(m_appDir->filePath(QStringLiteral("toolhub")));
        if (!script.open(QIODevice::WriteOnly)) {
            return false;
        }
        script.write("#!/bin/sh\n"
                     "{ printf '%s\\n' \"$#\"; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; } "
                     ">> '" +
                     QFile::encodeName(recordPath()) + "'\n");
        script.close();
        return script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    [[nodiscard]] QByteArray recorded() const
    {
        QFile file(recordPath());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // Runs toolhub-open and keeps the event loop turning (for the fake app and the fake
    // notification server) until it ends.
    RunResult run(const QStringList &arguments, const QString &program = openProgram,
                  const QProcessEnvironment *environment = nullptr)
    {
        QProcess process;
        process.setProcessEnvironment(environment ? *environment : m_environment);
        QSignalSpy finished(&process, &QProcess::finished);
        QElapsedTimer timer;
        timer.start();
        process.start(program, arguments);
        if (!process.waitForStarted(10000)) {
            qWarning("cannot start %s", qPrintable(program));
            return {};
        }
        if (!finished.wait(20000)) {
            process.kill();
            process.waitForFinished();
            qWarning("%s did not end in time", qPrintable(program));
            return {};
        }
        RunResult result;
        result.elapsedMs = timer.elapsed();
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }

    void addHostileRows()
    {
        QTest::addColumn<QString>("link");
        QTest::addColumn<QString>("code");
        for (const HostileLink &hostile : allHostileLinks()) {
            QTest::newRow(qPrintable(hostile.name)) << hostile.link << hostile.code;
        }
    }

private Q_SLOTS:
    void init()
    {
        m_runtimeDir = std::make_unique<QTemporaryDir>();
        m_appDir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_runtimeDir->isValid());
        QVERIFY(m_appDir->isValid());
        QVERIFY(QFile::setPermissions(m_runtimeDir->path(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        m_environment = QProcessEnvironment::systemEnvironment();
        m_environment.remove(QStringLiteral("DISPLAY"));
        m_environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
        m_environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        m_environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtimeDir->path());
    }

    void thereAreEnoughHostileLinks() { QVERIFY(allHostileLinks().size() >= 40); }

    void dryRunPrintsTheRequest_data()
    {
        QTest::addColumn<QString>("link");
        QTest::addColumn<QJsonObject>("json");
        const QJsonValue null(QJsonValue::Null);
        QTest::newRow("install") << QStringLiteral("toolhub://install/acme/cad")
                                 << QJsonObject{{"action", "install"},
                                                {"product", "acme"},
                                                {"tool", "cad"},
                                                {"version", null},
                                                {"channel", null},
                                                {"link", "toolhub://install/acme/cad"}};
        QTest::newRow("install, latest, stable")
            << QStringLiteral("toolhub://install/acme/cad?channel=stable&version=latest")
            << QJsonObject{
                   {"action", "install"}, {"product", "acme"},
                   {"tool", "cad"},       {"version", null},
                   {"channel", "stable"}, {"link", "toolhub://install/acme/cad?channel=stable"}};
        QTest::newRow("install, upper-case scheme, channel first")
            << QStringLiteral("TOOLHUB://install/fluxcad/flux-cli?channel=beta&version=2.0.0")
            << QJsonObject{
                   {"action", "install"},
                   {"product", "fluxcad"},
                   {"tool", "flux-cli"},
                   {"version", "2.0.0"},
                   {"channel", "beta"},
                   {"link", "toolhub://install/fluxcad/flux-cli?version=2.0.0&channel=beta"}};
        QTest::newRow("install, pre-release")
            << QStringLiteral("toolhub://install/acme/cad?version=2.0.0-rc.1+build.7")
            << QJsonObject{{"action", "install"},
                           {"product", "acme"},
                           {"tool", "cad"},
                           {"version", "2.0.0-rc.1+build.7"},
                           {"channel", null},
                           {"link", "toolhub://install/acme/cad?version=2.0.0-rc.1+build.7"}};
        QTest::newRow("open") << QStringLiteral("toolhub://open/acme")
                              << QJsonObject{{"action", "open"},
                                             {"product", "acme"},
                                             {"link", "toolhub://open/acme"}};
        QTest::newRow("project") << QStringLiteral("toolhub://project/proj-42")
                                 << QJsonObject{{"action", "project"},
                                                {"project_id", "proj-42"},
                                                {"link", "toolhub://project/proj-42"}};
        QTest::newRow("project install")
            << QStringLiteral("toolhub://project/proj-42/install")
            << QJsonObject{{"action", "project_install"},
                           {"project_id", "proj-42"},
                           {"link", "toolhub://project/proj-42/install"}};
    }
    void dryRunPrintsTheRequest()
    {
        QFETCH(QString, link);
        QFETCH(QJsonObject, json);
        FakeApp app(FakeApp::Answer::Ok);
        QVERIFY(app.listen(socketPath()));

        const RunResult result = run({QStringLiteral("--dry-run"), link});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.err, QByteArray());
        QVERIFY(result.out.endsWith('\n'));
        QCOMPARE(result.out.count('\n'), 1);
        QJsonParseError error{};
        const QJsonDocument printed = QJsonDocument::fromJson(result.out, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(printed.object(), json);
        QCOMPARE(app.connections(), 0);
    }

    void dryRunRefusesHostileLinks_data() { addHostileRows(); }
    void dryRunRefusesHostileLinks()
    {
        QFETCH(QString, link);
        QFETCH(QString, code);
        const RunResult result = run({QStringLiteral("--dry-run"), QStringLiteral("--"), link});
        QCOMPARE(result.exitCode, 2);
        QCOMPARE(result.err, QByteArray());
        QVERIFY(result.out.endsWith('\n'));
        QCOMPARE(result.out.count('\n'), 1);
        QJsonParseError error{};
        const QJsonObject printed = QJsonDocument::fromJson(result.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(printed.keys(), QStringList{QStringLiteral("refused")});
        const QJsonObject refused = printed.value(QStringLiteral("refused")).toObject();
        QCOMPARE(refused.value(QStringLiteral("code")).toString(), code);
        QVERIFY(!refused.value(QStringLiteral("message")).toString().isEmpty());
        QVERIFY(refused.value(QStringLiteral("position")).isDouble());
        QCOMPARE(refused.size(), 3);
    }

    void refusalsGoToStandardError_data() { addHostileRows(); }
    void refusalsGoToStandardError()
    {
        QFETCH(QString, link);
        QFETCH(QString, code);
        const RunResult result = run({QStringLiteral("--"), link});
        QCOMPARE(result.exitCode, 2);
        QCOMPARE(result.out, QByteArray());
        QVERIFY2(result.err.startsWith(refusedPrefix), result.err.constData());
        QVERIFY(result.err.endsWith('\n'));
        QCOMPARE(result.err.count('\n'), 1);
        for (const char c : result.err.chopped(1)) {
            QVERIFY2(c >= 0x20 && c <= 0x7e, "the message holds only printable ASCII");
        }
    }

    // With a running app, and then with a toolhub beside toolhub-open, no hostile link gets
    // through; a valid link afterwards shows that either way was open.
    void hostileLinksReachNothing()
    {
        QVERIFY(copyOpenIntoAppDir());
        QVERIFY(writeFakeApp());
        const QList<HostileLink> hostile = allHostileLinks();
        const QString valid = QStringLiteral("toolhub://open/acme");

        {
            FakeApp app(FakeApp::Answer::Ok);
            QVERIFY(app.listen(socketPath()));
            for (const HostileLink &link : hostile) {
                QCOMPARE(run({QStringLiteral("--"), link.link}, copiedOpen()).exitCode, 2);
            }
            QCOMPARE(run({QStringLiteral("--"), valid}, copiedOpen()).exitCode, 0);
            QCOMPARE(app.connections(), 1);
            QCOMPARE(app.lines(), QList<QByteArray>{"LINK toolhub://open/acme\n"});
        }

        QVERIFY(!QFile::exists(socketPath()));
        for (const HostileLink &link : hostile) {
            QCOMPARE(run({QStringLiteral("--"), link.link}, copiedOpen()).exitCode, 2);
        }
        QCOMPARE(run({QStringLiteral("--"), valid}, copiedOpen()).exitCode, 0);
        // The fake toolhub runs detached; its record appears once it has run.
        QTRY_VERIFY_WITH_TIMEOUT(recorded().endsWith("toolhub://open/acme\n"), 10000);
        QCOMPARE(recorded(), QByteArray("2\n--link\ntoolhub://open/acme\n"));
    }

    void forwardsTheCanonicalLine_data()
    {
        QTest::addColumn<QString>("link");
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("install, reordered")
            << QStringLiteral("TOOLHUB://install/fluxcad/flux-cli?channel=beta&version=2.0.0")
            << QByteArray("LINK toolhub://install/fluxcad/flux-cli?version=2.0.0&channel=beta\n");
        QTest::newRow("install, latest dropped")
            << QStringLiteral("toolhub://install/acme/cad?version=latest")
            << QByteArray("LINK toolhub://install/acme/cad\n");
        QTest::newRow("open") << QStringLiteral("toolhub://open/acme")
                              << QByteArray("LINK toolhub://open/acme\n");
        QTest::newRow("project install") << QStringLiteral("toolhub://project/p-1/install")
                                         << QByteArray("LINK toolhub://project/p-1/install\n");
    }
    void forwardsTheCanonicalLine()
    {
        QFETCH(QString, link);
        QFETCH(QByteArray, line);
        FakeApp app(FakeApp::Answer::Ok);
        QVERIFY(app.listen(socketPath()));

        const RunResult result = run({QStringLiteral("--"), link});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out, QByteArray());
        QCOMPARE(result.err, QByteArray());
        QCOMPARE(app.connections(), 1);
        QCOMPARE(app.lines(), QList<QByteArray>{line});
    }

    void forwardingWithoutDashDash()
    {
        FakeApp app(FakeApp::Answer::Ok);
        QVERIFY(app.listen(socketPath()));
        const RunResult result = run({QStringLiteral("toolhub://open/acme")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(app.lines(), QList<QByteArray>{"LINK toolhub://open/acme\n"});
    }

    void appRefusesTheLine()
    {
        FakeApp app(FakeApp::Answer::Error);
        QVERIFY(app.listen(socketPath()));
        const RunResult result = run({QStringLiteral("--"), QStringLiteral("toolhub://open/a")});
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(result.out, QByteArray());
        QCOMPARE(result.err, QByteArray("toolhub-open: toolhub refused the link: busy\n"));
        QCOMPARE(app.lines(), QList<QByteArray>{"LINK toolhub://open/a\n"});
    }

    void appClosesWithoutAnswer()
    {
        FakeApp app(FakeApp::Answer::Close);
        QVERIFY(app.listen(socketPath()));
        const RunResult result = run({QStringLiteral("--"), QStringLiteral("toolhub://open/a")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("without an answer"), result.err.constData());
        QCOMPARE(app.connections(), 1);
    }

    void appNeverAnswers()
    {
        FakeApp app(FakeApp::Answer::Silent);
        QVERIFY(app.listen(socketPath()));
        const RunResult result = run({QStringLiteral("--"), QStringLiteral("toolhub://open/a")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("did not answer within 5 s"), result.err.constData());
        QVERIFY2(result.elapsedMs >= 4500 && result.elapsedMs < 8000,
                 qPrintable(QString::number(result.elapsedMs)));
        QCOMPARE(app.lines(), QList<QByteArray>{"LINK toolhub://open/a\n"});
    }

    void startsTheAppBesideIt()
    {
        QVERIFY(copyOpenIntoAppDir());
        QVERIFY(writeFakeApp());
        const RunResult result =
            run({QStringLiteral("--"),
                 QStringLiteral("TOOLHUB://install/fluxcad/flux-cli?channel=beta&version=2.0.0")},
                copiedOpen());
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out, QByteArray());
        QCOMPARE(result.err, QByteArray());
        // The fake toolhub runs detached; its record appears once it has run.
        QTRY_VERIFY_WITH_TIMEOUT(recorded().endsWith("channel=beta\n"), 10000);
        QCOMPARE(recorded(),
                 QByteArray("2\n--link\n"
                            "toolhub://install/fluxcad/flux-cli?version=2.0.0&channel=beta\n"));
    }

    void startsTheAppWithoutARuntimeDir()
    {
        QVERIFY(copyOpenIntoAppDir());
        QVERIFY(writeFakeApp());
        QProcessEnvironment environment = m_environment;
        environment.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        // A user name no toolhub listens for, so that the fallback socket name is free.
        environment.insert(QStringLiteral("USER"),
                           QStringLiteral("nobody-%1").arg(QCoreApplication::applicationPid()));
        const RunResult result = run({QStringLiteral("--"), QStringLiteral("toolhub://open/a")},
                                     copiedOpen(), &environment);
        QCOMPARE(result.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(recorded().endsWith("toolhub://open/a\n"), 10000);
        QCOMPARE(recorded(), QByteArray("2\n--link\ntoolhub://open/a\n"));
    }

    void noAppBesideIt()
    {
        QVERIFY(copyOpenIntoAppDir());
        const RunResult result =
            run({QStringLiteral("--"), QStringLiteral("toolhub://open/acme")}, copiedOpen());
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(result.out, QByteArray());
        QVERIFY2(result.err.contains("toolhub is not installed next to toolhub-open"),
                 result.err.constData());
        QVERIFY2(result.err.contains(QFile::encodeName(m_appDir->path())), result.err.constData());
    }

    void wrongCommandLines_data()
    {
        QTest::addColumn<QStringList>("arguments");
        const QString link = QStringLiteral("toolhub://open/acme");
        QTest::newRow("nothing") << QStringList{};
        QTest::newRow("only --dry-run") << QStringList{QStringLiteral("--dry-run")};
        QTest::newRow("only --") << QStringList{QStringLiteral("--")};
        QTest::newRow("two links") << QStringList{link, link};
        QTest::newRow("two links after --") << QStringList{QStringLiteral("--"), link, link};
        QTest::newRow("option after the link") << QStringList{link, QStringLiteral("--dry-run")};
        QTest::newRow("--dry-run twice")
            << QStringList{QStringLiteral("--dry-run"), QStringLiteral("--dry-run"), link};
        QTest::newRow("qt platform option")
            << QStringList{QStringLiteral("-platform"), QStringLiteral("xcb"), link};
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--verbose"), link};
        QTest::newRow("option-like link without --") << QStringList{QStringLiteral("-x")};
        QTest::newRow("--help") << QStringList{QStringLiteral("--help")};
    }
    void wrongCommandLines()
    {
        QFETCH(QStringList, arguments);
        FakeApp app(FakeApp::Answer::Ok);
        QVERIFY(app.listen(socketPath()));
        const RunResult result = run(arguments);
        QCOMPARE(result.exitCode, 2);
        QCOMPARE(result.out, QByteArray());
        QVERIFY2(result.err.startsWith("toolhub-open: "), result.err.constData());
        QVERIFY2(result.err.contains("usage: toolhub-open [--dry-run] [--] <toolhub:// link>"),
                 result.err.constData());
        QCOMPARE(app.connections(), 0);
    }

    // A private session bus with a fake notification server: a refusal is shown where a display
    // exists, escaped for servers that read markup, and not shown without a display.
    void refusalNotification()
    {
        QVERIFY2(!dbusDaemon.isEmpty(), "dbus-daemon is needed for this test");
        QProcess bus;
        const QString busAddress =
            QStringLiteral("unix:path=") + m_runtimeDir->filePath(QStringLiteral("test-bus"));
        bus.start(dbusDaemon,
                  {QStringLiteral("--session"), QStringLiteral("--nofork"),
                   QStringLiteral("--nosyslog"), QStringLiteral("--address=") + busAddress,
                   QStringLiteral("--print-address=1")});
        QVERIFY(bus.waitForStarted(10000));
        const auto stopBus = qScopeGuard([&bus] {
            bus.terminate();
            if (!bus.waitForFinished(5000)) {
                bus.kill();
                bus.waitForFinished();
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(bus.canReadLine(), 10000);
        const QString address = QString::fromUtf8(bus.readLine().trimmed());
        QVERIFY(!address.isEmpty());

        const QString connectionName = QStringLiteral("fake-notifications");
        const auto disconnect =
            qScopeGuard([&connectionName] { QDBusConnection::disconnectFromBus(connectionName); });
        QDBusConnection connection = QDBusConnection::connectToBus(address, connectionName);
        QVERIFY(connection.isConnected());
        FakeNotifications notifications;
        QVERIFY(connection.registerObject(QStringLiteral("/org/freedesktop/Notifications"),
                                          &notifications, QDBusConnection::ExportScriptableSlots));
        QVERIFY(connection.registerService(QStringLiteral("org.freedesktop.Notifications")));

        QProcessEnvironment environment = m_environment;
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), address);
        const QStringList hostile{QStringLiteral("--"),
                                  QStringLiteral("toolhub://install/<script>/x")};

        // No display: no notification.
        RunResult result = run(hostile, openProgram, &environment);
        QCOMPARE(result.exitCode, 2);
        QVERIFY(notifications.bodies.isEmpty());

        environment.insert(QStringLiteral("WAYLAND_DISPLAY"), QStringLiteral("wayland-test"));
        notifications.capabilities = {QStringLiteral("body")};
        result = run(hostile, openProgram, &environment);
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.startsWith(refusedPrefix));
        const QString message = QString::fromUtf8(result.err.mid(refusedPrefix.size()).chopped(1));
        QVERIFY(message.contains(QStringLiteral("<script>")));
        QCOMPARE(notifications.summaries, QStringList{QStringLiteral("This link was refused")});
        QCOMPARE(notifications.bodies, QStringList{message});

        environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
        environment.insert(QStringLiteral("DISPLAY"), QStringLiteral(":97"));
        notifications.capabilities = {QStringLiteral("body"), QStringLiteral("body-markup")};
        result = run(hostile, openProgram, &environment);
        QCOMPARE(result.exitCode, 2);
        QCOMPARE(notifications.bodies.size(), 2);
        QCOMPARE(notifications.bodies.at(1), message.toHtmlEscaped());
        QVERIFY(!notifications.bodies.at(1).contains(QLatin1Char('<')));

        // A valid link is not a refusal: nothing is shown.
        FakeApp app(FakeApp::Answer::Ok);
        QVERIFY(app.listen(socketPath()));
        result = run({QStringLiteral("--"), QStringLiteral("toolhub://open/a")}, openProgram,
                     &environment);
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(notifications.bodies.size(), 2);
    }
};

QTEST_GUILESS_MAIN(ToolhubOpenTest)
#include "toolhub_open_test.moc"
