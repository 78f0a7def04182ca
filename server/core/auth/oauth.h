#pragma once

#include "core/auth/access_token.h"
#include "core/identity/identity.h"
#include "core/storage/database.h"
#include "toolhub/result.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub::server {

// A registered OAuth client. For now one built-in public client, the desktop app, which may use
// any loopback redirect URI (RFC 8252 §7.3) and must use PKCE with S256.
struct OAuthClient {
    std::string id;
};
[[nodiscard]] const OAuthClient *findOAuthClient(std::string_view clientId);
inline constexpr std::string_view desktopClientId = "toolhub-desktop";

// RFC 7636: a code_challenge for S256 is 43 base64url characters; a code_verifier 43 to 128
// characters of [A-Za-z0-9-._~].
[[nodiscard]] bool isValidS256Challenge(std::string_view challenge);
[[nodiscard]] bool isValidCodeVerifier(std::string_view verifier);
// BASE64URL(SHA256(verifier)), RFC 7636 §4.2.
[[nodiscard]] std::string s256Challenge(std::string_view verifier);

// An error of the token endpoint (RFC 6749 §5.2): `error` is invalid_request, invalid_client,
// invalid_grant, unauthorized_client or unsupported_grant_type. `failure` is set instead when
// the server itself failed (e.g. the database); it goes the problem+json way.
struct TokenError {
    std::string error;
    std::string description;
    std::optional<Error> failure;
};

struct TokenGrant {
    std::string accessToken;
    std::int64_t expiresIn = 0; // seconds
    std::string refreshToken;
    AccessTokenClaims claims;
};

struct AuthorizationGrant {
    std::string clientId;
    std::string redirectUri;
    std::string codeChallenge; // S256
    std::string userId;
};

struct OAuthSettings {
    std::chrono::seconds codeLifetime{60};
    std::chrono::seconds accessTokenLifetime{600};
    std::chrono::seconds refreshTokenLifetime{30LL * 24 * 3600};
};

// The authorization server's state machine for codes and tokens.
//
//   authorize ──> code (hashed, 60 s, one use) ──exchange + verifier──> access + refresh (family F)
//   refresh R_n ──> R_n marked used; access + R_n+1 in F
//   R_n presented again (or a code again) ──> F revoked: every refresh token of F fails
//
// Codes and refresh tokens are 256 random bits, stored as SHA-256. Access tokens are signed and
// checked without the database (AccessTokenCodec).
class OAuthServer {
public:
    // Access tokens kept verified (about 0.5 KB each).
    static constexpr std::size_t verifiedTokenCacheSize = 1024;

    OAuthServer(Database &db, IdentityStore &identity, const AccessTokenCodec &codec, Clock clock,
                OAuthSettings settings);

    [[nodiscard]] const OAuthSettings &settings() const noexcept { return m_settings; }

    // A new authorization code for a request already validated (client, redirect URI,
    // challenge) and a signed-in user.
    [[nodiscard]] Result<std::string> issueCode(const AuthorizationGrant &grant);

    [[nodiscard]] Result<TokenGrant, TokenError> exchangeCode(std::string_view code,
                                                              std::string_view clientId,
                                                              std::string_view redirectUri,
                                                              std::string_view codeVerifier);
    [[nodiscard]] Result<TokenGrant, TokenError> refresh(std::string_view refreshToken,
                                                         std::string_view clientId);
    // RFC 7009: revokes the family of a refresh token of this client. Unknown tokens and access
    // tokens (which cannot be revoked before they expire) are no error.
    [[nodiscard]] Result<void> revoke(std::string_view token, std::string_view clientId);

    // Revokes every refresh token family of the user, of every client.
    [[nodiscard]] Result<void> revokeAllOf(std::string_view userId);

    // Verifies an access token (or finds it verified before); no database read.
    [[nodiscard]] Result<Principal> authenticate(std::string_view accessToken) const;

private:
    struct Decision;

    [[nodiscard]] AccessTokenClaims newClaims(const User &user, std::string_view clientId) const;
    // The answer to a code exchange or refresh once its database step is done: the failure or
    // refusal it decided, else a new access token for `user` alongside `refreshToken`.
    [[nodiscard]] Result<TokenGrant, TokenError> grantTokens(Result<Decision> decision,
                                                             const Result<User> &user,
                                                             std::string_view clientId,
                                                             std::string refreshToken) const;

    Database &m_db;
    IdentityStore &m_identity;
    const AccessTokenCodec &m_codec;
    Clock m_clock;
    OAuthSettings m_settings;
    mutable VerifiedTokenCache m_verified{verifiedTokenCacheSize};
};

} // namespace toolhub::server
