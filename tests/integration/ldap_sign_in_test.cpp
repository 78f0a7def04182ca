// Sign-in by LDAP against a real OpenLDAP slapd: the real toolhub-server process signs users in
// through POST /signin (and the desktop app's flow through /oauth/authorize) with StartTLS and
// with ldaps, maps groups to an organization and roles, and refuses wrong passwords, unknown and
// disabled users, empty passwords, filter injection, an untrusted certificate and a directory
// that is down or silent, within the timeout and without blocking the server.
//
// The test generates a throwaway CA and server certificate with the openssl command, loads
// tests/fixtures/ldap/directory.ldif with slapadd, and runs slapd in the foreground (-d 0) on
// free ports, stopping it by its PID.

#include "core/access/access.h"
#include "core/identity/identity.h"
#include "form.h"
#include "http_client.h"
#include "native_sign_in.h"
#include "server_process.h"
#include "test_database.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

constexpr auto fixtureDir = TOOLHUB_LDAP_FIXTURES;
constexpr auto slapdExecutable = "/usr/sbin/slapd";
constexpr auto serviceDn = "cn=toolhub,ou=services,dc=example,dc=org";
constexpr auto servicePassword = "toolhub-service-password";
constexpr auto alicePassword = "alice-directory-password";
constexpr auto bobPassword = "bob-directory-password";
constexpr auto davePassword = "dave-directory-password";
constexpr auto namesakePassword = "namesake-directory-password";
constexpr auto localPassword = "local account password 1";
constexpr int timeoutSeconds = 2; // ldap_timeout of the servers that meet a broken directory

// Runs a program to completion; false with `error` set when it fails.
bool run(const QString &program, const QStringList &arguments, QString *error,
         const QString &workingDir = {})
{
    QProcess process;
    process.setWorkingDirectory(workingDir);
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        *error =
            program + QLatin1Char(' ') + arguments.join(QLatin1Char(' ')) +
            QStringLiteral(" failed: ") +
            QString::fromUtf8(process.readAllStandardError() + process.readAllStandardOutput());
        process.kill();
        return false;
    }
    return true;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// slapd with the fixture directory, on free ports for ldap:// (StartTLS) and ldaps://, and the
// certificates it presents.
class Slapd {
public:
    ~Slapd() { stop(); }

    bool start()
    {
        if (!m_dir.isValid()) {
            return fail(QStringLiteral("no temporary folder"));
        }
        const QString dir = m_dir.path();
        const QString openssl = QStringLiteral("openssl");
        const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"),
                             QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
                             QStringLiteral("-nodes")};
        for (const auto &ca : {QStringLiteral("ca"), QStringLiteral("other-ca")}) {
            if (!run(openssl,
                     QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
                         QStringList{QStringLiteral("-keyout"), ca + QStringLiteral(".key"),
                                     QStringLiteral("-out"), ca + QStringLiteral(".pem"),
                                     QStringLiteral("-days"), QStringLiteral("2"),
                                     QStringLiteral("-subj"),
                                     QStringLiteral("/CN=Toolhub test ") + ca},
                     &m_error, dir)) {
                return false;
            }
        }
        if (!writeFile(QStringLiteral("server.ext"),
                       "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                       "extendedKeyUsage=serverAuth\n") ||
            !run(openssl,
                 QStringList{QStringLiteral("req")} + ec +
                     QStringList{QStringLiteral("-keyout"), QStringLiteral("server.key"),
                                 QStringLiteral("-out"), QStringLiteral("server.csr"),
                                 QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")},
                 &m_error, dir) ||
            !run(openssl,
                 {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                  QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                  QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                  QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                  QStringLiteral("server.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                  QStringLiteral("-extfile"), QStringLiteral("server.ext")},
                 &m_error, dir)) {
            return false;
        }

        QFile templateFile(QString::fromUtf8(fixtureDir) + QStringLiteral("/slapd.conf.in"));
        if (!templateFile.open(QIODevice::ReadOnly)) {
            return fail(QStringLiteral("cannot read ") + templateFile.fileName());
        }
        QByteArray config = templateFile.readAll();
        config.replace("@DIR@", dir.toUtf8());
        if (!writeFile(QStringLiteral("slapd.conf"), config) ||
            !QDir(dir).mkpath(QStringLiteral("db")) ||
            !writeFile(QStringLiteral("service.password"), servicePassword) ||
            !run(QStringLiteral("/usr/sbin/slapadd"),
                 {QStringLiteral("-f"), path(QStringLiteral("slapd.conf")), QStringLiteral("-l"),
                  QString::fromUtf8(fixtureDir) + QStringLiteral("/directory.ldif")},
                 &m_error)) {
            return false;
        }

        m_ldapPort = freePort();
        m_ldapsPort = freePort();
        // -d 0 keeps slapd in the foreground, so the PID QProcess knows is slapd's own.
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QString::fromUtf8(slapdExecutable),
                        {QStringLiteral("-f"), path(QStringLiteral("slapd.conf")),
                         QStringLiteral("-h"),
                         QStringLiteral("ldap://127.0.0.1:%1/ ldaps://127.0.0.1:%2/")
                             .arg(m_ldapPort)
                             .arg(m_ldapsPort),
                         QStringLiteral("-d"), QStringLiteral("0")});
        if (!m_process.waitForStarted(10000)) {
            return fail(QStringLiteral("cannot start slapd: ") + m_process.errorString());
        }
        // slapd opens its listeners and loads the database in the background of its start;
        // polling a bind as the service account is the one sure sign that it serves requests.
        const QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired()) {
            if (m_process.state() != QProcess::Running) {
                return fail(QStringLiteral("slapd exited: ") +
                            QString::fromUtf8(m_process.readAll()));
            }
            QString ignored;
            if (run(QStringLiteral("ldapwhoami"),
                    {QStringLiteral("-x"), QStringLiteral("-H"), ldapUrl(), QStringLiteral("-D"),
                     QString::fromLatin1(serviceDn), QStringLiteral("-y"),
                     path(QStringLiteral("service.password"))},
                    &ignored)) {
                return true;
            }
            QTest::qWait(50);
        }
        return fail(QStringLiteral("slapd did not answer within 15 s"));
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate(); // SIGTERM to slapd's PID
            if (!m_process.waitForFinished(10000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }

    [[nodiscard]] QString ldapUrl() const
    {
        return QStringLiteral("ldap://127.0.0.1:%1").arg(m_ldapPort);
    }
    [[nodiscard]] QString ldapsUrl() const
    {
        return QStringLiteral("ldaps://127.0.0.1:%1").arg(m_ldapsPort);
    }
    [[nodiscard]] QString path(const QString &name) const { return m_dir.filePath(name); }
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    bool fail(const QString &message)
    {
        m_error = message;
        return false;
    }
    bool writeFile(const QString &name, const QByteArray &content)
    {
        QFile file(path(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size()) {
            return fail(QStringLiteral("cannot write ") + file.fileName());
        }
        return true;
    }

    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_ldapPort = 0;
    quint16 m_ldapsPort = 0;
    QString m_error;
};

// A browser with its own cookies.
class Browser {
public:
    Browser() { m_network.setCookieJar(new QNetworkCookieJar(&m_network)); }

    // GET /signin, then POST the form; returns the POST's reply.
    HttpExchange signIn(ServerProcess &server, const QString &login, const QString &password)
    {
        const auto form = httpRequest(m_network, "GET", server.url(QStringLiteral("/signin")));
        if (form.status != 200) {
            return form;
        }
        return httpRequest(m_network, "POST", server.url(QStringLiteral("/signin")),
                           {{"Content-Type", "application/x-www-form-urlencoded"}},
                           signInForm(form.body, login, password));
    }
    // The form's body for a POST started by the caller.
    QByteArray signInForm(const QByteArray &formPage, const QString &login, const QString &password)
    {
        return formEncode(
            {{QStringLiteral("csrf_token"), hiddenField(formPage, QStringLiteral("csrf_token"))},
             {QStringLiteral("login"), login},
             {QStringLiteral("password"), password}});
    }
    QNetworkAccessManager &network() { return m_network; }

private:
    QNetworkAccessManager m_network;
};

QJsonObject lastRecord(ServerProcess &server, const QString &message, const QString &login = {})
{
    QJsonObject found;
    for (const auto &record : server.logRecords()) {
        if (record.value(QLatin1String("message")).toString() == message &&
            (login.isEmpty() || record.value(QLatin1String("user.name")).toString() == login)) {
            found = record;
        }
    }
    return found;
}

} // namespace

class LdapSignInTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void startTlsSignInCreatesTheUserWithOrganizationAndRoles();
    void desktopSignInThroughAuthorize();
    void ldapsWithFailoverSignsIn();
    void wrongPasswordAndUnknownUserLookTheSame();
    void emptyPasswordIsRefused();
    void filterInjectionIsRefused_data();
    void filterInjectionIsRefused();
    void localAccountIsNotTakenOverThroughTheDirectory();
    void disabledUserCannotSignIn();
    void untrustedCertificateIsRefused_data();
    void untrustedCertificateIsRefused();
    void closedPortAnswersRightAway();
    void silentServerAnswersWithinTheTimeout_data();
    void silentServerAnswersWithinTheTimeout();
    void plaintextWithoutStartTlsIsRefusedAtStart();

private:
    // The common LDAP settings as environment variables, for `url`.
    QProcessEnvironment ldapEnvironment(const QString &url) const;
    std::unique_ptr<ServerProcess> startServer(const QProcessEnvironment &environment,
                                               const QStringList &arguments = {
                                                   QStringLiteral("serve")});
    int runCli(ServerProcess &server, const QStringList &arguments, const QByteArray &input = {});
    std::unique_ptr<toolhub::server::Database> openDatabase(ServerProcess &server);

    Slapd m_slapd;
    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server; // StartTLS, configured by a file
    QTcpServer m_silent; // accepts connections (the kernel does) and never answers
};

QProcessEnvironment LdapSignInTest::ldapEnvironment(const QString &url) const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("TOOLHUB_THREADS"), QStringLiteral("3"));
    env.insert(QStringLiteral("TOOLHUB_LDAP_URL"), url);
    env.insert(QStringLiteral("TOOLHUB_LDAP_CA_FILE"), m_slapd.path(QStringLiteral("ca.pem")));
    env.insert(QStringLiteral("TOOLHUB_LDAP_BIND_DN"), QString::fromLatin1(serviceDn));
    env.insert(QStringLiteral("TOOLHUB_LDAP_BIND_PASSWORD"), QString::fromLatin1(servicePassword));
    env.insert(QStringLiteral("TOOLHUB_LDAP_USER_BASE"),
               QStringLiteral("ou=people,dc=example,dc=org"));
    env.insert(QStringLiteral("TOOLHUB_LDAP_GROUP_BASE"),
               QStringLiteral("ou=groups,dc=example,dc=org"));
    env.insert(QStringLiteral("TOOLHUB_LDAP_TIMEOUT"), QStringLiteral("%1s").arg(timeoutSeconds));
    env.insert(QStringLiteral("TOOLHUB_LDAP_RULE_1"),
               QStringLiteral("cn=acme-users,ou=groups,dc=example,dc=org -> organization=acme"));
    return env;
}

std::unique_ptr<ServerProcess> LdapSignInTest::startServer(const QProcessEnvironment &environment,
                                                           const QStringList &arguments)
{
    auto server = std::make_unique<ServerProcess>(environment);
    if (!server->start(arguments)) {
        qWarning().noquote() << server->errorString();
        return {};
    }
    return server;
}

int LdapSignInTest::runCli(ServerProcess &server, const QStringList &arguments,
                           const QByteArray &input)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const auto &key : env.keys()) {
        if (key.startsWith(QLatin1String("TOOLHUB_"))) {
            env.remove(key);
        }
    }
    env.insert(QStringLiteral("TOOLHUB_DATA_DIR"), server.dataDir());
    env.insert(QStringLiteral("TOOLHUB_LOG_LEVEL"), QStringLiteral("error"));
    process.setProcessEnvironment(env);
    process.start(ServerProcess::executable(), arguments);
    if (!process.waitForStarted(10000)) {
        return -1;
    }
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished(5000);
        return -1;
    }
    if (process.exitCode() != 0) {
        qWarning().noquote() << process.readAllStandardError();
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

std::unique_ptr<toolhub::server::Database> LdapSignInTest::openDatabase(ServerProcess &server)
{
    QString error;
    auto db = toolhub::test::openDatabase(
        "sqlite://" + (server.dataDir() + QStringLiteral("/toolhub.db")).toStdString(), 1, &error);
    if (!db) {
        qWarning().noquote() << error;
    }
    return db;
}

void LdapSignInTest::initTestCase()
{
    QVERIFY2(QFile::exists(QString::fromLatin1(slapdExecutable)),
             "slapd is not installed: run scripts/install-deps.sh");
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_slapd.start(), qPrintable(m_slapd.errorString()));
    QVERIFY(m_silent.listen(QHostAddress::LocalHost, 0));

    // The main server reads its LDAP settings from a file, rules included.
    const QString configPath = m_dir.filePath(QStringLiteral("toolhub.conf"));
    QFile config(configPath);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral("ldap_url = %1\n"
                                "ldap_starttls = true\n"
                                "ldap_ca_file = %2\n"
                                "ldap_bind_dn = %3\n"
                                "ldap_bind_password_file = %4\n"
                                "ldap_user_base = ou=people,dc=example,dc=org\n"
                                "ldap_user_filter = (&(objectClass=inetOrgPerson)(uid={login}))\n"
                                "ldap_group_base = ou=groups,dc=example,dc=org\n"
                                "ldap_id = directory.example.org\n"
                                "ldap_rule.10 = cn=acme-admins,ou=groups,dc=example,dc=org -> "
                                "organization=acme role=customer_admin\n"
                                "ldap_rule.20 = CN=Acme-Users, OU=groups, DC=example, DC=org -> "
                                "organization=acme\n"
                                "ldap_rule.30 = cn=catalog-team,ou=groups,dc=example,dc=org -> "
                                "role=catalog_manager@global\n")
                     .arg(m_slapd.ldapUrl(), m_slapd.path(QStringLiteral("ca.pem")),
                          QString::fromLatin1(serviceDn),
                          m_slapd.path(QStringLiteral("service.password")))
                     .toUtf8());
    config.close();
    QProcessEnvironment env;
    env.insert(QStringLiteral("TOOLHUB_THREADS"), QStringLiteral("3"));
    m_server = startServer(env, {QStringLiteral("--config"), configPath, QStringLiteral("serve")});
    QVERIFY(m_server);
    QVERIFY(!lastRecord(*m_server, QStringLiteral("LDAP sign-in")).isEmpty());

    QCOMPARE(runCli(*m_server, {QStringLiteral("org"), QStringLiteral("add"),
                                QStringLiteral("acme"), QStringLiteral("Acme Corporation")}),
             0);
    QCOMPARE(runCli(*m_server,
                    {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--org"),
                     QStringLiteral("acme"), QStringLiteral("--login"), QStringLiteral("localuser"),
                     QStringLiteral("--name"), QStringLiteral("Local User"),
                     QStringLiteral("--email"), QStringLiteral("local@acme.example")},
                    QByteArray(localPassword) + '\n'),
             0);
}

void LdapSignInTest::cleanupTestCase()
{
    if (m_server) {
        const auto out = m_server->standardOutput();
        for (const char *secret : {servicePassword, alicePassword, bobPassword, davePassword,
                                   namesakePassword, localPassword}) {
            QVERIFY2(!out.contains(secret), "a password reached the log");
        }
        QCOMPARE(m_server->terminate(), 0);
    }
    m_server.reset();
    m_slapd.stop();
}

void LdapSignInTest::startTlsSignInCreatesTheUserWithOrganizationAndRoles()
{
    Browser browser;
    QCOMPARE(browser.signIn(*m_server, QStringLiteral("alice"), QString::fromLatin1(alicePassword))
                 .status,
             303);
    const auto created = lastRecord(*m_server, QStringLiteral("ldap user created"));
    QVERIFY2(!created.isEmpty(), m_server->standardOutput().constData());
    QCOMPARE(created.value(QLatin1String("ldap.dn")).toString(),
             QStringLiteral("uid=alice,ou=people,dc=example,dc=org"));
    QCOMPARE(created.value(QLatin1String("organization.slug")).toString(), QStringLiteral("acme"));
    const std::string userId = created.value(QLatin1String("user.id")).toString().toStdString();

    auto db = openDatabase(*m_server);
    QVERIFY(db);
    toolhub::server::IdentityStore identity(*db, toolhub::server::systemClock());
    auto user = identity.findUser(userId);
    QVERIFY(user);
    QCOMPARE(QString::fromStdString(user->displayName), QStringLiteral("Alice Admin"));
    QCOMPARE(QString::fromStdString(user->email), QStringLiteral("alice@acme.example"));
    QVERIFY(user->login.empty()); // no local password to sign in with
    auto org = identity.findOrganizationBySlug("acme");
    QVERIFY(org);
    QCOMPARE(user->organizationId, org->id);

    toolhub::server::AccessControl access(*db, toolhub::server::systemClock());
    auto grants = access.grantsOf(*user);
    QVERIFY2(grants, grants ? "" : grants.error().message.c_str());
    QStringList ldapGrants;
    for (const auto &grant : *grants) {
        if (grant.source == "ldap") {
            ldapGrants << QString::fromStdString(
                grant.grant.role + "@" +
                std::string{toolhub::server::scopeKindName(grant.grant.scope.kind)} +
                (grant.grant.scope.id == org->id ? ":acme" : grant.grant.scope.id));
        }
    }
    ldapGrants.sort();
    QCOMPARE(ldapGrants, (QStringList{QStringLiteral("catalog_manager@global"),
                                      QStringLiteral("customer_admin@organization:acme")}));

    // The second sign-in finds the same user.
    Browser again;
    QCOMPARE(
        again.signIn(*m_server, QStringLiteral("alice"), QString::fromLatin1(alicePassword)).status,
        303);
    const auto signedIn = lastRecord(*m_server, QStringLiteral("ldap user signed in"));
    QCOMPARE(signedIn.value(QLatin1String("user.id")).toString().toStdString(), userId);
}

void LdapSignInTest::desktopSignInThroughAuthorize()
{
    QString error;
    const auto tokens = signInNative(*m_server, QStringLiteral("alice"),
                                     QString::fromLatin1(alicePassword), &error);
    QVERIFY2(!tokens.isEmpty(), qPrintable(error));
    QNetworkAccessManager network;
    const auto me = httpRequest(
        network, "GET", m_server->url(QStringLiteral("/api/v1/me")),
        {{"Authorization",
          "Bearer " + tokens.value(QLatin1String("access_token")).toString().toLatin1()}});
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value(QLatin1String("display_name")).toString(),
             QStringLiteral("Alice Admin"));
    QCOMPARE(me.json()
                 .value(QLatin1String("organization"))
                 .toObject()
                 .value(QLatin1String("slug"))
                 .toString(),
             QStringLiteral("acme"));
}

void LdapSignInTest::ldapsWithFailoverSignsIn()
{
    // The first address is closed; the second is the directory over ldaps.
    auto server = startServer(ldapEnvironment(
        QStringLiteral("ldap://127.0.0.1:%1 ").arg(freePort()) + m_slapd.ldapsUrl()));
    QVERIFY(server);
    Browser browser;
    QCOMPARE(
        browser.signIn(*server, QStringLiteral("bob"), QString::fromLatin1(bobPassword)).status,
        303);
    const auto created = lastRecord(*server, QStringLiteral("ldap user created"));
    QVERIFY2(!created.isEmpty(), server->standardOutput().constData());
    QCOMPARE(created.value(QLatin1String("ldap.dn")).toString(),
             QStringLiteral("uid=bob,ou=people,dc=example,dc=org"));
    // The organization rule names one that does not exist on this server: no organization.
    QCOMPARE(created.value(QLatin1String("organization.slug")).toString(), QString());
    QVERIFY(!lastRecord(*server, QStringLiteral("ldap_rule.1 names an unknown organization; the "
                                                "rule is skipped"))
                 .isEmpty());
    QCOMPARE(server->terminate(), 0);
}

void LdapSignInTest::wrongPasswordAndUnknownUserLookTheSame()
{
    Browser browser;
    const auto wrong =
        browser.signIn(*m_server, QStringLiteral("alice"), QStringLiteral("nope-nope"));
    const auto unknown =
        browser.signIn(*m_server, QStringLiteral("nobody"), QStringLiteral("nope-nope"));
    QCOMPARE(wrong.status, 401);
    QCOMPARE(unknown.status, 401);
    QVERIFY(wrong.body.contains("Wrong login or password."));
    QVERIFY(unknown.body.contains("Wrong login or password."));
    // The log tells them apart.
    QCOMPARE(lastRecord(*m_server, QStringLiteral("ldap sign-in refused"), QStringLiteral("alice"))
                 .value(QLatin1String("event.reason"))
                 .toString(),
             QStringLiteral("wrong_password"));
    QCOMPARE(lastRecord(*m_server, QStringLiteral("ldap sign-in refused"), QStringLiteral("nobody"))
                 .value(QLatin1String("event.reason"))
                 .toString(),
             QStringLiteral("unknown_user"));
}

void LdapSignInTest::emptyPasswordIsRefused()
{
    Browser browser;
    const auto reply = browser.signIn(*m_server, QStringLiteral("bob"), QString());
    QCOMPARE(reply.status, 401);
    QVERIFY(reply.body.contains("Wrong login or password."));
    QCOMPARE(lastRecord(*m_server, QStringLiteral("ldap sign-in refused"), QStringLiteral("bob"))
                 .value(QLatin1String("event.reason"))
                 .toString(),
             QStringLiteral("empty_password"));
}

void LdapSignInTest::filterInjectionIsRefused_data()
{
    QTest::addColumn<QString>("login");
    // Unescaped, each of these would find alice's entry (or several), and alice's password
    // would then sign the caller in.
    QTest::newRow("star") << QStringLiteral("*");
    QTest::newRow("prefix") << QStringLiteral("al*");
    QTest::newRow("closing parenthesis") << QStringLiteral("alice)(uid=*");
    QTest::newRow("or") << QStringLiteral("*)(|(uid=alice");
}

void LdapSignInTest::filterInjectionIsRefused()
{
    QFETCH(QString, login);
    Browser browser;
    const auto reply = browser.signIn(*m_server, login, QString::fromLatin1(alicePassword));
    QCOMPARE(reply.status, 401);
    QVERIFY(reply.body.contains("Wrong login or password."));
    QCOMPARE(lastRecord(*m_server, QStringLiteral("ldap sign-in refused"), login)
                 .value(QLatin1String("event.reason"))
                 .toString(),
             QStringLiteral("unknown_user"));
}

void LdapSignInTest::localAccountIsNotTakenOverThroughTheDirectory()
{
    Browser browser;
    // The directory's "localuser" has its own password; it does not open the local account.
    QCOMPARE(
        browser
            .signIn(*m_server, QStringLiteral("localuser"), QString::fromLatin1(namesakePassword))
            .status,
        401);
    QCOMPARE(
        lastRecord(*m_server, QStringLiteral("ldap sign-in refused"), QStringLiteral("localuser"))
            .value(QLatin1String("event.reason"))
            .toString(),
        QStringLiteral("local_account"));
    // The local password still does.
    QCOMPARE(
        browser.signIn(*m_server, QStringLiteral("localuser"), QString::fromLatin1(localPassword))
            .status,
        303);
    QCOMPARE(lastRecord(*m_server, QStringLiteral("signed in"))
                 .value(QLatin1String("auth.method"))
                 .toString(),
             QStringLiteral("local"));
}

void LdapSignInTest::disabledUserCannotSignIn()
{
    Browser browser;
    QCOMPARE(
        browser.signIn(*m_server, QStringLiteral("dave"), QString::fromLatin1(davePassword)).status,
        303);
    const auto created =
        lastRecord(*m_server, QStringLiteral("ldap user created"), QStringLiteral("dave"));
    QVERIFY(!created.isEmpty());
    {
        auto db = openDatabase(*m_server);
        QVERIFY(db);
        toolhub::server::IdentityStore identity(*db, toolhub::server::systemClock());
        QVERIFY(
            identity.disableUser(created.value(QLatin1String("user.id")).toString().toStdString()));
    }
    Browser other;
    const auto reply =
        other.signIn(*m_server, QStringLiteral("dave"), QString::fromLatin1(davePassword));
    QCOMPARE(reply.status, 401);
    QVERIFY(reply.body.contains("Wrong login or password."));
    QCOMPARE(lastRecord(*m_server, QStringLiteral("ldap sign-in refused"), QStringLiteral("dave"))
                 .value(QLatin1String("event.reason"))
                 .toString(),
             QStringLiteral("disabled_account"));
}

void LdapSignInTest::untrustedCertificateIsRefused_data()
{
    QTest::addColumn<bool>("ldaps");
    QTest::newRow("StartTLS") << false;
    QTest::newRow("ldaps") << true;
}

void LdapSignInTest::untrustedCertificateIsRefused()
{
    QFETCH(bool, ldaps);
    auto env = ldapEnvironment(ldaps ? m_slapd.ldapsUrl() : m_slapd.ldapUrl());
    env.insert(QStringLiteral("TOOLHUB_LDAP_CA_FILE"),
               m_slapd.path(QStringLiteral("other-ca.pem")));
    auto server = startServer(env);
    QVERIFY(server);
    Browser browser;
    const auto reply =
        browser.signIn(*server, QStringLiteral("alice"), QString::fromLatin1(alicePassword));
    QCOMPARE(reply.status, 503);
    QVERIFY2(reply.body.contains("certificate is not trusted"), reply.body.constData());
    const auto logged =
        lastRecord(*server, QStringLiteral("the directory's certificate is not trusted"));
    QCOMPARE(logged.value(QLatin1String("event.reason")).toString(),
             QStringLiteral("untrusted_certificate"));
    QCOMPARE(server->terminate(), 0);
}

void LdapSignInTest::closedPortAnswersRightAway()
{
    auto server =
        startServer(ldapEnvironment(QStringLiteral("ldap://127.0.0.1:%1").arg(freePort())));
    QVERIFY(server);
    Browser browser;
    QElapsedTimer elapsed;
    elapsed.start();
    const auto reply =
        browser.signIn(*server, QStringLiteral("alice"), QString::fromLatin1(alicePassword));
    QCOMPARE(reply.status, 503);
    QVERIFY(elapsed.elapsed() < (timeoutSeconds + 2) * 1000);
    QVERIFY2(reply.body.contains("The directory cannot be reached."), reply.body.constData());
    QVERIFY(!lastRecord(*server, QStringLiteral("the directory cannot be reached")).isEmpty());
    QCOMPARE(server->terminate(), 0);
}

void LdapSignInTest::silentServerAnswersWithinTheTimeout_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::newRow("StartTLS") << QStringLiteral("ldap");
    QTest::newRow("ldaps") << QStringLiteral("ldaps");
}

void LdapSignInTest::silentServerAnswersWithinTheTimeout()
{
    QFETCH(QString, scheme);
    auto server = startServer(ldapEnvironment(
        QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(m_silent.serverPort())));
    QVERIFY(server);
    Browser browser;
    const auto form = httpRequest(browser.network(), "GET", server->url(QStringLiteral("/signin")));
    QCOMPARE(form.status, 200);
    QNetworkRequest request(server->url(QStringLiteral("/signin")));
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QStringLiteral("application/x-www-form-urlencoded"));
    QElapsedTimer elapsed;
    elapsed.start();
    std::unique_ptr<QNetworkReply> reply(
        browser.network().post(request, browser.signInForm(form.body, QStringLiteral("alice"),
                                                           QString::fromLatin1(alicePassword))));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);

    // Once the server has connected to the silent directory, it waits for it; meanwhile it
    // answers others.
    QTRY_VERIFY_WITH_TIMEOUT(m_silent.hasPendingConnections(), 5000);
    QNetworkAccessManager other;
    QElapsedTimer livezTime;
    livezTime.start();
    QCOMPARE(httpRequest(other, "GET", server->url(QStringLiteral("/livez"))).status, 200);
    QVERIFY(livezTime.elapsed() < 1000);
    QVERIFY(finished.isEmpty());

    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), (timeoutSeconds + 5) * 1000);
    const auto took = elapsed.elapsed();
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
    QVERIFY2(took >= timeoutSeconds * 1000 - 200, qPrintable(QString::number(took)));
    QVERIFY2(took < (timeoutSeconds + 2) * 1000, qPrintable(QString::number(took)));
    QVERIFY(reply->readAll().contains("The directory cannot be reached."));
    QVERIFY(!lastRecord(*server, QStringLiteral("the directory cannot be reached")).isEmpty());
    QCOMPARE(server->terminate(), 0);
    while (QTcpSocket *connection = m_silent.nextPendingConnection()) {
        delete connection;
    }
}

void LdapSignInTest::plaintextWithoutStartTlsIsRefusedAtStart()
{
    auto env = ldapEnvironment(m_slapd.ldapUrl());
    env.insert(QStringLiteral("TOOLHUB_LDAP_STARTTLS"), QStringLiteral("false"));
    ServerProcess refused(env);
    QVERIFY(!refused.start());
    QVERIFY2(refused.standardOutput().contains("ldap_allow_plaintext"),
             refused.standardOutput().constData());

    // With the explicit development switch it starts, and signs in over plain LDAP.
    env.insert(QStringLiteral("TOOLHUB_LDAP_ALLOW_PLAINTEXT"), QStringLiteral("true"));
    auto server = startServer(env);
    QVERIFY(server);
    QVERIFY(
        !lastRecord(*server, QStringLiteral("ldap_allow_plaintext: passwords cross the network to "
                                            "ldap:// URLs in clear"))
             .isEmpty());
    Browser browser;
    QCOMPARE(
        browser.signIn(*server, QStringLiteral("bob"), QString::fromLatin1(bobPassword)).status,
        303);
    QCOMPARE(server->terminate(), 0);
}

QTEST_GUILESS_MAIN(LdapSignInTest)

#include "ldap_sign_in_test.moc"
