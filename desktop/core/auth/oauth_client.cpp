#include "core/auth/oauth_client.h"

#include "core/logging.h"
#include "toolhub/crypto.h"
#include "toolhub/sha256.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <limits>
#include <utility>

namespace {

constexpr qint64 maxAnswerBytes = qint64{64} * 1024;
constexpr qsizetype maxTokenLength = qsizetype{8} * 1024;

QByteArray formEncode(const QList<QPair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty()) {
            body += '&';
        }
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

// A token goes into an Authorization header and a form: printable ASCII, no spaces.
bool isPlausibleToken(const QString &token)
{
    if (token.isEmpty() || token.size() > maxTokenLength) {
        return false;
    }
    for (const QChar c : token) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f) {
            return false;
        }
    }
    return true;
}

OAuthFailure unreadable()
{
    return {TaskError::Server,
            {},
            QCoreApplication::translate("OAuthClient",
                                        "The server's answer to the sign-in could not be read.")};
}

toolhub::Result<OAuthTokens, OAuthFailure> parseTokens(const QByteArray &body)
{
    const auto document = QJsonDocument::fromJson(body);
    if (!document.isObject()) {
        return toolhub::fail(unreadable());
    }
    const auto object = document.object();
    OAuthTokens tokens;
    tokens.accessToken = object.value(QLatin1String("access_token")).toString();
    tokens.refreshToken = object.value(QLatin1String("refresh_token")).toString();
    const auto type = object.value(QLatin1String("token_type")).toString();
    const auto expiresIn = object.value(QLatin1String("expires_in")).toInteger(-1);
    if (!isPlausibleToken(tokens.accessToken) || !isPlausibleToken(tokens.refreshToken) ||
        type.compare(QLatin1String("Bearer"), Qt::CaseInsensitive) != 0 || expiresIn <= 0 ||
        expiresIn > std::numeric_limits<int>::max()) {
        return toolhub::fail(unreadable());
    }
    tokens.expiresIn = std::chrono::seconds{expiresIn};
    return tokens;
}

bool isOk(QNetworkReply *reply)
{
    return reply->error() == QNetworkReply::NoError &&
           reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
}

// The failure an answer other than 200 stands for.
OAuthFailure failureOf(QNetworkReply *reply, const QByteArray &body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        return {TaskError::Network, {}, reply->errorString()};
    }
    const auto object = QJsonDocument::fromJson(body).object();
    const auto error = object.value(QLatin1String("error")).toString().left(100);
    if (!error.isEmpty()) {
        // RFC 6749 §5.2.
        const auto description = object.value(QLatin1String("error_description")).toString();
        return {error == QLatin1String("invalid_grant") ? TaskError::NotSignedIn
                                                        : TaskError::Server,
                error, (description.isEmpty() ? error : description).left(500)};
    }
    // RFC 9457 problem+json, or anything else.
    const auto detail = object.value(QLatin1String("detail")).toString();
    auto message =
        QCoreApplication::translate("OAuthClient", "The server answered HTTP %1.").arg(status);
    if (!detail.isEmpty()) {
        message += QLatin1Char(' ') + detail.left(500);
    }
    return {TaskError::Server, {}, message};
}

} // namespace

QString pkceChallenge(const QString &verifier)
{
    toolhub::Sha256 hash;
    hash.update(verifier.toStdString());
    const auto digest = hash.finish();
    return QString::fromStdString(
        toolhub::toBase64(digest, toolhub::Base64Variant::UrlSafeNoPadding));
}

OAuthClient::OAuthClient(QNetworkAccessManager &network, QUrl serverUrl)
    : m_network(network), m_serverUrl(std::move(serverUrl))
{}

QUrl OAuthClient::endpoint(QLatin1StringView path) const
{
    QUrl base = m_serverUrl.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (!base.path().endsWith(QLatin1Char('/'))) {
        base.setPath(base.path() + QLatin1Char('/'));
    }
    return base.resolved(QUrl(path));
}

QUrl OAuthClient::authorizeUrl(const QString &redirectUri, const QString &state,
                               const QString &codeChallenge) const
{
    const QList<QPair<QString, QString>> fields{
        {QStringLiteral("response_type"), QStringLiteral("code")},
        {QStringLiteral("client_id"), desktopClientId},
        {QStringLiteral("redirect_uri"), redirectUri},
        {QStringLiteral("state"), state},
        {QStringLiteral("code_challenge"), codeChallenge},
        {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
    };
    QUrl url = endpoint(QLatin1StringView("oauth/authorize"));
    url.setQuery(QString::fromLatin1(formEncode(fields)), QUrl::StrictMode);
    return url;
}

QNetworkReply *OAuthClient::post(QLatin1StringView path,
                                 const QList<QPair<QString, QString>> &fields) const
{
    QNetworkRequest request(endpoint(path));
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setTransferTimeout(static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(requestTimeout).count()));
    return m_network.post(request, formEncode(fields));
}

QNetworkReply *OAuthClient::exchangeCode(const QString &code, const QString &redirectUri,
                                         const QString &codeVerifier, QObject *context,
                                         TokenCallback done) const
{
    qCDebug(lcAuth) << "exchanging the authorization code at" << m_serverUrl.host();
    return requestTokens({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                          {QStringLiteral("code"), code},
                          {QStringLiteral("redirect_uri"), redirectUri},
                          {QStringLiteral("client_id"), desktopClientId},
                          {QStringLiteral("code_verifier"), codeVerifier}},
                         context, std::move(done));
}

QNetworkReply *OAuthClient::refresh(const QString &refreshToken, QObject *context,
                                    TokenCallback done) const
{
    qCDebug(lcAuth) << "refreshing the access token at" << m_serverUrl.host();
    return requestTokens({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                          {QStringLiteral("refresh_token"), refreshToken},
                          {QStringLiteral("client_id"), desktopClientId}},
                         context, std::move(done));
}

QNetworkReply *OAuthClient::requestTokens(const QList<QPair<QString, QString>> &fields,
                                          QObject *context, TokenCallback done) const
{
    auto *reply = post(QLatin1StringView("oauth/token"), fields);
    QObject::connect(reply, &QNetworkReply::finished, context, [reply, done = std::move(done)] {
        reply->deleteLater();
        const QByteArray body = reply->read(maxAnswerBytes);
        if (isOk(reply)) {
            done(parseTokens(body));
        } else {
            done(toolhub::fail(failureOf(reply, body)));
        }
    });
    return reply;
}

QNetworkReply *OAuthClient::revoke(const QString &token, QObject *context,
                                   RevokeCallback done) const
{
    qCDebug(lcAuth) << "revoking the sign-in at" << m_serverUrl.host();
    auto *reply = post(QLatin1StringView("oauth/revoke"),
                       {{QStringLiteral("token"), token},
                        {QStringLiteral("token_type_hint"), QStringLiteral("refresh_token")},
                        {QStringLiteral("client_id"), desktopClientId}});
    QObject::connect(reply, &QNetworkReply::finished, context, [reply, done = std::move(done)] {
        reply->deleteLater();
        const QByteArray body = reply->read(maxAnswerBytes);
        if (isOk(reply)) {
            done({});
        } else {
            done(toolhub::fail(failureOf(reply, body)));
        }
    });
    return reply;
}

void OAuthClient::abandon(QNetworkReply *reply)
{
    if (reply == nullptr) {
        return;
    }
    reply->disconnect();
    reply->abort();
    reply->deleteLater();
}
