// The app's session against the real toolhub-server: access tokens renewed before they expire,
// refresh tokens rotated and handed out for the keychain, sign-out revoking on the server, and a
// refresh token the server no longer accepts ending the session. No token reaches a log.

#include "core/auth/auth_session.h"

#include "form.h"
#include "http_client.h"
#include "native_sign_in.h"
#include "server_process.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <memory>

namespace {

QString login()
{
    return QStringLiteral("alice.archer@acme.example");
}
QString password()
{
    return QStringLiteral("acme-demo-1");
}

QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    capturedLog.append(message);
    if (previousHandler != nullptr) {
        previousHandler(type, context, message);
    }
}

} // namespace

class AuthSessionTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void refreshRotatesTheRefreshToken();
    void reusingARotatedTokenEndsTheSession();
    void silentRefreshBeforeExpiry();
    void signOutRevokesOnTheServer();
    void revokedRefreshTokenSignsOut();
    void restoreFetchesAnAccessToken();
    void refreshCallbackReportsTheOutcome();
    void unreachableServerKeepsTheSessionAndRetries();

private:
    OAuthTokens signIn(ServerProcess &server);
    // What the token endpoint answers to this refresh token, straight over HTTP.
    HttpExchange refreshDirectly(ServerProcess &server, const QString &refreshToken);
    int me(ServerProcess &server, const QString &accessToken);
    void remember(const QString &secret);

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<ServerProcess> m_shortLived; // access tokens live 2 s
    QNetworkAccessManager m_network;
    QStringList m_secrets;
};

void AuthSessionTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLoggingCategory::setFilterRules(QStringLiteral("toolhub.auth*=true"));
    previousHandler = qInstallMessageHandler(captureMessage);

    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    environment.insert(QStringLiteral("TOOLHUB_THREADS"), QStringLiteral("2"));
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    environment.insert(QStringLiteral("TOOLHUB_OAUTH_ACCESS_TOKEN_LIFETIME"), QStringLiteral("2s"));
    m_shortLived = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_shortLived->start(), qPrintable(m_shortLived->errorString()));
}

void AuthSessionTest::cleanupTestCase()
{
    qInstallMessageHandler(previousHandler);
    QVERIFY(!m_secrets.isEmpty());
    QVERIFY(!capturedLog.isEmpty());
    const QString log = capturedLog.join(QLatin1Char('\n'));
    for (const auto &secret : std::as_const(m_secrets)) {
        QVERIFY2(!log.contains(secret), "a token was logged");
    }
    for (auto *server : {m_server.get(), m_shortLived.get()}) {
        if (server != nullptr) {
            QCOMPARE(server->terminate(), 0);
        }
    }
}

OAuthTokens AuthSessionTest::signIn(ServerProcess &server)
{
    QString error;
    const auto json = signInNative(server, login(), password(), &error);
    if (json.isEmpty()) {
        qWarning() << "signing in failed:" << error;
        return {};
    }
    OAuthTokens tokens;
    tokens.accessToken = json.value(QLatin1String("access_token")).toString();
    tokens.refreshToken = json.value(QLatin1String("refresh_token")).toString();
    tokens.expiresIn = std::chrono::seconds{json.value(QLatin1String("expires_in")).toInteger()};
    remember(tokens.accessToken);
    remember(tokens.refreshToken);
    return tokens;
}

HttpExchange AuthSessionTest::refreshDirectly(ServerProcess &server, const QString &refreshToken)
{
    auto reply =
        httpRequest(m_network, "POST", server.url(QStringLiteral("/oauth/token")),
                    {{"Content-Type", "application/x-www-form-urlencoded"}},
                    formEncode({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                {QStringLiteral("client_id"), QStringLiteral("toolhub-desktop")},
                                {QStringLiteral("refresh_token"), refreshToken}}));
    remember(reply.json().value(QLatin1String("access_token")).toString());
    remember(reply.json().value(QLatin1String("refresh_token")).toString());
    return reply;
}

int AuthSessionTest::me(ServerProcess &server, const QString &accessToken)
{
    return httpRequest(m_network, "GET", server.url(QStringLiteral("/api/v1/me")),
                       {{"Authorization", "Bearer " + accessToken.toLatin1()}})
        .status;
}

void AuthSessionTest::remember(const QString &secret)
{
    if (!secret.isEmpty()) {
        m_secrets.append(secret);
    }
}

void AuthSessionTest::refreshRotatesTheRefreshToken()
{
    const auto tokens = signIn(*m_server);
    QVERIFY(!tokens.refreshToken.isEmpty());
    AuthSession session(m_network, m_server->url(QStringLiteral("/")));
    QSignalSpy signedIn(&session, &AuthSession::signedInChanged);
    QSignalSpy refreshTokens(&session, &AuthSession::refreshTokenChanged);
    QSignalSpy accessTokens(&session, &AuthSession::accessTokenChanged);
    QSignalSpy failed(&session, &AuthSession::refreshFailed);

    session.begin(tokens);
    QVERIFY(session.isSignedIn());
    QCOMPARE(signedIn.count(), 1);
    QCOMPARE(session.accessToken(), tokens.accessToken);
    QCOMPARE(refreshTokens.count(), 1); // the keychain keeps the first one
    QCOMPARE(refreshTokens.at(0).at(0).toString(), tokens.refreshToken);
    const auto expiry = session.accessTokenExpiry();
    QVERIFY(expiry > QDateTime::currentDateTimeUtc().addSecs(590));
    QVERIFY(expiry <= QDateTime::currentDateTimeUtc().addSecs(600));

    session.refreshNow();
    QVERIFY(session.isRefreshing());
    session.refreshNow(); // not a second request
    QTRY_COMPARE(refreshTokens.count(), 2);
    QVERIFY(!session.isRefreshing());
    const QString rotated = refreshTokens.at(1).at(0).toString();
    remember(rotated);
    remember(session.accessToken());
    QVERIFY(!rotated.isEmpty());
    QVERIFY(rotated != tokens.refreshToken);
    QCOMPARE(accessTokens.count(), 2);
    QVERIFY(!session.accessToken().isEmpty());
    QCOMPARE(me(*m_server, session.accessToken()), 200);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(signedIn.count(), 1);

    // The rotated one works once more from here (and rotates again)...
    session.refreshNow();
    QTRY_COMPARE(refreshTokens.count(), 3);
    remember(refreshTokens.at(2).at(0).toString());
    remember(session.accessToken());
    QVERIFY(refreshTokens.at(2).at(0).toString() != rotated);
    QCOMPARE(me(*m_server, session.accessToken()), 200);
}

void AuthSessionTest::reusingARotatedTokenEndsTheSession()
{
    const auto tokens = signIn(*m_server);
    AuthSession session(m_network, m_server->url(QStringLiteral("/")));
    QSignalSpy refreshTokens(&session, &AuthSession::refreshTokenChanged);
    QSignalSpy signedOut(&session, &AuthSession::signedOut);
    session.begin(tokens);
    session.refreshNow();
    QTRY_COMPARE(refreshTokens.count(), 2);
    remember(refreshTokens.at(1).at(0).toString());
    remember(session.accessToken());

    // The old refresh token no longer works; presenting it revokes its whole family on the
    // server (reuse detection), so the session's current one is refused as well.
    const auto old = refreshDirectly(*m_server, tokens.refreshToken);
    QCOMPARE(old.status, 400);
    QCOMPARE(old.json().value(QLatin1String("error")).toString(), QStringLiteral("invalid_grant"));
    session.refreshNow();
    QTRY_COMPARE(signedOut.count(), 1);
    QCOMPARE(signedOut.at(0).at(0).value<AuthSession::SignOutReason>(),
             AuthSession::SignOutReason::SessionEnded);
    QVERIFY(!session.isSignedIn());
    QVERIFY(session.accessToken().isEmpty());
    QCOMPARE(refreshTokens.last().at(0).toString(), QString());
}

void AuthSessionTest::silentRefreshBeforeExpiry()
{
    const auto tokens = signIn(*m_shortLived);
    QCOMPARE(tokens.expiresIn, std::chrono::seconds{2});
    AuthSession session(m_network, m_shortLived->url(QStringLiteral("/")));
    QSignalSpy failed(&session, &AuthSession::refreshFailed);
    // When each renewal began, and until when the token it replaces was valid.
    QList<QPair<QDateTime, QDateTime>> renewals;
    QStringList accessTokens;
    connect(&session, &AuthSession::refreshingChanged, this, [&](bool refreshing) {
        if (refreshing) {
            renewals.append({QDateTime::currentDateTimeUtc(), session.accessTokenExpiry()});
        }
    });
    connect(&session, &AuthSession::accessTokenChanged, this, [&] {
        accessTokens.append(session.accessToken());
        remember(session.accessToken());
    });
    connect(&session, &AuthSession::refreshTokenChanged, this,
            [&](const QString &token) { remember(token); });

    session.begin(tokens);
    // Two renewals without anyone asking, each begun before the token it replaces expired.
    QTRY_VERIFY_WITH_TIMEOUT(accessTokens.size() >= 3, 15000);
    QVERIFY(renewals.size() >= 2);
    for (const auto &[begun, expiry] : std::as_const(renewals)) {
        QVERIFY(expiry.isValid());
        QVERIFY2(begun < expiry, "a renewal began after the token expired");
    }
    for (qsizetype i = 1; i < accessTokens.size(); ++i) {
        QVERIFY(!accessTokens.at(i).isEmpty());
        QVERIFY(accessTokens.at(i) != accessTokens.at(i - 1));
    }
    QCOMPARE(failed.count(), 0);
    QVERIFY(session.isSignedIn());
    // The current token works (asked again if it expired on the way).
    QTRY_COMPARE_WITH_TIMEOUT(me(*m_shortLived, session.accessToken()), 200, 10000);
}

void AuthSessionTest::signOutRevokesOnTheServer()
{
    const auto tokens = signIn(*m_server);
    AuthSession session(m_network, m_server->url(QStringLiteral("/")));
    session.begin(tokens);
    QSignalSpy signedIn(&session, &AuthSession::signedInChanged);
    QSignalSpy refreshTokens(&session, &AuthSession::refreshTokenChanged);
    QSignalSpy signedOut(&session, &AuthSession::signedOut);

    session.signOut();
    // Forgotten here at once: the keychain is told to delete its copy.
    QVERIFY(!session.isSignedIn());
    QVERIFY(session.accessToken().isEmpty());
    QCOMPARE(signedIn.count(), 1);
    QCOMPARE(signedIn.at(0).at(0).toBool(), false);
    QCOMPARE(refreshTokens.count(), 1);
    QCOMPARE(refreshTokens.at(0).at(0).toString(), QString());
    // Revoked on the server.
    QTRY_COMPARE(signedOut.count(), 1);
    QCOMPARE(signedOut.at(0).at(0).value<AuthSession::SignOutReason>(),
             AuthSession::SignOutReason::UserSignedOut);
    QCOMPARE(signedOut.at(0).at(1).toString(), QString());
    const auto refused = refreshDirectly(*m_server, tokens.refreshToken);
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));
    // Nothing left to refresh with.
    session.refreshNow();
    QVERIFY(!session.isRefreshing());
}

void AuthSessionTest::revokedRefreshTokenSignsOut()
{
    const auto tokens = signIn(*m_server);
    AuthSession session(m_network, m_server->url(QStringLiteral("/")));
    session.begin(tokens);
    QSignalSpy refreshTokens(&session, &AuthSession::refreshTokenChanged);
    QSignalSpy signedOut(&session, &AuthSession::signedOut);
    QSignalSpy failed(&session, &AuthSession::refreshFailed);

    // Ended elsewhere (another device, an administrator).
    const auto revoked =
        httpRequest(m_network, "POST", m_server->url(QStringLiteral("/oauth/revoke")),
                    {{"Content-Type", "application/x-www-form-urlencoded"}},
                    formEncode({{QStringLiteral("token"), tokens.refreshToken},
                                {QStringLiteral("client_id"), QStringLiteral("toolhub-desktop")}}));
    QCOMPARE(revoked.status, 200);

    session.refreshNow();
    QTRY_COMPARE(signedOut.count(), 1);
    QCOMPARE(signedOut.at(0).at(0).value<AuthSession::SignOutReason>(),
             AuthSession::SignOutReason::SessionEnded);
    QVERIFY(signedOut.at(0).at(1).toString().contains(QLatin1String("Sign in again")));
    QCOMPARE(failed.count(), 0);
    QVERIFY(!session.isSignedIn());
    QVERIFY(session.accessToken().isEmpty());
    QCOMPARE(refreshTokens.count(), 1);
    QCOMPARE(refreshTokens.at(0).at(0).toString(), QString());
}

void AuthSessionTest::restoreFetchesAnAccessToken()
{
    const auto tokens = signIn(*m_server);
    // A new run of the app, with the refresh token from the keychain.
    AuthSession session(m_network, m_server->url(QStringLiteral("/")));
    QSignalSpy refreshTokens(&session, &AuthSession::refreshTokenChanged);
    QSignalSpy accessTokens(&session, &AuthSession::accessTokenChanged);
    session.restore(tokens.refreshToken);
    QVERIFY(session.isSignedIn());
    QVERIFY(session.accessToken().isEmpty());
    QTRY_COMPARE(accessTokens.count(), 1);
    remember(session.accessToken());
    QCOMPARE(me(*m_server, session.accessToken()), 200);
    QCOMPARE(refreshTokens.count(), 1);
    remember(refreshTokens.at(0).at(0).toString());
    QVERIFY(refreshTokens.at(0).at(0).toString() != tokens.refreshToken);
}

void AuthSessionTest::refreshCallbackReportsTheOutcome()
{
    AuthSession session(m_network, m_server->url(QStringLiteral("/")));
    int calls = 0;
    bool outcome = true;
    session.refreshNow([&](bool haveToken) {
        ++calls;
        outcome = haveToken;
    });
    QTRY_COMPARE(calls, 1);
    QVERIFY(!outcome); // not signed in

    session.begin(signIn(*m_server));
    calls = 0;
    session.refreshNow([&](bool haveToken) {
        ++calls;
        outcome = haveToken;
        remember(session.accessToken());
    });
    QTRY_COMPARE(calls, 1);
    QVERIFY(outcome);
    QCOMPARE(me(*m_server, session.accessToken()), 200);
}

void AuthSessionTest::unreachableServerKeepsTheSessionAndRetries()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    AuthSession session(m_network, QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(closedPort)));
    session.setRetryDelay(std::chrono::milliseconds{200});
    QSignalSpy failed(&session, &AuthSession::refreshFailed);
    QSignalSpy signedOut(&session, &AuthSession::signedOut);
    session.begin({QStringLiteral("access"), QStringLiteral("refresh"), std::chrono::seconds{600}});
    session.refreshNow();
    QTRY_VERIFY(failed.count() >= 2); // tried again by itself
    QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::Network);
    QCOMPARE(signedOut.count(), 0);
    QVERIFY(session.isSignedIn());
    QCOMPARE(session.accessToken(), QStringLiteral("access")); // still valid for a while
}

QTEST_GUILESS_MAIN(AuthSessionTest)

#include "auth_session_test.moc"
