#include "test_browser.h"

#include "form.h"

#include <QNetworkCookieJar>
#include <QUrlQuery>
#include <QtDebug>

TestBrowser::TestBrowser()
{
    m_network.setCookieJar(new QNetworkCookieJar(&m_network));
}

HttpExchange TestBrowser::get(const QUrl &url)
{
    return httpRequest(m_network, "GET", url);
}

HttpExchange TestBrowser::postForm(const QUrl &url, const QList<QPair<QString, QString>> &fields)
{
    return httpRequest(m_network, "POST", url,
                       {{"Content-Type", "application/x-www-form-urlencoded"}}, formEncode(fields));
}

HttpExchange TestBrowser::signIn(ServerProcess &server, const QUrl &authorizeUrl,
                                 const QString &login, const QString &password, QString *code)
{
    auto reply = get(authorizeUrl);
    if (reply.status == 302 && reply.header("Location").startsWith("/signin")) {
        const auto form = get(server.url(QString::fromUtf8(reply.header("Location"))));
        const auto posted = postForm(
            server.url(QStringLiteral("/signin")),
            {{QStringLiteral("csrf_token"), hiddenField(form.body, QStringLiteral("csrf_token"))},
             {QStringLiteral("next"), hiddenField(form.body, QStringLiteral("next"))},
             {QStringLiteral("login"), login},
             {QStringLiteral("password"), password}});
        if (posted.status != 303) {
            qWarning() << "signing in answered" << posted.status;
            return posted;
        }
        reply = get(server.url(QString::fromUtf8(posted.header("Location"))));
    }
    if (reply.status != 302) {
        qWarning() << "authorize answered" << reply.status;
        return reply;
    }
    const QUrl callback(QString::fromUtf8(reply.header("Location")));
    if (code) {
        *code = QUrlQuery(callback).queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    }
    // The browser follows the redirect to the app.
    return get(callback);
}
