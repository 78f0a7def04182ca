// The real toolhub-server on a temporary PostgreSQL cluster: replicas starting together on one
// database apply each migration exactly once, and both serve.

#include "core/migrations/migration_runner.h"
#include "http_client.h"
#include "postgres_cluster.h"
#include "server_process.h"

#include <QNetworkAccessManager>
#include <QTest>

using toolhub::test::PostgresCluster;

class ServerPostgresTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_cluster.start(), qPrintable(m_cluster.errorString())); }

    void twoServersStartingTogetherMigrateOnce_data()
    {
        QTest::addColumn<QString>("database");
        QTest::newRow("round 1") << QStringLiteral("replicas_1");
        QTest::newRow("round 2") << QStringLiteral("replicas_2");
        QTest::newRow("round 3") << QStringLiteral("replicas_3");
    }

    void twoServersStartingTogetherMigrateOnce()
    {
        QFETCH(QString, database);
        QVERIFY2(m_cluster.createDatabase(database), qPrintable(m_cluster.errorString()));
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"), m_cluster.url(database));

        ServerProcess first(environment);
        ServerProcess second(environment);
        QVERIFY2(first.begin(), qPrintable(first.errorString()));
        QVERIFY2(second.begin(), qPrintable(second.errorString()));
        QVERIFY2(first.waitUntilListening(), qPrintable(first.errorString()));
        QVERIFY2(second.waitUntilListening(), qPrintable(second.errorString()));

        const auto scripts = toolhub::server::embeddedMigrations();
        QVERIFY(!scripts.empty());

        // Each migration once in the history, and the applied counts of both add up to it.
        QString output;
        QVERIFY(m_cluster.psql(database,
                               QStringLiteral("SELECT count(*) || '/' || count(DISTINCT version) "
                                              "FROM flyway_schema_history WHERE success"),
                               &output));
        const auto expected = QString::number(scripts.size());
        QCOMPARE(output.trimmed(), expected + QLatin1Char('/') + expected);
        int appliedTotal = 0;
        QStringList instanceIds;
        for (ServerProcess *server : {&first, &second}) {
            for (const auto &record : server->logRecords()) {
                const auto message = record.value(QLatin1String("message")).toString();
                if (message == QLatin1String("database migrated")) {
                    appliedTotal += record.value(QLatin1String("migrations.applied")).toInt();
                } else if (message == QLatin1String("listening")) {
                    instanceIds << record.value(QLatin1String("service.node.name")).toString();
                }
            }
        }
        QCOMPARE(appliedTotal, static_cast<int>(scripts.size()));
        QCOMPARE(instanceIds.size(), 2);
        QCOMPARE(instanceIds.at(0), instanceIds.at(1)); // one installation, two replicas

        for (ServerProcess *server : {&first, &second}) {
            const auto ready =
                httpRequest(m_network, "GET", server->url(QStringLiteral("/readyz")));
            QCOMPARE(ready.status, 200);
        }
        QCOMPARE(first.terminate(), 0);
        QCOMPARE(second.terminate(), 0);
    }

    void unreachableDatabaseFailsStartClearly()
    {
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"),
                           QStringLiteral("postgresql://toolhub:s3cret-pw@127.0.0.1:1/toolhub"));
        ServerProcess server(environment);
        QCOMPARE(server.runToCompletion({QStringLiteral("serve")}), 1);
        const auto output = QString::fromUtf8(server.standardOutput());
        QVERIFY2(output.contains(QLatin1String("127.0.0.1")), qPrintable(output));
        QVERIFY2(!output.contains(QLatin1String("s3cret-pw")), "the password reached the log");
    }

    void tamperedHistoryStopsStart()
    {
        const QString database = QStringLiteral("tampered");
        QVERIFY2(m_cluster.createDatabase(database), qPrintable(m_cluster.errorString()));
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"), m_cluster.url(database));
        ServerProcess migrate(environment);
        QCOMPARE(migrate.runToCompletion({QStringLiteral("migrate")}), 0);
        QVERIFY(m_cluster.psql(database,
                               QStringLiteral("UPDATE flyway_schema_history SET "
                                              "checksum = checksum + 1 WHERE version = '1'")));
        ServerProcess server(environment);
        QCOMPARE(server.runToCompletion({QStringLiteral("serve")}), 1);
        const auto output = QString::fromUtf8(server.standardOutput());
        QVERIFY2(output.contains(QLatin1String("checksum")), qPrintable(output));
        QVERIFY2(output.contains(QLatin1String("V1__server_instance.sql")), qPrintable(output));
    }

    // Runs last: it stops the cluster.
    void readinessFailsWhenTheDatabaseGoesAway()
    {
        const QString database = QStringLiteral("goes_away");
        QVERIFY2(m_cluster.createDatabase(database), qPrintable(m_cluster.errorString()));
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"), m_cluster.url(database));
        ServerProcess server(environment);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QCOMPARE(httpRequest(m_network, "GET", server.url(QStringLiteral("/readyz"))).status, 200);

        m_cluster.stop();
        const auto ready = httpRequest(m_network, "GET", server.url(QStringLiteral("/readyz")));
        QCOMPARE(ready.status, 503);
        QCOMPARE(ready.header("Content-Type"), QByteArray("application/problem+json"));
        // The check is named; hosts, users and driver messages stay in the log.
        QCOMPARE(ready.json().value(QLatin1String("detail")).toString(),
                 QStringLiteral("Not ready: database."));
        QVERIFY(!ready.body.contains("127.0.0.1"));
        QVERIFY(!ready.body.contains("toolhub@"));
        bool logged = false;
        for (const auto &record : server.logRecords()) {
            logged = logged || (record.value(QLatin1String("message")).toString() ==
                                    QLatin1String("not ready") &&
                                record.value(QLatin1String("readiness.check")).toString() ==
                                    QLatin1String("database"));
        }
        QVERIFY(logged);
        QCOMPARE(httpRequest(m_network, "GET", server.url(QStringLiteral("/livez"))).status, 200);
        QCOMPARE(server.terminate(), 0);
    }

private:
    PostgresCluster m_cluster;
    QNetworkAccessManager m_network;
};

QTEST_GUILESS_MAIN(ServerPostgresTest)
#include "server_postgres_test.moc"
