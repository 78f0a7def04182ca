// The customer API of the real server process on the demo data, on SQLite and on PostgreSQL:
// what each organization sees, and that nothing of another organization is reachable.

#include "core/catalog/catalog.h"
#include "core/identity/identity.h"
#include "core/installations/installations.h"
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
#include <QJsonDocument>
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

// A POST /api/v1/installations body.
QJsonObject installationReport(const QString &product, const QString &tool, const QString &version,
                               const QString &action, const QString &machineId)
{
    return QJsonObject{
        {QStringLiteral("product"), product},
        {QStringLiteral("tool"), tool},
        {QStringLiteral("version"), version},
        {QStringLiteral("platform"), QStringLiteral("linux")},
        {QStringLiteral("arch"), QStringLiteral("x86_64")},
        {QStringLiteral("action"), action},
        {QStringLiteral("machine_id"), machineId},
    };
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The items of `installations` (a GET /api/v1/installations page) on machine `machineId`.
QList<QJsonObject> onMachine(const QJsonArray &installations, const QString &machineId)
{
    QList<QJsonObject> out;
    for (const auto &item : installations) {
        if (item.toObject().value(QLatin1String("machine_id")).toString() == machineId) {
            out << item.toObject();
        }
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
    void signingKeyIsPublic();
    void artifactDownloadsAreWholeAndResumable();
    void artifactsOfOtherOrganizationsAre404();
    void documentsFollowTheirRelease();
    void catalogReadsAnswerIfNoneMatch();
    void pagingWithLimitAndCursor();
    void productListFollowsOtherWritersAndExpiry();
    void downloadsResetMidwayEndOnlyTheirConnection();
    void installationReportsNeedATokenAndJson();
    void installThenUpdateKeepsOneRowPerMachineAndTool();
    void removeDeletesTheRowEvenOfAnUnofferedVersion();
    void reportsOutsideTheEntitlementAre404AndNotRecorded();
    void malformedReportsAre400NamingTheMember();
    void installationsAreTheCallersOwn();
    void usersWithoutOrganizationGet403ForInstallations();

private:
    // The server's database on a connection of this test, as another process would open it.
    std::unique_ptr<toolhub::server::Database> openServerDatabase();

    HttpExchange get(const QString &token, const QString &path,
                     QList<QPair<QByteArray, QByteArray>> headers = {});
    HttpExchange postReport(const QString &token, const QByteArray &body,
                            const QByteArray &contentType = "application/json");
    // All of the caller's current installations (every page of GET /api/v1/installations).
    QJsonArray installationsOf(const QString &token);
    // The reports stored for the organization `organizationSlug`, on machine `machineId`.
    std::vector<toolhub::server::InstallationEventRecord>
    eventsOn(const std::string &organizationSlug, const QString &machineId);

    Backend m_backend;
    std::unique_ptr<PostgresCluster> m_cluster;
    std::unique_ptr<ServerProcess> m_server;
    QNetworkAccessManager m_network;
    QString m_acme;   // alice, ACME Robotics: fluxcad, meshlab-pro, datastream
    QString m_globex; // dana, Globex: fluxcad (maintenance ended 2025-12-31), datastream
    QString m_bob;    // bob, ACME Robotics, as alice
    QByteArray m_publicKey;
};

HttpExchange CustomerApiTest::get(const QString &token, const QString &path,
                                  QList<QPair<QByteArray, QByteArray>> headers)
{
    headers.append({"Authorization", "Bearer " + token.toLatin1()});
    return httpRequest(m_network, "GET", m_server->url(path), headers);
}

HttpExchange CustomerApiTest::postReport(const QString &token, const QByteArray &body,
                                         const QByteArray &contentType)
{
    return httpRequest(
        m_network, "POST", m_server->url(QStringLiteral("/api/v1/installations")),
        {{"Authorization", "Bearer " + token.toLatin1()}, {"Content-Type", contentType}}, body);
}

QJsonArray CustomerApiTest::installationsOf(const QString &token)
{
    QJsonArray all;
    QString path = QStringLiteral("/api/v1/installations?limit=200");
    for (;;) {
        const auto reply = get(token, path);
        if (reply.status != 200) {
            // Fails the calling test, so that an empty answer never passes for "no rows".
            QTest::qFail(
                qPrintable(QStringLiteral("GET %1 answered %2").arg(path).arg(reply.status)),
                __FILE__, __LINE__);
            return {};
        }
        for (const auto &item : reply.json().value(QLatin1String("items")).toArray()) {
            all.append(item);
        }
        const auto cursor = reply.json().value(QLatin1String("next_cursor")).toString();
        if (cursor.isEmpty()) {
            return all;
        }
        path = QStringLiteral("/api/v1/installations?limit=200&cursor=") + cursor;
    }
}

std::vector<toolhub::server::InstallationEventRecord>
CustomerApiTest::eventsOn(const std::string &organizationSlug, const QString &machineId)
{
    // Failures fail the calling test, so that an empty answer never passes for "no rows".
    auto db = openServerDatabase();
    if (!db) {
        QTest::qFail("cannot open the server's database", __FILE__, __LINE__);
        return {};
    }
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    const auto organization = identity.findOrganizationBySlug(organizationSlug);
    if (!organization) {
        QTest::qFail(messageOf(organization), __FILE__, __LINE__);
        return {};
    }
    auto events = toolhub::server::Installations(*db).recentEvents(organization->id, 10000);
    if (!events) {
        QTest::qFail(messageOf(events), __FILE__, __LINE__);
        return {};
    }
    std::erase_if(*events, [&](const toolhub::server::InstallationEventRecord &record) {
        return record.event.machineId != machineId.toStdString();
    });
    return std::move(events).value();
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

    m_publicKey = m_server->signingKey();
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
    m_bob = signInNative(*m_server, QStringLiteral("bob.barnes@acme.example"),
                         QStringLiteral("acme-demo-2"), &error)
                .value(QLatin1String("access_token"))
                .toString();
    QVERIFY2(!m_bob.isEmpty(), qPrintable(error));
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

void CustomerApiTest::signingKeyIsPublic()
{
    // Without a token: the app reads it right after its first sign-in to pin it.
    const auto reply =
        httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/signing-key")));
    QCOMPARE(reply.status, 200);
    const auto body = reply.json();
    QCOMPARE(body.value(QLatin1String("algorithm")).toString(), QStringLiteral("Ed25519"));
    QCOMPARE(QByteArray::fromBase64(body.value(QLatin1String("public_key")).toString().toLatin1()),
             m_publicKey);
    const auto key = std::as_bytes(std::span(m_publicKey.constData(), 32));
    QCOMPARE(body.value(QLatin1String("key_id")).toString().toStdString(),
             toolhub::manifestKeyId(key));
    QVERIFY(reply.header("Cache-Control").contains("public"));
    const QByteArray etag = reply.header("ETag");
    QVERIFY(!etag.isEmpty());
    QCOMPARE(httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/signing-key")),
                         {{"If-None-Match", etag}})
                 .status,
             304);
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

void CustomerApiTest::installationReportsNeedATokenAndJson()
{
    const QString machine = QStringLiteral("token-check-0001");
    const QByteArray body =
        compact(installationReport(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                                   QStringLiteral("1.0.0"), QStringLiteral("install"), machine));
    const QUrl url = m_server->url(QStringLiteral("/api/v1/installations"));
    const auto anonymous =
        httpRequest(m_network, "POST", url, {{"Content-Type", "application/json"}}, body);
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(anonymous.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(httpRequest(m_network, "GET", url).status, 401);
    QCOMPARE(postReport(QStringLiteral("forged.token"), body).status, 401);

    for (const QByteArray &type :
         {QByteArrayLiteral("text/plain"), QByteArrayLiteral("application/x-www-form-urlencoded"),
          QByteArrayLiteral("application/jsonx")}) {
        const auto reply = postReport(m_acme, body, type);
        QVERIFY2(reply.status == 415, type.constData());
        QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(reply.json().value(QLatin1String("code")).toString(),
                 QStringLiteral("unsupported_media_type"));
    }
    QVERIFY(onMachine(installationsOf(m_acme), machine).isEmpty());
    QVERIFY(eventsOn("acme", machine).empty());
}

void CustomerApiTest::installThenUpdateKeepsOneRowPerMachineAndTool()
{
    const QString machine = QStringLiteral("alice-laptop-0001");
    // 100 two-byte characters: exactly the 200 bytes allowed.
    const QString machineName = QString(100, QChar(0xE9));
    auto report = installationReport(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                                     QStringLiteral("1.0.0"), QStringLiteral("install"), machine);
    report.insert(QStringLiteral("machine_name"), machineName);
    const auto install = postReport(m_acme, compact(report), "application/json; charset=utf-8");
    QCOMPARE(install.status, 201);
    const auto stored = install.json();
    QCOMPARE(stored.value(QLatin1String("machine_id")).toString(), machine);
    QCOMPARE(stored.value(QLatin1String("machine_name")).toString(), machineName);
    QCOMPARE(stored.value(QLatin1String("product")).toString(), QStringLiteral("fluxcad"));
    QCOMPARE(stored.value(QLatin1String("tool")).toString(), QStringLiteral("flux-cli"));
    QCOMPARE(stored.value(QLatin1String("version")).toString(), QStringLiteral("1.0.0"));
    QCOMPARE(stored.value(QLatin1String("platform")).toString(), QStringLiteral("linux"));
    QCOMPARE(stored.value(QLatin1String("arch")).toString(), QStringLiteral("x86_64"));
    const auto updatedAt =
        QDateTime::fromString(stored.value(QLatin1String("updated_at")).toString(), Qt::ISODate);
    QVERIFY(updatedAt.isValid());
    QVERIFY(qAbs(updatedAt.secsTo(QDateTime::currentDateTimeUtc())) < 300);

    // An update without a machine name keeps the one stored.
    report = installationReport(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                                QStringLiteral("2.0.0"), QStringLiteral("update"), machine);
    const auto update = postReport(m_acme, compact(report));
    QCOMPARE(update.status, 201);
    QCOMPARE(update.json().value(QLatin1String("version")).toString(), QStringLiteral("2.0.0"));
    QCOMPARE(update.json().value(QLatin1String("machine_name")).toString(), machineName);

    auto rows = onMachine(installationsOf(m_acme), machine);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.front().value(QLatin1String("tool")).toString(), QStringLiteral("flux-cli"));
    QCOMPARE(rows.front().value(QLatin1String("version")).toString(), QStringLiteral("2.0.0"));
    QCOMPARE(rows.front().value(QLatin1String("machine_name")).toString(), machineName);

    // Rollback and repair move the same row; another architecture is stored as reported.
    report = installationReport(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                                QStringLiteral("1.0.1"), QStringLiteral("rollback"), machine);
    QCOMPARE(postReport(m_acme, compact(report)).status, 201);
    report.insert(QStringLiteral("action"), QStringLiteral("repair"));
    report.insert(QStringLiteral("arch"), QStringLiteral("arm64"));
    QCOMPARE(postReport(m_acme, compact(report)).status, 201);
    rows = onMachine(installationsOf(m_acme), machine);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.front().value(QLatin1String("version")).toString(), QStringLiteral("1.0.1"));
    QCOMPARE(rows.front().value(QLatin1String("arch")).toString(), QStringLiteral("arm64"));

    // Every report is in the history, with who sent it from where.
    auto db = openServerDatabase();
    QVERIFY(db);
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    const auto alice = identity.findUserByLogin("alice.archer@acme.example");
    QVERIFY2(alice.ok(), messageOf(alice));
    const auto events = eventsOn("acme", machine);
    QStringList history;
    for (const auto &record : events) {
        history << QString::fromStdString(
                       std::string{toolhub::server::toString(record.event.action)}) +
                       QLatin1Char(' ') + QString::fromStdString(record.event.version);
        QCOMPARE(record.event.userId, alice->id);
        QCOMPARE(record.event.organizationId, alice->organizationId);
        QCOMPARE(record.event.product, std::string{"fluxcad"});
        QCOMPARE(record.event.tool, std::string{"flux-cli"});
        QCOMPARE(record.event.clientIp, std::string{"127.0.0.1"});
    }
    history.sort();
    QCOMPARE(history,
             (QStringList{QStringLiteral("install 1.0.0"), QStringLiteral("repair 1.0.1"),
                          QStringLiteral("rollback 1.0.1"), QStringLiteral("update 2.0.0")}));
}

void CustomerApiTest::removeDeletesTheRowEvenOfAnUnofferedVersion()
{
    const QString machine = QStringLiteral("alice-desktop-0002");
    for (const auto &[tool, version] :
         {std::pair{"fluxcad", "1.1.0"}, std::pair{"flux-cli", "1.0.1"}}) {
        const auto reply = postReport(
            m_acme, compact(installationReport(QStringLiteral("fluxcad"), QString::fromLatin1(tool),
                                               QString::fromLatin1(version),
                                               QStringLiteral("install"), machine)));
        QCOMPARE(reply.status, 201);
    }
    QCOMPARE(onMachine(installationsOf(m_acme), machine).size(), 2);

    const auto removed = postReport(
        m_acme,
        compact(installationReport(QStringLiteral("fluxcad"), QStringLiteral("fluxcad"),
                                   QStringLiteral("1.1.0"), QStringLiteral("remove"), machine)));
    QCOMPARE(removed.status, 204);
    QVERIFY(removed.body.isEmpty());
    auto rows = onMachine(installationsOf(m_acme), machine);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.front().value(QLatin1String("tool")).toString(), QStringLiteral("flux-cli"));

    // A yanked release is no longer offered, but its removal is still reported and applied.
    QCOMPARE(postReport(m_acme, compact(installationReport(
                                    QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                                    QStringLiteral("1.2.0"), QStringLiteral("remove"), machine)))
                 .status,
             204);
    QVERIFY(onMachine(installationsOf(m_acme), machine).isEmpty());
    QCOMPARE(eventsOn("acme", machine).size(), std::size_t{4});
}

void CustomerApiTest::reportsOutsideTheEntitlementAre404AndNotRecorded()
{
    const QString machine = QStringLiteral("dana-laptop-0001");
    const auto report = [&](const char *product, const char *tool, const char *version,
                            const char *action) {
        return compact(installationReport(QString::fromLatin1(product), QString::fromLatin1(tool),
                                          QString::fromLatin1(version), QString::fromLatin1(action),
                                          machine));
    };
    const auto detail = [](const HttpExchange &reply, const char *name) {
        return reply.json()
            .value(QLatin1String("detail"))
            .toString()
            .replace(QLatin1String(name), QLatin1String("<name>"));
    };

    // A product Globex holds no license for answers as a product that does not exist.
    const auto unlicensed =
        postReport(m_globex, report("meshlab-pro", "meshlab-pro", "3.0.0", "install"));
    const auto missing =
        postReport(m_globex, report("no-such-product", "meshlab-pro", "3.0.0", "install"));
    QCOMPARE(unlicensed.status, 404);
    QCOMPARE(missing.status, 404);
    QCOMPARE(unlicensed.json().value(QLatin1String("code")).toString(),
             QStringLiteral("not_found"));
    QCOMPARE(detail(unlicensed, "meshlab-pro"), detail(missing, "no-such-product"));
    QCOMPARE(get(m_globex, QStringLiteral("/api/v1/tools/meshlab-pro/releases/3.0.0/manifest"))
                 .json()
                 .value(QLatin1String("code")),
             unlicensed.json().value(QLatin1String("code")));
    QCOMPARE(postReport(m_globex, report("meshlab-pro", "meshlab-pro", "3.0.0", "remove")).status,
             404);

    // A release after Globex's maintenance end answers as a release that does not exist.
    const auto late = postReport(m_globex, report("fluxcad", "fluxcad", "2.0.0", "update"));
    const auto absent = postReport(m_globex, report("fluxcad", "fluxcad", "9.9.9", "update"));
    QCOMPARE(late.status, 404);
    QCOMPARE(absent.status, 404);
    QCOMPARE(detail(late, "2.0.0"), detail(absent, "9.9.9"));
    QCOMPARE(get(m_globex, QStringLiteral("/api/v1/tools/fluxcad/releases/2.0.0/manifest")).status,
             404);
    QCOMPARE(postReport(m_globex, report("fluxcad", "no-such-tool", "1.1.0", "install")).status,
             404);

    // Yanked releases and drafts are not offered to anyone.
    QCOMPARE(postReport(m_acme, report("fluxcad", "fluxcad", "1.2.0", "install")).status, 404);
    QCOMPARE(postReport(m_acme, report("fluxcad", "fluxcad", "2.1.0", "install")).status, 404);

    QVERIFY(installationsOf(m_globex).isEmpty());
    QVERIFY(onMachine(installationsOf(m_acme), machine).isEmpty());
    QVERIFY(eventsOn("globex", machine).empty());
    QVERIFY(eventsOn("acme", machine).empty());

    // What Globex is offered is recorded.
    QCOMPARE(postReport(m_globex, report("fluxcad", "fluxcad", "1.1.0", "install")).status, 201);
    QCOMPARE(onMachine(installationsOf(m_globex), machine).size(), 1);
    QCOMPARE(eventsOn("globex", machine).size(), std::size_t{1});
}

void CustomerApiTest::malformedReportsAre400NamingTheMember()
{
    const QString machine = QStringLiteral("malformed-0001");
    const auto valid =
        installationReport(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                           QStringLiteral("1.0.0"), QStringLiteral("install"), machine);
    struct Case {
        const char *member;
        QJsonValue value; // Undefined: the member is left out
    };
    const QList<Case> cases{
        {"product", QJsonValue::Undefined},
        {"product", QStringLiteral("Flux CAD")},
        {"product", QJsonValue::Null},
        {"tool", 42},
        {"tool", QStringLiteral("-flux")},
        {"version", QStringLiteral("1.0")},
        {"version", QStringLiteral("v1.0.0")},
        {"version", QJsonValue::Undefined},
        {"platform", QStringLiteral("solaris")},
        {"platform", QStringLiteral("Linux")},
        {"arch", QStringLiteral("i386")},
        {"arch", QJsonArray{QStringLiteral("x86_64")}},
        {"action", QStringLiteral("upgrade")},
        {"action", QJsonValue::Undefined},
        {"machine_id", QStringLiteral("short12")},
        {"machine_id", QString(65, u'a')},
        {"machine_id", QStringLiteral("has space-1234")},
        {"machine_id", QStringLiteral("under_score-1234")},
        {"machine_id", QJsonValue::Undefined},
        // 67 three-byte characters: 201 bytes.
        {"machine_name", QString(67, QChar(0x2713))},
        {"machine_name", QStringLiteral("line\nbreak")},
        {"machine_name", QStringLiteral("tab\there")},
        {"machine_name", QStringLiteral("next") + QChar(0x85) + QStringLiteral("line")},
        {"machine_name", QStringLiteral("del") + QChar(0x7F)},
        {"machine_name", 7},
    };
    for (const auto &[member, value] : cases) {
        auto body = valid;
        if (value.isUndefined()) {
            body.remove(QLatin1String(member));
        } else {
            body.insert(QLatin1String(member), value);
        }
        const auto reply = postReport(m_acme, compact(body));
        const QString what =
            QStringLiteral("%1: %2").arg(QLatin1String(member), QString::fromUtf8(compact(body)));
        QVERIFY2(reply.status == 400, qPrintable(what));
        QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
        const auto problem = reply.json();
        QCOMPARE(problem.value(QLatin1String("code")).toString(),
                 QStringLiteral("invalid_argument"));
        QVERIFY2(problem.value(QLatin1String("detail"))
                     .toString()
                     .startsWith(QLatin1String(member) + QLatin1String(": ")),
                 qPrintable(what + QStringLiteral(" -> ") +
                            problem.value(QLatin1String("detail")).toString()));
    }
    // Bodies that are no JSON object at all.
    for (const QByteArray &body :
         {QByteArrayLiteral("{\"product\":"), QByteArrayLiteral("[1,2]"), QByteArray(),
          QByteArrayLiteral("{\"machine_name\":\"\xff\"}")}) {
        QCOMPARE(postReport(m_acme, body).status, 400);
    }
    QVERIFY(onMachine(installationsOf(m_acme), machine).isEmpty());
    QVERIFY(eventsOn("acme", machine).empty());

    // The same body with every member well formed is recorded; a null or empty name is none.
    auto body = valid;
    body.insert(QStringLiteral("machine_name"), QJsonValue::Null);
    QCOMPARE(postReport(m_acme, compact(body)).status, 201);
    body.insert(QStringLiteral("machine_name"), QString());
    const auto reply = postReport(m_acme, compact(body));
    QCOMPARE(reply.status, 201);
    QVERIFY(!reply.json().contains(QLatin1String("machine_name")));
}

void CustomerApiTest::installationsAreTheCallersOwn()
{
    // Alice and Bob share a build machine and report different versions on it.
    const QString machine = QStringLiteral("shared-build-host-03");
    QCOMPARE(postReport(m_acme, compact(installationReport(QStringLiteral("datastream"),
                                                           QStringLiteral("datastream-agent"),
                                                           QStringLiteral("1.1.0"),
                                                           QStringLiteral("install"), machine)))
                 .status,
             201);
    QCOMPARE(postReport(m_bob, compact(installationReport(
                                   QStringLiteral("datastream"), QStringLiteral("datastream-agent"),
                                   QStringLiteral("1.0.0"), QStringLiteral("install"), machine)))
                 .status,
             201);

    const auto bob = installationsOf(m_bob);
    QCOMPARE(bob.size(), 1);
    QCOMPARE(bob.at(0).toObject().value(QLatin1String("machine_id")).toString(), machine);
    QCOMPARE(bob.at(0).toObject().value(QLatin1String("version")).toString(),
             QStringLiteral("1.0.0"));
    const auto alice = installationsOf(m_acme);
    QVERIFY(alice.size() > 1);
    const auto aliceOnShared = onMachine(alice, machine);
    QCOMPARE(aliceOnShared.size(), 1);
    QCOMPARE(aliceOnShared.front().value(QLatin1String("version")).toString(),
             QStringLiteral("1.1.0"));
    for (const auto &item : installationsOf(m_globex)) {
        QVERIFY(item.toObject().value(QLatin1String("machine_id")).toString() != machine);
    }

    // Paged like the other lists.
    const auto first = get(m_acme, QStringLiteral("/api/v1/installations?limit=1"));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value(QLatin1String("items")).toArray().size(), 1);
    QVERIFY(!first.json().value(QLatin1String("next_cursor")).toString().isEmpty());
    QVERIFY(!first.header("ETag").isEmpty());
    QCOMPARE(get(m_acme, QStringLiteral("/api/v1/installations?limit=0")).status, 400);
}

void CustomerApiTest::usersWithoutOrganizationGet403ForInstallations()
{
    auto db = openServerDatabase();
    QVERIFY(db);
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    const auto user = identity.createLocalUser(
        {"", "olga.orphan@example.com", "Olga Orphan", "olga.orphan@example.com", "no-org-demo-1"});
    QVERIFY2(user.ok(), messageOf(user));
    QString error;
    const auto token = signInNative(*m_server, QStringLiteral("olga.orphan@example.com"),
                                    QStringLiteral("no-org-demo-1"), &error)
                           .value(QLatin1String("access_token"))
                           .toString();
    QVERIFY2(!token.isEmpty(), qPrintable(error));
    // Without an organization there is no customer role: the permission is missing.
    QCOMPARE(get(token, QStringLiteral("/api/v1/installations")).status, 403);
    QCOMPARE(postReport(token, compact(installationReport(
                                   QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                                   QStringLiteral("1.0.0"), QStringLiteral("install"),
                                   QStringLiteral("orphan-host-0001"))))
                 .status,
             403);
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
