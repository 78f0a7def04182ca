#include "core/auth/browser_sign_in.h"

#include "core/auth/loopback_listener.h"
#include "core/logging.h"
#include "toolhub/crypto.h"

#include <QNetworkReply>
#include <QUrlQuery>

#include <utility>

namespace {

constexpr qsizetype maxErrorDescription = 300;

// Compares in time independent of where the strings differ.
bool sameSecret(const QString &a, const QString &b)
{
    const QByteArray left = a.toUtf8();
    const QByteArray right = b.toUtf8();
    return toolhub::constantTimeEqual(
        toolhub::asBytes(std::string_view(left.constData(), static_cast<std::size_t>(left.size()))),
        toolhub::asBytes(
            std::string_view(right.constData(), static_cast<std::size_t>(right.size()))));
}

// The one value of `name`; empty when it is missing or given more than once.
QString single(const QUrlQuery &query, const QString &name)
{
    const auto values = query.allQueryItemValues(name, QUrl::FullyDecoded);
    return values.size() == 1 ? values.front() : QString();
}

} // namespace

BrowserSignIn::BrowserSignIn(QNetworkAccessManager &network, QUrl serverUrl, UrlOpener openUrl,
                             QObject *parent)
    : Task(parent), m_client(network, std::move(serverUrl)), m_openUrl(std::move(openUrl))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        qCInfo(lcAuth) << "the browser sign-in timed out";
        failWith(TaskError::NotSignedIn,
                 tr("The sign-in was not completed in time. Sign in again when you are ready."));
    });
}

BrowserSignIn::~BrowserSignIn()
{
    stop();
}

quint16 BrowserSignIn::listeningPort() const
{
    return m_listener != nullptr ? m_listener->port() : quint16{0};
}

void BrowserSignIn::run()
{
    const QUrl &server = m_client.serverUrl();
    if (!server.isValid() || server.host().isEmpty() ||
        (server.scheme() != QLatin1String("https") && server.scheme() != QLatin1String("http"))) {
        fail(TaskError::Internal, tr("The server address is not valid."));
        return;
    }
    m_listener = new LoopbackListener(QStringLiteral("/callback"), this);
    connect(m_listener, &LoopbackListener::callbackReceived, this, &BrowserSignIn::onCallback);
    if (!m_listener->listen()) {
        qCWarning(lcAuth) << "cannot listen on the loopback interface:"
                          << m_listener->errorString();
        failWith(TaskError::Internal,
                 tr("Toolhub cannot receive the sign-in answer on this computer: %1")
                     .arg(m_listener->errorString()));
        return;
    }
    m_verifier = QString::fromStdString(toolhub::randomToken(32));
    m_state = QString::fromStdString(toolhub::randomToken(32));
    m_redirectUri = m_listener->redirectUri();
    m_authorizeUrl = m_client.authorizeUrl(m_redirectUri, m_state, pkceChallenge(m_verifier));
    m_timer.start(m_timeout);
    setStatusText(tr("Sign in in your browser to continue."));
    qCInfo(lcAuth) << "browser sign-in started at" << server.host() << "listening on port"
                   << m_listener->port();

    const bool opened = m_openUrl && m_openUrl(m_authorizeUrl);
    if (state() != State::Running) {
        return; // canceled from the opener
    }
    if (!opened) {
        qCWarning(lcAuth) << "the browser could not be opened for the sign-in";
        setStatusText(tr("Your browser could not be opened. Open this address in it to sign in: %1")
                          .arg(m_authorizeUrl.toString(QUrl::FullyEncoded)));
        Q_EMIT browserNotOpened(m_authorizeUrl);
    }
}

void BrowserSignIn::abort()
{
    qCInfo(lcAuth) << "the browser sign-in was canceled";
    stop();
}

void BrowserSignIn::onCallback(const QString &query)
{
    if (state() != State::Running || m_reply != nullptr) {
        return; // the listener answers 400
    }
    const QUrlQuery items(query);
    if (!sameSecret(single(items, QStringLiteral("state")), m_state)) {
        qCWarning(lcAuth) << "refused a sign-in answer whose state does not belong to this sign-in";
        m_listener->answerCallback(
            400, tr("Sign-in refused"),
            tr("This answer does not belong to the sign-in Toolhub started. Go back to Toolhub "
               "and sign in again."));
        failWith(TaskError::NotSignedIn,
                 tr("The sign-in answer did not belong to this app, so it was refused. Sign in "
                    "again."));
        return;
    }
    const QString error = single(items, QStringLiteral("error"));
    if (!error.isEmpty() || items.hasQueryItem(QStringLiteral("error"))) {
        const QString description =
            single(items, QStringLiteral("error_description")).left(maxErrorDescription);
        qCInfo(lcAuth) << "the server answered the sign-in with" << error.left(64);
        m_listener->answerCallback(200, tr("Sign-in not completed"),
                                   tr("You can close this tab and go back to Toolhub."));
        if (error == QLatin1String("access_denied")) {
            failWith(TaskError::NotSignedIn, tr("The sign-in was declined."));
        } else {
            failWith(TaskError::Server,
                     tr("The server refused the sign-in request: %1")
                         .arg(description.isEmpty() ? error.left(64) : description));
        }
        return;
    }
    const QString code = single(items, QStringLiteral("code"));
    if (code.isEmpty() || code.size() > 1024) {
        m_listener->answerCallback(400, tr("Sign-in not completed"),
                                   tr("You can close this tab and go back to Toolhub."));
        failWith(TaskError::Server, tr("The server's sign-in answer had no usable code."));
        return;
    }
    m_listener->answerCallback(200, tr("Signed in to Toolhub"), tr("You can close this tab."));
    m_listener->close();
    exchange(code);
}

void BrowserSignIn::exchange(const QString &code)
{
    setStatusText(tr("Completing the sign-in..."));
    m_reply = m_client.exchangeCode(
        code, m_redirectUri, m_verifier, this,
        [this](toolhub::Result<OAuthTokens, OAuthFailure> result) {
            m_reply = nullptr;
            if (!result) {
                const auto &failure = result.error();
                qCWarning(lcAuth) << "the authorization code was not exchanged:"
                                  << failure.oauthError << failure.message;
                switch (failure.code) {
                case TaskError::Network:
                    failWith(TaskError::Network,
                             tr("The server could not be reached to complete the sign-in: %1")
                                 .arg(failure.message));
                    break;
                case TaskError::NotSignedIn:
                    failWith(TaskError::NotSignedIn,
                             tr("The server did not accept the sign-in (%1). Sign in again.")
                                 .arg(failure.message));
                    break;
                default:
                    failWith(failure.code, failure.message);
                    break;
                }
                return;
            }
            m_tokens = std::move(result).value();
            stop();
            qCInfo(lcAuth) << "signed in with the browser";
            succeed();
        });
}

void BrowserSignIn::stop()
{
    m_timer.stop();
    if (m_listener != nullptr) {
        m_listener->close();
    }
    OAuthClient::abandon(m_reply);
    m_reply = nullptr;
    m_verifier.clear();
    m_state.clear();
}

void BrowserSignIn::failWith(TaskError error, const QString &message)
{
    stop();
    fail(error, message);
}
