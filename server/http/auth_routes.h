#pragma once

#include "core/auth/auth_module.h"
#include "core/auth/principal.h"
#include "core/logging/logger.h"
#include "http/message.h"
#include "http/router.h"
#include "toolhub/result.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A sign-in through another site (an OpenID Connect provider), offered as a button beside the
// sign-in form; `path` starts it and gets "?next=<local path>".
struct ExternalSignIn {
    std::string label;
    std::string path;
};

struct AuthRouteOptions {
    // Cookies get Secure and the __Host- prefix. The server speaks plain HTTP, so it cannot tell
    // by itself whether browsers reach it over HTTPS (through a TLS-terminating proxy): the
    // operator says so with cookie_secure. Forwarded headers are not trusted for this.
    bool secureCookies = false;
    std::vector<ExternalSignIn> externalSignIns{};
    // Asked at sign-out with the ending session's token: where to send the browser instead of
    // the sign-in page (the identity provider's logout), if anywhere.
    std::function<Result<std::optional<std::string>>(std::string_view sessionToken)>
        signOutRedirect{};
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
// How every browser sign-in ends, whatever proved the user: the browser's old session (if any)
// ends, a new one starts, and the answer is a 303 to `next` that sets the session cookie and
// clears the pre-session cookie. `method` names the sign-in method in the log.
struct BrowserSignIn {
    Response response;
    std::string sessionToken;
};
[[nodiscard]] Result<BrowserSignIn> startBrowserSession(const Request &request, AuthModule &auth,
                                                        const AuthRouteOptions &options,
                                                        const User &user, std::string_view next,
                                                        std::string_view method,
                                                        const Logger &logger);
// An HTML page in the sign-in pages' look saying why signing in failed, with a link to try
// again at `retryPath` (a local path).
[[nodiscard]] Response signInErrorPage(unsigned status, std::string_view title,
                                       std::string_view message, std::string_view retryPath);
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
