#pragma once

#include "core/sso/jose.h"
#include "toolhub/result.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::sso {

// What a token from a provider must say about where it comes from and whom it is for.
struct TokenAudience {
    std::string issuer;   // compared exactly
    std::string clientId; // this server's client id at the provider
    std::int64_t now = 0; // Unix seconds
    std::chrono::seconds clockSkew{60};
};

// The claims of an ID token that passed every check.
struct IdTokenClaims {
    std::string subject;
    std::string sessionId; // "sid", when the provider sends one
    std::int64_t expiresAt = 0;
    nlohmann::json claims; // all of them, for the claim mappings
};

struct LogoutTokenClaims {
    std::string subject;   // may be empty when sessionId is set
    std::string sessionId; // may be empty when subject is set
};

// The key of `keys` that signed `jws`, checked: its `alg` must be allowed (never none or HS*)
// and suit the key, and the key is chosen by `kid` (or, without one, any key that verifies).
// Unauthenticated with the reason otherwise; NotFound when no key has the token's `kid`, so the
// caller can fetch the key set again.
[[nodiscard]] Result<void> verifySignature(const CompactJws &jws,
                                           const std::vector<PublicJwk> &keys);

// OpenID Connect Core 1.0 §3.1.3.7 once the signature is verified: `iss` exactly; `aud`
// contains the client id; `azp` equals it when present and is present with several audiences;
// `exp`, `iat` and `nbf` against the clock with the allowed skew; `nonce` hashes to
// `nonceHash` (SHA-256 hex of the nonce sent); a `sub`. Unauthenticated with the reason.
[[nodiscard]] Result<IdTokenClaims>
checkIdToken(const CompactJws &jws, const TokenAudience &audience, std::string_view nonceHash);

// OpenID Connect Back-Channel Logout 1.0 §2.6 once the signature is verified: `typ` absent,
// JWT or logout+jwt; `iss`, `aud`, `azp`, `iat`, `exp` and `nbf` as for ID tokens; `events`
// holding the back-channel-logout event; no `nonce`; a `sub` or a `sid`.
[[nodiscard]] Result<LogoutTokenClaims> checkLogoutToken(const CompactJws &jws,
                                                         const TokenAudience &audience);

inline constexpr std::string_view backchannelLogoutEvent =
    "http://schemas.openid.net/event/backchannel-logout";

} // namespace toolhub::server::sso
