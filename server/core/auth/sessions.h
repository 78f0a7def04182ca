#pragma once

#include "core/auth/keys.h"
#include "core/identity/identity.h"
#include "core/storage/database.h"
#include "toolhub/result.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace toolhub::server {

struct WebSession {
    std::string userId;
    std::int64_t createdAt = 0;
    std::int64_t expiresAt = 0;
};

// Browser sessions. The cookie carries 256 random bits; the database keeps only their SHA-256,
// so a leaked table signs nobody in. A new session is made at every sign-in (the caller destroys
// the one the browser had), and none outlives `lifetime`.
class SessionStore {
public:
    SessionStore(Database &db, Clock clock, std::chrono::seconds lifetime);

    [[nodiscard]] std::chrono::seconds lifetime() const noexcept { return m_lifetime; }
    // A new session for the user; returns the token for the cookie.
    [[nodiscard]] Result<std::string> create(std::string_view userId);
    // The live session of a token; Unauthenticated when unknown or expired.
    [[nodiscard]] Result<WebSession> find(std::string_view token);
    [[nodiscard]] Result<void> destroy(std::string_view token);
    // Ends every session of the user.
    [[nodiscard]] Result<void> destroyAllOf(std::string_view userId);

private:
    Database &m_db;
    Clock m_clock;
    std::chrono::seconds m_lifetime;
};

// CSRF tokens bound to a cookie value: HMAC(csrf key, purpose "\n" cookie value). A form carries
// the token; the POST is accepted only when it matches the cookie the browser sent. Forms of a
// signed-in browser bind to the session token, the sign-in form to a random pre-session cookie.
// Nothing is stored, and another site can neither read nor compute a token.
class CsrfTokens {
public:
    explicit CsrfTokens(MacKey key) : m_key(std::move(key)) {}
    [[nodiscard]] std::string tokenFor(std::string_view purpose, std::string_view binding) const;
    [[nodiscard]] bool verify(std::string_view purpose, std::string_view binding,
                              std::string_view token) const;

private:
    MacKey m_key;
};

} // namespace toolhub::server
