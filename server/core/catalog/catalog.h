#pragma once

#include "core/licensing/licensing.h"
#include "core/storage/database.h"
#include "toolhub/api_types.h"
#include "toolhub/result.h"
#include "toolhub/semver.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace toolhub::server {

// ---- admin-side inputs (times are Unix seconds, UTC) ----

struct NewProduct {
    std::string slug; // identifier, unique
    std::string name;
    std::string summary;
    std::string description; // Markdown
};

struct NewTool {
    std::string productId;
    std::string slug; // identifier, unique within the product
    std::string name;
    std::string summary;
};

struct NewRelease {
    std::string toolId;
    std::string version; // SemVer; one release per precedence per tool
    Channel channel = Channel::Stable;
    ReleaseStatus status = ReleaseStatus::Draft;
    std::optional<std::int64_t> publishedAt; // required when status is Published
    std::string notes;                       // Markdown
};

struct NewArtifact {
    std::string releaseId;
    Platform platform = Platform::Linux;
    Arch arch = Arch::X86_64;
    std::uint64_t size = 0;
    std::string sha256; // 64 lowercase hex digits
    std::string fileName;
    std::string storageKey; // path relative to the artifact store: no leading '/', no "..", no '\'
};

// A document or tutorial: either `url`, or `fileName` + `size` + `storageKey`.
struct NewResource {
    std::string productId;
    std::optional<std::string> releaseId; // a release of a tool of this product
    ResourceKind kind = ResourceKind::Document;
    std::string title;
    std::string locale;
    std::optional<std::string> url;
    std::optional<std::string> fileName;
    std::optional<std::uint64_t> size;
    std::optional<std::string> storageKey;
};

// ---- customer-side answers ----

// An organization's products at some moment, and until when that answer holds without any
// write: the next expiry of one of its licenses (nullopt: until a write).
struct ProductList {
    std::vector<Product> products; // by name
    std::optional<std::int64_t> validUntil;
};

struct ProductDetail {
    Product product;
    std::vector<Tool> tools;         // by slug
    std::vector<Resource> documents; // by title
    std::vector<Resource> tutorials; // by title
};

struct ArtifactRecord {
    std::string id;
    std::string releaseId;
    Artifact artifact;      // downloadUrl = /api/v1/artifacts/<id>/download
    std::string storageKey; // relative to the artifact store
};

// What the signed release manifest is built from.
struct ManifestData {
    std::string releaseId;
    std::string product; // product slug
    Release release;
    std::int64_t publishedAt = 0;
    std::uint64_t manifestVersion = 0;     // the stored content revision (shared/manifest.h)
    std::vector<ArtifactRecord> artifacts; // by platform, then arch
};

struct ResourceRecord {
    Resource resource;
    std::optional<std::string> storageKey; // for a stored file
};

// The catalog module: owns products, tools, releases, artifacts and resources, and answers
// what an organization may see of them. Entitlements come from Licensing:
//   - a product is visible while the organization holds a license for it that has not expired;
//   - of a visible product, a release is offered when it is published, was published at or
//     before `now`, and before the latest maintenance end of those licenses;
//   - drafts and yanked releases are never offered; a resource tied to a release is visible
//     with that release; an artifact with its release.
// Whatever is not visible answers NotFound with the same message as a missing object.
class Catalog {
public:
    Catalog(Database &db, Licensing &licensing);

    // ---- admin side (no organization scoping): each returns the new object's id ----

    // InvalidArgument for malformed input, AlreadyExists for a taken slug / version /
    // platform+arch, NotFound for an unknown parent id.
    [[nodiscard]] Result<std::string> createProduct(const NewProduct &product,
                                                    std::int64_t nowUnix);
    [[nodiscard]] Result<std::string> createTool(const NewTool &tool, std::int64_t nowUnix);
    [[nodiscard]] Result<std::string> createRelease(const NewRelease &release,
                                                    std::int64_t nowUnix);
    // Publishing stamps published_at = nowUnix unless it is set already; yanking keeps it.
    // Conflict for published or yanked -> draft.
    [[nodiscard]] Result<void> setReleaseStatus(const std::string &releaseId, ReleaseStatus status,
                                                std::int64_t nowUnix);
    [[nodiscard]] Result<std::string> addArtifact(const NewArtifact &artifact,
                                                  std::int64_t nowUnix);
    [[nodiscard]] Result<std::string> addResource(const NewResource &resource,
                                                  std::int64_t nowUnix);
    // The id of the product with this slug, unscoped (admin lookups, demo data, imports).
    [[nodiscard]] Result<std::string> productId(const std::string &productSlug);

    // ---- customer side, scoped to one organization at time nowUnix ----

    // The data revision (Database::dataRevision) that every answer below depends on besides
    // time: read it before the answer, cache the answer under it.
    [[nodiscard]] Result<std::int64_t> revision();

    // A product by id (no scoping); NotFound when there is none.
    [[nodiscard]] Result<Product> productById(const std::string &id);
    // Every product of the vendor, by name (for service accounts and staff; no scoping).
    [[nodiscard]] Result<std::vector<Product>> allProducts();
    [[nodiscard]] Result<ProductList> productsFor(const std::string &organizationId,
                                                  std::int64_t nowUnix);
    [[nodiscard]] Result<ProductDetail> product(const std::string &organizationId,
                                                const std::string &productSlug,
                                                std::int64_t nowUnix);
    // For routes that name a tool without its product: the one visible tool with this slug
    // (NotFound when none; Conflict when several visible products have such a tool).
    [[nodiscard]] Result<Tool> findTool(const std::string &organizationId,
                                        const std::string &toolSlug, std::int64_t nowUnix);
    // The tool's offered releases, newest first by SemVer precedence; only `channel` if given.
    [[nodiscard]] Result<std::vector<Release>>
    releases(const std::string &organizationId, const std::string &productSlug,
             const std::string &toolSlug, std::optional<Channel> channel, std::int64_t nowUnix);
    // Offered releases with a higher precedence than `current`, newest first. On the stable
    // channel only stable releases; on the beta channel stable and beta ones.
    [[nodiscard]] Result<std::vector<Release>> newerThan(const std::string &organizationId,
                                                         const std::string &productSlug,
                                                         const std::string &toolSlug,
                                                         const SemVer &current, Channel channel,
                                                         std::int64_t nowUnix);
    // The offered release with this precedence (build metadata ignored) and its artifacts.
    [[nodiscard]] Result<ManifestData> manifestData(const std::string &organizationId,
                                                    const std::string &productSlug,
                                                    const std::string &toolSlug,
                                                    const SemVer &version, std::int64_t nowUnix);
    [[nodiscard]] Result<ArtifactRecord> artifactForDownload(const std::string &organizationId,
                                                             const std::string &artifactId,
                                                             std::int64_t nowUnix);
    [[nodiscard]] Result<ResourceRecord> resourceFor(const std::string &organizationId,
                                                     const std::string &resourceId,
                                                     std::int64_t nowUnix);
    // The organization's licenses (expired ones too) in API shape: product ids become slugs,
    // `organizationSlug` (the caller knows its organization) fills the organization member.
    [[nodiscard]] Result<std::vector<License>> licenses(const std::string &organizationId,
                                                        const std::string &organizationSlug);

private:
    struct ToolRow;
    // The product by slug if the organization may see it, with its entitlement.
    struct VisibleProduct;
    [[nodiscard]] Result<VisibleProduct> visibleProduct(const std::string &organizationId,
                                                        const std::string &productSlug,
                                                        std::int64_t nowUnix);
    [[nodiscard]] Result<ToolRow> visibleTool(const std::string &organizationId,
                                              const std::string &productSlug,
                                              const std::string &toolSlug, std::int64_t nowUnix);
    [[nodiscard]] Result<std::vector<Release>> offeredReleases(const ToolRow &tool,
                                                               std::int64_t nowUnix);

    Database &m_db;
    Licensing &m_licensing;
};

} // namespace toolhub::server
