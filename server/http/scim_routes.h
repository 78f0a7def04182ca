#pragma once

#include "core/logging/logger.h"
#include "core/scim/directory.h"
#include "http/authorization.h"
#include "http/router.h"

#include <cstddef>
#include <string>

namespace toolhub::server::http {

struct ScimRoutesContext {
    scim::Directory &directory;
    const Guard &guard;
    const Logger &logger;
    // The server's external base URL (public_url) for meta.location and Location; empty:
    // http:// and the request's Host.
    std::string publicUrl;
    std::size_t maxBodyBytes = 1024 * 1024; // as ServiceProviderConfig announces it
};

// SCIM 2.0 provisioning (RFC 7644) for PingFederate, Okta, Entra ID and the like:
//
//   GET  /scim/v2/Users[?filter=&startIndex=&count=&attributes=&excludedAttributes=]
//   POST /scim/v2/Users
//   GET, PUT, PATCH, DELETE /scim/v2/Users/{id}
//   GET  /scim/v2/Groups[?filter=...], POST /scim/v2/Groups
//   GET, PUT, PATCH, DELETE /scim/v2/Groups/{id}
//   GET  /scim/v2/ServiceProviderConfig, /scim/v2/ResourceTypes[/{id}], /scim/v2/Schemas[/{id}]
//
// Users and Groups need a service token with the scim.provision scope (401 with
// WWW-Authenticate: Bearer without a valid token, 403 without the scope); the discovery
// resources are public. Bodies are application/scim+json (application/json is accepted);
// every error is a SCIM error body (urn:ietf:params:scim:api:messages:2.0:Error) with the
// status as a string and a scimType where RFC 7644 3.12 defines one. Resources carry a weak
// ETag (meta.version), answered with 304 for If-None-Match and checked against If-Match (412).
// `context`'s references must outlive the router.
void addScimRoutes(Router &router, ScimRoutesContext context);

} // namespace toolhub::server::http
