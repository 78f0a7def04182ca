#include "http/portal_routes.h"

#include "http/auth_routes.h"
#include "http/cookies.h"
#include "http/file_response.h"
#include "http/representation.h"
#include "toolhub/link.h"
#include "web/assets.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

namespace toolhub::server::http {

namespace {

constexpr std::string_view bootstrapCss = "bootstrap.min.css";

// No script at all, styles only from this server's stylesheet (none inline); Bootstrap's CSS
// draws a few of its icons as data: images.
constexpr std::string_view pagePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

constexpr std::string_view notFound = "There is nothing at this address.";

void securityHeaders(Response &response)
{
    response.headers.set("X-Content-Type-Options", "nosniff");
    response.headers.set("Referrer-Policy", "same-origin");
    response.headers.set("X-Frame-Options", "DENY");
}

Response htmlPage(std::string body)
{
    auto response = Response::text(200, std::move(body), "text/html; charset=utf-8");
    response.headers.set("Cache-Control", "no-store");
    response.headers.set("Content-Security-Policy", std::string{pagePolicy});
    securityHeaders(response);
    return response;
}

Response signInRedirect(const Request &request)
{
    Response response;
    response.status = 303;
    response.headers.set("Location", "/signin?next=" + urlEncode(request.target));
    response.headers.set("Cache-Control", "no-store");
    securityHeaders(response);
    return response;
}

std::string_view platformLabel(Platform platform)
{
    switch (platform) {
    case Platform::Linux:
        return "Linux";
    case Platform::Macos:
        return "macOS";
    case Platform::Windows:
        return "Windows";
    }
    return "";
}

std::string sizeLabel(std::uint64_t bytes)
{
    constexpr std::uint64_t kib = 1024;
    if (bytes < kib) {
        return std::to_string(bytes) + " B";
    }
    const char *units[] = {"KB", "MB", "GB", "TB"};
    auto value = static_cast<double>(bytes) / kib;
    std::size_t unit = 0;
    while (value >= kib && unit + 1 < std::size(units)) {
        value /= kib;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

// "2026-02-10T09:00:00Z" -> "2026-02-10"
std::string_view datePart(std::string_view timestamp)
{
    return timestamp.substr(0, std::min<std::size_t>(timestamp.size(), 10));
}

// Replaces each pair of `marker` in already-escaped text by `open` ... `close`.
std::string pairMarkers(std::string text, std::string_view marker, std::string_view open,
                        std::string_view close)
{
    std::string out;
    std::size_t at = 0;
    while (true) {
        const auto start = text.find(marker, at);
        const auto end = start == std::string::npos ? std::string::npos
                                                    : text.find(marker, start + marker.size());
        if (end == std::string::npos || end == start + marker.size()) {
            out.append(text, at);
            return out;
        }
        out.append(text, at, start - at);
        out += open;
        out.append(text, start + marker.size(), end - start - marker.size());
        out += close;
        at = end + marker.size();
    }
}

std::string inlineMarkdown(std::string_view text)
{
    return pairMarkers(pairMarkers(escapeHtml(text), "**", "<strong>", "</strong>"), "`", "<code>",
                       "</code>");
}

constexpr std::string_view layoutTemplate = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · Toolhub</title>
<link rel="stylesheet" href="{{stylesheet}}">
</head>
<body class="bg-body-tertiary">
<nav class="navbar bg-dark border-bottom border-body" data-bs-theme="dark">
<div class="container flex-nowrap gap-3">
<a class="navbar-brand" href="/">Toolhub</a>
<div class="d-flex align-items-center gap-3 ms-auto">
<span class="navbar-text text-truncate">{{user}}</span>
<form method="post" action="/signout" class="m-0">
<input type="hidden" name="csrf_token" value="{{csrf}}">
<button type="submit" class="btn btn-outline-light btn-sm text-nowrap">Sign out</button>
</form>
</div>
</div>
</nav>
<main class="container py-4">
{{content}}
</main>
</body>
</html>
)";

constexpr std::string_view productCardTemplate = R"(<div class="col">
<div class="card h-100 shadow-sm">
<div class="card-body">
<h2 class="h5 card-title"><a class="stretched-link text-decoration-none" href="/products/{{slug}}">{{name}}</a></h2>
<p class="card-text text-body-secondary">{{summary}}</p>
</div>
</div>
</div>
)";

constexpr std::string_view toolTemplate = R"(<div class="card mb-4 shadow-sm">
<div class="card-body">
<h3 class="h5 card-title">{{name}}</h3>
<p class="card-text text-body-secondary">{{summary}}</p>
{{releases}}
</div>
</div>
)";

constexpr std::string_view releaseRowTemplate = R"(<tr>
<td class="text-nowrap"><span class="fw-semibold">{{version}}</span> {{badge}}</td>
<td class="text-nowrap text-body-secondary">{{published}}</td>
<td>{{install}}</td>
<td><div class="d-flex flex-wrap gap-2 align-items-center">{{downloads}}</div></td>
</tr>
)";

constexpr std::string_view resourceTemplate =
    R"(<li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">
<div>{{link}} <span class="badge text-bg-light border">{{locale}}</span>{{release}}</div>
<span class="text-body-secondary small">{{kind}} · {{detail}}</span>
</li>
)";

constexpr std::string_view licenseRowTemplate = R"(<tr>
<td><code class="user-select-all">{{serial}}</code>{{state}}</td>
<td>{{seats}}</td>
<td>{{expires}}</td>
<td>{{maintenance}}</td>
</tr>
)";

// The portal's routes and what they need.
class PortalRoutes {
public:
    PortalRoutes(AuthModule &auth, const Guard &guard, CatalogRoutesContext catalog,
                 PortalRouteOptions options)
        : m_auth(auth), m_guard(guard), m_catalog(std::move(catalog)),
          m_sessionCookie(sessionCookieName({.secureCookies = options.secureCookies})),
          m_assets(web::bundledAssets())
    {
        for (const auto &asset : m_assets) {
            m_representations.push_back(
                {asset.path, Representation{std::string{asset.bytes}, sha256ETag(asset.sha256)}});
        }
        const auto *stylesheet = web::findAsset(m_assets, bootstrapCss);
        m_stylesheet = stylesheet != nullptr ? stylesheet->path : std::string{};
        // The customer API's download routes, with the session in place of the bearer token.
        CatalogRoutesContext downloads = m_catalog;
        downloads.authorize = [this](const Request &request,
                                     std::string_view permission) -> Result<Principal> {
            auto current = visitor(request);
            if (!current) {
                return fail(std::move(current).error());
            }
            if (!*current) {
                return fail(ErrorCode::Unauthenticated, "sign in to download");
            }
            auto allowed = may((*current)->user, permission);
            if (!allowed) {
                return fail(std::move(allowed).error());
            }
            if (!*allowed) {
                return fail(ErrorCode::PermissionDenied, "this needs the permission " +
                                                             std::string{permission} +
                                                             ", which you do not hold");
            }
            return Principal{.userId = (*current)->user.id,
                             .organizationId = (*current)->user.organizationId,
                             .clientId = "portal",
                             .tokenId = {},
                             .expiresAt = 0,
                             .serviceAccountId = {},
                             .generation = (*current)->user.sessionGeneration};
        };
        addCatalogRoutes(m_api, std::move(downloads));
    }

    Result<Response> products(Request &request);
    Result<Response> product(Request &request);
    Result<Response> download(Request &request, std::string_view apiPath);
    Result<Response> asset(Request &request);

private:
    using Visitor = BrowserSession; // the signed-in user of the browser's session cookie
    // The signed-in user of the browser's session cookie, if any and still active.
    Result<std::optional<Visitor>> visitor(const Request &request);
    std::string layout(const Visitor &visitor, std::string_view title, std::string content) const;
    Result<std::string> toolSection(const Request &request, const Visitor &visitor,
                                    const std::string &product, const Tool &tool);
    Result<std::string> licenseSection(const Visitor &visitor, const std::string &product);

    // Whether the user holds `permission` in their own organization (the one authorization
    // check, for a browser session).
    Result<bool> may(const User &user, std::string_view permission) const
    {
        if (user.organizationId.empty()) {
            return false;
        }
        auto caller = m_guard.callerOf(user);
        if (!caller) {
            return fail(std::move(caller).error());
        }
        return caller->authorization.allows(permission, Scope::organization(user.organizationId));
    }

    AuthModule &m_auth;
    const Guard &m_guard;
    CatalogRoutesContext m_catalog;
    std::string m_sessionCookie;
    std::vector<web::Asset> m_assets;
    std::vector<std::pair<std::string, Representation>> m_representations; // by URL path
    std::string m_stylesheet;
    Router m_api;
};

Result<std::optional<PortalRoutes::Visitor>> PortalRoutes::visitor(const Request &request)
{
    return browserSession(request, m_auth, m_sessionCookie);
}

std::string PortalRoutes::layout(const Visitor &visitor, std::string_view title,
                                 std::string content) const
{
    const auto &user = visitor.user;
    return fillTemplate(
        layoutTemplate,
        {Slot::text("title", title), Slot::text("stylesheet", m_stylesheet),
         Slot::text("user", user.displayName.empty() ? user.login : user.displayName),
         Slot::text("csrf", m_auth.csrf().tokenFor(sessionCsrfPurpose, visitor.token)),
         Slot::markup("content", std::move(content))});
}

Result<Response> PortalRoutes::products(Request &request)
{
    auto current = visitor(request);
    if (!current) {
        return fail(std::move(current).error());
    }
    if (!*current) {
        return signInRedirect(request);
    }
    const auto &user = (*current)->user;
    std::vector<Product> products;
    auto allowed = may(user, permission::catalogRead);
    if (!allowed) {
        return fail(std::move(allowed).error());
    }
    if (*allowed) {
        auto list = m_catalog.catalog.productsFor(user.organizationId, m_catalog.now());
        if (!list) {
            return fail(std::move(list).error());
        }
        products = std::move(list->products);
    }
    std::string content = "<h1 class=\"h3 mb-4\">My products</h1>\n";
    if (products.empty()) {
        content += "<p class=\"text-body-secondary\">Your organization holds no license for a "
                   "product at the moment.</p>\n";
    } else {
        content += "<div class=\"row row-cols-1 row-cols-md-2 row-cols-lg-3 g-4\">\n";
        for (const auto &product : products) {
            content += fillTemplate(productCardTemplate, {Slot::text("slug", product.slug),
                                                          Slot::text("name", product.name),
                                                          Slot::text("summary", product.summary)});
        }
        content += "</div>\n";
    }
    return htmlPage(layout(**current, "My products", std::move(content)));
}

Result<std::string> PortalRoutes::toolSection(const Request &request, const Visitor &visitor,
                                              const std::string &product, const Tool &tool)
{
    const auto &organization = visitor.user.organizationId;
    const auto now = m_catalog.now();
    auto releases = m_catalog.catalog.releases(organization, product, tool.slug, std::nullopt, now);
    if (!releases) {
        return fail(std::move(releases).error());
    }
    const auto platform = likelyPlatform(request);
    std::string rows;
    for (const auto &release : *releases) {
        auto data =
            m_catalog.catalog.manifestData(organization, product, tool.slug, release.version, now);
        if (!data) {
            return fail(std::move(data).error());
        }
        auto artifacts = data->artifacts;
        if (platform) {
            std::stable_partition(artifacts.begin(), artifacts.end(), [&](const ArtifactRecord &a) {
                return a.artifact.platform == *platform;
            });
        }
        std::string downloads;
        for (const auto &record : artifacts) {
            const auto &artifact = record.artifact;
            const bool likely = platform && artifact.platform == *platform;
            downloads += fillTemplate(
                R"(<a class="{{class}}" href="/downloads/artifacts/{{id}}" title="{{file}}, SHA-256 {{sha256}}">{{label}} <span class="{{sizeClass}}">{{size}}</span></a>)",
                {Slot::text("class",
                            likely ? "btn btn-sm btn-outline-primary" : "btn btn-sm btn-link px-1"),
                 Slot::text("id", record.id), Slot::text("file", artifact.fileName),
                 Slot::text("sha256", artifact.sha256),
                 Slot::text("label", std::string{likely ? "Download for " : ""} +
                                         std::string{platformLabel(artifact.platform)} + " " +
                                         std::string{toString(artifact.arch)}),
                 Slot::text("sizeClass", likely ? "small" : "small text-body-secondary"),
                 Slot::text("size", sizeLabel(artifact.size))});
        }
        LinkRequest link;
        link.action = LinkAction::Install;
        link.product = product;
        link.tool = tool.slug;
        link.version = release.version.toString();
        const std::string installLink = toLink(link);
        // Only a link the app will accept (toLink expects valid identifiers).
        const std::string install =
            parseLink(installLink)
                ? fillTemplate(
                      R"(<a class="btn btn-sm btn-primary text-nowrap" href="{{link}}">Install with Toolhub</a>)",
                      {Slot::text("link", installLink)})
                : std::string{};
        const bool beta = release.channel == Channel::Beta;
        rows += fillTemplate(
            releaseRowTemplate,
            {Slot::text("version", release.version.toString()),
             Slot::markup(
                 "badge",
                 fillTemplate(R"(<span class="badge {{class}}">{{channel}}</span>)",
                              {Slot::text("class", beta ? "text-bg-warning" : "text-bg-success"),
                               Slot::text("channel", toString(release.channel))})),
             Slot::text("published", datePart(release.publishedAt.value_or(""))),
             Slot::markup("install", install), Slot::markup("downloads", std::move(downloads))});
    }
    std::string table;
    if (rows.empty()) {
        table = "<p class=\"text-body-secondary mb-0\">No release is offered to your organization "
                "at the moment.</p>";
    } else {
        table = "<div class=\"table-responsive\">\n<table class=\"table table-sm align-middle "
                "mb-0\">\n<thead><tr><th scope=\"col\">Version</th><th "
                "scope=\"col\">Published</th><th scope=\"col\">Install</th><th "
                "scope=\"col\">Downloads</th></tr></thead>\n<tbody>\n" +
                rows + "</tbody>\n</table>\n</div>";
    }
    return fillTemplate(toolTemplate,
                        {Slot::text("name", tool.name), Slot::text("summary", tool.summary),
                         Slot::markup("releases", std::move(table))});
}

std::string resourceItems(const std::vector<Resource> &resources)
{
    std::string items;
    for (const auto &resource : resources) {
        std::string link;
        std::string detail;
        if (resource.url) {
            if (isValidExternalUrl(*resource.url)) {
                link = fillTemplate(
                    R"(<a href="{{url}}" rel="noopener noreferrer" target="_blank">{{title}}</a>)",
                    {Slot::text("url", *resource.url), Slot::text("title", resource.title)});
            } else {
                link = escapeHtml(resource.title);
            }
            detail = "external link";
        } else {
            link =
                fillTemplate(R"(<a href="/downloads/resources/{{id}}">{{title}}</a>)",
                             {Slot::text("id", resource.id), Slot::text("title", resource.title)});
            detail = sizeLabel(resource.size.value_or(0));
        }
        const std::string release =
            resource.release
                ? fillTemplate(
                      R"( <span class="text-body-secondary small">for version {{version}}</span>)",
                      {Slot::text("version", resource.release->toString())})
                : std::string{};
        items += fillTemplate(
            resourceTemplate,
            {Slot::markup("link", std::move(link)), Slot::text("locale", resource.locale),
             Slot::markup("release", release),
             Slot::text("kind", resource.kind == ResourceKind::Document ? "Document" : "Tutorial"),
             Slot::text("detail", detail)});
    }
    return items;
}

Result<std::string> PortalRoutes::licenseSection(const Visitor &visitor, const std::string &product)
{
    const auto &organizationId = visitor.user.organizationId;
    auto organization = m_auth.identity().findOrganization(organizationId);
    if (!organization) {
        return fail(std::move(organization).error());
    }
    auto licenses = m_catalog.catalog.licenses(organizationId, organization->slug);
    if (!licenses) {
        return fail(std::move(licenses).error());
    }
    const std::string now =
        formatTimestamp(std::chrono::sys_seconds{std::chrono::seconds{m_catalog.now()}});
    std::string rows;
    for (const auto &license : *licenses) {
        if (license.product != product) {
            continue;
        }
        // Both RFC 3339 UTC timestamps of the same shape: they compare as text.
        const bool expired = license.expiresAt && *license.expiresAt <= now;
        rows += fillTemplate(
            licenseRowTemplate,
            {Slot::text("serial", license.serial),
             Slot::markup("state",
                          expired ? " <span class=\"badge text-bg-secondary\">expired</span>" : ""),
             Slot::text("seats", std::to_string(license.seats)),
             Slot::text("expires",
                        license.expiresAt ? datePart(*license.expiresAt) : "does not expire"),
             Slot::text("maintenance", license.maintenanceEnd.value_or("no end"))});
    }
    if (rows.empty()) {
        return std::string{"<p class=\"text-body-secondary\">No serial number.</p>\n"};
    }
    return "<div class=\"table-responsive\">\n<table class=\"table table-sm align-middle "
           "bg-body\">\n<thead><tr><th scope=\"col\">Serial number</th><th "
           "scope=\"col\">Seats</th><th scope=\"col\">Expires</th><th scope=\"col\">Maintenance "
           "until</th></tr></thead>\n<tbody>\n" +
           rows + "</tbody>\n</table>\n</div>\n";
}

Result<Response> PortalRoutes::product(Request &request)
{
    auto current = visitor(request);
    if (!current) {
        return fail(std::move(current).error());
    }
    if (!*current) {
        return signInRedirect(request);
    }
    const auto &visitor = **current;
    auto allowed = may(visitor.user, permission::catalogRead);
    if (!allowed) {
        return fail(std::move(allowed).error());
    }
    if (!*allowed) {
        return fail(ErrorCode::NotFound, std::string{notFound});
    }
    const std::string slug = request.pathParams.at("product");
    auto detail = m_catalog.catalog.product(visitor.user.organizationId, slug, m_catalog.now());
    if (!detail) {
        return fail(std::move(detail).error());
    }
    const auto &product = detail->product;
    std::string content = fillTemplate(
        R"(<nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/">My products</a></li><li class="breadcrumb-item active" aria-current="page">{{name}}</li></ol></nav>
<h1 class="h3">{{name}}</h1>
<p class="lead">{{summary}}</p>
<div class="mb-4">{{description}}</div>
<h2 class="h4 mb-3">Tools</h2>
)",
        {Slot::text("name", product.name), Slot::text("summary", product.summary),
         Slot::markup("description", markdownToHtml(product.description))});
    for (const auto &tool : detail->tools) {
        auto section = toolSection(request, visitor, product.slug, tool);
        if (!section) {
            return fail(std::move(section).error());
        }
        content += *section;
    }
    if (detail->tools.empty()) {
        content += "<p class=\"text-body-secondary\">This product has no tools to install.</p>\n";
    }
    content += "<h2 class=\"h4 mb-3\">Documents and tutorials</h2>\n";
    const std::string resources =
        resourceItems(detail->documents) + resourceItems(detail->tutorials);
    content += resources.empty()
                   ? "<p class=\"text-body-secondary\">No documents or tutorials.</p>\n"
                   : "<ul class=\"list-group mb-4\">\n" + resources + "</ul>\n";
    content += "<h2 class=\"h4 mb-3\">Serial numbers</h2>\n";
    auto licensesAllowed = may(visitor.user, permission::licensesRead);
    if (!licensesAllowed) {
        return fail(std::move(licensesAllowed).error());
    }
    if (*licensesAllowed) {
        auto licenses = licenseSection(visitor, product.slug);
        if (!licenses) {
            return fail(std::move(licenses).error());
        }
        content += *licenses;
    }
    return htmlPage(layout(visitor, product.name, std::move(content)));
}

Result<Response> PortalRoutes::download(Request &request, std::string_view apiPath)
{
    Request api = request;
    api.path = std::string{apiPath};
    api.target = api.path;
    api.query.clear();
    api.pathParams.clear();
    auto response = m_api.dispatch(api);
    if (!response) {
        if (response.error().code == ErrorCode::Unauthenticated) {
            return signInRedirect(request);
        }
        return response;
    }
    if (response->status == 401) { // the API's answer without a signed-in session
        return signInRedirect(request);
    }
    securityHeaders(*response);
    return response;
}

Result<Response> PortalRoutes::asset(Request &request)
{
    const auto it = std::find_if(m_representations.begin(), m_representations.end(),
                                 [&](const auto &entry) { return entry.first == request.path; });
    if (it == m_representations.end()) {
        return fail(ErrorCode::NotFound, std::string{notFound});
    }
    const auto &asset = m_assets[static_cast<std::size_t>(it - m_representations.begin())];
    auto response = respond(request, it->second);
    response.headers.set("Content-Type", asset.contentType);
    // The name changes with the content: a name is never reused for other bytes.
    response.headers.set("Cache-Control", "public, max-age=31536000, immutable");
    securityHeaders(response);
    return response;
}

} // namespace

Slot Slot::text(std::string_view name, std::string_view text)
{
    return Slot{std::string{name}, escapeHtml(text)};
}

Slot Slot::markup(std::string_view name, std::string html)
{
    return Slot{std::string{name}, std::move(html)};
}

std::string fillTemplate(std::string_view pattern, std::initializer_list<Slot> slots)
{
    std::string out;
    out.reserve(pattern.size());
    while (true) {
        const auto open = pattern.find("{{");
        const auto close = open == std::string_view::npos ? open : pattern.find("}}", open + 2);
        if (close == std::string_view::npos) {
            out += pattern;
            return out;
        }
        out += pattern.substr(0, open);
        const auto name = pattern.substr(open + 2, close - open - 2);
        const auto slot = std::find_if(slots.begin(), slots.end(),
                                       [name](const Slot &s) { return s.name == name; });
        out += slot != slots.end() ? std::string_view{slot->html}
                                   : pattern.substr(open, close + 2 - open);
        pattern.remove_prefix(close + 2);
    }
}

std::string markdownToHtml(std::string_view markdown)
{
    std::string out;
    std::string paragraph;
    std::string_view list; // "ul", "ol" or none
    const auto closeParagraph = [&] {
        if (!paragraph.empty()) {
            out += "<p>" + inlineMarkdown(paragraph) + "</p>\n";
            paragraph.clear();
        }
    };
    const auto closeList = [&] {
        if (!list.empty()) {
            out += "</" + std::string{list} + ">\n";
            list = {};
        }
    };
    const auto item = [&](std::string_view kind, std::string_view text) {
        closeParagraph();
        if (list != kind) {
            closeList();
            list = kind;
            out += "<" + std::string{list} + ">\n";
        }
        out += "<li>" + inlineMarkdown(text) + "</li>\n";
    };
    while (!markdown.empty()) {
        const auto end = markdown.find('\n');
        auto line = markdown.substr(0, end);
        markdown.remove_prefix(end == std::string_view::npos ? markdown.size() : end + 1);
        while (!line.empty() &&
               (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        const auto hashes = line.find_first_not_of('#');
        const auto digits = line.find_first_not_of("0123456789");
        if (line.empty()) {
            closeParagraph();
            closeList();
        } else if (hashes >= 1 && hashes <= 6 && hashes != std::string_view::npos &&
                   line[hashes] == ' ') {
            closeParagraph();
            closeList();
            const auto level = std::to_string(std::min<std::size_t>(hashes + 2, 6));
            out += "<h" + level + ">" + inlineMarkdown(line.substr(hashes + 1)) + "</h" + level +
                   ">\n";
        } else if (line.starts_with("- ") || line.starts_with("* ")) {
            item("ul", line.substr(2));
        } else if (digits >= 1 && digits != std::string_view::npos &&
                   line.substr(digits).starts_with(". ")) {
            item("ol", line.substr(digits + 2));
        } else {
            closeList();
            if (!paragraph.empty()) {
                paragraph += ' ';
            }
            paragraph += line;
        }
    }
    closeParagraph();
    closeList();
    return out;
}

std::optional<Platform> likelyPlatform(const Request &request)
{
    if (const auto hint = request.headers.get("Sec-CH-UA-Platform")) {
        if (*hint == "\"Windows\"") {
            return Platform::Windows;
        }
        if (*hint == "\"macOS\"") {
            return Platform::Macos;
        }
        if (*hint == "\"Linux\"") {
            return Platform::Linux;
        }
        return std::nullopt;
    }
    const auto agent = request.headers.get("User-Agent").value_or("");
    const auto has = [agent](std::string_view word) {
        return agent.find(word) != std::string_view::npos;
    };
    if (has("Android") || has("iPhone") || has("iPad")) {
        return std::nullopt;
    }
    if (has("Windows")) {
        return Platform::Windows;
    }
    if (has("Macintosh") || has("Mac OS X")) {
        return Platform::Macos;
    }
    if (has("Linux") || has("X11")) {
        return Platform::Linux;
    }
    return std::nullopt;
}

void addPortalRoutes(Router &router, AuthModule &auth, const Guard &guard,
                     CatalogRoutesContext catalog, PortalRouteOptions options)
{
    auto routes = std::make_shared<PortalRoutes>(auth, guard, std::move(catalog), options);
    router.add("GET", "/", [routes](Request &r) { return routes->products(r); });
    router.add("GET", "/products/{product}", [routes](Request &r) { return routes->product(r); });
    router.add("GET", "/downloads/artifacts/{artifact}", [routes](Request &r) {
        return routes->download(r,
                                "/api/v1/artifacts/" + r.pathParams.at("artifact") + "/download");
    });
    router.add("GET", "/downloads/resources/{resource}", [routes](Request &r) {
        return routes->download(r,
                                "/api/v1/resources/" + r.pathParams.at("resource") + "/download");
    });
    router.add("GET", "/assets/{file}", [routes](Request &r) { return routes->asset(r); });
}

} // namespace toolhub::server::http
