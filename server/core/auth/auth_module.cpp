#include "core/auth/auth_module.h"

namespace toolhub::server {

AuthModule::AuthModule(Database &db, const AuthSettings &settings, Clock clock, AuthKeys keys)
    : m_codec(keys.accessToken), m_csrf(keys.csrf), m_identity(db, clock, settings.passwordCost),
      m_local(m_identity), m_methods{&m_local}, m_sessions(db, clock, settings.sessionLifetime),
      m_throttle(db, clock, settings.throttle),
      m_oauth(db, m_identity, m_codec, clock,
              {settings.codeLifetime, settings.accessTokenLifetime,
               OAuthSettings{}.refreshTokenLifetime})
{}

Result<std::unique_ptr<AuthModule>> AuthModule::create(Database &db, const AuthSettings &settings,
                                                       Clock clock)
{
    auto keys = AuthKeys::loadOrCreate(db);
    if (!keys) {
        return fail(std::move(keys).error());
    }
    return std::unique_ptr<AuthModule>(
        new AuthModule(db, settings, std::move(clock), std::move(keys).value()));
}

void AuthModule::addSignInMethod(std::unique_ptr<SignInMethod> method)
{
    m_methods.push_back(method.get());
    m_addedMethods.push_back(std::move(method));
}

Result<void> AuthModule::endUserSessions(std::string_view userId)
{
    // Refresh tokens and sessions first, the generation last: a refresh racing with this call
    // either fails on its revoked family or gets a token of the old generation, void below.
    if (auto revoked = m_oauth.revokeAllOf(userId); !revoked) {
        return revoked;
    }
    if (auto ended = m_sessions.destroyAllOf(userId); !ended) {
        return ended;
    }
    return m_identity.markSessionsEnded(userId);
}

Result<void> AuthModule::disableUser(std::string_view userId)
{
    if (auto disabled = m_identity.disableUser(userId); !disabled) {
        return disabled;
    }
    return endUserSessions(userId);
}

} // namespace toolhub::server
