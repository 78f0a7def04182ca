#include "toolhub/crypto.h"

#include <QTest>

#include <algorithm>
#include <string>
#include <vector>

using namespace std::string_literals;
using toolhub::asBytes;
using toolhub::Base64Variant;
using toolhub::PasswordHashCost;

namespace {

std::vector<std::byte> hex(const char *text)
{
    auto bytes = toolhub::fromHex(text);
    if (!bytes) {
        qFatal("bad test hex %s", text);
    }
    return std::move(bytes).value();
}

std::vector<std::byte> bytesOf(const QByteArray &data)
{
    const auto span =
        asBytes(std::string_view(data.constData(), static_cast<std::size_t>(data.size())));
    return {span.begin(), span.end()};
}

} // namespace

class CryptoTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(toolhub::initCrypto().ok()); }

    void signsAndVerifies()
    {
        const auto keys = toolhub::generateEd25519KeyPair();
        const auto message = asBytes("{\"tool\":\"cli\",\"version\":\"1.2.3\"}");
        const auto signature = toolhub::ed25519Sign(message, keys.secretKey);
        QVERIFY(toolhub::ed25519Verify(message, signature, keys.publicKey));
    }

    void refusesTampering()
    {
        const auto keys = toolhub::generateEd25519KeyPair();
        const std::string message = "{\"tool\":\"cli\",\"version\":\"1.2.3\"}";
        const auto signature = toolhub::ed25519Sign(asBytes(message), keys.secretKey);

        std::string otherMessage = message;
        otherMessage[10] = 'x';
        QVERIFY(!toolhub::ed25519Verify(asBytes(otherMessage), signature, keys.publicKey));
        QVERIFY(!toolhub::ed25519Verify(asBytes(message + " "), signature, keys.publicKey));

        auto otherSignature = signature;
        otherSignature[5] ^= std::byte{0x01};
        QVERIFY(!toolhub::ed25519Verify(asBytes(message), otherSignature, keys.publicKey));

        const auto otherKeys = toolhub::generateEd25519KeyPair();
        QVERIFY(otherKeys.publicKey != keys.publicKey);
        QVERIFY(!toolhub::ed25519Verify(asBytes(message), signature, otherKeys.publicKey));

        // Wrong sizes are refused, not read past.
        QVERIFY(!toolhub::ed25519Verify(asBytes(message), std::span(signature).first(63),
                                        keys.publicKey));
        QVERIFY(!toolhub::ed25519Verify(asBytes(message), signature,
                                        std::span(keys.publicKey).first(31)));
        QVERIFY(!toolhub::ed25519Verify(asBytes(message), {}, {}));
    }

    void rfc8032TestVector1()
    {
        // RFC 8032 §7.1, TEST 1: empty message.
        const auto seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        const auto keys = toolhub::ed25519KeyPairFromSeed(seed);
        QVERIFY2(keys.ok(), keys ? "" : keys.error().message.c_str());
        QCOMPARE(toolhub::toHex(keys->publicKey),
                 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"s);
        const auto signature = toolhub::ed25519Sign({}, keys->secretKey);
        QCOMPARE(toolhub::toHex(signature),
                 "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                 "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"s);
        QVERIFY(toolhub::ed25519Verify({}, signature, keys->publicKey));

        // The same seed gives the same key pair.
        const auto again = toolhub::ed25519KeyPairFromSeed(seed);
        QVERIFY(again.ok());
        QVERIFY(*again == *keys);
    }

    void refusesBadSeed()
    {
        const std::vector<std::byte> shortSeed(31);
        const auto keys = toolhub::ed25519KeyPairFromSeed(shortSeed);
        QVERIFY(!keys.ok());
        QCOMPARE(keys.error().code, toolhub::ErrorCode::InvalidArgument);
    }

    void base64_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("standard");
        QTest::addColumn<QByteArray>("urlSafe");

        // RFC 4648 §10
        QTest::newRow("empty") << QByteArray("") << QByteArray("") << QByteArray("");
        QTest::newRow("f") << QByteArray("f") << QByteArray("Zg==") << QByteArray("Zg");
        QTest::newRow("fo") << QByteArray("fo") << QByteArray("Zm8=") << QByteArray("Zm8");
        QTest::newRow("foo") << QByteArray("foo") << QByteArray("Zm9v") << QByteArray("Zm9v");
        QTest::newRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg==")
                              << QByteArray("Zm9vYg");
        QTest::newRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE=")
                               << QByteArray("Zm9vYmE");
        QTest::newRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy")
                                << QByteArray("Zm9vYmFy");
        // The characters that differ between the alphabets.
        QTest::newRow("62 and 63")
            << QByteArray("\xfb\xff", 2) << QByteArray("+/8=") << QByteArray("-_8");
    }

    void base64()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, standard);
        QFETCH(QByteArray, urlSafe);

        const auto bytes = bytesOf(data);
        QCOMPARE(QByteArray::fromStdString(toolhub::toBase64(bytes)), standard);
        QCOMPARE(
            QByteArray::fromStdString(toolhub::toBase64(bytes, Base64Variant::UrlSafeNoPadding)),
            urlSafe);

        const auto fromStandard = toolhub::fromBase64(standard.toStdString());
        QVERIFY2(fromStandard.ok(), fromStandard ? "" : fromStandard.error().message.c_str());
        QVERIFY(*fromStandard == bytes);
        const auto fromUrlSafe =
            toolhub::fromBase64(urlSafe.toStdString(), Base64Variant::UrlSafeNoPadding);
        QVERIFY2(fromUrlSafe.ok(), fromUrlSafe ? "" : fromUrlSafe.error().message.c_str());
        QVERIFY(*fromUrlSafe == bytes);
    }

    void refusesBadBase64_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("urlSafe");

        QTest::newRow("missing padding") << QByteArray("Zg") << false;
        QTest::newRow("short padding") << QByteArray("Zg=") << false;
        QTest::newRow("extra padding") << QByteArray("Zm9v====") << false;
        QTest::newRow("bad character") << QByteArray("Zm9v!A==") << false;
        QTest::newRow("whitespace") << QByteArray("Zm9v YmFy") << false;
        QTest::newRow("url alphabet in standard") << QByteArray("-_8=") << false;
        QTest::newRow("trailing bits") << QByteArray("Zh==") << false;
        QTest::newRow("padding in url-safe") << QByteArray("Zg==") << true;
        QTest::newRow("standard alphabet in url-safe") << QByteArray("+/8") << true;
        QTest::newRow("impossible length") << QByteArray("Zm9vY") << true;
    }

    void refusesBadBase64()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, urlSafe);

        const auto bytes =
            toolhub::fromBase64(text.toStdString(), urlSafe ? Base64Variant::UrlSafeNoPadding
                                                            : Base64Variant::Standard);
        QVERIFY(!bytes.ok());
        QCOMPARE(bytes.error().code, toolhub::ErrorCode::InvalidArgument);
    }

    void hashesAndVerifiesPasswords()
    {
        const auto encoded = toolhub::hashPassword("correct horse battery staple");
        QVERIFY2(encoded.ok(), encoded ? "" : encoded.error().message.c_str());
        QVERIFY2(encoded->starts_with("$argon2id$"), encoded->c_str());
        QVERIFY(encoded->find("m=65536,t=2,") != std::string::npos); // the documented default

        QVERIFY(toolhub::verifyPassword(*encoded, "correct horse battery staple"));
        QVERIFY(!toolhub::verifyPassword(*encoded, "correct horse battery stapl"));
        QVERIFY(!toolhub::verifyPassword(*encoded, ""));

        // A random salt each time.
        const auto second = toolhub::hashPassword("correct horse battery staple");
        QVERIFY(second.ok());
        QVERIFY(*second != *encoded);
        QVERIFY(toolhub::verifyPassword(*second, "correct horse battery staple"));
    }

    void refusesMalformedHashes_data()
    {
        QTest::addColumn<QByteArray>("encoded");

        QTest::newRow("empty") << QByteArray("");
        QTest::newRow("garbage") << QByteArray("not a hash");
        QTest::newRow("bcrypt") << QByteArray(
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW");
        QTest::newRow("truncated") << QByteArray("$argon2id$v=19$m=65536,t=2,p=1$");
        QTest::newRow("embedded NUL") << QByteArray("$argon2id$\0v=19", 15);
        QTest::newRow("too long") << (QByteArray("$argon2id$") + QByteArray(200, 'A'));
    }

    void refusesMalformedHashes()
    {
        QFETCH(QByteArray, encoded);
        const std::string text(encoded.constData(), static_cast<std::size_t>(encoded.size()));
        QVERIFY(!toolhub::verifyPassword(text, ""));
        QVERIFY(!toolhub::verifyPassword(text, "password"));
        QVERIFY(toolhub::passwordNeedsRehash(text));
    }

    void needsRehashWhenCostChanges()
    {
        const auto cheap = PasswordHashCost::minimum();
        const auto encoded = toolhub::hashPassword("secret", cheap);
        QVERIFY(encoded.ok());
        QVERIFY(encoded->starts_with("$argon2id$"));
        QVERIFY(toolhub::verifyPassword(*encoded, "secret"));

        QVERIFY(!toolhub::passwordNeedsRehash(*encoded, cheap));
        QVERIFY(toolhub::passwordNeedsRehash(*encoded)); // the default cost is higher
        QVERIFY(toolhub::passwordNeedsRehash(*encoded, {cheap.opsLimit + 1, cheap.memLimit}));
        QVERIFY(toolhub::passwordNeedsRehash(*encoded, {cheap.opsLimit, cheap.memLimit * 2}));
    }

    void refusesCostOutsideLimits()
    {
        const auto noPasses = toolhub::hashPassword("secret", {0, 64ULL << 20U});
        QVERIFY(!noPasses.ok());
        QCOMPARE(noPasses.error().code, toolhub::ErrorCode::InvalidArgument);
        const auto tinyMemory = toolhub::hashPassword("secret", {2, 1024});
        QVERIFY(!tinyMemory.ok());
        QCOMPARE(tinyMemory.error().code, toolhub::ErrorCode::InvalidArgument);
    }

    void randomTokens()
    {
        const auto token = toolhub::randomToken(32);
        QCOMPARE(token.size(), std::size_t{43});
        QVERIFY(std::all_of(token.begin(), token.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_';
        }));
        QVERIFY(toolhub::randomToken(32) != token);
        QCOMPARE(toolhub::randomToken(0), std::string());

        const auto decoded = toolhub::fromBase64(token, Base64Variant::UrlSafeNoPadding);
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->size(), std::size_t{32});
    }

    void randomBytesFill()
    {
        std::vector<std::byte> a(32);
        std::vector<std::byte> b(32);
        toolhub::randomBytes(a);
        toolhub::randomBytes(b);
        QVERIFY(a != b); // 2^-256 chance of a false failure
        QVERIFY(std::any_of(a.begin(), a.end(), [](std::byte x) { return x != std::byte{0}; }));
    }

    void secretBytesCompareByValue()
    {
        const auto keys = toolhub::generateEd25519KeyPair();
        toolhub::Ed25519SecretKey copy = keys.secretKey;
        QVERIFY(copy == keys.secretKey);
        copy.data()[0] ^= std::byte{1};
        QVERIFY(!(copy == keys.secretKey));
        QVERIFY(toolhub::constantTimeEqual(asBytes("abc"), asBytes("abc")));
        QVERIFY(!toolhub::constantTimeEqual(asBytes("abc"), asBytes("abd")));
        QVERIFY(!toolhub::constantTimeEqual(asBytes("abc"), asBytes("abcd")));
    }
};

QTEST_APPLESS_MAIN(CryptoTest)
#include "crypto_test.moc"
