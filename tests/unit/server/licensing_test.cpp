#include "core/catalog/catalog.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "core/storage/database.h"
#include "core/storage/ids.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "test_database.h"

#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using toolhub::ErrorCode;
using toolhub::Result;
using toolhub::server::Catalog;
using toolhub::server::Database;
using toolhub::server::Entitlement;
using toolhub::server::LicenseRecord;
using toolhub::server::Licensing;
using toolhub::server::maintenanceEndFromDate;
using toolhub::server::NewLicense;
using toolhub::test::addBackendRows;
using toolhub::test::openMigratedDatabase;
using toolhub::test::PostgresCluster;

namespace {

using toolhub::test::messageOf;
using toolhub::test::q;

constexpr std::int64_t kT0 = 1'700'000'000;
constexpr std::int64_t kNow = kT0 + 1000;

template <class T>
QString codeOf(const Result<T> &result)
{
    return result.ok() ? QStringLiteral("ok")
                       : q(std::string(toolhub::errorCodeName(result.error().code)));
}

} // namespace

// Licenses and entitlements on a temporary SQLite file and a temporary PostgreSQL cluster.
// Organizations A and B; products p1, p2, p3 (made through the catalog's public API).
class LicensingTest : public QObject {
    Q_OBJECT

private:
    PostgresCluster m_pg;
    QTemporaryDir m_dir;
    int m_counter = 0;

    std::unique_ptr<Database> m_db;
    std::unique_ptr<Licensing> m_licensing;
    std::string m_orgA;
    std::string m_orgB;
    std::string m_p1;
    std::string m_p2;
    std::string m_p3;

    // Through the identity module, which owns the organizations table.
    std::string organization(const std::string &slug)
    {
        toolhub::server::IdentityStore identity(*m_db, [] { return kT0; });
        auto created = identity.createOrganization(slug, slug);
        return created.ok() ? created->id : std::string();
    }

    void setUpWorld(const QString &backend)
    {
        const QString name = QStringLiteral("licensing%1").arg(++m_counter);
        QString error;
        m_db = openMigratedDatabase(backend, m_dir, m_pg, name, "licensing-test", &error);
        QVERIFY2(m_db, qPrintable(error));
        m_licensing = std::make_unique<Licensing>(*m_db);
        m_orgA = organization("org-a");
        m_orgB = organization("org-b");
        QVERIFY(!m_orgA.empty() && !m_orgB.empty());
        Catalog catalog(*m_db, *m_licensing);
        for (auto [slug, id] :
             {std::pair{"p1", &m_p1}, std::pair{"p2", &m_p2}, std::pair{"p3", &m_p3}}) {
            auto created = catalog.createProduct({slug, slug, "", ""}, kT0);
            QVERIFY2(created.ok(), messageOf(created));
            *id = *created;
        }
    }

    Result<LicenseRecord> create(const std::string &serial, const std::string &product,
                                 const std::string &organization,
                                 std::optional<std::int64_t> expiresAt,
                                 std::optional<std::int64_t> maintenanceEnd)
    {
        return m_licensing->createLicense(
            NewLicense{serial, product, organization, 3, expiresAt, maintenanceEnd, "SO-42"}, kT0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
    }

    void cleanupTestCase() { m_pg.stop(); }

    void cleanup()
    {
        m_licensing.reset();
        m_db.reset();
    }

    void maintenanceDates()
    {
        auto end = maintenanceEndFromDate("2026-03-01");
        QVERIFY2(end.ok(), messageOf(end));
        QCOMPARE(*end, std::int64_t{1772409600}); // 2026-03-02T00:00:00Z
        auto leap = maintenanceEndFromDate("2024-02-29");
        QVERIFY(leap.ok());
        QCOMPARE(*leap, std::int64_t{1709251200}); // 2024-03-01T00:00:00Z
        for (const char *bad : {"2026-02-30", "2026-3-1", "2026-03-01T00:00:00Z", ""}) {
            QCOMPARE(codeOf(maintenanceEndFromDate(bad)), QStringLiteral("invalid_argument"));
        }
        // The API shows the last covered day: a round trip gives the date back.
        LicenseRecord record;
        record.serial = "S-1";
        record.seats = 2;
        record.maintenanceEnd = *end;
        record.expiresAt = 1772409600 + 3600;
        record.orderRef = "SO-1";
        const toolhub::License api = record.toApi("p1", "org-a");
        QCOMPARE(q(api.maintenanceEnd.value_or("")), QStringLiteral("2026-03-01"));
        QCOMPARE(q(api.expiresAt.value_or("")), QStringLiteral("2026-03-02T01:00:00Z"));
        QCOMPARE(api.seats, std::uint32_t{2});
        QCOMPARE(q(api.product), QStringLiteral("p1"));
        QCOMPARE(q(api.organization), QStringLiteral("org-a"));
        QCOMPARE(q(api.orderRef), QStringLiteral("SO-1"));
        QVERIFY(toolhub::licenseFromJson(toolhub::toJson(api)).ok());
        record.maintenanceEnd.reset();
        record.expiresAt.reset();
        const toolhub::License perpetual = record.toApi("p1", "org-a");
        QVERIFY(!perpetual.maintenanceEnd && !perpetual.expiresAt);
    }

    void createChecksInput_data() { addBackendRows(); }
    void createChecksInput()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto created = create("A-0001", m_p1, m_orgA, kT0 + 5000, kT0 + 500);
        QVERIFY2(created.ok(), messageOf(created));
        QCOMPARE(created->id.size(), std::size_t{32});
        QCOMPARE(created->seats, std::uint32_t{3});
        QCOMPARE(created->createdAt, kT0);
        QCOMPARE(codeOf(create("A-0001", m_p2, m_orgB, {}, {})), QStringLiteral("already_exists"));
        QCOMPARE(codeOf(create("has space", m_p1, m_orgA, {}, {})),
                 QStringLiteral("invalid_argument"));
        QCOMPARE(codeOf(create("", m_p1, m_orgA, {}, {})), QStringLiteral("invalid_argument"));
        QCOMPARE(codeOf(create(std::string(129, 'x'), m_p1, m_orgA, {}, {})),
                 QStringLiteral("invalid_argument"));
        QCOMPARE(codeOf(create("A-0002", toolhub::server::newId(), m_orgA, {}, {})),
                 QStringLiteral("not_found"));
        QCOMPARE(codeOf(create("A-0003", m_p1, toolhub::server::newId(), {}, {})),
                 QStringLiteral("not_found"));
        QCOMPARE(codeOf(m_licensing->createLicense({"A-0004", m_p1, m_orgA, 0, {}, {}, ""}, kT0)),
                 QStringLiteral("invalid_argument"));
        // Refused attempts left nothing behind, and the session is still usable.
        auto all = m_licensing->licensesFor(m_orgA);
        QVERIFY2(all.ok(), messageOf(all));
        QCOMPARE(all->size(), std::size_t{1});
        QCOMPARE(all->front().expiresAt.value_or(0), kT0 + 5000);
        QCOMPARE(all->front().maintenanceEnd.value_or(0), kT0 + 500);
        QCOMPARE(q(all->front().orderRef), QStringLiteral("SO-42"));
    }

    void licensesForShowsOwnSerials_data() { addBackendRows(); }
    void licensesForShowsOwnSerials()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY(create("A-0002", m_p1, m_orgA, {}, kT0 + 500).ok());
        QVERIFY(create("A-0001", m_p3, m_orgA, kT0 + 10, {}).ok()); // expired, still listed
        QVERIFY(create("B-0001", m_p2, m_orgB, {}, {}).ok());
        auto mine = m_licensing->licensesFor(m_orgA);
        QVERIFY2(mine.ok(), messageOf(mine));
        QStringList serials;
        for (const LicenseRecord &record : *mine) {
            QCOMPARE(q(record.organizationId), q(m_orgA));
            serials << q(record.serial);
        }
        QCOMPARE(serials, (QStringList{QStringLiteral("A-0001"), QStringLiteral("A-0002")}));
        auto theirs = m_licensing->licensesFor(m_orgB);
        QVERIFY(theirs.ok());
        QCOMPARE(theirs->size(), std::size_t{1});
        QCOMPARE(q(theirs->front().serial), QStringLiteral("B-0001"));
        auto nobody = m_licensing->licensesFor(toolhub::server::newId());
        QVERIFY(nobody.ok());
        QVERIFY(nobody->empty());
    }

    void entitlements_data() { addBackendRows(); }
    void entitlements()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        // p1: two licenses in force (maintenance to T0+300 and T0+500) and an expired one with
        // a later maintenance end, which must not count.
        QVERIFY(create("A-1", m_p1, m_orgA, {}, kT0 + 300).ok());
        QVERIFY(create("A-2", m_p1, m_orgA, kT0 + 2000, kT0 + 500).ok());
        QVERIFY(create("A-3", m_p1, m_orgA, kNow, kT0 + 900).ok()); // expires exactly at now
        // p2: a bounded and an unlimited license: unlimited wins.
        QVERIFY(create("A-4", m_p2, m_orgA, {}, kT0 + 100).ok());
        QVERIFY(create("A-5", m_p2, m_orgA, kT0 + 5000, {}).ok());
        // p3: only B.
        QVERIFY(create("B-1", m_p3, m_orgB, {}, {}).ok());

        auto mine = m_licensing->entitlementsFor(m_orgA, kNow);
        QVERIFY2(mine.ok(), messageOf(mine));
        QCOMPARE(mine->size(), std::size_t{2});
        std::map<std::string, std::optional<std::int64_t>> byProduct;
        for (const Entitlement &entitlement : *mine) {
            byProduct[entitlement.productId] = entitlement.maintenanceEnd;
        }
        QVERIFY(byProduct.count(m_p1) == 1 && byProduct.count(m_p2) == 1);
        QCOMPARE(byProduct[m_p1].value_or(0), kT0 + 500);
        QVERIFY(!byProduct[m_p2].has_value());
        QVERIFY(byProduct.count(m_p3) == 0);

        // A second earlier, A-3 is still in force and its later maintenance end counts.
        auto earlier = m_licensing->entitlementFor(m_orgA, m_p1, kNow - 1);
        QVERIFY(earlier.ok() && earlier->has_value());
        QCOMPARE((*earlier)->maintenanceEnd.value_or(0), kT0 + 900);

        auto p1 = m_licensing->entitlementFor(m_orgA, m_p1, kNow);
        QVERIFY2(p1.ok(), messageOf(p1));
        QVERIFY(p1->has_value());
        QCOMPARE((*p1)->maintenanceEnd.value_or(0), kT0 + 500);
        QVERIFY((*p1)->covers(kT0 + 499));
        QVERIFY(!(*p1)->covers(kT0 + 500));
        auto p2 = m_licensing->entitlementFor(m_orgA, m_p2, kNow);
        QVERIFY(p2.ok() && p2->has_value());
        QVERIFY(!(*p2)->maintenanceEnd.has_value());
        QVERIFY((*p2)->covers(std::numeric_limits<std::int64_t>::max()));
        auto p3 = m_licensing->entitlementFor(m_orgA, m_p3, kNow);
        QVERIFY(p3.ok());
        QVERIFY(!p3->has_value());

        // After every p1 license but none of p2's has expired.
        auto later = m_licensing->entitlementsFor(m_orgA, kT0 + 2000);
        QVERIFY(later.ok());
        QCOMPARE(later->size(), std::size_t{2}); // A-1 is perpetual
        auto latest = m_licensing->entitlementsFor(m_orgA, kT0 + 5000);
        QVERIFY(latest.ok());
        QCOMPARE(latest->size(), std::size_t{2});
        auto theirs = m_licensing->entitlementsFor(m_orgB, kNow);
        QVERIFY(theirs.ok());
        QCOMPARE(theirs->size(), std::size_t{1});
        QCOMPARE(q(theirs->front().productId), q(m_p3));
    }

    void checkSerial_data() { addBackendRows(); }
    void checkSerial()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY(create("A-1", m_p1, m_orgA, kT0 + 100, {}).ok());
        auto before = m_licensing->checkSerial("A-1", kT0 + 99);
        QVERIFY2(before.ok(), messageOf(before));
        QVERIFY(before->inForce);
        QCOMPARE(q(before->license.productId), q(m_p1));
        QCOMPARE(q(before->license.organizationId), q(m_orgA));
        auto after = m_licensing->checkSerial("A-1", kT0 + 100);
        QVERIFY(after.ok());
        QVERIFY(!after->inForce);
        QCOMPARE(codeOf(m_licensing->checkSerial("A-2", kNow)), QStringLiteral("not_found"));
        QCOMPARE(codeOf(m_licensing->checkSerial("a b", kNow)), QStringLiteral("not_found"));
    }
};

QTEST_GUILESS_MAIN(LicensingTest)
#include "licensing_test.moc"
