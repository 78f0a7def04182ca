#pragma once

#include "core/auth/oauth_client.h"
#include "core/task.h"

#include <QNetworkReply>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>

class LoopbackListener;
class QNetworkAccessManager;

// Signs the user in with the system browser (RFC 8252): the server's /oauth/authorize page opens
// in the browser, which comes back to a listener on 127.0.0.1 with an authorization code; PKCE
// (S256) binds the code to this run, a random state binds the answer to it. The tokens are
// read with tokens() once succeeded() is emitted.
//
//   Ready --start()--> Waiting (listener open, browser opened or address shown)
//     Waiting --GET /callback, right state, code--> Exchanging --tokens--> Succeeded
//     Waiting --wrong or missing state--> Failed (NotSignedIn), no token request made
//     Waiting --error=... from the server--> Failed (NotSignedIn or Server)
//     Exchanging --refused / unreachable--> Failed (Server, NotSignedIn or Network)
//     Waiting, Exchanging --timeout--> Failed (NotSignedIn); --cancel()--> Canceled
//
// The listener stops taking connections as soon as the answer arrived or the sign-in ended;
// other requests to it (a favicon, another path, garbage) are refused and change nothing.
// If the browser cannot be opened, browserNotOpened() gives the address for the user to open
// by hand, and the sign-in keeps waiting.
class BrowserSignIn : public Task {
    Q_OBJECT

public:
    // Opens a URL in the system browser; the UI passes QDesktopServices::openUrl.
    using UrlOpener = std::function<bool(const QUrl &)>;

    // `network` must outlive this object; `serverUrl` is the server's base address.
    BrowserSignIn(QNetworkAccessManager &network, QUrl serverUrl, UrlOpener openUrl,
                  QObject *parent = nullptr);
    ~BrowserSignIn() override;

    // How long the user has from start() to being signed in. Set before start().
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    [[nodiscard]] std::chrono::milliseconds timeout() const { return m_timeout; }

    // The page the browser is sent to; set by start().
    [[nodiscard]] QUrl authorizeUrl() const { return m_authorizeUrl; }
    // The loopback address the browser comes back to; set by start().
    [[nodiscard]] QString redirectUri() const { return m_redirectUri; }
    // The listener's port while it takes connections, else 0.
    [[nodiscard]] quint16 listeningPort() const;
    // Valid once succeeded() was emitted.
    [[nodiscard]] const OAuthTokens &tokens() const { return m_tokens; }

    static constexpr std::chrono::minutes defaultTimeout{5};

Q_SIGNALS:
    // The browser could not be opened: the user may open `authorizeUrl` by hand. The sign-in
    // keeps waiting for the answer until the timeout.
    void browserNotOpened(const QUrl &authorizeUrl);

protected:
    void run() override;
    void abort() override;

private:
    void onCallback(const QString &query);
    void exchange(const QString &code);
    // Closes the listener, stops the timer and any request.
    void stop();
    void failWith(TaskError error, const QString &message);

    OAuthClient m_client;
    UrlOpener m_openUrl;
    std::chrono::milliseconds m_timeout = defaultTimeout;
    LoopbackListener *m_listener = nullptr;
    QTimer m_timer;
    QPointer<QNetworkReply> m_reply;
    QString m_verifier;
    QString m_state;
    QString m_redirectUri;
    QUrl m_authorizeUrl;
    OAuthTokens m_tokens;
};
