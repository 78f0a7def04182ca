#include "http/auth_routes.h"

#include "core/auth/redirect_uri.h"
#include "http/authorization.h"
#include "http/cookies.h"
#include "http/problem.h"
#include "toolhub/utf8.h"

#include <nlohmann/json.hpp>

#include <set>

namespace toolhub::server::http {

namespace {

constexpr std::string_view signInPurpose = "signin";
constexpr std::string_view sessionPurpose = sessionCsrfPurpose;
constexpr std::string_view defaultNext = "/signin";
constexpr std::chrono::seconds preSessionLifetime{3600};

using Form = std::multimap<std::string, std::string>;

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

// The single value of a field; nullopt when absent, empty or given more than once (RFC 6749
// §3.1: parameters must not be repeated).
std::optional<std::string> single(const std::multimap<std::string, std::string> &fields,
                                  const std::string &name)
{
    if (fields.count(name) != 1) {
        return std::nullopt;
    }
    const auto &value = fields.find(name)->second;
    return value.empty() ? std::nullopt : std::optional<std::string>{value};
}

bool hasRepeatedField(const std::multimap<std::string, std::string> &fields)
{
    std::set<std::string_view> seen;
    for (const auto &[name, value] : fields) {
        if (!seen.insert(name).second) {
            return true;
        }
    }
    return false;
}

bool isFormRequest(const Request &request)
{
    const auto type = request.headers.get("Content-Type");
    if (!type) {
        return false;
    }
    const auto mediaType = type->substr(0, type->find(';'));
    return equalsIgnoringCase(mediaType, "application/x-www-form-urlencoded");
}

void noStore(Response &response)
{
    response.headers.set("Cache-Control", "no-store");
    response.headers.set("Pragma", "no-cache");
}

Response html(unsigned status, std::string body)
{
    auto response = Response::text(status, std::move(body), "text/html; charset=utf-8");
    noStore(response);
    response.headers.set("Content-Security-Policy", "default-src 'none'; style-src "
                                                    "'unsafe-inline'; frame-ancestors 'none'; "
                                                    "base-uri 'none'");
    response.headers.set("X-Frame-Options", "DENY");
    response.headers.set("X-Content-Type-Options", "nosniff");
    response.headers.set("Referrer-Policy", "no-referrer");
    return response;
}

Response redirect(unsigned status, const std::string &location)
{
    Response response;
    response.status = status;
    response.headers.set("Location", location);
    noStore(response);
    response.headers.set("Referrer-Policy", "no-referrer");
    return response;
}

std::string page(std::string_view title, std::string_view content)
{
    std::string out = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)";
    out += escapeHtml(title);
    out += R"( · Toolhub</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:22rem;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 1.2rem}
label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;
border:1px solid #b6bcc8;border-radius:4px;font-size:1rem}
button{margin-top:1.3rem;width:100%;padding:.6rem;border:0;border-radius:4px;background:#2456c7;
color:#fff;font-size:1rem;cursor:pointer}
.error{background:#fdecec;color:#8a1c1c;padding:.6rem .8rem;border-radius:4px}
.or{text-align:center;color:#5b6375;margin:1.2rem 0 .4rem}
a.sso{display:block;margin-top:.6rem;padding:.6rem;border:1px solid #2456c7;border-radius:4px;
color:#2456c7;text-align:center;text-decoration:none}
</style>
</head>
<body>
<main>
)";
    out += content;
    out += "\n</main>\n</body>\n</html>\n";
    return out;
}

std::string signInPage(std::string_view csrfToken, std::string_view next, std::string_view login,
                       std::string_view error, const std::vector<ExternalSignIn> &external)
{
    std::string content = "<h1>Sign in to Toolhub</h1>\n";
    if (!error.empty()) {
        content += R"(<p class="error" role="alert">)" + escapeHtml(error) + "</p>\n";
    }
    content += R"(<form method="post" action="/signin">
<input type="hidden" name="csrf_token" value=")" +
               escapeHtml(csrfToken) + R"(">
<input type="hidden" name="next" value=")" +
               escapeHtml(next) + R"(">
<label for="login">Login</label>
<input type="text" id="login" name="login" autocomplete="username" required autofocus value=")" +
               escapeHtml(login) + R"(">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>)";
    if (!external.empty()) {
        content += "\n<p class=\"or\">or</p>";
    }
    for (const auto &provider : external) {
        content += "\n<a class=\"sso\" href=\"" +
                   escapeHtml(provider.path + "?next=" + urlEncode(next)) + "\">" +
                   escapeHtml(provider.label) + "</a>";
    }
    return page("Sign in", content);
}

std::string errorPage(std::string_view title, std::string_view message)
{
    return page(title, "<h1>" + escapeHtml(title) + "</h1>\n<p>" + escapeHtml(message) + "</p>");
}

// The OAuth error JSON of the token and revocation endpoints (RFC 6749 §5.2).
Response oauthError(std::string_view error, std::string_view description)
{
    nlohmann::ordered_json body;
    body["error"] = error;
    if (!description.empty()) {
        body["error_description"] = description;
    }
    auto response = Response::json(error == "invalid_client" ? 401 : 400, body);
    noStore(response);
    return response;
}

Response tokenResponse(const TokenGrant &grant)
{
    nlohmann::ordered_json body;
    body["access_token"] = grant.accessToken;
    body["token_type"] = "Bearer";
    body["expires_in"] = grant.expiresIn;
    body["refresh_token"] = grant.refreshToken;
    auto response = Response::json(200, body);
    noStore(response);
    return response;
}

class AuthRoutes {
public:
    AuthRoutes(AuthModule &auth, AuthRouteOptions options, const Logger &logger)
        : m_auth(auth), m_options(options), m_logger(logger), m_authenticator(auth.oauth()),
          m_sessionCookie(sessionCookieName(options)),
          m_preSessionCookie(options.secureCookies ? "__Host-toolhub_signin" : "toolhub_signin")
    {}

    Result<Response> getSignIn(Request &request);
    Result<Response> postSignIn(Request &request);
    Result<Response> postSignOut(Request &request);
    Result<Response> authorize(Request &request);
    Result<Response> token(Request &request);
    Result<Response> revoke(Request &request);
    Result<Response> me(Request &request);

private:
    using SignedIn = BrowserSession;
    // The signed-in user of the browser's session cookie, if any and still active.
    Result<std::optional<SignedIn>> signedIn(const Request &request);
    std::string cookie(std::string_view name, std::string_view value,
                       std::optional<std::chrono::seconds> maxAge) const
    {
        return setCookie(name, value, {.secure = m_options.secureCookies, .maxAge = maxAge});
    }
    std::string nextOf(const std::optional<std::string> &next) const
    {
        return next && isSafeLocalPath(*next) ? *next : std::string{defaultNext};
    }

    AuthModule &m_auth;
    AuthRouteOptions m_options;
    const Logger &m_logger;
    Authenticator m_authenticator;
    std::string m_sessionCookie;
    std::string m_preSessionCookie;
};

Result<std::optional<AuthRoutes::SignedIn>> AuthRoutes::signedIn(const Request &request)
{
    return browserSession(request, m_auth, m_sessionCookie);
}

Result<Response> AuthRoutes::getSignIn(Request &request)
{
    const auto nextParam = request.queryValue("next");
    const std::string next =
        nextOf(nextParam ? std::optional<std::string>{std::string{*nextParam}} : std::nullopt);
    auto current = signedIn(request);
    if (!current) {
        return fail(std::move(current).error());
    }
    if (*current) {
        if (nextParam && next != defaultNext) {
            return redirect(303, next);
        }
        const auto &user = (*current)->user;
        const std::string csrf = m_auth.csrf().tokenFor(sessionPurpose, (*current)->token);
        return html(200,
                    page("Signed in", "<h1>Signed in</h1>\n<p>You are signed in as " +
                                          escapeHtml(user.displayName) + " (" +
                                          escapeHtml(user.login.empty() ? user.email : user.login) +
                                          ").</p>\n" +
                                          R"(<form method="post" action="/signout">
<input type="hidden" name="csrf_token" value=")" +
                                          escapeHtml(csrf) +
                                          R"(">
<button type="submit">Sign out</button>
</form>)"));
    }
    // A pre-session binds the form's CSRF token to this browser.
    auto preSession = cookieValue(request, m_preSessionCookie);
    const bool fresh = !preSession || preSession->size() < 32 || preSession->size() > 64;
    if (fresh) {
        preSession = randomToken(32);
    }
    auto response = html(200, signInPage(m_auth.csrf().tokenFor(signInPurpose, *preSession), next,
                                         {}, {}, m_options.externalSignIns));
    if (fresh) {
        response.headers.add("Set-Cookie",
                             cookie(m_preSessionCookie, *preSession, preSessionLifetime));
    }
    return response;
}

Result<Response> AuthRoutes::postSignIn(Request &request)
{
    const auto form = isFormRequest(request) ? parseFormBody(request.body) : std::nullopt;
    if (!form) {
        return fail(ErrorCode::InvalidArgument, "expected a sign-in form "
                                                "(application/x-www-form-urlencoded)");
    }
    const auto preSession = cookieValue(request, m_preSessionCookie);
    const auto csrf = single(*form, "csrf_token");
    if (!preSession || !csrf || !m_auth.csrf().verify(signInPurpose, *preSession, *csrf)) {
        return fail(ErrorCode::PermissionDenied,
                    "the sign-in form has expired or did not come from this site: reload the "
                    "sign-in page and try again");
    }
    const std::string login = single(*form, "login").value_or("");
    const std::string password = single(*form, "password").value_or("");
    const std::string next = nextOf(single(*form, "next"));
    const auto normalized = normalizeLogin(login);
    const std::string account = normalized ? *normalized : login.substr(0, 320);
    const std::string &address = request.context.clientAddress;

    auto wait = m_auth.throttle().retryAfter(account, address);
    if (!wait) {
        return fail(std::move(wait).error());
    }
    if (*wait) {
        m_logger.warn("sign-in throttled", request.context.logFields({{"user.name", account}}));
        auto response = html(429, signInPage(*csrf, next, login,
                                             "Too many failed sign-ins. Try again in " +
                                                 std::to_string(**wait) + " seconds.",
                                             m_options.externalSignIns));
        response.headers.set("Retry-After", std::to_string(**wait));
        return response;
    }

    std::optional<User> user;
    std::string_view methodName;
    for (SignInMethod *method : m_auth.signInMethods()) {
        auto attempt = method->signIn(login, password);
        if (attempt) {
            user = std::move(attempt).value();
            methodName = method->name();
            break;
        }
        if (attempt.error().code == ErrorCode::Unavailable) { // e.g. the LDAP directory is down
            return html(503, signInPage(*csrf, next, login, attempt.error().message,
                                        m_options.externalSignIns));
        }
        if (attempt.error().code != ErrorCode::Unauthenticated) {
            return fail(std::move(attempt).error());
        }
    }
    if (!user) {
        if (auto recorded = m_auth.throttle().recordFailure(account, address); !recorded) {
            return fail(std::move(recorded).error());
        }
        m_logger.info("sign-in failed", request.context.logFields({{"user.name", account}}));
        return html(401, signInPage(*csrf, next, login, "Wrong login or password.",
                                    m_options.externalSignIns));
    }

    auto started =
        startBrowserSession(request, m_auth, m_options, *user, next, methodName, m_logger);
    if (!started) {
        return fail(std::move(started).error());
    }
    return std::move(started->response);
}

Result<Response> AuthRoutes::postSignOut(Request &request)
{
    const auto form = isFormRequest(request) ? parseFormBody(request.body) : std::nullopt;
    const auto token = cookieValue(request, m_sessionCookie);
    const auto csrf = form ? single(*form, "csrf_token") : std::nullopt;
    if (!token || !csrf || !m_auth.csrf().verify(sessionPurpose, *token, *csrf)) {
        return fail(ErrorCode::PermissionDenied,
                    "the sign-out form has expired or did not come from this site");
    }
    std::optional<std::string> elsewhere;
    if (m_options.signOutRedirect) {
        auto answer = m_options.signOutRedirect(*token);
        if (!answer) {
            return fail(std::move(answer).error());
        }
        elsewhere = std::move(answer).value();
    }
    if (auto destroyed = m_auth.sessions().destroy(*token); !destroyed) {
        return fail(std::move(destroyed).error());
    }
    auto response = redirect(303, elsewhere.value_or(std::string{defaultNext}));
    response.headers.add("Set-Cookie", cookie(m_sessionCookie, "", std::chrono::seconds{0}));
    return response;
}

Result<Response> AuthRoutes::authorize(Request &request)
{
    const auto refuse = [](std::string_view message) {
        return html(400, errorPage("Sign-in request refused", message));
    };
    if (hasRepeatedField(request.query)) {
        return refuse("A parameter of the sign-in request appears more than once.");
    }
    const auto clientId = single(request.query, "client_id");
    if (!clientId || findOAuthClient(*clientId) == nullptr) {
        return refuse("The application asking you to sign in is not known to this server.");
    }
    const auto redirectUri = single(request.query, "redirect_uri");
    if (!redirectUri) {
        return refuse("The sign-in request has no redirect_uri.");
    }
    if (auto parsed = parseLoopbackRedirectUri(*redirectUri); !parsed) {
        return refuse("The application's redirect address is not allowed: " +
                      parsed.error().message);
    }
    const auto state = single(request.query, "state");
    if (!state || state->size() > 512) {
        return refuse("The sign-in request has no state parameter (or an over-long one).");
    }
    // From here on errors go back to the (validated) application, per RFC 6749 §4.1.2.1.
    const std::string separator = redirectUri->find('?') == std::string::npos ? "?" : "&";
    const auto back = [&](std::string_view error, std::string_view description) {
        return redirect(302, *redirectUri + separator + "error=" + std::string{error} +
                                 "&error_description=" + urlEncode(description) +
                                 "&state=" + urlEncode(*state));
    };
    if (single(request.query, "response_type") != "code") {
        return back("unsupported_response_type", "response_type must be code");
    }
    const auto challenge = single(request.query, "code_challenge");
    if (!challenge) {
        return back("invalid_request", "code_challenge is required (PKCE)");
    }
    if (single(request.query, "code_challenge_method") != "S256") {
        return back("invalid_request", "code_challenge_method must be S256");
    }
    if (!isValidS256Challenge(*challenge)) {
        return back("invalid_request", "code_challenge must be 43 base64url characters");
    }
    auto current = signedIn(request);
    if (!current) {
        return fail(std::move(current).error());
    }
    if (!*current) {
        return redirect(302, "/signin?next=" + urlEncode(request.target));
    }
    auto code = m_auth.oauth().issueCode({.clientId = *clientId,
                                          .redirectUri = *redirectUri,
                                          .codeChallenge = *challenge,
                                          .userId = (*current)->user.id});
    if (!code) {
        return fail(std::move(code).error());
    }
    m_logger.info("authorization code issued",
                  request.context.logFields(
                      {{"user.id", (*current)->user.id}, {"oauth.client_id", *clientId}}));
    return redirect(302, *redirectUri + separator + "code=" + urlEncode(*code) +
                             "&state=" + urlEncode(*state));
}

Result<Response> AuthRoutes::token(Request &request)
{
    const auto form = isFormRequest(request) ? parseFormBody(request.body) : std::nullopt;
    if (!form) {
        return oauthError("invalid_request", "expected an application/x-www-form-urlencoded body");
    }
    if (hasRepeatedField(*form)) {
        return oauthError("invalid_request", "a parameter appears more than once");
    }
    const auto clientId = single(*form, "client_id");
    if (!clientId || findOAuthClient(*clientId) == nullptr) {
        return oauthError("invalid_client", "unknown client_id");
    }
    const auto grantType = single(*form, "grant_type");
    Result<TokenGrant, TokenError> grant = fail(TokenError{});
    if (grantType == "authorization_code") {
        const auto code = single(*form, "code");
        const auto redirectUri = single(*form, "redirect_uri");
        const auto verifier = single(*form, "code_verifier");
        if (!code || !redirectUri || !verifier) {
            return oauthError("invalid_request",
                              "code, redirect_uri and code_verifier are required");
        }
        grant = m_auth.oauth().exchangeCode(*code, *clientId, *redirectUri, *verifier);
    } else if (grantType == "refresh_token") {
        const auto refreshToken = single(*form, "refresh_token");
        if (!refreshToken) {
            return oauthError("invalid_request", "refresh_token is required");
        }
        grant = m_auth.oauth().refresh(*refreshToken, *clientId);
    } else {
        return oauthError(grantType ? "unsupported_grant_type" : "invalid_request",
                          "grant_type must be authorization_code or refresh_token");
    }
    if (!grant) {
        const auto &error = grant.error();
        if (error.failure) {
            return fail(*error.failure);
        }
        m_logger.info("token request refused",
                      request.context.logFields({{"oauth.client_id", *clientId},
                                                 {"oauth.grant_type", *grantType},
                                                 {"error.code", error.error},
                                                 {"error.message", error.description}}));
        return oauthError(error.error, error.description);
    }
    return tokenResponse(*grant);
}

Result<Response> AuthRoutes::revoke(Request &request)
{
    const auto form = isFormRequest(request) ? parseFormBody(request.body) : std::nullopt;
    if (!form) {
        return oauthError("invalid_request", "expected an application/x-www-form-urlencoded body");
    }
    const auto clientId = single(*form, "client_id");
    if (!clientId || findOAuthClient(*clientId) == nullptr) {
        return oauthError("invalid_client", "unknown client_id");
    }
    const auto token = single(*form, "token");
    if (!token) {
        return oauthError("invalid_request", "token is required");
    }
    if (auto revoked = m_auth.oauth().revoke(*token, *clientId); !revoked) {
        return fail(std::move(revoked).error());
    }
    Response response;
    response.status = 200;
    noStore(response);
    return response;
}

Result<Response> AuthRoutes::me(Request &request)
{
    auto principal = m_authenticator.authenticate(request);
    if (!principal) {
        return unauthorizedResponse(principal.error(), request);
    }
    auto user = m_auth.identity().findUser(principal->userId);
    if (!user && user.error().code != ErrorCode::NotFound) {
        return fail(std::move(user).error());
    }
    if (!user || user->disabled || principal->generation < user->sessionGeneration) {
        return unauthorizedResponse({ErrorCode::Unauthenticated, "the account is not active"},
                                    request);
    }
    nlohmann::ordered_json body;
    body["id"] = user->id;
    body["login"] = user->login;
    body["display_name"] = user->displayName;
    body["email"] = user->email;
    body["organization"] = nullptr;
    if (!user->organizationId.empty()) {
        auto org = m_auth.identity().findOrganization(user->organizationId);
        if (!org) {
            return fail(std::move(org).error());
        }
        body["organization"] = {{"id", org->id}, {"slug", org->slug}, {"name", org->name}};
    }
    auto response = Response::json(200, body);
    response.headers.set("Cache-Control", "no-store");
    return response;
}

} // namespace

Result<Principal> Authenticator::authenticate(const Request &request) const
{
    auto token = bearerToken(request);
    if (!token) {
        return fail(std::move(token).error());
    }
    return m_oauth.authenticate(*token);
}

Response unauthorizedResponse(const Error &error, const Request &request)
{
    auto response = problemResponse(error, request);
    response.headers.set("WWW-Authenticate", R"(Bearer error="invalid_token")");
    return response;
}

void addAuthRoutes(Router &router, AuthModule &auth, AuthRouteOptions options, const Logger &logger)
{
    auto routes = std::make_shared<AuthRoutes>(auth, options, logger);
    router.add("GET", "/signin", [routes](Request &r) { return routes->getSignIn(r); });
    router.add("POST", "/signin", [routes](Request &r) { return routes->postSignIn(r); });
    router.add("POST", "/signout", [routes](Request &r) { return routes->postSignOut(r); });
    router.add("GET", "/oauth/authorize", [routes](Request &r) { return routes->authorize(r); });
    router.add("POST", "/oauth/token", [routes](Request &r) { return routes->token(r); });
    router.add("POST", "/oauth/revoke", [routes](Request &r) { return routes->revoke(r); });
    router.add("GET", "/api/v1/me", [routes](Request &r) { return routes->me(r); });
}

std::optional<std::multimap<std::string, std::string>> parseFormBody(std::string_view body)
{
    std::string path;
    std::multimap<std::string, std::string> fields;
    if (parseTarget("/?" + std::string{body}, path, fields)) {
        return std::nullopt;
    }
    return fields;
}

std::string escapeHtml(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

bool isSafeLocalPath(std::string_view path)
{
    if (path.empty() || path.size() > 4096 || path.front() != '/') {
        return false;
    }
    if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) {
        return false;
    }
    for (const char c : path) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '\\') {
            return false;
        }
    }
    return true;
}

Result<BrowserSignIn> startBrowserSession(const Request &request, AuthModule &auth,
                                          const AuthRouteOptions &options, const User &user,
                                          std::string_view next, std::string_view method,
                                          const Logger &logger)
{
    const std::string sessionCookie = sessionCookieName(options);
    const auto cookie = [&](std::string_view name, std::string_view value,
                            std::chrono::seconds maxAge) {
        return setCookie(name, value, {.secure = options.secureCookies, .maxAge = maxAge});
    };
    // A new session id at every sign-in; the browser's old one, if any, ends.
    if (const auto old = cookieValue(request, sessionCookie)) {
        if (auto destroyed = auth.sessions().destroy(*old); !destroyed) {
            return fail(std::move(destroyed).error());
        }
    }
    auto session = auth.sessions().create(user.id);
    if (!session) {
        return fail(std::move(session).error());
    }
    logger.info("signed in", request.context.logFields(
                                 {{"user.id", user.id},
                                  {"user.name", user.login.empty() ? user.email : user.login},
                                  {"auth.method", method}}));
    BrowserSignIn signIn{redirect(303, std::string{next}), *session};
    signIn.response.headers.add("Set-Cookie",
                                cookie(sessionCookie, *session, auth.sessions().lifetime()));
    signIn.response.headers.add(
        "Set-Cookie", cookie(options.secureCookies ? "__Host-toolhub_signin" : "toolhub_signin", "",
                             std::chrono::seconds{0}));
    return signIn;
}

Response signInErrorPage(unsigned status, std::string_view title, std::string_view message,
                         std::string_view retryPath)
{
    return html(status, page(title, "<h1>" + escapeHtml(title) + "</h1>\n<p>" +
                                        escapeHtml(message) + "</p>\n<p><a href=\"" +
                                        escapeHtml(retryPath) + "\">Sign in again</a></p>"));
}

std::string sessionCookieName(const AuthRouteOptions &options)
{
    return options.secureCookies ? "__Host-toolhub_session" : "toolhub_session";
}

Result<std::optional<BrowserSession>> browserSession(const Request &request, AuthModule &auth,
                                                     std::string_view cookieName)
{
    const auto token = cookieValue(request, cookieName);
    if (!token) {
        return std::optional<BrowserSession>{};
    }
    auto session = auth.sessions().find(*token);
    if (!session) {
        if (session.error().code == ErrorCode::Unauthenticated) {
            return std::optional<BrowserSession>{};
        }
        return fail(std::move(session).error());
    }
    auto user = auth.identity().findUser(session->userId);
    if (!user) {
        if (user.error().code == ErrorCode::NotFound) {
            return std::optional<BrowserSession>{};
        }
        return fail(std::move(user).error());
    }
    if (user->disabled) {
        return std::optional<BrowserSession>{};
    }
    return std::optional<BrowserSession>{BrowserSession{*token, std::move(user).value()}};
}

std::string urlEncode(std::string_view text)
{
    return percentEncode(text);
}

} // namespace toolhub::server::http
