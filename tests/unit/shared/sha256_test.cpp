#include "toolhub/sha256.h"

#include <QTest>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

using toolhub::Sha256;
using toolhub::toHex;

class Sha256Test : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nistVectors_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("digest");

        // FIPS 180-2 / NIST CSRC examples
        QTest::newRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb924"
                                             "27ae41e4649b934ca495991b7852b855");
        QTest::newRow("abc") << QByteArray("abc")
                             << QByteArray("ba7816bf8f01cfea414140de5dae2223"
                                           "b00361a396177a9cb410ff61f20015ad");
        QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmno"
                                                "mnopnopq")
                                  << QByteArray("248d6a61d20638b8e5c026930c3e6039"
                                                "a33ce45964ff2167f6ecedd419db06c1");
        QTest::newRow("896 bits")
            << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                          "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
            << QByteArray("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    }

    void nistVectors()
    {
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, digest);

        QCOMPARE(QByteArray::fromStdString(toolhub::sha256Hex(message.toStdString())), digest);

        // Byte by byte gives the same digest as all at once.
        Sha256 hash;
        for (const char c : message) {
            hash.update(std::string_view(&c, 1));
        }
        QCOMPARE(QByteArray::fromStdString(toHex(hash.finish())), digest);
    }

    void millionAsInOddChunks()
    {
        const std::string million(1'000'000, 'a');
        Sha256 hash;
        // Chunks that straddle the 64-byte block boundary in every way.
        const std::size_t chunks[] = {1, 3, 7, 63, 65, 127, 1001, 4093};
        std::size_t offset = 0;
        for (std::size_t i = 0; offset < million.size(); ++i) {
            const std::size_t n = std::min(chunks[i % std::size(chunks)], million.size() - offset);
            hash.update(std::string_view(million).substr(offset, n));
            offset += n;
        }
        QCOMPARE(toHex(hash.finish()),
                 std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void finishStartsOver()
    {
        Sha256 hash;
        hash.update("abc");
        const auto first = hash.finish();
        hash.update("abc");
        QCOMPARE(hash.finish(), first);
        QCOMPARE(toHex(hash.finish()), toolhub::sha256Hex(""));
    }

    void movedHasherKeepsState()
    {
        Sha256 hash;
        hash.update("ab");
        Sha256 moved = std::move(hash);
        moved.update("c");
        QCOMPARE(toHex(moved.finish()), toolhub::sha256Hex("abc"));
    }

    void hexRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<QByteArray>("lowercase");

        QTest::newRow("empty") << QByteArray("") << QByteArray("");
        QTest::newRow("lower") << QByteArray("00ff10ab") << QByteArray("00ff10ab");
        QTest::newRow("upper") << QByteArray("00FF10AB") << QByteArray("00ff10ab");
        QTest::newRow("mixed") << QByteArray("dEaDbEeF") << QByteArray("deadbeef");
    }

    void hexRoundTrip()
    {
        QFETCH(QByteArray, hex);
        QFETCH(QByteArray, lowercase);

        const auto bytes = toolhub::fromHex(hex.toStdString());
        QVERIFY2(bytes.ok(), bytes ? "" : bytes.error().message.c_str());
        QCOMPARE(bytes->size(), static_cast<std::size_t>(hex.size() / 2));
        QCOMPARE(QByteArray::fromStdString(toHex(*bytes)), lowercase);
    }

    void hexValues()
    {
        const auto bytes = toolhub::fromHex("00017f80ff");
        QVERIFY(bytes.ok());
        const std::vector<std::byte> expected = {std::byte{0x00}, std::byte{0x01}, std::byte{0x7f},
                                                 std::byte{0x80}, std::byte{0xff}};
        QVERIFY(*bytes == expected);
    }

    void refusesBadHex_data()
    {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<QByteArray>("reason");

        QTest::newRow("odd length") << QByteArray("abc") << QByteArray("odd");
        QTest::newRow("non-hex") << QByteArray("0g") << QByteArray("offset 1");
        QTest::newRow("space") << QByteArray("00 1") << QByteArray("offset 2");
        QTest::newRow("prefix") << QByteArray("0x00") << QByteArray("offset 1");
        QTest::newRow("sign") << QByteArray("-1") << QByteArray("offset 0");
    }

    void refusesBadHex()
    {
        QFETCH(QByteArray, hex);
        QFETCH(QByteArray, reason);

        const auto bytes = toolhub::fromHex(hex.toStdString());
        QVERIFY(!bytes.ok());
        QCOMPARE(bytes.error().code, toolhub::ErrorCode::InvalidArgument);
        QVERIFY2(bytes.error().message.find(reason.toStdString()) != std::string::npos,
                 bytes.error().message.c_str());
    }
};

QTEST_APPLESS_MAIN(Sha256Test)
#include "sha256_test.moc"
