#include "http/authorization.h"

#include "http/problem.h"

#include <algorithm>

namespace toolhub::server::http {

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

Error denied(std::string_view permission)
{
    return {ErrorCode::PermissionDenied,
            "this needs the permission " + std::string{permission} + ", which you do not hold"};
}

} // namespace

Result<std::string_view> bearerToken(const Request &request)
{
    if (request.headers.count("Authorization") != 1) {
        return fail(ErrorCode::Unauthenticated, "this needs a bearer access token: sign in");
    }
    auto value = *request.headers.get("Authorization");
    constexpr std::string_view scheme = "bearer ";
    if (value.size() <= scheme.size() ||
        !equalsIgnoringCase(value.substr(0, scheme.size()), scheme)) {
        return fail(ErrorCode::Unauthenticated, "the Authorization header must be Bearer <token>");
    }
    value.remove_prefix(scheme.size());
    while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    return value;
}

Result<Caller> Guard::authenticate(const Request &request) const
{
    auto token = bearerToken(request);
    if (!token) {
        return fail(std::move(token).error());
    }
    if (isServiceTokenForm(*token)) {
        auto service = m_services.authenticate(*token);
        if (!service) {
            return fail(std::move(service).error());
        }
        Caller caller;
        caller.principal.serviceAccountId = service->account.id;
        caller.principal.tokenId = service->token.id;
        caller.principal.expiresAt = service->token.expiresAt;
        for (const auto &scope : service->token.scopes) {
            caller.authorization.add(Scope::global(), scope);
        }
        caller.service = std::move(service).value();
        return caller;
    }
    auto principal = m_auth.oauth().authenticate(*token);
    if (!principal) {
        return fail(std::move(principal).error());
    }
    return userCaller(std::move(principal).value());
}

Result<Caller> Guard::userCaller(Principal principal) const
{
    auto revision = m_access.revision();
    if (!revision) {
        return fail(std::move(revision).error());
    }
    Caller caller;
    bool found = false;
    {
        const std::lock_guard lock(m_mutex);
        if (const auto it = m_cache.find(principal.userId);
            it != m_cache.end() && it->second.revision == *revision) {
            caller.user = it->second.user;
            caller.authorization = it->second.authorization;
            found = true;
        }
    }
    if (!found) {
        auto user = m_auth.identity().findUser(principal.userId);
        if (!user && user.error().code != ErrorCode::NotFound) {
            return fail(std::move(user).error());
        }
        if (!user) {
            return fail(ErrorCode::Unauthenticated, "the account is not active");
        }
        auto authorization = m_access.authorizationOf(*user);
        if (!authorization) {
            return fail(std::move(authorization).error());
        }
        caller.user = std::move(user).value();
        caller.authorization = std::move(authorization).value();
        const std::lock_guard lock(m_mutex);
        if (m_cache.size() >= cachedUsers) {
            m_cache.clear();
        }
        m_cache[principal.userId] = {*revision, *caller.user, caller.authorization};
    }
    if (caller.user->disabled) {
        return fail(ErrorCode::Unauthenticated, "the account is not active");
    }
    if (principal.generation < caller.user->sessionGeneration) {
        return fail(ErrorCode::Unauthenticated, "this sign-in has ended: sign in again");
    }
    // The organization in force is the user's own now, not the one the token was issued under.
    principal.organizationId = caller.user->organizationId;
    caller.principal = std::move(principal);
    return caller;
}

Result<Caller> Guard::require(const Request &request, std::string_view permission,
                              const Scope &scope) const
{
    auto caller = authenticate(request);
    if (!caller) {
        return caller;
    }
    if (!caller->authorization.allows(permission, scope)) {
        return fail(denied(permission));
    }
    return caller;
}

Result<Caller> Guard::requireInOwnOrganization(const Request &request,
                                               std::string_view permission) const
{
    auto caller = authenticate(request);
    if (!caller) {
        return caller;
    }
    if (caller->principal.organizationId.empty() ||
        !caller->authorization.allows(permission,
                                      Scope::organization(caller->principal.organizationId))) {
        return fail(denied(permission));
    }
    return caller;
}

Result<Caller> Guard::requireAnywhere(const Request &request, std::string_view permission) const
{
    auto caller = authenticate(request);
    if (!caller) {
        return caller;
    }
    if (!caller->authorization.allowsAnywhere(permission)) {
        return fail(denied(permission));
    }
    return caller;
}

Result<Caller> Guard::callerOf(const User &user) const
{
    if (user.disabled) {
        return fail(ErrorCode::Unauthenticated, "the account is not active");
    }
    auto authorization = m_access.authorizationOf(user);
    if (!authorization) {
        return fail(std::move(authorization).error());
    }
    Caller caller;
    caller.principal.userId = user.id;
    caller.principal.organizationId = user.organizationId;
    caller.user = user;
    caller.authorization = std::move(authorization).value();
    return caller;
}

Response deniedResponse(const Error &error, const Request &request)
{
    auto response = problemResponse(error, request);
    if (error.code == ErrorCode::Unauthenticated) {
        response.headers.set("WWW-Authenticate", R"(Bearer error="invalid_token")");
    }
    return response;
}

} // namespace toolhub::server::http
