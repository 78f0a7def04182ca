#include "core/migrations/sql_splitter.h"

#include <QTest>

using toolhub::server::splitSqlStatements;

namespace {

QStringList split(const char *sql)
{
    QStringList out;
    for (const std::string &statement : splitSqlStatements(sql)) {
        out << QString::fromStdString(statement);
    }
    return out;
}

} // namespace

class SqlSplitterTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splits_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("two statements")
            << QStringLiteral("CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n")
            << QStringList{QStringLiteral("CREATE TABLE a (x INT)"),
                           QStringLiteral("CREATE TABLE b (y INT)")};
        QTest::newRow("no final semicolon")
            << QStringLiteral("SELECT 1; SELECT 2")
            << QStringList{QStringLiteral("SELECT 1"), QStringLiteral("SELECT 2")};
        QTest::newRow("empty and comment-only pieces dropped")
            << QStringLiteral(";;\n-- only a comment;\n/* and; this */ ;SELECT 1;\n-- trailing")
            << QStringList{QStringLiteral("SELECT 1")};
        QTest::newRow("semicolon in string with doubled quote")
            << QStringLiteral("INSERT INTO t VALUES ('it''s; here'); SELECT 2;")
            << QStringList{QStringLiteral("INSERT INTO t VALUES ('it''s; here')"),
                           QStringLiteral("SELECT 2")};
        QTest::newRow("semicolon in quoted identifier")
            << QStringLiteral("CREATE TABLE \"we;ird\"\"\" (x INT); SELECT 1")
            << QStringList{QStringLiteral("CREATE TABLE \"we;ird\"\"\" (x INT)"),
                           QStringLiteral("SELECT 1")};
        QTest::newRow("line comment with quote and semicolon")
            << QStringLiteral("SELECT 1 -- it's; not the end\n, 2; SELECT 3")
            << QStringList{QStringLiteral("SELECT 1 -- it's; not the end\n, 2"),
                           QStringLiteral("SELECT 3")};
        QTest::newRow("nested block comment")
            << QStringLiteral("SELECT /* a /* b; */ c; ' */ 1; SELECT 2")
            << QStringList{QStringLiteral("SELECT /* a /* b; */ c; ' */ 1"),
                           QStringLiteral("SELECT 2")};
        QTest::newRow("dollar quote")
            << QStringLiteral("CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ "
                              "LANGUAGE plpgsql; SELECT f();")
            << QStringList{QStringLiteral("CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN "
                                          "1; END; $$ LANGUAGE plpgsql"),
                           QStringLiteral("SELECT f()")};
        QTest::newRow("tagged dollar quote containing $$")
            << QStringLiteral("DO $body$ BEGIN PERFORM '$$;'; END $body$; SELECT 1")
            << QStringList{QStringLiteral("DO $body$ BEGIN PERFORM '$$;'; END $body$"),
                           QStringLiteral("SELECT 1")};
        QTest::newRow("positional parameter is no dollar quote")
            << QStringLiteral("PREPARE p AS SELECT $1; SELECT 'x'")
            << QStringList{QStringLiteral("PREPARE p AS SELECT $1"), QStringLiteral("SELECT 'x'")};
        QTest::newRow("E string with backslash quote")
            << QStringLiteral("SELECT E'a\\';b'; SELECT 2")
            << QStringList{QStringLiteral("SELECT E'a\\';b'"), QStringLiteral("SELECT 2")};
        QTest::newRow("backslash in standard string is literal")
            << QStringLiteral("SELECT 'a\\'; SELECT 2")
            << QStringList{QStringLiteral("SELECT 'a\\'"), QStringLiteral("SELECT 2")};
        QTest::newRow("sqlite trigger body")
            << QStringLiteral("CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
                              "  UPDATE b SET n = CASE WHEN n > 0 THEN n + 1 ELSE 1 END;\n"
                              "  DELETE FROM c;\nEND;\nSELECT 1;")
            << QStringList{QStringLiteral("CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
                                          "  UPDATE b SET n = CASE WHEN n > 0 THEN n + 1 ELSE 1 "
                                          "END;\n  DELETE FROM c;\nEND"),
                           QStringLiteral("SELECT 1")};
        QTest::newRow("BEGIN ATOMIC function")
            << QStringLiteral("CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT "
                              "1; END; SELECT 2")
            << QStringList{QStringLiteral("CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN "
                                          "ATOMIC SELECT 1; END"),
                           QStringLiteral("SELECT 2")};
        QTest::newRow("case outside a block does not nest")
            << QStringLiteral("SELECT CASE WHEN 1 THEN 2 END; SELECT 3")
            << QStringList{QStringLiteral("SELECT CASE WHEN 1 THEN 2 END"),
                           QStringLiteral("SELECT 3")};
        QTest::newRow("colons survive")
            << QStringLiteral("SELECT '1'::int, x := 2; -- note: fine\nSELECT 3")
            << QStringList{QStringLiteral("SELECT '1'::int, x := 2"), QStringLiteral("SELECT 3")};
        QTest::newRow("unterminated string keeps the rest")
            << QStringLiteral("SELECT 'open; SELECT 2")
            << QStringList{QStringLiteral("SELECT 'open; SELECT 2")};
    }

    void splits()
    {
        QFETCH(QString, sql);
        QFETCH(QStringList, expected);
        QCOMPARE(split(sql.toUtf8().constData()), expected);
    }

    void emptyScript()
    {
        QVERIFY(splitSqlStatements("").empty());
        QVERIFY(splitSqlStatements("  \n\t ").empty());
    }
};

QTEST_GUILESS_MAIN(SqlSplitterTest)
#include "sql_splitter_test.moc"
