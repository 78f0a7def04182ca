#pragma once

#include <cstdint>
#include <string>

namespace toolhub::server {

// Who is calling, as proven by a verified access token or a service account's token. Routes check
// the organization of every object they return against organizationId.
struct Principal {
    std::string userId;
    std::string organizationId; // empty for users without an organization
    std::string clientId;       // the OAuth client the token was issued to
    std::string tokenId;        // jti, for logs and audit
    std::int64_t expiresAt = 0; // Unix seconds
    // Set instead of userId when a service account calls (with a service token).
    std::string serviceAccountId;
    std::int64_t generation = 0; // the user's session generation the token was issued under
};

} // namespace toolhub::server
