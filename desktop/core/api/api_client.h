#pragma once

#include "core/registry/registry.h"
#include "core/task.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

// An answer of the customer API, from the server or from the registry's copy.
struct ApiReply {
    int status = 0; // the server's HTTP status; 200 for a copy served from the registry
    QByteArray body;
    bool fromCache = false; // the registry's copy: revalidated (304) or served while offline
    // When the server last gave or confirmed this body: now, or (a copy served without the
    // server) when the copy was fetched.
    QDateTime fetchedAt;
    std::optional<TaskError> error;
    QString message; // with an error: the specifics, for a person

    [[nodiscard]] bool ok() const { return !error.has_value(); }
};

// The customer API for the app, over Qt Network (system proxy, TLS errors never ignored):
// requests carry the signed-in user's access token; catalog reads are revalidated with
// If-None-Match against the copy in the registry, and served from that copy when the server
// cannot be reached, with `offline` telling the UI to say so.
//
//   getCatalog(path) --200--> store copy, answer ------------------------ online
//                    --304--> answer the copy --------------------------- online
//                    --no connection--> answer the copy (if any) -------- offline
//                    --401--> refresh the token once and repeat, else NotSignedIn
class ApiClient : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool offline READ isOffline NOTIFY offlineChanged)

public:
    using TokenProvider = std::function<QByteArray()>;
    // How asking for a new access token ended.
    enum class Refresh {
        Refreshed,      // there is a new one
        SignInRequired, // the sign-in is over (refused, revoked, signed out)
        Unreachable,    // it could not be renewed now (no connection, server error); still
                        // signed in
    };
    // Asks for a new access token and calls back once with how that ended.
    using TokenRefresher = std::function<void(std::function<void(Refresh)>)>;
    using Callback = std::function<void(const ApiReply &)>;

    ApiClient(QNetworkAccessManager &network, QUrl server, TokenProvider token, Registry &registry,
              QObject *parent = nullptr);
    ~ApiClient() override;

    void setTokenRefresher(TokenRefresher refresher) { m_refresher = std::move(refresher); }

    [[nodiscard]] QUrl server() const { return m_server; }
    [[nodiscard]] bool isOffline() const { return m_offline; }

    // A catalog read ("/api/v1/products"), revalidated and kept as described above. `done` is
    // called once, in this object's thread, unless `context` is gone by then.
    void getCatalog(const QString &path, const QObject *context, Callback done);
    // The copy of a catalog read kept in the registry, without asking the server: fromCache,
    // or a Network error when there is none. Answered later, from the event loop.
    void getCached(const QString &path, const QObject *context, Callback done);
    // A read that is never cached (signed manifests).
    void get(const QString &path, const QObject *context, Callback done);

    // A POST of a JSON body (reports to the server); never cached, never answered offline.
    void post(const QString &path, const QByteArray &json, const QObject *context, Callback done);

    // The error for an HTTP status of the customer API (2xx and 304: none).
    [[nodiscard]] static std::optional<TaskError> errorForStatus(int status);

Q_SIGNALS:
    void offlineChanged(bool offline);
    // The server refused the token even after a refresh: the user must sign in again.
    void signInRequired();

private:
    struct Request;
    void send(std::shared_ptr<Request> request);
    void finished(QNetworkReply *reply, const std::shared_ptr<Request> &request);
    void setOffline(bool offline);
    [[nodiscard]] QString serverKey() const;

    QNetworkAccessManager &m_network;
    QUrl m_server;
    TokenProvider m_token;
    TokenRefresher m_refresher;
    Registry &m_registry;
    bool m_offline = false;
};
