// The local database: installations file by file, manifest versions that only grow, the pinned
// server key, and the catalog as last seen; all of it survives a restart.

#include "core/registry/registry.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

namespace {

const QString server = QStringLiteral("https://toolhub.example.com");

Installation sample(const QString &version)
{
    Installation installation;
    installation.product = QStringLiteral("fluxcad");
    installation.tool = QStringLiteral("flux-cli");
    installation.version = version;
    installation.folder = QStringLiteral("/opt/tools/fluxcad/flux-cli/") + version;
    installation.installedAt = QDateTime(QDate(2026, 11, 28), QTime(9, 30), Qt::UTC);
    installation.files = {{QStringLiteral("bin/flux"), 1234, QByteArray(64, 'a')},
                          {QStringLiteral("share/doc/README"), 56, QByteArray(64, 'b')}};
    return installation;
}

template <class T>
const char *messageOf(const toolhub::Result<T> &result)
{
    return result.ok() ? "" : result.error().message.c_str();
}

} // namespace

class RegistryTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void installationsAreRecordedFileByFile()
    {
        auto registry = openRegistry();
        QVERIFY(registry);
        QVERIFY(!registry->installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"))
                     ->has_value());
        QVERIFY(registry->recordInstallation(sample(QStringLiteral("2.0.0"))).ok());
        auto found = registry->installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
        QVERIFY2(found.ok(), messageOf(found));
        QVERIFY(found->has_value());
        const Installation &installed = **found;
        QCOMPARE(installed.version, QStringLiteral("2.0.0"));
        QCOMPARE(installed.folder, QStringLiteral("/opt/tools/fluxcad/flux-cli/2.0.0"));
        QCOMPARE(installed.installedAt, sample(QString()).installedAt);
        QVERIFY(installed.files == sample(QString()).files);

        // An update replaces the record as a whole: one installation per tool.
        auto update = sample(QStringLiteral("2.1.0"));
        update.files = {{QStringLiteral("bin/flux"), 2000, QByteArray(64, 'c')}};
        QVERIFY(registry->recordInstallation(update).ok());
        auto all = registry->installations();
        QVERIFY(all.ok());
        QCOMPARE(all->size(), std::size_t{1});
        QCOMPARE(all->front().version, QStringLiteral("2.1.0"));
        QCOMPARE(all->front().files.size(), std::size_t{1});

        QVERIFY(registry->forgetInstallation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"))
                    .ok());
        QVERIFY(registry->installations()->empty());
        const auto again =
            registry->forgetInstallation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, toolhub::ErrorCode::NotFound);
    }

    void manifestVersionsOnlyGrow()
    {
        auto registry = openRegistry();
        QVERIFY(registry);
        const auto highest = [&] {
            return *registry->highestManifestVersion(server, QStringLiteral("fluxcad"),
                                                     QStringLiteral("flux-cli"),
                                                     QStringLiteral("2.0.0"));
        };
        QCOMPARE(highest(), std::uint64_t{0});
        QVERIFY(registry
                    ->acceptManifestVersion(server, QStringLiteral("fluxcad"),
                                            QStringLiteral("flux-cli"), QStringLiteral("2.0.0"),
                                            1'700'000'000'123)
                    .ok());
        QCOMPARE(highest(), std::uint64_t{1'700'000'000'123});
        QVERIFY(registry
                    ->acceptManifestVersion(server, QStringLiteral("fluxcad"),
                                            QStringLiteral("flux-cli"), QStringLiteral("2.0.0"),
                                            1'600'000'000'000)
                    .ok());
        QCOMPARE(highest(), std::uint64_t{1'700'000'000'123});
        // Per release and per server.
        QCOMPARE(*registry->highestManifestVersion(server, QStringLiteral("fluxcad"),
                                                   QStringLiteral("flux-cli"),
                                                   QStringLiteral("2.1.0")),
                 std::uint64_t{0});
        QCOMPARE(*registry->highestManifestVersion(
                     QStringLiteral("https://other.example"), QStringLiteral("fluxcad"),
                     QStringLiteral("flux-cli"), QStringLiteral("2.0.0")),
                 std::uint64_t{0});
        QVERIFY(!registry
                     ->acceptManifestVersion(server, QStringLiteral("fluxcad"),
                                             QStringLiteral("flux-cli"), QStringLiteral("2.0.0"),
                                             std::uint64_t{1} << 63)
                     .ok());
    }

    void aPinnedKeyIsNeverReplaced()
    {
        auto registry = openRegistry();
        QVERIFY(registry);
        const QByteArray key(32, '\x01');
        QVERIFY(!registry->pinnedKey(server)->has_value());
        QVERIFY(registry->pinKey(server, key).ok());
        QVERIFY(registry->pinKey(server, key).ok()); // the same key again is fine
        const auto other = registry->pinKey(server, QByteArray(32, '\x02'));
        QVERIFY(!other.ok());
        QCOMPARE(other.error().code, toolhub::ErrorCode::Conflict);
        QCOMPARE(registry->pinnedKey(server)->value(), key);
    }

    void catalogResponsesAreKeptPerServer()
    {
        auto registry = openRegistry();
        QVERIFY(registry);
        const QString path = QStringLiteral("/api/v1/products");
        QVERIFY(!registry->cachedResponse(server, path)->has_value());
        const CachedResponse first{"\"e1\"", R"({"items":[]})",
                                   QDateTime(QDate(2026, 11, 28), QTime(9, 0), Qt::UTC)};
        QVERIFY(registry->storeResponse(server, path, first).ok());
        const CachedResponse second{"\"e2\"", R"({"items":[1]})",
                                    QDateTime(QDate(2026, 11, 28), QTime(10, 0), Qt::UTC)};
        QVERIFY(registry->storeResponse(server, path, second).ok());
        auto cached = registry->cachedResponse(server, path);
        QVERIFY(cached.ok() && cached->has_value());
        QCOMPARE((*cached)->etag, second.etag);
        QCOMPARE((*cached)->body, second.body);
        QCOMPARE((*cached)->fetchedAt, second.fetchedAt);
        QVERIFY(
            !registry->cachedResponse(QStringLiteral("https://other.example"), path)->has_value());
        QVERIFY(registry->forgetResponses(server).ok());
        QVERIFY(!registry->cachedResponse(server, path)->has_value());
    }

    void everythingSurvivesARestart()
    {
        {
            auto registry = openRegistry();
            QVERIFY(registry);
            QVERIFY(registry->recordInstallation(sample(QStringLiteral("2.0.0"))).ok());
            QVERIFY(registry->pinKey(server, QByteArray(32, '\x03')).ok());
        }
        auto reopened = openRegistry();
        QVERIFY(reopened);
        QCOMPARE(reopened->installations()->size(), std::size_t{1});
        QCOMPARE(reopened->pinnedKey(server)->value(), QByteArray(32, '\x03'));
    }

    void aFileThatIsNoDatabaseIsRefused()
    {
        const QString file = m_dir->filePath(QStringLiteral("toolhub.db"));
        QFile garbage(file);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(4096, 'x'));
        garbage.close();
        auto registry = Registry::open(file);
        QVERIFY(!registry.ok());
        QCOMPARE(registry.error().code, toolhub::ErrorCode::Unavailable);
        QVERIFY2(registry.error().message.find("not a database") != std::string::npos,
                 registry.error().message.c_str());
    }

    void aNewerSchemaIsRefused()
    {
        {
            auto registry = openRegistry();
            QVERIFY(registry);
        }
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raise"));
            db.setDatabaseName(m_dir->filePath(QStringLiteral("toolhub.db")));
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("PRAGMA user_version = 99")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raise"));
        auto registry = Registry::open(m_dir->filePath(QStringLiteral("toolhub.db")));
        QVERIFY(!registry.ok());
        QCOMPARE(registry.error().code, toolhub::ErrorCode::FailedPrecondition);
    }

private:
    std::unique_ptr<Registry> openRegistry()
    {
        auto registry = Registry::open(m_dir->filePath(QStringLiteral("toolhub.db")));
        if (!registry.ok()) {
            qWarning("%s", registry.error().message.c_str());
            return nullptr;
        }
        return std::move(registry).value();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(RegistryTest)
#include "registry_test.moc"
