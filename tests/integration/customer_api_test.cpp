// The customer API of the real server process on the demo data, on SQLite and on PostgreSQL:
// what each organization sees, and that nothing of another organization is reachable.

#include "core/catalog/catalog.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "http_client.h"
#include "native_sign_in.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "server_process.h"
#include "test_database.h"
#include "toolhub/crypto.h"
#include "toolhub/manifest.h"
#include "toolhub/sha256.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QTcpSocket>
#include <QTest>

using toolhub::test::messageOf;
using toolhub::test::PostgresCluster;

namespace {

enum class Backend { Sqlite, Postgres };

QStringList slugs(const QJsonArray &items, const char *member = "slug")
{
    QStringList out;
    for (const auto &item : items) {
        out << item.toObject().value(QLatin1String(member)).toString();
    }
    return out;
}

} // namespace

class CustomerApiTest : public QObject {
    Q_OBJECT

public:
    explicit CustomerApiTest(Backend backend) : m_backend(backend) {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void withoutTokenIs401();
    void eachOrganizationSeesItsProducts();
    void unlicensedProductIs404LikeAMissingOne();
    void releasesStopAtMaintenanceEndAndHideYankedAndDrafts();
    void channelFilterAndUpdates();
    void licensesAreTheOrganizationsOwn();
    void manifestIsSignedAndVerifies();
    void manifestsOutsideTheEntitlementAre404();
    void artifactDownloadsAreWholeAndResumable();
    void artifactsOfOtherOrganizationsAre404();
    void documentsFollowTheirRelease();
    void catalogReadsAnswerIfNoneMatch();
    void pagingWithLimitAndCursor();
    void productListFollowsOtherWritersAndExpiry();
    void downloadsResetMidwayEndOnlyTheirConnection();

private:
    // The server's database on a connection of this test, as another process would open it.
    std::unique_ptr<toolhub::server::Database> openServerDatabase();

    HttpExchange get(const QString &token, const QString &path,
                     QList<QPair<QByteArray, QByteArray>> headers = {});

    Backend m_backend;
    std::unique_ptr<PostgresCluster> m_cluster;
    std::unique_ptr<ServerProcess> m_server;
    QNetworkAccessManager m_network;
    QString m_acme;   // alice, ACME Robotics: fluxcad, meshlab-pro, datastream
    QString m_globex; // dana, Globex: fluxcad (maintenance ended 2025-12-31), datastream
    QByteArray m_publicKey;
};

HttpExchange CustomerApiTest::get(const QString &token, const QString &path,
                                  QList<QPair<QByteArray, QByteArray>> headers)
{
    headers.append({"Authorization", "Bearer " + token.toLatin1()});
    return httpRequest(m_network, "GET", m_server->url(path), headers);
}

void CustomerApiTest::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    if (m_backend == Backend::Postgres) {
        m_cluster = std::make_unique<PostgresCluster>();
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("customer_api")),
                 qPrintable(m_cluster->errorString()));
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"),
                           m_cluster->url(QStringLiteral("customer_api")));
    }
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    for (const auto &record : m_server->logRecords()) {
        if (record.value(QLatin1String("key.public")).isString()) {
            m_publicKey = QByteArray::fromBase64(
                record.value(QLatin1String("key.public")).toString().toLatin1());
        }
    }
    QCOMPARE(m_publicKey.size(), 32);

    QString error;
    m_acme = signInNative(*m_server, QStringLiteral("alice.archer@acme.example"),
                          QStringLiteral("acme-demo-1"), &error)
                 .value(QLatin1String("access_token"))
                 .toString();
    QVERIFY2(!m_acme.isEmpty(), qPrintable(error));
    m_globex = signInNative(*m_server, QStringLiteral("dana.diaz@globex.example"),
                            QStringLiteral("globex-demo-1"), &error)
                   .value(QLatin1String("access_token"))
                   .toString();
    QVERIFY2(!m_globex.isEmpty(), qPrintable(error));
}

void CustomerApiTest::cleanupTestCase()
{
    if (m_server) {
        QCOMPARE(m_server->terminate(), 0);
    }
}

void CustomerApiTest::withoutTokenIs401()
{
    const auto reply =
        httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/products")));
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(get(QStringLiteral("forged.token"), QStringLiteral("/api/v1/licenses")).status, 401);
}

void CustomerApiTest::eachOrganizationSeesItsProducts()
{
    const auto acme = get(m_acme, QStringLiteral("/api/v1/products"));
    QCOMPARE(acme.status, 200);
    auto acmeSlugs = slugs(acme.json().value(QLatin1String("items")).toArray());
    acmeSlugs.sort();
    QCOMPARE(acmeSlugs, (QStringList{QStringLiteral("datastream"), QStringLiteral("fluxcad"),
                                     QStringLiteral("meshlab-pro")}));
    const auto globex = get(m_globex, QStringLiteral("/api/v1/products"));
    auto globexSlugs = slugs(globex.json().value(QLatin1String("items")).toArray());
    globexSlugs.sort();
    QCOMPARE(globexSlugs, (QStringList{QStringLiteral("datastream"), QStringLiteral("fluxcad")}));
}

void CustomerApiTest::unlicensedProductIs404LikeAMissingOne()
{
    const auto hidden = get(m_globex, QStringLiteral("/api/v1/products/meshlab-pro"));
    const auto missing = get(m_globex, QStringLiteral("/api/v1/products/no-such-product"));
    QCOMPARE(hidden.status, 404);
    QCOMPARE(missing.status, 404);
    // The same answer, but for the name asked about.
    QCOMPARE(hidden.json()
                 .value(QLatin1String("detail"))
                 .toString()
                 .replace(QLatin1String("meshlab-pro"), QLatin1String("<slug>")),
             missing.json()
                 .value(QLatin1String("detail"))
                 .toString()
                 .replace(QLatin1String("no-such-product"), QLatin1String("<slug>")));
    QCOMPARE(hidden.json().value(QLatin1String("code")),
             missing.json().value(QLatin1String("code")));
    QCOMPARE(
        get(m_globex, QStringLiteral("/api/v1/products/meshlab-pro/tools/meshlab-pro/releases"))
            .status,
        404);
    QCOMPARE(get(m_acme, QStringLiteral("/api/v1/products/meshlab-pro")).status, 200);
}

void CustomerApiTest::releasesStopAtMaintenanceEndAndHideYankedAndDrafts()
{
    const auto acme =
        get(m_acme, QStringLiteral("/api/v1/products/fluxcad/tools/fluxcad/releases"));
    QCOMPARE(acme.status, 200);
    QCOMPARE(slugs(acme.json().value(QLatin1String("items")).toArray(), "version"),
             (QStringList{QStringLiteral("2.1.0-beta.1"), QStringLiteral("2.0.0"),
                          QStringLiteral("1.1.0"), QStringLiteral("1.0.0")}));
    const auto globex =
        get(m_globex, QStringLiteral("/api/v1/products/fluxcad/tools/fluxcad/releases"));
    QCOMPARE(slugs(globex.json().value(QLatin1String("items")).toArray(), "version"),
             (QStringList{QStringLiteral("1.1.0"), QStringLiteral("1.0.0")}));
}

void CustomerApiTest::channelFilterAndUpdates()
{
    const auto beta =
        get(m_acme, QStringLiteral("/api/v1/products/fluxcad/tools/fluxcad/releases?channel=beta"));
    QCOMPARE(slugs(beta.json().value(QLatin1String("items")).toArray(), "version"),
             (QStringList{QStringLiteral("2.1.0-beta.1")}));
    QCOMPARE(get(m_acme,
                 QStringLiteral("/api/v1/products/fluxcad/tools/fluxcad/releases?channel=nightly"))
                 .status,
             400);

    const auto updates =
        get(m_acme, QStringLiteral("/api/v1/products/fluxcad/tools/fluxcad/updates?current=1.0.0"));
    QCOMPARE(updates.status, 200);
    QCOMPARE(slugs(updates.json().value(QLatin1String("items")).toArray(), "version"),
             (QStringList{QStringLiteral("2.0.0"), QStringLiteral("1.1.0")}));
    const auto none = get(
        m_globex, QStringLiteral("/api/v1/products/fluxcad/tools/fluxcad/updates?current=1.1.0"));
    QCOMPARE(none.json().value(QLatin1String("items")).toArray().size(), 0);
    QCOMPARE(get(m_acme, QStringLiteral("/api/v1/products/fluxcad/tools/fluxcad/updates")).status,
             400);
}

void CustomerApiTest::licensesAreTheOrganizationsOwn()
{
    const auto acme = get(m_acme, QStringLiteral("/api/v1/licenses"));
    QCOMPARE(acme.status, 200);
    const auto acmeSerials = slugs(acme.json().value(QLatin1String("items")).toArray(), "serial");
    QCOMPARE(acmeSerials.size(), 3);
    for (const auto &serial : acmeSerials) {
        QVERIFY2(serial.contains(QLatin1String("-ACME-")), qPrintable(serial));
    }
    const auto globex = get(m_globex, QStringLiteral("/api/v1/licenses"));
    const auto globexSerials =
        slugs(globex.json().value(QLatin1String("items")).toArray(), "serial");
    QCOMPARE(globexSerials.size(), 2);
    for (const auto &serial : globexSerials) {
        QVERIFY2(serial.contains(QLatin1String("-GLBX-")), qPrintable(serial));
    }
    QVERIFY(!globex.body.contains("ACME"));
}

void CustomerApiTest::manifestIsSignedAndVerifies()
{
    const auto reply = get(m_acme, QStringLiteral("/api/v1/tools/fluxcad/releases/2.0.0/manifest"));
    QCOMPARE(reply.status, 200);
    const auto json = nlohmann::json::parse(reply.body.toStdString());
    auto signedManifest = toolhub::signedManifestFromJson(json);
    QVERIFY(signedManifest.ok());
    const auto key = std::as_bytes(std::span(m_publicKey.constData(), 32));
    auto manifest = toolhub::verifyManifest(*signedManifest, key);
    QVERIFY2(manifest.ok(), manifest.ok() ? "" : manifest.error().message.c_str());
    QCOMPARE(manifest->tool, std::string{"fluxcad"});
    QCOMPARE(manifest->version.toString(), std::string{"2.0.0"});
    QCOMPARE(manifest->artifacts.size(), std::size_t{3});
    QVERIFY(manifest->expiresAt > manifest->issuedAt);

    // One changed byte of the payload and the signature no longer holds.
    auto tampered = *signedManifest;
    tampered.payload[tampered.payload.find("2.0.0")] = '3';
    QVERIFY(!toolhub::verifyManifest(tampered, key).ok());
}

void CustomerApiTest::manifestsOutsideTheEntitlementAre404()
{
    // After Globex's maintenance end, a yanked release, a draft, an unlicensed product.
    QCOMPARE(get(m_globex, QStringLiteral("/api/v1/tools/fluxcad/releases/2.0.0/manifest")).status,
             404);
    QCOMPARE(get(m_acme, QStringLiteral("/api/v1/tools/fluxcad/releases/1.2.0/manifest")).status,
             404);
    QCOMPARE(get(m_acme, QStringLiteral("/api/v1/tools/fluxcad/releases/2.1.0/manifest")).status,
             404);
    QCOMPARE(
        get(m_globex, QStringLiteral("/api/v1/tools/meshlab-pro/releases/3.0.0/manifest")).status,
        404);
    QCOMPARE(get(m_globex, QStringLiteral("/api/v1/tools/fluxcad/releases/1.1.0/manifest")).status,
             200);
}

void CustomerApiTest::artifactDownloadsAreWholeAndResumable()
{
    const auto reply = get(m_acme, QStringLiteral("/api/v1/tools/fluxcad/releases/2.0.0/manifest"));
    const auto payload = nlohmann::json::parse(
        nlohmann::json::parse(reply.body.toStdString())["payload"].get<std::string>());
    const auto &artifact = payload["artifacts"][0];
    const auto url = QString::fromStdString(artifact["download_url"].get<std::string>());
    const auto sha256 = QByteArray::fromStdString(artifact["sha256"].get<std::string>());
    const auto size = static_cast<qsizetype>(artifact["size"].get<std::uint64_t>());

    const auto whole = get(m_acme, url);
    QCOMPARE(whole.status, 200);
    QCOMPARE(whole.body.size(), size);
    QCOMPARE(QCryptographicHash::hash(whole.body, QCryptographicHash::Sha256).toHex(), sha256);
    QVERIFY(whole.header("Content-Disposition").startsWith("attachment;"));

    // Interrupted after the first half: the rest with Range + If-Range gives the same bytes.
    const auto half = size / 2;
    const auto rest = get(
        m_acme, url,
        {{"Range", "bytes=" + QByteArray::number(half) + "-"}, {"If-Range", whole.header("ETag")}});
    QCOMPARE(rest.status, 206);
    QCOMPARE(whole.body.left(half) + rest.body, whole.body);
    QCOMPARE(rest.header("Content-Range"), "bytes " + QByteArray::number(half) + "-" +
                                               QByteArray::number(size - 1) + "/" +
                                               QByteArray::number(size));
}

void CustomerApiTest::artifactsOfOtherOrganizationsAre404()
{
    const auto reply = get(m_acme, QStringLiteral("/api/v1/tools/fluxcad/releases/2.0.0/manifest"));
    const auto payload = nlohmann::json::parse(
        nlohmann::json::parse(reply.body.toStdString())["payload"].get<std::string>());
    for (const auto &artifact : payload["artifacts"]) {
        const auto url = QString::fromStdString(artifact["download_url"].get<std::string>());
        QCOMPARE(get(m_globex, url).status, 404); // after Globex's maintenance end
        QCOMPARE(get(m_acme, url).status, 200);
    }
    const auto meshlab =
        get(m_acme, QStringLiteral("/api/v1/tools/meshlab-pro/releases/3.2.0/manifest"));
    const auto meshlabPayload = nlohmann::json::parse(
        nlohmann::json::parse(meshlab.body.toStdString())["payload"].get<std::string>());
    const auto url =
        QString::fromStdString(meshlabPayload["artifacts"][0]["download_url"].get<std::string>());
    QCOMPARE(get(m_globex, url).status, 404); // a product Globex holds no license for
    QCOMPARE(
        get(m_globex, QStringLiteral("/api/v1/artifacts/00000000000000000000000000000000/download"))
            .status,
        404);
}

void CustomerApiTest::documentsFollowTheirRelease()
{
    const auto acme = get(m_acme, QStringLiteral("/api/v1/products/fluxcad")).json();
    const auto globex = get(m_globex, QStringLiteral("/api/v1/products/fluxcad")).json();
    const auto acmeDocuments = acme.value(QLatin1String("documents")).toArray();
    const auto globexDocuments = globex.value(QLatin1String("documents")).toArray();
    QVERIFY(acmeDocuments.size() > globexDocuments.size());
    QStringList globexIds = slugs(globexDocuments, "id");
    for (const auto &document : acmeDocuments) {
        const auto object = document.toObject();
        const auto id = object.value(QLatin1String("id")).toString();
        const auto path = QStringLiteral("/api/v1/resources/%1/download").arg(id);
        if (object.contains(QLatin1String("file_name"))) {
            const auto file = get(m_acme, path);
            QCOMPARE(file.status, 200);
            QCOMPARE(file.body.size(), object.value(QLatin1String("size")).toInteger());
        }
        if (!globexIds.contains(id)) {
            QCOMPARE(get(m_globex, path).status, 404); // tied to a release after maintenance end
        }
    }
}

void CustomerApiTest::catalogReadsAnswerIfNoneMatch()
{
    const auto first = get(m_acme, QStringLiteral("/api/v1/products"));
    const auto etag = first.header("ETag");
    QVERIFY(etag.startsWith('"'));
    const auto again = get(m_acme, QStringLiteral("/api/v1/products"), {{"If-None-Match", etag}});
    QCOMPARE(again.status, 304);
    QVERIFY(again.body.isEmpty());
    // Another organization's view of the same address is another representation.
    const auto globex =
        get(m_globex, QStringLiteral("/api/v1/products"), {{"If-None-Match", etag}});
    QCOMPARE(globex.status, 200);
}

void CustomerApiTest::pagingWithLimitAndCursor()
{
    const auto first = get(m_acme, QStringLiteral("/api/v1/products?limit=2"));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value(QLatin1String("items")).toArray().size(), 2);
    const auto cursor = first.json().value(QLatin1String("next_cursor")).toString();
    QVERIFY(!cursor.isEmpty());
    const auto second = get(m_acme, QStringLiteral("/api/v1/products?limit=2&cursor=") + cursor);
    QCOMPARE(second.json().value(QLatin1String("items")).toArray().size(), 1);
    QVERIFY(!second.json().contains(QLatin1String("next_cursor")));
    QCOMPARE(get(m_acme, QStringLiteral("/api/v1/products?limit=0")).status, 400);
    QCOMPARE(get(m_acme, QStringLiteral("/api/v1/products?cursor=bogus!")).status, 400);
}

void CustomerApiTest::productListFollowsOtherWritersAndExpiry()
{
    // The product list is served from the server's cache while nothing changes ...
    const QString products = QStringLiteral("/api/v1/products");
    const auto sortedSlugs = [](const HttpExchange &reply) {
        auto out = slugs(reply.json().value(QLatin1String("items")).toArray());
        out.sort();
        return out;
    };
    const auto before = get(m_globex, products);
    QCOMPARE(before.status, 200);
    QCOMPARE(sortedSlugs(before),
             (QStringList{QStringLiteral("datastream"), QStringLiteral("fluxcad")}));
    const QByteArray etag = before.header("ETag");
    QCOMPARE(get(m_globex, products, {{"If-None-Match", etag}}).status, 304);

    // ... until another writer (here this test on its own connection, as an import or a
    // second replica would) licenses meshlab-pro to Globex, for a few seconds only.
    auto db = openServerDatabase();
    QVERIFY(db);
    const auto now = [] { return QDateTime::currentSecsSinceEpoch(); };
    toolhub::server::IdentityStore identity(*db, now);
    toolhub::server::Licensing licensing(*db);
    toolhub::server::Catalog catalog(*db, licensing);
    const auto globex = identity.findOrganizationBySlug("globex");
    QVERIFY(globex.ok());
    const auto meshlab = catalog.productId("meshlab-pro");
    QVERIFY(meshlab.ok());
    const std::int64_t expiresAt = now() + 3;
    const auto license = licensing.createLicense(
        {"GLOBEX-MESH-TRIAL", *meshlab, globex->id, 1, expiresAt, std::nullopt, "TRIAL-1"}, now());
    QVERIFY2(license.ok(), messageOf(license));

    // Other processes' writes reach the server's answers within Database::revisionReuse (1 ms).
    QTest::qWait(10);
    const auto during = get(m_globex, products, {{"If-None-Match", etag}});
    QCOMPARE(during.status, 200);
    QVERIFY(during.header("ETag") != etag);
    QCOMPARE(sortedSlugs(during),
             (QStringList{QStringLiteral("datastream"), QStringLiteral("fluxcad"),
                          QStringLiteral("meshlab-pro")}));
    // Acme's list is untouched by Globex's license and still answers from its cache.
    QCOMPARE(get(m_acme, products).status, 200);

    // The trial ends without any write: the list must notice by itself. (The wait is the
    // license's lifetime; a server clock cannot be moved from outside.)
    while (now() < expiresAt) {
        QTest::qWait(200);
    }
    const auto after = get(m_globex, products, {{"If-None-Match", etag}});
    QCOMPARE(after.status, 304);
    QCOMPARE(after.header("ETag"), etag);
}

std::unique_ptr<toolhub::server::Database> CustomerApiTest::openServerDatabase()
{
    const std::string url = m_backend == Backend::Sqlite
                                ? "sqlite://" + (m_server->dataDir() + "/toolhub.db").toStdString()
                                : m_cluster->url(QStringLiteral("customer_api")).toStdString();
    QString error;
    auto db = toolhub::test::openDatabase(url, 1, &error);
    if (!db) {
        qWarning("%s", qPrintable(error));
    }
    return db;
}

void CustomerApiTest::downloadsResetMidwayEndOnlyTheirConnection()
{
    // A 32 MB artifact, far more than the socket buffers hold, so the server is still sending
    // when each client below resets its connection. Its next sendfile(2) then meets a dead
    // socket: EPIPE, and a SIGPIPE that would end the server unless it is ignored.
    const QByteArray content(32 * 1024 * 1024, '\x42');
    const QString storageKey = QStringLiteral("big/big-1.0.0.bin");
    const QString file = m_server->dataDir() + QStringLiteral("/artifacts/") + storageKey;
    QVERIFY(QDir().mkpath(QFileInfo(file).absolutePath()));
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(content), content.size());
    }
    auto db = openServerDatabase();
    QVERIFY(db);
    const auto now = QDateTime::currentSecsSinceEpoch();
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    toolhub::server::Licensing licensing(*db);
    toolhub::server::Catalog catalog(*db, licensing);
    const auto acme = identity.findOrganizationBySlug("acme");
    QVERIFY(acme.ok());
    const auto product = catalog.createProduct({"big", "Big Files", "", ""}, now);
    QVERIFY2(product.ok(), messageOf(product));
    const auto tool = catalog.createTool({*product, "big", "Big", ""}, now);
    QVERIFY2(tool.ok(), messageOf(tool));
    const auto release = catalog.createRelease(
        {*tool, "1.0.0", toolhub::Channel::Stable, toolhub::ReleaseStatus::Published, now, ""},
        now);
    QVERIFY2(release.ok(), messageOf(release));
    const auto artifact = catalog.addArtifact(
        {*release, toolhub::Platform::Linux, toolhub::Arch::X86_64,
         static_cast<std::uint64_t>(content.size()), toolhub::sha256Hex(content.toStdString()),
         "big-1.0.0.bin", storageKey.toStdString()},
        now);
    QVERIFY2(artifact.ok(), messageOf(artifact));
    QVERIFY(licensing
                .createLicense(
                    {"ACME-BIG-1", *product, acme->id, 1, std::nullopt, std::nullopt, "BIG-1"}, now)
                .ok());

    const QByteArray request = "GET /api/v1/artifacts/" + QByteArray::fromStdString(*artifact) +
                               "/download HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                               m_acme.toLatin1() + "\r\n\r\n";
    // Resets at different moments: right after the header, and after some of the body.
    for (int i = 0; i < 400; ++i) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(request);
        QVERIFY(socket.waitForBytesWritten(5000));
        const qsizetype enough = i % 2 == 0 ? 1 : 256 * 1024;
        QByteArray received;
        while ((!received.contains("\r\n\r\n") || received.size() < enough) &&
               socket.waitForReadyRead(5000)) {
            received += socket.readAll();
        }
        QVERIFY2(received.startsWith("HTTP/1.1 200"),
                 qPrintable(QStringLiteral("reset %1: %2 bytes: %3")
                                .arg(i)
                                .arg(received.size())
                                .arg(QString::fromLatin1(received.left(120)))));
        socket.abort(); // unread bytes pending: a reset
        // Let the server's log lines out of its stdout pipe: a full pipe would stall it.
        QCoreApplication::processEvents();
    }
    // The server is still there, and the file is still whole.
    const auto whole =
        get(m_acme, QStringLiteral("/api/v1/artifacts/") + QString::fromStdString(*artifact) +
                        QStringLiteral("/download"));
    QCOMPARE(whole.status, 200);
    QCOMPARE(whole.body.size(), content.size());
    QVERIFY(whole.body == content);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int status = 0;
    {
        CustomerApiTest sqlite(Backend::Sqlite);
        status |= QTest::qExec(&sqlite, argc, argv);
    }
    {
        CustomerApiTest postgres(Backend::Postgres);
        status |= QTest::qExec(&postgres, argc, argv);
    }
    return status;
}

#include "customer_api_test.moc"
