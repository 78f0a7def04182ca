#include "core/instance/instance.h"
#include "core/migrations/flyway_checksum.h"
#include "core/migrations/migration_runner.h"
#include "core/storage/database.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "test_database.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using toolhub::ErrorCode;
using toolhub::Result;
using toolhub::server::compareMigrationVersions;
using toolhub::server::Database;
using toolhub::server::embeddedMigrations;
using toolhub::server::ensureInstanceId;
using toolhub::server::flywayChecksum;
using toolhub::server::inspectMigrations;
using toolhub::server::loadMigrationDirectory;
using toolhub::server::migrate;
using toolhub::server::MigrationScript;
using toolhub::test::addBackendRows;
using toolhub::test::newDatabaseUrl;
using toolhub::test::PostgresCluster;

namespace {

using toolhub::test::q;

const MigrationScript kItems{"V1__create_items.sql",
                             "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT "
                             "NULL);\r\nINSERT INTO items (id, name) VALUES (1, 'semi;colon: "
                             ":not_a_bind');\r\n"};
const MigrationScript kTags{"V1_1__add_tags.sql",
                            "-- tags; with a comment\nCREATE TABLE tags (id INTEGER PRIMARY KEY, "
                            "label VARCHAR(20));\n/* block; comment */\nINSERT INTO tags VALUES "
                            "(1, 'it''s');\n"};
const MigrationScript kIndex{"V2__index_items.sql", "CREATE INDEX items_name_idx ON items (name);"};

std::vector<MigrationScript> threeScripts()
{
    return {kItems, kTags, kIndex};
}

int countRows(Database &db, const std::string &sql)
{
    auto result = db.withSession([&](soci::session &s) -> Result<int> {
        int n = -1;
        s << sql, soci::into(n);
        return n;
    });
    return result.ok() ? *result : -1;
}

bool tableExists(Database &db, const std::string &table)
{
    const std::string sql =
        db.kind() == Database::Kind::Sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
              "current_schema() AND table_name = '" +
                  table + "'";
    return countRows(db, sql) == 1;
}

Result<void> exec(Database &db, const std::string &sql)
{
    return db.withSession([&](soci::session &s) { return db.executeVerbatim(s, sql); });
}

struct HistoryRow {
    int rank = 0;
    std::string version;
    std::string description;
    std::string type;
    std::string script;
    int checksum = 0;
    std::string installedBy;
    int executionTime = -1;
    int success = -1;
    int hasInstalledOn = 0;
};

std::vector<HistoryRow> history(Database &db)
{
    auto rows = db.withSession([](soci::session &s) -> Result<std::vector<HistoryRow>> {
        std::vector<HistoryRow> out;
        HistoryRow row;
        soci::statement st =
            (s.prepare << "SELECT installed_rank, version, description, type, script, checksum, "
                          "installed_by, execution_time, CASE WHEN success THEN 1 ELSE 0 END, "
                          "CASE WHEN installed_on IS NULL THEN 0 ELSE 1 END "
                          "FROM flyway_schema_history ORDER BY installed_rank",
             soci::into(row.rank), soci::into(row.version), soci::into(row.description),
             soci::into(row.type), soci::into(row.script), soci::into(row.checksum),
             soci::into(row.installedBy), soci::into(row.executionTime), soci::into(row.success),
             soci::into(row.hasInstalledOn));
        st.execute();
        while (st.fetch()) {
            out.push_back(row);
        }
        return out;
    });
    return rows.ok() ? *rows : std::vector<HistoryRow>{};
}

} // namespace

// Flyway-compatible migrations against a temporary SQLite file and a temporary PostgreSQL
// cluster: every data-driven test runs on both.
class MigrationRunnerTest : public QObject {
    Q_OBJECT

private:
    PostgresCluster m_pg;
    QTemporaryDir m_dir;
    int m_counter = 0;
    QElapsedTimer m_clock;

    std::unique_ptr<Database> open(const QString &backend, QString *name = nullptr,
                                   std::size_t pool = 2)
    {
        const QString db = QStringLiteral("db%1").arg(++m_counter);
        if (name != nullptr) {
            *name = db;
        }
        QString error;
        const std::string url = newDatabaseUrl(backend, m_dir, m_pg, db, &error);
        if (url.empty()) {
            qWarning("%s", qPrintable(error));
            return nullptr;
        }
        return reopen(url, pool);
    }

    static std::unique_ptr<Database> reopen(const std::string &url, std::size_t pool = 2)
    {
        QString error;
        auto db = toolhub::test::openDatabase(url, pool, &error);
        if (!db) {
            qWarning("%s", qPrintable(error));
        }
        return db;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
        qInfo("PostgreSQL cluster on port %u started in %lld ms", unsigned{m_pg.port()},
              timer.elapsed());
        m_clock.start();
    }

    void cleanupTestCase()
    {
        qInfo("tests took %lld ms", m_clock.elapsed());
        m_pg.stop();
    }

    void versionOrder()
    {
        QVERIFY(compareMigrationVersions("1", "1.1") < 0);
        QVERIFY(compareMigrationVersions("1.1", "2") < 0);
        QVERIFY(compareMigrationVersions("2", "10") < 0);
        QVERIFY(compareMigrationVersions("10", "9.9") > 0);
        QVERIFY(compareMigrationVersions("1.10", "1.9") > 0);
        QCOMPARE(compareMigrationVersions("1", "1.0"), 0);
        QCOMPARE(compareMigrationVersions("2_1", "2.1"), 0);
        QCOMPARE(compareMigrationVersions("007", "7"), 0);
        QVERIFY(compareMigrationVersions("123456789012345678901", "123456789012345678902") < 0);
    }

    void fileNames_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("description");
        QTest::newRow("simple") << "V1__init.sql"
                                << "1"
                                << "init";
        QTest::newRow("dotted") << "V1.1__add_users.sql"
                                << "1.1"
                                << "add users";
        QTest::newRow("underscored") << "V2_1__more_things.sql"
                                     << "2.1"
                                     << "more things";
        QTest::newRow("empty description") << "V3__.sql"
                                           << "3"
                                           << "";
        QTest::newRow("bad: no V") << "1__x.sql"
                                   << ""
                                   << "";
        QTest::newRow("bad: repeatable") << "R__view.sql"
                                         << ""
                                         << "";
        QTest::newRow("bad: no separator") << "V1_init.sql"
                                           << ""
                                           << "";
        QTest::newRow("bad: letters") << "V1a__x.sql"
                                      << ""
                                      << "";
        QTest::newRow("bad: empty part") << "V1..2__x.sql"
                                         << ""
                                         << "";
        QTest::newRow("bad: suffix") << "V1__x.txt"
                                     << ""
                                     << "";
    }

    void fileNames()
    {
        QFETCH(QString, file);
        QFETCH(QString, version);
        QFETCH(QString, description);
        const MigrationScript script{file.toStdString(), "SELECT 1;"};
        auto resolved = toolhub::server::resolveMigration(script);
        if (version.isEmpty()) {
            QVERIFY(!resolved.ok());
            QCOMPARE(resolved.error().code, ErrorCode::FailedPrecondition);
            QVERIFY(q(resolved.error().message).contains(file));
            return;
        }
        QVERIFY(resolved.ok());
        QCOMPARE(q(resolved->version), version);
        QCOMPARE(q(resolved->description), description);
        QCOMPARE(resolved->checksum, flywayChecksum("SELECT 1;"));
    }

    void loadsFolder()
    {
        QTemporaryDir dir;
        const auto write = [&](const QString &name, const QByteArray &content) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        };
        write(QStringLiteral("V2__b.sql"), "SELECT 2;\r\n");
        write(QStringLiteral("V1__a.sql"), "SELECT 1;\n");
        write(QStringLiteral("README.md"), "not a migration");
        auto scripts = loadMigrationDirectory(dir.path().toStdString());
        QVERIFY(scripts.ok());
        QCOMPARE(scripts->size(), std::size_t{2});
        QCOMPARE(q((*scripts)[0].fileName), QStringLiteral("V1__a.sql"));
        QCOMPARE(q((*scripts)[1].sql), QStringLiteral("SELECT 2;\r\n"));

        write(QStringLiteral("v3_lowercase.sql"), "SELECT 3;");
        auto bad = loadMigrationDirectory(dir.path().toStdString());
        QVERIFY(!bad.ok());
        QVERIFY(q(bad.error().message).contains(QStringLiteral("v3_lowercase.sql")));

        auto missing = loadMigrationDirectory(dir.filePath(QStringLiteral("nope")).toStdString());
        QVERIFY(!missing.ok());
    }

    void embeddedServerMigrations()
    {
        const std::vector<MigrationScript> scripts = embeddedMigrations();
        QVERIFY(!scripts.empty());
        QCOMPARE(q(scripts.front().fileName), QStringLiteral("V1__server_instance.sql"));
        QVERIFY(q(scripts.front().sql).contains(QStringLiteral("CREATE TABLE server_instance")));
        for (const MigrationScript &script : scripts) {
            QVERIFY2(toolhub::server::resolveMigration(script).ok(), script.fileName.c_str());
        }
    }

    void duplicateVersionsRefused()
    {
        auto db = open(QStringLiteral("sqlite"));
        QVERIFY(db);
        const std::vector<MigrationScript> scripts{{"V1__a.sql", "CREATE TABLE a (x INT);"},
                                                   {"V1_0__b.sql", "CREATE TABLE b (x INT);"}};
        auto result = migrate(*db, scripts, "tester");
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::FailedPrecondition);
        QVERIFY2(q(result.error().message).contains(QStringLiteral("V1__a.sql")) &&
                     q(result.error().message).contains(QStringLiteral("V1_0__b.sql")),
                 result.error().message.c_str());
        QVERIFY(!tableExists(*db, "a"));
    }

    void freshMigrateAppliesAll_data() { addBackendRows(); }
    void freshMigrateAppliesAll()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        auto before = inspectMigrations(*db, threeScripts());
        QVERIFY(before.ok());
        QCOMPARE(before->pending, std::size_t{3});
        QVERIFY(!before->upToDate());

        auto report = migrate(*db, threeScripts(), "tester");
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->applied, std::size_t{3});
        QCOMPARE(q(report->currentVersion), QStringLiteral("2"));

        const std::vector<HistoryRow> rows = history(*db);
        QCOMPARE(rows.size(), std::size_t{3});
        const std::vector<MigrationScript> scripts = threeScripts();
        const QStringList versions{QStringLiteral("1"), QStringLiteral("1.1"), QStringLiteral("2")};
        const QStringList descriptions{QStringLiteral("create items"), QStringLiteral("add tags"),
                                       QStringLiteral("index items")};
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto at = static_cast<qsizetype>(i);
            QCOMPARE(rows[i].rank, static_cast<int>(i) + 1);
            QCOMPARE(q(rows[i].version), versions.at(at));
            QCOMPARE(q(rows[i].description), descriptions.at(at));
            QCOMPARE(q(rows[i].type), QStringLiteral("SQL"));
            QCOMPARE(q(rows[i].script), q(scripts[i].fileName));
            QCOMPARE(rows[i].checksum, flywayChecksum(scripts[i].sql));
            QCOMPARE(q(rows[i].installedBy), QStringLiteral("tester"));
            QVERIFY(rows[i].executionTime >= 0);
            QCOMPARE(rows[i].success, 1);
            QCOMPARE(rows[i].hasInstalledOn, 1);
        }
        // The scripts really ran, strings with ';' and ':' intact.
        QCOMPARE(countRows(*db, "SELECT count(*) FROM items WHERE name = 'semi;colon: "
                                ":not_a_bind'"),
                 1);
        QCOMPARE(countRows(*db, "SELECT count(*) FROM tags WHERE label = 'it''s'"), 1);

        auto after = inspectMigrations(*db, threeScripts());
        QVERIFY(after.ok());
        QVERIFY(after->upToDate());
        QCOMPARE(after->applied, std::size_t{3});
        QCOMPARE(q(after->currentVersion), QStringLiteral("2"));
    }

    void secondRunAppliesNothing_data() { addBackendRows(); }
    void secondRunAppliesNothing()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        QVERIFY(migrate(*db, threeScripts(), "tester").ok());
        auto again = migrate(*db, threeScripts(), "tester");
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().message.c_str());
        QCOMPARE(again->applied, std::size_t{0});
        QCOMPARE(q(again->currentVersion), QStringLiteral("2"));
        QCOMPARE(history(*db).size(), std::size_t{3});

        // Line endings are not part of Flyway's checksum: converting CRLF to LF is no change.
        std::vector<MigrationScript> lf = threeScripts();
        lf[0].sql = "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n"
                    "INSERT INTO items (id, name) VALUES (1, 'semi;colon: :not_a_bind');\n";
        auto relf = migrate(*db, lf, "tester");
        QVERIFY2(relf.ok(), relf.ok() ? "" : relf.error().message.c_str());
        QCOMPARE(relf->applied, std::size_t{0});

        // New scripts later are applied on top.
        std::vector<MigrationScript> more = threeScripts();
        more.push_back({"V3__extra.sql", "CREATE TABLE extra (x INT);"});
        auto third = migrate(*db, more, "tester");
        QVERIFY(third.ok());
        QCOMPARE(third->applied, std::size_t{1});
        QCOMPARE(q(third->currentVersion), QStringLiteral("3"));
    }

    void changedScriptRefused_data() { addBackendRows(); }
    void changedScriptRefused()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        QVERIFY(migrate(*db, threeScripts(), "tester").ok());
        std::vector<MigrationScript> changed = threeScripts();
        changed[1].sql += "INSERT INTO tags VALUES (2, 'sneaky');\n";
        auto result = migrate(*db, changed, "tester");
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::FailedPrecondition);
        const QString message = q(result.error().message);
        QVERIFY2(message.contains(QStringLiteral("checksum mismatch")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("V1_1__add_tags.sql")), qPrintable(message));
        QVERIFY2(message.contains(QString::number(flywayChecksum(kTags.sql))), qPrintable(message));
        QVERIFY2(message.contains(QString::number(flywayChecksum(changed[1].sql))),
                 qPrintable(message));
        QCOMPARE(countRows(*db, "SELECT count(*) FROM tags"), 1);

        auto state = inspectMigrations(*db, changed);
        QVERIFY(state.ok());
        QVERIFY(!state->upToDate());
        QVERIFY(state->problem.has_value());
        QVERIFY(q(state->problem->message).contains(QStringLiteral("checksum mismatch")));
    }

    void deletedScriptIsMissing_data() { addBackendRows(); }
    void deletedScriptIsMissing()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        QVERIFY(migrate(*db, threeScripts(), "tester").ok());
        const std::vector<MigrationScript> withoutTags{kItems, kIndex};
        auto result = migrate(*db, withoutTags, "tester");
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::FailedPrecondition);
        const QString message = q(result.error().message);
        QVERIFY2(message.contains(QStringLiteral("missing")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("V1_1__add_tags.sql")), qPrintable(message));
    }

    void failedRowRefused_data() { addBackendRows(); }
    void failedRowRefused()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        QVERIFY(migrate(*db, threeScripts(), "tester").ok());
        QVERIFY(
            exec(*db, "UPDATE flyway_schema_history SET success = FALSE WHERE version = '2'").ok());
        auto result = migrate(*db, threeScripts(), "tester");
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::FailedPrecondition);
        const QString message = q(result.error().message);
        QVERIFY2(message.contains(QStringLiteral("V2__index_items.sql")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("repair")), qPrintable(message));
        auto state = inspectMigrations(*db, threeScripts());
        QVERIFY(state.ok());
        QVERIFY(!state->upToDate());
    }

    void failingScriptLeavesNothing_data() { addBackendRows(); }
    void failingScriptLeavesNothing()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        std::vector<MigrationScript> scripts{kItems,
                                             {"V2__broken.sql", "CREATE TABLE partial (x INT);\n"
                                                                "CREATE TABLE broken (x INT,,);\n"
                                                                "CREATE TABLE never (x INT);\n"}};
        auto result = migrate(*db, scripts, "tester");
        QVERIFY(!result.ok());
        const QString message = q(result.error().message);
        QCOMPARE(result.error().code, ErrorCode::Internal);
        QVERIFY2(message.contains(QStringLiteral("V2__broken.sql")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("statement 2 of 3")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("syntax error")), qPrintable(message));
        QVERIFY(!tableExists(*db, "partial"));
        QVERIFY(!tableExists(*db, "never"));
        QVERIFY(tableExists(*db, "items"));
        const std::vector<HistoryRow> rows = history(*db);
        QCOMPARE(rows.size(), std::size_t{1});
        QCOMPARE(q(rows[0].script), QStringLiteral("V1__create_items.sql"));

        // Fixed, it applies; the session is healthy again after the rollback.
        scripts[1].sql = "CREATE TABLE partial (x INT);\nCREATE TABLE broken (x INT);\n";
        auto fixed = migrate(*db, scripts, "tester");
        QVERIFY2(fixed.ok(), fixed.ok() ? "" : fixed.error().message.c_str());
        QCOMPARE(fixed->applied, std::size_t{1});
        QVERIFY(tableExists(*db, "partial"));
    }

    void outOfOrderRefused_data() { addBackendRows(); }
    void outOfOrderRefused()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        QVERIFY(migrate(*db, std::vector<MigrationScript>{kItems, kIndex}, "tester").ok());
        auto result = migrate(*db, threeScripts(), "tester");
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::FailedPrecondition);
        const QString message = q(result.error().message);
        QVERIFY2(message.contains(QStringLiteral("out of order")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("V1_1__add_tags.sql")), qPrintable(message));
        QVERIFY(!tableExists(*db, "tags"));
    }

    void appliesInVersionOrder_data() { addBackendRows(); }
    void appliesInVersionOrder()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        // Given scrambled; each script depends on the one before it.
        const std::vector<MigrationScript> scripts{
            {"V10__d.sql", "CREATE TABLE d (x INT REFERENCES c (x));"},
            {"V2__c.sql", "CREATE TABLE c (x INT PRIMARY KEY REFERENCES b (x));"},
            {"V1__a.sql", "CREATE TABLE a (x INT PRIMARY KEY);"},
            {"V1_1__b.sql", "CREATE TABLE b (x INT PRIMARY KEY REFERENCES a (x));"},
        };
        auto report = migrate(*db, scripts, "tester");
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->applied, std::size_t{4});
        QCOMPARE(q(report->currentVersion), QStringLiteral("10"));
        QStringList order;
        for (const HistoryRow &row : history(*db)) {
            order << q(row.version);
        }
        QCOMPARE(order, (QStringList{QStringLiteral("1"), QStringLiteral("1.1"),
                                     QStringLiteral("2"), QStringLiteral("10")}));
    }

    void instanceIdIsStable_data() { addBackendRows(); }
    void instanceIdIsStable()
    {
        QFETCH(QString, backend);
        auto db = open(backend);
        QVERIFY(db);
        QVERIFY(migrate(*db, embeddedMigrations(), "toolhub-server").ok());
        auto first = ensureInstanceId(*db);
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().message.c_str());
        QCOMPARE(first->size(), std::size_t{32});
        auto second = ensureInstanceId(*db);
        QVERIFY(second.ok());
        QCOMPARE(q(*second), q(*first));
        QCOMPARE(countRows(*db, "SELECT count(*) FROM server_instance"), 1);
    }

    void concurrentMigrations_data() { addBackendRows(); }
    void concurrentMigrations()
    {
        QFETCH(QString, backend);
        QString name;
        auto first = open(backend, &name);
        QVERIFY(first);
        const std::string url =
            backend == QLatin1String("sqlite")
                ? "sqlite://" + m_dir.filePath(name + QStringLiteral(".db")).toStdString()
                : m_pg.url(name).toStdString();
        auto second = reopen(url);
        QVERIFY(second);
        std::vector<MigrationScript> scripts = threeScripts();
        // A slow first script makes the two runs overlap.
        scripts[0].sql += backend == QLatin1String("sqlite")
                              ? "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 300000) SELECT count(*) FROM n;\n"
                              : "SELECT pg_sleep(0.5);\n";
        scripts.push_back(embeddedMigrations().front());
        scripts.back().fileName = "V3__server_instance.sql";

        std::optional<Result<toolhub::server::MigrationReport>> a;
        std::optional<Result<toolhub::server::MigrationReport>> b;
        std::optional<Result<std::string>> idA;
        std::optional<Result<std::string>> idB;
        std::thread ta([&] {
            a = migrate(*first, scripts, "replica-a");
            idA = ensureInstanceId(*first);
        });
        std::thread tb([&] {
            b = migrate(*second, scripts, "replica-b");
            idB = ensureInstanceId(*second);
        });
        ta.join();
        tb.join();
        QVERIFY2(a->ok(), a->ok() ? "" : a->error().message.c_str());
        QVERIFY2(b->ok(), b->ok() ? "" : b->error().message.c_str());
        QCOMPARE((*a)->applied + (*b)->applied, std::size_t{4});
        QCOMPARE(q((*a)->currentVersion), QStringLiteral("3"));
        QCOMPARE(q((*b)->currentVersion), QStringLiteral("3"));
        QCOMPARE(countRows(*first, "SELECT count(*) FROM flyway_schema_history"), 4);
        QCOMPARE(countRows(*first, "SELECT count(DISTINCT version) FROM flyway_schema_history"), 4);
        QCOMPARE(countRows(*first, "SELECT count(*) FROM items"), 1);
        QVERIFY(idA->ok() && idB->ok());
        QCOMPARE(q(**idA), q(**idB));
    }

    void postgresReconnectsAfterConnectionLoss()
    {
        QString name;
        auto db = open(QStringLiteral("postgres"), &name, 1);
        QVERIFY(db);
        QVERIFY(db->ping().ok());
        QVERIFY2(m_pg.psql(QStringLiteral("postgres"),
                           QStringLiteral("SELECT pg_terminate_backend(pid) FROM "
                                          "pg_stat_activity WHERE datname = '%1'")
                               .arg(name)),
                 qPrintable(m_pg.errorString()));
        // The first use may discover the loss (Unavailable); the next one reconnects.
        auto firstPing = db->ping();
        if (!firstPing.ok()) {
            QCOMPARE(firstPing.error().code, ErrorCode::Unavailable);
        }
        auto secondPing = db->ping();
        QVERIFY2(secondPing.ok(), secondPing.ok() ? "" : secondPing.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(MigrationRunnerTest)
#include "migration_runner_test.moc"
