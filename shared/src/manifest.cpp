#include "toolhub/manifest.h"

#include "toolhub/sha256.h"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace toolhub {

namespace {

using json = nlohmann::json;
using namespace std::chrono;

Failure<ManifestError> refuse(ManifestErrorKind kind, std::string message)
{
    return {ManifestError{kind, std::move(message)}};
}

Failure<ManifestError> malformed(std::string message)
{
    return refuse(ManifestErrorKind::Malformed, "manifest." + std::move(message));
}

// Two digits at text[pos] (validated by isValidTimestamp before).
int digits(std::string_view text, std::size_t pos, std::size_t count)
{
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

const json *member(const json &object, const char *name)
{
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

ManifestResult<std::string> stringMember(const json &object, const char *name)
{
    const auto *value = member(object, name);
    if (value == nullptr) {
        return malformed(std::string{name} + ": required");
    }
    if (!value->is_string()) {
        return malformed(std::string{name} + ": expected a string");
    }
    return value->get<std::string>();
}

ManifestResult<sys_seconds> timeMember(const json &object, const char *name)
{
    auto text = stringMember(object, name);
    if (!text) {
        return fail(std::move(text).error());
    }
    auto time = parseTimestamp(*text);
    if (!time) {
        return malformed(std::string{name} + ": expected an RFC 3339 UTC time like " +
                         "\"2026-03-01T12:00:00Z\"");
    }
    return *time;
}

} // namespace

Error ManifestError::toError() const
{
    switch (kind) {
    case ManifestErrorKind::Malformed:
        return {ErrorCode::InvalidArgument, message};
    case ManifestErrorKind::UnknownKey:
    case ManifestErrorKind::BadSignature:
        return {ErrorCode::PermissionDenied, message};
    case ManifestErrorKind::Expired:
    case ManifestErrorKind::Rollback:
        return {ErrorCode::FailedPrecondition, message};
    }
    return {ErrorCode::Internal, message};
}

std::string manifestKeyId(std::span<const std::byte> publicKey)
{
    Sha256 hash;
    hash.update(publicKey);
    const auto digest = hash.finish();
    return toHex(std::span<const std::byte>{digest.data(), 8});
}

std::uint64_t nextManifestVersion(std::uint64_t previous, system_clock::time_point now)
{
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count();
    const auto nowVersion = millis > 0 ? static_cast<std::uint64_t>(millis) : 0;
    return std::max(previous + 1, nowVersion);
}

std::string formatTimestamp(sys_seconds time)
{
    const auto day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss clock{time - day};
    char buffer[40];
    const auto n = std::snprintf(
        buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
        static_cast<int>(clock.seconds().count()));
    return {buffer, static_cast<std::size_t>(n)};
}

Result<sys_seconds> parseTimestamp(std::string_view text)
{
    // isValidTimestamp: "YYYY-MM-DDTHH:MM:SS[.fraction]Z", a real date and time, UTC.
    if (!isValidTimestamp(text)) {
        return fail(ErrorCode::InvalidArgument,
                    "expected an RFC 3339 UTC time like \"2026-03-01T12:00:00Z\"");
    }
    const year_month_day date{year{digits(text, 0, 4)},
                              month{static_cast<unsigned>(digits(text, 5, 2))},
                              day{static_cast<unsigned>(digits(text, 8, 2))}};
    if (!date.ok()) {
        return fail(ErrorCode::InvalidArgument, "not a calendar date");
    }
    return sys_days{date} + hours{digits(text, 11, 2)} + minutes{digits(text, 14, 2)} +
           seconds{std::min(digits(text, 17, 2), 59)};
}

json toJson(const ReleaseManifest &manifest)
{
    json artifacts = json::array();
    for (const auto &artifact : manifest.artifacts) {
        artifacts.push_back(toJson(artifact));
    }
    return {{"type", kReleaseManifestType},
            {"manifest_version", manifest.manifestVersion},
            {"product", manifest.product},
            {"tool", manifest.tool},
            {"version", manifest.version.toString()},
            {"channel", toString(manifest.channel)},
            {"issued_at", formatTimestamp(manifest.issuedAt)},
            {"expires_at", formatTimestamp(manifest.expiresAt)},
            {"artifacts", std::move(artifacts)}};
}

ManifestResult<ReleaseManifest> manifestFromJson(const json &object)
{
    if (!object.is_object()) {
        return refuse(ManifestErrorKind::Malformed, "manifest: expected a JSON object");
    }
    ReleaseManifest manifest;
    auto type = stringMember(object, "type");
    if (!type) {
        return fail(std::move(type).error());
    }
    if (*type != kReleaseManifestType) {
        return malformed("type: expected \"" + std::string{kReleaseManifestType} + "\"");
    }
    const auto *version = member(object, "manifest_version");
    if (version == nullptr || !version->is_number_unsigned()) {
        return malformed("manifest_version: expected an unsigned integer");
    }
    manifest.manifestVersion = version->get<std::uint64_t>();
    for (const auto &[name, target] :
         {std::pair{"product", &manifest.product}, std::pair{"tool", &manifest.tool}}) {
        auto slug = stringMember(object, name);
        if (!slug) {
            return fail(std::move(slug).error());
        }
        if (!isValidIdentifier(*slug)) {
            return malformed(std::string{name} + ": expected an identifier like \"my-tool\"");
        }
        *target = std::move(*slug);
    }
    auto versionText = stringMember(object, "version");
    if (!versionText) {
        return fail(std::move(versionText).error());
    }
    auto semver = parseSemVer(*versionText);
    if (!semver) {
        return malformed("version: " + semver.error().message);
    }
    manifest.version = std::move(*semver);
    auto channelText = stringMember(object, "channel");
    if (!channelText) {
        return fail(std::move(channelText).error());
    }
    const auto channel = parseChannel(*channelText);
    if (!channel) {
        return malformed("channel: expected \"stable\" or \"beta\"");
    }
    manifest.channel = *channel;
    auto issuedAt = timeMember(object, "issued_at");
    if (!issuedAt) {
        return fail(std::move(issuedAt).error());
    }
    auto expiresAt = timeMember(object, "expires_at");
    if (!expiresAt) {
        return fail(std::move(expiresAt).error());
    }
    manifest.issuedAt = *issuedAt;
    manifest.expiresAt = *expiresAt;
    if (manifest.expiresAt <= manifest.issuedAt) {
        return malformed("expires_at: must be later than issued_at");
    }
    const auto *artifacts = member(object, "artifacts");
    if (artifacts == nullptr || !artifacts->is_array()) {
        return malformed("artifacts: expected an array");
    }
    for (std::size_t i = 0; i < artifacts->size(); ++i) {
        auto artifact =
            artifactFromJson((*artifacts)[i], "manifest.artifacts[" + std::to_string(i) + "]");
        if (!artifact) {
            return refuse(ManifestErrorKind::Malformed, artifact.error().message);
        }
        manifest.artifacts.push_back(std::move(*artifact));
    }
    return manifest;
}

ManifestResult<std::string> canonicalManifestJson(const ReleaseManifest &manifest)
{
    try {
        const auto document = toJson(manifest);
        // Validate what would be signed exactly as a verifier will read it.
        auto check = manifestFromJson(document);
        if (!check) {
            return fail(std::move(check).error());
        }
        // nlohmann's objects keep keys sorted; no indentation means no whitespace.
        return document.dump(-1, ' ', true, json::error_handler_t::strict);
    } catch (const std::exception &e) {
        return refuse(ManifestErrorKind::Malformed,
                      std::string{"manifest: cannot be serialized: "} + e.what());
    }
}

json toJson(const SignedManifest &signedManifest)
{
    return {{"payload", signedManifest.payload},
            {"signature", signedManifest.signature},
            {"key_id", signedManifest.keyId}};
}

ManifestResult<SignedManifest> signedManifestFromJson(const json &object)
{
    if (!object.is_object()) {
        return refuse(ManifestErrorKind::Malformed, "signed manifest: expected a JSON object");
    }
    SignedManifest result;
    for (const auto &[name, target] :
         {std::pair{"payload", &result.payload}, std::pair{"signature", &result.signature},
          std::pair{"key_id", &result.keyId}}) {
        const auto *value = member(object, name);
        if (value == nullptr || !value->is_string()) {
            return refuse(ManifestErrorKind::Malformed,
                          std::string{"signed manifest."} + name + ": expected a string");
        }
        *target = value->get<std::string>();
    }
    return result;
}

ManifestResult<SignedManifest> signManifest(const ReleaseManifest &manifest,
                                            const Ed25519SecretKey &secretKey)
{
    auto payload = canonicalManifestJson(manifest);
    if (!payload) {
        return fail(std::move(payload).error());
    }
    // libsodium's secret key is the seed followed by the public key.
    const auto publicKey = secretKey.bytes().subspan<kEd25519SeedSize>();
    const auto signature = ed25519Sign(asBytes(*payload), secretKey);
    return SignedManifest{std::move(*payload), toBase64(signature, Base64Variant::UrlSafeNoPadding),
                          manifestKeyId(publicKey)};
}

ManifestResult<ReleaseManifest> verifyManifest(const SignedManifest &signedManifest,
                                               std::span<const std::byte> publicKey)
{
    if (publicKey.size() != kEd25519PublicKeySize) {
        return refuse(ManifestErrorKind::UnknownKey, "the trusted public key is not 32 bytes");
    }
    const auto expectedKeyId = manifestKeyId(publicKey);
    if (signedManifest.keyId != expectedKeyId) {
        return refuse(ManifestErrorKind::UnknownKey,
                      "the manifest is signed with key " + signedManifest.keyId +
                          ", not with the trusted key " + expectedKeyId);
    }
    const auto signature = fromBase64(signedManifest.signature, Base64Variant::UrlSafeNoPadding);
    if (!signature || signature->size() != kEd25519SignatureSize) {
        return refuse(ManifestErrorKind::BadSignature,
                      "the manifest signature is not a base64url Ed25519 signature");
    }
    if (signedManifest.payload.size() > kMaxManifestPayload) {
        return refuse(ManifestErrorKind::Malformed, "the manifest is too large");
    }
    if (!ed25519Verify(asBytes(signedManifest.payload), *signature, publicKey)) {
        return refuse(ManifestErrorKind::BadSignature,
                      "the manifest signature does not match its contents");
    }
    const auto document = json::parse(signedManifest.payload, nullptr, false);
    if (document.is_discarded()) {
        return refuse(ManifestErrorKind::Malformed, "the manifest payload is not JSON");
    }
    return manifestFromJson(document);
}

ManifestResult<void> checkFreshness(const ReleaseManifest &manifest, system_clock::time_point now,
                                    std::uint64_t highestSeenVersion)
{
    if (now >= manifest.expiresAt) {
        return refuse(ManifestErrorKind::Expired, "the release manifest of " + manifest.tool + " " +
                                                      manifest.version.toString() + " expired at " +
                                                      formatTimestamp(manifest.expiresAt) +
                                                      " (now " +
                                                      formatTimestamp(floor<seconds>(now)) + ")");
    }
    if (manifest.manifestVersion < highestSeenVersion) {
        return refuse(ManifestErrorKind::Rollback,
                      "the release manifest of " + manifest.tool + " " +
                          manifest.version.toString() + " has version " +
                          std::to_string(manifest.manifestVersion) + ", older than version " +
                          std::to_string(highestSeenVersion) + " seen before: refusing a rollback");
    }
    return {};
}

} // namespace toolhub
