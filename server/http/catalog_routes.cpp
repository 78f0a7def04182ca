#include "http/catalog_routes.h"

#include "http/authorization.h"
#include "http/file_response.h"
#include "http/problem.h"
#include "http/representation.h"
#include "toolhub/ascii.h"
#include "toolhub/crypto.h"
#include "toolhub/manifest.h"
#include "toolhub/semver.h"
#include "toolhub/utf8.h"

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

// Whether the body is declared as JSON: application/json, with or without parameters.
bool hasJsonBody(const Request &request)
{
    const auto type = request.headers.get("Content-Type");
    if (!type) {
        return false;
    }
    auto mediaType = type->substr(0, type->find(';'));
    while (!mediaType.empty() && (mediaType.back() == ' ' || mediaType.back() == '\t')) {
        mediaType.remove_suffix(1);
    }
    constexpr std::string_view json = "application/json";
    return mediaType.size() == json.size() &&
           std::equal(mediaType.begin(), mediaType.end(), json.begin(),
                      [](char a, char b) { return ascii::toLower(a) == b; });
}

// A POST /api/v1/installations body, validated.
struct InstallationReport {
    std::string product;
    std::string tool;
    SemVer version;
    Platform platform = Platform::Linux;
    Arch arch = Arch::X86_64;
    InstallAction action = InstallAction::Install;
    std::string machineId;
    std::optional<std::string> machineName;
};

Error invalidMember(std::string_view member, std::string_view message)
{
    return Error{ErrorCode::InvalidArgument, std::string{member} + ": " + std::string{message}};
}

// The string member `member` of the object `body`; none (no error) when it is optional and
// absent or null.
Result<std::optional<std::string>> stringMember(const nlohmann::json &body, std::string_view member,
                                                bool required)
{
    const auto it = body.find(member);
    if (it == body.end() || (!required && it->is_null())) {
        if (required) {
            return fail(invalidMember(member, "required"));
        }
        return std::optional<std::string>{};
    }
    if (!it->is_string()) {
        return fail(invalidMember(member, "expected a string"));
    }
    return std::optional<std::string>{it->get<std::string>()};
}

Result<InstallationReport> installationReportFromJson(std::string_view text)
{
    if (!jsonNestingWithin(text, maxJsonDepth)) {
        return fail(ErrorCode::InvalidArgument, "the body nests deeper than 32 levels");
    }
    const auto body = nlohmann::json::parse(text, nullptr, false);
    if (body.is_discarded()) {
        return fail(ErrorCode::InvalidArgument, "the body is not valid JSON");
    }
    if (!body.is_object()) {
        return fail(ErrorCode::InvalidArgument, "the body must be a JSON object");
    }
    InstallationReport report;
    const auto required = [&](std::string_view member) -> Result<std::string> {
        auto value = stringMember(body, member, true);
        if (!value) {
            return fail(std::move(value).error());
        }
        return std::move(**value);
    };
    for (const auto &[member, out] :
         {std::pair{"product", &report.product}, std::pair{"tool", &report.tool}}) {
        auto value = required(member);
        if (!value) {
            return fail(std::move(value).error());
        }
        if (!isValidIdentifier(*value)) {
            return fail(invalidMember(member, "expected [a-z0-9][a-z0-9._-]{0,63}"));
        }
        *out = std::move(value).value();
    }
    auto version = required("version");
    if (!version) {
        return fail(std::move(version).error());
    }
    auto semver = parseSemVer(*version);
    if (!semver) {
        return fail(invalidMember("version", semver.error().message));
    }
    report.version = std::move(semver).value();
    auto platform = required("platform");
    if (!platform) {
        return fail(std::move(platform).error());
    }
    auto parsedPlatform = parsePlatform(*platform);
    if (!parsedPlatform) {
        return fail(invalidMember("platform", parsedPlatform.error().message));
    }
    report.platform = *parsedPlatform;
    auto arch = required("arch");
    if (!arch) {
        return fail(std::move(arch).error());
    }
    auto parsedArch = parseArch(*arch);
    if (!parsedArch) {
        return fail(invalidMember("arch", parsedArch.error().message));
    }
    report.arch = *parsedArch;
    auto action = required("action");
    if (!action) {
        return fail(std::move(action).error());
    }
    auto parsedAction = parseInstallAction(*action);
    if (!parsedAction) {
        return fail(invalidMember("action", parsedAction.error().message));
    }
    report.action = *parsedAction;
    auto machineId = required("machine_id");
    if (!machineId) {
        return fail(std::move(machineId).error());
    }
    if (!isValidMachineId(*machineId)) {
        return fail(invalidMember("machine_id", "expected 8 to 64 letters, digits or '-'"));
    }
    report.machineId = std::move(machineId).value();
    auto machineName = stringMember(body, "machine_name", false);
    if (!machineName) {
        return fail(std::move(machineName).error());
    }
    // An empty name is no name, as optional members are on output.
    if (*machineName && !(*machineName)->empty()) {
        if (!isValidMachineName(**machineName)) {
            return fail(
                invalidMember("machine_name", "expected at most " + std::to_string(kMaxNameLength) +
                                                  " bytes of UTF-8 without control characters"));
        }
        report.machineName = std::move(*machineName);
    }
    return report;
}

nlohmann::json installationJson(const Installation &installation)
{
    nlohmann::json out{
        {"machine_id", installation.machineId},
        {"product", installation.product},
        {"tool", installation.tool},
        {"version", installation.version},
        {"platform", toString(installation.platform)},
        {"arch", toString(installation.arch)},
        {"updated_at",
         formatTimestamp(std::chrono::sys_seconds{std::chrono::seconds{installation.updatedAt}})},
    };
    if (installation.machineName) {
        out["machine_name"] = *installation.machineName;
    }
    return out;
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
    // Wraps a handler so that it runs only for a caller holding `permission` in their own
    // organization (the one authorization check, through the context).
    const auto authed = [shared](std::string_view permission, auto handler) -> Handler {
        return [shared, permission, handler](Request &request) -> Result<Response> {
            auto principal = shared->authorize(request, permission);
            if (!principal) {
                return deniedResponse(principal.error(), request);
            }
            return handler(request, *principal, *shared);
        };
    };

    // The product list is what every client asks first and most often: its representation is
    // kept per organization and page while the data revision and the licenses' validity hold.
    auto productLists = std::make_shared<RepresentationCache>(productListCacheSize);
    router.add(
        "GET", "/api/v1/products",
        authed(permission::catalogRead,
               [productLists](Request &request, const Principal &caller,
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
               authed(permission::catalogRead,
                      [](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                          auto detail =
                              c.catalog.product(caller.organizationId,
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
               authed(permission::catalogRead,
                      [](Request &request, const Principal &caller,
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
               authed(permission::catalogRead,
                      [](Request &request, const Principal &caller,
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
                          auto newer = c.catalog.newerThan(
                              caller.organizationId, std::string{param(request, "product")},
                              std::string{param(request, "tool")}, *current,
                              channel->value_or(Channel::Stable), c.now());
                          if (!newer) {
                              return fail(std::move(newer).error());
                          }
                          return jsonWithETag(request, {{"items", asJson(*newer)}});
                      }));

    router.add("GET", "/api/v1/licenses",
               authed(permission::licensesRead,
                      [](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                          auto organization = c.identity.findOrganization(caller.organizationId);
                          if (!organization) {
                              return fail(std::move(organization).error());
                          }
                          auto licenses =
                              c.catalog.licenses(caller.organizationId, organization->slug);
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
               authed(permission::catalogRead,
                      [](Request &request, const Principal &caller,
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

    // The key manifests are signed with, for the app to pin at its first sign-in (or for IT to
    // preset). Public: it is the key's purpose to be known; trusting it is the pin's job.
    router.add("GET", "/api/v1/signing-key", [shared](Request &request) -> Result<Response> {
        const nlohmann::json body{{"algorithm", "Ed25519"},
                                  {"key_id", shared->signingKey.keyId()},
                                  {"public_key", shared->signingKey.publicKeyBase64()}};
        auto response = jsonWithETag(request, body);
        response.headers.set("Cache-Control", "public, max-age=300");
        return response;
    });

    router.add("GET", "/api/v1/artifacts/{artifact}/download",
               authed(permission::catalogRead,
                      [](Request &request, const Principal &caller,
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
                              event.range =
                                  range && response->status == 206 ? std::string{*range} : "";
                              event.clientIp = request.context.clientAddress;
                              event.at = now;
                              auto recorded = c.downloads.recordDownload(event);
                              if (!recorded) {
                                  return fail(std::move(recorded).error());
                              }
                          }
                          return response;
                      }));

    router.add(
        "GET", "/api/v1/resources/{resource}/download",
        authed(permission::catalogRead,
               [](Request &request, const Principal &caller,
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

    // 201 with the stored row for install, update, rollback and repair; 204 for remove.
    router.add("POST", "/api/v1/installations",
               authed(permission::installationsReport,
                      [](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                          if (caller.userId.empty()) {
                              return fail(ErrorCode::NotFound, "There is nothing at this address.");
                          }
                          if (!hasJsonBody(request)) {
                              return problemResponse(415, "unsupported_media_type",
                                                     "The body must be application/json.", request);
                          }
                          auto report = installationReportFromJson(request.body);
                          if (!report) {
                              return fail(std::move(report).error());
                          }
                          const auto now = c.now();
                          std::string version;
                          if (report->action == InstallAction::Remove) {
                              // The tool must still be one the organization sees; the release need
                              // not be offered any more (it may have been yanked since it was
                              // installed).
                              auto releases =
                                  c.catalog.releases(caller.organizationId, report->product,
                                                     report->tool, std::nullopt, now);
                              if (!releases) {
                                  return fail(std::move(releases).error());
                              }
                              version = report->version.toString();
                          } else {
                              // The same check as the manifest route: only a release offered to the
                              // organization right now.
                              auto data =
                                  c.catalog.manifestData(caller.organizationId, report->product,
                                                         report->tool, report->version, now);
                              if (!data) {
                                  return fail(std::move(data).error());
                              }
                              version = data->release.version.toString();
                          }
                          InstallationEvent event;
                          event.userId = caller.userId;
                          event.organizationId = caller.organizationId;
                          event.machineId = report->machineId;
                          event.machineName = report->machineName;
                          event.product = report->product;
                          event.tool = report->tool;
                          event.version = std::move(version);
                          event.platform = report->platform;
                          event.arch = report->arch;
                          event.action = report->action;
                          event.clientIp = request.context.clientAddress;
                          event.at = now;
                          auto stored = c.installations.recordInstallationEvent(event);
                          if (!stored) {
                              return fail(std::move(stored).error());
                          }
                          Response response;
                          if (*stored) {
                              response = Response::json(201, installationJson(**stored));
                          } else {
                              response.status = 204;
                          }
                          response.headers.set("Cache-Control", "no-store");
                          return response;
                      }));

    router.add("GET", "/api/v1/installations",
               authed(permission::installationsReport,
                      [](Request &request, const Principal &caller,
                         CatalogRoutesContext &c) -> Result<Response> {
                          if (caller.userId.empty()) {
                              return fail(ErrorCode::NotFound, "There is nothing at this address.");
                          }
                          auto installations = c.installations.installationsOf(caller.userId);
                          if (!installations) {
                              return fail(std::move(installations).error());
                          }
                          std::vector<nlohmann::json> items;
                          items.reserve(installations->size());
                          for (const auto &installation : *installations) {
                              items.push_back(installationJson(installation));
                          }
                          auto body = page(request, items);
                          if (!body) {
                              return fail(std::move(body).error());
                          }
                          return jsonWithETag(request, *body);
                      }));
}

} // namespace toolhub::server::http
