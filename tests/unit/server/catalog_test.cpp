#include "core/catalog/catalog.h"
#include "core/downloads/downloads.h"
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

#include <algorithm>
#include <map>
#include <memory>
#include <thread>

using toolhub::Arch;
using toolhub::Channel;
using toolhub::Error;
using toolhub::ErrorCode;
using toolhub::Platform;
using toolhub::Release;
using toolhub::ReleaseStatus;
using toolhub::ResourceKind;
using toolhub::Result;
using toolhub::SemVer;
using toolhub::server::Catalog;
using toolhub::server::Database;
using toolhub::server::DownloadEvent;
using toolhub::server::Downloads;
using toolhub::server::Licensing;
using toolhub::server::NewArtifact;
using toolhub::server::NewLicense;
using toolhub::server::NewProduct;
using toolhub::server::NewRelease;
using toolhub::server::NewResource;
using toolhub::server::NewTool;
using toolhub::test::addBackendRows;
using toolhub::test::openMigratedDatabase;
using toolhub::test::PostgresCluster;

namespace {

using toolhub::test::messageOf;
using toolhub::test::q;

constexpr std::int64_t kT0 = 1'700'000'000;
constexpr std::int64_t kNow = kT0 + 1000;
constexpr std::int64_t kMaintenanceEndA = kT0 + 500; // between 2.0.0 and 3.0.0 of p1/cli
constexpr std::int64_t kP3ExpiresAt = kT0 + 900;

SemVer v(const char *text)
{
    auto parsed = toolhub::parseSemVer(text);
    return parsed.ok() ? *parsed : SemVer{};
}

template <class Enum>
QString name(Enum value)
{
    return QString::fromLatin1(toolhub::toString(value));
}

QStringList versions(const std::vector<Release> &releases)
{
    QStringList out;
    for (const Release &release : releases) {
        out << q(release.version.toString());
    }
    return out;
}

QStringList slugs(const std::vector<toolhub::Product> &products)
{
    QStringList out;
    for (const auto &product : products) {
        out << q(product.slug);
    }
    return out;
}

// Messages of two NotFound errors differ only in the name asked for.
bool sameNotFound(const Error &a, const std::string &nameA, const Error &b,
                  const std::string &nameB)
{
    QString ma = q(a.message);
    QString mb = q(b.message);
    ma.replace(q(nameA), QStringLiteral("<x>"));
    mb.replace(q(nameB), QStringLiteral("<x>"));
    return a.code == ErrorCode::NotFound && b.code == ErrorCode::NotFound && ma == mb;
}

} // namespace

// The catalog's organization-scoped reads and admin writes on a temporary SQLite file and a
// temporary PostgreSQL cluster. The world every test starts from:
//   org A: license for p1 with maintenance end at T0+500, expired license (T0+900) for p3
//   org B: unlimited license for p2
//   p1/cli: 1.9.0 (T0+220), 1.10.0 (T0+200), 1.11.0 yanked (T0+250), 2.0.0-rc.1/.2/.10 beta
//           (T0+300..320), 2.0.0 (T0+400), 3.0.0 (T0+600, after A's maintenance), 3.1.0 draft
//   p2/gui: 1.0.0 with a linux artifact; p3/lab: 0.1.0
//   now = T0+1000
class CatalogTest : public QObject {
    Q_OBJECT

private:
    PostgresCluster m_pg;
    QTemporaryDir m_dir;
    int m_counter = 0;

    std::unique_ptr<Database> m_db;
    std::string m_url; // of m_db, for a second, independent connection
    std::unique_ptr<Licensing> m_licensing;
    std::unique_ptr<Catalog> m_catalog;
    std::string m_orgA;
    std::string m_orgB;
    std::string m_p1;
    std::string m_p2;
    std::string m_p3;
    std::string m_cli;
    std::map<std::string, std::string> m_release; // version of p1/cli -> id
    std::string m_artifact200Linux;
    std::string m_artifact300;
    std::string m_artifact111;
    std::string m_artifactB;
    std::string m_manual;      // p1 document, url, no release
    std::string m_notes200;    // p1 document tied to 2.0.0
    std::string m_tutorial300; // p1 tutorial tied to 3.0.0 (hidden from A)
    std::string m_tutorialFile;
    std::string m_resourceB;

    void openDatabase(const QString &backend)
    {
        const QString name = QStringLiteral("catalog%1").arg(++m_counter);
        QString error;
        m_db = openMigratedDatabase(backend, m_dir, m_pg, name, "catalog-test", &error);
        QVERIFY2(m_db, qPrintable(error));
        m_url = backend == QLatin1String("sqlite") ? "sqlite://" + m_db->url().path
                                                   : m_pg.url(name).toStdString();
        m_licensing = std::make_unique<Licensing>(*m_db);
        m_catalog = std::make_unique<Catalog>(*m_db, *m_licensing);
    }

    // Through the identity module, which owns the organizations table.
    std::string organization(const std::string &slug)
    {
        toolhub::server::IdentityStore identity(*m_db, [] { return kT0; });
        auto created = identity.createOrganization(slug, slug);
        return created.ok() ? created->id : std::string();
    }

    std::string product(const std::string &slug, const std::string &name)
    {
        auto id = m_catalog->createProduct({slug, name, "summary of " + slug, "# " + name}, kT0);
        return id.ok() ? *id : std::string();
    }

    std::string tool(const std::string &productId, const std::string &slug)
    {
        auto id = m_catalog->createTool({productId, slug, "Tool " + slug, ""}, kT0);
        return id.ok() ? *id : std::string();
    }

    std::string release(const std::string &toolId, const std::string &version, Channel channel,
                        ReleaseStatus status, std::optional<std::int64_t> publishedAt)
    {
        auto id = m_catalog->createRelease(
            {toolId, version, channel, status, publishedAt, "notes " + version}, kT0);
        return id.ok() ? *id : std::string();
    }

    std::string artifact(const std::string &releaseId, Platform platform, const std::string &key)
    {
        NewArtifact artifact{releaseId,     platform, Arch::X86_64, 1234, std::string(64, 'a'),
                             "tool.tar.gz", key};
        auto id = m_catalog->addArtifact(artifact, kT0);
        return id.ok() ? *id : std::string();
    }

    std::string resource(const std::string &productId, std::optional<std::string> releaseId,
                         ResourceKind kind, const std::string &title, bool file)
    {
        NewResource resource;
        resource.productId = productId;
        resource.releaseId = std::move(releaseId);
        resource.kind = kind;
        resource.title = title;
        resource.locale = "en";
        if (file) {
            resource.fileName = "guide.pdf";
            resource.size = 4096;
            resource.storageKey = "resources/guide.pdf";
        } else {
            std::string path = title;
            std::replace(path.begin(), path.end(), ' ', '-');
            resource.url = "https://docs.example.com/" + path;
        }
        auto id = m_catalog->addResource(resource, kT0);
        if (!id.ok()) {
            qWarning("addResource(%s): %s", title.c_str(), id.error().message.c_str());
            return {};
        }
        return *id;
    }

    void license(const std::string &serial, const std::string &productId,
                 const std::string &organizationId, std::optional<std::int64_t> expiresAt,
                 std::optional<std::int64_t> maintenanceEnd)
    {
        NewLicense license{serial,    productId,      organizationId, 5,
                           expiresAt, maintenanceEnd, "ERP-" + serial};
        auto created = m_licensing->createLicense(license, kT0);
        QVERIFY2(created.ok(), messageOf(created));
    }

    // Builds the world described above the class.
    void setUpWorld(const QString &backend)
    {
        openDatabase(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        m_orgA = organization("org-a");
        m_orgB = organization("org-b");
        QVERIFY(!m_orgA.empty() && !m_orgB.empty());
        m_p1 = product("p1", "Alpha Suite");
        m_p2 = product("p2", "Beta Studio");
        m_p3 = product("p3", "Gamma Lab");
        QVERIFY(!m_p1.empty() && !m_p2.empty() && !m_p3.empty());
        m_cli = tool(m_p1, "cli");
        QVERIFY(!m_cli.empty());
        QVERIFY(!tool(m_p1, "agent").empty());
        const std::string gui = tool(m_p2, "gui");
        const std::string lab = tool(m_p3, "lab");
        QVERIFY(!gui.empty() && !lab.empty());

        struct Spec {
            const char *version;
            Channel channel;
            ReleaseStatus status;
            std::optional<std::int64_t> publishedAt;
        };
        // Created in an order that is neither precedence nor publication order.
        const Spec specs[] = {
            {"2.0.0-rc.10", Channel::Beta, ReleaseStatus::Published, kT0 + 320},
            {"1.10.0", Channel::Stable, ReleaseStatus::Published, kT0 + 200},
            {"3.0.0", Channel::Stable, ReleaseStatus::Published, kT0 + 600},
            {"2.0.0-rc.1", Channel::Beta, ReleaseStatus::Published, kT0 + 300},
            {"1.9.0", Channel::Stable, ReleaseStatus::Published, kT0 + 220},
            {"2.0.0", Channel::Stable, ReleaseStatus::Published, kT0 + 400},
            {"1.11.0", Channel::Stable, ReleaseStatus::Published, kT0 + 250},
            {"2.0.0-rc.2", Channel::Beta, ReleaseStatus::Published, kT0 + 310},
            {"3.1.0", Channel::Stable, ReleaseStatus::Draft, std::nullopt},
        };
        for (const Spec &spec : specs) {
            const std::string id =
                release(m_cli, spec.version, spec.channel, spec.status, spec.publishedAt);
            QVERIFY2(!id.empty(), spec.version);
            m_release[spec.version] = id;
        }
        QVERIFY(m_catalog->setReleaseStatus(m_release["1.11.0"], ReleaseStatus::Yanked, kT0 + 260)
                    .ok());

        m_artifact200Linux = artifact(m_release["2.0.0"], Platform::Linux, "p1/cli/2.0.0/linux");
        QVERIFY(!artifact(m_release["2.0.0"], Platform::Windows, "p1/cli/2.0.0/windows").empty());
        m_artifact300 = artifact(m_release["3.0.0"], Platform::Linux, "p1/cli/3.0.0/linux");
        m_artifact111 = artifact(m_release["1.11.0"], Platform::Linux, "p1/cli/1.11.0/linux");
        const std::string gui100 =
            release(gui, "1.0.0", Channel::Stable, ReleaseStatus::Published, kT0 + 100);
        QVERIFY(!gui100.empty());
        m_artifactB = artifact(gui100, Platform::Linux, "p2/gui/1.0.0/linux");
        QVERIFY(
            !release(lab, "0.1.0", Channel::Stable, ReleaseStatus::Published, kT0 + 100).empty());
        QVERIFY(!m_artifact200Linux.empty() && !m_artifact300.empty() && !m_artifact111.empty() &&
                !m_artifactB.empty());

        m_manual = resource(m_p1, std::nullopt, ResourceKind::Document, "Manual", false);
        m_notes200 = resource(m_p1, m_release["2.0.0"], ResourceKind::Document, "Notes 2.0", false);
        m_tutorial300 =
            resource(m_p1, m_release["3.0.0"], ResourceKind::Tutorial, "What is new in 3", false);
        m_tutorialFile =
            resource(m_p1, std::nullopt, ResourceKind::Tutorial, "Getting started", true);
        m_resourceB = resource(m_p2, std::nullopt, ResourceKind::Document, "Studio manual", true);
        QVERIFY(!m_manual.empty() && !m_notes200.empty() && !m_tutorial300.empty() &&
                !m_tutorialFile.empty() && !m_resourceB.empty());

        license("A-P1-0001", m_p1, m_orgA, std::nullopt, kMaintenanceEndA);
        license("A-P3-0001", m_p3, m_orgA, kP3ExpiresAt, std::nullopt);
        license("B-P2-0001", m_p2, m_orgB, std::nullopt, std::nullopt);
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
        m_catalog.reset();
        m_licensing.reset();
        m_db.reset();
        m_release.clear();
    }

    void organizationSeesOnlyLicensedProducts_data() { addBackendRows(); }
    void organizationSeesOnlyLicensedProducts()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto mine = m_catalog->productsFor(m_orgA, kNow);
        QVERIFY2(mine.ok(), messageOf(mine));
        QCOMPARE(slugs(mine->products), QStringList{QStringLiteral("p1")});
        QCOMPARE(q(mine->products.front().name), QStringLiteral("Alpha Suite"));
        auto theirs = m_catalog->productsFor(m_orgB, kNow);
        QVERIFY(theirs.ok());
        QCOMPARE(slugs(theirs->products), QStringList{QStringLiteral("p2")});

        auto p1 = m_catalog->product(m_orgA, "p1", kNow);
        QVERIFY2(p1.ok(), messageOf(p1));
        QCOMPARE(q(p1->product.description), QStringLiteral("# Alpha Suite"));

        auto missing = m_catalog->product(m_orgA, "nope", kNow);
        QVERIFY(!missing.ok());
        for (const std::string slug : {"p2", "p3"}) {
            auto hidden = m_catalog->product(m_orgA, slug, kNow);
            QVERIFY(!hidden.ok());
            QVERIFY2(sameNotFound(hidden.error(), slug, missing.error(), "nope"),
                     hidden.error().message.c_str());
            auto releases =
                m_catalog->releases(m_orgA, slug, slug == "p2" ? "gui" : "lab", std::nullopt, kNow);
            QVERIFY(!releases.ok());
            QCOMPARE(releases.error().code, ErrorCode::NotFound);
        }
        auto tool = m_catalog->findTool(m_orgA, "cli", kNow);
        QVERIFY2(tool.ok(), messageOf(tool));
        QCOMPARE(q(tool->product), QStringLiteral("p1"));
        auto foreignTool = m_catalog->findTool(m_orgA, "gui", kNow);
        QVERIFY(!foreignTool.ok());
        QCOMPARE(foreignTool.error().code, ErrorCode::NotFound);
    }

    void expiredLicenseHidesProduct_data() { addBackendRows(); }
    void expiredLicenseHidesProduct()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        // Before its expiry the p3 license counts, from the expiry second on it does not.
        auto before = m_catalog->productsFor(m_orgA, kP3ExpiresAt - 1);
        QVERIFY(before.ok());
        QCOMPARE(slugs(before->products),
                 (QStringList{QStringLiteral("p1"), QStringLiteral("p3")}));
        // ... and the answer says when it stops holding.
        QCOMPARE(before->validUntil, std::optional<std::int64_t>{kP3ExpiresAt});
        QVERIFY(m_catalog->product(m_orgA, "p3", kP3ExpiresAt - 1).ok());
        auto lab = m_catalog->releases(m_orgA, "p3", "lab", std::nullopt, kP3ExpiresAt - 1);
        QVERIFY(lab.ok());
        QCOMPARE(versions(*lab), QStringList{QStringLiteral("0.1.0")});

        auto after = m_catalog->productsFor(m_orgA, kP3ExpiresAt);
        QVERIFY(after.ok());
        QCOMPARE(slugs(after->products), QStringList{QStringLiteral("p1")});
        QCOMPARE(after->validUntil, std::optional<std::int64_t>{});
        auto gone = m_catalog->product(m_orgA, "p3", kP3ExpiresAt);
        QVERIFY(!gone.ok());
        QCOMPARE(gone.error().code, ErrorCode::NotFound);
    }

    void releasesNewestFirstWithinMaintenance_data() { addBackendRows(); }
    void releasesNewestFirstWithinMaintenance()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto all = m_catalog->releases(m_orgA, "p1", "cli", std::nullopt, kNow);
        QVERIFY2(all.ok(), messageOf(all));
        // 3.0.0 was published after A's maintenance end, 1.11.0 is yanked, 3.1.0 a draft.
        QCOMPARE(versions(*all),
                 (QStringList{QStringLiteral("2.0.0"), QStringLiteral("2.0.0-rc.10"),
                              QStringLiteral("2.0.0-rc.2"), QStringLiteral("2.0.0-rc.1"),
                              QStringLiteral("1.10.0"), QStringLiteral("1.9.0")}));
        const Release &newest = all->front();
        QCOMPARE(q(newest.tool), QStringLiteral("cli"));
        QCOMPARE(name(newest.channel), name(Channel::Stable));
        QCOMPARE(name(newest.status), name(ReleaseStatus::Published));
        QCOMPARE(q(newest.publishedAt.value_or("")), QStringLiteral("2023-11-14T22:20:00Z"));
        QCOMPARE(q(newest.notes), QStringLiteral("notes 2.0.0"));

        auto stable = m_catalog->releases(m_orgA, "p1", "cli", Channel::Stable, kNow);
        QVERIFY(stable.ok());
        QCOMPARE(versions(*stable), (QStringList{QStringLiteral("2.0.0"), QStringLiteral("1.10.0"),
                                                 QStringLiteral("1.9.0")}));
        auto beta = m_catalog->releases(m_orgA, "p1", "cli", Channel::Beta, kNow);
        QVERIFY(beta.ok());
        QCOMPARE(versions(*beta),
                 (QStringList{QStringLiteral("2.0.0-rc.10"), QStringLiteral("2.0.0-rc.2"),
                              QStringLiteral("2.0.0-rc.1")}));

        // A release is offered only once its publication time has come.
        auto early = m_catalog->releases(m_orgA, "p1", "cli", Channel::Stable, kT0 + 210);
        QVERIFY(early.ok());
        QCOMPARE(versions(*early), QStringList{QStringLiteral("1.10.0")});

        // A tool without offered releases is there, with an empty list.
        auto agent = m_catalog->releases(m_orgA, "p1", "agent", std::nullopt, kNow);
        QVERIFY(agent.ok());
        QVERIFY(agent->empty());
        auto noTool = m_catalog->releases(m_orgA, "p1", "nope", std::nullopt, kNow);
        QVERIFY(!noTool.ok());
        QCOMPARE(noTool.error().code, ErrorCode::NotFound);
    }

    void newerThan_data() { addBackendRows(); }
    void newerThan()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto stable = m_catalog->newerThan(m_orgA, "p1", "cli", v("1.9.0"), Channel::Stable, kNow);
        QVERIFY2(stable.ok(), messageOf(stable));
        QCOMPARE(versions(*stable),
                 (QStringList{QStringLiteral("2.0.0"), QStringLiteral("1.10.0")}));
        auto beta = m_catalog->newerThan(m_orgA, "p1", "cli", v("1.10.0"), Channel::Beta, kNow);
        QVERIFY(beta.ok());
        QCOMPARE(versions(*beta),
                 (QStringList{QStringLiteral("2.0.0"), QStringLiteral("2.0.0-rc.10"),
                              QStringLiteral("2.0.0-rc.2"), QStringLiteral("2.0.0-rc.1")}));
        auto fromRc =
            m_catalog->newerThan(m_orgA, "p1", "cli", v("2.0.0-rc.2"), Channel::Beta, kNow);
        QVERIFY(fromRc.ok());
        QCOMPARE(versions(*fromRc),
                 (QStringList{QStringLiteral("2.0.0"), QStringLiteral("2.0.0-rc.10")}));
        // Newest within maintenance: nothing to offer, although 3.0.0 exists.
        auto latest = m_catalog->newerThan(m_orgA, "p1", "cli", v("2.0.0"), Channel::Beta, kNow);
        QVERIFY(latest.ok());
        QVERIFY(latest->empty());
        auto foreign = m_catalog->newerThan(m_orgB, "p1", "cli", v("1.0.0"), Channel::Stable, kNow);
        QVERIFY(!foreign.ok());
        QCOMPARE(foreign.error().code, ErrorCode::NotFound);
    }

    void everyWriteMovesTheDataRevision_data() { addBackendRows(); }
    void everyWriteMovesTheDataRevision()
    {
        QFETCH(QString, backend);
        openDatabase(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        // A second pool on the same database, as another process or replica has: it reads the
        // revision on its one connection, over and over on the same prepared statement, and sees
        // another pool's writes at most Database::revisionReuse late.
        QString error;
        auto other = toolhub::test::openDatabase(m_url, 1, &error);
        QVERIFY2(other, qPrintable(error));
        std::int64_t last = -1;
        const auto moved = [&](const char *what) {
            auto mine = m_catalog->revision(); // its own writes at once
            std::this_thread::sleep_for(2 * Database::revisionReuse);
            auto theirs = other->dataRevision();
            if (!mine.ok() || !theirs.ok() || *mine != *theirs || *mine <= last) {
                qWarning("%s: revision %lld / %lld after %lld", what,
                         static_cast<long long>(mine.ok() ? *mine : -1),
                         static_cast<long long>(theirs.ok() ? *theirs : -1),
                         static_cast<long long>(last));
                return false;
            }
            last = *mine;
            return true;
        };
        QVERIFY(moved("start"));
        const std::string orgId = organization("org-r");
        QVERIFY(!orgId.empty());
        const std::string productId = product("pr", "Revision Product");
        QVERIFY(!productId.empty());
        QVERIFY(moved("createProduct"));
        const std::string toolId = tool(productId, "rt");
        QVERIFY(!toolId.empty());
        QVERIFY(moved("createTool"));
        const std::string releaseId =
            release(toolId, "1.0.0", Channel::Stable, ReleaseStatus::Draft, std::nullopt);
        QVERIFY(!releaseId.empty());
        QVERIFY(moved("createRelease"));
        QVERIFY(!artifact(releaseId, Platform::Linux, "pr/rt/1.0.0/linux").empty());
        QVERIFY(moved("addArtifact"));
        QVERIFY(m_catalog->setReleaseStatus(releaseId, ReleaseStatus::Published, kT0).ok());
        QVERIFY(moved("setReleaseStatus"));
        QVERIFY(!resource(productId, releaseId, ResourceKind::Document, "Notes", false).empty());
        QVERIFY(moved("addResource"));
        license("R-0001", productId, orgId, std::nullopt, std::nullopt);
        QVERIFY(moved("createLicense"));

        // A write that fails changes nothing, and neither does setting the status it has.
        QCOMPARE(m_catalog->createProduct({"pr", "Again", "", ""}, kT0).error().code,
                 ErrorCode::AlreadyExists);
        QVERIFY(m_catalog->setReleaseStatus(releaseId, ReleaseStatus::Published, kT0).ok());
        std::this_thread::sleep_for(2 * Database::revisionReuse);
        QCOMPARE(*other->dataRevision(), last);
        QCOMPARE(*m_catalog->revision(), last);
    }

    void manifestVersionMovesWithContent_data() { addBackendRows(); }
    void manifestVersionMovesWithContent()
    {
        QFETCH(QString, backend);
        openDatabase(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        const std::string orgId = organization("org-m");
        const std::string productId = product("pm", "Manifest Product");
        const std::string toolId = tool(productId, "mt");
        QVERIFY(!orgId.empty() && !productId.empty() && !toolId.empty());
        license("M-0001", productId, orgId, std::nullopt, std::nullopt);
        const auto stored = [&](const std::string &releaseId) {
            return m_db
                ->withSession([&](soci::session &session) -> toolhub::Result<long long> {
                    long long version = -1;
                    session << "SELECT manifest_version FROM releases WHERE id = :id",
                        soci::use(releaseId, "id"), soci::into(version);
                    return version;
                })
                .value();
        };
        const auto offeredVersion = [&](std::int64_t now) {
            auto data = m_catalog->manifestData(orgId, "pm", "mt", v("1.0.0"), now);
            return data.ok() ? static_cast<long long>(data->manifestVersion) : -1LL;
        };

        // A draft has no manifest content yet; publishing gives it one (Unix ms).
        const std::string draft =
            release(toolId, "1.0.0", Channel::Stable, ReleaseStatus::Draft, std::nullopt);
        QVERIFY(!draft.empty());
        QCOMPARE(stored(draft), 0LL);
        QVERIFY(m_catalog->setReleaseStatus(draft, ReleaseStatus::Published, kT0).ok());
        const long long published = offeredVersion(kNow);
        QCOMPARE(published, kT0 * 1000);
        // Served again later, unchanged content keeps its version ...
        QCOMPARE(offeredVersion(kNow + 86'400), published);
        QVERIFY(m_catalog->setReleaseStatus(draft, ReleaseStatus::Published, kNow).ok());
        QCOMPARE(offeredVersion(kNow), published);
        // ... a new artifact is new content, even within the same millisecond ...
        QVERIFY(!artifact(draft, Platform::Linux, "pm/mt/1.0.0/linux").empty());
        const long long withLinux = offeredVersion(kNow);
        QCOMPARE(withLinux, kT0 * 1000 + 1);
        QVERIFY(!artifact(draft, Platform::Windows, "pm/mt/1.0.0/windows").empty());
        QCOMPARE(offeredVersion(kNow), withLinux + 1);
        // ... and yanking moves it on too (the manifest is not offered any more).
        QVERIFY(m_catalog->setReleaseStatus(draft, ReleaseStatus::Yanked, kNow).ok());
        QCOMPARE(stored(draft), kNow * 1000);
        QCOMPARE(offeredVersion(kNow), -1LL);

        // Created published: versioned at creation.
        const std::string direct =
            release(toolId, "1.1.0", Channel::Stable, ReleaseStatus::Published, kT0 + 5);
        QVERIFY(!direct.empty());
        QVERIFY(stored(direct) > 0);
    }

    void manifestData_data() { addBackendRows(); }
    void manifestData()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto data = m_catalog->manifestData(m_orgA, "p1", "cli", v("2.0.0"), kNow);
        QVERIFY2(data.ok(), messageOf(data));
        QCOMPARE(q(data->releaseId), q(m_release["2.0.0"]));
        QCOMPARE(q(data->product), QStringLiteral("p1"));
        QCOMPARE(data->publishedAt, kT0 + 400);
        QCOMPARE(q(data->release.version.toString()), QStringLiteral("2.0.0"));
        QCOMPARE(data->artifacts.size(), std::size_t{2});
        QCOMPARE(name(data->artifacts[0].artifact.platform), name(Platform::Linux));
        QCOMPARE(name(data->artifacts[1].artifact.platform), name(Platform::Windows));
        QCOMPARE(q(data->artifacts[0].artifact.downloadUrl),
                 QStringLiteral("/api/v1/artifacts/%1/download").arg(q(m_artifact200Linux)));
        QVERIFY(toolhub::isValidRelativeUrl(data->artifacts[0].artifact.downloadUrl));
        QCOMPARE(q(data->artifacts[0].storageKey), QStringLiteral("p1/cli/2.0.0/linux"));
        QCOMPARE(data->artifacts[0].artifact.size, std::uint64_t{1234});

        // Build metadata does not matter for the lookup.
        QVERIFY(m_catalog->manifestData(m_orgA, "p1", "cli", v("2.0.0+build.7"), kNow).ok());

        auto unknown = m_catalog->manifestData(m_orgA, "p1", "cli", v("9.9.9"), kNow);
        QVERIFY(!unknown.ok());
        for (const char *hidden : {"3.0.0", "1.11.0", "3.1.0"}) {
            auto refused = m_catalog->manifestData(m_orgA, "p1", "cli", v(hidden), kNow);
            QVERIFY2(!refused.ok(), hidden);
            QVERIFY2(sameNotFound(refused.error(), hidden, unknown.error(), "9.9.9"),
                     refused.error().message.c_str());
        }
        auto foreign = m_catalog->manifestData(m_orgB, "p1", "cli", v("2.0.0"), kNow);
        QVERIFY(!foreign.ok());
        QCOMPARE(foreign.error().code, ErrorCode::NotFound);
    }

    void artifactForDownload_data() { addBackendRows(); }
    void artifactForDownload()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto mine = m_catalog->artifactForDownload(m_orgA, m_artifact200Linux, kNow);
        QVERIFY2(mine.ok(), messageOf(mine));
        QCOMPARE(q(mine->storageKey), QStringLiteral("p1/cli/2.0.0/linux"));
        QCOMPARE(q(mine->releaseId), q(m_release["2.0.0"]));
        QCOMPARE(q(mine->artifact.sha256), q(std::string(64, 'a')));
        QCOMPARE(q(mine->artifact.fileName), QStringLiteral("tool.tar.gz"));

        const std::string nonexistent = toolhub::server::newId();
        auto missing = m_catalog->artifactForDownload(m_orgA, nonexistent, kNow);
        QVERIFY(!missing.ok());
        for (const std::string &hidden : {m_artifactB, m_artifact300, m_artifact111}) {
            auto refused = m_catalog->artifactForDownload(m_orgA, hidden, kNow);
            QVERIFY(!refused.ok());
            QVERIFY2(sameNotFound(refused.error(), hidden, missing.error(), nonexistent),
                     refused.error().message.c_str());
        }
        QVERIFY(m_catalog->artifactForDownload(m_orgB, m_artifactB, kNow).ok());

        // Yanking takes a release and its files away at once; publishing again brings them back
        // with the original publication time.
        QVERIFY(m_catalog->setReleaseStatus(m_release["2.0.0"], ReleaseStatus::Yanked, kNow).ok());
        auto yanked = m_catalog->artifactForDownload(m_orgA, m_artifact200Linux, kNow);
        QVERIFY(!yanked.ok());
        QCOMPARE(yanked.error().code, ErrorCode::NotFound);
        auto list = m_catalog->releases(m_orgA, "p1", "cli", Channel::Stable, kNow);
        QVERIFY(list.ok());
        QCOMPARE(versions(*list), (QStringList{QStringLiteral("1.10.0"), QStringLiteral("1.9.0")}));
        QVERIFY(
            m_catalog->setReleaseStatus(m_release["2.0.0"], ReleaseStatus::Published, kNow).ok());
        auto back = m_catalog->releases(m_orgA, "p1", "cli", Channel::Stable, kNow);
        QVERIFY(back.ok());
        QCOMPARE(versions(*back).size(), 3);
        QCOMPARE(q(back->front().publishedAt.value_or("")), QStringLiteral("2023-11-14T22:20:00Z"));

        // Publishing a draft stamps the time; it is then beyond A's maintenance.
        QVERIFY(
            m_catalog->setReleaseStatus(m_release["3.1.0"], ReleaseStatus::Published, kNow).ok());
        auto draft = m_catalog->manifestData(m_orgA, "p1", "cli", v("3.1.0"), kNow);
        QVERIFY(!draft.ok());
        auto unpublish =
            m_catalog->setReleaseStatus(m_release["3.1.0"], ReleaseStatus::Draft, kNow);
        QVERIFY(!unpublish.ok());
        QCOMPARE(unpublish.error().code, ErrorCode::Conflict);
    }

    void resourcesFollowTheirRelease_data() { addBackendRows(); }
    void resourcesFollowTheirRelease()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto p1 = m_catalog->product(m_orgA, "p1", kNow);
        QVERIFY2(p1.ok(), messageOf(p1));
        QStringList tools;
        for (const auto &tool : p1->tools) {
            QCOMPARE(q(tool.product), QStringLiteral("p1"));
            tools << q(tool.slug);
        }
        QCOMPARE(tools, (QStringList{QStringLiteral("agent"), QStringLiteral("cli")}));
        QStringList documents;
        for (const auto &document : p1->documents) {
            documents << q(document.title);
        }
        QCOMPARE(documents, (QStringList{QStringLiteral("Manual"), QStringLiteral("Notes 2.0")}));
        QCOMPARE(q(p1->documents[1].release.value_or(SemVer{}).toString()),
                 QStringLiteral("2.0.0"));
        QVERIFY(!p1->documents[0].release.has_value());
        QCOMPARE(q(p1->documents[0].url.value_or("")),
                 QStringLiteral("https://docs.example.com/Manual"));
        // The 3.0.0 tutorial belongs to a release A is not offered.
        QCOMPARE(p1->tutorials.size(), std::size_t{1});
        QCOMPARE(q(p1->tutorials[0].title), QStringLiteral("Getting started"));
        QCOMPARE(name(p1->tutorials[0].kind), name(ResourceKind::Tutorial));

        auto file = m_catalog->resourceFor(m_orgA, m_tutorialFile, kNow);
        QVERIFY2(file.ok(), messageOf(file));
        QCOMPARE(q(file->storageKey.value_or("")), QStringLiteral("resources/guide.pdf"));
        QCOMPARE(q(file->resource.fileName.value_or("")), QStringLiteral("guide.pdf"));
        QCOMPARE(file->resource.size.value_or(0), std::uint64_t{4096});
        QVERIFY(m_catalog->resourceFor(m_orgA, m_notes200, kNow).ok());

        const std::string nonexistent = toolhub::server::newId();
        auto missing = m_catalog->resourceFor(m_orgA, nonexistent, kNow);
        QVERIFY(!missing.ok());
        for (const std::string &hidden : {m_tutorial300, m_resourceB}) {
            auto refused = m_catalog->resourceFor(m_orgA, hidden, kNow);
            QVERIFY(!refused.ok());
            QVERIFY2(sameNotFound(refused.error(), hidden, missing.error(), nonexistent),
                     refused.error().message.c_str());
        }
        QVERIFY(m_catalog->resourceFor(m_orgB, m_resourceB, kNow).ok());
    }

    void licensesShowOwnSerials_data() { addBackendRows(); }
    void licensesShowOwnSerials()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        auto mine = m_catalog->licenses(m_orgA, "org-a");
        QVERIFY2(mine.ok(), messageOf(mine));
        QCOMPARE(mine->size(), std::size_t{2});
        QCOMPARE(q((*mine)[0].serial), QStringLiteral("A-P1-0001"));
        QCOMPARE(q((*mine)[0].product), QStringLiteral("p1"));
        QCOMPARE(q((*mine)[0].organization), QStringLiteral("org-a"));
        QCOMPARE(q((*mine)[0].maintenanceEnd.value_or("")), QStringLiteral("2023-11-14"));
        QCOMPARE(q((*mine)[1].serial), QStringLiteral("A-P3-0001"));
        QCOMPARE(q((*mine)[1].product), QStringLiteral("p3"));
        QCOMPARE(q((*mine)[1].expiresAt.value_or("")), QStringLiteral("2023-11-14T22:28:20Z"));
        auto theirs = m_catalog->licenses(m_orgB, "org-b");
        QVERIFY(theirs.ok());
        QCOMPARE(theirs->size(), std::size_t{1});
        QCOMPARE(q(theirs->front().serial), QStringLiteral("B-P2-0001"));
        auto json = toolhub::toJson(theirs->front());
        QVERIFY(toolhub::licenseFromJson(json).ok());
    }

    void adminInputIsChecked_data() { addBackendRows(); }
    void adminInputIsChecked()
    {
        QFETCH(QString, backend);
        setUpWorld(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        const auto code = [](const auto &result) {
            return result.ok() ? QStringLiteral("ok")
                               : q(std::string(toolhub::errorCodeName(result.error().code)));
        };
        QCOMPARE(code(m_catalog->createProduct({"p1", "Again", "", ""}, kNow)),
                 QStringLiteral("already_exists"));
        QCOMPARE(code(m_catalog->createProduct({"Bad Slug", "x", "", ""}, kNow)),
                 QStringLiteral("invalid_argument"));
        QCOMPARE(code(m_catalog->createProduct({"p9", "", "", ""}, kNow)),
                 QStringLiteral("invalid_argument"));
        QCOMPARE(code(m_catalog->createTool({m_p1, "cli", "Again", ""}, kNow)),
                 QStringLiteral("already_exists"));
        QCOMPARE(code(m_catalog->createTool({m_p2, "cli", "Same slug, other product", ""}, kNow)),
                 QStringLiteral("ok"));
        QCOMPARE(code(m_catalog->createTool({toolhub::server::newId(), "x", "x", ""}, kNow)),
                 QStringLiteral("not_found"));
        // One release per precedence: build metadata does not make a new version.
        QCOMPARE(
            code(m_catalog->createRelease(
                {m_cli, "2.0.0+rebuild", Channel::Stable, ReleaseStatus::Draft, {}, ""}, kNow)),
            QStringLiteral("already_exists"));
        QCOMPARE(code(m_catalog->createRelease(
                     {m_cli, "v4.0.0", Channel::Stable, ReleaseStatus::Draft, {}, ""}, kNow)),
                 QStringLiteral("invalid_argument"));
        QCOMPARE(code(m_catalog->createRelease(
                     {m_cli, "4.0.0", Channel::Stable, ReleaseStatus::Published, {}, ""}, kNow)),
                 QStringLiteral("invalid_argument"));
        QCOMPARE(code(m_catalog->createRelease(
                     {m_cli, "4.0.0+b.1", Channel::Beta, ReleaseStatus::Draft, {}, ""}, kNow)),
                 QStringLiteral("ok"));

        NewArtifact artifact{m_release["1.9.0"],   Platform::Macos, Arch::Arm64,         1,
                             std::string(64, 'b'), "tool.zip",      "p1/cli/1.9.0/macos"};
        for (const char *key : {"../etc/passwd", "/abs/path", "a//b", "a/./b", "a\\b", ""}) {
            NewArtifact bad = artifact;
            bad.storageKey = key;
            QCOMPARE(code(m_catalog->addArtifact(bad, kNow)), QStringLiteral("invalid_argument"));
        }
        NewArtifact badName = artifact;
        badName.fileName = "../tool.zip";
        QCOMPARE(code(m_catalog->addArtifact(badName, kNow)), QStringLiteral("invalid_argument"));
        NewArtifact badHash = artifact;
        badHash.sha256 = std::string(64, 'B');
        QCOMPARE(code(m_catalog->addArtifact(badHash, kNow)), QStringLiteral("invalid_argument"));
        QCOMPARE(code(m_catalog->addArtifact(artifact, kNow)), QStringLiteral("ok"));
        QCOMPARE(code(m_catalog->addArtifact(artifact, kNow)), QStringLiteral("already_exists"));

        NewResource both;
        both.productId = m_p1;
        both.title = "Both";
        both.locale = "en";
        both.url = "https://example.com/x";
        both.fileName = "x.pdf";
        both.size = 1;
        both.storageKey = "x.pdf";
        QCOMPARE(code(m_catalog->addResource(both, kNow)), QStringLiteral("invalid_argument"));
        NewResource foreignRelease;
        foreignRelease.productId = m_p2;
        foreignRelease.releaseId = m_release["2.0.0"]; // a release of p1
        foreignRelease.title = "Wrong product";
        foreignRelease.locale = "de-DE";
        foreignRelease.url = "https://example.com/y";
        QCOMPARE(code(m_catalog->addResource(foreignRelease, kNow)), QStringLiteral("not_found"));

        auto id = m_catalog->productId("p2");
        QVERIFY(id.ok());
        QCOMPARE(q(*id), q(m_p2));
    }

    void downloadsAreRecorded_data() { addBackendRows(); }
    void downloadsAreRecorded()
    {
        QFETCH(QString, backend);
        openDatabase(backend);
        if (QTest::currentTestFailed()) {
            return;
        }
        Downloads downloads(*m_db);
        DownloadEvent whole{"artifact1", std::string("user1"), "org1", 1000, 1000,
                            "",          "192.0.2.7",          kT0};
        DownloadEvent ranged{"artifact1", std::nullopt, "org1",        500,
                             200,         "bytes=500-", "2001:db8::1", kT0 + 5};
        DownloadEvent other{"artifact2", std::nullopt, "org2", 1, 1, "", "", kT0 + 9};
        QVERIFY(downloads.recordDownload(whole).ok());
        QVERIFY(downloads.recordDownload(ranged).ok());
        QVERIFY(downloads.recordDownload(other).ok());
        QCOMPARE(downloads.recordDownload({"", std::nullopt, "org1", 0, 0, "", "", 0}).error().code,
                 ErrorCode::InvalidArgument);

        auto recent = downloads.recentDownloads("org1", 10);
        QVERIFY2(recent.ok(), messageOf(recent));
        QCOMPARE(recent->size(), std::size_t{2});
        const DownloadEvent &first = (*recent)[0].event;
        QCOMPARE(q(first.range), QStringLiteral("bytes=500-"));
        QVERIFY(!first.userId.has_value());
        QCOMPARE(first.bytesRequested, std::uint64_t{500});
        QCOMPARE(first.bytesServed, std::uint64_t{200});
        QCOMPARE(q(first.clientIp), QStringLiteral("2001:db8::1"));
        QCOMPARE(first.at, kT0 + 5);
        QCOMPARE(q((*recent)[1].event.userId.value_or("")), QStringLiteral("user1"));
        QCOMPARE((*recent)[1].id.size(), std::size_t{32});
        auto one = downloads.recentDownloads("org1", 1);
        QVERIFY(one.ok());
        QCOMPARE(one->size(), std::size_t{1});
    }
};

QTEST_GUILESS_MAIN(CatalogTest)
#include "catalog_test.moc"
