#include "http/sso_routes.h"

#include "http/cookies.h"

#include <memory>

namespace toolhub::server::http {

namespace {

constexpr std::chrono::seconds bindingLifetime{600};
constexpr std::string_view defaultReturn = "/signin";

bool isBinding(const std::optional<std::string> &value)
{
    return value && value->size() >= 32 && value->size() <= 64 &&
           value->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                    "-_") == std::string::npos;
}

std::optional<std::string> singleField(const std::multimap<std::string, std::string> &fields,
                                       const std::string &name)
{
    if (fields.count(name) != 1) {
        return std::nullopt;
    }
    return fields.find(name)->second;
}

unsigned statusOf(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Unauthenticated:
        return 401;
    case ErrorCode::PermissionDenied:
    case ErrorCode::FailedPrecondition:
        return 403;
    case ErrorCode::Unavailable:
        return 502;
    default:
        return 500;
    }
}

class SsoRoutes {
public:
    SsoRoutes(AuthModule &auth, sso::SingleSignOn &sso, AuthRouteOptions options,
              const Logger &logger)
        : m_auth(auth), m_sso(sso), m_options(std::move(options)), m_logger(logger),
          m_bindingCookie(m_options.secureCookies ? "__Host-toolhub_sso" : "toolhub_sso")
    {}

    Result<Response> start(Request &request);
    Result<Response> callback(Request &request);
    Result<Response> backchannelLogout(Request &request);

private:
    std::string bindingCookie(std::string_view value, std::chrono::seconds maxAge) const
    {
        return setCookie(m_bindingCookie, value,
                         {.secure = m_options.secureCookies, .maxAge = maxAge});
    }
    // A sign-in that went wrong: logged, and a page saying so; server faults go the
    // problem+json way.
    Result<Response> refused(const Request &request, const std::string &provider, Error error);

    AuthModule &m_auth;
    sso::SingleSignOn &m_sso;
    AuthRouteOptions m_options;
    const Logger &m_logger;
    std::string m_bindingCookie;
};

Result<Response> SsoRoutes::refused(const Request &request, const std::string &provider,
                                    Error error)
{
    const unsigned status = statusOf(error.code);
    if (status == 500) {
        return fail(std::move(error));
    }
    m_logger.warn("single sign-on refused",
                  request.context.logFields({{"auth.provider", provider},
                                             {"error.code", std::string{errorCodeName(error.code)}},
                                             {"error.message", error.message}}));
    auto response = signInErrorPage(status, "Sign-in failed", error.message, defaultReturn);
    response.headers.add("Set-Cookie", bindingCookie("", std::chrono::seconds{0}));
    return response;
}

Result<Response> SsoRoutes::start(Request &request)
{
    const std::string provider = request.pathParams["provider"];
    const auto nextParam = request.queryValue("next");
    std::string next{nextParam ? *nextParam : defaultReturn};
    if (!isSafeLocalPath(next)) {
        next = defaultReturn;
    }
    auto binding = cookieValue(request, m_bindingCookie);
    const bool fresh = !isBinding(binding);
    if (fresh) {
        binding = randomToken(32);
    }
    auto url = m_sso.begin(provider, *binding, next);
    if (!url) {
        return refused(request, provider, std::move(url).error());
    }
    Response response;
    response.status = 302;
    response.headers.set("Location", *url);
    response.headers.set("Cache-Control", "no-store");
    response.headers.set("Referrer-Policy", "no-referrer");
    response.headers.add("Set-Cookie", bindingCookie(*binding, bindingLifetime));
    return response;
}

Result<Response> SsoRoutes::callback(Request &request)
{
    const std::string provider = request.pathParams["provider"];
    const auto binding = cookieValue(request, m_bindingCookie);
    const auto state = singleField(request.query, "state").value_or("");
    if (const auto error = singleField(request.query, "error")) {
        // The provider refused or the user cancelled: the state cannot be used again.
        auto back = m_sso.abandon(provider, state, binding.value_or(""));
        // Only the error code is shown: anyone can put text into this URL.
        std::string code = error->substr(0, 64);
        if (code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
            code = "invalid";
        }
        const std::string message = "The identity provider did not sign you in (" + code + ").";
        m_logger.info(
            "single sign-on cancelled at the provider",
            request.context.logFields(
                {{"auth.provider", provider},
                 {"error.code", code},
                 {"error.message",
                  singleField(request.query, "error_description").value_or("").substr(0, 300)}}));
        auto response =
            signInErrorPage(401, "Sign-in cancelled", message,
                            back ? "/signin?next=" + urlEncode(*back) : std::string{defaultReturn});
        response.headers.add("Set-Cookie", bindingCookie("", std::chrono::seconds{0}));
        return response;
    }
    const auto code = singleField(request.query, "code").value_or("");
    const auto issuer = singleField(request.query, "iss");
    auto signIn = m_sso.complete(provider, state, code, binding.value_or(""),
                                 issuer ? std::optional<std::string_view>{*issuer} : std::nullopt);
    if (!signIn) {
        return refused(request, provider, std::move(signIn).error());
    }
    for (const auto &problem : signIn->ruleProblems) {
        nlohmann::json fields{{"auth.provider", provider}, {"user.id", signIn->user.id}};
        if (!problem.organization.empty()) {
            fields["organization.slug"] = problem.organization;
        }
        if (!problem.role.empty()) {
            fields["role"] = problem.role;
        }
        m_logger.warn(problem.message, request.context.logFields(std::move(fields)));
    }
    for (const auto &grant : signIn->skippedGrants) {
        m_logger.warn(
            "a mapping rule names a role that does not exist",
            request.context.logFields(
                {{"auth.provider", provider}, {"user.id", signIn->user.id}, {"role", grant.role}}));
    }
    auto started = startBrowserSession(request, m_auth, m_options, signIn->user, signIn->returnTo,
                                       "oidc:" + provider, m_logger);
    if (!started) {
        return fail(std::move(started).error());
    }
    if (auto remembered = m_sso.rememberSession(started->sessionToken, *signIn); !remembered) {
        return fail(std::move(remembered).error());
    }
    if (signIn->created) {
        m_logger.info(
            "user created at first single sign-on",
            request.context.logFields({{"auth.provider", provider}, {"user.id", signIn->user.id}}));
    }
    started->response.headers.add("Set-Cookie", bindingCookie("", std::chrono::seconds{0}));
    return std::move(started->response);
}

Result<Response> SsoRoutes::backchannelLogout(Request &request)
{
    const std::string provider = request.pathParams["provider"];
    const auto form = parseFormBody(request.body);
    const auto token = form ? singleField(*form, "logout_token") : std::nullopt;
    if (!token || token->empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "expected a form with one logout_token (OpenID Connect Back-Channel Logout)");
    }
    auto logout = m_sso.backchannelLogout(provider, *token);
    if (!logout) {
        m_logger.warn("back-channel logout refused",
                      request.context.logFields({{"auth.provider", provider},
                                                 {"error.message", logout.error().message}}));
        return fail(std::move(logout).error());
    }
    for (const auto &userId : logout->userIds) {
        m_logger.info(
            "signed out by the identity provider",
            request.context.logFields({{"auth.provider", provider}, {"user.id", userId}}));
    }
    Response response;
    response.status = 200;
    response.headers.set("Cache-Control", "no-store");
    return response;
}

} // namespace

void addSsoRoutes(Router &router, AuthModule &auth, sso::SingleSignOn &sso,
                  const AuthRouteOptions &options, const Logger &logger)
{
    auto routes = std::make_shared<SsoRoutes>(auth, sso, options, logger);
    router.add("GET", "/signin/oidc/{provider}", [routes](Request &r) { return routes->start(r); });
    router.add("GET", "/signin/oidc/{provider}/callback",
               [routes](Request &r) { return routes->callback(r); });
    router.add("POST", "/signin/oidc/{provider}/backchannel-logout",
               [routes](Request &r) { return routes->backchannelLogout(r); });
}

void addSsoSignInOptions(AuthRouteOptions &options, sso::SingleSignOn &sso)
{
    for (const auto &button : sso.buttons()) {
        options.externalSignIns.push_back({button.label, "/signin/oidc/" + button.id});
    }
    options.signOutRedirect = [&sso](std::string_view sessionToken) {
        return sso.signOutUrl(sessionToken);
    };
}

} // namespace toolhub::server::http
