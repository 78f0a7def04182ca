#include "toolhub/api_types.h"
#include "toolhub/ascii.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace toolhub {

using nlohmann::json;

namespace {

using namespace toolhub::ascii;

bool allOf(std::string_view s, bool (*pred)(char) noexcept) noexcept
{
    return std::all_of(s.begin(), s.end(), pred);
}

// The number in s (all digits, checked by the caller).
int toNumber(std::string_view s) noexcept
{
    int value = 0;
    for (const char c : s) {
        value = value * 10 + (c - '0');
    }
    return value;
}

// Wire names of an enum, in the enum's order.
template <class E, std::size_t N>
struct EnumNames {
    std::array<std::string_view, N> names;
    std::string_view expectation; // e.g. `"stable" or "beta"`

    [[nodiscard]] std::string_view name(E value) const noexcept
    {
        const auto index = static_cast<std::size_t>(value);
        return index < N ? names[index] : std::string_view("?");
    }
    [[nodiscard]] std::optional<E> parse(std::string_view text) const noexcept
    {
        for (std::size_t i = 0; i < N; ++i) {
            if (names[i] == text) {
                return static_cast<E>(i);
            }
        }
        return std::nullopt;
    }
};

constexpr EnumNames<Channel, 2> kChannels{{"stable", "beta"}, R"("stable" or "beta")"};
constexpr EnumNames<ReleaseStatus, 3> kStatuses{{"draft", "published", "yanked"},
                                                R"("draft", "published" or "yanked")"};
constexpr EnumNames<Platform, 3> kPlatforms{{"linux", "windows", "macos"},
                                            R"("linux", "windows" or "macos")"};
constexpr EnumNames<Arch, 2> kArchs{{"x86_64", "arm64"}, R"("x86_64" or "arm64")"};
constexpr EnumNames<ResourceKind, 2> kKinds{{"document", "tutorial"},
                                            R"("document" or "tutorial")"};

template <class E, std::size_t N>
Result<E> parseEnum(const EnumNames<E, N> &names, std::string_view text)
{
    if (auto value = names.parse(text)) {
        return *value;
    }
    return fail(ErrorCode::InvalidArgument, "expected " + std::string(names.expectation));
}

bool isSingleLine(std::string_view text) noexcept
{
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

bool isMultiLine(std::string_view text) noexcept
{
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7f;
    });
}

bool isSerial(std::string_view text) noexcept
{
    return !text.empty() && text.size() <= kMaxReferenceLength &&
           std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

enum class Presence { Required, Optional };
enum class Lines { Single, Multi };

// Reads the members of one JSON object, keeping the first error. Each reader returns whether
// the member was read; after an error the later calls do nothing.
class Fields {
public:
    Fields(const json &object, std::string_view path) : m_object(object), m_path(path)
    {
        if (!object.is_object()) {
            m_error = m_path + ": expected an object";
        }
    }

    [[nodiscard]] bool failed() const noexcept { return m_error.has_value(); }
    [[nodiscard]] Error error() const { return {ErrorCode::InvalidArgument, *m_error}; }

    void setError(std::string_view member, std::string_view message)
    {
        if (!m_error) {
            m_error = m_path + "." + std::string(member) + ": " + std::string(message);
        }
    }

    // The member, or nullptr if absent (an error if required). null counts as absent for
    // optional members.
    const json *find(std::string_view member, Presence presence)
    {
        if (failed()) {
            return nullptr;
        }
        const auto it = m_object.find(member);
        if (it == m_object.end() || (it->is_null() && presence == Presence::Optional)) {
            if (presence == Presence::Required) {
                setError(member, "required");
            }
            return nullptr;
        }
        return &*it;
    }

    const std::string *string(std::string_view member, Presence presence)
    {
        const json *value = find(member, presence);
        if (value == nullptr) {
            return nullptr;
        }
        if (!value->is_string()) {
            setError(member, "expected a string");
            return nullptr;
        }
        return &value->get_ref<const std::string &>();
    }

    // Free text: required ones must not be empty; optional ones read as "" when absent.
    void text(std::string_view member, std::string &out, std::size_t maxLength, Presence presence,
              Lines lines = Lines::Single)
    {
        const std::string *value = string(member, presence);
        if (value == nullptr) {
            return;
        }
        if (presence == Presence::Required && value->empty()) {
            setError(member, "must not be empty");
        } else if (value->size() > maxLength) {
            setError(member, "longer than " + std::to_string(maxLength) + " bytes");
        } else if (!(lines == Lines::Single ? isSingleLine(*value) : isMultiLine(*value))) {
            setError(member, "contains control characters");
        } else {
            out = *value;
        }
    }

    // A string that must satisfy check; `expectation` completes "expected ...".
    template <class Out>
    void checked(std::string_view member, Out &out, Presence presence,
                 bool (*check)(std::string_view) noexcept, std::string_view expectation)
    {
        const std::string *value = string(member, presence);
        if (value == nullptr) {
            return;
        }
        if (!check(*value)) {
            setError(member, "expected " + std::string(expectation));
            return;
        }
        out = *value;
    }

    void identifier(std::string_view member, std::string &out)
    {
        checked(member, out, Presence::Required, isValidIdentifier,
                "an identifier matching [a-z0-9][a-z0-9._-]{0,63}");
    }

    template <class E, std::size_t N>
    void enumeration(std::string_view member, E &out, const EnumNames<E, N> &names)
    {
        const std::string *value = string(member, Presence::Required);
        if (value == nullptr) {
            return;
        }
        if (auto parsed = names.parse(*value)) {
            out = *parsed;
        } else {
            setError(member, "expected " + std::string(names.expectation));
        }
    }

    template <class Out>
    void version(std::string_view member, Out &out, Presence presence)
    {
        const std::string *value = string(member, presence);
        if (value == nullptr) {
            return;
        }
        auto parsed = parseSemVer(*value);
        if (!parsed) {
            setError(member, parsed.error().message);
            return;
        }
        out = std::move(parsed).value();
    }

    template <class Out>
    void unsignedInteger(std::string_view member, Out &out, Presence presence,
                         std::uint64_t max = std::numeric_limits<std::uint64_t>::max())
    {
        const json *value = find(member, presence);
        if (value == nullptr) {
            return;
        }
        if (value->is_number_integer() && !value->is_number_unsigned() &&
            value->get<std::int64_t>() < 0) {
            setError(member, "must not be negative");
            return;
        }
        if (!value->is_number_unsigned() && !value->is_number_integer()) {
            setError(member, "expected a non-negative integer");
            return;
        }
        const auto number = value->get<std::uint64_t>();
        if (number > max) {
            setError(member, "larger than " + std::to_string(max));
            return;
        }
        if constexpr (std::is_same_v<Out, std::uint32_t>) {
            out = static_cast<std::uint32_t>(number);
        } else {
            out = number;
        }
    }

private:
    const json &m_object;
    std::string m_path;
    std::optional<std::string> m_error;
};

// The readers only use non-throwing accessors; this is a second line of defence so that no
// nlohmann exception ever leaves this file.
template <class T, class Body>
Result<T> guarded(std::string_view path, Body &&body)
{
    try {
        return body();
    } catch (const json::exception &e) {
        return fail(ErrorCode::InvalidArgument, std::string(path) + ": " + e.what());
    }
}

void putIfNotEmpty(json &j, const char *member, const std::string &value)
{
    if (!value.empty()) {
        j[member] = value;
    }
}

template <class T>
void putIfSet(json &j, const char *member, const std::optional<T> &value)
{
    if (value) {
        j[member] = *value;
    }
}

} // namespace

// ---- enums ----

std::string_view toString(Channel value) noexcept
{
    return kChannels.name(value);
}
std::string_view toString(ReleaseStatus value) noexcept
{
    return kStatuses.name(value);
}
std::string_view toString(Platform value) noexcept
{
    return kPlatforms.name(value);
}
std::string_view toString(Arch value) noexcept
{
    return kArchs.name(value);
}
std::string_view toString(ResourceKind value) noexcept
{
    return kKinds.name(value);
}

Result<Channel> parseChannel(std::string_view text)
{
    return parseEnum(kChannels, text);
}
Result<ReleaseStatus> parseReleaseStatus(std::string_view text)
{
    return parseEnum(kStatuses, text);
}
Result<Platform> parsePlatform(std::string_view text)
{
    return parseEnum(kPlatforms, text);
}
Result<Arch> parseArch(std::string_view text)
{
    return parseEnum(kArchs, text);
}
Result<ResourceKind> parseResourceKind(std::string_view text)
{
    return parseEnum(kKinds, text);
}

// ---- value checks ----

bool isValidIdentifier(std::string_view text) noexcept
{
    if (text.empty() || text.size() > 64 || !(isLower(text[0]) || isDigit(text[0]))) {
        return false;
    }
    return std::all_of(text.begin() + 1, text.end(), [](char c) {
        return isLower(c) || isDigit(c) || c == '.' || c == '_' || c == '-';
    });
}

bool isValidDate(std::string_view text) noexcept
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return false;
    }
    const auto year = text.substr(0, 4);
    const auto month = text.substr(5, 2);
    const auto day = text.substr(8, 2);
    if (!allOf(year, isDigit) || !allOf(month, isDigit) || !allOf(day, isDigit)) {
        return false;
    }
    const int y = toNumber(year);
    const int m = toNumber(month);
    const int d = toNumber(day);
    if (m < 1 || m > 12 || d < 1) {
        return false;
    }
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int daysInMonth = kDays[static_cast<std::size_t>(m - 1)] + (m == 2 && leap ? 1 : 0);
    return d <= daysInMonth;
}

bool isValidTimestamp(std::string_view text) noexcept
{
    // 2026-03-01T12:00:00[.fraction]Z
    if (text.size() < 20 || text[10] != 'T' || text.back() != 'Z' ||
        !isValidDate(text.substr(0, 10))) {
        return false;
    }
    const auto time = text.substr(11, 8);
    if (time[2] != ':' || time[5] != ':') {
        return false;
    }
    const auto hh = time.substr(0, 2);
    const auto mm = time.substr(3, 2);
    const auto ss = time.substr(6, 2);
    if (!allOf(hh, isDigit) || !allOf(mm, isDigit) || !allOf(ss, isDigit) || toNumber(hh) > 23 ||
        toNumber(mm) > 59 || toNumber(ss) > 60) {
        return false;
    }
    auto fraction = text.substr(19, text.size() - 20);
    if (fraction.empty()) {
        return true;
    }
    if (fraction.front() != '.') {
        return false;
    }
    fraction.remove_prefix(1);
    return !fraction.empty() && fraction.size() <= 9 && allOf(fraction, isDigit);
}

bool isValidSha256Hex(std::string_view text) noexcept
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return isDigit(c) || (c >= 'a' && c <= 'f');
           });
}

bool isValidLocale(std::string_view text) noexcept
{
    // language [-Script] [-REGION]
    std::size_t pos = 0;
    auto next = [&]() {
        const std::size_t end = std::min(text.find('-', pos), text.size());
        const auto part = text.substr(pos, end - pos);
        pos = end + 1;
        return part;
    };
    const auto language = next();
    if (language.size() < 2 || language.size() > 3 || !allOf(language, isLower)) {
        return false;
    }
    if (pos > text.size()) {
        return true;
    }
    auto part = next();
    if (part.size() == 4 && isUpper(part[0]) && allOf(part.substr(1), isLower)) {
        if (pos > text.size()) {
            return true;
        }
        part = next();
    }
    const bool region =
        (part.size() == 2 && allOf(part, isUpper)) || (part.size() == 3 && allOf(part, isDigit));
    return region && pos > text.size();
}

bool isValidFileName(std::string_view text) noexcept
{
    if (text.empty() || text.size() > 255 || text.front() == '.' || text.front() == ' ' ||
        text.back() == '.' || text.back() == ' ') {
        return false;
    }
    constexpr std::string_view kReserved = "/\\:*?\"<>|";
    return std::none_of(text.begin(), text.end(), [&](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f || kReserved.find(c) != std::string_view::npos;
    });
}

bool isValidRelativeUrl(std::string_view text) noexcept
{
    if (text.empty() || text.size() > kMaxUrlLength || text[0] != '/' ||
        (text.size() > 1 && text[1] == '/')) {
        return false;
    }
    constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/?%"; // besides letters and digits
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (!(isLower(c) || isUpper(c) || isDigit(c) ||
              kAllowed.find(c) != std::string_view::npos)) {
            return false;
        }
        if (c == '%' &&
            (i + 2 >= text.size() || !isHexDigit(text[i + 1]) || !isHexDigit(text[i + 2]))) {
            return false;
        }
    }
    const auto path = text.substr(0, std::min(text.find('?'), text.size()));
    std::size_t start = 1;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const auto segment = path.substr(start, end - start);
        if (segment == "." || segment == "..") {
            return false;
        }
        start = end + 1;
    }
    // Encoded dots, slashes and backslashes in the path would let a segment turn into one of
    // the above after decoding.
    for (std::size_t i = path.find('%'); i != std::string_view::npos; i = path.find('%', i + 1)) {
        const std::string_view encoded = path.substr(i + 1, 2);
        if (encoded == "2e" || encoded == "2E" || encoded == "2f" || encoded == "2F" ||
            encoded == "5c" || encoded == "5C") {
            return false;
        }
    }
    return true;
}

bool isValidExternalUrl(std::string_view text) noexcept
{
    if (text.size() > kMaxUrlLength) {
        return false;
    }
    std::string_view rest;
    if (text.starts_with("https://")) {
        rest = text.substr(8);
    } else if (text.starts_with("http://")) {
        rest = text.substr(7);
    } else {
        return false;
    }
    if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#') {
        return false; // no host
    }
    constexpr std::string_view kRefused = "\\\"<>`{}|^";
    return std::none_of(text.begin(), text.end(), [&](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u >= 0x7f || kRefused.find(c) != std::string_view::npos;
    });
}

// ---- Product ----

json toJson(const Product &value)
{
    json j = {{"slug", value.slug}, {"name", value.name}};
    putIfNotEmpty(j, "summary", value.summary);
    putIfNotEmpty(j, "description", value.description);
    return j;
}

Result<Product> productFromJson(const json &j, std::string_view path)
{
    return guarded<Product>(path, [&]() -> Result<Product> {
        Fields f(j, path);
        Product p;
        f.identifier("slug", p.slug);
        f.text("name", p.name, kMaxNameLength, Presence::Required);
        f.text("summary", p.summary, kMaxSummaryLength, Presence::Optional);
        f.text("description", p.description, kMaxTextLength, Presence::Optional, Lines::Multi);
        if (f.failed()) {
            return fail(f.error());
        }
        return p;
    });
}

// ---- Tool ----

json toJson(const Tool &value)
{
    json j = {{"slug", value.slug}, {"product", value.product}, {"name", value.name}};
    putIfNotEmpty(j, "summary", value.summary);
    return j;
}

Result<Tool> toolFromJson(const json &j, std::string_view path)
{
    return guarded<Tool>(path, [&]() -> Result<Tool> {
        Fields f(j, path);
        Tool t;
        f.identifier("slug", t.slug);
        f.identifier("product", t.product);
        f.text("name", t.name, kMaxNameLength, Presence::Required);
        f.text("summary", t.summary, kMaxSummaryLength, Presence::Optional);
        if (f.failed()) {
            return fail(f.error());
        }
        return t;
    });
}

// ---- Release ----

json toJson(const Release &value)
{
    json j = {{"tool", value.tool},
              {"version", value.version.toString()},
              {"channel", toString(value.channel)},
              {"status", toString(value.status)}};
    putIfSet(j, "published_at", value.publishedAt);
    putIfNotEmpty(j, "notes", value.notes);
    return j;
}

Result<Release> releaseFromJson(const json &j, std::string_view path)
{
    return guarded<Release>(path, [&]() -> Result<Release> {
        Fields f(j, path);
        Release r;
        f.identifier("tool", r.tool);
        f.version("version", r.version, Presence::Required);
        f.enumeration("channel", r.channel, kChannels);
        f.enumeration("status", r.status, kStatuses);
        f.checked("published_at", r.publishedAt, Presence::Optional, isValidTimestamp,
                  "an RFC 3339 UTC timestamp like \"2026-03-01T12:00:00Z\"");
        f.text("notes", r.notes, kMaxTextLength, Presence::Optional, Lines::Multi);
        if (f.failed()) {
            return fail(f.error());
        }
        return r;
    });
}

// ---- Artifact ----

json toJson(const Artifact &value)
{
    return {{"platform", toString(value.platform)},
            {"arch", toString(value.arch)},
            {"size", value.size},
            {"sha256", value.sha256},
            {"file_name", value.fileName},
            {"download_url", value.downloadUrl}};
}

Result<Artifact> artifactFromJson(const json &j, std::string_view path)
{
    return guarded<Artifact>(path, [&]() -> Result<Artifact> {
        Fields f(j, path);
        Artifact a;
        f.enumeration("platform", a.platform, kPlatforms);
        f.enumeration("arch", a.arch, kArchs);
        f.unsignedInteger("size", a.size, Presence::Required);
        f.checked("sha256", a.sha256, Presence::Required, isValidSha256Hex,
                  "64 lowercase hex digits");
        f.checked("file_name", a.fileName, Presence::Required, isValidFileName,
                  "a plain file name");
        f.checked("download_url", a.downloadUrl, Presence::Required, isValidRelativeUrl,
                  "a server-relative path like \"/api/v1/...\"");
        if (f.failed()) {
            return fail(f.error());
        }
        return a;
    });
}

// ---- Resource ----

json toJson(const Resource &value)
{
    json j = {{"id", value.id}, {"product", value.product}};
    if (value.release) {
        j["release"] = value.release->toString();
    }
    j["kind"] = toString(value.kind);
    j["title"] = value.title;
    j["locale"] = value.locale;
    putIfSet(j, "url", value.url);
    putIfSet(j, "file_name", value.fileName);
    putIfSet(j, "size", value.size);
    return j;
}

Result<Resource> resourceFromJson(const json &j, std::string_view path)
{
    return guarded<Resource>(path, [&]() -> Result<Resource> {
        Fields f(j, path);
        Resource r;
        f.identifier("id", r.id);
        f.identifier("product", r.product);
        f.version("release", r.release, Presence::Optional);
        f.enumeration("kind", r.kind, kKinds);
        f.text("title", r.title, kMaxNameLength, Presence::Required);
        f.checked("locale", r.locale, Presence::Required, isValidLocale,
                  "a language tag like \"en\" or \"de-DE\"");
        f.checked("url", r.url, Presence::Optional, isValidExternalUrl, "an absolute http(s) URL");
        f.checked("file_name", r.fileName, Presence::Optional, isValidFileName,
                  "a plain file name");
        f.unsignedInteger("size", r.size, Presence::Optional);
        if (!f.failed()) {
            if (r.url && r.fileName) {
                f.setError("file_name", "not allowed together with url");
            } else if (!r.url && !r.fileName) {
                f.setError("url", "required unless file_name is given");
            } else if (r.fileName && !r.size) {
                f.setError("size", "required with file_name");
            } else if (!r.fileName && r.size) {
                f.setError("size", "only allowed with file_name");
            }
        }
        if (f.failed()) {
            return fail(f.error());
        }
        return r;
    });
}

// ---- License ----

json toJson(const License &value)
{
    json j = {{"serial", value.serial},
              {"product", value.product},
              {"organization", value.organization},
              {"seats", value.seats}};
    putIfSet(j, "expires_at", value.expiresAt);
    putIfSet(j, "maintenance_end", value.maintenanceEnd);
    j["order_ref"] = value.orderRef;
    return j;
}

Result<License> licenseFromJson(const json &j, std::string_view path)
{
    return guarded<License>(path, [&]() -> Result<License> {
        Fields f(j, path);
        License l;
        f.checked("serial", l.serial, Presence::Required, isSerial,
                  "1 to 128 printable ASCII characters without spaces");
        f.identifier("product", l.product);
        f.identifier("organization", l.organization);
        f.unsignedInteger("seats", l.seats, Presence::Required,
                          std::numeric_limits<std::uint32_t>::max());
        f.checked("expires_at", l.expiresAt, Presence::Optional, isValidTimestamp,
                  "an RFC 3339 UTC timestamp like \"2026-03-01T12:00:00Z\"");
        f.checked("maintenance_end", l.maintenanceEnd, Presence::Optional, isValidDate,
                  "a date like \"2026-12-31\"");
        f.text("order_ref", l.orderRef, kMaxReferenceLength, Presence::Required);
        if (f.failed()) {
            return fail(f.error());
        }
        return l;
    });
}

} // namespace toolhub
