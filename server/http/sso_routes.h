#pragma once

#include "core/auth/auth_module.h"
#include "core/logging/logger.h"
#include "core/sso/single_sign_on.h"
#include "http/auth_routes.h"
#include "http/router.h"

namespace toolhub::server::http {

// OpenID Connect sign-in, this server being the relying party:
//   GET  /signin/oidc/{provider}                        starts it (?next=<local path>)
//   GET  /signin/oidc/{provider}/callback               the provider's answer; signs in
//   POST /signin/oidc/{provider}/backchannel-logout     the provider's logout token
// The routes exist with no provider configured too (404 for every provider). `auth`, `sso` and
// `logger` must outlive the router.
void addSsoRoutes(Router &router, AuthModule &auth, sso::SingleSignOn &sso,
                  const AuthRouteOptions &options, const Logger &logger);

// The sign-in page's buttons and the sign-out hook for `sso`'s providers, added to `options`.
void addSsoSignInOptions(AuthRouteOptions &options, sso::SingleSignOn &sso);

} // namespace toolhub::server::http
