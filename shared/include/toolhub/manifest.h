#pragma once

#include "toolhub/api_types.h"
#include "toolhub/crypto.h"
#include "toolhub/result.h"
#include "toolhub/semver.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Signed release manifests: what the server promises about one release of a tool (its artifacts
// with size and SHA-256), signed with the server's Ed25519 key so the desktop app can trust a
// download that came through any mirror, cache or proxy.
//
// Wire form (the body of GET /api/v1/tools/{tool}/releases/{version}/manifest):
//
//   {"payload": "<canonical manifest JSON>", "signature": "<base64url Ed25519>",
//    "key_id": "<16 hex>"}
//
// The signature covers the payload's exact bytes. The payload is the manifest as JSON with
// sorted keys, no whitespace and only ASCII (non-ASCII escaped), so the same manifest always
// gives the same bytes. Its "type" member ("toolhub.release-manifest.v1") keeps a signature
// over some other JSON from passing as a manifest.
//
// manifest_version: Unix time in milliseconds of the manifest's content revision: the server
// stores it with the release when what the manifest says changes (published, yanked, an
// artifact replaced), computed as nextManifestVersion(stored, now). Every replica then signs the
// same version for the same content without talking to the others, reissues of unchanged
// content keep it (issued_at/expires_at move on), and any change, or a later release, gets a
// higher one; a manifest captured before a change is refused as a rollback by checkFreshness().
// Clock skew between replicas cannot produce a spurious rollback, because the version comes
// from the shared database, not from the clock of the replica answering.
namespace toolhub {

inline constexpr std::string_view kReleaseManifestType = "toolhub.release-manifest.v1";
// Payloads larger than this are refused before parsing.
inline constexpr std::size_t kMaxManifestPayload = std::size_t{1} << 20U;

struct ReleaseManifest {
    std::uint64_t manifestVersion = 0;
    std::string product; // product slug
    std::string tool;    // tool slug
    SemVer version;
    Channel channel = Channel::Stable;
    std::chrono::sys_seconds issuedAt{};
    std::chrono::sys_seconds expiresAt{};
    std::vector<Artifact> artifacts;

    friend bool operator==(const ReleaseManifest &, const ReleaseManifest &) = default;
};

struct SignedManifest {
    std::string payload;   // canonical JSON of a ReleaseManifest
    std::string signature; // base64url (no padding) Ed25519 signature of payload's bytes
    std::string keyId;     // manifestKeyId() of the signing key

    friend bool operator==(const SignedManifest &, const SignedManifest &) = default;
};

// Why a manifest was refused; programs branch on `kind`, people read `message`.
enum class ManifestErrorKind {
    Malformed,    // not a valid manifest (JSON, members, values), or unsignable
    UnknownKey,   // signed by a key other than the one given
    BadSignature, // the signature does not verify: tampered or forged
    Expired,      // expires_at has passed (a frozen, replayed manifest)
    Rollback,     // manifest_version lower than one seen before
};
struct ManifestError {
    ManifestErrorKind kind = ManifestErrorKind::Malformed;
    std::string message;

    // The shared error channel: Malformed -> InvalidArgument, UnknownKey and BadSignature ->
    // PermissionDenied, Expired and Rollback -> FailedPrecondition.
    [[nodiscard]] Error toError() const;
    friend bool operator==(const ManifestError &, const ManifestError &) = default;
};
template <class T>
using ManifestResult = Result<T, ManifestError>;

// 16 lowercase hex digits: the first 8 bytes of SHA-256 over the 32-byte public key.
[[nodiscard]] std::string manifestKeyId(std::span<const std::byte> publicKey);

// max(previous + 1, now in Unix milliseconds): the next content revision (see above).
[[nodiscard]] std::uint64_t nextManifestVersion(std::uint64_t previous,
                                                std::chrono::system_clock::time_point now);

// The manifest as JSON (with "type"), and the validating reader (every member required;
// identifiers, version, channel, RFC 3339 UTC times, artifacts as in api_types.h;
// expires_at after issued_at).
[[nodiscard]] nlohmann::json toJson(const ReleaseManifest &manifest);
[[nodiscard]] ManifestResult<ReleaseManifest> manifestFromJson(const nlohmann::json &json);
// The bytes that are signed; Malformed if the manifest is not valid (e.g. bad UTF-8).
[[nodiscard]] ManifestResult<std::string> canonicalManifestJson(const ReleaseManifest &manifest);

[[nodiscard]] nlohmann::json toJson(const SignedManifest &signedManifest);
[[nodiscard]] ManifestResult<SignedManifest> signedManifestFromJson(const nlohmann::json &json);

// Validates, serializes canonically and signs. The key id comes from the secret key's public
// half.
[[nodiscard]] ManifestResult<SignedManifest> signManifest(const ReleaseManifest &manifest,
                                                          const Ed25519SecretKey &secretKey);

// Checks the key id, then the signature over the payload, then parses and validates the payload.
// Does not look at time or version: call checkFreshness() with what the caller has seen.
[[nodiscard]] ManifestResult<ReleaseManifest> verifyManifest(const SignedManifest &signedManifest,
                                                             std::span<const std::byte> publicKey);

// Expired when now >= expires_at; Rollback when manifest_version < highestSeenVersion (the
// highest version the caller accepted before for this product/tool/release; equal is fine).
[[nodiscard]] ManifestResult<void> checkFreshness(const ReleaseManifest &manifest,
                                                  std::chrono::system_clock::time_point now,
                                                  std::uint64_t highestSeenVersion);

// RFC 3339 UTC with seconds, "2026-11-28T08:42:19Z", and its reader (a fraction is truncated).
[[nodiscard]] std::string formatTimestamp(std::chrono::sys_seconds time);
[[nodiscard]] Result<std::chrono::sys_seconds> parseTimestamp(std::string_view text);

} // namespace toolhub
