#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QUrl>

// A blocking HTTP exchange for tests, over Qt Network.
struct HttpExchange {
    int status = 0; // 0: no HTTP response (connection error, timeout)
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    QString error;

    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    [[nodiscard]] QJsonObject json() const;
};

HttpExchange httpRequest(QNetworkAccessManager &network, const QByteArray &method, const QUrl &url,
                         const QList<QPair<QByteArray, QByteArray>> &headers = {},
                         const QByteArray &body = {}, int timeoutMs = 15000);
