#pragma once

#include "core/auth/access_token.h"
#include "core/auth/keys.h"
#include "core/auth/oauth.h"
#include "core/auth/sessions.h"
#include "core/auth/throttle.h"
#include "core/identity/identity.h"
#include "core/storage/database.h"

#include <chrono>
#include <memory>
#include <vector>

namespace toolhub::server {

struct AuthSettings {
    std::chrono::seconds codeLifetime{60};
    std::chrono::seconds accessTokenLifetime{600};
    std::chrono::seconds sessionLifetime{12 * 3600};
    ThrottleLimits throttle;
    PasswordHashCost passwordCost;
};

// Sign-in, assembled: identity, the sign-in methods in the order they are tried, sessions, CSRF,
// throttling and the OAuth authorization server, over one database and the shared keys.
class AuthModule {
public:
    [[nodiscard]] static Result<std::unique_ptr<AuthModule>>
    create(Database &db, const AuthSettings &settings, Clock clock = systemClock());

    [[nodiscard]] IdentityStore &identity() { return m_identity; }
    [[nodiscard]] const std::vector<SignInMethod *> &signInMethods() const { return m_methods; }
    // Adds a method tried after those already there (the local password comes first).
    void addSignInMethod(std::unique_ptr<SignInMethod> method);
    [[nodiscard]] SessionStore &sessions() { return m_sessions; }
    [[nodiscard]] const CsrfTokens &csrf() const { return m_csrf; }
    [[nodiscard]] SignInThrottle &throttle() { return m_throttle; }
    [[nodiscard]] OAuthServer &oauth() { return m_oauth; }
    [[nodiscard]] const OAuthServer &oauth() const { return m_oauth; }

    // Ends every browser session and refresh token of the user at once (a back-channel logout,
    // a disabled account), and voids the access tokens issued so far: the authorization check
    // refuses tokens of an older User::sessionGeneration, even once the account is enabled again.
    [[nodiscard]] Result<void> endUserSessions(std::string_view userId);
    // Disables the account and ends its sessions and refresh tokens.
    [[nodiscard]] Result<void> disableUser(std::string_view userId);

private:
    AuthModule(Database &db, const AuthSettings &settings, Clock clock, AuthKeys keys);

    AccessTokenCodec m_codec;
    CsrfTokens m_csrf;
    IdentityStore m_identity;
    LocalPasswordSignIn m_local;
    std::vector<SignInMethod *> m_methods;
    std::vector<std::unique_ptr<SignInMethod>> m_addedMethods;
    SessionStore m_sessions;
    SignInThrottle m_throttle;
    OAuthServer m_oauth;
};

} // namespace toolhub::server
