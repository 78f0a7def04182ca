// The desktop app's browser sign-in (RFC 8252) against the real toolhub-server: the test plays
// the system browser, from the authorize page through the server's sign-in form to the app's
// loopback listener; the app checks the state, answers the browser and exchanges the code.

#include "core/auth/browser_sign_in.h"

#include "form.h"
#include "http_client.h"
#include "server_process.h"
#include "test_browser.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>

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

// Everything the app logged, to check that no secret reaches a log.
QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    capturedLog.append(message);
    if (previousHandler != nullptr) {
        previousHandler(type, context, message);
    }
}

using Browser = TestBrowser;

QUrl locationOf(const HttpExchange &reply)
{
    return QUrl(QString::fromUtf8(reply.header("Location")));
}

// Whether something accepts TCP connections on 127.0.0.1:port.
bool acceptsConnections(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(3000);
}

// Sends raw bytes to the listener and returns what it answered before closing.
QByteArray sendRaw(quint16 port, const QByteArray &bytes)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(3000)) {
        return {};
    }
    socket.write(bytes);
    QByteArray answer;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() != QAbstractSocket::UnconnectedState && clock.elapsed() < 10000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        socket.waitForReadyRead(20);
        answer += socket.readAll();
    }
    answer += socket.readAll();
    return answer;
}

} // namespace

class BrowserSignInTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void signsInThroughTheBrowser();
    void wrongStateIsRefusedWithoutTokenRequest();
    void accessDeniedEndsTheSignIn();
    void errorRedirectOfTheServerEndsTheSignIn();
    void codeTheServerRefusesFails();
    void unreachableServerFailsAsNetwork();
    void browserThatCannotOpenLeavesTheAddressToOpenByHand();
    void abandonedSignInTimesOut();
    void cancelStopsListening();
    void garbageBeforeTheAnswerDoesNotBreakTheFlow();

private:
    // The sign-in under test, with an opener that records the URL it was given.
    std::unique_ptr<BrowserSignIn> makeSignIn(bool openerWorks = true, const QUrl &server = {});
    // Plays the browser from the authorize page to the app's listener; returns the listener's
    // answer to the browser.
    HttpExchange browse(Browser &browser, const QUrl &authorizeUrl);
    [[nodiscard]] int tokenRequests();
    void remember(const BrowserSignIn &signIn);

    std::unique_ptr<ServerProcess> m_server;
    QNetworkAccessManager m_network; // the app's
    QList<QUrl> m_opened;            // what the browser was asked to open
    QStringList m_secrets;           // tokens and codes seen, which must never be logged
};

void BrowserSignInTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLoggingCategory::setFilterRules(QStringLiteral("toolhub.auth*=true"));
    previousHandler = qInstallMessageHandler(captureMessage);

    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    environment.insert(QStringLiteral("TOOLHUB_THREADS"), QStringLiteral("2"));
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void BrowserSignInTest::cleanupTestCase()
{
    qInstallMessageHandler(previousHandler);
    QVERIFY(!m_secrets.isEmpty());
    QVERIFY(!capturedLog.isEmpty());
    const QString log = capturedLog.join(QLatin1Char('\n'));
    for (const auto &secret : std::as_const(m_secrets)) {
        QVERIFY2(!log.contains(secret), "a token or code was logged");
    }
    if (m_server) {
        QCOMPARE(m_server->terminate(), 0);
    }
}

std::unique_ptr<BrowserSignIn> BrowserSignInTest::makeSignIn(bool openerWorks, const QUrl &server)
{
    m_opened.clear();
    return std::make_unique<BrowserSignIn>(
        m_network, server.isEmpty() ? m_server->url(QStringLiteral("/")) : server,
        [this, openerWorks](const QUrl &url) {
            m_opened.append(url);
            return openerWorks;
        });
}

HttpExchange BrowserSignInTest::browse(Browser &browser, const QUrl &authorizeUrl)
{
    QString code;
    auto answer = browser.signIn(*m_server, authorizeUrl, login(), password(), &code);
    if (!code.isEmpty()) {
        m_secrets << code;
    }
    return answer;
}

int BrowserSignInTest::tokenRequests()
{
    // A request of its own first, so that anything sent before it has been logged.
    httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")));
    int count = 0;
    for (const auto &record : m_server->logRecords()) {
        if (record.value(QLatin1String("url.path")).toString() == QLatin1String("/oauth/token")) {
            ++count;
        }
    }
    return count;
}

void BrowserSignInTest::remember(const BrowserSignIn &signIn)
{
    m_secrets << signIn.tokens().accessToken << signIn.tokens().refreshToken;
    m_secrets.removeAll(QString());
}

void BrowserSignInTest::signsInThroughTheBrowser()
{
    auto signIn = makeSignIn();
    QSignalSpy started(signIn.get(), &Task::started);
    QSignalSpy succeeded(signIn.get(), &Task::succeeded);
    QSignalSpy failed(signIn.get(), &Task::failed);
    const int tokenRequestsBefore = tokenRequests();
    signIn->start();
    QCOMPARE(started.count(), 1);
    QCOMPARE(signIn->state(), Task::State::Running);

    // The browser is opened at the server's authorize page, with PKCE S256 and a state.
    QCOMPARE(m_opened.size(), 1);
    const QUrl authorize = m_opened.front();
    QCOMPARE(authorize, signIn->authorizeUrl());
    QCOMPARE(authorize.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(authorize.port(), int{m_server->port()});
    QCOMPARE(authorize.path(), QStringLiteral("/oauth/authorize"));
    const QUrlQuery query(authorize);
    QCOMPARE(query.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
    QCOMPARE(query.queryItemValue(QStringLiteral("client_id")), QStringLiteral("toolhub-desktop"));
    QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
    QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge")).size(), 43);
    QVERIFY(query.queryItemValue(QStringLiteral("state")).size() >= 43);
    const QUrl redirect(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    QCOMPARE(redirect.toString(), signIn->redirectUri());
    QCOMPARE(redirect.scheme(), QStringLiteral("http"));
    QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(redirect.port(), int{signIn->listeningPort()});
    QCOMPARE(redirect.path(), QStringLiteral("/callback"));
    QVERIFY(signIn->listeningPort() != 0);
    const quint16 port = signIn->listeningPort();

    // The user signs in in the browser, which then comes back to the app.
    Browser browser;
    const auto answer = browse(browser, authorize);
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.header("Content-Type").startsWith("text/html"));
    QVERIFY(answer.body.contains("Signed in to Toolhub"));
    QVERIFY(answer.body.contains("You can close this tab."));
    QVERIFY(!answer.body.contains("src=") && !answer.body.contains("href="));
    QVERIFY(answer.header("Content-Security-Policy").contains("default-src 'none'"));
    QCOMPARE(answer.header("Cache-Control"), QByteArray("no-store"));
    QCOMPARE(answer.header("Referrer-Policy"), QByteArray("no-referrer"));

    QTRY_COMPARE(succeeded.count(), 1);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(signIn->state(), Task::State::Succeeded);
    remember(*signIn);
    const auto &tokens = signIn->tokens();
    QVERIFY(!tokens.accessToken.isEmpty());
    QVERIFY(tokens.refreshToken.size() >= 43);
    QCOMPARE(tokens.expiresIn, std::chrono::seconds{600});
    QCOMPARE(tokenRequests(), tokenRequestsBefore + 1);

    // The listener is gone, and the token works.
    QCOMPARE(signIn->listeningPort(), quint16{0});
    QVERIFY(!acceptsConnections(port));
    const auto me = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/me")),
                                {{"Authorization", "Bearer " + tokens.accessToken.toLatin1()}});
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value(QLatin1String("login")).toString(), login());
}

void BrowserSignInTest::wrongStateIsRefusedWithoutTokenRequest()
{
    auto signIn = makeSignIn();
    QSignalSpy succeeded(signIn.get(), &Task::succeeded);
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const quint16 port = signIn->listeningPort();
    QVERIFY(acceptsConnections(port));
    const int tokenRequestsBefore = tokenRequests();

    // A real code from the server, but with a state this sign-in did not make.
    Browser browser;
    auto reply = browser.get(signIn->authorizeUrl());
    QCOMPARE(reply.status, 302);
    const auto form = browser.get(m_server->url(QString::fromUtf8(reply.header("Location"))));
    const auto posted = browser.postForm(
        m_server->url(QStringLiteral("/signin")),
        {{QStringLiteral("csrf_token"), hiddenField(form.body, QStringLiteral("csrf_token"))},
         {QStringLiteral("next"), hiddenField(form.body, QStringLiteral("next"))},
         {QStringLiteral("login"), login()},
         {QStringLiteral("password"), password()}});
    QCOMPARE(posted.status, 303);
    reply = browser.get(m_server->url(QString::fromUtf8(posted.header("Location"))));
    QCOMPARE(reply.status, 302);
    QUrl callback = locationOf(reply);
    QUrlQuery query(callback);
    m_secrets << query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    query.removeAllQueryItems(QStringLiteral("state"));
    query.addQueryItem(QStringLiteral("state"), QStringLiteral("another-state-0123456789"));
    callback.setQuery(query);

    const auto answer = browser.get(callback);
    QCOMPARE(answer.status, 400);
    QVERIFY(answer.body.contains("does not belong"));
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::NotSignedIn);
    QVERIFY(failed.at(0).at(1).toString().contains(QLatin1String("did not belong to this app")));
    QCOMPARE(succeeded.count(), 0);
    QVERIFY(!acceptsConnections(port));
    QCOMPARE(tokenRequests(), tokenRequestsBefore);
}

void BrowserSignInTest::accessDeniedEndsTheSignIn()
{
    auto signIn = makeSignIn();
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const quint16 port = signIn->listeningPort();
    const auto state = QUrlQuery(signIn->authorizeUrl()).queryItemValue(QStringLiteral("state"));
    const int tokenRequestsBefore = tokenRequests();

    // What the server sends back when the user declines.
    Browser browser;
    const auto answer = browser.get(
        QUrl(signIn->redirectUri() +
             QStringLiteral("?error=access_denied&error_description=declined&state=") + state));
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.body.contains("You can close this tab"));
    QVERIFY(!answer.body.contains("Signed in"));
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::NotSignedIn);
    QCOMPARE(signIn->state(), Task::State::Failed);
    QVERIFY(!acceptsConnections(port));
    QCOMPARE(tokenRequests(), tokenRequestsBefore);
}

void BrowserSignInTest::errorRedirectOfTheServerEndsTheSignIn()
{
    auto signIn = makeSignIn();
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const quint16 port = signIn->listeningPort();

    // A request the server refuses back to the app (RFC 6749 §4.1.2.1), with the real state.
    QUrl authorize = signIn->authorizeUrl();
    QUrlQuery query(authorize);
    query.removeAllQueryItems(QStringLiteral("code_challenge_method"));
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("plain"));
    authorize.setQuery(query);
    Browser browser;
    const auto reply = browser.get(authorize);
    QCOMPARE(reply.status, 302);
    QVERIFY(reply.header("Location").startsWith(signIn->redirectUri().toLatin1()));
    const auto answer = browser.get(locationOf(reply));
    QCOMPARE(answer.status, 200);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::Server);
    QVERIFY2(failed.at(0).at(1).toString().contains(QLatin1String("S256")),
             qPrintable(failed.at(0).at(1).toString()));
    QVERIFY(!acceptsConnections(port));
}

void BrowserSignInTest::codeTheServerRefusesFails()
{
    auto signIn = makeSignIn();
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const auto state = QUrlQuery(signIn->authorizeUrl()).queryItemValue(QStringLiteral("state"));
    const int tokenRequestsBefore = tokenRequests();

    Browser browser;
    const auto answer =
        browser.get(QUrl(signIn->redirectUri() +
                         QStringLiteral("?code=not-a-code-the-server-issued&state=") + state));
    QCOMPARE(answer.status, 200);
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::NotSignedIn);
    QCOMPARE(tokenRequests(), tokenRequestsBefore + 1);
    QCOMPARE(signIn->listeningPort(), quint16{0});
}

void BrowserSignInTest::unreachableServerFailsAsNetwork()
{
    // A port nothing listens on.
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    auto signIn = makeSignIn(true, QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(closedPort)));
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const auto state = QUrlQuery(signIn->authorizeUrl()).queryItemValue(QStringLiteral("state"));
    Browser browser;
    browser.get(QUrl(signIn->redirectUri() + QStringLiteral("?code=abc&state=") + state));
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::Network);
    QCOMPARE(signIn->listeningPort(), quint16{0});
}

void BrowserSignInTest::browserThatCannotOpenLeavesTheAddressToOpenByHand()
{
    auto signIn = makeSignIn(false);
    QSignalSpy notOpened(signIn.get(), &BrowserSignIn::browserNotOpened);
    QSignalSpy succeeded(signIn.get(), &Task::succeeded);
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    QCOMPARE(m_opened.size(), 1);
    QCOMPARE(notOpened.count(), 1);
    const QUrl address = notOpened.at(0).at(0).toUrl();
    QCOMPARE(address, signIn->authorizeUrl());
    QVERIFY2(signIn->statusText().contains(address.toString(QUrl::FullyEncoded)),
             qPrintable(signIn->statusText()));
    QCOMPARE(signIn->state(), Task::State::Running);
    const quint16 port = signIn->listeningPort();
    QVERIFY(acceptsConnections(port));

    // The user opens the address by hand.
    Browser browser;
    QCOMPARE(browse(browser, address).status, 200);
    QTRY_COMPARE(succeeded.count(), 1);
    QCOMPARE(failed.count(), 0);
    remember(*signIn);
    QVERIFY(!acceptsConnections(port));
}

void BrowserSignInTest::abandonedSignInTimesOut()
{
    auto signIn = makeSignIn();
    signIn->setTimeout(std::chrono::milliseconds{300});
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const quint16 port = signIn->listeningPort();
    QVERIFY(acceptsConnections(port));
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::NotSignedIn);
    QVERIFY(failed.at(0).at(1).toString().contains(QLatin1String("in time")));
    QCOMPARE(signIn->state(), Task::State::Failed);
    QCOMPARE(signIn->listeningPort(), quint16{0});
    QVERIFY(!acceptsConnections(port));
}

void BrowserSignInTest::cancelStopsListening()
{
    auto signIn = makeSignIn();
    QSignalSpy canceled(signIn.get(), &Task::canceled);
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const quint16 port = signIn->listeningPort();
    const auto state = QUrlQuery(signIn->authorizeUrl()).queryItemValue(QStringLiteral("state"));
    QVERIFY(acceptsConnections(port));
    signIn->cancel();
    QCOMPARE(canceled.count(), 1);
    QCOMPARE(signIn->state(), Task::State::Canceled);
    QCOMPARE(signIn->listeningPort(), quint16{0});
    QVERIFY(!acceptsConnections(port));
    // A late answer has nowhere to go.
    Browser browser;
    QCOMPARE(
        browser.get(QUrl(signIn->redirectUri() + QStringLiteral("?code=x&state=") + state)).status,
        0);
    QCOMPARE(failed.count(), 0);
}

void BrowserSignInTest::garbageBeforeTheAnswerDoesNotBreakTheFlow()
{
    auto signIn = makeSignIn();
    QSignalSpy succeeded(signIn.get(), &Task::succeeded);
    QSignalSpy failed(signIn.get(), &Task::failed);
    signIn->start();
    const quint16 port = signIn->listeningPort();

    // A connection that says nothing stays open meanwhile.
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(silent.waitForConnected(3000));

    QByteArray random(4096, '\0');
    for (auto &byte : random) {
        byte = static_cast<char>(QRandomGenerator::global()->bounded(256));
    }
    random[0] = '\x01';
    QVERIFY(sendRaw(port, random).startsWith("HTTP/1.1 400 "));
    QVERIFY(sendRaw(port, "HELLO\r\n\r\n").startsWith("HTTP/1.1 400 "));
    const QByteArray longLine =
        "GET /callback?" + QByteArray(qsizetype{100} * 1024, 'a') + " HTTP/1.1\r\n\r\n";
    const QByteArray tooLong = sendRaw(port, longLine);
    QVERIFY2(tooLong.isEmpty() || tooLong.startsWith("HTTP/1.1 414 "),
             tooLong.left(40).constData());
    const QByteArray manyHeaders =
        "GET /callback?code=x HTTP/1.1\r\n" + QByteArray(qsizetype{20} * 1024, 'h') + "\r\n\r\n";
    const QByteArray tooLarge = sendRaw(port, manyHeaders);
    QVERIFY2(tooLarge.isEmpty() || tooLarge.startsWith("HTTP/1.1 431 "),
             tooLarge.left(40).constData());
    QVERIFY(sendRaw(port, "POST /callback HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                .startsWith("HTTP/1.1 405 "));
    Browser browser;
    const QUrl base(signIn->redirectUri());
    QCOMPARE(browser.get(base.resolved(QUrl(QStringLiteral("/favicon.ico")))).status, 404);
    QCOMPARE(browser.get(base.resolved(QUrl(QStringLiteral("/callbackx?code=a&state=b")))).status,
             404);
    QCOMPARE(browser.get(base.resolved(QUrl(QStringLiteral("/")))).status, 404);

    QCOMPARE(signIn->state(), Task::State::Running);
    QCOMPARE(failed.count(), 0);
    QVERIFY(acceptsConnections(port));

    // The real answer still works.
    QCOMPARE(browse(browser, signIn->authorizeUrl()).status, 200);
    QTRY_COMPARE(succeeded.count(), 1);
    QCOMPARE(failed.count(), 0);
    remember(*signIn);
    QVERIFY(!acceptsConnections(port));
    // The silent connection was dropped with the listener.
    QTRY_COMPARE(silent.state(), QAbstractSocket::UnconnectedState);
}

QTEST_GUILESS_MAIN(BrowserSignInTest)

#include "browser_sign_in_test.moc"
