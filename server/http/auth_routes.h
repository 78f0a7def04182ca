#pragma once

#include "core/auth/auth_module.h"
#include "core/auth/principal.h"
#include "core/logging/logger.h"
#include "http/message.h"
#include "http/router.h"
#include "toolhub/result.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub::server::http {

// Checks the Bearer access token of API requests (RFC 6750), without a database read:
//
//     const Authenticator authenticator(auth.oauth());
//     router.add("GET", "/api/v1/products", [&](Request &request) -> Result<Response> {
//         auto principal = authenticator.authenticate(request);
//         if (!principal) return fail(std::move(principal).error()); // 401 problem+json
//         ...
//     });
class Authenticator {
public:
    explicit Authenticator(const OAuthServer &oauth) : m_oauth(oauth) {}
    // Unauthenticated when the Authorization header is missing, not "Bearer <token>", sent twice,
    // or the token is forged, tampered with or expired.
    [[nodiscard]] Result<Principal> authenticate(const Request &request) const;

private:
    const OAuthServer &m_oauth;
};

// A 401 problem response with `WWW-Authenticate: Bearer` (RFC 6750 §3).
[[nodiscard]] Response unauthorizedResponse(const Error &error, const Request &request);

struct AuthRouteOptions {
    // Cookies get Secure and the __Host- prefix. The server speaks plain HTTP, so it cannot tell
    // by itself whether browsers reach it over HTTPS (through a TLS-terminating proxy): the
    // operator says so with cookie_secure. Forwarded headers are not trusted for this.
    bool secureCookies = false;
};

// The sign-in routes:
//   GET  /signin, POST /signin, POST /signout        browser sign-in with sessions and CSRF
//   GET  /oauth/authorize, POST /oauth/token, POST /oauth/revoke   OAuth 2.0 for native apps
//   GET  /api/v1/me                                   who the access token belongs to
// `auth` and `logger` must outlive the router.
void addAuthRoutes(Router &router, AuthModule &auth, AuthRouteOptions options,
                   const Logger &logger);

// The browser sign-in's session, for other routes that serve signed-in pages (the portal).
// The session cookie's name: with the __Host- prefix when cookies are Secure.
[[nodiscard]] std::string sessionCookieName(const AuthRouteOptions &options);
// The CSRF purpose of forms within a signed-in session (sign-out).
inline constexpr std::string_view sessionCsrfPurpose = "session";
struct BrowserSession {
    std::string token; // the session cookie's value
    User user;
};
// The signed-in user of the request's session cookie `cookieName`: none without a cookie, or
// when it names no live session or a user that is gone or disabled.
[[nodiscard]] Result<std::optional<BrowserSession>>
browserSession(const Request &request, AuthModule &auth, std::string_view cookieName);
// Percent-encodes everything but RFC 3986 unreserved characters (a query value).
[[nodiscard]] std::string urlEncode(std::string_view text);

// Exposed for tests.
// application/x-www-form-urlencoded fields; nullopt when malformed.
[[nodiscard]] std::optional<std::multimap<std::string, std::string>>
parseFormBody(std::string_view body);
// Text safe inside HTML elements and double-quoted attributes.
[[nodiscard]] std::string escapeHtml(std::string_view text);
// A same-site path to go to after sign-in: starts with one '/', no "//" or '\' at its start, no
// control characters. Anything else is replaced by the default.
[[nodiscard]] bool isSafeLocalPath(std::string_view path);

} // namespace toolhub::server::http
