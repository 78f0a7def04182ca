#include "core/auth/sessions.h"

#include "toolhub/sha256.h"

namespace toolhub::server {

namespace {

constexpr std::size_t maxTokenSize = 256;

std::string bindingMessage(std::string_view purpose, std::string_view binding)
{
    std::string message{purpose};
    message += '\n';
    message += binding;
    return message;
}

} // namespace

SessionStore::SessionStore(Database &db, Clock clock, std::chrono::seconds lifetime)
    : m_db(db), m_clock(std::move(clock)), m_lifetime(lifetime)
{}

Result<std::string> SessionStore::create(std::string_view userId)
{
    std::string token = randomToken(32);
    const std::string hash = sha256Hex(token);
    const std::string user{userId};
    const long long now = m_clock();
    const long long expires = now + m_lifetime.count();
    auto stored = m_db.withSession([&](soci::session &session) -> Result<void> {
        session << "DELETE FROM web_sessions WHERE expires_at < :now", soci::use(now);
        session << "INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at) "
                   "VALUES (:id_hash, :user_id, :created_at, :expires_at)",
            soci::use(hash), soci::use(user), soci::use(now), soci::use(expires);
        return {};
    });
    if (!stored) {
        return fail(std::move(stored).error());
    }
    return token;
}

Result<WebSession> SessionStore::find(std::string_view token)
{
    if (token.empty() || token.size() > maxTokenSize) {
        return fail(ErrorCode::Unauthenticated, "not signed in");
    }
    const std::string hash = sha256Hex(token);
    const long long now = m_clock();
    return m_db.withSession([&](soci::session &session) -> Result<WebSession> {
        WebSession found;
        long long createdAt = 0;
        long long expiresAt = 0;
        session << "SELECT user_id, created_at, expires_at FROM web_sessions "
                   "WHERE id_hash = :id_hash",
            soci::into(found.userId), soci::into(createdAt), soci::into(expiresAt), soci::use(hash);
        if (!session.got_data() || now >= expiresAt) {
            return fail(ErrorCode::Unauthenticated, "not signed in");
        }
        found.createdAt = createdAt;
        found.expiresAt = expiresAt;
        return found;
    });
}

Result<void> SessionStore::destroy(std::string_view token)
{
    if (token.empty() || token.size() > maxTokenSize) {
        return {};
    }
    const std::string hash = sha256Hex(token);
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        session << "DELETE FROM web_sessions WHERE id_hash = :id_hash", soci::use(hash);
        return {};
    });
}

Result<void> SessionStore::destroyAllOf(std::string_view userId)
{
    const std::string id{userId};
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        session << "DELETE FROM web_sessions WHERE user_id = :user_id", soci::use(id);
        return {};
    });
}

std::string CsrfTokens::tokenFor(std::string_view purpose, std::string_view binding) const
{
    return toBase64(hmac(m_key, bindingMessage(purpose, binding)), Base64Variant::UrlSafeNoPadding);
}

bool CsrfTokens::verify(std::string_view purpose, std::string_view binding,
                        std::string_view token) const
{
    if (binding.empty() || token.empty() || token.size() > maxTokenSize) {
        return false;
    }
    const auto tag = fromBase64(token, Base64Variant::UrlSafeNoPadding);
    return tag && hmacVerify(m_key, bindingMessage(purpose, binding), *tag);
}

} // namespace toolhub::server
