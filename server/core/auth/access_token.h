#pragma once

#include "core/auth/keys.h"
#include "core/auth/principal.h"
#include "toolhub/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace toolhub::server {

// What an access token says.
struct AccessTokenClaims {
    std::string subject;        // sub: user id
    std::string organizationId; // org: may be empty
    std::string clientId;       // client_id
    std::string tokenId;        // jti: 128 random bits
    std::int64_t issuedAt = 0;  // iat, Unix seconds
    std::int64_t expiresAt = 0; // exp, Unix seconds

    friend bool operator==(const AccessTokenClaims &, const AccessTokenClaims &) = default;
};

// Self-contained access tokens, verified without a database read:
//
//     base64url(JSON claims) "." base64url(HMAC-SHA-512/256(key, first part))
//
// The claims are {"v":1,"sub":..,"org":..,"client_id":..,"jti":..,"iat":..,"exp":..}. The key is
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

[[nodiscard]] Principal principalOf(const AccessTokenClaims &claims);

} // namespace toolhub::server
