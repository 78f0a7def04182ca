#pragma once

#include "core/auth/auth_module.h"
#include "http/authorization.h"
#include "http/catalog_routes.h"
#include "http/message.h"
#include "http/router.h"
#include "toolhub/api_types.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub::server::http {

struct PortalRouteOptions {
    // As AuthRouteOptions::secureCookies: the session cookie then carries the __Host- prefix.
    bool secureCookies = false;
};

// The customer portal: HTML pages for a browser signed in at /signin (its session cookie).
//   GET /                                 "My products": the organization's licensed products
//   GET /products/{product}               description; each tool's offered releases with
//                                         toolhub:// install links and downloads; documents,
//                                         tutorials; the organization's serial numbers
//   GET /downloads/artifacts/{artifact}   the file of GET /api/v1/artifacts/{artifact}/download
//   GET /downloads/resources/{resource}   the file of GET /api/v1/resources/{resource}/download
//   GET /assets/{file}                    the bundled CSS (web/assets.h), cached for good
// Without a session, pages and downloads redirect to /signin?next=<where the browser was>.
// Every object is scoped to the visitor's organization as in the customer API: another
// organization's answers 404 exactly as a missing one. The downloads run through the customer
// API's own routes (`catalog`, its context), authenticated by the session instead of a token,
// so they check and record exactly as the API does; pages ask `guard` for catalog.read and
// licenses.read as the API does. `auth` and `guard` must outlive the router.
void addPortalRoutes(Router &router, AuthModule &auth, const Guard &guard,
                     CatalogRoutesContext catalog, PortalRouteOptions options);

// ---- exposed for tests ----

// A value for a {{name}} slot of a page template: text, HTML-escaped here, or markup the caller
// built from escaped parts.
struct Slot {
    [[nodiscard]] static Slot text(std::string_view name, std::string_view text);
    [[nodiscard]] static Slot markup(std::string_view name, std::string html);

    std::string name;
    std::string html;
};

// `pattern` with each {{name}} replaced by its slot's HTML. A name without a slot stays as it
// is, so that a page shows the mistake instead of hiding it.
[[nodiscard]] std::string fillTemplate(std::string_view pattern, std::initializer_list<Slot> slots);

// The small part of Markdown product descriptions use, as HTML: headings (# to ######, shown two
// levels lower), paragraphs, "-"/"*" and "1." lists, **strong** and `code`. Everything else is
// text, escaped.
[[nodiscard]] std::string markdownToHtml(std::string_view markdown);

// The visitor's operating system, from Sec-CH-UA-Platform or else User-Agent; nullopt when
// neither tells one Toolhub ships for (phones, tablets, unknown agents).
[[nodiscard]] std::optional<Platform> likelyPlatform(const Request &request);

} // namespace toolhub::server::http
