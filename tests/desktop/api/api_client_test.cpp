// The app's customer API client against the real server: catalog answers kept in the registry,
// revalidated with If-None-Match, served from the copy while the server is gone.

#include "core/api/api_client.h"

#include "native_sign_in.h"
#include "server_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

QStringList productSlugs(const QByteArray &body)
{
    QStringList out;
    const auto items =
        QJsonDocument::fromJson(body).object().value(QLatin1String("items")).toArray();
    for (const auto &item : items) {
        out << item.toObject().value(QLatin1String("slug")).toString();
    }
    out.sort();
    return out;
}

} // namespace

class ApiClientTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
        m_server = std::make_unique<ServerProcess>(environment);
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        QString error;
        m_token = signInNative(*m_server, QStringLiteral("alice.archer@acme.example"),
                               QStringLiteral("acme-demo-1"), &error)
                      .value(QLatin1String("access_token"))
                      .toString()
                      .toLatin1();
        QVERIFY2(!m_token.isEmpty(), qPrintable(error));
        auto registry = Registry::open(m_dir.filePath(QStringLiteral("toolhub.db")));
        QVERIFY(registry.ok());
        m_registry = std::move(registry).value();
    }

    void catalogAnswersAreKeptAndRevalidated()
    {
        ApiClient api(
            m_network, m_server->url(QString()), [this] { return m_token; }, *m_registry);
        const auto first = fetch(api, QStringLiteral("/api/v1/products"));
        QVERIFY2(first.ok(), qPrintable(first.message));
        QCOMPARE(first.status, 200);
        QVERIFY(!first.fromCache);
        QCOMPARE(productSlugs(first.body),
                 (QStringList{QStringLiteral("datastream"), QStringLiteral("fluxcad"),
                              QStringLiteral("meshlab-pro")}));
        const auto copy =
            m_registry->cachedResponse(serverKey(), QStringLiteral("/api/v1/products"));
        QVERIFY(copy.ok() && copy->has_value());
        QVERIFY(!(*copy)->etag.isEmpty());

        // Unchanged on the server: 304, and the same body from the copy.
        const auto second = fetch(api, QStringLiteral("/api/v1/products"));
        QVERIFY(second.ok());
        QVERIFY(second.fromCache);
        QCOMPARE(second.body, first.body);
        QVERIFY(!api.isOffline());
    }

    void errorsSayWhatHappened()
    {
        ApiClient api(
            m_network, m_server->url(QString()), [this] { return m_token; }, *m_registry);
        const auto missing = fetch(api, QStringLiteral("/api/v1/products/no-such-product"));
        QCOMPARE(missing.error, std::optional<TaskError>(TaskError::NotEntitled));
        QCOMPARE(missing.status, 404);

        ApiClient forged(
            m_network, m_server->url(QString()), [] { return QByteArray("forged.token"); },
            *m_registry);
        QSignalSpy signIn(&forged, &ApiClient::signInRequired);
        const auto refused = fetch(forged, QStringLiteral("/api/v1/licenses"));
        QCOMPARE(refused.error, std::optional<TaskError>(TaskError::NotSignedIn));
        QCOMPARE(signIn.count(), 1);
    }

    void aRefusedTokenIsRefreshedOnceAndRetried()
    {
        QByteArray token = "expired.token";
        int refreshes = 0;
        ApiClient api(
            m_network, m_server->url(QString()), [&token] { return token; }, *m_registry);
        api.setTokenRefresher([&](std::function<void(ApiClient::Refresh)> done) {
            ++refreshes;
            token = m_token;
            done(ApiClient::Refresh::Refreshed);
        });
        const auto reply = fetch(api, QStringLiteral("/api/v1/licenses"));
        QVERIFY2(reply.ok(), qPrintable(reply.message));
        QCOMPARE(refreshes, 1);

        token = "expired.again";
        // A refresh that could not reach the server: not signed out, just not now.
        api.setTokenRefresher([&](std::function<void(ApiClient::Refresh)> done) {
            ++refreshes;
            done(ApiClient::Refresh::Unreachable);
        });
        QSignalSpy signIn(&api, &ApiClient::signInRequired);
        const auto later = fetch(api, QStringLiteral("/api/v1/licenses"));
        QCOMPARE(later.error, std::optional<TaskError>(TaskError::Network));
        QCOMPARE(refreshes, 2);
        QCOMPARE(signIn.count(), 0);

        api.setTokenRefresher([&](std::function<void(ApiClient::Refresh)> done) {
            ++refreshes;
            done(ApiClient::Refresh::SignInRequired);
        });
        const auto refused = fetch(api, QStringLiteral("/api/v1/licenses"));
        QCOMPARE(refused.error, std::optional<TaskError>(TaskError::NotSignedIn));
        QCOMPARE(refreshes, 3);
        QCOMPARE(signIn.count(), 1);
    }

    // Last: the server goes away for good.
    void offlineTheCopyIsServed()
    {
        ApiClient api(
            m_network, m_server->url(QString()), [this] { return m_token; }, *m_registry);
        QVERIFY(fetch(api, QStringLiteral("/api/v1/products")).ok());
        QCOMPARE(m_server->terminate(), 0);

        QSignalSpy offline(&api, &ApiClient::offlineChanged);
        const auto reply = fetch(api, QStringLiteral("/api/v1/products"));
        QVERIFY2(reply.ok(), qPrintable(reply.message));
        QVERIFY(reply.fromCache);
        QCOMPARE(productSlugs(reply.body).size(), 3);
        QVERIFY(api.isOffline());
        QCOMPARE(offline.count(), 1);

        // Nothing kept for this one: a network error, no made-up answer.
        const auto unknown = fetch(api, QStringLiteral("/api/v1/products/fluxcad"));
        QCOMPARE(unknown.error, std::optional<TaskError>(TaskError::Network));
        // Manifests are never served from a copy.
        const auto manifest =
            fetch(api, QStringLiteral("/api/v1/tools/flux-cli/releases/2.0.0/manifest"), false);
        QCOMPARE(manifest.error, std::optional<TaskError>(TaskError::Network));
    }

private:
    ApiReply fetch(ApiClient &api, const QString &path, bool catalog = true)
    {
        std::optional<ApiReply> result;
        const auto done = [&result](const ApiReply &reply) { result = reply; };
        if (catalog) {
            api.getCatalog(path, this, done);
        } else {
            api.get(path, this, done);
        }
        if (!QTest::qWaitFor([&result] { return result.has_value(); }, 15000)) {
            ApiReply timedOut;
            timedOut.error = TaskError::Internal;
            timedOut.message = QStringLiteral("no answer within 15 s");
            return timedOut;
        }
        return *result;
    }

    [[nodiscard]] QString serverKey() const
    {
        return m_server->url(QString())
            .adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment)
            .toString();
    }

    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    QByteArray m_token;
    std::unique_ptr<Registry> m_registry;
    QNetworkAccessManager m_network;
};

QTEST_GUILESS_MAIN(ApiClientTest)
#include "api_client_test.moc"
