#include "http/catalog_routes.h"

#include "http/file_response.h"
#include "http/representation.h"
#include "toolhub/crypto.h"
#include "toolhub/semver.h"

#include <charconv>

namespace toolhub::server::http {

namespace {

constexpr std::size_t defaultPageSize = 50;
constexpr std::size_t maxPageSize = 200;
// Product-list representations kept (organizations x pages asked for).
constexpr std::size_t productListCacheSize = 1024;

template <class T>
std::vector<nlohmann::json> asJson(const std::vector<T> &values)
{
    std::vector<nlohmann::json> out;
    out.reserve(values.size());
    for (const auto &value : values) {
        out.push_back(toJson(value));
    }
    return out;
}

Result<std::optional<Channel>> channelParameter(const Request &request)
{
    const auto text = request.queryValue("channel");
    if (!text) {
        return std::optional<Channel>{};
    }
    auto channel = parseChannel(*text);
    if (!channel) {
        return fail(ErrorCode::InvalidArgument, R"(channel must be "stable" or "beta")");
    }
    return std::optional<Channel>{*channel};
}

std::string_view param(const Request &request, const char *name)
{
    return request.pathParams.at(name);
}

} // namespace

Response jsonWithETag(const Request &request, const nlohmann::json &body)
{
    return respond(request, represent(body));
}

Result<nlohmann::json> page(const Request &request, const std::vector<nlohmann::json> &items)
{
    std::size_t limit = defaultPageSize;
    if (const auto text = request.queryValue("limit")) {
        const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
        if (ec != std::errc{} || ptr != text->data() + text->size() || limit == 0 ||
            limit > maxPageSize) {
            return fail(ErrorCode::InvalidArgument,
                        "limit must be a number from 1 to " + std::to_string(maxPageSize));
        }
    }
    std::size_t offset = 0;
    if (const auto cursor = request.queryValue("cursor")) {
        const auto decoded = fromBase64(*cursor, Base64Variant::UrlSafeNoPadding);
        std::string text;
        if (decoded) {
            for (const auto byte : *decoded) {
                text += static_cast<char>(byte);
            }
        }
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
        if (!decoded || text.empty() || ec != std::errc{} || ptr != text.data() + text.size() ||
            offset > items.size()) {
            return fail(ErrorCode::InvalidArgument, "cursor is not one this server gave out");
        }
    }
    const auto end = std::min(items.size(), offset + limit);
    nlohmann::json result{{"items", nlohmann::json::array()}};
    for (auto i = offset; i < end; ++i) {
        result["items"].push_back(items[i]);
    }
    if (end < items.size()) {
        const std::string next = std::to_string(end);
        result["next_cursor"] = toBase64(asBytes(next), Base64Variant::UrlSafeNoPadding);
    }
    return result;
}

void addCatalogRoutes(Router &router, CatalogRoutesContext context)
{
    auto shared = std::make_shared<CatalogRoutesContext>(std::move(context));
    // Wraps a handler so that it runs only for an authenticated caller.
    const auto authed = [shared](auto handler) -> Handler {
        return [shared, handler](Request &request) -> Result<Response> {
            auto principal = shared->authenticate(request);
            if (!principal) {
                return fail(std::move(principal).error());
            }
            if (principal->organizationId.empty()) {
                return fail(ErrorCode::NotFound, "There is nothing at this address.");
            }
            return handler(request, *principal, *shared);
        };
    };

    // The product list is what every client asks first and most often: its representation is
    // kept per organization and page while the data revision and the licenses' validity hold.
    auto productLists = std::make_shared<RepresentationCache>(productListCacheSize);
    router.add("GET", "/api/v1/products",
               authed([productLists](Request &request, const Principal &caller,
                                     CatalogRoutesContext &c) -> Result<Response> {
                   // The revision is read before the data: should a write land in between, the
                   // answer is stored under the older revision and is simply never found again.
                   auto revision = c.catalog.revision();
                   if (!revision) {
                       return fail(std::move(revision).error());
                   }
                   const std::int64_t now = c.now();
                   std::string key = caller.organizationId;
                   for (const char *name : {"limit", "cursor"}) {
                       key += '\n';
                       key += request.queryValue(name).value_or("");
                   }
                   if (const auto cached = productLists->find(key, *revision, now)) {
                       return respond(request, cached->representation);
                   }
                   auto list = c.catalog.productsFor(caller.organizationId, now);
                   if (!list) {
                       return fail(std::move(list).error());
                   }
                   auto body = page(request, asJson(list->products));
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   RepresentationCache::Entry entry{represent(*body), *revision, list->validUntil};
                   auto response = respond(request, entry.representation);
                   productLists->store(key, std::move(entry));
                   return response;
               }));

    router.add("GET", "/api/v1/products/{product}",
               authed([](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                   auto detail = c.catalog.product(caller.organizationId,
                                                   std::string{param(request, "product")}, c.now());
                   if (!detail) {
                       return fail(std::move(detail).error());
                   }
                   auto body = toJson(detail->product);
                   body["tools"] = asJson(detail->tools);
                   body["documents"] = asJson(detail->documents);
                   body["tutorials"] = asJson(detail->tutorials);
                   return jsonWithETag(request, body);
               }));

    router.add("GET", "/api/v1/products/{product}/tools/{tool}/releases",
               authed([](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                   auto channel = channelParameter(request);
                   if (!channel) {
                       return fail(std::move(channel).error());
                   }
                   auto releases = c.catalog.releases(
                       caller.organizationId, std::string{param(request, "product")},
                       std::string{param(request, "tool")}, *channel, c.now());
                   if (!releases) {
                       return fail(std::move(releases).error());
                   }
                   auto body = page(request, asJson(*releases));
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   return jsonWithETag(request, *body);
               }));

    router.add("GET", "/api/v1/products/{product}/tools/{tool}/updates",
               authed([](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                   const auto currentText = request.queryValue("current");
                   if (!currentText) {
                       return fail(ErrorCode::InvalidArgument,
                                   "current (the installed version) is required");
                   }
                   auto current = parseSemVer(*currentText);
                   if (!current) {
                       return fail(ErrorCode::InvalidArgument,
                                   "current: " + current.error().message);
                   }
                   auto channel = channelParameter(request);
                   if (!channel) {
                       return fail(std::move(channel).error());
                   }
                   auto newer = c.catalog.newerThan(caller.organizationId,
                                                    std::string{param(request, "product")},
                                                    std::string{param(request, "tool")}, *current,
                                                    channel->value_or(Channel::Stable), c.now());
                   if (!newer) {
                       return fail(std::move(newer).error());
                   }
                   return jsonWithETag(request, {{"items", asJson(*newer)}});
               }));

    router.add("GET", "/api/v1/licenses",
               authed([](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                   auto organization = c.identity.findOrganization(caller.organizationId);
                   if (!organization) {
                       return fail(std::move(organization).error());
                   }
                   auto licenses = c.catalog.licenses(caller.organizationId, organization->slug);
                   if (!licenses) {
                       return fail(std::move(licenses).error());
                   }
                   auto body = page(request, asJson(*licenses));
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   return jsonWithETag(request, *body);
               }));

    router.add("GET", "/api/v1/tools/{tool}/releases/{version}/manifest",
               authed([](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                   const auto now = c.now();
                   auto tool = c.catalog.findTool(caller.organizationId,
                                                  std::string{param(request, "tool")}, now);
                   if (!tool) {
                       return fail(std::move(tool).error());
                   }
                   auto version = parseSemVer(param(request, "version"));
                   if (!version) {
                       return fail(ErrorCode::NotFound, "There is nothing at this address.");
                   }
                   auto data = c.catalog.manifestData(caller.organizationId, tool->product,
                                                      tool->slug, *version, now);
                   if (!data) {
                       return fail(std::move(data).error());
                   }
                   ReleaseManifest manifest;
                   // The content revision stored with the release when its manifest content
                   // changed: every replica signs the same version for the same content.
                   manifest.manifestVersion = data->manifestVersion;
                   manifest.product = data->product;
                   manifest.tool = tool->slug;
                   manifest.version = *version;
                   manifest.channel = data->release.channel;
                   manifest.issuedAt = std::chrono::sys_seconds{std::chrono::seconds{now}};
                   manifest.expiresAt = manifest.issuedAt + c.manifestLifetime;
                   for (const auto &artifact : data->artifacts) {
                       manifest.artifacts.push_back(artifact.artifact);
                   }
                   auto signedManifest = c.signingKey.sign(manifest);
                   if (!signedManifest) {
                       return fail(signedManifest.error().toError());
                   }
                   auto response = Response::json(200, toJson(*signedManifest));
                   response.headers.set("Cache-Control", "private, no-store");
                   return response;
               }));

    router.add("GET", "/api/v1/artifacts/{artifact}/download",
               authed([](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                   const auto now = c.now();
                   auto artifact = c.catalog.artifactForDownload(
                       caller.organizationId, std::string{param(request, "artifact")}, now);
                   if (!artifact) {
                       return fail(std::move(artifact).error());
                   }
                   FileToServe file;
                   file.path = c.artifactDir / artifact->storageKey;
                   file.downloadName = artifact->artifact.fileName;
                   file.etag = sha256ETag(artifact->artifact.sha256);
                   auto response = serveFile(request, file);
                   if (!response) {
                       return response;
                   }
                   if (request.method == "GET" &&
                       (response->status == 200 || response->status == 206)) {
                       const auto range = request.headers.get("Range");
                       DownloadEvent event;
                       event.artifactId = artifact->id;
                       event.userId = caller.userId;
                       event.organizationId = caller.organizationId;
                       event.bytesRequested = response->bodySize();
                       event.bytesServed = response->bodySize();
                       event.range = range && response->status == 206 ? std::string{*range} : "";
                       event.clientIp = request.context.clientAddress;
                       event.at = now;
                       auto recorded = c.downloads.recordDownload(event);
                       if (!recorded) {
                           return fail(std::move(recorded).error());
                       }
                   }
                   return response;
               }));

    router.add("GET", "/api/v1/resources/{resource}/download",
               authed([](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                   auto resource = c.catalog.resourceFor(
                       caller.organizationId, std::string{param(request, "resource")}, c.now());
                   if (!resource) {
                       return fail(std::move(resource).error());
                   }
                   if (!resource->storageKey) {
                       // A link to elsewhere: send the browser there.
                       Response response;
                       response.status = 303;
                       response.headers.set("Location", resource->resource.url.value_or("/"));
                       return response;
                   }
                   FileToServe file;
                   file.path = c.artifactDir / *resource->storageKey;
                   file.downloadName = resource->resource.fileName.value_or("download");
                   return serveFile(request, file);
               }));
}

} // namespace toolhub::server::http
