#pragma once

#include "core/auth/oauth_client.h"
#include "core/task.h"

#include <QDateTime>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>
#include <vector>

class QNetworkAccessManager;

// The app's sign-in once it exists: the access token, in memory only, renewed before it expires;
// and the refresh token, which this class neither stores nor logs: the SecretStore hands it in
// with restore() and keeps what refreshTokenChanged() hands out (the server rotates it at every
// refresh, so the newest one must be kept).
//
//   SignedOut --begin(tokens)--------------> SignedIn --at 80% of the lifetime, refreshNow()--+
//   SignedOut --restore(refreshToken)--+        ^                                            |
//                                      +--> Refreshing <------------------------------------+
//   Refreshing --new tokens------------------> SignedIn (refreshTokenChanged, accessTokenChanged)
//   Refreshing --unreachable, server error---> SignedIn, retried later (refreshFailed)
//   Refreshing --refused (invalid_grant)-----> SignedOut (signedOut(SessionEnded))
//   SignedIn, Refreshing --signOut()---------> SignedOut at once; the server revokes the refresh
//                                              token, then signedOut(UserSignedOut)
class AuthSession : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool signedIn READ isSignedIn NOTIFY signedInChanged)
    Q_PROPERTY(bool refreshing READ isRefreshing NOTIFY refreshingChanged)

public:
    enum class SignOutReason {
        UserSignedOut, // signOut() was called
        SessionEnded,  // the server refused the refresh token: revoked, expired or reused
    };
    Q_ENUM(SignOutReason)

    // `network` must outlive this object; `serverUrl` is the server's base address.
    AuthSession(QNetworkAccessManager &network, QUrl serverUrl, QObject *parent = nullptr);
    ~AuthSession() override;

    // Starts a session with the tokens of a sign-in (BrowserSignIn::tokens()).
    void begin(const OAuthTokens &tokens);
    // Resumes the sign-in of an earlier run from its refresh token and fetches an access token at
    // once (accessTokenChanged(), refreshFailed() or signedOut() follows). Not emitted back with
    // refreshTokenChanged() until the server rotates it.
    void restore(const QString &refreshToken);

    // Holds a refresh token (which the server may still refuse).
    [[nodiscard]] bool isSignedIn() const { return !m_refreshToken.isEmpty(); }
    [[nodiscard]] bool isRefreshing() const { return m_refresh != nullptr; }
    // The bearer token for API calls; empty when there is none that is still valid: then call
    // refreshNow() and wait for accessTokenChanged() (or refreshFailed(), signedOut()).
    [[nodiscard]] QString accessToken() const;
    // When accessToken() stops being valid; invalid without one.
    [[nodiscard]] QDateTime accessTokenExpiry() const { return m_expiry; }

    // Gets a new access token now, e.g. after an API call was answered 401. A refresh already
    // under way is not started twice.
    void refreshNow();
    // The same, and `done` is called once when that refresh has ended: true with a new access
    // token, false without (refused, failed, signed out meanwhile, or not signed in). For
    // ApiClient::setTokenRefresher() (false with isSignedIn() still true: try again later).
    void refreshNow(std::function<void(bool)> done);
    // Forgets every token at once (refreshTokenChanged() with an empty token: delete it) and asks
    // the server to revoke the refresh token; signedOut() follows once the server answered.
    void signOut();

    // The part of an access token's lifetime after which it is renewed (default 0.8).
    void setRefreshFraction(double fraction) { m_refreshFraction = fraction; }
    // The wait before trying again after a refresh failed for a reason other than the server
    // refusing it (default 30 s).
    void setRetryDelay(std::chrono::milliseconds delay) { m_retryDelay = delay; }

Q_SIGNALS:
    void signedInChanged(bool signedIn);
    void refreshingChanged(bool refreshing);
    // A new access token is available (or, when signed out, none is).
    void accessTokenChanged();
    // The refresh token to keep from now on; empty: delete the kept one.
    void refreshTokenChanged(const QString &refreshToken);
    // A refresh did not work but the sign-in may still be good: Network or Server. Retried.
    void refreshFailed(TaskError error, const QString &message);
    // The session is over; `message` says why for SessionEnded, and for UserSignedOut is empty
    // unless the server could not be told.
    void signedOut(AuthSession::SignOutReason reason, const QString &message);

private:
    void adopt(const OAuthTokens &tokens);
    void clear();
    void cancelRefresh();
    void notifyWaiters(bool haveToken);
    void endSession(const QString &message);
    void schedule(std::chrono::milliseconds delay);

    OAuthClient m_client;
    QString m_accessToken;
    QString m_refreshToken;
    QDateTime m_expiry;
    QTimer m_timer;
    QPointer<QNetworkReply> m_refresh;
    std::vector<std::function<void(bool)>> m_waiters; // of refreshNow(done)
    quint64 m_signOuts = 0; // tells a late revocation answer from the current one
    double m_refreshFraction = 0.8;
    std::chrono::milliseconds m_retryDelay{30000};
};
