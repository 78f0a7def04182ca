#pragma once

#include <cstdint>
#include <string>

namespace toolhub::server {

// Who is calling, as proven by a verified access token. Routes check the organization of every
// object they return against organizationId.
struct Principal {
    std::string userId;
    std::string organizationId; // empty for users without an organization
    std::string clientId;       // the OAuth client the token was issued to
    std::string tokenId;        // jti, for logs and audit
    std::int64_t expiresAt = 0; // Unix seconds
};

} // namespace toolhub::server
