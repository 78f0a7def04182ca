#pragma once

#include "core/auth/keys.h"
#include "core/auth/principal.h"
#include "toolhub/result.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace toolhub::server {

// What an access token says.
struct AccessTokenClaims {
    std::string subject;         // sub: user id
    std::string organizationId;  // org: may be empty
    std::string clientId;        // client_id
    std::string tokenId;         // jti: 128 random bits
    std::int64_t issuedAt = 0;   // iat, Unix seconds
    std::int64_t expiresAt = 0;  // exp, Unix seconds
    std::int64_t generation = 0; // gen: the user's session generation (User::sessionGeneration)

    friend bool operator==(const AccessTokenClaims &, const AccessTokenClaims &) = default;
};

// Self-contained access tokens, verified without a database read:
//
//     base64url(JSON claims) "." base64url(HMAC-SHA-512/256(key, first part))
//
// The claims are {"v":1,"sub":..,"org":..,"client_id":..,"jti":..,"iat":..,"exp":..,"gen":..}
// ("gen" may be absent: 0). The key is
// shared by all replicas (AuthKeys). A token is valid until exp; it cannot be revoked early,
// which is why it lives minutes, not hours.
class AccessTokenCodec {
public:
    explicit AccessTokenCodec(MacKey key) : m_key(std::move(key)) {}

    [[nodiscard]] std::string sign(const AccessTokenClaims &claims) const;
    // The claims of a token this key signed and that has not expired at `now`; Unauthenticated
    // for anything else (malformed, bad signature, expired, issued in the future).
    [[nodiscard]] Result<AccessTokenClaims> verify(std::string_view token, std::int64_t now) const;

private:
    MacKey m_key;
};

// Access tokens verified before, by their exact text, with their claims, until they expire: a
// token presented again (every request of a signed-in app) skips decoding, the MAC and parsing.
// Only tokens that verified are stored, so the cache answers exactly as verify() would. Holds at
// most `capacity` tokens; when full, expired ones go first, then all. Thread-safe.
class VerifiedTokenCache {
public:
    explicit VerifiedTokenCache(std::size_t capacity) : m_capacity(capacity) {}

    [[nodiscard]] std::optional<AccessTokenClaims> find(std::string_view token,
                                                        std::int64_t now) const;
    // Stores a token that verified at `now`.
    void store(std::string_view token, const AccessTokenClaims &claims, std::int64_t now);
    [[nodiscard]] std::size_t size() const;

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept
        {
            return std::hash<std::string_view>{}(text);
        }
    };

    mutable std::mutex m_mutex;
    std::size_t m_capacity;
    std::unordered_map<std::string, AccessTokenClaims, Hash, std::equal_to<>> m_claims;
};

[[nodiscard]] Principal principalOf(const AccessTokenClaims &claims);

} // namespace toolhub::server
