#pragma once

#include "toolhub/result.h"
#include "toolhub/semver.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

// The REST API's JSON shapes (snake_case), shared by the server and the desktop app.
//
// Each shape has `nlohmann::json toJson(const X &)` and `Result<X> xFromJson(const json &, path)`
// (or `fromJson<X>(json)`). Reading validates at the edge: required members present with
// the right types, enum values known, identifiers, versions, hashes, dates and sizes well formed.
// Errors are InvalidArgument and start with the offending member, e.g.
// `release.channel: expected "stable" or "beta"`; `path` (default: the shape's name) lets a list
// reader say `releases[3].channel`. Unknown members are ignored; optional members and empty
// optional strings are omitted on output. Nothing here throws.
namespace toolhub {

// ---- enums ----

enum class Channel { Stable, Beta };
enum class ReleaseStatus { Draft, Published, Yanked };
enum class Platform { Linux, Windows, Macos };
enum class Arch { X86_64, Arm64 };
enum class ResourceKind { Document, Tutorial };

// Wire names ("stable", "x86_64", ...) and their inverses (InvalidArgument for unknown names).
[[nodiscard]] std::string_view toString(Channel value) noexcept;
[[nodiscard]] std::string_view toString(ReleaseStatus value) noexcept;
[[nodiscard]] std::string_view toString(Platform value) noexcept;
[[nodiscard]] std::string_view toString(Arch value) noexcept;
[[nodiscard]] std::string_view toString(ResourceKind value) noexcept;
[[nodiscard]] Result<Channel> parseChannel(std::string_view text);
[[nodiscard]] Result<ReleaseStatus> parseReleaseStatus(std::string_view text);
[[nodiscard]] Result<Platform> parsePlatform(std::string_view text);
[[nodiscard]] Result<Arch> parseArch(std::string_view text);
[[nodiscard]] Result<ResourceKind> parseResourceKind(std::string_view text);

// ---- value checks used by the readers (public for other edges: CSV import, URL parameters) ----

// `[a-z0-9][a-z0-9._-]{0,63}`: slugs of products, tools, organizations, resource ids.
[[nodiscard]] bool isValidIdentifier(std::string_view text) noexcept;
// RFC 3339 in UTC: "2026-03-01T12:00:00Z", optionally with a fraction ("...:00.250Z").
[[nodiscard]] bool isValidTimestamp(std::string_view text) noexcept;
// RFC 3339 full-date: "2026-03-01" (a real calendar day).
[[nodiscard]] bool isValidDate(std::string_view text) noexcept;
// 64 lowercase hex digits.
[[nodiscard]] bool isValidSha256Hex(std::string_view text) noexcept;
// BCP 47-ish: language [-Script] [-REGION]: "en", "de-DE", "zh-Hans-CN", "es-419".
[[nodiscard]] bool isValidLocale(std::string_view text) noexcept;
// A plain file name: 1-255 bytes, no path separators, control or shell-reserved characters
// (/ \ : * ? " < > |), not starting with '.' or ' ', not ending with '.' or ' '.
[[nodiscard]] bool isValidFileName(std::string_view text) noexcept;
// A server-relative URL path: starts with one '/', no "." / ".." segments, no backslash,
// whitespace, fragment or scheme; may carry a query. E.g. "/api/v1/artifacts/42/download".
[[nodiscard]] bool isValidRelativeUrl(std::string_view text) noexcept;
// An absolute http(s) URL without whitespace or control characters (external documents).
[[nodiscard]] bool isValidExternalUrl(std::string_view text) noexcept;

// Length limits of free-text members, in bytes.
inline constexpr std::size_t kMaxNameLength = 200;      // name, title
inline constexpr std::size_t kMaxSummaryLength = 1000;  // summary
inline constexpr std::size_t kMaxTextLength = 65536;    // description, notes
inline constexpr std::size_t kMaxReferenceLength = 128; // serial, order_ref
inline constexpr std::size_t kMaxUrlLength = 2048;      // url, download_url

// ---- shapes ----

struct Product {
    std::string slug;
    std::string name;
    std::string summary;     // optional
    std::string description; // optional, Markdown

    friend bool operator==(const Product &, const Product &) = default;
};

struct Tool {
    std::string slug;
    std::string product; // product slug
    std::string name;
    std::string summary; // optional

    friend bool operator==(const Tool &, const Tool &) = default;
};

// `version` compares by SemVer precedence, so == ignores its build metadata.
struct Release {
    std::string tool; // tool slug
    SemVer version;
    Channel channel = Channel::Stable;
    ReleaseStatus status = ReleaseStatus::Draft;
    std::optional<std::string> publishedAt; // RFC 3339 UTC timestamp
    std::string notes;                      // optional, Markdown

    friend bool operator==(const Release &, const Release &) = default;
};

struct Artifact {
    Platform platform = Platform::Linux;
    Arch arch = Arch::X86_64;
    std::uint64_t size = 0; // bytes
    std::string sha256;     // 64 lowercase hex digits
    std::string fileName;
    std::string downloadUrl; // server-relative path

    friend bool operator==(const Artifact &, const Artifact &) = default;
};

// A document or tutorial of a product (optionally of one release). Its content is either an
// external `url` or a hosted file (`file_name` + `size`): exactly one of the two.
struct Resource {
    std::string id;
    std::string product;           // product slug
    std::optional<SemVer> release; // the release it belongs to, if any
    ResourceKind kind = ResourceKind::Document;
    std::string title;
    std::string locale;             // "en", "de-DE"
    std::optional<std::string> url; // absolute http(s) URL
    std::optional<std::string> fileName;
    std::optional<std::uint64_t> size; // with fileName

    friend bool operator==(const Resource &, const Resource &) = default;
};

struct License {
    std::string serial;
    std::string product;      // product slug
    std::string organization; // organization slug
    std::uint32_t seats = 0;
    std::optional<std::string> expiresAt;      // RFC 3339 UTC timestamp; none = perpetual
    std::optional<std::string> maintenanceEnd; // RFC 3339 full-date, last day included
    std::string orderRef;                      // ERP order reference

    friend bool operator==(const License &, const License &) = default;
};

[[nodiscard]] nlohmann::json toJson(const Product &value);
[[nodiscard]] nlohmann::json toJson(const Tool &value);
[[nodiscard]] nlohmann::json toJson(const Release &value);
[[nodiscard]] nlohmann::json toJson(const Artifact &value);
[[nodiscard]] nlohmann::json toJson(const Resource &value);
[[nodiscard]] nlohmann::json toJson(const License &value);

[[nodiscard]] Result<Product> productFromJson(const nlohmann::json &json,
                                              std::string_view path = "product");
[[nodiscard]] Result<Tool> toolFromJson(const nlohmann::json &json, std::string_view path = "tool");
[[nodiscard]] Result<Release> releaseFromJson(const nlohmann::json &json,
                                              std::string_view path = "release");
[[nodiscard]] Result<Artifact> artifactFromJson(const nlohmann::json &json,
                                                std::string_view path = "artifact");
[[nodiscard]] Result<Resource> resourceFromJson(const nlohmann::json &json,
                                                std::string_view path = "resource");
[[nodiscard]] Result<License> licenseFromJson(const nlohmann::json &json,
                                              std::string_view path = "license");

// fromJson<Release>(json) etc., for generic code.
template <class T>
[[nodiscard]] Result<T> fromJson(const nlohmann::json &json)
{
    if constexpr (std::is_same_v<T, Product>) {
        return productFromJson(json);
    } else if constexpr (std::is_same_v<T, Tool>) {
        return toolFromJson(json);
    } else if constexpr (std::is_same_v<T, Release>) {
        return releaseFromJson(json);
    } else if constexpr (std::is_same_v<T, Artifact>) {
        return artifactFromJson(json);
    } else if constexpr (std::is_same_v<T, Resource>) {
        return resourceFromJson(json);
    } else {
        static_assert(std::is_same_v<T, License>, "fromJson: not an API type");
        return licenseFromJson(json);
    }
}

// nlohmann's ADL hook, so `nlohmann::json j = std::vector<Release>{...}` works. (No from_json:
// reading must go through the validating readers above.)
template <class T>
requires std::is_same_v<T, Product> || std::is_same_v<T, Tool> || std::is_same_v<T, Release> ||
    std::is_same_v<T, Artifact> || std::is_same_v<T, Resource> || std::is_same_v<T, License>
void to_json(nlohmann::json &json, const T &value) // NOLINT(readability-identifier-naming)
{
    json = toJson(value);
}

} // namespace toolhub
