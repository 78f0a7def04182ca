// Signed release manifests: what the desktop app relies on to trust a download.

#include "toolhub/manifest.h"

#include <QTest>

using namespace toolhub;
using namespace std::chrono;

namespace {

ReleaseManifest sampleManifest()
{
    ReleaseManifest m;
    m.manifestVersion = 1764319339123;
    m.product = "acme-suite";
    m.tool = "analyzer";
    m.version = *parseSemVer("2.4.1-beta.2");
    m.channel = Channel::Beta;
    m.issuedAt = sys_days{year{2026} / 11 / 28} + hours{8};
    m.expiresAt = m.issuedAt + days{7};
    m.artifacts.push_back({Platform::Linux, Arch::X86_64, 123456789, std::string(64, 'a'),
                           "analyzer-2.4.1-linux-x86_64.tar.gz", "/api/v1/artifacts/17/download"});
    m.artifacts.push_back({Platform::Windows, Arch::Arm64, 42, std::string(64, 'b'),
                           "analyzer-2.4.1-windows-arm64.zip", "/api/v1/artifacts/18/download"});
    return m;
}

Ed25519KeyPair fixedKey(std::uint8_t fill)
{
    std::array<std::byte, kEd25519SeedSize> seed{};
    seed.fill(std::byte{fill});
    return *ed25519KeyPairFromSeed(seed);
}

// Flips one character of a base64url string to another valid one.
std::string flipped(std::string text, std::size_t at)
{
    text[at] = text[at] == 'A' ? 'B' : 'A';
    return text;
}

} // namespace

class ManifestTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void canonicalFormIsStable();
    void tamperedPayloadIsRefused();
    void tamperedSignatureIsRefused();
    void wrongKeyIsRefused();
    void keyIdMismatchIsRefused();
    void expiredIsRefused();
    void lowerVersionIsRefused();
    void equalOrHigherVersionIsAccepted();
    void signedManifestWireForm();
    void signedJsonThatIsNotAManifestIsRefused();
    void invalidManifestIsNotSigned();
    void nextVersionIncreases();
};

void ManifestTest::roundTrip()
{
    const auto key = fixedKey(1);
    const auto manifest = sampleManifest();
    const auto signedManifest = signManifest(manifest, key.secretKey);
    QVERIFY(signedManifest.ok());
    QCOMPARE(signedManifest->keyId, manifestKeyId(key.publicKey));
    const auto verified = verifyManifest(*signedManifest, key.publicKey);
    QVERIFY2(verified.ok(), verified ? "" : verified.error().message.c_str());
    QVERIFY(*verified == manifest);
    QCOMPARE(verified->version.toString(), std::string{"2.4.1-beta.2"});
    QCOMPARE(verified->artifacts.size(), std::size_t{2});
    QVERIFY(checkFreshness(*verified, manifest.issuedAt + hours{1}, manifest.manifestVersion).ok());
}

void ManifestTest::canonicalFormIsStable()
{
    const auto payload = canonicalManifestJson(sampleManifest());
    QVERIFY(payload.ok());
    // Sorted keys, no whitespace, the manifest type inside.
    QVERIFY(payload->starts_with(R"({"artifacts":[{"arch":"x86_64","download_url":)"));
    QVERIFY(payload->find(' ') == std::string::npos);
    QVERIFY(payload->find("\"type\":\"toolhub.release-manifest.v1\"") != std::string::npos);
    QVERIFY(payload->find("\"issued_at\":\"2026-11-28T08:00:00Z\"") != std::string::npos);
    QVERIFY(payload->find("\"manifest_version\":1764319339123") != std::string::npos);
    // Same manifest, same bytes; Ed25519 is deterministic, so the same signature too.
    QCOMPARE(*canonicalManifestJson(sampleManifest()), *payload);
    const auto key = fixedKey(2);
    QCOMPARE(signManifest(sampleManifest(), key.secretKey)->signature,
             signManifest(sampleManifest(), key.secretKey)->signature);
    // Reading the payload back and serializing again gives the same bytes.
    const auto reread = manifestFromJson(nlohmann::json::parse(*payload));
    QVERIFY(reread.ok());
    QCOMPARE(*canonicalManifestJson(*reread), *payload);
}

void ManifestTest::tamperedPayloadIsRefused()
{
    const auto key = fixedKey(3);
    auto signedManifest = *signManifest(sampleManifest(), key.secretKey);
    const auto at = signedManifest.payload.find("123456789");
    QVERIFY(at != std::string::npos);
    signedManifest.payload.replace(at, 9, "123456780"); // a different size
    const auto verified = verifyManifest(signedManifest, key.publicKey);
    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().kind, ManifestErrorKind::BadSignature);
    // Whitespace is a change too: the signature is over the exact bytes.
    auto spaced = *signManifest(sampleManifest(), key.secretKey);
    spaced.payload += " ";
    QCOMPARE(verifyManifest(spaced, key.publicKey).error().kind, ManifestErrorKind::BadSignature);
}

void ManifestTest::tamperedSignatureIsRefused()
{
    const auto key = fixedKey(4);
    auto signedManifest = *signManifest(sampleManifest(), key.secretKey);
    signedManifest.signature = flipped(signedManifest.signature, 10);
    QCOMPARE(verifyManifest(signedManifest, key.publicKey).error().kind,
             ManifestErrorKind::BadSignature);
    signedManifest.signature = "not base64!";
    QCOMPARE(verifyManifest(signedManifest, key.publicKey).error().kind,
             ManifestErrorKind::BadSignature);
    signedManifest.signature.clear();
    QCOMPARE(verifyManifest(signedManifest, key.publicKey).error().kind,
             ManifestErrorKind::BadSignature);
}

void ManifestTest::wrongKeyIsRefused()
{
    const auto signer = fixedKey(5);
    const auto other = fixedKey(6);
    auto signedManifest = *signManifest(sampleManifest(), signer.secretKey);
    // Claiming the trusted key's id does not help: the signature is checked with that key.
    signedManifest.keyId = manifestKeyId(other.publicKey);
    const auto verified = verifyManifest(signedManifest, other.publicKey);
    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().kind, ManifestErrorKind::BadSignature);
    QCOMPARE(verified.error().toError().code, ErrorCode::PermissionDenied);
}

void ManifestTest::keyIdMismatchIsRefused()
{
    const auto signer = fixedKey(7);
    const auto trusted = fixedKey(8);
    const auto signedManifest = *signManifest(sampleManifest(), signer.secretKey);
    const auto verified = verifyManifest(signedManifest, trusted.publicKey);
    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().kind, ManifestErrorKind::UnknownKey);
    QVERIFY(verified.error().message.find(manifestKeyId(signer.publicKey)) != std::string::npos);
}

void ManifestTest::expiredIsRefused()
{
    const auto manifest = sampleManifest();
    const auto atExpiry = checkFreshness(manifest, manifest.expiresAt, 0);
    QVERIFY(!atExpiry.ok());
    QCOMPARE(atExpiry.error().kind, ManifestErrorKind::Expired);
    QVERIFY(atExpiry.error().message.find("expired at 2026-12-05T08:00:00Z") != std::string::npos);
    QCOMPARE(atExpiry.error().toError().code, ErrorCode::FailedPrecondition);
    QVERIFY(checkFreshness(manifest, manifest.expiresAt - seconds{1}, 0).ok());
}

void ManifestTest::lowerVersionIsRefused()
{
    const auto manifest = sampleManifest();
    const auto rollback = checkFreshness(manifest, manifest.issuedAt, manifest.manifestVersion + 1);
    QVERIFY(!rollback.ok());
    QCOMPARE(rollback.error().kind, ManifestErrorKind::Rollback);
    QVERIFY(rollback.error().message.find("rollback") != std::string::npos);
}

void ManifestTest::equalOrHigherVersionIsAccepted()
{
    const auto manifest = sampleManifest();
    QVERIFY(checkFreshness(manifest, manifest.issuedAt, manifest.manifestVersion).ok());
    QVERIFY(checkFreshness(manifest, manifest.issuedAt, manifest.manifestVersion - 1).ok());
}

void ManifestTest::signedManifestWireForm()
{
    const auto key = fixedKey(9);
    const auto signedManifest = *signManifest(sampleManifest(), key.secretKey);
    const auto wire = toJson(signedManifest).dump();
    const auto parsed = signedManifestFromJson(nlohmann::json::parse(wire));
    QVERIFY(parsed.ok());
    QVERIFY(*parsed == signedManifest);
    QVERIFY(verifyManifest(*parsed, key.publicKey).ok());
    QVERIFY(!signedManifestFromJson(nlohmann::json{{"payload", 1}}).ok());
}

void ManifestTest::signedJsonThatIsNotAManifestIsRefused()
{
    // A valid signature over JSON without the manifest type, or with a bad member, is refused.
    const auto key = fixedKey(10);
    auto document = toJson(sampleManifest());
    document["type"] = "toolhub.something-else.v1";
    const auto payload = document.dump();
    SignedManifest forged{
        payload,
        toBase64(ed25519Sign(asBytes(payload), key.secretKey), Base64Variant::UrlSafeNoPadding),
        manifestKeyId(key.publicKey)};
    const auto verified = verifyManifest(forged, key.publicKey);
    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().kind, ManifestErrorKind::Malformed);
    QVERIFY(verified.error().message.find("manifest.type") != std::string::npos);

    document = toJson(sampleManifest());
    document["artifacts"][1]["sha256"] = "xyz";
    QVERIFY(manifestFromJson(document).error().message.find("artifacts[1].sha256") !=
            std::string::npos);
    document = toJson(sampleManifest());
    document["expires_at"] = document["issued_at"];
    QVERIFY(manifestFromJson(document).error().message.find("expires_at") != std::string::npos);
    document = toJson(sampleManifest());
    document["manifest_version"] = -5;
    QVERIFY(!manifestFromJson(document).ok());
}

void ManifestTest::invalidManifestIsNotSigned()
{
    const auto key = fixedKey(11);
    auto manifest = sampleManifest();
    manifest.tool = "Not An Identifier";
    const auto signedManifest = signManifest(manifest, key.secretKey);
    QVERIFY(!signedManifest.ok());
    QCOMPARE(signedManifest.error().kind, ManifestErrorKind::Malformed);
    manifest = sampleManifest();
    manifest.artifacts[0].fileName = "bad\xff.tar.gz";
    QVERIFY(!signManifest(manifest, key.secretKey).ok());
}

void ManifestTest::nextVersionIncreases()
{
    const auto now = system_clock::now();
    const auto first = nextManifestVersion(0, now);
    QCOMPARE(first, static_cast<std::uint64_t>(
                        duration_cast<milliseconds>(now.time_since_epoch()).count()));
    // Same millisecond, or a clock that went back: still higher.
    QCOMPARE(nextManifestVersion(first, now), first + 1);
    QCOMPARE(nextManifestVersion(first + 1000, now - seconds{5}), first + 1001);
}

QTEST_GUILESS_MAIN(ManifestTest)
#include "manifest_test.moc"
