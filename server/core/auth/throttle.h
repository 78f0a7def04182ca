#pragma once

#include "core/identity/identity.h"
#include "core/storage/database.h"
#include "toolhub/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub::server {

struct ThrottleLimits {
    int failuresPerAccount = 10;  // wrong passwords for one login within the window
    int failuresPerAddress = 100; // from one client address (NAT puts many people behind one)
    std::int64_t windowSeconds = 60;
};

// Limits failed sign-ins per account and per client address over a sliding window. Failures
// are rows in the database, so every replica sees the same count. Unknown logins count too,
// so the answer never tells whether an account exists.
class SignInThrottle {
public:
    SignInThrottle(Database &db, Clock clock, ThrottleLimits limits = {});

    // Seconds until the next attempt may be made, or nullopt when one may be made now.
    [[nodiscard]] Result<std::optional<std::int64_t>> retryAfter(std::string_view account,
                                                                 std::string_view address);
    [[nodiscard]] Result<void> recordFailure(std::string_view account, std::string_view address);

private:
    Database &m_db;
    Clock m_clock;
    ThrottleLimits m_limits;
};

} // namespace toolhub::server
