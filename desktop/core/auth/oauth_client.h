#pragma once

#include "core/task.h"
#include "toolhub/result.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QObject;

// The client id the server knows the desktop app by.
inline constexpr QLatin1StringView desktopClientId{"toolhub-desktop"};

// What the server's token endpoint hands out (RFC 6749 §5.1). Held in memory only; never logged.
struct OAuthTokens {
    QString accessToken;
    QString refreshToken;
    std::chrono::seconds expiresIn{0};
};

// Why a request to the token or revocation endpoint did not give what was asked.
// `code` is Network (no HTTP answer, TLS refused), NotSignedIn (the grant was refused:
// invalid_grant) or Server (any other error answer, or one that cannot be read).
// `oauthError` is the RFC 6749 §5.2 error code when the server sent one.
struct OAuthFailure {
    TaskError code = TaskError::Internal;
    QString oauthError;
    QString message;
};

// The app's side of the server's OAuth endpoints (/oauth/authorize, /oauth/token,
// /oauth/revoke) over Qt Network. Form-encoded POSTs, no redirects followed, TLS errors never
// ignored, answers read up to 64 KiB. Each call returns at once and reports once, on `context`'s
// thread, unless `context` is destroyed first or the reply is given to abandon().
class OAuthClient {
public:
    using TokenCallback = std::function<void(toolhub::Result<OAuthTokens, OAuthFailure>)>;
    using RevokeCallback = std::function<void(toolhub::Result<void, OAuthFailure>)>;

    // `serverUrl` is the server's base address (https://toolhub.example.com or with a path
    // prefix); `network` must outlive every request.
    OAuthClient(QNetworkAccessManager &network, QUrl serverUrl);

    [[nodiscard]] const QUrl &serverUrl() const { return m_serverUrl; }
    // `path` (without a leading '/') under the server's base address.
    [[nodiscard]] QUrl endpoint(QLatin1StringView path) const;

    // /oauth/authorize for the code flow with PKCE S256 (RFC 7636).
    [[nodiscard]] QUrl authorizeUrl(const QString &redirectUri, const QString &state,
                                    const QString &codeChallenge) const;

    // grant_type=authorization_code.
    QNetworkReply *exchangeCode(const QString &code, const QString &redirectUri,
                                const QString &codeVerifier, QObject *context,
                                TokenCallback done) const;
    // grant_type=refresh_token; the answer carries a new refresh token (rotation).
    QNetworkReply *refresh(const QString &refreshToken, QObject *context, TokenCallback done) const;
    // RFC 7009 revocation of a refresh token (and with it its whole family on the server).
    QNetworkReply *revoke(const QString &token, QObject *context, RevokeCallback done) const;

    // Stops a request without reporting it.
    static void abandon(QNetworkReply *reply);

    static constexpr std::chrono::seconds requestTimeout{30};

private:
    QNetworkReply *requestTokens(const QList<QPair<QString, QString>> &fields, QObject *context,
                                 TokenCallback done) const;
    QNetworkReply *post(QLatin1StringView path, const QList<QPair<QString, QString>> &fields) const;

    QNetworkAccessManager &m_network;
    QUrl m_serverUrl;
};

// BASE64URL(SHA-256(verifier)), the S256 code challenge of RFC 7636 §4.2.
[[nodiscard]] QString pkceChallenge(const QString &verifier);
