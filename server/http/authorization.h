#pragma once

#include "core/access/access.h"
#include "core/access/service_accounts.h"
#include "core/auth/auth_module.h"
#include "core/auth/principal.h"
#include "http/message.h"
#include "toolhub/result.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub::server::http {

// Who is calling and what they may do.
struct Caller {
    Principal principal;
    std::optional<User> user;             // a person; empty for a service account
    std::optional<ServiceCaller> service; // a service account; empty for a person
    Authorization authorization;
};

// The one authorization check. Every route that is not public asks it for the permission it
// needs, in the scope of the object it serves:
//
//     auto caller = guard.require(request, permission::licensesRead,
//                                 Scope::organization(organizationId));
//     if (!caller) return fail(std::move(caller).error()); // 401 or 403
//
// A bearer token is either a user's access token (OAuth, verified by signature) or a service
// account token ("thsa_..."). For a user, the account's state and grants are read at every
// request, so disabling a user or revoking a role takes effect at once.
class Guard {
public:
    Guard(AuthModule &auth, AccessControl &access, ServiceAccounts &services)
        : m_auth(auth), m_access(access), m_services(services)
    {}

    // Unauthenticated without a valid bearer token, or for a disabled user.
    [[nodiscard]] Result<Caller> authenticate(const Request &request) const;
    // PermissionDenied when the caller does not hold `permission` in `scope`.
    [[nodiscard]] Result<Caller> require(const Request &request, std::string_view permission,
                                         const Scope &scope) const;
    // In the caller's own organization (PermissionDenied for callers without one).
    [[nodiscard]] Result<Caller> requireInOwnOrganization(const Request &request,
                                                          std::string_view permission) const;
    // Held in some scope (the route then narrows what it shows).
    [[nodiscard]] Result<Caller> requireAnywhere(const Request &request,
                                                 std::string_view permission) const;
    // The caller for a user signed in with a browser session.
    [[nodiscard]] Result<Caller> callerOf(const User &user) const;

    [[nodiscard]] AccessControl &access() const { return m_access; }
    [[nodiscard]] ServiceAccounts &services() const { return m_services; }
    [[nodiscard]] AuthModule &auth() const { return m_auth; }

    // Users whose state and grants are kept between requests, under the data revision.
    static constexpr std::size_t cachedUsers = 4096;

private:
    struct Cached {
        std::int64_t revision = 0;
        User user;
        Authorization authorization;
    };
    [[nodiscard]] Result<Caller> userCaller(Principal principal) const;

    AuthModule &m_auth;
    AccessControl &m_access;
    ServiceAccounts &m_services;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, Cached, std::less<>> m_cache;
};

// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1): Unauthenticated when
// the header is missing, sent twice, or of another scheme.
[[nodiscard]] Result<std::string_view> bearerToken(const Request &request);

// The problem response for a failed check: 401 with WWW-Authenticate for Unauthenticated,
// otherwise what the error maps to.
[[nodiscard]] Response deniedResponse(const Error &error, const Request &request);

} // namespace toolhub::server::http
