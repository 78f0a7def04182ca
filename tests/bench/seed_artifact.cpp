// toolhub-bench-seed: puts a benchmark artifact into a toolhub-server's catalog through the
// modules' public APIs, for bench-download.sh. Reads the server's settings the way the server
// does (TOOLHUB_* variables, TOOLHUB_CONFIG), so it opens the same database and artifact store.
// The demo organization must exist: start the server once with demo_data = true first.
//
//   toolhub-bench-seed artifact STORAGE_KEY
//       registers the file <artifact_dir>/STORAGE_KEY (its real size and SHA-256) as the
//       linux/x86_64 artifact of a new published release of a new product and tool, licenses
//       that product to the demo organization "acme", and prints "<artifact id> <sha256> <size>"
//   toolhub-bench-seed downloads ARTIFACT_ID
//       prints how many downloads of the artifact by "acme" the server has recorded

#include "core/catalog/catalog.h"
#include "core/config/config.h"
#include "core/downloads/downloads.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "core/storage/database.h"
#include "toolhub/sha256.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

using namespace toolhub;
using namespace toolhub::server;

namespace {

constexpr std::string_view organizationSlug = "acme";
constexpr std::size_t downloadsLimit = 100000;

std::int64_t unixNow()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Failure<Error> context(const std::string &what, const Error &error)
{
    return fail(error.code, what + ": " + error.message);
}

struct FileFacts {
    std::uint64_t size = 0;
    std::string sha256;
};

Result<FileFacts> hashFile(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::NotFound, "cannot read " + path.string());
    }
    Sha256 hash;
    FileFacts facts;
    std::array<char, 1 << 20> buffer{};
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const std::streamsize got = in.gcount();
        if (got <= 0) {
            break;
        }
        hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        facts.size += static_cast<std::uint64_t>(got);
    }
    if (in.bad()) {
        return fail(ErrorCode::Internal, "reading " + path.string() + " failed");
    }
    const auto digest = hash.finish();
    facts.sha256 = toHex(std::span(digest));
    return facts;
}

struct Seeded {
    std::string artifactId;
    FileFacts file;
};

// Product, tool, draft release, artifact, publication, license: what an administrator does.
Result<Seeded> seedArtifact(Database &db, const ServerConfig &config, const std::string &storageKey)
{
    IdentityStore identity(db, systemClock());
    Licensing licensing(db);
    Catalog catalog(db, licensing);
    const std::int64_t now = unixNow();

    auto organization = identity.findOrganizationBySlug(organizationSlug);
    if (!organization) {
        return context("organization acme (start the server with the demo data first)",
                       organization.error());
    }
    auto file = hashFile(config.effectiveArtifactDir() / storageKey);
    if (!file) {
        return fail(file.error());
    }
    const std::string fileName = std::filesystem::path(storageKey).filename().string();

    auto productId = catalog.createProduct(
        {"bench-artifacts", "Bench Artifacts", "A large artifact for the download benchmark", ""},
        now);
    if (!productId) {
        return context("product", productId.error());
    }
    auto toolId = catalog.createTool(
        {*productId, "bench-download", "Bench Download", "One large archive"}, now);
    if (!toolId) {
        return context("tool", toolId.error());
    }
    auto releaseId = catalog.createRelease(
        {*toolId, "1.0.0", Channel::Stable, ReleaseStatus::Draft, std::nullopt, ""}, now);
    if (!releaseId) {
        return context("release", releaseId.error());
    }
    auto artifactId = catalog.addArtifact(
        {*releaseId, Platform::Linux, Arch::X86_64, file->size, file->sha256, fileName, storageKey},
        now);
    if (!artifactId) {
        return context("artifact", artifactId.error());
    }
    if (auto published = catalog.setReleaseStatus(*releaseId, ReleaseStatus::Published, now);
        !published) {
        return context("publishing the release", published.error());
    }
    NewLicense license;
    license.serial = "BENCH-ACME-0001";
    license.productId = *productId;
    license.organizationId = organization->id;
    license.orderRef = "BENCH";
    if (auto created = licensing.createLicense(license, now); !created) {
        return context("license", created.error());
    }
    return Seeded{std::move(*artifactId), std::move(*file)};
}

Result<std::size_t> countDownloads(Database &db, const std::string &artifactId)
{
    IdentityStore identity(db, systemClock());
    Downloads downloads(db);
    auto organization = identity.findOrganizationBySlug(organizationSlug);
    if (!organization) {
        return context("organization acme", organization.error());
    }
    auto recent = downloads.recentDownloads(organization->id, downloadsLimit);
    if (!recent) {
        return fail(recent.error());
    }
    return static_cast<std::size_t>(
        std::count_if(recent->begin(), recent->end(), [&](const DownloadRecord &record) {
            return record.event.artifactId == artifactId;
        }));
}

int failWith(const Error &error)
{
    std::cerr << "toolhub-bench-seed: " << error.message << "\n";
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string_view command = argc == 3 ? argv[1] : "";
    if (command != "artifact" && command != "downloads") {
        std::cerr << "usage: toolhub-bench-seed artifact STORAGE_KEY\n"
                     "       toolhub-bench-seed downloads ARTIFACT_ID\n";
        return 2;
    }
    const std::string argument = argv[2];
    auto config = loadConfig(std::nullopt, toolhubEnvironment());
    if (!config) {
        return failWith(config.error());
    }
    auto url = parseDatabaseUrl(config->effectiveDatabaseUrl());
    if (!url) {
        return failWith(url.error());
    }
    auto db = Database::open(*url, 1);
    if (!db) {
        return failWith(db.error());
    }
    if (command == "artifact") {
        auto seeded = seedArtifact(**db, *config, argument);
        if (!seeded) {
            return failWith(seeded.error());
        }
        std::cout << seeded->artifactId << " " << seeded->file.sha256 << " " << seeded->file.size
                  << "\n";
        return 0;
    }
    auto count = countDownloads(**db, argument);
    if (!count) {
        return failWith(count.error());
    }
    std::cout << *count << "\n";
    return 0;
}
