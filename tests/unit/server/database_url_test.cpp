#include "core/storage/database.h"
#include "result_text.h"

#include <QTest>

using toolhub::ErrorCode;
using toolhub::server::DatabaseKind;
using toolhub::server::parseDatabaseUrl;

namespace {

using toolhub::test::q;
} // namespace

class DatabaseUrlTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sqliteForms()
    {
        auto absolute = parseDatabaseUrl("sqlite:///var/lib/toolhub/toolhub.db");
        QVERIFY(absolute.ok());
        QCOMPARE(absolute->kind, DatabaseKind::Sqlite);
        QCOMPARE(q(absolute->path), QStringLiteral("/var/lib/toolhub/toolhub.db"));
        QCOMPARE(q(absolute->redacted()), QStringLiteral("sqlite:///var/lib/toolhub/toolhub.db"));

        auto relative = parseDatabaseUrl("sqlite:data/toolhub.db");
        QVERIFY(relative.ok());
        QCOMPARE(q(relative->path), QStringLiteral("data/toolhub.db"));
        QCOMPARE(q(relative->redacted()), QStringLiteral("sqlite:data/toolhub.db"));
        QCOMPARE(q(relative->connectString()), QStringLiteral("db=\"data/toolhub.db\" timeout=5"));
    }

    void postgresForms()
    {
        auto full = parseDatabaseUrl(
            "postgresql://toolhub:s3cret@db.example.com:6543/portal?sslmode=require");
        QVERIFY(full.ok());
        QCOMPARE(full->kind, DatabaseKind::Postgres);
        QCOMPARE(q(full->user), QStringLiteral("toolhub"));
        QCOMPARE(q(full->password), QStringLiteral("s3cret"));
        QCOMPARE(q(full->host), QStringLiteral("db.example.com"));
        QCOMPARE(full->port, std::uint16_t{6543});
        QCOMPARE(q(full->database), QStringLiteral("portal"));
        QCOMPARE(q(full->params), QStringLiteral("sslmode=require"));
        QCOMPARE(
            q(full->redacted()),
            QStringLiteral("postgresql://toolhub:***@db.example.com:6543/portal?sslmode=require"));
        QCOMPARE(q(full->connectString()),
                 QStringLiteral("postgresql://toolhub:s3cret@db.example.com:6543/portal?"
                                "sslmode=require&connect_timeout=5"));

        auto minimal = parseDatabaseUrl("postgres://app@localhost/toolhub");
        QVERIFY(minimal.ok());
        QCOMPARE(minimal->port, std::uint16_t{0});
        QVERIFY(minimal->password.empty());
        QCOMPARE(q(minimal->redacted()), QStringLiteral("postgresql://app@localhost/toolhub"));
        QCOMPARE(q(minimal->connectString()),
                 QStringLiteral("postgresql://app@localhost/toolhub?connect_timeout=5"));

        auto ownTimeout = parseDatabaseUrl("postgresql://a@h/d?connect_timeout=30");
        QVERIFY(ownTimeout.ok());
        QCOMPARE(q(ownTimeout->connectString()),
                 QStringLiteral("postgresql://a@h/d?connect_timeout=30"));

        auto ipv6 = parseDatabaseUrl("postgresql://a:pw@[::1]:5433/d");
        QVERIFY(ipv6.ok());
        QCOMPARE(q(ipv6->host), QStringLiteral("::1"));
        QCOMPARE(ipv6->port, std::uint16_t{5433});
        QCOMPARE(q(ipv6->redacted()), QStringLiteral("postgresql://a:***@[::1]:5433/d"));
    }

    void passwordsNeverInRedactedOrScrubbed()
    {
        auto url = parseDatabaseUrl(
            "postgresql://u:p%40ss@h/d?sslpassword=keypw&password=other&application_name=x");
        QVERIFY(url.ok());
        const QString redacted = q(url->redacted());
        QVERIFY2(!redacted.contains(QStringLiteral("p%40ss")), qPrintable(redacted));
        QVERIFY(!redacted.contains(QStringLiteral("keypw")));
        QVERIFY(!redacted.contains(QStringLiteral("other")));
        QVERIFY(redacted.contains(QStringLiteral("application_name=x")));
        const QString scrubbed = q(url->scrub("failed for p%40ss, p@ss, keypw and other, user u"));
        QCOMPARE(scrubbed, QStringLiteral("failed for ***, ***, *** and ***, user u"));
    }

    void refused_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("hint");
        QTest::newRow("empty") << QString() << QStringLiteral("expected sqlite:");
        QTest::newRow("mysql") << QStringLiteral("mysql://u:pw@h/d")
                               << QStringLiteral("unsupported scheme 'mysql'");
        QTest::newRow("sqlite two slashes")
            << QStringLiteral("sqlite://relative/x.db") << QStringLiteral("ambiguous");
        QTest::newRow("sqlite no path") << QStringLiteral("sqlite:") << QStringLiteral("no file");
        QTest::newRow("sqlite memory")
            << QStringLiteral("sqlite::memory:") << QStringLiteral("in-memory");
        QTest::newRow("pg no database")
            << QStringLiteral("postgresql://u:pw@h") << QStringLiteral("no database");
        QTest::newRow("pg empty database")
            << QStringLiteral("postgresql://u:pw@h/") << QStringLiteral("no database");
        QTest::newRow("pg no host")
            << QStringLiteral("postgresql://u:pw@/d") << QStringLiteral("no host");
        QTest::newRow("pg bad port")
            << QStringLiteral("postgresql://u:pw@h:99999/d") << QStringLiteral("port");
        QTest::newRow("pg port letters")
            << QStringLiteral("postgresql://u:pw@h:54x/d") << QStringLiteral("port");
        QTest::newRow("pg empty port")
            << QStringLiteral("postgresql://u:pw@h:/d") << QStringLiteral("port");
        QTest::newRow("pg raw @ in password")
            << QStringLiteral("postgresql://u:p@ss@h/d") << QStringLiteral("%40");
        QTest::newRow("pg several hosts")
            << QStringLiteral("postgresql://u@h1,h2/d") << QStringLiteral("several");
        QTest::newRow("pg bad params")
            << QStringLiteral("postgresql://u@h/d?sslmode") << QStringLiteral("key=value");
        QTest::newRow("space") << QStringLiteral("postgresql://u:pw@h/d b")
                               << QStringLiteral("spaces");
    }

    void refused()
    {
        QFETCH(QString, url);
        QFETCH(QString, hint);
        auto parsed = parseDatabaseUrl(url.toStdString());
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
        const QString message = q(parsed.error().message);
        QVERIFY2(message.contains(hint), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral(":pw@")), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(DatabaseUrlTest)
#include "database_url_test.moc"
