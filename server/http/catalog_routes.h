#pragma once

#include "core/auth/principal.h"
#include "core/catalog/catalog.h"
#include "core/downloads/downloads.h"
#include "core/identity/identity.h"
#include "core/installations/installations.h"
#include "core/signing/signing_key.h"
#include "http/router.h"

#include <chrono>
#include <filesystem>
#include <functional>

namespace toolhub::server::http {

// What the customer API needs: the domain modules, who is calling, and where files live.
struct CatalogRoutesContext {
    Catalog &catalog;
    Downloads &downloads;
    Installations &installations;
    IdentityStore &identity;
    const SigningKey &signingKey;
    // The caller, when they hold the permission in their own organization; Unauthenticated or
    // PermissionDenied otherwise (http::Guard::requireInOwnOrganization for bearer tokens).
    std::function<Result<Principal>(const Request &, std::string_view permission)> authorize;
    std::filesystem::path artifactDir; // storage keys are relative to it
    std::chrono::seconds manifestLifetime{std::chrono::hours{24 * 7}};
    std::function<std::int64_t()> now; // Unix seconds
};

// The customer API. Every route asks for its permission in the caller's own organization
// (catalog.read, licenses.read or installations.report) and scopes every object to that
// organization; another organization's object answers 404 exactly as a missing one.
// Catalog reads carry a strong ETag and answer If-None-Match with 304.
//
//   GET /api/v1/products
//   GET /api/v1/products/{product}
//   GET /api/v1/products/{product}/tools/{tool}/releases[?channel=stable|beta]
//   GET /api/v1/products/{product}/tools/{tool}/updates?current=<version>[&channel=...]
//   GET /api/v1/licenses
//   GET /api/v1/tools/{tool}/releases/{version}/manifest
//   GET /api/v1/artifacts/{artifact}/download
//   GET /api/v1/resources/{resource}/download
//   POST /api/v1/installations    the desktop app reports an install, update, rollback,
//                                 repair or remove on one of the caller's machines
//   GET /api/v1/installations     the caller's own current installations (never another user's)
void addCatalogRoutes(Router &router, CatalogRoutesContext context);

// A JSON response with a strong ETag over its bytes; 304 (no body) when If-None-Match matches.
[[nodiscard]] Response jsonWithETag(const Request &request, const nlohmann::json &body);

// One page of `items` per the `limit` (1..200, default 50) and opaque `cursor` query
// parameters: {"items": [...], "next_cursor": "..."} (next_cursor absent on the last page).
[[nodiscard]] Result<nlohmann::json> page(const Request &request,
                                          const std::vector<nlohmann::json> &items);

} // namespace toolhub::server::http
