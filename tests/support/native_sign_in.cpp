#include "native_sign_in.h"

#include "form.h"
#include "http_client.h"

#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QRandomGenerator>
#include <QUrlQuery>

namespace {

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QJsonObject failed(QString *error, const QString &message)
{
    if (error != nullptr) {
        *error = message;
    }
    return {};
}

} // namespace

QJsonObject signInNative(ServerProcess &server, const QString &login, const QString &password,
                         QString *error)
{
    QNetworkAccessManager browser;
    browser.setCookieJar(new QNetworkCookieJar(&browser));

    QByteArray random(32, '\0');
    for (auto &byte : random) {
        byte = static_cast<char>(QRandomGenerator::global()->bounded(256));
    }
    const QByteArray verifier = base64Url(random);
    const QByteArray challenge =
        base64Url(QCryptographicHash::hash(verifier, QCryptographicHash::Sha256));
    const QString redirectUri = QStringLiteral("http://127.0.0.1:49152/callback");
    const QString state = QStringLiteral("state-%1").arg(QRandomGenerator::global()->generate());

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("client_id"), QStringLiteral("toolhub-desktop"));
    query.addQueryItem(QStringLiteral("redirect_uri"),
                       QString::fromLatin1(QUrl::toPercentEncoding(redirectUri)));
    query.addQueryItem(QStringLiteral("state"), state);
    query.addQueryItem(QStringLiteral("code_challenge"), QString::fromLatin1(challenge));
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    QUrl authorize = server.url(QStringLiteral("/oauth/authorize"));
    authorize.setQuery(query.query(QUrl::FullyEncoded), QUrl::StrictMode);

    auto reply = httpRequest(browser, "GET", authorize);
    if (reply.header("Location").startsWith("/signin")) {
        const auto next = QUrlQuery(QUrl(QString::fromUtf8(reply.header("Location"))))
                              .queryItemValue(QStringLiteral("next"), QUrl::FullyDecoded);
        QUrl formUrl = server.url(QStringLiteral("/signin"));
        formUrl.setQuery(QStringLiteral("next=") +
                             QString::fromLatin1(QUrl::toPercentEncoding(next)),
                         QUrl::StrictMode);
        const auto form = httpRequest(browser, "GET", formUrl);
        const auto signedIn = httpRequest(
            browser, "POST", server.url(QStringLiteral("/signin")),
            {{"Content-Type", "application/x-www-form-urlencoded"}},
            formEncode({{QStringLiteral("csrf_token"),
                         hiddenField(form.body, QStringLiteral("csrf_token"))},
                        {QStringLiteral("next"), hiddenField(form.body, QStringLiteral("next"))},
                        {QStringLiteral("login"), login},
                        {QStringLiteral("password"), password}}));
        if (signedIn.status != 303) {
            return failed(error, QStringLiteral("sign-in answered %1").arg(signedIn.status));
        }
        reply =
            httpRequest(browser, "GET", server.url(QString::fromUtf8(signedIn.header("Location"))));
    }
    const QUrl location(QString::fromUtf8(reply.header("Location")));
    const QUrlQuery answer(location);
    if (reply.status != 302 || !reply.header("Location").startsWith(redirectUri.toUtf8()) ||
        answer.queryItemValue(QStringLiteral("state")) != state) {
        return failed(error, QStringLiteral("authorize answered %1 %2")
                                 .arg(reply.status)
                                 .arg(QString::fromUtf8(reply.header("Location"))));
    }
    const auto tokens = httpRequest(
        browser, "POST", server.url(QStringLiteral("/oauth/token")),
        {{"Content-Type", "application/x-www-form-urlencoded"}},
        formEncode({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                    {QStringLiteral("client_id"), QStringLiteral("toolhub-desktop")},
                    {QStringLiteral("code"),
                     answer.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded)},
                    {QStringLiteral("redirect_uri"), redirectUri},
                    {QStringLiteral("code_verifier"), QString::fromLatin1(verifier)}}));
    if (tokens.status != 200) {
        return failed(error, QStringLiteral("token endpoint answered %1: %2")
                                 .arg(tokens.status)
                                 .arg(QString::fromUtf8(tokens.body)));
    }
    return tokens.json();
}
