#include "core/demo/demo.h"

#include "toolhub/api_types.h"
#include "toolhub/crypto.h"
#include "toolhub/manifest.h"
#include "toolhub/semver.h"
#include "toolhub/sha256.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#ifndef TOOLHUB_DEMO_DIR
#define TOOLHUB_DEMO_DIR ""
#endif

namespace toolhub::server {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- the catalog as read from catalog.json ----

struct DemoFile {
    std::string storageKey; // relative to demoDir and to the artifact store
    std::string fileName;
    std::uint64_t size = 0; // filled in by the copy
    std::string sha256;     // likewise
};

struct DemoRelease {
    std::string version;
    Channel channel = Channel::Stable;
    ReleaseStatus status = ReleaseStatus::Draft;
    std::optional<std::int64_t> publishedAt;
    std::string notes;
    struct Target {
        Platform platform = Platform::Linux;
        Arch arch = Arch::X86_64;
        DemoFile file;
    };
    std::vector<Target> artifacts;
};

struct DemoTool {
    std::string slug;
    std::string name;
    std::string summary;
    std::vector<DemoRelease> releases;
};

struct DemoResource {
    ResourceKind kind = ResourceKind::Document;
    std::string title;
    std::string locale;
    std::optional<std::pair<std::string, std::string>> release; // tool slug, version
    std::optional<std::string> url;
    std::optional<DemoFile> file;
};

struct DemoProduct {
    std::string slug;
    std::string name;
    std::string summary;
    std::string description;
    std::vector<DemoTool> tools;
    std::vector<DemoResource> resources;
};

struct DemoOrganization {
    std::string slug;
    std::string name;
};

struct DemoLicense {
    std::string serial;
    std::string product;
    std::string organization;
    std::uint32_t seats = 1;
    std::optional<std::int64_t> expiresAt;
    std::optional<std::int64_t> maintenanceEnd;
    std::string orderRef;
};

struct DemoCatalog {
    std::vector<DemoOrganization> organizations;
    std::vector<DemoUser> users;
    std::vector<DemoProduct> products;
    std::vector<DemoLicense> licenses;
};

Failure<Error> invalid(const std::string &path, const std::string &what)
{
    return fail(ErrorCode::InvalidArgument, "demo catalog: " + path + ": " + what);
}

// Member `key` of `object` as a string; nullopt when absent and not required.
Result<std::optional<std::string>> optionalString(const json &object, const char *key,
                                                  const std::string &path)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return std::optional<std::string>{};
    }
    if (!it->is_string()) {
        return invalid(path + "." + key, "expected a string");
    }
    return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string> requiredString(const json &object, const char *key, const std::string &path)
{
    auto value = optionalString(object, key, path);
    if (!value) {
        return fail(value.error());
    }
    if (!value->has_value() || (*value)->empty()) {
        return invalid(path + "." + key, "required");
    }
    return std::move(**value);
}

// Member `key` as an array (empty when absent).
Result<json> arrayMember(const json &object, const char *key, const std::string &path)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return json::array();
    }
    if (!it->is_array()) {
        return invalid(path + "." + key, "expected an array");
    }
    return *it;
}

std::string at(const std::string &path, const char *key, std::size_t index)
{
    return path + "." + key + "[" + std::to_string(index) + "]";
}

Result<std::int64_t> timestamp(const std::string &text, const std::string &path)
{
    auto parsed = parseTimestamp(text);
    if (!parsed) {
        return invalid(path, "expected an RFC 3339 UTC timestamp: " + parsed.error().message);
    }
    return static_cast<std::int64_t>(parsed->time_since_epoch().count());
}

// The archive name the build gives an artifact (make-demo-archives.cmake: keep in step).
std::string archiveName(const std::string &tool, const std::string &version, Platform platform,
                        Arch arch)
{
    return tool + "-" + version + "-" + std::string(toString(platform)) + "-" +
           std::string(toString(arch)) + (platform == Platform::Windows ? ".zip" : ".tar.gz");
}

Result<DemoRelease> parseRelease(const json &object, const std::string &path,
                                 const std::string &product, const std::string &tool,
                                 const std::vector<std::pair<Platform, Arch>> &platforms)
{
    if (!object.is_object()) {
        return invalid(path, "expected an object");
    }
    DemoRelease release;
    auto version = requiredString(object, "version", path);
    if (!version) {
        return fail(version.error());
    }
    if (auto semver = parseSemVer(*version); !semver || !semver->build.empty()) {
        return invalid(path + ".version", "expected a semantic version without build metadata");
    }
    release.version = std::move(*version);
    auto channel = optionalString(object, "channel", path);
    auto status = optionalString(object, "status", path);
    auto publishedAt = optionalString(object, "published_at", path);
    auto notes = optionalString(object, "notes", path);
    for (const auto *member : {&channel, &status, &publishedAt, &notes}) {
        if (!*member) {
            return fail(member->error());
        }
    }
    if (auto parsed = parseChannel(channel->value_or("stable")); parsed) {
        release.channel = *parsed;
    } else {
        return invalid(path + ".channel", parsed.error().message);
    }
    if (auto parsed = parseReleaseStatus(status->value_or("draft")); parsed) {
        release.status = *parsed;
    } else {
        return invalid(path + ".status", parsed.error().message);
    }
    if (publishedAt->has_value()) {
        auto time = timestamp(**publishedAt, path + ".published_at");
        if (!time) {
            return fail(time.error());
        }
        release.publishedAt = *time;
    } else if (release.status != ReleaseStatus::Draft) {
        return invalid(path + ".published_at", "required unless the release is a draft");
    }
    release.notes = notes->value_or("");
    for (const auto &[platform, arch] : platforms) {
        DemoRelease::Target target;
        target.platform = platform;
        target.arch = arch;
        target.file.fileName = archiveName(tool, release.version, platform, arch);
        target.file.storageKey = "artifacts/" + product + "/" + tool + "/" + release.version + "/" +
                                 target.file.fileName;
        release.artifacts.push_back(std::move(target));
    }
    return release;
}

Result<DemoTool> parseTool(const json &object, const std::string &path, const std::string &product)
{
    if (!object.is_object()) {
        return invalid(path, "expected an object");
    }
    DemoTool tool;
    auto slug = requiredString(object, "slug", path);
    auto name = requiredString(object, "name", path);
    auto summary = optionalString(object, "summary", path);
    if (!slug || !name || !summary) {
        return fail(!slug ? slug.error() : !name ? name.error() : summary.error());
    }
    if (!isValidIdentifier(*slug)) {
        return invalid(path + ".slug", "not an identifier: '" + *slug + "'");
    }
    tool.slug = std::move(*slug);
    tool.name = std::move(*name);
    tool.summary = summary->value_or("");

    auto platformList = arrayMember(object, "platforms", path);
    if (!platformList) {
        return fail(platformList.error());
    }
    std::vector<std::pair<Platform, Arch>> platforms;
    for (std::size_t i = 0; i < platformList->size(); ++i) {
        const json &entry = (*platformList)[i];
        const std::string entryPath = at(path, "platforms", i);
        const std::string text = entry.is_string() ? entry.get<std::string>() : std::string();
        const auto slash = text.find('/');
        if (slash == std::string::npos) {
            return invalid(entryPath, "expected \"<platform>/<arch>\", e.g. \"linux/x86_64\"");
        }
        auto platform = parsePlatform(std::string_view(text).substr(0, slash));
        auto arch = parseArch(std::string_view(text).substr(slash + 1));
        if (!platform || !arch) {
            return invalid(entryPath, !platform ? platform.error().message : arch.error().message);
        }
        platforms.emplace_back(*platform, *arch);
    }

    auto releases = arrayMember(object, "releases", path);
    if (!releases) {
        return fail(releases.error());
    }
    for (std::size_t i = 0; i < releases->size(); ++i) {
        auto release =
            parseRelease((*releases)[i], at(path, "releases", i), product, tool.slug, platforms);
        if (!release) {
            return fail(release.error());
        }
        tool.releases.push_back(std::move(*release));
    }
    return tool;
}

Result<DemoResource> parseResource(const json &object, const std::string &path,
                                   const std::string &product, ResourceKind kind)
{
    if (!object.is_object()) {
        return invalid(path, "expected an object");
    }
    DemoResource resource;
    resource.kind = kind;
    auto title = requiredString(object, "title", path);
    auto locale = optionalString(object, "locale", path);
    auto url = optionalString(object, "url", path);
    auto file = optionalString(object, "file", path);
    if (!title || !locale || !url || !file) {
        return fail(!title    ? title.error()
                    : !locale ? locale.error()
                    : !url    ? url.error()
                              : file.error());
    }
    resource.title = std::move(*title);
    resource.locale = locale->value_or("en");
    if (url->has_value() == file->has_value()) {
        return invalid(path, "expected either url or file");
    }
    if (url->has_value()) {
        resource.url = std::move(*url);
    } else {
        if (!isValidFileName(**file)) {
            return invalid(path + ".file", "not a plain file name: '" + **file + "'");
        }
        DemoFile stored;
        stored.fileName = **file;
        stored.storageKey = "documents/" + product + "/" + stored.fileName;
        resource.file = std::move(stored);
    }
    if (const auto it = object.find("release"); it != object.end() && !it->is_null()) {
        if (!it->is_object()) {
            return invalid(path + ".release", "expected {\"tool\": ..., \"version\": ...}");
        }
        auto tool = requiredString(*it, "tool", path + ".release");
        auto version = requiredString(*it, "version", path + ".release");
        if (!tool || !version) {
            return fail(!tool ? tool.error() : version.error());
        }
        resource.release = std::make_pair(std::move(*tool), std::move(*version));
    }
    return resource;
}

Result<DemoProduct> parseProduct(const json &object, const std::string &path)
{
    if (!object.is_object()) {
        return invalid(path, "expected an object");
    }
    DemoProduct product;
    auto slug = requiredString(object, "slug", path);
    auto name = requiredString(object, "name", path);
    auto summary = optionalString(object, "summary", path);
    auto description = optionalString(object, "description", path);
    if (!slug || !name || !summary || !description) {
        return fail(!slug      ? slug.error()
                    : !name    ? name.error()
                    : !summary ? summary.error()
                               : description.error());
    }
    if (!isValidIdentifier(*slug)) {
        return invalid(path + ".slug", "not an identifier: '" + *slug + "'");
    }
    product.slug = std::move(*slug);
    product.name = std::move(*name);
    product.summary = summary->value_or("");
    product.description = description->value_or("");

    auto tools = arrayMember(object, "tools", path);
    if (!tools) {
        return fail(tools.error());
    }
    for (std::size_t i = 0; i < tools->size(); ++i) {
        auto tool = parseTool((*tools)[i], at(path, "tools", i), product.slug);
        if (!tool) {
            return fail(tool.error());
        }
        product.tools.push_back(std::move(*tool));
    }
    for (const auto &[key, kind] : {std::pair{"documents", ResourceKind::Document},
                                    std::pair{"tutorials", ResourceKind::Tutorial}}) {
        auto list = arrayMember(object, key, path);
        if (!list) {
            return fail(list.error());
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto resource = parseResource((*list)[i], at(path, key, i), product.slug, kind);
            if (!resource) {
                return fail(resource.error());
            }
            product.resources.push_back(std::move(*resource));
        }
    }
    return product;
}

Result<DemoLicense> parseLicense(const json &object, const std::string &path)
{
    if (!object.is_object()) {
        return invalid(path, "expected an object");
    }
    DemoLicense license;
    auto serial = requiredString(object, "serial", path);
    auto product = requiredString(object, "product", path);
    auto organization = requiredString(object, "organization", path);
    auto expiresAt = optionalString(object, "expires_at", path);
    auto maintenanceEnd = optionalString(object, "maintenance_end", path);
    auto orderRef = optionalString(object, "order_ref", path);
    if (!serial || !product || !organization || !expiresAt || !maintenanceEnd || !orderRef) {
        return fail(!serial           ? serial.error()
                    : !product        ? product.error()
                    : !organization   ? organization.error()
                    : !expiresAt      ? expiresAt.error()
                    : !maintenanceEnd ? maintenanceEnd.error()
                                      : orderRef.error());
    }
    license.serial = std::move(*serial);
    license.product = std::move(*product);
    license.organization = std::move(*organization);
    license.orderRef = orderRef->value_or("");
    if (const auto it = object.find("seats"); it != object.end()) {
        if (!it->is_number_unsigned() || it->get<std::uint64_t>() < 1 ||
            it->get<std::uint64_t>() > 1'000'000) {
            return invalid(path + ".seats", "expected a number from 1 to 1000000");
        }
        license.seats = it->get<std::uint32_t>();
    }
    if (expiresAt->has_value()) {
        auto time = timestamp(**expiresAt, path + ".expires_at");
        if (!time) {
            return fail(time.error());
        }
        license.expiresAt = *time;
    }
    if (maintenanceEnd->has_value()) {
        auto end = maintenanceEndFromDate(**maintenanceEnd);
        if (!end) {
            return invalid(path + ".maintenance_end", end.error().message);
        }
        license.maintenanceEnd = *end;
    }
    return license;
}

// One demo user: login, display name, password and optional built-in roles.
Result<DemoUser> parseUser(const json &user, const std::string &path, std::string organization)
{
    if (!user.is_object()) {
        return invalid(path, "expected an object");
    }
    auto login = requiredString(user, "login", path);
    auto displayName = requiredString(user, "display_name", path);
    auto password = requiredString(user, "password", path);
    if (!login || !displayName || !password) {
        return fail(!login ? login.error() : !displayName ? displayName.error() : password.error());
    }
    DemoUser result{std::move(*login),
                    std::move(*password),
                    std::move(*displayName),
                    std::move(organization),
                    {}};
    if (user.contains("roles")) {
        const json &roles = user.at("roles");
        if (!roles.is_array()) {
            return invalid(path + ".roles", "expected an array of role names");
        }
        for (const json &role : roles) {
            if (!role.is_string()) {
                return invalid(path + ".roles", "expected an array of role names");
            }
            result.roles.push_back(role.get<std::string>());
        }
    }
    return result;
}

Result<DemoCatalog> readCatalog(const fs::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::NotFound, "demo catalog " + file.string() +
                                             " not found: build the project first (the demo "
                                             "files are generated at build time)");
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const json root = json::parse(text, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    "demo catalog " + file.string() + ": not a JSON object");
    }

    DemoCatalog catalog;
    auto organizations = arrayMember(root, "organizations", "catalog");
    if (!organizations) {
        return fail(organizations.error());
    }
    for (std::size_t i = 0; i < organizations->size(); ++i) {
        const json &object = (*organizations)[i];
        const std::string path = at("catalog", "organizations", i);
        if (!object.is_object()) {
            return invalid(path, "expected an object");
        }
        auto slug = requiredString(object, "slug", path);
        auto name = requiredString(object, "name", path);
        if (!slug || !name) {
            return fail(!slug ? slug.error() : name.error());
        }
        auto users = arrayMember(object, "users", path);
        if (!users) {
            return fail(users.error());
        }
        for (std::size_t u = 0; u < users->size(); ++u) {
            auto user = parseUser((*users)[u], at(path, "users", u), *slug);
            if (!user) {
                return fail(user.error());
            }
            catalog.users.push_back(std::move(*user));
        }
        catalog.organizations.push_back({std::move(*slug), std::move(*name)});
    }

    // The vendor's own staff: no organization, roles held globally. Optional.
    if (root.contains("staff")) {
        auto staff = arrayMember(root, "staff", "catalog");
        if (!staff) {
            return fail(staff.error());
        }
        for (std::size_t u = 0; u < staff->size(); ++u) {
            auto user = parseUser((*staff)[u], at("catalog", "staff", u), {});
            if (!user) {
                return fail(user.error());
            }
            catalog.users.push_back(std::move(*user));
        }
    }

    auto products = arrayMember(root, "products", "catalog");
    if (!products) {
        return fail(products.error());
    }
    for (std::size_t i = 0; i < products->size(); ++i) {
        auto product = parseProduct((*products)[i], at("catalog", "products", i));
        if (!product) {
            return fail(product.error());
        }
        catalog.products.push_back(std::move(*product));
    }

    auto licenses = arrayMember(root, "licenses", "catalog");
    if (!licenses) {
        return fail(licenses.error());
    }
    for (std::size_t i = 0; i < licenses->size(); ++i) {
        auto license = parseLicense((*licenses)[i], at("catalog", "licenses", i));
        if (!license) {
            return fail(license.error());
        }
        catalog.licenses.push_back(std::move(*license));
    }
    if (catalog.organizations.empty() || catalog.licenses.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "demo catalog " + file.string() + ": needs organizations and licenses");
    }
    return catalog;
}

// Every stored file of the catalog, for the checks and copies below.
std::vector<DemoFile *> storedFiles(DemoCatalog &catalog)
{
    std::vector<DemoFile *> files;
    for (DemoProduct &product : catalog.products) {
        for (DemoTool &tool : product.tools) {
            for (DemoRelease &release : tool.releases) {
                for (DemoRelease::Target &target : release.artifacts) {
                    files.push_back(&target.file);
                }
            }
        }
        for (DemoResource &resource : product.resources) {
            if (resource.file) {
                files.push_back(&*resource.file);
            }
        }
    }
    return files;
}

// Copies demoDir/key to artifactDir/key through a temporary file renamed into place, and records
// the size and SHA-256 of the bytes copied.
Result<void> copyFile(const fs::path &demoDir, const fs::path &artifactDir, DemoFile &file)
{
    const fs::path source = demoDir / file.storageKey;
    const fs::path target = artifactDir / file.storageKey;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
        return fail(ErrorCode::Internal,
                    "cannot create " + target.parent_path().string() + ": " + ec.message());
    }
    std::ifstream in(source, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::NotFound, "cannot read " + source.string());
    }
    std::array<std::byte, 16> suffix{};
    randomBytes(suffix);
    const fs::path temp =
        target.parent_path() / ("." + file.fileName + "." + toHex(std::span(suffix)) + ".tmp");
    Sha256 hash;
    std::uint64_t size = 0;
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) {
            return fail(ErrorCode::Internal, "cannot write " + temp.string());
        }
        std::array<char, 65536> buffer{};
        while (in) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            const std::streamsize got = in.gcount();
            if (got <= 0) {
                break;
            }
            const auto count = static_cast<std::size_t>(got);
            hash.update(std::string_view(buffer.data(), count));
            out.write(buffer.data(), got);
            size += count;
        }
        out.flush();
        if (in.bad() || !out) {
            out.close();
            fs::remove(temp, ec);
            return fail(ErrorCode::Internal,
                        "copying " + source.string() + " to " + temp.string() + " failed");
        }
    }
    fs::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        return fail(ErrorCode::Internal, "cannot rename " + temp.string() + " to " +
                                             target.string() + ": " + ec.message());
    }
    const auto digest = hash.finish();
    file.size = size;
    file.sha256 = toHex(std::span(digest));
    return {};
}

// Whether the demo is in the database: its first organization exists. Conflict when that
// organization exists but the last license (created last) does not.
Result<bool> demoPresent(IdentityStore &identity, Licensing &licensing, const DemoCatalog &catalog,
                         std::int64_t nowUnix)
{
    auto organization = identity.findOrganizationBySlug(catalog.organizations.front().slug);
    if (!organization) {
        if (organization.error().code == ErrorCode::NotFound) {
            return false;
        }
        return fail(organization.error());
    }
    auto last = licensing.checkSerial(catalog.licenses.back().serial, nowUnix);
    if (last) {
        return true;
    }
    if (last.error().code == ErrorCode::NotFound) {
        return fail(ErrorCode::Conflict,
                    "the demo data is incomplete: organization '" +
                        catalog.organizations.front().slug + "' exists but license '" +
                        catalog.licenses.back().serial +
                        "' does not (an interrupted earlier load?); start with an empty database");
    }
    return fail(last.error());
}

Failure<Error> context(const std::string &what, const Error &error)
{
    return fail(error.code, "demo data: " + what + ": " + error.message);
}

Result<void> load(IdentityStore &identity, AccessControl &access, Catalog &catalog,
                  Licensing &licensing, const DemoCatalog &demo, std::int64_t nowUnix)
{
    std::map<std::string, std::string> organizationIds; // slug -> id
    for (const DemoOrganization &organization : demo.organizations) {
        auto created = identity.createOrganization(organization.slug, organization.name);
        if (!created) {
            return context("organization " + organization.slug, created.error());
        }
        organizationIds[organization.slug] = created->id;
    }
    for (const DemoUser &user : demo.users) {
        NewLocalUser input{organizationIds[user.organization], user.login, user.displayName,
                           user.login, user.password};
        auto created = identity.createLocalUser(input);
        if (!created) {
            return context("user " + user.login, created.error());
        }
        for (const std::string &role : user.roles) {
            const Scope scope = user.organization.empty()
                                    ? Scope::global()
                                    : Scope::organization(organizationIds[user.organization]);
            if (auto granted = access.grant(created->id, {role, scope}); !granted) {
                return context("role " + role + " of " + user.login, granted.error());
            }
        }
    }

    std::map<std::string, std::string> productIds; // slug -> id
    for (const DemoProduct &product : demo.products) {
        auto productId = catalog.createProduct(
            {product.slug, product.name, product.summary, product.description}, nowUnix);
        if (!productId) {
            return context("product " + product.slug, productId.error());
        }
        productIds[product.slug] = *productId;
        std::map<std::pair<std::string, std::string>, std::string> releaseIds;
        for (const DemoTool &tool : product.tools) {
            const std::string where = product.slug + "/" + tool.slug;
            auto toolId =
                catalog.createTool({*productId, tool.slug, tool.name, tool.summary}, nowUnix);
            if (!toolId) {
                return context("tool " + where, toolId.error());
            }
            for (const DemoRelease &release : tool.releases) {
                const std::string releaseWhere = where + " " + release.version;
                // A yanked release was published first.
                const ReleaseStatus initial = release.status == ReleaseStatus::Yanked
                                                  ? ReleaseStatus::Published
                                                  : release.status;
                auto releaseId =
                    catalog.createRelease({*toolId, release.version, release.channel, initial,
                                           release.publishedAt, release.notes},
                                          nowUnix);
                if (!releaseId) {
                    return context("release " + releaseWhere, releaseId.error());
                }
                if (release.status == ReleaseStatus::Yanked) {
                    if (auto yanked =
                            catalog.setReleaseStatus(*releaseId, ReleaseStatus::Yanked, nowUnix);
                        !yanked) {
                        return context("release " + releaseWhere, yanked.error());
                    }
                }
                releaseIds[{tool.slug, release.version}] = *releaseId;
                for (const DemoRelease::Target &target : release.artifacts) {
                    NewArtifact artifact{*releaseId,
                                         target.platform,
                                         target.arch,
                                         target.file.size,
                                         target.file.sha256,
                                         target.file.fileName,
                                         target.file.storageKey};
                    auto added = catalog.addArtifact(artifact, nowUnix);
                    if (!added) {
                        return context("artifact " + target.file.storageKey, added.error());
                    }
                }
            }
        }
        for (const DemoResource &resource : product.resources) {
            NewResource input;
            input.productId = *productId;
            input.kind = resource.kind;
            input.title = resource.title;
            input.locale = resource.locale;
            input.url = resource.url;
            if (resource.release) {
                const auto it = releaseIds.find(*resource.release);
                if (it == releaseIds.end()) {
                    return fail(ErrorCode::InvalidArgument,
                                "demo catalog: resource '" + resource.title + "' names release " +
                                    resource.release->first + " " + resource.release->second +
                                    ", which " + product.slug + " does not have");
                }
                input.releaseId = it->second;
            }
            if (resource.file) {
                input.fileName = resource.file->fileName;
                input.size = resource.file->size;
                input.storageKey = resource.file->storageKey;
            }
            auto added = catalog.addResource(input, nowUnix);
            if (!added) {
                return context("resource '" + resource.title + "'", added.error());
            }
        }
    }

    for (const DemoLicense &license : demo.licenses) {
        const auto product = productIds.find(license.product);
        const auto organization = organizationIds.find(license.organization);
        if (product == productIds.end() || organization == organizationIds.end()) {
            return fail(ErrorCode::InvalidArgument,
                        "demo catalog: license " + license.serial +
                            " names an unknown product or organization");
        }
        NewLicense input{license.serial,  product->second,   organization->second,
                         license.seats,   license.expiresAt, license.maintenanceEnd,
                         license.orderRef};
        auto created = licensing.createLicense(input, nowUnix);
        if (!created) {
            return context("license " + license.serial, created.error());
        }
    }
    return {};
}

} // namespace

fs::path defaultDemoDir()
{
    return fs::path(TOOLHUB_DEMO_DIR);
}

Result<DemoReport> ensureDemoData(IdentityStore &identity, AccessControl &access, Catalog &catalog,
                                  Licensing &licensing, const fs::path &demoDir,
                                  const fs::path &artifactDir, std::int64_t nowUnix)
{
    auto demo = readCatalog(demoDir / "catalog.json");
    if (!demo) {
        return fail(demo.error());
    }
    DemoReport report;
    report.users = demo->users;

    auto present = demoPresent(identity, licensing, *demo, nowUnix);
    if (!present) {
        return fail(present.error());
    }
    if (*present) {
        return report;
    }

    // Every file first, so that a missing one leaves the database untouched.
    const std::vector<DemoFile *> files = storedFiles(*demo);
    for (const DemoFile *file : files) {
        std::error_code ec;
        if (!fs::is_regular_file(demoDir / file->storageKey, ec)) {
            return fail(ErrorCode::NotFound, "demo file " + (demoDir / file->storageKey).string() +
                                                 " is missing: build the project first (the "
                                                 "demo archives are generated at build time)");
        }
    }
    for (DemoFile *file : files) {
        if (auto copied = copyFile(demoDir, artifactDir, *file); !copied) {
            return fail(copied.error());
        }
    }

    if (auto loaded = load(identity, access, catalog, licensing, *demo, nowUnix); !loaded) {
        return fail(loaded.error());
    }
    report.loaded = true;
    return report;
}

} // namespace toolhub::server
