#include "core/migrations/flyway_checksum.h"

#include <QTest>

using toolhub::server::crc32Update;
using toolhub::server::flywayChecksum;

// Expected values computed with Python's zlib.crc32 over the lines without terminators (the
// way Flyway's ChecksumCalculator feeds java.util.zip.CRC32), as signed 32-bit integers.
class FlywayChecksumTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void plainCrc32MatchesZlib()
    {
        QCOMPARE(crc32Update(0, "123456789"), 3421780262U);
        QCOMPARE(crc32Update(crc32Update(0, "1234"), "56789"), 3421780262U);
    }

    void knownValues_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<int>("checksum");
        QTest::newRow("empty") << QByteArray() << 0;
        QTest::newRow("no newline") << QByteArray("SELECT 1;") << 78787420;
        QTest::newRow("create table") << QByteArray("CREATE TABLE t (id INT);\n") << 1556295178;
        QTest::newRow("utf-8") << QByteArray("caf\xc3\xa9\n") << -1733475659;
        QTest::newRow("LF") << QByteArray("a\nb\n") << -1635563411;
        QTest::newRow("CRLF") << QByteArray("a\r\nb\r\n") << -1635563411;
        QTest::newRow("CR") << QByteArray("a\rb") << -1635563411;
        QTest::newRow("BOM, no final newline") << QByteArray("\xef\xbb\xbf"
                                                             "a\nb")
                                               << -1635563411;
        QTest::newRow("blank line") << QByteArray("a\n\nb") << -1635563411;
    }

    void knownValues()
    {
        QFETCH(QByteArray, script);
        QFETCH(int, checksum);
        QCOMPARE(flywayChecksum(
                     std::string_view(script.constData(), static_cast<std::size_t>(script.size()))),
                 checksum);
    }

    void contentChangesChangeTheChecksum()
    {
        QVERIFY(flywayChecksum("a\nb\n") != flywayChecksum("a\nc\n"));
        // A BOM is only skipped at the very start.
        QVERIFY(flywayChecksum("a\n\xef\xbb\xbf"
                               "b") != flywayChecksum("a\nb"));
    }
};

QTEST_GUILESS_MAIN(FlywayChecksumTest)
#include "flyway_checksum_test.moc"
