// The gate before every download: signature with the pinned key, the release asked for, expiry,
// and versions that never go back.

#include "core/install/manifest_check.h"

#include "toolhub/crypto.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace std::chrono;
using toolhub::Ed25519KeyPair;
using toolhub::ReleaseManifest;

namespace {

const sys_seconds issued = sys_days{year{2026} / 11 / 28} + hours{8};

Ed25519KeyPair keyPair(std::uint8_t fill)
{
    std::array<std::byte, toolhub::kEd25519SeedSize> seed{};
    seed.fill(std::byte{fill});
    return *toolhub::ed25519KeyPairFromSeed(seed);
}

QByteArray publicKeyOf(const Ed25519KeyPair &pair)
{
    return {reinterpret_cast<const char *>(pair.publicKey.data()),
            static_cast<qsizetype>(pair.publicKey.size())};
}

ReleaseManifest manifest(std::uint64_t manifestVersion, const char *version = "2.0.0",
                         const char *tool = "flux-cli")
{
    ReleaseManifest m;
    m.manifestVersion = manifestVersion;
    m.product = "fluxcad";
    m.tool = tool;
    m.version = *toolhub::parseSemVer(version);
    m.issuedAt = issued;
    m.expiresAt = issued + days{1};
    m.artifacts.push_back({toolhub::Platform::Linux, toolhub::Arch::X86_64, 1234,
                           std::string(64, 'a'), "flux-cli.tar.gz",
                           "/api/v1/artifacts/1/download"});
    return m;
}

QByteArray signedBody(const ReleaseManifest &m, const Ed25519KeyPair &key)
{
    return QByteArray::fromStdString(toJson(*toolhub::signManifest(m, key.secretKey)).dump());
}

const ManifestExpectation asked{QStringLiteral("https://toolhub.example.com"),
                                QStringLiteral("fluxcad"), QStringLiteral("flux-cli"),
                                QStringLiteral("2.0.0")};

} // namespace

class ManifestCheckTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(toolhub::initCrypto().ok()); }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        auto registry = Registry::open(m_dir->filePath(QStringLiteral("toolhub.db")));
        QVERIFY(registry.ok());
        m_registry = std::move(registry).value();
    }

    void aGenuineManifestPassesAndRaisesTheVersion()
    {
        const auto key = keyPair(1);
        const auto checked = checkManifest(signedBody(manifest(1000), key), publicKeyOf(key), asked,
                                           *m_registry, issued + hours{1});
        QVERIFY2(checked.ok(), checked.ok() ? "" : qPrintable(checked.error().message));
        QCOMPARE(checked->artifacts.size(), std::size_t{1});
        QCOMPARE(*m_registry->highestManifestVersion(asked.server, asked.product, asked.tool,
                                                     asked.version),
                 std::uint64_t{1000});
        // The same content again, and newer content, pass too.
        QVERIFY(checkManifest(signedBody(manifest(1000), key), publicKeyOf(key), asked, *m_registry,
                              issued + hours{2})
                    .ok());
        QVERIFY(checkManifest(signedBody(manifest(1001), key), publicKeyOf(key), asked, *m_registry,
                              issued + hours{2})
                    .ok());
    }

    void anOlderManifestIsARollback()
    {
        const auto key = keyPair(1);
        QVERIFY(checkManifest(signedBody(manifest(2000), key), publicKeyOf(key), asked, *m_registry,
                              issued)
                    .ok());
        const auto older = checkManifest(signedBody(manifest(1999), key), publicKeyOf(key), asked,
                                         *m_registry, issued);
        QVERIFY(!older.ok());
        QCOMPARE(older.error().error, TaskError::ManifestRollback);
        QCOMPARE(*m_registry->highestManifestVersion(asked.server, asked.product, asked.tool,
                                                     asked.version),
                 std::uint64_t{2000});
    }

    void anExpiredManifestIsRefused()
    {
        const auto key = keyPair(1);
        const auto expired = checkManifest(signedBody(manifest(1000), key), publicKeyOf(key), asked,
                                           *m_registry, issued + days{1});
        QVERIFY(!expired.ok());
        QCOMPARE(expired.error().error, TaskError::ManifestExpired);
        // Refused manifests do not count as seen.
        QCOMPARE(*m_registry->highestManifestVersion(asked.server, asked.product, asked.tool,
                                                     asked.version),
                 std::uint64_t{0});
    }

    void anotherKeyOrATamperedPayloadIsRefused()
    {
        const auto key = keyPair(1);
        const auto forged = checkManifest(signedBody(manifest(1000), keyPair(2)), publicKeyOf(key),
                                          asked, *m_registry, issued);
        QVERIFY(!forged.ok());
        QCOMPARE(forged.error().error, TaskError::Signature);

        auto json = nlohmann::json::parse(signedBody(manifest(1000), key).toStdString());
        std::string payload = json["payload"];
        const auto at = payload.find("1234");
        QVERIFY(at != std::string::npos);
        payload.replace(at, 4, "9999"); // a bigger file than signed
        json["payload"] = payload;
        const auto tampered = checkManifest(QByteArray::fromStdString(json.dump()),
                                            publicKeyOf(key), asked, *m_registry, issued);
        QVERIFY(!tampered.ok());
        QCOMPARE(tampered.error().error, TaskError::Signature);
    }

    void aGenuineManifestOfAnotherReleaseIsRefused()
    {
        const auto key = keyPair(1);
        for (const auto &other : {manifest(1000, "2.1.0"), manifest(1000, "2.0.0", "flux-gui")}) {
            const auto swapped =
                checkManifest(signedBody(other, key), publicKeyOf(key), asked, *m_registry, issued);
            QVERIFY(!swapped.ok());
            QCOMPARE(swapped.error().error, TaskError::Signature);
        }
        ManifestExpectation anyVersion = asked;
        anyVersion.version.clear();
        QVERIFY(checkManifest(signedBody(manifest(1000, "2.1.0"), key), publicKeyOf(key),
                              anyVersion, *m_registry, issued)
                    .ok());
    }

    void unreadableAnswersAreServerErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("html") << QByteArray("<html>maintenance</html>");
        QTest::newRow("problem json") << QByteArray(R"({"type":"about:blank","status":500})");
        QTest::newRow("oversized") << QByteArray(3 * 1024 * 1024, ' ');
    }
    void unreadableAnswersAreServerErrors()
    {
        QFETCH(QByteArray, body);
        const auto key = keyPair(1);
        const auto refused = checkManifest(body, publicKeyOf(key), asked, *m_registry, issued);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().error, TaskError::Server);
        QVERIFY(!refused.error().message.isEmpty());
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Registry> m_registry;
};

QTEST_GUILESS_MAIN(ManifestCheckTest)
#include "manifest_check_test.moc"
