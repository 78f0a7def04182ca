#pragma once

#include "core/config/config.h"
#include "core/identity/identity.h"
#include "core/sso/http_client.h"
#include "core/sso/jose.h"
#include "core/sso/token_checks.h"
#include "toolhub/result.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::sso {

// The parts of a provider's discovery document (OpenID Connect Discovery 1.0) this server uses.
struct ProviderMetadata {
    std::string issuer;
    std::string authorizationEndpoint;
    std::string tokenEndpoint;
    std::string jwksUri;
    std::string endSessionEndpoint; // empty when the provider has none
};

// Parses a discovery document; its issuer must equal `issuer` exactly and its endpoints be
// https (http only on loopback hosts). InvalidArgument with the reason otherwise.
[[nodiscard]] Result<ProviderMetadata> parseDiscovery(std::string_view json,
                                                      std::string_view issuer);

// One OpenID Connect provider as this relying party sees it: its discovery document (fetched
// once; after a failure, again at most once per `retryInterval`), its signing keys (fetched when
// first needed and again when a token names an unknown `kid`, at most once per
// `keyRefreshInterval`, failed attempts included), its token endpoint, and the checks of its ID
// and logout tokens. Requests that anyone can send (a sign-in start, a logout token) so never
// make more than one outbound request per interval while the provider is down. Thread-safe.
class OidcProvider {
public:
    static constexpr std::chrono::seconds keyRefreshInterval{60};
    static constexpr std::chrono::seconds retryInterval{10};

    OidcProvider(OidcProviderConfig config, HttpClient &http, Clock clock,
                 std::chrono::seconds clockSkew = std::chrono::seconds{60});

    [[nodiscard]] const OidcProviderConfig &config() const noexcept { return m_config; }
    // Unavailable when the provider cannot be reached or answers wrongly.
    [[nodiscard]] Result<ProviderMetadata> metadata();

    // The ID token of an authorization code, from the token endpoint (client_secret_basic or
    // client_secret_post). Unauthenticated when the provider refuses the code.
    [[nodiscard]] Result<std::string> exchangeCode(std::string_view code,
                                                   std::string_view redirectUri,
                                                   std::string_view codeVerifier);
    // Signature with this provider's keys, then OpenID Connect Core §3.1.3.7 (checkIdToken).
    [[nodiscard]] Result<IdTokenClaims> verifyIdToken(std::string_view token,
                                                      std::string_view nonceHash);
    [[nodiscard]] Result<LogoutTokenClaims> verifyLogoutToken(std::string_view token);

private:
    [[nodiscard]] Result<CompactJws> verifiedJws(std::string_view token);
    [[nodiscard]] Result<std::vector<PublicJwk>> fetchKeys();
    [[nodiscard]] std::optional<std::vector<PublicJwk>> cachedKeys();
    // Fetches the key set again unless that happened less than keyRefreshInterval ago.
    [[nodiscard]] Result<std::vector<PublicJwk>> refreshKeys();
    [[nodiscard]] TokenAudience audience() const;

    OidcProviderConfig m_config;
    HttpClient &m_http;
    Clock m_clock;
    std::chrono::seconds m_clockSkew;
    std::mutex m_mutex;
    std::optional<ProviderMetadata> m_metadata;
    std::optional<std::vector<PublicJwk>> m_keys;
    std::int64_t m_keysFetchedAt = 0;    // the last attempt, whether it succeeded or not
    std::int64_t m_metadataFailedAt = 0; // the last failed discovery; 0: none
};

} // namespace toolhub::server::sso
