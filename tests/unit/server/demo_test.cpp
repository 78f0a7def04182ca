#include "core/catalog/catalog.h"
#include "core/demo/demo.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "core/storage/database.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "test_database.h"
#include "toolhub/manifest.h"
#include "toolhub/sha256.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <tuple>

using toolhub::Channel;
using toolhub::ErrorCode;
using toolhub::Result;
using toolhub::server::AccessControl;
using toolhub::server::Catalog;
using toolhub::server::Database;
using toolhub::server::DemoReport;
using toolhub::server::IdentityStore;
using toolhub::server::Licensing;
using toolhub::test::addBackendRows;
using toolhub::test::openMigratedDatabase;
using toolhub::test::PostgresCluster;

namespace fs = std::filesystem;

namespace {

using toolhub::test::messageOf;
using toolhub::test::q;

constexpr std::int64_t kNow = 1'793'491'200;                   // 2026-11-01T00:00:00Z
constexpr std::int64_t kGlobexFluxMaintenance = 1'767'225'600; // 2026-01-01T00:00:00Z (exclusive)

QStringList versions(const std::vector<toolhub::Release> &releases)
{
    QStringList out;
    for (const auto &release : releases) {
        out << q(release.version.toString());
    }
    return out;
}

QStringList productSlugs(const std::vector<toolhub::Product> &products)
{
    QStringList out;
    for (const auto &product : products) {
        out << q(product.slug);
    }
    return out;
}

QStringList titles(const std::vector<toolhub::Resource> &resources)
{
    QStringList out;
    for (const auto &resource : resources) {
        out << q(resource.title);
    }
    return out;
}

// Lowercase hex SHA-256 of a file, read in pieces.
std::string fileSha256(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    toolhub::Sha256 hash;
    std::array<char, 8192> buffer{};
    while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
        hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
    }
    const auto digest = hash.finish();
    return toolhub::toHex(digest);
}

QByteArray head(const fs::path &path, qint64 bytes)
{
    QFile file(QString::fromStdString(path.string()));
    return file.open(QIODevice::ReadOnly) ? file.read(bytes) : QByteArray();
}

} // namespace

// The demo data (resources/demo/catalog.json and the archives the build generates from it)
// loaded into a temporary SQLite file and a temporary PostgreSQL cluster, at 2026-11-01.
class DemoTest : public QObject {
    Q_OBJECT

private:
    PostgresCluster m_pg;
    QTemporaryDir m_dir;
    int m_counter = 0;

    std::unique_ptr<Database> m_db;
    std::unique_ptr<IdentityStore> m_identity;
    std::unique_ptr<AccessControl> m_access;
    std::unique_ptr<Licensing> m_licensing;
    std::unique_ptr<Catalog> m_catalog;
    fs::path m_store; // the artifact store of the current database
    DemoReport m_report;

    void openDatabase(const QString &backend)
    {
        const QString name = QStringLiteral("demo%1").arg(++m_counter);
        QString error;
        m_db = openMigratedDatabase(backend, m_dir, m_pg, name, "demo-test", &error);
        QVERIFY2(m_db, qPrintable(error));
        m_identity = std::make_unique<IdentityStore>(
            *m_db, [] { return kNow; }, toolhub::PasswordHashCost::minimum());
        m_access = std::make_unique<AccessControl>(*m_db, [] { return kNow; });
        m_licensing = std::make_unique<Licensing>(*m_db);
        m_catalog = std::make_unique<Catalog>(*m_db, *m_licensing);
        m_store = fs::path(m_dir.filePath(name + QStringLiteral("-store")).toStdString());
    }

    Result<DemoReport> ensure(const fs::path &demoDir)
    {
        return toolhub::server::ensureDemoData(*m_identity, *m_access, *m_catalog, *m_licensing,
                                               demoDir, m_store, kNow);
    }

    // Opens a fresh database and loads the demo into it.
    void loadDemo(const QString &backend)
    {
        openDatabase(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto report = ensure(toolhub::server::defaultDemoDir());
        QVERIFY2(report.ok(), messageOf(report));
        QVERIFY(report->loaded);
        m_report = std::move(report).value();
    }

    long long count(const std::string &table)
    {
        auto n = m_db->withSession([&](soci::session &session) -> Result<long long> {
            long long value = -1;
            session << "SELECT COUNT(*) FROM " + table, soci::into(value);
            return value;
        });
        return n.ok() ? *n : -1;
    }

    std::string organizationId(const std::string &slug)
    {
        auto organization = m_identity->findOrganizationBySlug(slug);
        return organization.ok() ? organization->id : std::string();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(fs::is_regular_file(toolhub::server::defaultDemoDir() / "catalog.json"),
                 "the demo folder is missing: build the toolhub_demo_archives target");
        QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
    }

    void cleanupTestCase() { m_pg.stop(); }

    void cleanup()
    {
        m_catalog.reset();
        m_licensing.reset();
        m_access.reset();
        m_identity.reset();
        m_db.reset();
        m_report = {};
    }

    void loadsOnce_data() { addBackendRows(); }
    void loadsOnce()
    {
        QFETCH(QString, backend);
        loadDemo(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        QCOMPARE(m_report.users.size(), std::size_t{8}); // 5 customers, 3 of the vendor's staff
        const char *tables[] = {"organizations", "users",     "products", "tools",      "releases",
                                "artifacts",     "resources", "licenses", "role_grants"};
        std::map<std::string, long long> before;
        for (const char *table : tables) {
            before[table] = count(table);
            QVERIFY2(before[table] > 0, table);
        }
        QCOMPARE(before["organizations"], 2LL);
        QCOMPARE(before["products"], 3LL);
        QCOMPARE(before["tools"], 4LL);
        QCOMPARE(before["licenses"], 5LL);
        QCOMPARE(before["role_grants"], 4LL); // alice: customer_admin; sam, cara, ada
        // Every release has linux/x86_64, macos/arm64 and windows/x86_64 archives.
        QCOMPARE(before["artifacts"], 3 * before["releases"]);

        auto again = ensure(toolhub::server::defaultDemoDir());
        QVERIFY2(again.ok(), messageOf(again));
        QVERIFY(!again->loaded);
        QCOMPARE(again->users.size(), m_report.users.size());
        for (std::size_t i = 0; i < m_report.users.size(); ++i) {
            QCOMPARE(q(again->users[i].login), q(m_report.users[i].login));
            QCOMPARE(q(again->users[i].password), q(m_report.users[i].password));
        }
        for (const char *table : tables) {
            QCOMPARE(count(table), before[table]);
        }
    }

    void visibility_data() { addBackendRows(); }
    void visibility()
    {
        QFETCH(QString, backend);
        loadDemo(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        const std::string acme = organizationId("acme");
        const std::string globex = organizationId("globex");
        QVERIFY(!acme.empty() && !globex.empty());

        auto acmeProducts = m_catalog->productsFor(acme, kNow);
        QVERIFY2(acmeProducts.ok(), messageOf(acmeProducts));
        QCOMPARE(productSlugs(acmeProducts->products),
                 (QStringList{"datastream", "fluxcad", "meshlab-pro"}));
        auto globexProducts = m_catalog->productsFor(globex, kNow);
        QVERIFY2(globexProducts.ok(), messageOf(globexProducts));
        QCOMPARE(productSlugs(globexProducts->products), (QStringList{"datastream", "fluxcad"}));
        QCOMPARE(m_catalog->product(globex, "meshlab-pro", kNow).error().code, ErrorCode::NotFound);

        // acme: everything published; the yanked 1.2.0 and the draft 2.1.0 are never offered.
        auto acmeFlux = m_catalog->releases(acme, "fluxcad", "fluxcad", std::nullopt, kNow);
        QVERIFY2(acmeFlux.ok(), messageOf(acmeFlux));
        QCOMPARE(versions(*acmeFlux), (QStringList{"2.1.0-beta.1", "2.0.0", "1.1.0", "1.0.0"}));
        auto acmeStable = m_catalog->releases(acme, "fluxcad", "fluxcad", Channel::Stable, kNow);
        QVERIFY2(acmeStable.ok(), messageOf(acmeStable));
        QCOMPARE(versions(*acmeStable), (QStringList{"2.0.0", "1.1.0", "1.0.0"}));

        // globex: maintenance of its FluxCAD license ended on 2025-12-31, before 2.0.0.
        auto globexFlux = m_catalog->releases(globex, "fluxcad", "fluxcad", std::nullopt, kNow);
        QVERIFY2(globexFlux.ok(), messageOf(globexFlux));
        QCOMPARE(versions(*globexFlux), (QStringList{"1.1.0", "1.0.0"}));
        auto globexCli = m_catalog->releases(globex, "fluxcad", "flux-cli", std::nullopt, kNow);
        QVERIFY2(globexCli.ok(), messageOf(globexCli));
        QCOMPARE(versions(*globexCli), (QStringList{"1.0.1", "1.0.0"}));
        for (const auto &release : *globexFlux) {
            auto published = toolhub::parseTimestamp(release.publishedAt.value_or(""));
            QVERIFY(published.ok());
            QVERIFY(published->time_since_epoch().count() < kGlobexFluxMaintenance);
        }
        auto newer = m_catalog->newerThan(globex, "fluxcad", "fluxcad",
                                          *toolhub::parseSemVer("1.1.0"), Channel::Beta, kNow);
        QVERIFY2(newer.ok(), messageOf(newer));
        QVERIFY(newer->empty());
        // Unlimited maintenance on DataStream: globex sees all its published releases.
        auto globexData =
            m_catalog->releases(globex, "datastream", "datastream-agent", std::nullopt, kNow);
        QVERIFY2(globexData.ok(), messageOf(globexData));
        QCOMPARE(versions(*globexData), (QStringList{"1.1.0", "1.0.0", "0.9.0"}));

        // Resources tied to FluxCAD 2.0.0 are acme's only.
        auto acmeDetail = m_catalog->product(acme, "fluxcad", kNow);
        QVERIFY2(acmeDetail.ok(), messageOf(acmeDetail));
        QVERIFY(titles(acmeDetail->documents).contains("FluxCAD 2.0 migration notes"));
        QVERIFY(titles(acmeDetail->tutorials).contains("What is new in FluxCAD 2.0"));
        auto globexDetail = m_catalog->product(globex, "fluxcad", kNow);
        QVERIFY2(globexDetail.ok(), messageOf(globexDetail));
        QCOMPARE(titles(globexDetail->documents),
                 (QStringList{"FluxCAD Benutzerhandbuch", "FluxCAD User Guide"}));
        QCOMPARE(titles(globexDetail->tutorials),
                 (QStringList{"Getting started with FluxCAD", "Scripting exports with flux-cli"}));

        auto licenses = m_catalog->licenses(globex, "globex");
        QVERIFY2(licenses.ok(), messageOf(licenses));
        QCOMPARE(licenses->size(), std::size_t{2});
        const auto &flux = (*licenses)[1];
        QCOMPARE(q(flux.serial), QStringLiteral("FLX-GLBX-5PQA-1VEU"));
        QCOMPARE(q(flux.maintenanceEnd.value_or("")), QStringLiteral("2025-12-31"));
        QCOMPARE(q(flux.orderRef), QStringLiteral("PO-GX-88213"));
    }

    void storedFiles_data() { addBackendRows(); }
    void storedFiles()
    {
        QFETCH(QString, backend);
        loadDemo(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        using Row = std::tuple<std::string, long long, std::string, std::string>;
        auto rows = m_db->withSession([](soci::session &session) -> Result<std::vector<Row>> {
            std::vector<Row> out;
            std::string key;
            long long size = 0;
            std::string sha256;
            std::string platform;
            soci::statement statement =
                (session.prepare << "SELECT storage_key, size, sha256, platform FROM artifacts "
                                    "ORDER BY storage_key",
                 soci::into(key), soci::into(size), soci::into(sha256), soci::into(platform));
            statement.execute();
            while (statement.fetch()) {
                out.emplace_back(key, size, sha256, platform);
            }
            return out;
        });
        QVERIFY2(rows.ok(), messageOf(rows));
        QVERIFY(!rows->empty());
        int tarballs = 0;
        int zips = 0;
        for (const auto &[key, size, sha256, platform] : *rows) {
            const fs::path file = m_store / key;
            QVERIFY2(fs::is_regular_file(file), key.c_str());
            QCOMPARE(static_cast<long long>(fs::file_size(file)), size);
            QCOMPARE(q(fileSha256(file)), q(sha256));
            // artifacts/<product>/<tool>/<version>/<file>
            const QStringList parts = q(key).split('/');
            QCOMPARE(parts.size(), 5);
            const QString tool = parts[2];
            if (platform == "windows") {
                QVERIFY2(key.ends_with(".zip"), key.c_str());
                QCOMPARE(head(file, 4), QByteArray("PK\x03\x04", 4));
                ++zips;
            } else {
                QVERIFY2(key.ends_with(".tar.gz"), key.c_str());
                QCOMPARE(head(file, 2), QByteArray("\x1f\x8b", 2));
                QProcess tar;
                tar.start(QStringLiteral("tar"),
                          {QStringLiteral("tzf"), QString::fromStdString(file.string())});
                QVERIFY(tar.waitForFinished(30000));
                QCOMPARE(tar.exitCode(), 0);
                const QStringList entries =
                    QString::fromUtf8(tar.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
                QVERIFY2(entries.contains(QStringLiteral("bin/") + tool), key.c_str());
                QVERIFY(entries.contains(QStringLiteral("README.txt")));
                ++tarballs;
            }
        }
        QCOMPARE(tarballs, 2 * zips);

        // Stored documents: in the store with their recorded size; the source folder is intact.
        using DocumentRow = std::tuple<std::string, long long>;
        auto documents =
            m_db->withSession([](soci::session &session) -> Result<std::vector<DocumentRow>> {
                std::vector<DocumentRow> out;
                std::string key;
                long long size = 0;
                soci::statement statement =
                    (session.prepare << "SELECT storage_key, size FROM resources WHERE "
                                        "storage_key IS NOT NULL ORDER BY storage_key",
                     soci::into(key), soci::into(size));
                statement.execute();
                while (statement.fetch()) {
                    out.emplace_back(key, size);
                }
                return out;
            });
        QVERIFY2(documents.ok(), messageOf(documents));
        QCOMPARE(documents->size(), std::size_t{5});
        for (const auto &[key, size] : *documents) {
            const fs::path file = m_store / key;
            QVERIFY2(fs::is_regular_file(file), key.c_str());
            QCOMPARE(static_cast<long long>(fs::file_size(file)), size);
            QVERIFY(head(file, 2) == "# ");
            QVERIFY(fs::is_regular_file(toolhub::server::defaultDemoDir() / key));
        }
        // No temporary files left behind.
        for (const auto &entry : fs::recursive_directory_iterator(m_store)) {
            QVERIFY2(!entry.path().filename().string().ends_with(".tmp"), entry.path().c_str());
        }
    }

    void usersSignIn_data() { addBackendRows(); }
    void usersSignIn()
    {
        QFETCH(QString, backend);
        loadDemo(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY(!m_report.users.empty());
        for (const auto &demoUser : m_report.users) {
            auto user = m_identity->verifyLocalPassword(demoUser.login, demoUser.password);
            QVERIFY2(user.ok(), demoUser.login.c_str());
            QCOMPARE(q(user->displayName), q(demoUser.displayName));
            QCOMPARE(q(user->organizationId), q(organizationId(demoUser.organization)));
            QCOMPARE(m_identity->verifyLocalPassword(demoUser.login, demoUser.password + "x")
                         .error()
                         .code,
                     ErrorCode::Unauthenticated);
        }
        QCOMPARE(q(m_report.users.front().login), QStringLiteral("alice.archer@acme.example"));
        QCOMPARE(q(m_report.users.front().password), QStringLiteral("acme-demo-1"));
        QCOMPARE(q(m_report.users.front().organization), QStringLiteral("acme"));
    }

    // A missing archive is reported before anything is written to the database.
    void missingArchive()
    {
        openDatabase(QStringLiteral("sqlite"));
        if (QTest::currentTestFailed()) {
            return;
        }
        const fs::path copy = fs::path(m_dir.filePath(QStringLiteral("demo-copy")).toStdString());
        fs::copy(toolhub::server::defaultDemoDir(), copy, fs::copy_options::recursive);
        const fs::path victim =
            copy / "artifacts/fluxcad/fluxcad/2.0.0/fluxcad-2.0.0-windows-x86_64.zip";
        QVERIFY(fs::remove(victim));
        auto report = ensure(copy);
        QVERIFY(!report.ok());
        QCOMPARE(report.error().code, ErrorCode::NotFound);
        QVERIFY2(q(report.error().message).contains("build the project first"),
                 report.error().message.c_str());
        QVERIFY2(q(report.error().message).contains("fluxcad-2.0.0-windows-x86_64.zip"),
                 report.error().message.c_str());
        QCOMPARE(count("organizations"), 0LL);
        QCOMPARE(count("products"), 0LL);

        auto noCatalog = ensure(copy / "nowhere");
        QVERIFY(!noCatalog.ok());
        QCOMPARE(noCatalog.error().code, ErrorCode::NotFound);
        QVERIFY(q(noCatalog.error().message).contains("build the project first"));
    }

    // The first organization without the last license: an interrupted load, not "loaded".
    void interruptedLoad()
    {
        openDatabase(QStringLiteral("sqlite"));
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY(m_identity->createOrganization("acme", "ACME Robotics").ok());
        auto report = ensure(toolhub::server::defaultDemoDir());
        QVERIFY(!report.ok());
        QCOMPARE(report.error().code, ErrorCode::Conflict);
        QVERIFY2(q(report.error().message).contains("empty database"),
                 report.error().message.c_str());
        QCOMPARE(count("products"), 0LL);
    }
};

QTEST_GUILESS_MAIN(DemoTest)
#include "demo_test.moc"
