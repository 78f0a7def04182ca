#pragma once

#include "http/message.h"
#include "toolhub/result.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub::server::http {

// A stored file to answer a download request with.
struct FileToServe {
    std::filesystem::path path;
    // The name the client saves the file under (UTF-8), sent in Content-Disposition
    // (RFC 6266); empty: no Content-Disposition.
    std::string downloadName;
    std::string contentType = "application/octet-stream";
    // A strong entity tag including its quotes, e.g. sha256ETag(artifact.sha256); empty: none
    // (then If-Range and If-None-Match can only match by date or not at all).
    std::string etag;
    // Last-Modified; the file's modification time when not given.
    std::optional<std::chrono::system_clock::time_point> lastModified;
    std::string cacheControl = "private, no-cache";
};

// `"sha256-<hex>"`: the strong entity tag of content with this SHA-256.
[[nodiscard]] std::string sha256ETag(std::string_view sha256Hex);

// Answers a GET or HEAD for `file` per RFC 9110: 200 with the whole file; 206 with
// Content-Range for one satisfiable `Range: bytes=a-b | a- | -n` (several ranges get the whole
// file, as RFC 9110 14.2 allows); 416 with `Content-Range: bytes */size` when the range cannot be
// satisfied; If-Range (strong ETag or exact Last-Modified date) falls back to 200 when the
// validator does not match; If-None-Match (or, without it, If-Modified-Since) answers 304.
// Range is honoured for GET only. The body is the open file (Response::file), streamed by the
// server; nothing is read into memory. A missing file is NotFound, other failures Internal.
[[nodiscard]] Result<Response> serveFile(const Request &request, const FileToServe &file);

// ---- exposed for tests ----

// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266,
// RFC 8187). Control characters, quotes, backslashes and path separators are removed,
// leading and trailing dots and spaces trimmed, invalid UTF-8 replaced; non-ASCII characters
// become '_' in the fallback. An empty result becomes "download".
[[nodiscard]] std::string contentDisposition(std::string_view fileName);

// An inclusive byte range of a representation.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    friend bool operator==(const ByteRange &, const ByteRange &) = default;
};

// What a Range header value asks of a representation of `size` bytes.
struct RangeRequest {
    enum class Kind {
        Ignore,        // not a valid bytes range, or several ranges: answer with the whole file
        Satisfiable,   // answer 206 with `range`
        Unsatisfiable, // answer 416
    } kind = Kind::Ignore;
    ByteRange range;
};
[[nodiscard]] RangeRequest parseRange(std::string_view value, std::uint64_t size);

// HTTP-date (RFC 9110 5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms.
[[nodiscard]] std::optional<std::chrono::sys_seconds> parseHttpDate(std::string_view text);
// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
[[nodiscard]] std::string formatHttpDate(std::chrono::sys_seconds time);

} // namespace toolhub::server::http
