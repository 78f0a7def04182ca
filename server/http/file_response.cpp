#include "http/file_response.h"
#include "toolhub/utf8.h"

#include "http/problem.h"
#include "toolhub/ascii.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace toolhub::server::http {

namespace {

using namespace toolhub::ascii;
using namespace std::chrono;

constexpr std::array<std::string_view, 7> weekdayNames{"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> longWeekdayNames{
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> monthNames{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trimOws(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return toLower(x) == toLower(y);
           });
}

// A decimal number of `digits` characters at `text[pos]`; nullopt if any is not a digit.
std::optional<int> fixedNumber(std::string_view text, std::size_t pos, std::size_t digits)
{
    if (pos + digits > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (!isDigit(text[i])) {
            return std::nullopt;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

std::optional<unsigned> monthIndex(std::string_view name)
{
    for (unsigned i = 0; i < monthNames.size(); ++i) {
        if (name == monthNames[i]) {
            return i + 1;
        }
    }
    return std::nullopt;
}

// "HH:MM:SS" at text[pos].
std::optional<seconds> timeOfDay(std::string_view text, std::size_t pos)
{
    const auto h = fixedNumber(text, pos, 2);
    const auto m = fixedNumber(text, pos + 3, 2);
    const auto s = fixedNumber(text, pos + 6, 2);
    if (!h || !m || !s || text.size() < pos + 8 || text[pos + 2] != ':' || text[pos + 5] != ':' ||
        *h > 23 || *m > 59 || *s > 60) {
        return std::nullopt;
    }
    return hours{*h} + minutes{*m} + seconds{*s};
}

std::optional<sys_seconds> makeTime(int y, unsigned mon, unsigned d, seconds time)
{
    const year_month_day date{year{y}, month{mon}, day{d}};
    if (!date.ok()) {
        return std::nullopt;
    }
    return sys_days{date} + time;
}

// Percent-encodes everything but RFC 8187 attr-char.
std::string percentEncodeAttr(std::string_view text)
{
    static constexpr std::string_view extra = "!#$&+-.^_`|~";
    static constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        if (isAlnum(c) || extra.find(c) != std::string_view::npos) {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += hex[byte >> 4U];
            out += hex[byte & 0x0FU];
        }
    }
    return out;
}

// A list of entity tags ("*" or `"x", W/"y"`), compared with `etag` weakly (If-None-Match) or
// strongly (If-Range: no weak tag on either side).
bool etagListMatches(std::string_view list, std::string_view etag, bool strong)
{
    if (trimOws(list) == "*") {
        return !strong; // "any current representation": this one exists
    }
    if (etag.empty() || (strong && etag.starts_with("W/"))) {
        return false;
    }
    const auto opaque = [](std::string_view tag) {
        return tag.starts_with("W/") ? tag.substr(2) : tag;
    };
    std::size_t pos = 0;
    while (pos < list.size()) {
        // A tag is W/"..." or "..."; commas may appear inside quotes.
        while (pos < list.size() && (list[pos] == ' ' || list[pos] == '\t' || list[pos] == ',')) {
            ++pos;
        }
        const auto start = pos;
        if (list.substr(pos).starts_with("W/")) {
            pos += 2;
        }
        if (pos >= list.size() || list[pos] != '"') {
            return false; // malformed list: no match
        }
        const auto close = list.find('"', pos + 1);
        if (close == std::string_view::npos) {
            return false;
        }
        const auto tag = list.substr(start, close + 1 - start);
        pos = close + 1;
        if (strong && tag.starts_with("W/")) {
            continue;
        }
        if (opaque(tag) == opaque(etag)) {
            return true;
        }
    }
    return false;
}

// A number of a byte-range-spec; values beyond 64 bits saturate.
std::optional<std::uint64_t> rangeNumber(std::string_view text)
{
    if (text.empty() || !std::all_of(text.begin(), text.end(), isDigit)) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) {
        return std::numeric_limits<std::uint64_t>::max();
    }
    return value;
}

} // namespace

std::string sha256ETag(std::string_view sha256Hex)
{
    return "\"sha256-" + std::string{sha256Hex} + "\"";
}

std::string contentDisposition(std::string_view fileName)
{
    std::string clean; // UTF-8 without controls, quotes, backslashes, separators
    std::string ascii;
    for (std::size_t pos = 0; pos < fileName.size();) {
        char32_t codePoint = 0;
        const auto length = utf8Sequence(fileName, pos, codePoint);
        if (length == 0) {
            clean += '_';
            ascii += '_';
            ++pos;
            continue;
        }
        const bool control = codePoint < 0x20 || (codePoint >= 0x7F && codePoint <= 0x9F);
        const bool refused = codePoint == '"' || codePoint == '\\' || codePoint == '/';
        if (!control && !refused) {
            clean.append(fileName.substr(pos, length));
            ascii += codePoint < 0x80 ? static_cast<char>(codePoint) : '_';
        }
        pos += length;
    }
    // Both strings have the same characters up to the first non-ASCII one; trim both alike.
    const auto trimmed = [](std::string &s) {
        const auto first = s.find_first_not_of(". ");
        if (first == std::string::npos) {
            s.clear();
            return;
        }
        s.erase(0, first);
        s.erase(s.find_last_not_of(". ") + 1);
    };
    trimmed(clean);
    trimmed(ascii);
    if (clean.empty() || ascii.empty()) {
        clean = ascii = "download";
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + percentEncodeAttr(clean);
}

RangeRequest parseRange(std::string_view value, std::uint64_t size)
{
    value = trimOws(value);
    const auto equals = value.find('=');
    if (equals == std::string_view::npos ||
        !equalsIgnoreCase(trimOws(value.substr(0, equals)), "bytes")) {
        return {};
    }
    const auto set = trimOws(value.substr(equals + 1));
    if (set.find(',') != std::string_view::npos) {
        return {}; // several ranges: the whole representation instead (RFC 9110 14.2)
    }
    const auto dash = set.find('-');
    if (dash == std::string_view::npos) {
        return {};
    }
    const auto firstText = trimOws(set.substr(0, dash));
    const auto lastText = trimOws(set.substr(dash + 1));
    if (firstText.empty()) {
        // Suffix range: the last n bytes.
        const auto suffix = rangeNumber(lastText);
        if (!suffix) {
            return {};
        }
        if (*suffix == 0 || size == 0) {
            return {RangeRequest::Kind::Unsatisfiable, {}};
        }
        const auto n = std::min(*suffix, size);
        return {RangeRequest::Kind::Satisfiable, {size - n, size - 1}};
    }
    const auto first = rangeNumber(firstText);
    if (!first) {
        return {};
    }
    std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
    if (!lastText.empty()) {
        const auto parsed = rangeNumber(lastText);
        if (!parsed || *parsed < *first) {
            return {}; // invalid range-spec: ignore the header
        }
        last = *parsed;
    }
    if (*first >= size) {
        return {RangeRequest::Kind::Unsatisfiable, {}};
    }
    return {RangeRequest::Kind::Satisfiable, {*first, std::min(last, size - 1)}};
}

std::optional<sys_seconds> parseHttpDate(std::string_view text)
{
    text = trimOws(text);
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (text.size() == 29 && text[3] == ',' && text[4] == ' ' && text[7] == ' ' &&
        text[11] == ' ' && text[16] == ' ' && text.substr(25) == " GMT") {
        const auto d = fixedNumber(text, 5, 2);
        const auto mon = monthIndex(text.substr(8, 3));
        const auto y = fixedNumber(text, 12, 4);
        const auto t = timeOfDay(text, 17);
        if (d && mon && y && t &&
            std::find(weekdayNames.begin(), weekdayNames.end(), text.substr(0, 3)) !=
                weekdayNames.end()) {
            return makeTime(*y, *mon, static_cast<unsigned>(*d), *t);
        }
        return std::nullopt;
    }
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    if (const auto comma = text.find(", ");
        comma != std::string_view::npos &&
        std::find(longWeekdayNames.begin(), longWeekdayNames.end(), text.substr(0, comma)) !=
            longWeekdayNames.end()) {
        const auto rest = text.substr(comma + 2);
        if (rest.size() != 22 || rest[2] != '-' || rest[6] != '-' || rest[9] != ' ' ||
            rest.substr(18) != " GMT") {
            return std::nullopt;
        }
        const auto d = fixedNumber(rest, 0, 2);
        const auto mon = monthIndex(rest.substr(3, 3));
        const auto yy = fixedNumber(rest, 7, 2);
        const auto t = timeOfDay(rest, 10);
        if (!d || !mon || !yy || !t) {
            return std::nullopt;
        }
        // Two-digit years more than 50 years in the future are in the past (RFC 9110 5.6.7).
        const int thisYear =
            static_cast<int>(year_month_day{floor<days>(system_clock::now())}.year());
        int y = thisYear / 100 * 100 + *yy;
        if (y > thisYear + 50) {
            y -= 100;
        }
        return makeTime(y, *mon, static_cast<unsigned>(*d), *t);
    }
    // asctime: "Sun Nov  6 08:49:37 1994"
    if (text.size() == 24 && text[3] == ' ' && text[7] == ' ' && text[10] == ' ' &&
        text[19] == ' ' &&
        std::find(weekdayNames.begin(), weekdayNames.end(), text.substr(0, 3)) !=
            weekdayNames.end()) {
        const auto mon = monthIndex(text.substr(4, 3));
        const auto d = text[8] == ' ' ? fixedNumber(text, 9, 1) : fixedNumber(text, 8, 2);
        const auto t = timeOfDay(text, 11);
        const auto y = fixedNumber(text, 20, 4);
        if (mon && d && t && y) {
            return makeTime(*y, *mon, static_cast<unsigned>(*d), *t);
        }
    }
    return std::nullopt;
}

std::string formatHttpDate(sys_seconds time)
{
    const auto day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss clock{time - day};
    const auto weekdayIndex = weekday{day}.c_encoding();
    char buffer[64];
    const auto n = std::snprintf(
        buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d GMT",
        std::string{weekdayNames[weekdayIndex]}.c_str(), static_cast<unsigned>(date.day()),
        std::string{monthNames[static_cast<unsigned>(date.month()) - 1]}.c_str(),
        static_cast<int>(date.year()), static_cast<int>(clock.hours().count()),
        static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()));
    return {buffer, static_cast<std::size_t>(n)};
}

Result<Response> serveFile(const Request &request, const FileToServe &file)
{
    const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR) {
            return fail(ErrorCode::NotFound, "The file is not available.");
        }
        return fail(ErrorCode::Internal,
                    "cannot open " + file.path.string() + ": " + std::strerror(error));
    }
    auto open = std::make_shared<const OpenFile>(fd);
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        return fail(ErrorCode::Internal,
                    "cannot stat " + file.path.string() + ": " + std::strerror(errno));
    }
    if (!S_ISREG(info.st_mode)) {
        return fail(ErrorCode::Internal, file.path.string() + " is not a regular file");
    }
    const auto size = static_cast<std::uint64_t>(info.st_size);
    const auto lastModified = floor<seconds>(file.lastModified.value_or(system_clock::time_point{
        seconds{info.st_mtim.tv_sec} +
        duration_cast<system_clock::duration>(nanoseconds{info.st_mtim.tv_nsec})}));
    const auto lastModifiedText = formatHttpDate(lastModified);

    Response response;
    const auto setValidators = [&](Response &r) {
        if (!file.etag.empty()) {
            r.headers.set("ETag", file.etag);
        }
        r.headers.set("Last-Modified", lastModifiedText);
        if (!file.cacheControl.empty()) {
            r.headers.set("Cache-Control", file.cacheControl);
        }
    };

    // Conditional requests, RFC 9110 13.2.2: If-None-Match, else If-Modified-Since.
    const bool getOrHead = request.method == "GET" || request.method == "HEAD";
    bool notModified = false;
    if (const auto ifNoneMatch = request.headers.get("If-None-Match")) {
        notModified = etagListMatches(*ifNoneMatch, file.etag, false);
    } else if (const auto ifModifiedSince = request.headers.get("If-Modified-Since");
               ifModifiedSince && getOrHead) {
        const auto since = parseHttpDate(*ifModifiedSince);
        notModified = since && lastModified <= *since;
    }
    if (notModified && getOrHead) {
        response.status = 304;
        setValidators(response);
        return response;
    }

    response.headers.set("Accept-Ranges", "bytes");
    response.headers.set("Content-Type", file.contentType);
    response.headers.set("X-Content-Type-Options", "nosniff");
    if (!file.downloadName.empty()) {
        response.headers.set("Content-Disposition", contentDisposition(file.downloadName));
    }
    setValidators(response);

    FileBody body{std::move(open), 0, size};
    const auto range = request.headers.get("Range");
    bool rangeApplies = range && request.method == "GET" && request.headers.count("Range") == 1;
    if (rangeApplies) {
        if (const auto ifRange = request.headers.get("If-Range")) {
            const auto validator = trimOws(*ifRange);
            if (validator.starts_with("\"") || validator.starts_with("W/")) {
                rangeApplies = etagListMatches(validator, file.etag, true);
            } else {
                const auto date = parseHttpDate(validator);
                rangeApplies = date && *date == lastModified;
            }
        }
    }
    if (rangeApplies) {
        const auto wanted = parseRange(*range, size);
        if (wanted.kind == RangeRequest::Kind::Unsatisfiable) {
            auto refused = problemResponse(416, "range_not_satisfiable",
                                           "The requested range is not within the file's " +
                                               std::to_string(size) + " bytes.",
                                           request);
            refused.headers.set("Content-Range", "bytes */" + std::to_string(size));
            refused.headers.set("Accept-Ranges", "bytes");
            setValidators(refused);
            return refused;
        }
        if (wanted.kind == RangeRequest::Kind::Satisfiable) {
            response.status = 206;
            body.offset = wanted.range.first;
            body.length = wanted.range.last - wanted.range.first + 1;
            response.headers.set("Content-Range", "bytes " + std::to_string(wanted.range.first) +
                                                      "-" + std::to_string(wanted.range.last) +
                                                      "/" + std::to_string(size));
        }
    }
    if (request.method == "GET") {
        // Sequential reads ahead: a download reads the file front to back.
        ::posix_fadvise(fd, static_cast<off_t>(body.offset), static_cast<off_t>(body.length),
                        POSIX_FADV_SEQUENTIAL);
    }
    response.file = std::move(body);
    return response;
}

} // namespace toolhub::server::http
