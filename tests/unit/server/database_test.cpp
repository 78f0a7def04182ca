#include "core/storage/database.h"
#include "result_text.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using toolhub::ErrorCode;
using toolhub::Result;
using toolhub::server::Database;
using toolhub::server::parseDatabaseUrl;

namespace {

using toolhub::test::q;

std::unique_ptr<Database> openSqlite(const QString &path, std::size_t pool = 2)
{
    auto url = parseDatabaseUrl("sqlite://" + path.toStdString());
    if (!url) {
        qWarning("%s", url.error().message.c_str());
        return nullptr;
    }
    auto db = Database::open(*url, pool);
    if (!db) {
        qWarning("%s", db.error().message.c_str());
        return nullptr;
    }
    return std::move(db).value();
}

} // namespace

class DatabaseTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sqliteSessionsAreConfigured()
    {
        QTemporaryDir dir;
        auto db = openSqlite(dir.filePath(QStringLiteral("t.db")), 3);
        QVERIFY(db);
        QCOMPARE(db->kind(), Database::Kind::Sqlite);
        QVERIFY(db->ping().ok());
        // Every pooled connection carries the settings, not just the first.
        for (int i = 0; i < 3; ++i) {
            auto settings = db->withSession([](soci::session &s) -> Result<QString> {
                std::string mode;
                int foreignKeys = 0;
                int busy = 0;
                s << "PRAGMA journal_mode", soci::into(mode);
                s << "PRAGMA foreign_keys", soci::into(foreignKeys);
                s << "PRAGMA busy_timeout", soci::into(busy);
                return QStringLiteral("%1 %2 %3").arg(q(mode)).arg(foreignKeys).arg(busy);
            });
            QVERIFY(settings.ok());
            QCOMPARE(*settings, QStringLiteral("wal 1 5000"));
        }
    }

    void sqlitePathWithSpaces()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("with  two spaces.db"));
        auto db = openSqlite(path);
        QVERIFY(db);
        QVERIFY(db->ping().ok());
        QVERIFY(QFile::exists(path));
    }

    void sqliteMissingFolderIsUnavailable()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("no/such/folder/t.db"));
        auto url = parseDatabaseUrl("sqlite://" + path.toStdString());
        QVERIFY(url.ok());
        auto db = Database::open(*url, 1);
        QVERIFY(!db.ok());
        QCOMPARE(db.error().code, ErrorCode::Unavailable);
        QVERIFY2(q(db.error().message).contains(path), db.error().message.c_str());
    }

    void sociErrorsBecomeErrors()
    {
        QTemporaryDir dir;
        auto db = openSqlite(dir.filePath(QStringLiteral("t.db")));
        QVERIFY(db);
        auto result = db->withSession([](soci::session &s) -> Result<int> {
            int n = 0;
            s << "SELECT count(*) FROM no_such_table", soci::into(n);
            return n;
        });
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::Internal);
        QVERIFY2(q(result.error().message).contains(QStringLiteral("no_such_table")),
                 result.error().message.c_str());
        // The session went back to the pool: the database still answers.
        QVERIFY(db->ping().ok());
    }

    void executeVerbatimKeepsColonsAndReportsErrors()
    {
        QTemporaryDir dir;
        auto db = openSqlite(dir.filePath(QStringLiteral("t.db")));
        QVERIFY(db);
        auto done = db->withSession([&](soci::session &s) -> Result<std::string> {
            if (auto r = db->executeVerbatim(s, "CREATE TABLE t (v TEXT)"); !r) {
                return toolhub::fail(r.error());
            }
            if (auto r = db->executeVerbatim(s, "INSERT INTO t VALUES (':name: $1 ?')"); !r) {
                return toolhub::fail(r.error());
            }
            std::string v;
            s << "SELECT v FROM t", soci::into(v);
            return v;
        });
        QVERIFY2(done.ok(), done.ok() ? "" : done.error().message.c_str());
        QCOMPARE(q(*done), QStringLiteral(":name: $1 ?"));
        auto bad =
            db->withSession([&](soci::session &s) { return db->executeVerbatim(s, "SELEC 1"); });
        QVERIFY(!bad.ok());
        QVERIFY2(q(bad.error().message).contains(QStringLiteral("syntax error")),
                 bad.error().message.c_str());
    }

    void poolIsThreadSafe()
    {
        QTemporaryDir dir;
        auto db = openSqlite(dir.filePath(QStringLiteral("t.db")), 2);
        QVERIFY(db);
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 50; ++i) {
                    if (!db->ping().ok()) {
                        ++failures;
                    }
                }
            });
        }
        for (std::thread &thread : threads) {
            thread.join();
        }
        QCOMPARE(failures.load(), 0);
    }

    void unreachablePostgresIsUnavailableWithoutPassword()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close(); // nothing listens there now: connection refused
        auto url = parseDatabaseUrl(
            "postgresql://toolhub:Sup3r%40Secret@127.0.0.1:" + std::to_string(port) + "/toolhub");
        QVERIFY(url.ok());
        auto db = Database::open(*url, 1);
        QVERIFY(!db.ok());
        QCOMPARE(db.error().code, ErrorCode::Unavailable);
        const QString message = q(db.error().message);
        QVERIFY2(message.contains(QStringLiteral("127.0.0.1")), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("Sup3r")), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(DatabaseTest)
#include "database_test.moc"
