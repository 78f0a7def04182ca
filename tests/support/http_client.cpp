#include "http_client.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

QByteArray HttpExchange::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

QJsonObject HttpExchange::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpExchange httpRequest(QNetworkAccessManager &network, const QByteArray &method, const QUrl &url,
                         const QList<QPair<QByteArray, QByteArray>> &headers,
                         const QByteArray &body, int timeoutMs)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
    }
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();

    HttpExchange exchange;
    if (!reply->isFinished()) {
        reply->abort();
        exchange.error = QStringLiteral("timed out");
    } else {
        exchange.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        exchange.body = reply->readAll();
        exchange.headers = reply->rawHeaderPairs();
        if (reply->error() != QNetworkReply::NoError && exchange.status == 0) {
            exchange.error = reply->errorString();
        }
    }
    reply->deleteLater();
    return exchange;
}
