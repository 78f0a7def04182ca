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

} // namespace toolhub::server
