#pragma once

#include "http_client.h"
#include "server_process.h"

#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QString>
#include <QUrl>

// A browser for tests: its own cookie jar; redirects are followed by the caller.
class TestBrowser {
public:
    TestBrowser();

    HttpExchange get(const QUrl &url);
    HttpExchange postForm(const QUrl &url, const QList<QPair<QString, QString>> &fields);

    // What a person does with the app's sign-in page in the browser: opens `authorizeUrl`,
    // signs in on the server's form as `login`, and follows the redirect back to the app's
    // loopback listener. Returns the listener's answer (or the exchange that went wrong);
    // `code` gets the authorization code seen on the way, when there was one.
    HttpExchange signIn(ServerProcess &server, const QUrl &authorizeUrl, const QString &login,
                        const QString &password, QString *code = nullptr);

private:
    QNetworkAccessManager m_network;
};
