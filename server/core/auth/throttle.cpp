#include "core/auth/throttle.h"

#include "core/storage/ids.h"

#include <algorithm>

namespace toolhub::server {

namespace {

constexpr std::string_view accountScope = "account";
constexpr std::string_view addressScope = "address";

// Seconds until the oldest failure that keeps the subject at its limit leaves the window, or
// nullopt when the subject is under its limit.
std::optional<std::int64_t> waitFor(soci::session &session, std::string_view scope,
                                    std::string_view subject, int limit, std::int64_t now,
                                    std::int64_t window)
{
    const std::string scopeText{scope};
    const std::string subjectText{subject};
    const long long since = now - window;
    long long count = 0;
    session << "SELECT COUNT(*) FROM sign_in_failures WHERE scope = :scope AND subject = "
               ":subject AND failed_at > :since",
        soci::into(count), soci::use(scopeText), soci::use(subjectText), soci::use(since);
    if (count < limit) {
        return std::nullopt;
    }
    // The failure `limit` places before the newest decides when the count drops below limit.
    long long decisive = now;
    const long long offset = count - limit;
    session << "SELECT failed_at FROM sign_in_failures WHERE scope = :scope AND subject = "
               ":subject AND failed_at > :since ORDER BY failed_at ASC LIMIT 1 OFFSET :offset",
        soci::into(decisive), soci::use(scopeText), soci::use(subjectText), soci::use(since),
        soci::use(offset);
    return std::max<std::int64_t>(1, decisive + window - now + 1);
}

} // namespace

SignInThrottle::SignInThrottle(Database &db, Clock clock, ThrottleLimits limits)
    : m_db(db), m_clock(std::move(clock)), m_limits(limits)
{}

Result<std::optional<std::int64_t>> SignInThrottle::retryAfter(std::string_view account,
                                                               std::string_view address)
{
    const std::int64_t now = m_clock();
    return m_db.withSession([&](soci::session &session) -> Result<std::optional<std::int64_t>> {
        const auto forAccount = waitFor(session, accountScope, account, m_limits.failuresPerAccount,
                                        now, m_limits.windowSeconds);
        const auto forAddress = waitFor(session, addressScope, address, m_limits.failuresPerAddress,
                                        now, m_limits.windowSeconds);
        if (!forAccount && !forAddress) {
            return std::optional<std::int64_t>{};
        }
        return std::optional<std::int64_t>{
            std::max(forAccount.value_or(0), forAddress.value_or(0))};
    });
}

Result<void> SignInThrottle::recordFailure(std::string_view account, std::string_view address)
{
    const long long now = m_clock();
    const long long expired = now - m_limits.windowSeconds;
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        soci::transaction transaction(session);
        session << "DELETE FROM sign_in_failures WHERE failed_at <= :expired", soci::use(expired);
        for (const auto &[scope, subject] :
             {std::pair{accountScope, account}, std::pair{addressScope, address}}) {
            const std::string id = newId();
            const std::string scopeText{scope};
            const std::string subjectText{subject.substr(0, 320)};
            session << "INSERT INTO sign_in_failures (id, scope, subject, failed_at) "
                       "VALUES (:id, :scope, :subject, :failed_at)",
                soci::use(id), soci::use(scopeText), soci::use(subjectText), soci::use(now);
        }
        transaction.commit();
        return {};
    });
}

} // namespace toolhub::server
