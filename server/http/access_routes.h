#pragma once

#include "core/catalog/catalog.h"
#include "core/licensing/licensing.h"
#include "http/authorization.h"
#include "http/router.h"

#include <cstdint>
#include <functional>

namespace toolhub::server::http {

struct AccessRoutesContext {
    const Guard &guard;
    Catalog &catalog;
    Licensing &licensing;
    std::function<std::int64_t()> now; // Unix seconds
};

// The API of access control and of internal applications. Every route asks the guard for its
// permission in the scope of the object it serves. A caller who holds the permission nowhere
// gets 403; one who holds it, but not for this object, gets 404 as for a missing one.
//
// Internal read API (service accounts, staff):
//   GET  /api/v1/serials/{serial}                  serials.validate: valid / expired / unknown
//   GET  /api/v1/catalog/products                  catalog.read (global): every product
//   GET  /api/v1/organizations/{organization}/licenses   licenses.read in the organization
// People and roles:
//   GET  /api/v1/organizations/{organization}/users      users.read in the organization
//   GET  /api/v1/users/{user}                      users.read in the user's organization
//   GET  /api/v1/users/{user}/grants
//   POST /api/v1/users/{user}/grants               users.manage, or org.users.manage in the
//   DELETE /api/v1/users/{user}/grants             organization of the grant (a member's), and
//                                                  never more than the caller holds there
//   POST /api/v1/users/{user}/disable              users.manage, or org.users.manage in the
//   POST /api/v1/users/{user}/enable               user's organization; disabling ends the
//                                                  user's sessions and refresh tokens at once
//   GET  /api/v1/roles                             org.users.manage (anywhere)
//   POST /api/v1/roles, PUT|DELETE /api/v1/roles/{role}   roles.manage
//   GET  /api/v1/groups, PUT /api/v1/groups/{group}/grants  roles.manage
// Service accounts (service_accounts.manage):
//   GET|POST /api/v1/service-accounts
//   GET|POST /api/v1/service-accounts/{account}/tokens     a new token is shown once
//   DELETE   /api/v1/service-accounts/{account}/tokens/{token}
void addAccessRoutes(Router &router, AccessRoutesContext context);

} // namespace toolhub::server::http
