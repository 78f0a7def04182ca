#pragma once

#include "http/message.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub::server::http {

// The value of the cookie `name` among the request's Cookie headers (RFC 6265 §5.4); nullopt
// when absent. When a name appears twice, the first wins (the most specific path, by RFC 6265).
[[nodiscard]] std::optional<std::string> cookieValue(const Request &request, std::string_view name);

struct CookieAttributes {
    bool secure = false;  // only over HTTPS
    bool httpOnly = true; // out of reach of scripts
    std::string_view sameSite = "Lax";
    std::string_view path = "/";
    // Max-Age in seconds; nullopt for a cookie that ends with the browser session, 0 deletes.
    std::optional<std::chrono::seconds> maxAge;
};

// A Set-Cookie header value. `value` must be cookie-octets (e.g. base64url): callers pass tokens
// they made, never user input.
[[nodiscard]] std::string setCookie(std::string_view name, std::string_view value,
                                    const CookieAttributes &attributes);

} // namespace toolhub::server::http
