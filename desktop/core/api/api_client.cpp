#include "core/api/api_client.h"

#include "core/logging.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace {

// Bodies above this are refused: no catalog answer is anywhere near it.
constexpr qint64 maxBodySize = 32 * 1024 * 1024;
constexpr int transferTimeoutMs = 30'000;

bool isConnectionError(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::UnknownProxyError:
        return true;
    default:
        return false;
    }
}

} // namespace

struct ApiClient::Request {
    QString path;
    QByteArray method = "GET";
    QByteArray body; // JSON, for POST
    bool catalog = false;
    bool retried = false; // after a token refresh
    std::optional<CachedResponse> copy;
    QPointer<const QObject> context;
    bool hasContext = false;
    Callback done;

    void answer(const ApiReply &reply) const
    {
        if (hasContext && context.isNull()) {
            return;
        }
        done(reply);
    }
};

ApiClient::ApiClient(QNetworkAccessManager &network, QUrl server, TokenProvider token,
                     Registry &registry, QObject *parent)
    : QObject(parent), m_network(network), m_server(std::move(server)), m_token(std::move(token)),
      m_registry(registry)
{}

ApiClient::~ApiClient() = default;

QString ApiClient::serverKey() const
{
    return m_server.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment)
        .toString();
}

std::optional<TaskError> ApiClient::errorForStatus(int status)
{
    if ((status >= 200 && status < 300) || status == 304) {
        return std::nullopt;
    }
    if (status == 401) {
        return TaskError::NotSignedIn;
    }
    if (status == 403 || status == 404) {
        return TaskError::NotEntitled;
    }
    return TaskError::Server;
}

void ApiClient::getCatalog(const QString &path, const QObject *context, Callback done)
{
    auto request = std::make_shared<Request>();
    request->path = path;
    request->catalog = true;
    request->context = context;
    request->hasContext = context != nullptr;
    request->done = std::move(done);
    if (auto copy = m_registry.cachedResponse(serverKey(), path); copy && *copy) {
        request->copy = **copy;
    }
    send(std::move(request));
}

void ApiClient::getCached(const QString &path, const QObject *context, Callback done)
{
    ApiReply answer;
    if (auto copy = m_registry.cachedResponse(serverKey(), path); copy && *copy) {
        answer.status = 200;
        answer.body = (*copy)->body;
        answer.fromCache = true;
        answer.fetchedAt = (*copy)->fetchedAt;
    } else {
        answer.error = TaskError::Network;
        answer.message = tr("%1 was never read from the server.").arg(path);
    }
    QPointer<const QObject> guard(context);
    const bool hasContext = context != nullptr;
    QMetaObject::invokeMethod(
        this,
        [guard, hasContext, answer, done = std::move(done)] {
            if (!hasContext || guard) {
                done(answer);
            }
        },
        Qt::QueuedConnection);
}

void ApiClient::get(const QString &path, const QObject *context, Callback done)
{
    auto request = std::make_shared<Request>();
    request->path = path;
    request->context = context;
    request->hasContext = context != nullptr;
    request->done = std::move(done);
    send(std::move(request));
}

void ApiClient::post(const QString &path, const QByteArray &json, const QObject *context,
                     Callback done)
{
    auto request = std::make_shared<Request>();
    request->path = path;
    request->method = "POST";
    request->body = json;
    request->context = context;
    request->hasContext = context != nullptr;
    request->done = std::move(done);
    send(std::move(request));
}

void ApiClient::send(std::shared_ptr<Request> request)
{
    // `path` may carry a query ("/api/v1/products?limit=200"), already percent-encoded.
    QUrl url = m_server;
    const qsizetype question = request->path.indexOf(QLatin1Char('?'));
    url.setPath(m_server.path(QUrl::FullyEncoded) + request->path.left(question),
                QUrl::TolerantMode);
    if (question >= 0) {
        url.setQuery(request->path.mid(question + 1));
    }
    QNetworkRequest http(url);
    http.setRawHeader("Accept", "application/json");
    http.setRawHeader("Authorization", "Bearer " + m_token());
    // The bearer token must never follow a redirect to another host.
    http.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                      QNetworkRequest::SameOriginRedirectPolicy);
    http.setTransferTimeout(transferTimeoutMs);
    if (request->copy && !request->copy->etag.isEmpty()) {
        http.setRawHeader("If-None-Match", request->copy->etag);
    }
    QNetworkReply *reply = nullptr;
    if (request->method == "POST") {
        http.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = m_network.post(http, request->body);
    } else {
        reply = m_network.get(http);
    }
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > maxBodySize) {
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, request] { finished(reply, request); });
}

void ApiClient::finished(QNetworkReply *reply, const std::shared_ptr<Request> &request)
{
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    ApiReply answer;
    answer.status = status;
    answer.fetchedAt = QDateTime::currentDateTimeUtc();

    if (status == 0) {
        // No HTTP answer at all: the server (or the way to it) is not there.
        const bool connection = isConnectionError(reply->error());
        if (connection) {
            setOffline(true);
        }
        if (connection && request->catalog && request->copy) {
            answer.status = 200;
            answer.body = request->copy->body;
            answer.fromCache = true;
            answer.fetchedAt = request->copy->fetchedAt;
            request->answer(answer);
            return;
        }
        answer.error = TaskError::Network;
        answer.message = reply->errorString();
        qCInfo(lcApi) << request->method << request->path << "failed:" << reply->errorString();
        request->answer(answer);
        return;
    }
    setOffline(false);

    if (status == 401 && !request->retried && m_refresher) {
        request->retried = true;
        QPointer<ApiClient> self(this);
        m_refresher([self, request](Refresh refreshed) {
            if (!self) {
                return;
            }
            if (refreshed == Refresh::Refreshed) {
                self->send(request);
                return;
            }
            if (refreshed == Refresh::Unreachable) {
                ApiReply later;
                later.status = 401;
                later.error = TaskError::Network;
                later.message = tr("Your sign-in could not be renewed just now. Try again.");
                request->answer(later);
                return;
            }
            ApiReply refused;
            refused.status = 401;
            refused.error = TaskError::NotSignedIn;
            refused.message = tr("Your sign-in has ended. Sign in again.");
            Q_EMIT self->signInRequired();
            request->answer(refused);
        });
        return;
    }
    if (status == 401) {
        Q_EMIT signInRequired();
    }

    answer.error = errorForStatus(status);
    if (answer.error) {
        answer.body = reply->readAll();
        answer.message = tr("The server answered %1 for %2.").arg(status).arg(request->path);
        request->answer(answer);
        return;
    }
    if (status == 304 && request->copy) {
        answer.status = 200;
        answer.body = request->copy->body;
        answer.fromCache = true;
        request->answer(answer);
        return;
    }
    answer.body = reply->readAll();
    if (request->catalog) {
        const CachedResponse copy{reply->rawHeader("ETag"), answer.body,
                                  QDateTime::currentDateTimeUtc()};
        if (auto stored = m_registry.storeResponse(serverKey(), request->path, copy); !stored) {
            qCWarning(lcApi) << "cannot keep the catalog for offline use:"
                             << QString::fromStdString(stored.error().message);
        }
    }
    request->answer(answer);
}

void ApiClient::setOffline(bool offline)
{
    if (offline == m_offline) {
        return;
    }
    m_offline = offline;
    Q_EMIT offlineChanged(m_offline);
}
