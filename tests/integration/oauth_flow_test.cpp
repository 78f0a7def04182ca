// Sign-in against the real toolhub-server process, on SQLite and on PostgreSQL: the sign-in form
// with its CSRF token, the authorization-code flow with PKCE for the desktop app (RFC 8252),
// token refresh with rotation and reuse detection, /api/v1/me, throttling, and every refusal.
// Organizations and users are made with the server's own CLI.

#include "form.h"
#include "http_client.h"
#include "postgres_cluster.h"
#include "server_process.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using toolhub::test::PostgresCluster;

namespace {

constexpr auto clientId = "toolhub-desktop";
constexpr auto password = "correct horse battery staple";

enum class Backend { Sqlite, Postgres };

struct Pkce {
    QString verifier;
    QString challenge;

    static Pkce make()
    {
        QByteArray random(32, '\0');
        for (auto &byte : random) {
            byte = static_cast<char>(QRandomGenerator::global()->bounded(256));
        }
        Pkce pkce;
        pkce.verifier = QString::fromLatin1(
            random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        pkce.challenge = QString::fromLatin1(
            QCryptographicHash::hash(pkce.verifier.toLatin1(), QCryptographicHash::Sha256)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        return pkce;
    }
};

// A browser: its own cookie jar, redirects followed by the test.
class Browser {
public:
    Browser() { m_network.setCookieJar(new QNetworkCookieJar(&m_network)); }

    HttpExchange get(const QUrl &url) { return httpRequest(m_network, "GET", url); }
    HttpExchange postForm(const QUrl &url, const QList<QPair<QString, QString>> &fields)
    {
        return httpRequest(m_network, "POST", url,
                           {{"Content-Type", "application/x-www-form-urlencoded"}},
                           formEncode(fields));
    }
    [[nodiscard]] QString cookie(const QUrl &url, const QString &name) const
    {
        for (const auto &c : m_network.cookieJar()->cookiesForUrl(url)) {
            if (QString::fromLatin1(c.name()) == name) {
                return QString::fromLatin1(c.value());
            }
        }
        return {};
    }
    void setCookie(const QUrl &url, const QString &name, const QString &value)
    {
        m_network.cookieJar()->setCookiesFromUrl(
            {QNetworkCookie(name.toLatin1(), value.toLatin1())}, url);
    }
    QNetworkAccessManager &network() { return m_network; }

private:
    QNetworkAccessManager m_network;
};

QUrlQuery locationQuery(const HttpExchange &reply)
{
    return QUrlQuery(QUrl(QString::fromUtf8(reply.header("Location"))));
}

} // namespace

class OAuthFlowTest : public QObject {
    Q_OBJECT

public:
    explicit OAuthFlowTest(Backend backend) : m_backend(backend) {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void cliRefusesBadInputAndKeepsPasswordsOffTheCommandLine();
    void signInPageHasFormWithCsrfToken();
    void fullFlowWithLoopbackListener();
    void refreshRotatesAndReuseRevokesTheFamily();
    void revokedRefreshTokenNoLongerWorks();
    void sessionIdChangesAtSignInAndSignOutEndsIt();
    void wrongVerifierIsRefused();
    void reusedCodeIsRefusedAndRevokesItsTokens();
    void codeBoundToRedirectUriAndClient();
    void expiredCodeIsRefused();
    void expiredAccessTokenIsRefused();
    void tokenFromOneReplicaWorksOnTheOther();
    void nonLoopbackRedirectUriIsRefusedWithoutRedirect_data();
    void nonLoopbackRedirectUriIsRefusedWithoutRedirect();
    void unknownClientIsRefusedWithoutRedirect();
    void plainPkceIsRefused();
    void missingChallengeIsRefused();
    void missingStateIsRefused();
    void badCsrfTokenIsRefused();
    void forgedOrTamperedAccessTokenIs401_data();
    void forgedOrTamperedAccessTokenIs401();
    void tokenEndpointErrorsAreOAuthJson();
    void eleventhWrongPasswordInAMinuteIsThrottled();

private:
    // Runs the server's CLI against `server`'s database; `input` goes to its stdin.
    int runCli(ServerProcess &server, const QStringList &arguments, const QByteArray &input = {},
               QByteArray *output = nullptr);
    QString databaseUrl(ServerProcess &server) const;
    QUrl authorizeUrl(ServerProcess &server, const QString &redirectUri, const Pkce &pkce,
                      const QString &state = QStringLiteral("state-1"),
                      const QString &method = QStringLiteral("S256"));
    // GET /signin, then POST the form; returns the POST's reply.
    HttpExchange signIn(Browser &browser, ServerProcess &server, const QString &login,
                        const QString &pass, const QString &next = {});
    // Signs in (if needed) and runs /oauth/authorize; returns the code from the redirect.
    QString obtainCode(Browser &browser, ServerProcess &server, const QString &redirectUri,
                       const Pkce &pkce);
    HttpExchange exchange(ServerProcess &server, const QString &code, const QString &redirectUri,
                          const QString &verifier);
    HttpExchange refresh(ServerProcess &server, const QString &refreshToken);
    HttpExchange me(ServerProcess &server, const QString &accessToken);
    // A full flow for the main user; returns the token response.
    QJsonObject tokensFor(ServerProcess &server);

    Backend m_backend;
    std::unique_ptr<PostgresCluster> m_cluster;
    std::unique_ptr<ServerProcess> m_server;
    // A replica on the same database whose codes and access tokens live one second.
    std::unique_ptr<ServerProcess> m_shortLived;
    Browser m_browser; // signed in as the main user once the flow ran
    QNetworkAccessManager m_network;
    QString m_redirectUri = QStringLiteral("http://127.0.0.1:49152/callback");
    QStringList m_secrets; // codes and tokens seen, which must never appear in a log
};

QString OAuthFlowTest::databaseUrl(ServerProcess &server) const
{
    if (m_cluster) {
        return m_cluster->url(QStringLiteral("oauth"));
    }
    return QStringLiteral("sqlite://") + server.dataDir() + QStringLiteral("/toolhub.db");
}

int OAuthFlowTest::runCli(ServerProcess &server, const QStringList &arguments,
                          const QByteArray &input, QByteArray *output)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const auto &key : env.keys()) {
        if (key.startsWith(QLatin1String("TOOLHUB_"))) {
            env.remove(key);
        }
    }
    env.insert(QStringLiteral("TOOLHUB_DATA_DIR"), server.dataDir());
    env.insert(QStringLiteral("TOOLHUB_DATABASE_URL"), databaseUrl(server));
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
    if (output != nullptr) {
        *output = process.readAllStandardOutput() + process.readAllStandardError();
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

void OAuthFlowTest::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_THREADS"), QStringLiteral("2"));
    if (m_backend == Backend::Postgres) {
        QVERIFY2(!PostgresCluster::findBinDir().isEmpty(),
                 "PostgreSQL is not installed: run scripts/install-deps.sh");
        m_cluster = std::make_unique<PostgresCluster>();
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("oauth")),
                 qPrintable(m_cluster->errorString()));
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"),
                           m_cluster->url(QStringLiteral("oauth")));
    }
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    QByteArray output;
    QCOMPARE(runCli(*m_server,
                    {QStringLiteral("org"), QStringLiteral("add"), QStringLiteral("acme"),
                     QStringLiteral("Acme Corporation")},
                    {}, &output),
             0);
    QVERIFY2(output.contains("acme"), output.constData());
    for (const auto &login : {QStringLiteral("Alice"), QStringLiteral("victim")}) {
        QCOMPARE(
            runCli(*m_server,
                   {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--org"),
                    QStringLiteral("acme"), QStringLiteral("--login"), login,
                    QStringLiteral("--name"), login + QStringLiteral(" Example"),
                    QStringLiteral("--email"), login.toLower() + QStringLiteral("@acme.example")},
                   QByteArray(password) + '\n', &output),
            0);
    }

    environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"), databaseUrl(*m_server));
    environment.insert(QStringLiteral("TOOLHUB_OAUTH_CODE_LIFETIME"), QStringLiteral("1s"));
    environment.insert(QStringLiteral("TOOLHUB_OAUTH_ACCESS_TOKEN_LIFETIME"), QStringLiteral("1s"));
    m_shortLived = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_shortLived->start(), qPrintable(m_shortLived->errorString()));
}

void OAuthFlowTest::cleanupTestCase()
{
    for (auto *server : {m_server.get(), m_shortLived.get()}) {
        if (server != nullptr) {
            const auto out = server->standardOutput();
            // Secrets never reach the log.
            QVERIFY(!out.contains(password));
            QVERIFY(!m_secrets.isEmpty());
            for (const auto &secret : std::as_const(m_secrets)) {
                QVERIFY2(!out.contains(secret.toLatin1()), "a token or code was logged");
            }
            QCOMPARE(server->terminate(), 0);
        }
    }
    m_shortLived.reset();
    m_server.reset();
    m_cluster.reset();
}

QUrl OAuthFlowTest::authorizeUrl(ServerProcess &server, const QString &redirectUri,
                                 const Pkce &pkce, const QString &state, const QString &method)
{
    QUrlQuery query;
    const auto add = [&](const QString &name, const QString &value) {
        if (!value.isNull()) {
            query.addQueryItem(name, QString::fromLatin1(QUrl::toPercentEncoding(value)));
        }
    };
    add(QStringLiteral("response_type"), QStringLiteral("code"));
    add(QStringLiteral("client_id"), QString::fromLatin1(clientId));
    add(QStringLiteral("redirect_uri"), redirectUri);
    add(QStringLiteral("state"), state);
    add(QStringLiteral("code_challenge"), pkce.challenge);
    add(QStringLiteral("code_challenge_method"), method);
    QUrl url = server.url(QStringLiteral("/oauth/authorize"));
    url.setQuery(query.query(QUrl::FullyEncoded), QUrl::StrictMode);
    return url;
}

HttpExchange OAuthFlowTest::signIn(Browser &browser, ServerProcess &server, const QString &login,
                                   const QString &pass, const QString &next)
{
    QUrl formUrl = server.url(QStringLiteral("/signin"));
    if (!next.isEmpty()) {
        formUrl.setQuery(QStringLiteral("next=") +
                             QString::fromLatin1(QUrl::toPercentEncoding(next)),
                         QUrl::StrictMode);
    }
    const auto form = browser.get(formUrl);
    if (form.status != 200) {
        return form;
    }
    return browser.postForm(
        server.url(QStringLiteral("/signin")),
        {{QStringLiteral("csrf_token"), hiddenField(form.body, QStringLiteral("csrf_token"))},
         {QStringLiteral("next"), hiddenField(form.body, QStringLiteral("next"))},
         {QStringLiteral("login"), login},
         {QStringLiteral("password"), pass}});
}

QString OAuthFlowTest::obtainCode(Browser &browser, ServerProcess &server,
                                  const QString &redirectUri, const Pkce &pkce)
{
    auto reply = browser.get(authorizeUrl(server, redirectUri, pkce));
    if (reply.header("Location").startsWith("/signin")) {
        const auto signedIn =
            signIn(browser, server, QStringLiteral("alice"), QString::fromLatin1(password),
                   QUrlQuery(QUrl(QString::fromUtf8(reply.header("Location"))))
                       .queryItemValue(QStringLiteral("next"), QUrl::FullyDecoded));
        if (signedIn.status != 303) {
            return {};
        }
        reply = browser.get(server.url(QString::fromUtf8(signedIn.header("Location"))));
    }
    if (reply.status != 302 ||
        !reply.header("Location").startsWith(redirectUri.toUtf8() + "?code=")) {
        qWarning() << "authorize answered" << reply.status << reply.header("Location");
        return {};
    }
    const auto query = locationQuery(reply);
    if (query.queryItemValue(QStringLiteral("state")) != QStringLiteral("state-1")) {
        return {};
    }
    return query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
}

HttpExchange OAuthFlowTest::exchange(ServerProcess &server, const QString &code,
                                     const QString &redirectUri, const QString &verifier)
{
    m_secrets << code;
    auto reply = httpRequest(
        m_network, "POST", server.url(QStringLiteral("/oauth/token")),
        {{"Content-Type", "application/x-www-form-urlencoded"}},
        formEncode({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                    {QStringLiteral("client_id"), QString::fromLatin1(clientId)},
                    {QStringLiteral("code"), code},
                    {QStringLiteral("redirect_uri"), redirectUri},
                    {QStringLiteral("code_verifier"), verifier}}));
    m_secrets << reply.json().value(QLatin1String("access_token")).toString()
              << reply.json().value(QLatin1String("refresh_token")).toString();
    m_secrets.removeAll(QString());
    return reply;
}

HttpExchange OAuthFlowTest::refresh(ServerProcess &server, const QString &refreshToken)
{
    auto reply =
        httpRequest(m_network, "POST", server.url(QStringLiteral("/oauth/token")),
                    {{"Content-Type", "application/x-www-form-urlencoded"}},
                    formEncode({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                {QStringLiteral("client_id"), QString::fromLatin1(clientId)},
                                {QStringLiteral("refresh_token"), refreshToken}}));
    m_secrets << reply.json().value(QLatin1String("access_token")).toString()
              << reply.json().value(QLatin1String("refresh_token")).toString();
    m_secrets.removeAll(QString());
    return reply;
}

HttpExchange OAuthFlowTest::me(ServerProcess &server, const QString &accessToken)
{
    return httpRequest(m_network, "GET", server.url(QStringLiteral("/api/v1/me")),
                       {{"Authorization", "Bearer " + accessToken.toLatin1()}});
}

QJsonObject OAuthFlowTest::tokensFor(ServerProcess &server)
{
    const auto pkce = Pkce::make();
    const auto code = obtainCode(m_browser, server, m_redirectUri, pkce);
    if (code.isEmpty()) {
        return {};
    }
    const auto reply = exchange(server, code, m_redirectUri, pkce.verifier);
    return reply.status == 200 ? reply.json() : QJsonObject{};
}

void OAuthFlowTest::cliRefusesBadInputAndKeepsPasswordsOffTheCommandLine()
{
    QByteArray output;
    // An existing login (compared case-insensitively).
    QVERIFY(runCli(*m_server,
                   {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--org=acme"),
                    QStringLiteral("--login=ALICE"), QStringLiteral("--name=Other"),
                    QStringLiteral("--email=o@acme.example")},
                   "another password\n", &output) != 0);
    QVERIFY2(output.contains("exists already"), output.constData());
    // No such organization.
    QVERIFY(runCli(*m_server,
                   {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--org=nope"),
                    QStringLiteral("--login=x"), QStringLiteral("--name=X"),
                    QStringLiteral("--email=x@acme.example")},
                   "some password\n", &output) != 0);
    // There is no way to give a password as an argument.
    QVERIFY(
        runCli(*m_server,
               {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--org=acme"),
                QStringLiteral("--login=y"), QStringLiteral("--name=Y"),
                QStringLiteral("--email=y@acme.example"), QStringLiteral("--password=secret12")},
               {}, &output) != 0);
    QVERIFY2(output.contains("--password"), output.constData());
    // Too short a password, a bad slug, a duplicate organization.
    QVERIFY(runCli(*m_server,
                   {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--org=acme"),
                    QStringLiteral("--login=z"), QStringLiteral("--name=Z"),
                    QStringLiteral("--email=z@acme.example")},
                   "short\n", &output) != 0);
    QVERIFY(runCli(*m_server, {QStringLiteral("org"), QStringLiteral("add"),
                               QStringLiteral("Bad Slug"), QStringLiteral("X")}) != 0);
    QVERIFY(runCli(*m_server, {QStringLiteral("org"), QStringLiteral("add"), QStringLiteral("acme"),
                               QStringLiteral("Again")}) != 0);
}

void OAuthFlowTest::signInPageHasFormWithCsrfToken()
{
    Browser browser;
    const auto page =
        browser.get(m_server->url(QStringLiteral("/signin?next=%2F%22%3E%3Cscript%3E")));
    QCOMPARE(page.status, 200);
    QVERIFY(page.header("Content-Type").startsWith("text/html"));
    QCOMPARE(page.header("Cache-Control"), QByteArray("no-store"));
    QVERIFY(page.header("Content-Security-Policy").contains("default-src 'none'"));
    QVERIFY(!hiddenField(page.body, QStringLiteral("csrf_token")).isEmpty());
    QVERIFY(page.body.contains(R"(action="/signin")"));
    // Reflected input is escaped.
    QVERIFY(!page.body.contains("<script>"));
    QVERIFY(page.body.contains("&quot;&gt;&lt;script&gt;"));
    const auto setCookie = page.header("Set-Cookie");
    QVERIFY2(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") &&
                 setCookie.contains("Path=/"),
             setCookie.constData());
    QVERIFY(!setCookie.contains("Secure")); // plain HTTP, cookie_secure not set
}

void OAuthFlowTest::fullFlowWithLoopbackListener()
{
    // The desktop app's loopback listener: any free port on 127.0.0.1.
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    const QString redirectUri =
        QStringLiteral("http://127.0.0.1:%1/callback").arg(listener.serverPort());
    const auto pkce = Pkce::make();

    // Not signed in: authorize sends the browser to the sign-in page and back.
    Browser browser;
    const auto authorize = browser.get(authorizeUrl(*m_server, redirectUri, pkce));
    QCOMPARE(authorize.status, 302);
    const QUrl signInUrl = m_server->url(QString::fromUtf8(authorize.header("Location")));
    QCOMPARE(signInUrl.path(), QStringLiteral("/signin"));
    const auto form = browser.get(signInUrl);
    QCOMPARE(form.status, 200);
    const auto next = hiddenField(form.body, QStringLiteral("next"));
    QVERIFY2(next.startsWith(QStringLiteral("/oauth/authorize?")), qPrintable(next));
    const auto posted = browser.postForm(
        m_server->url(QStringLiteral("/signin")),
        {{QStringLiteral("csrf_token"), hiddenField(form.body, QStringLiteral("csrf_token"))},
         {QStringLiteral("next"), next},
         {QStringLiteral("login"), QStringLiteral("ALICE")}, // logins ignore case
         {QStringLiteral("password"), QString::fromLatin1(password)}});
    QCOMPARE(posted.status, 303);
    QCOMPARE(QString::fromUtf8(posted.header("Location")), next);
    bool sawSession = false;
    for (const auto &[name, value] : posted.headers) {
        if (name.compare("Set-Cookie", Qt::CaseInsensitive) == 0) {
            for (const auto &line : value.split('\n')) {
                if (line.startsWith("toolhub_session=")) {
                    sawSession = true;
                    QVERIFY2(line.contains("HttpOnly") && line.contains("SameSite=Lax") &&
                                 line.contains("Path=/"),
                             line.constData());
                    // At least 128 random bits.
                    QVERIFY(line.indexOf(';') - int(sizeof("toolhub_session=") - 1) >= 22);
                }
            }
        }
    }
    QVERIFY(sawSession);

    // Signed in: the code goes to the loopback listener, with the state.
    const auto granted = browser.get(m_server->url(next));
    QCOMPARE(granted.status, 302);
    const QUrl callback(QString::fromUtf8(granted.header("Location")));
    QCOMPARE(callback.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(callback.port(), int{listener.serverPort()});
    QCOMPARE(callback.path(), QStringLiteral("/callback"));
    // The browser follows the redirect to the app's listener.
    QNetworkAccessManager toApp;
    auto *reply = toApp.get(QNetworkRequest(callback));
    QTRY_VERIFY(listener.hasPendingConnections());
    QTcpSocket *socket = listener.nextPendingConnection();
    QTRY_VERIFY(socket->canReadLine());
    const QByteArray requestLine = socket->readLine();
    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    socket->flush();
    QTRY_VERIFY(reply->isFinished());
    reply->deleteLater();
    QVERIFY(requestLine.startsWith("GET /callback?"));
    const QUrlQuery query(QUrl(QString::fromLatin1(requestLine.split(' ').at(1))));
    QCOMPARE(query.queryItemValue(QStringLiteral("state")), QStringLiteral("state-1"));
    const auto code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    QVERIFY(code.size() >= 43);

    const auto tokens = exchange(*m_server, code, redirectUri, pkce.verifier);
    QCOMPARE(tokens.status, 200);
    QCOMPARE(tokens.header("Cache-Control"), QByteArray("no-store"));
    const auto body = tokens.json();
    QCOMPARE(body.value(QLatin1String("token_type")).toString(), QStringLiteral("Bearer"));
    QCOMPARE(body.value(QLatin1String("expires_in")).toInt(), 600);
    const auto accessToken = body.value(QLatin1String("access_token")).toString();
    QVERIFY(!accessToken.isEmpty());
    QVERIFY(body.value(QLatin1String("refresh_token")).toString().size() >= 43);

    const auto who = me(*m_server, accessToken);
    QCOMPARE(who.status, 200);
    const auto user = who.json();
    QCOMPARE(user.value(QLatin1String("login")).toString(), QStringLiteral("alice"));
    QCOMPARE(user.value(QLatin1String("display_name")).toString(), QStringLiteral("Alice Example"));
    QCOMPARE(user.value(QLatin1String("email")).toString(), QStringLiteral("alice@acme.example"));
    QCOMPARE(user.value(QLatin1String("organization"))
                 .toObject()
                 .value(QLatin1String("slug"))
                 .toString(),
             QStringLiteral("acme"));
    QCOMPARE(user.value(QLatin1String("id")).toString().size(), 32);
}

void OAuthFlowTest::refreshRotatesAndReuseRevokesTheFamily()
{
    const auto first = tokensFor(*m_server);
    QVERIFY(!first.isEmpty());
    const auto r1 = first.value(QLatin1String("refresh_token")).toString();

    const auto second = refresh(*m_server, r1);
    QCOMPARE(second.status, 200);
    const auto r2 = second.json().value(QLatin1String("refresh_token")).toString();
    QVERIFY(!r2.isEmpty() && r2 != r1);
    const auto a2 = second.json().value(QLatin1String("access_token")).toString();
    QCOMPARE(me(*m_server, a2).status, 200);

    const auto third = refresh(*m_server, r2);
    QCOMPARE(third.status, 200);
    const auto r3 = third.json().value(QLatin1String("refresh_token")).toString();

    // r1 again: reuse. Refused, and the whole family goes: r3 (the newest) fails too.
    const auto reuse = refresh(*m_server, r1);
    QCOMPARE(reuse.status, 400);
    QCOMPARE(reuse.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));
    const auto newest = refresh(*m_server, r3);
    QCOMPARE(newest.status, 400);
    QCOMPARE(newest.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));

    // Another sign-in's family is untouched.
    const auto other = tokensFor(*m_server);
    QCOMPARE(refresh(*m_server, other.value(QLatin1String("refresh_token")).toString()).status,
             200);
}

void OAuthFlowTest::revokedRefreshTokenNoLongerWorks()
{
    const auto tokens = tokensFor(*m_server);
    const auto refreshToken = tokens.value(QLatin1String("refresh_token")).toString();
    const auto revoke = [&](const QString &token) {
        return httpRequest(
            m_network, "POST", m_server->url(QStringLiteral("/oauth/revoke")),
            {{"Content-Type", "application/x-www-form-urlencoded"}},
            formEncode({{QStringLiteral("token"), token},
                        {QStringLiteral("token_type_hint"), QStringLiteral("refresh_token")},
                        {QStringLiteral("client_id"), QString::fromLatin1(clientId)}}));
    };
    QCOMPARE(revoke(refreshToken).status, 200);
    QCOMPARE(refresh(*m_server, refreshToken).status, 400);
    // RFC 7009 §2.2: unknown tokens are answered 200 too.
    QCOMPARE(revoke(QStringLiteral("no-such-token")).status, 200);
}

void OAuthFlowTest::sessionIdChangesAtSignInAndSignOutEndsIt()
{
    const QUrl base = m_server->url(QStringLiteral("/"));
    const auto sessionOf = [&](const Browser &b) {
        return b.cookie(base, QStringLiteral("toolhub_session"));
    };
    // A session id planted before sign-in (session fixation) is not adopted.
    Browser browser;
    browser.setCookie(base, QStringLiteral("toolhub_session"),
                      QStringLiteral("planted-by-someone-else-0123456789abcdef"));
    QCOMPARE(
        signIn(browser, *m_server, QStringLiteral("alice"), QString::fromLatin1(password)).status,
        303);
    const auto first = sessionOf(browser);
    QVERIFY(!first.isEmpty() && !first.startsWith(QLatin1String("planted")));
    QVERIFY(browser.cookie(base, QStringLiteral("toolhub_signin")).isEmpty()); // pre-session gone

    // Signing in again from a form opened earlier gives a new id and ends the old session.
    Browser again;
    const auto form = again.get(m_server->url(QStringLiteral("/signin")));
    again.setCookie(base, QStringLiteral("toolhub_session"), first);
    const auto posted = again.postForm(
        m_server->url(QStringLiteral("/signin")),
        {{QStringLiteral("csrf_token"), hiddenField(form.body, QStringLiteral("csrf_token"))},
         {QStringLiteral("login"), QStringLiteral("alice")},
         {QStringLiteral("password"), QString::fromLatin1(password)}});
    QCOMPARE(posted.status, 303);
    const auto second = sessionOf(again);
    QVERIFY(!second.isEmpty() && second != first);
    QVERIFY(
        browser.get(m_server->url(QStringLiteral("/signin"))).body.contains("Sign in to Toolhub"));

    const auto page = again.get(m_server->url(QStringLiteral("/signin")));
    QVERIFY(page.body.contains("Signed in"));
    // Sign-out needs the session's CSRF token.
    QCOMPARE(again
                 .postForm(m_server->url(QStringLiteral("/signout")),
                           {{QStringLiteral("csrf_token"), QStringLiteral("wrong")}})
                 .status,
             403);
    const auto out = again.postForm(
        m_server->url(QStringLiteral("/signout")),
        {{QStringLiteral("csrf_token"), hiddenField(page.body, QStringLiteral("csrf_token"))}});
    QCOMPARE(out.status, 303);
    Browser replay;
    replay.setCookie(base, QStringLiteral("toolhub_session"), second);
    QVERIFY(
        replay.get(m_server->url(QStringLiteral("/signin"))).body.contains("Sign in to Toolhub"));
}

void OAuthFlowTest::wrongVerifierIsRefused()
{
    const auto pkce = Pkce::make();
    const auto code = obtainCode(m_browser, *m_server, m_redirectUri, pkce);
    QVERIFY(!code.isEmpty());
    const auto wrong = exchange(*m_server, code, m_redirectUri, Pkce::make().verifier);
    QCOMPARE(wrong.status, 400);
    QCOMPARE(wrong.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));
    // One guess per code: the right verifier no longer helps.
    QCOMPARE(exchange(*m_server, code, m_redirectUri, pkce.verifier).status, 400);
}

void OAuthFlowTest::reusedCodeIsRefusedAndRevokesItsTokens()
{
    const auto pkce = Pkce::make();
    const auto code = obtainCode(m_browser, *m_server, m_redirectUri, pkce);
    const auto first = exchange(*m_server, code, m_redirectUri, pkce.verifier);
    QCOMPARE(first.status, 200);
    const auto again = exchange(*m_server, code, m_redirectUri, pkce.verifier);
    QCOMPARE(again.status, 400);
    QCOMPARE(again.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));
    // RFC 6749 §4.1.2: what the code produced is revoked.
    QCOMPARE(
        refresh(*m_server, first.json().value(QLatin1String("refresh_token")).toString()).status,
        400);
}

void OAuthFlowTest::codeBoundToRedirectUriAndClient()
{
    const auto pkce = Pkce::make();
    auto code = obtainCode(m_browser, *m_server, m_redirectUri, pkce);
    QCOMPARE(
        exchange(*m_server, code, QStringLiteral("http://127.0.0.1:49153/callback"), pkce.verifier)
            .status,
        400);
    code = obtainCode(m_browser, *m_server, m_redirectUri, pkce);
    const auto otherClient = httpRequest(
        m_network, "POST", m_server->url(QStringLiteral("/oauth/token")),
        {{"Content-Type", "application/x-www-form-urlencoded"}},
        formEncode({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                    {QStringLiteral("client_id"), QStringLiteral("someone-else")},
                    {QStringLiteral("code"), code},
                    {QStringLiteral("redirect_uri"), m_redirectUri},
                    {QStringLiteral("code_verifier"), pkce.verifier}}));
    QCOMPARE(otherClient.status, 401);
    QCOMPARE(otherClient.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_client"));
}

void OAuthFlowTest::expiredCodeIsRefused()
{
    const auto pkce = Pkce::make();
    const auto code = obtainCode(m_browser, *m_shortLived, m_redirectUri, pkce);
    QVERIFY(!code.isEmpty());
    QTest::qWait(2500); // oauth_code_lifetime = 1s on this replica
    const auto late = exchange(*m_shortLived, code, m_redirectUri, pkce.verifier);
    QCOMPARE(late.status, 400);
    QCOMPARE(late.json().value(QLatin1String("error")).toString(), QStringLiteral("invalid_grant"));
    QVERIFY(late.json()
                .value(QLatin1String("error_description"))
                .toString()
                .contains(QLatin1String("expired")));
}

void OAuthFlowTest::expiredAccessTokenIsRefused()
{
    const auto tokens = tokensFor(*m_shortLived);
    QVERIFY(!tokens.isEmpty());
    QCOMPARE(tokens.value(QLatin1String("expires_in")).toInt(), 1);
    const auto accessToken = tokens.value(QLatin1String("access_token")).toString();
    QTest::qWait(2100); // oauth_access_token_lifetime = 1s on this replica
    const auto expired = me(*m_shortLived, accessToken);
    QCOMPARE(expired.status, 401);
    QVERIFY(expired.header("WWW-Authenticate").startsWith("Bearer"));
    QVERIFY(expired.header("Content-Type").startsWith("application/problem+json"));
    // Refreshing gives a working one.
    const auto renewed =
        refresh(*m_shortLived, tokens.value(QLatin1String("refresh_token")).toString());
    QCOMPARE(renewed.status, 200);
    QCOMPARE(
        me(*m_shortLived, renewed.json().value(QLatin1String("access_token")).toString()).status,
        200);
}

void OAuthFlowTest::tokenFromOneReplicaWorksOnTheOther()
{
    // Both replicas share the signing key through the database.
    const auto tokens = tokensFor(*m_server);
    QCOMPARE(me(*m_shortLived, tokens.value(QLatin1String("access_token")).toString()).status, 200);
    QCOMPARE(refresh(*m_shortLived, tokens.value(QLatin1String("refresh_token")).toString()).status,
             200);
}

void OAuthFlowTest::nonLoopbackRedirectUriIsRefusedWithoutRedirect_data()
{
    QTest::addColumn<QString>("redirectUri");
    for (const char *uri :
         {"https://evil.example/cb", "http://localhost.evil/cb", "http://127.0.0.1.evil.com/x",
          "http://user@127.0.0.1:5/x", "http://localhost:5000/cb", "http://127.0.0.1:5000/cb#x",
          "https://127.0.0.1:5000/cb", "http://[::1]/cb"}) {
        QTest::newRow(uri) << QString::fromLatin1(uri);
    }
}

void OAuthFlowTest::nonLoopbackRedirectUriIsRefusedWithoutRedirect()
{
    QFETCH(QString, redirectUri);
    const auto reply = m_browser.get(authorizeUrl(*m_server, redirectUri, Pkce::make()));
    QCOMPARE(reply.status, 400);
    QVERIFY(reply.header("Location").isEmpty());
    QVERIFY(reply.header("Content-Type").startsWith("text/html"));
    QVERIFY(reply.body.contains("redirect"));
}

void OAuthFlowTest::unknownClientIsRefusedWithoutRedirect()
{
    QUrl url = authorizeUrl(*m_server, m_redirectUri, Pkce::make());
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("client_id"));
    query.addQueryItem(QStringLiteral("client_id"), QStringLiteral("evil-app"));
    url.setQuery(query);
    const auto reply = m_browser.get(url);
    QCOMPARE(reply.status, 400);
    QVERIFY(reply.header("Location").isEmpty());
}

void OAuthFlowTest::plainPkceIsRefused()
{
    auto pkce = Pkce::make();
    pkce.challenge = pkce.verifier; // what "plain" would send
    const auto reply = m_browser.get(authorizeUrl(
        *m_server, m_redirectUri, pkce, QStringLiteral("state-1"), QStringLiteral("plain")));
    QCOMPARE(reply.status, 302);
    const auto query = locationQuery(reply);
    QCOMPARE(query.queryItemValue(QStringLiteral("error")), QStringLiteral("invalid_request"));
    QCOMPARE(query.queryItemValue(QStringLiteral("state")), QStringLiteral("state-1"));
    QVERIFY(!query.hasQueryItem(QStringLiteral("code")));
    // No method at all means plain (RFC 7636 §4.3): refused likewise.
    const auto noMethod = m_browser.get(
        authorizeUrl(*m_server, m_redirectUri, Pkce::make(), QStringLiteral("state-1"), QString()));
    QCOMPARE(locationQuery(noMethod).queryItemValue(QStringLiteral("error")),
             QStringLiteral("invalid_request"));
}

void OAuthFlowTest::missingChallengeIsRefused()
{
    Pkce none;
    const auto reply = m_browser.get(authorizeUrl(*m_server, m_redirectUri, none));
    QCOMPARE(reply.status, 302);
    const auto query = locationQuery(reply);
    QCOMPARE(query.queryItemValue(QStringLiteral("error")), QStringLiteral("invalid_request"));
    QVERIFY(!query.hasQueryItem(QStringLiteral("code")));
}

void OAuthFlowTest::missingStateIsRefused()
{
    const auto reply =
        m_browser.get(authorizeUrl(*m_server, m_redirectUri, Pkce::make(), QString()));
    QCOMPARE(reply.status, 400);
    QVERIFY(reply.header("Location").isEmpty());
    QVERIFY(reply.body.contains("state"));
}

void OAuthFlowTest::badCsrfTokenIsRefused()
{
    Browser browser;
    const auto form = browser.get(m_server->url(QStringLiteral("/signin")));
    const auto token = hiddenField(form.body, QStringLiteral("csrf_token"));
    const auto post = [&](Browser &b, const QString &csrf) {
        return b.postForm(m_server->url(QStringLiteral("/signin")),
                          {{QStringLiteral("csrf_token"), csrf},
                           {QStringLiteral("login"), QStringLiteral("alice")},
                           {QStringLiteral("password"), QString::fromLatin1(password)}});
    };
    const auto wrong = post(browser, token.left(token.size() - 2) + QStringLiteral("AA"));
    QCOMPARE(wrong.status, 403);
    QVERIFY(wrong.header("Content-Type").startsWith("application/problem+json"));
    QVERIFY(post(browser, QString()).status == 403);
    // A valid token of another browser (no matching pre-session cookie here).
    Browser other;
    QCOMPARE(post(other, token).status, 403);
    QVERIFY(browser.cookie(m_server->url(QStringLiteral("/")), QStringLiteral("toolhub_session"))
                .isEmpty());
    // The right one works.
    QCOMPARE(post(browser, token).status, 303);
}

void OAuthFlowTest::forgedOrTamperedAccessTokenIs401_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("missing") << QStringLiteral("missing");
    QTest::newRow("garbage") << QStringLiteral("garbage");
    QTest::newRow("tampered payload") << QStringLiteral("payload");
    QTest::newRow("tampered signature") << QStringLiteral("signature");
    QTest::newRow("forged payload for another user") << QStringLiteral("forged");
    QTest::newRow("basic scheme") << QStringLiteral("basic");
}

void OAuthFlowTest::forgedOrTamperedAccessTokenIs401()
{
    QFETCH(QString, kind);
    const auto tokens = tokensFor(*m_server);
    const auto token = tokens.value(QLatin1String("access_token")).toString();
    QVERIFY(!token.isEmpty());
    const auto dot = token.indexOf(QLatin1Char('.'));
    QList<QPair<QByteArray, QByteArray>> headers;
    if (kind == QLatin1String("garbage")) {
        headers = {{"Authorization", "Bearer abc.def"}};
    } else if (kind == QLatin1String("payload")) {
        QString t = token;
        t[dot / 2] = t[dot / 2] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        headers = {{"Authorization", "Bearer " + t.toLatin1()}};
    } else if (kind == QLatin1String("signature")) {
        QString t = token;
        t[dot + 3] = t[dot + 3] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        headers = {{"Authorization", "Bearer " + t.toLatin1()}};
    } else if (kind == QLatin1String("forged")) {
        auto payload =
            QJsonDocument::fromJson(
                QByteArray::fromBase64(token.left(dot).toLatin1(), QByteArray::Base64UrlEncoding))
                .object();
        payload[QLatin1String("sub")] = QStringLiteral("ffffffffffffffffffffffffffffffff");
        payload[QLatin1String("exp")] = payload[QLatin1String("exp")].toInteger() + 86400;
        const auto forged =
            QJsonDocument(payload)
                .toJson(QJsonDocument::Compact)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals) +
            token.mid(dot).toLatin1();
        headers = {{"Authorization", "Bearer " + forged}};
    } else if (kind == QLatin1String("basic")) {
        headers = {{"Authorization", "Basic " + token.toLatin1()}};
    }
    const auto reply =
        httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/me")), headers);
    QCOMPARE(reply.status, 401);
    QVERIFY(reply.header("WWW-Authenticate").startsWith("Bearer"));
    QCOMPARE(reply.json().value(QLatin1String("code")).toString(),
             QStringLiteral("unauthenticated"));
}

void OAuthFlowTest::tokenEndpointErrorsAreOAuthJson()
{
    const auto post = [&](const QList<QPair<QString, QString>> &fields) {
        return httpRequest(m_network, "POST", m_server->url(QStringLiteral("/oauth/token")),
                           {{"Content-Type", "application/x-www-form-urlencoded"}},
                           formEncode(fields));
    };
    const auto unsupported = post({{QStringLiteral("grant_type"), QStringLiteral("password")},
                                   {QStringLiteral("client_id"), QString::fromLatin1(clientId)}});
    QCOMPARE(unsupported.status, 400);
    QVERIFY(unsupported.header("Content-Type").startsWith("application/json"));
    QCOMPARE(unsupported.json().value(QLatin1String("error")).toString(),
             QStringLiteral("unsupported_grant_type"));
    const auto missing = post({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                               {QStringLiteral("client_id"), QString::fromLatin1(clientId)}});
    QCOMPARE(missing.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_request"));
    const auto unknownCode =
        exchange(*m_server, QStringLiteral("nonsense"), m_redirectUri, Pkce::make().verifier);
    QCOMPARE(unknownCode.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));
    const auto repeated = post({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                {QStringLiteral("client_id"), QString::fromLatin1(clientId)},
                                {QStringLiteral("refresh_token"), QStringLiteral("a")},
                                {QStringLiteral("refresh_token"), QStringLiteral("b")}});
    QCOMPARE(repeated.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_request"));
}

void OAuthFlowTest::eleventhWrongPasswordInAMinuteIsThrottled()
{
    Browser browser;
    for (int attempt = 1; attempt <= 10; ++attempt) {
        const auto reply = signIn(browser, *m_server, QStringLiteral("victim"),
                                  QStringLiteral("wrong password %1").arg(attempt));
        QCOMPARE(reply.status, 401);
        QVERIFY(reply.body.contains("Wrong login or password"));
        QVERIFY(reply.header("Retry-After").isEmpty());
    }
    const auto eleventh =
        signIn(browser, *m_server, QStringLiteral("victim"), QStringLiteral("wrong password 11"));
    QCOMPARE(eleventh.status, 429);
    bool ok = false;
    const int retryAfter = eleventh.header("Retry-After").toInt(&ok);
    QVERIFY2(ok && retryAfter >= 1 && retryAfter <= 61, eleventh.header("Retry-After").constData());
    // The right password does not get through either while throttled, on any replica...
    QCOMPARE(
        signIn(browser, *m_server, QStringLiteral("VICTIM"), QString::fromLatin1(password)).status,
        429);
    QCOMPARE(signIn(browser, *m_shortLived, QStringLiteral("victim"), QString::fromLatin1(password))
                 .status,
             429);
    // ...while other accounts sign in as usual.
    Browser other;
    QCOMPARE(
        signIn(other, *m_server, QStringLiteral("alice"), QString::fromLatin1(password)).status,
        303);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int status = 0;
    {
        OAuthFlowTest sqlite(Backend::Sqlite);
        status |= QTest::qExec(&sqlite, argc, argv);
    }
    {
        OAuthFlowTest postgres(Backend::Postgres);
        status |= QTest::qExec(&postgres, argc, argv);
    }
    return status;
}

#include "oauth_flow_test.moc"
