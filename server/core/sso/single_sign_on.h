#pragma once

#include "core/access/access.h"
#include "core/access/mapping_rule.h"
#include "core/auth/auth_module.h"
#include "core/config/config.h"
#include "core/identity/identity.h"
#include "core/sso/http_client.h"
#include "core/sso/provider.h"
#include "core/storage/database.h"
#include "toolhub/result.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::sso {

// Makes the grants of `source` exactly `grants` (AccessControl::replaceGrants); returns those
// skipped because their role does not exist.
using GrantReplacer = std::function<Result<std::vector<RoleGrant>>(
    std::string_view userId, std::string_view source, const std::vector<RoleGrant> &grants)>;

struct SsoSettings {
    std::string publicUrl; // no trailing slash
    std::chrono::seconds signInLifetime{600};
    std::chrono::seconds clockSkew{60};
};

struct SsoProviderButton {
    std::string id;
    std::string label;
};

// A completed sign-in at a provider.
struct SsoSignIn {
    User user;
    std::string providerId;
    std::string returnTo;  // the local path the sign-in started from
    std::string idToken;   // for id_token_hint at sign-out
    std::string sessionId; // the provider's "sid", if it sent one
    bool created = false;  // first sign-in: the user was created
    std::vector<RoleGrant> grants;
    std::vector<RoleGrant> skippedGrants;  // naming roles that do not exist
    std::vector<RuleProblem> ruleProblems; // parts of the mapping rules skipped, for the log
};

// What a back-channel logout ended.
struct SsoLogout {
    std::vector<std::string> userIds;
};

// OpenID Connect sign-in, this server being the relying party of each configured provider:
//
//   begin(provider, binding, return path)
//       state, nonce, PKCE verifier (random) ──> sso_sign_ins row (state and nonce hashed,
//       bound to the browser's pre-sign-in cookie, 10 min) ──> authorization URL
//   complete(provider, state, code, binding)
//       row consumed once ──> code + verifier at the token endpoint ──> ID token verified
//       ──> user found by (iss, sub) or created ──> profile, organization and grants from the
//       mapping rules
//   rememberSession / signOutUrl / backchannelLogout
//       the web session made for the sign-in, with the provider's sid and ID token, for
//       RP-initiated and back-channel logout.
class SingleSignOn {
public:
    SingleSignOn(Database &db, AuthModule &auth, HttpClient &http, GrantReplacer grants,
                 Clock clock, const std::map<std::string, OidcProviderConfig> &providers,
                 SsoSettings settings);

    [[nodiscard]] std::vector<SsoProviderButton> buttons() const;
    // <public_url>/signin/oidc/<id>/callback
    [[nodiscard]] std::string redirectUri(std::string_view providerId) const;
    // Where the provider sends the browser after its logout: <public_url>/signin.
    [[nodiscard]] std::string postLogoutRedirectUri() const;
    // Fetches every provider's discovery document; the failures, by provider id.
    [[nodiscard]] std::map<std::string, Error> warmUp();

    // The provider's authorization URL for a new sign-in of the browser holding `binding` (its
    // pre-sign-in cookie value), returning to `returnTo` afterwards. NotFound for an unknown
    // provider; Unavailable when it cannot be reached.
    [[nodiscard]] Result<std::string> begin(std::string_view providerId, std::string_view binding,
                                            std::string_view returnTo);
    // Ends a sign-in the provider refused or the user cancelled (its state cannot be used
    // again); returns the path it started from.
    [[nodiscard]] Result<std::string> abandon(std::string_view providerId, std::string_view state,
                                              std::string_view binding);
    // The provider's answer. PermissionDenied when the state is unknown, used, expired, of
    // another provider or of another browser; Unauthenticated when the code or the ID token
    // is refused; FailedPrecondition when the account is disabled. A mapping rule naming a
    // missing organization is skipped and reported in the result's ruleProblems.
    // `responseIssuer` is the answer's `iss` parameter (RFC 9207), when the provider sent one:
    // it must be the provider's issuer.
    [[nodiscard]] Result<SsoSignIn> complete(std::string_view providerId, std::string_view state,
                                             std::string_view code, std::string_view binding,
                                             std::optional<std::string_view> responseIssuer = {});

    // Links the web session `sessionToken` to the sign-in it came from.
    [[nodiscard]] Result<void> rememberSession(std::string_view sessionToken,
                                               const SsoSignIn &signIn);
    // For a web session that came from a provider with an end_session_endpoint: the URL that
    // ends the provider's session too (id_token_hint, post_logout_redirect_uri, client_id).
    // Forgets the link either way.
    [[nodiscard]] Result<std::optional<std::string>> signOutUrl(std::string_view sessionToken);
    // A logout token POSTed by the provider: verified, then every session and refresh token
    // of the user it names (by sub, or by the sid of a web session) ends. Unauthenticated or
    // InvalidArgument when the token is refused.
    [[nodiscard]] Result<SsoLogout> backchannelLogout(std::string_view providerId,
                                                      std::string_view logoutToken);

private:
    struct Pending;
    [[nodiscard]] Result<Pending> consume(std::string_view providerId, std::string_view state,
                                          std::string_view binding);
    [[nodiscard]] Result<SsoSignIn> signInUser(OidcProvider &provider, const IdTokenClaims &claims);
    [[nodiscard]] OidcProvider *provider(std::string_view id) const;

    Database &m_db;
    AuthModule &m_auth;
    GrantReplacer m_grants;
    Clock m_clock;
    SsoSettings m_settings;
    std::map<std::string, std::unique_ptr<OidcProvider>, std::less<>> m_providers;
};

} // namespace toolhub::server::sso
