#pragma once

#include "toolhub/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace toolhub::server {

// A native app's loopback redirect URI (RFC 8252 §7.3), taken apart.
struct LoopbackRedirect {
    std::string host; // "127.0.0.1" or "[::1]"
    std::uint16_t port = 0;
    std::string pathAndQuery; // starts with '/'
};

// Accepts exactly `http://127.0.0.1:<port>/<path>[?query]` and `http://[::1]:<port>/<path>[?query]`
// with any port from 1 to 65535 (no leading zeros) and a path and query of RFC 3986 characters
// with valid percent escapes. Everything else is InvalidArgument: other schemes and hosts
// ("localhost", "127.0.0.1.evil.com"), userinfo, a missing port or path, fragments,
// backslashes, spaces, control and non-ASCII characters, more than 2000 characters.
[[nodiscard]] Result<LoopbackRedirect> parseLoopbackRedirectUri(std::string_view uri);

} // namespace toolhub::server
