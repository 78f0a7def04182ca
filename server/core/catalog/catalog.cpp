#include "core/catalog/catalog.h"

#include "core/storage/ids.h"
#include "core/storage/query.h"
#include "toolhub/manifest.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <utility>

namespace toolhub::server {

namespace {

constexpr long long kMaxBigint = std::numeric_limits<long long>::max();

// The data_revisions counter every catalog write bumps (Database::dataRevision).
constexpr std::string_view kRevisionCounter = "catalog";

// nextManifestVersion() for a stored value and a time in Unix seconds.
long long nextManifestVersionAt(long long stored, std::int64_t nowUnix)
{
    const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{nowUnix}};
    return static_cast<long long>(
        nextManifestVersion(static_cast<std::uint64_t>(std::max(stored, 0LL)), now));
}

std::optional<std::int64_t> optionalValue(long long value, soci::indicator indicator)
{
    if (indicator != soci::i_ok) {
        return std::nullopt;
    }
    return std::int64_t{value};
}

// The one visibility rule for releases (see Catalog).
bool offered(std::string_view status, std::optional<std::int64_t> publishedAt,
             const Entitlement &entitlement, std::int64_t nowUnix)
{
    return status == toString(ReleaseStatus::Published) && publishedAt && *publishedAt <= nowUnix &&
           entitlement.covers(*publishedAt);
}

// `:p0, :p1, ...` for an IN list of `count` values.
std::string placeholders(std::size_t count, QueryBinds &binds,
                         const std::vector<std::string> &values)
{
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string name = "p" + std::to_string(i);
        out += (i == 0 ? ":" : ", :") + name;
        binds.emplace_back(name, values[i]);
    }
    return out;
}

bool exists(soci::session &session, const std::string &sql, const QueryBinds &binds)
{
    struct CountRow {
        long long count = 0;
        void bind(soci::statement &statement) { statement.exchange(soci::into(count)); }
    } row;
    const auto counts = fetchRows(session, sql, binds, row, [](CountRow &r) { return r.count; });
    return !counts.empty() && counts.front() > 0;
}

Result<void> checkText(std::string_view member, const std::string &value, std::size_t maxLength,
                       bool required)
{
    if (required && value.empty()) {
        return fail(ErrorCode::InvalidArgument, std::string(member) + ": required");
    }
    if (value.size() > maxLength) {
        return fail(ErrorCode::InvalidArgument,
                    std::string(member) + ": longer than " + std::to_string(maxLength) + " bytes");
    }
    return {};
}

// A path relative to the artifact store that cannot leave it.
bool isValidStorageKey(std::string_view key)
{
    if (key.empty() || key.size() > 1024 || key.front() == '/') {
        return false;
    }
    std::size_t start = 0;
    while (start <= key.size()) {
        std::size_t end = key.find('/', start);
        if (end == std::string_view::npos) {
            end = key.size();
        }
        const std::string_view segment = key.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") {
            return false;
        }
        start = end + 1;
    }
    return std::none_of(key.begin(), key.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f || c == '\\';
    });
}

std::string downloadUrl(const std::string &artifactId)
{
    return "/api/v1/artifacts/" + artifactId + "/download";
}

// ---- rows ----

struct ProductRow {
    std::string id;
    Product product;
    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(id));
        statement.exchange(soci::into(product.slug));
        statement.exchange(soci::into(product.name));
        statement.exchange(soci::into(product.summary));
        statement.exchange(soci::into(product.description));
    }
};
constexpr std::string_view kProductColumns = "id, slug, name, summary, description";

struct ReleaseRow {
    std::string id;
    std::string version;
    std::string channel;
    std::string status;
    long long publishedAt = 0;
    soci::indicator publishedIndicator = soci::i_null;
    std::string notes;
    long long manifestVersion = 0;
    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(id));
        statement.exchange(soci::into(version));
        statement.exchange(soci::into(channel));
        statement.exchange(soci::into(status));
        statement.exchange(soci::into(publishedAt, publishedIndicator));
        statement.exchange(soci::into(notes));
        statement.exchange(soci::into(manifestVersion));
    }
};
constexpr std::string_view kReleaseColumns =
    "id, version, channel, status, published_at, notes, manifest_version";

struct ArtifactRow {
    std::string id;
    std::string releaseId;
    std::string platform;
    std::string arch;
    long long size = 0;
    std::string sha256;
    std::string fileName;
    std::string storageKey;
    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(id));
        statement.exchange(soci::into(releaseId));
        statement.exchange(soci::into(platform));
        statement.exchange(soci::into(arch));
        statement.exchange(soci::into(size));
        statement.exchange(soci::into(sha256));
        statement.exchange(soci::into(fileName));
        statement.exchange(soci::into(storageKey));
    }
};
constexpr std::string_view kArtifactColumns =
    "a.id, a.release_id, a.platform, a.arch, a.size, a.sha256, a.file_name, a.storage_key";

// A resource with its product's slug and, when tied to a release, that release's state.
struct ResourceRow {
    std::string id;
    std::string productId;
    std::string productSlug;
    std::string kind;
    std::string title;
    std::string locale;
    std::string url;
    soci::indicator urlIndicator = soci::i_null;
    std::string fileName;
    soci::indicator fileNameIndicator = soci::i_null;
    long long size = 0;
    soci::indicator sizeIndicator = soci::i_null;
    std::string storageKey;
    soci::indicator storageKeyIndicator = soci::i_null;
    std::string releaseVersion;
    soci::indicator releaseIndicator = soci::i_null;
    std::string releaseStatus;
    soci::indicator releaseStatusIndicator = soci::i_null;
    long long releasePublishedAt = 0;
    soci::indicator releasePublishedIndicator = soci::i_null;
    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(id));
        statement.exchange(soci::into(productId));
        statement.exchange(soci::into(productSlug));
        statement.exchange(soci::into(kind));
        statement.exchange(soci::into(title));
        statement.exchange(soci::into(locale));
        statement.exchange(soci::into(url, urlIndicator));
        statement.exchange(soci::into(fileName, fileNameIndicator));
        statement.exchange(soci::into(size, sizeIndicator));
        statement.exchange(soci::into(storageKey, storageKeyIndicator));
        statement.exchange(soci::into(releaseVersion, releaseIndicator));
        statement.exchange(soci::into(releaseStatus, releaseStatusIndicator));
        statement.exchange(soci::into(releasePublishedAt, releasePublishedIndicator));
    }
};
constexpr std::string_view kResourceQuery =
    "SELECT res.id, res.product_id, p.slug, res.kind, res.title, res.locale, res.url, "
    "res.file_name, res.size, res.storage_key, r.version, r.status, r.published_at "
    "FROM resources res JOIN products p ON p.id = res.product_id "
    "LEFT JOIN releases r ON r.id = res.release_id ";

// A resource row as the API shape, or an error when a stored value does not parse.
struct ConvertedResource {
    std::optional<ResourceRecord> record;
    bool tiedToRelease = false;
    std::string releaseStatus;
    std::optional<std::int64_t> releasePublishedAt;
    std::optional<Error> error;
};

ConvertedResource convert(const ResourceRow &row)
{
    ConvertedResource out;
    auto kind = parseResourceKind(row.kind);
    if (!kind) {
        out.error = kind.error();
        return out;
    }
    ResourceRecord record;
    record.resource.id = row.id;
    record.resource.product = row.productSlug;
    record.resource.kind = *kind;
    record.resource.title = row.title;
    record.resource.locale = row.locale;
    if (row.urlIndicator == soci::i_ok) {
        record.resource.url = row.url;
    }
    if (row.fileNameIndicator == soci::i_ok) {
        record.resource.fileName = row.fileName;
    }
    if (row.sizeIndicator == soci::i_ok) {
        record.resource.size = static_cast<std::uint64_t>(row.size);
    }
    if (row.storageKeyIndicator == soci::i_ok) {
        record.storageKey = row.storageKey;
    }
    if (row.releaseIndicator == soci::i_ok) {
        auto version = parseSemVer(row.releaseVersion);
        if (!version) {
            out.error = version.error();
            return out;
        }
        record.resource.release = std::move(version).value();
        out.tiedToRelease = true;
        out.releaseStatus = row.releaseStatus;
        out.releasePublishedAt =
            optionalValue(row.releasePublishedAt, row.releasePublishedIndicator);
    }
    out.record = std::move(record);
    return out;
}

Result<Release> toRelease(const ReleaseRow &row, const std::string &toolSlug)
{
    auto version = parseSemVer(row.version);
    auto channel = parseChannel(row.channel);
    auto status = parseReleaseStatus(row.status);
    if (!version || !channel || !status) {
        return fail(ErrorCode::Internal, "stored release " + row.id + " does not parse");
    }
    Release release;
    release.tool = toolSlug;
    release.version = std::move(version).value();
    release.channel = *channel;
    release.status = *status;
    if (row.publishedIndicator == soci::i_ok) {
        release.publishedAt = toolhub::formatTimestamp(
            std::chrono::sys_seconds{std::chrono::seconds{row.publishedAt}});
    }
    release.notes = row.notes;
    return release;
}

Result<ArtifactRecord> toArtifact(const ArtifactRow &row)
{
    auto platform = parsePlatform(row.platform);
    auto arch = parseArch(row.arch);
    if (!platform || !arch || row.size < 0) {
        return fail(ErrorCode::Internal, "stored artifact " + row.id + " does not parse");
    }
    ArtifactRecord record;
    record.id = row.id;
    record.releaseId = row.releaseId;
    record.artifact.platform = *platform;
    record.artifact.arch = *arch;
    record.artifact.size = static_cast<std::uint64_t>(row.size);
    record.artifact.sha256 = row.sha256;
    record.artifact.fileName = row.fileName;
    record.artifact.downloadUrl = downloadUrl(row.id);
    record.storageKey = row.storageKey;
    return record;
}

Error productNotFound(const std::string &slug)
{
    return Error{ErrorCode::NotFound, "product '" + slug + "' not found"};
}

Error toolNotFound(const std::string &slug)
{
    return Error{ErrorCode::NotFound, "tool '" + slug + "' not found"};
}

} // namespace

struct Catalog::VisibleProduct {
    std::string id;
    Product product;
    Entitlement entitlement;
};

struct Catalog::ToolRow {
    std::string id;
    std::string productId;
    Tool tool;
    Entitlement entitlement;
};

Catalog::Catalog(Database &db, Licensing &licensing) : m_db(db), m_licensing(licensing)
{}

// ---- admin side ----

Result<std::string> Catalog::createProduct(const NewProduct &product, std::int64_t nowUnix)
{
    if (!isValidIdentifier(product.slug)) {
        return fail(ErrorCode::InvalidArgument,
                    "product.slug: expected [a-z0-9][a-z0-9._-]{0,63}, got '" + product.slug + "'");
    }
    for (auto check :
         {checkText("product.name", product.name, kMaxNameLength, true),
          checkText("product.summary", product.summary, kMaxSummaryLength, false),
          checkText("product.description", product.description, kMaxTextLength, false)}) {
        if (!check) {
            return fail(check.error());
        }
    }
    return m_db.withSession([&](soci::session &session) -> Result<std::string> {
        soci::transaction transaction(session);
        if (exists(session, "SELECT COUNT(*) FROM products WHERE slug = :slug",
                   {{"slug", product.slug}})) {
            return fail(ErrorCode::AlreadyExists,
                        "a product with slug '" + product.slug + "' exists already");
        }
        const std::string id = newId();
        const long long createdAt = nowUnix;
        session << "INSERT INTO products (id, slug, name, summary, description, created_at) "
                   "VALUES (:id, :slug, :name, :summary, :description, :created_at)",
            soci::use(id, "id"), soci::use(product.slug, "slug"), soci::use(product.name, "name"),
            soci::use(product.summary, "summary"), soci::use(product.description, "description"),
            soci::use(createdAt, "created_at");
        m_db.bumpRevision(session, kRevisionCounter);
        transaction.commit();
        return id;
    });
}

Result<std::string> Catalog::createTool(const NewTool &tool, std::int64_t nowUnix)
{
    if (!isValidIdentifier(tool.slug)) {
        return fail(ErrorCode::InvalidArgument,
                    "tool.slug: expected [a-z0-9][a-z0-9._-]{0,63}, got '" + tool.slug + "'");
    }
    for (auto check : {checkText("tool.name", tool.name, kMaxNameLength, true),
                       checkText("tool.summary", tool.summary, kMaxSummaryLength, false)}) {
        if (!check) {
            return fail(check.error());
        }
    }
    return m_db.withSession([&](soci::session &session) -> Result<std::string> {
        soci::transaction transaction(session);
        if (!exists(session, "SELECT COUNT(*) FROM products WHERE id = :id",
                    {{"id", tool.productId}})) {
            return fail(ErrorCode::NotFound, "no product with id '" + tool.productId + "'");
        }
        if (exists(session,
                   "SELECT COUNT(*) FROM tools WHERE product_id = :product_id AND slug = :slug",
                   {{"product_id", tool.productId}, {"slug", tool.slug}})) {
            return fail(ErrorCode::AlreadyExists,
                        "the product has a tool with slug '" + tool.slug + "' already");
        }
        const std::string id = newId();
        const long long createdAt = nowUnix;
        session << "INSERT INTO tools (id, product_id, slug, name, summary, created_at) "
                   "VALUES (:id, :product_id, :slug, :name, :summary, :created_at)",
            soci::use(id, "id"), soci::use(tool.productId, "product_id"),
            soci::use(tool.slug, "slug"), soci::use(tool.name, "name"),
            soci::use(tool.summary, "summary"), soci::use(createdAt, "created_at");
        m_db.bumpRevision(session, kRevisionCounter);
        transaction.commit();
        return id;
    });
}

Result<std::string> Catalog::createRelease(const NewRelease &release, std::int64_t nowUnix)
{
    auto parsed = parseSemVer(release.version);
    if (!parsed) {
        return fail(ErrorCode::InvalidArgument, "release.version: " + parsed.error().message);
    }
    const SemVer &version = *parsed;
    const auto limit = static_cast<std::uint64_t>(kMaxBigint);
    if (version.major > limit || version.minor > limit || version.patch > limit) {
        return fail(ErrorCode::InvalidArgument, "release.version: numbers above 2^63-1");
    }
    if (release.status == ReleaseStatus::Published && !release.publishedAt) {
        return fail(ErrorCode::InvalidArgument, "release.published_at: required when published");
    }
    if (auto check = checkText("release.notes", release.notes, kMaxTextLength, false); !check) {
        return fail(check.error());
    }
    SemVer keyVersion = version;
    keyVersion.build.clear();
    const std::string versionKey = keyVersion.toString();

    return m_db.withSession([&](soci::session &session) -> Result<std::string> {
        soci::transaction transaction(session);
        if (!exists(session, "SELECT COUNT(*) FROM tools WHERE id = :id",
                    {{"id", release.toolId}})) {
            return fail(ErrorCode::NotFound, "no tool with id '" + release.toolId + "'");
        }
        if (exists(session,
                   "SELECT COUNT(*) FROM releases WHERE tool_id = :tool_id AND "
                   "version_key = :version_key",
                   {{"tool_id", release.toolId}, {"version_key", versionKey}})) {
            return fail(ErrorCode::AlreadyExists,
                        "the tool has a release " + versionKey + " already");
        }
        const std::string id = newId();
        const std::string channel(toString(release.channel));
        const std::string status(toString(release.status));
        const long long major = static_cast<long long>(version.major);
        const long long minor = static_cast<long long>(version.minor);
        const long long patch = static_cast<long long>(version.patch);
        const int isFinal = version.isPrerelease() ? 0 : 1;
        const long long publishedAt = release.publishedAt.value_or(0);
        soci::indicator publishedIndicator = release.publishedAt ? soci::i_ok : soci::i_null;
        const long long createdAt = nowUnix;
        const long long manifestVersion =
            release.status == ReleaseStatus::Draft ? 0 : nextManifestVersionAt(0, nowUnix);
        session << "INSERT INTO releases (id, tool_id, version, version_key, version_major, "
                   "version_minor, version_patch, version_final, channel, status, published_at, "
                   "notes, created_at, manifest_version) VALUES (:id, :tool_id, :version, "
                   ":version_key, :major, :minor, :patch, :final, :channel, :status, "
                   ":published_at, :notes, :created_at, :manifest_version)",
            soci::use(id, "id"), soci::use(release.toolId, "tool_id"),
            soci::use(release.version, "version"), soci::use(versionKey, "version_key"),
            soci::use(major, "major"), soci::use(minor, "minor"), soci::use(patch, "patch"),
            soci::use(isFinal, "final"), soci::use(channel, "channel"), soci::use(status, "status"),
            soci::use(publishedAt, publishedIndicator, "published_at"),
            soci::use(release.notes, "notes"), soci::use(createdAt, "created_at"),
            soci::use(manifestVersion, "manifest_version");
        m_db.bumpRevision(session, kRevisionCounter);
        transaction.commit();
        return id;
    });
}

Result<void> Catalog::setReleaseStatus(const std::string &releaseId, ReleaseStatus status,
                                       std::int64_t nowUnix)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        soci::transaction transaction(session);
        ReleaseRow row;
        const auto rows = fetchRows(
            session, "SELECT " + std::string(kReleaseColumns) + " FROM releases WHERE id = :id",
            {{"id", releaseId}}, row, [](ReleaseRow &r) { return r; });
        if (rows.empty()) {
            return fail(ErrorCode::NotFound, "no release with id '" + releaseId + "'");
        }
        const ReleaseRow &current = rows.front();
        if (status == ReleaseStatus::Draft && current.status != toString(ReleaseStatus::Draft)) {
            return fail(ErrorCode::Conflict,
                        "a " + current.status + " release cannot become a draft again");
        }
        long long publishedAt = current.publishedAt;
        soci::indicator publishedIndicator = current.publishedIndicator;
        if (status == ReleaseStatus::Published && publishedIndicator != soci::i_ok) {
            publishedAt = nowUnix;
            publishedIndicator = soci::i_ok;
        }
        const std::string text(toString(status));
        if (text == current.status) {
            return {}; // nothing changes, and the manifest keeps its version
        }
        const long long manifestVersion = nextManifestVersionAt(current.manifestVersion, nowUnix);
        session << "UPDATE releases SET status = :status, published_at = :published_at, "
                   "manifest_version = :manifest_version WHERE id = :id",
            soci::use(text, "status"), soci::use(publishedAt, publishedIndicator, "published_at"),
            soci::use(manifestVersion, "manifest_version"), soci::use(releaseId, "id");
        m_db.bumpRevision(session, kRevisionCounter);
        transaction.commit();
        return {};
    });
}

Result<std::string> Catalog::addArtifact(const NewArtifact &artifact, std::int64_t nowUnix)
{
    if (!isValidSha256Hex(artifact.sha256)) {
        return fail(ErrorCode::InvalidArgument,
                    "artifact.sha256: expected 64 lowercase hex digits");
    }
    if (!isValidFileName(artifact.fileName)) {
        return fail(ErrorCode::InvalidArgument,
                    "artifact.file_name: not a plain file name: '" + artifact.fileName + "'");
    }
    if (!isValidStorageKey(artifact.storageKey)) {
        return fail(ErrorCode::InvalidArgument,
                    "artifact.storage_key: expected a relative path inside the artifact store");
    }
    if (artifact.size > static_cast<std::uint64_t>(kMaxBigint)) {
        return fail(ErrorCode::InvalidArgument, "artifact.size: too large");
    }
    return m_db.withSession([&](soci::session &session) -> Result<std::string> {
        soci::transaction transaction(session);
        if (!exists(session, "SELECT COUNT(*) FROM releases WHERE id = :id",
                    {{"id", artifact.releaseId}})) {
            return fail(ErrorCode::NotFound, "no release with id '" + artifact.releaseId + "'");
        }
        const std::string platform(toString(artifact.platform));
        const std::string arch(toString(artifact.arch));
        if (exists(session,
                   "SELECT COUNT(*) FROM artifacts WHERE release_id = :release_id AND "
                   "platform = :platform AND arch = :arch",
                   {{"release_id", artifact.releaseId}, {"platform", platform}, {"arch", arch}})) {
            return fail(ErrorCode::AlreadyExists,
                        "the release has a " + platform + "/" + arch + " artifact already");
        }
        const std::string id = newId();
        const auto size = static_cast<long long>(artifact.size);
        const long long createdAt = nowUnix;
        session << "INSERT INTO artifacts (id, release_id, platform, arch, size, sha256, "
                   "file_name, storage_key, created_at) VALUES (:id, :release_id, :platform, "
                   ":arch, :size, :sha256, :file_name, :storage_key, :created_at)",
            soci::use(id, "id"), soci::use(artifact.releaseId, "release_id"),
            soci::use(platform, "platform"), soci::use(arch, "arch"), soci::use(size, "size"),
            soci::use(artifact.sha256, "sha256"), soci::use(artifact.fileName, "file_name"),
            soci::use(artifact.storageKey, "storage_key"), soci::use(createdAt, "created_at");
        // The release's manifest lists its artifacts: a new one is new manifest content.
        long long stored = 0;
        session << "SELECT manifest_version FROM releases WHERE id = :id",
            soci::use(artifact.releaseId, "id"), soci::into(stored);
        const long long manifestVersion = nextManifestVersionAt(stored, nowUnix);
        session << "UPDATE releases SET manifest_version = :manifest_version WHERE id = :id",
            soci::use(manifestVersion, "manifest_version"), soci::use(artifact.releaseId, "id");
        m_db.bumpRevision(session, kRevisionCounter);
        transaction.commit();
        return id;
    });
}

Result<std::string> Catalog::addResource(const NewResource &resource, std::int64_t nowUnix)
{
    if (auto check = checkText("resource.title", resource.title, kMaxNameLength, true); !check) {
        return fail(check.error());
    }
    if (!isValidLocale(resource.locale)) {
        return fail(ErrorCode::InvalidArgument,
                    "resource.locale: expected a language tag like en or de-DE");
    }
    const bool hasFile = resource.fileName || resource.size || resource.storageKey;
    if (resource.url.has_value() == hasFile) {
        return fail(ErrorCode::InvalidArgument,
                    "resource: expected either url or file_name, size and storage_key");
    }
    if (resource.url) {
        if (resource.url->size() > kMaxUrlLength || !isValidExternalUrl(*resource.url)) {
            return fail(ErrorCode::InvalidArgument, "resource.url: expected an http(s) URL");
        }
    } else {
        if (!resource.fileName || !isValidFileName(*resource.fileName)) {
            return fail(ErrorCode::InvalidArgument, "resource.file_name: not a plain file name");
        }
        if (!resource.size || *resource.size > static_cast<std::uint64_t>(kMaxBigint)) {
            return fail(ErrorCode::InvalidArgument, "resource.size: required with a file");
        }
        if (!resource.storageKey || !isValidStorageKey(*resource.storageKey)) {
            return fail(ErrorCode::InvalidArgument,
                        "resource.storage_key: expected a relative path inside the store");
        }
    }
    return m_db.withSession([&](soci::session &session) -> Result<std::string> {
        soci::transaction transaction(session);
        if (!exists(session, "SELECT COUNT(*) FROM products WHERE id = :id",
                    {{"id", resource.productId}})) {
            return fail(ErrorCode::NotFound, "no product with id '" + resource.productId + "'");
        }
        if (resource.releaseId &&
            !exists(session,
                    "SELECT COUNT(*) FROM releases r JOIN tools t ON t.id = r.tool_id "
                    "WHERE r.id = :release_id AND t.product_id = :product_id",
                    {{"release_id", *resource.releaseId}, {"product_id", resource.productId}})) {
            return fail(ErrorCode::NotFound,
                        "the product has no release with id '" + *resource.releaseId + "'");
        }
        const std::string id = newId();
        const std::string kind(toString(resource.kind));
        const std::string empty;
        const auto indicator = [](bool present) { return present ? soci::i_ok : soci::i_null; };
        soci::indicator releaseIndicator = indicator(resource.releaseId.has_value());
        soci::indicator urlIndicator = indicator(resource.url.has_value());
        soci::indicator fileIndicator = indicator(!resource.url.has_value());
        const auto size = static_cast<long long>(resource.size.value_or(0));
        const long long createdAt = nowUnix;
        session << "INSERT INTO resources (id, product_id, release_id, kind, title, locale, url, "
                   "file_name, size, storage_key, created_at) VALUES (:id, :product_id, "
                   ":release_id, :kind, :title, :locale, :url, :file_name, :size, :storage_key, "
                   ":created_at)",
            soci::use(id, "id"), soci::use(resource.productId, "product_id"),
            soci::use(resource.releaseId ? *resource.releaseId : empty, releaseIndicator,
                      "release_id"),
            soci::use(kind, "kind"), soci::use(resource.title, "title"),
            soci::use(resource.locale, "locale"),
            soci::use(resource.url ? *resource.url : empty, urlIndicator, "url"),
            soci::use(resource.fileName ? *resource.fileName : empty, fileIndicator, "file_name"),
            soci::use(size, fileIndicator, "size"),
            soci::use(resource.storageKey ? *resource.storageKey : empty, fileIndicator,
                      "storage_key"),
            soci::use(createdAt, "created_at");
        m_db.bumpRevision(session, kRevisionCounter);
        transaction.commit();
        return id;
    });
}

Result<std::string> Catalog::productId(const std::string &productSlug)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::string> {
        ProductRow row;
        const auto rows = fetchRows(
            session, "SELECT " + std::string(kProductColumns) + " FROM products WHERE slug = :slug",
            {{"slug", productSlug}}, row, [](ProductRow &r) { return r.id; });
        if (rows.empty()) {
            return fail(productNotFound(productSlug));
        }
        return rows.front();
    });
}

// ---- customer side ----

Result<Catalog::VisibleProduct> Catalog::visibleProduct(const std::string &organizationId,
                                                        const std::string &productSlug,
                                                        std::int64_t nowUnix)
{
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<ProductRow>> {
        ProductRow row;
        return fetchRows(
            session, "SELECT " + std::string(kProductColumns) + " FROM products WHERE slug = :slug",
            {{"slug", productSlug}}, row, [](ProductRow &r) { return r; });
    });
    if (!rows) {
        return fail(std::move(rows).error());
    }
    if (rows->empty()) {
        return fail(productNotFound(productSlug));
    }
    ProductRow &found = rows->front();
    auto entitlement = m_licensing.entitlementFor(organizationId, found.id, nowUnix);
    if (!entitlement) {
        return fail(std::move(entitlement).error());
    }
    if (!entitlement->has_value()) {
        return fail(productNotFound(productSlug));
    }
    return VisibleProduct{std::move(found.id), std::move(found.product), std::move(**entitlement)};
}

Result<Catalog::ToolRow> Catalog::visibleTool(const std::string &organizationId,
                                              const std::string &productSlug,
                                              const std::string &toolSlug, std::int64_t nowUnix)
{
    auto product = visibleProduct(organizationId, productSlug, nowUnix);
    if (!product) {
        return fail(std::move(product).error());
    }
    struct Row {
        std::string id;
        std::string name;
        std::string summary;
        void bind(soci::statement &statement)
        {
            statement.exchange(soci::into(id));
            statement.exchange(soci::into(name));
            statement.exchange(soci::into(summary));
        }
    };
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<Row>> {
        Row row;
        return fetchRows(session,
                         "SELECT id, name, summary FROM tools WHERE product_id = :product_id AND "
                         "slug = :slug",
                         {{"product_id", product->id}, {"slug", toolSlug}}, row,
                         [](Row &r) { return r; });
    });
    if (!rows) {
        return fail(std::move(rows).error());
    }
    if (rows->empty()) {
        return fail(toolNotFound(toolSlug));
    }
    Row &found = rows->front();
    return ToolRow{std::move(found.id), product->id,
                   Tool{toolSlug, productSlug, std::move(found.name), std::move(found.summary)},
                   std::move(product->entitlement)};
}

Result<std::vector<Release>> Catalog::offeredReleases(const ToolRow &tool, std::int64_t nowUnix)
{
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<ReleaseRow>> {
        ReleaseRow row;
        // Only published rows; the rest of the rule is offered(), in one place.
        return fetchRows(session,
                         "SELECT " + std::string(kReleaseColumns) +
                             " FROM releases WHERE tool_id = :tool_id AND status = 'published' "
                             "ORDER BY version_major DESC, version_minor DESC, version_patch DESC, "
                             "version_final DESC",
                         {{"tool_id", tool.id}}, row, [](ReleaseRow &r) { return r; });
    });
    if (!rows) {
        return fail(std::move(rows).error());
    }
    std::vector<Release> out;
    for (const ReleaseRow &row : *rows) {
        if (!offered(row.status, optionalValue(row.publishedAt, row.publishedIndicator),
                     tool.entitlement, nowUnix)) {
            continue;
        }
        auto release = toRelease(row, tool.tool.slug);
        if (!release) {
            return fail(std::move(release).error());
        }
        out.push_back(std::move(release).value());
    }
    // SQL ordered by MAJOR.MINOR.PATCH; prerelease identifiers need SemVer's own precedence.
    std::stable_sort(out.begin(), out.end(),
                     [](const Release &a, const Release &b) { return a.version > b.version; });
    return out;
}

Result<std::int64_t> Catalog::revision()
{
    return m_db.dataRevision();
}

Result<Product> Catalog::productById(const std::string &id)
{
    return m_db.withSession([&](soci::session &session) -> Result<Product> {
        ProductRow row;
        auto products = fetchRows(
            session, "SELECT " + std::string(kProductColumns) + " FROM products WHERE id = :id",
            {{"id", id}}, row, [](ProductRow &r) { return r.product; });
        if (products.empty()) {
            return fail(ErrorCode::NotFound, "no such product");
        }
        return products.front();
    });
}

Result<std::vector<Product>> Catalog::allProducts()
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<Product>> {
        ProductRow row;
        return fetchRows(session,
                         "SELECT " + std::string(kProductColumns) +
                             " FROM products ORDER BY name, slug",
                         {}, row, [](ProductRow &r) { return r.product; });
    });
}

Result<ProductList> Catalog::productsFor(const std::string &organizationId, std::int64_t nowUnix)
{
    auto validUntil = m_licensing.nextExpiry(organizationId, nowUnix);
    if (!validUntil) {
        return fail(std::move(validUntil).error());
    }
    auto entitlements = m_licensing.entitlementsFor(organizationId, nowUnix);
    if (!entitlements) {
        return fail(std::move(entitlements).error());
    }
    ProductList list{{}, *validUntil};
    if (entitlements->empty()) {
        return list;
    }
    std::vector<std::string> ids;
    ids.reserve(entitlements->size());
    for (const Entitlement &entitlement : *entitlements) {
        ids.push_back(entitlement.productId);
    }
    return m_db.withSession([&](soci::session &session) -> Result<ProductList> {
        QueryBinds binds;
        const std::string sql = "SELECT " + std::string(kProductColumns) +
                                " FROM products WHERE id IN (" +
                                placeholders(ids.size(), binds, ids) + ") ORDER BY name, slug";
        ProductRow row;
        list.products =
            fetchRows(session, sql, binds, row, [](ProductRow &r) { return r.product; });
        return std::move(list);
    });
}

Result<ProductDetail> Catalog::product(const std::string &organizationId,
                                       const std::string &productSlug, std::int64_t nowUnix)
{
    auto visible = visibleProduct(organizationId, productSlug, nowUnix);
    if (!visible) {
        return fail(std::move(visible).error());
    }
    struct ToolListRow {
        Tool tool;
        void bind(soci::statement &statement)
        {
            statement.exchange(soci::into(tool.slug));
            statement.exchange(soci::into(tool.name));
            statement.exchange(soci::into(tool.summary));
        }
    };
    return m_db.withSession([&](soci::session &session) -> Result<ProductDetail> {
        ProductDetail detail;
        detail.product = visible->product;
        ToolListRow toolRow;
        detail.tools = fetchRows(session,
                                 "SELECT slug, name, summary FROM tools WHERE product_id = "
                                 ":product_id ORDER BY slug",
                                 {{"product_id", visible->id}}, toolRow, [&](ToolListRow &r) {
                                     Tool tool = r.tool;
                                     tool.product = productSlug;
                                     return tool;
                                 });
        ResourceRow resourceRow;
        const auto resources = fetchRows(
            session,
            std::string(kResourceQuery) + "WHERE res.product_id = :product_id ORDER BY res.title",
            {{"product_id", visible->id}}, resourceRow, [](ResourceRow &r) { return convert(r); });
        for (const ConvertedResource &converted : resources) {
            if (converted.error) {
                return fail(ErrorCode::Internal,
                            "stored resource does not parse: " + converted.error->message);
            }
            if (converted.tiedToRelease &&
                !offered(converted.releaseStatus, converted.releasePublishedAt,
                         visible->entitlement, nowUnix)) {
                continue;
            }
            const Resource &resource = converted.record->resource;
            (resource.kind == ResourceKind::Document ? detail.documents : detail.tutorials)
                .push_back(resource);
        }
        return detail;
    });
}

Result<Tool> Catalog::findTool(const std::string &organizationId, const std::string &toolSlug,
                               std::int64_t nowUnix)
{
    struct Row {
        std::string productId;
        Tool tool;
        void bind(soci::statement &statement)
        {
            statement.exchange(soci::into(productId));
            statement.exchange(soci::into(tool.product));
            statement.exchange(soci::into(tool.name));
            statement.exchange(soci::into(tool.summary));
        }
    };
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<Row>> {
        Row row;
        return fetchRows(session,
                         "SELECT t.product_id, p.slug, t.name, t.summary FROM tools t "
                         "JOIN products p ON p.id = t.product_id WHERE t.slug = :slug "
                         "ORDER BY p.slug",
                         {{"slug", toolSlug}}, row, [&](Row &r) {
                             Row out = r;
                             out.tool.slug = toolSlug;
                             return out;
                         });
    });
    if (!rows) {
        return fail(std::move(rows).error());
    }
    if (rows->empty()) {
        return fail(toolNotFound(toolSlug));
    }
    auto entitlements = m_licensing.entitlementsFor(organizationId, nowUnix);
    if (!entitlements) {
        return fail(std::move(entitlements).error());
    }
    std::vector<Tool> visible;
    for (Row &row : *rows) {
        const bool entitled =
            std::any_of(entitlements->begin(), entitlements->end(),
                        [&](const Entitlement &e) { return e.productId == row.productId; });
        if (entitled) {
            visible.push_back(std::move(row.tool));
        }
    }
    if (visible.empty()) {
        return fail(toolNotFound(toolSlug));
    }
    if (visible.size() > 1) {
        return fail(ErrorCode::Conflict, "several of your products have a tool '" + toolSlug +
                                             "': name the product too");
    }
    return std::move(visible.front());
}

Result<std::vector<Release>> Catalog::releases(const std::string &organizationId,
                                               const std::string &productSlug,
                                               const std::string &toolSlug,
                                               std::optional<Channel> channel, std::int64_t nowUnix)
{
    auto tool = visibleTool(organizationId, productSlug, toolSlug, nowUnix);
    if (!tool) {
        return fail(std::move(tool).error());
    }
    auto all = offeredReleases(*tool, nowUnix);
    if (!all || !channel) {
        return all;
    }
    std::erase_if(*all, [&](const Release &release) { return release.channel != *channel; });
    return all;
}

Result<std::vector<Release>> Catalog::newerThan(const std::string &organizationId,
                                                const std::string &productSlug,
                                                const std::string &toolSlug, const SemVer &current,
                                                Channel channel, std::int64_t nowUnix)
{
    auto tool = visibleTool(organizationId, productSlug, toolSlug, nowUnix);
    if (!tool) {
        return fail(std::move(tool).error());
    }
    auto all = offeredReleases(*tool, nowUnix);
    if (!all) {
        return all;
    }
    std::erase_if(*all, [&](const Release &release) {
        return !(release.version > current) ||
               (channel == Channel::Stable && release.channel != Channel::Stable);
    });
    return all;
}

Result<ManifestData> Catalog::manifestData(const std::string &organizationId,
                                           const std::string &productSlug,
                                           const std::string &toolSlug, const SemVer &version,
                                           std::int64_t nowUnix)
{
    auto tool = visibleTool(organizationId, productSlug, toolSlug, nowUnix);
    if (!tool) {
        return fail(std::move(tool).error());
    }
    SemVer keyVersion = version;
    keyVersion.build.clear();
    const std::string versionKey = keyVersion.toString();
    const Error notFound{ErrorCode::NotFound,
                         "release " + versionKey + " of tool '" + toolSlug + "' not found"};
    return m_db.withSession([&](soci::session &session) -> Result<ManifestData> {
        ReleaseRow releaseRow;
        const auto releases = fetchRows(session,
                                        "SELECT " + std::string(kReleaseColumns) +
                                            " FROM releases WHERE tool_id = :tool_id AND "
                                            "version_key = :version_key",
                                        {{"tool_id", tool->id}, {"version_key", versionKey}},
                                        releaseRow, [](ReleaseRow &r) { return r; });
        if (releases.empty()) {
            return fail(notFound);
        }
        const ReleaseRow &row = releases.front();
        const auto publishedAt = optionalValue(row.publishedAt, row.publishedIndicator);
        if (!offered(row.status, publishedAt, tool->entitlement, nowUnix)) {
            return fail(notFound);
        }
        auto release = toRelease(row, toolSlug);
        if (!release) {
            return fail(std::move(release).error());
        }
        ManifestData data;
        data.releaseId = row.id;
        data.product = productSlug;
        data.release = std::move(release).value();
        data.publishedAt = *publishedAt;
        data.manifestVersion = static_cast<std::uint64_t>(std::max(row.manifestVersion, 0LL));
        ArtifactRow artifactRow;
        const auto artifacts = fetchRows(session,
                                         "SELECT " + std::string(kArtifactColumns) +
                                             " FROM artifacts a WHERE a.release_id = :release_id "
                                             "ORDER BY a.platform, a.arch",
                                         {{"release_id", row.id}}, artifactRow,
                                         [](ArtifactRow &r) { return toArtifact(r); });
        for (const auto &artifact : artifacts) {
            if (!artifact) {
                return fail(artifact.error());
            }
            data.artifacts.push_back(*artifact);
        }
        return data;
    });
}

Result<ArtifactRecord> Catalog::artifactForDownload(const std::string &organizationId,
                                                    const std::string &artifactId,
                                                    std::int64_t nowUnix)
{
    struct Row {
        ArtifactRow artifact;
        std::string status;
        long long publishedAt = 0;
        soci::indicator publishedIndicator = soci::i_null;
        std::string productId;
        void bind(soci::statement &statement)
        {
            artifact.bind(statement);
            statement.exchange(soci::into(status));
            statement.exchange(soci::into(publishedAt, publishedIndicator));
            statement.exchange(soci::into(productId));
        }
    };
    const Error notFound{ErrorCode::NotFound, "artifact '" + artifactId + "' not found"};
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<Row>> {
        Row row;
        return fetchRows(session,
                         "SELECT " + std::string(kArtifactColumns) +
                             ", r.status, r.published_at, t.product_id FROM artifacts a "
                             "JOIN releases r ON r.id = a.release_id "
                             "JOIN tools t ON t.id = r.tool_id WHERE a.id = :id",
                         {{"id", artifactId}}, row, [](Row &r) { return r; });
    });
    if (!rows) {
        return fail(std::move(rows).error());
    }
    if (rows->empty()) {
        return fail(notFound);
    }
    const Row &row = rows->front();
    auto entitlement = m_licensing.entitlementFor(organizationId, row.productId, nowUnix);
    if (!entitlement) {
        return fail(std::move(entitlement).error());
    }
    if (!entitlement->has_value() ||
        !offered(row.status, optionalValue(row.publishedAt, row.publishedIndicator), **entitlement,
                 nowUnix)) {
        return fail(notFound);
    }
    return toArtifact(row.artifact);
}

Result<ResourceRecord> Catalog::resourceFor(const std::string &organizationId,
                                            const std::string &resourceId, std::int64_t nowUnix)
{
    const Error notFound{ErrorCode::NotFound, "resource '" + resourceId + "' not found"};
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<ResourceRow>> {
        ResourceRow row;
        return fetchRows(session, std::string(kResourceQuery) + "WHERE res.id = :id",
                         {{"id", resourceId}}, row, [](ResourceRow &r) { return r; });
    });
    if (!rows) {
        return fail(std::move(rows).error());
    }
    if (rows->empty()) {
        return fail(notFound);
    }
    ConvertedResource converted = convert(rows->front());
    if (converted.error) {
        return fail(ErrorCode::Internal,
                    "stored resource does not parse: " + converted.error->message);
    }
    auto entitlement = m_licensing.entitlementFor(organizationId, rows->front().productId, nowUnix);
    if (!entitlement) {
        return fail(std::move(entitlement).error());
    }
    if (!entitlement->has_value() ||
        (converted.tiedToRelease &&
         !offered(converted.releaseStatus, converted.releasePublishedAt, **entitlement, nowUnix))) {
        return fail(notFound);
    }
    return std::move(*converted.record);
}

Result<std::vector<License>> Catalog::licenses(const std::string &organizationId,
                                               const std::string &organizationSlug)
{
    auto records = m_licensing.licensesFor(organizationId);
    if (!records) {
        return fail(std::move(records).error());
    }
    if (records->empty()) {
        return std::vector<License>{};
    }
    std::vector<std::string> ids;
    for (const LicenseRecord &record : *records) {
        if (std::find(ids.begin(), ids.end(), record.productId) == ids.end()) {
            ids.push_back(record.productId);
        }
    }
    auto slugs =
        m_db.withSession([&](soci::session &session) -> Result<std::map<std::string, std::string>> {
            QueryBinds binds;
            const std::string sql = "SELECT " + std::string(kProductColumns) +
                                    " FROM products WHERE id IN (" +
                                    placeholders(ids.size(), binds, ids) + ")";
            ProductRow row;
            std::map<std::string, std::string> out;
            for (auto &[id, slug] : fetchRows(session, sql, binds, row, [](ProductRow &r) {
                     return std::make_pair(r.id, r.product.slug);
                 })) {
                out.emplace(std::move(id), std::move(slug));
            }
            return out;
        });
    if (!slugs) {
        return fail(std::move(slugs).error());
    }
    std::vector<License> out;
    out.reserve(records->size());
    for (const LicenseRecord &record : *records) {
        const auto slug = slugs->find(record.productId);
        if (slug == slugs->end()) {
            return fail(ErrorCode::Internal, "license " + record.id + " names a missing product");
        }
        out.push_back(record.toApi(slug->second, organizationSlug));
    }
    return out;
}

} // namespace toolhub::server
