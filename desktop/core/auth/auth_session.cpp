#include "core/auth/auth_session.h"

#include "core/logging.h"

#include <QNetworkReply>

#include <algorithm>
#include <utility>

namespace {

// QTimer takes an int of milliseconds.
constexpr std::chrono::milliseconds maxTimerDelay{std::chrono::hours{24}};

} // namespace

AuthSession::AuthSession(QNetworkAccessManager &network, QUrl serverUrl, QObject *parent)
    : QObject(parent), m_client(network, std::move(serverUrl))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] { refreshNow(); });
}

AuthSession::~AuthSession()
{
    OAuthClient::abandon(m_refresh);
}

void AuthSession::begin(const OAuthTokens &tokens)
{
    const bool wasSignedIn = isSignedIn();
    cancelRefresh();
    ++m_signOuts; // a revocation still under way no longer reports
    adopt(tokens);
    notifyWaiters(true);
    qCInfo(lcAuth) << "session started";
    if (!wasSignedIn) {
        Q_EMIT signedInChanged(true);
    }
}

void AuthSession::restore(const QString &refreshToken)
{
    if (refreshToken.isEmpty()) {
        return;
    }
    const bool wasSignedIn = isSignedIn();
    cancelRefresh();
    ++m_signOuts;
    m_accessToken.clear();
    m_expiry = {};
    m_refreshToken = refreshToken;
    qCInfo(lcAuth) << "session restored from a kept refresh token";
    if (!wasSignedIn) {
        Q_EMIT signedInChanged(true);
    }
    refreshNow();
}

QString AuthSession::accessToken() const
{
    if (m_accessToken.isEmpty() || !m_expiry.isValid() ||
        QDateTime::currentDateTimeUtc() >= m_expiry) {
        return {};
    }
    return m_accessToken;
}

void AuthSession::refreshNow()
{
    if (!isSignedIn() || m_refresh != nullptr) {
        return;
    }
    m_timer.stop();
    m_refresh = m_client.refresh(
        m_refreshToken, this, [this](toolhub::Result<OAuthTokens, OAuthFailure> result) {
            m_refresh = nullptr;
            Q_EMIT refreshingChanged(false);
            if (result) {
                qCInfo(lcAuth) << "access token refreshed";
                adopt(*result);
                notifyWaiters(true);
                return;
            }
            const auto &failure = result.error();
            if (failure.code == TaskError::NotSignedIn) {
                qCInfo(lcAuth) << "the server refused the refresh token:" << failure.message;
                endSession(tr("Your sign-in has ended (it expired, or was ended on the server "
                              "or on another device). Sign in again."));
                return;
            }
            qCWarning(lcAuth) << "the access token could not be refreshed:" << failure.message;
            schedule(m_retryDelay);
            Q_EMIT refreshFailed(failure.code, failure.message);
            notifyWaiters(false);
        });
    Q_EMIT refreshingChanged(true);
}

void AuthSession::refreshNow(std::function<void(bool)> done)
{
    if (!isSignedIn()) {
        QMetaObject::invokeMethod(
            this, [done = std::move(done)] { done(false); }, Qt::QueuedConnection);
        return;
    }
    m_waiters.push_back(std::move(done));
    refreshNow();
}

void AuthSession::notifyWaiters(bool haveToken)
{
    const auto waiters = std::exchange(m_waiters, {});
    for (const auto &done : waiters) {
        done(haveToken);
    }
}

void AuthSession::signOut()
{
    if (!isSignedIn()) {
        return;
    }
    const QString refreshToken = m_refreshToken;
    clear();
    const quint64 signOut = ++m_signOuts;
    qCInfo(lcAuth) << "signing out";
    m_client.revoke(
        refreshToken, this, [this, signOut](toolhub::Result<void, OAuthFailure> result) {
            if (signOut != m_signOuts) {
                return; // signed in again meanwhile
            }
            if (result) {
                qCInfo(lcAuth) << "signed out; the server revoked the sign-in";
                Q_EMIT signedOut(SignOutReason::UserSignedOut, {});
                return;
            }
            qCWarning(lcAuth) << "the server could not revoke the sign-in:"
                              << result.error().message;
            Q_EMIT signedOut(SignOutReason::UserSignedOut,
                             tr("You are signed out on this computer, but the server could not be "
                                "told: %1")
                                 .arg(result.error().message));
        });
}

void AuthSession::adopt(const OAuthTokens &tokens)
{
    m_accessToken = tokens.accessToken;
    m_expiry = QDateTime::currentDateTimeUtc().addSecs(tokens.expiresIn.count());
    const auto lifetime = std::chrono::duration_cast<std::chrono::milliseconds>(tokens.expiresIn);
    schedule(std::chrono::milliseconds{
        static_cast<qint64>(static_cast<double>(lifetime.count()) * m_refreshFraction)});
    if (tokens.refreshToken != m_refreshToken) {
        m_refreshToken = tokens.refreshToken;
        Q_EMIT refreshTokenChanged(m_refreshToken);
    }
    Q_EMIT accessTokenChanged();
}

void AuthSession::clear()
{
    cancelRefresh();
    m_timer.stop();
    m_accessToken.clear();
    m_expiry = {};
    m_refreshToken.clear();
    notifyWaiters(false);
    Q_EMIT refreshTokenChanged(QString());
    Q_EMIT accessTokenChanged();
    Q_EMIT signedInChanged(false);
}

void AuthSession::cancelRefresh()
{
    if (m_refresh == nullptr) {
        return;
    }
    OAuthClient::abandon(m_refresh);
    m_refresh = nullptr;
    Q_EMIT refreshingChanged(false);
}

void AuthSession::endSession(const QString &message)
{
    clear();
    ++m_signOuts;
    Q_EMIT signedOut(SignOutReason::SessionEnded, message);
}

void AuthSession::schedule(std::chrono::milliseconds delay)
{
    m_timer.start(std::clamp(delay, std::chrono::milliseconds{0}, maxTimerDelay));
}
