#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace toolhub::server::http {

// Who and what a request is, for logs and errors: set by the request-context middleware.
struct RequestContext {
    std::string requestId;
    std::string traceId;      // W3C trace-id (32 hex), continued from traceparent or new
    std::string spanId;       // this server's span (16 hex)
    std::string parentSpanId; // from traceparent, empty when the trace starts here
    std::string clientAddress;
    std::chrono::steady_clock::time_point started{};

    // The ECS fields every request-scoped log line carries.
    [[nodiscard]] nlohmann::json logFields(nlohmann::json extra = nlohmann::json::object()) const;
};

// Header names compare case-insensitively; values keep their case.
class Headers {
public:
    void add(std::string name, std::string value);
    void set(std::string name, std::string value);
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>> &all() const
    {
        return m_fields;
    }

private:
    std::vector<std::pair<std::string, std::string>> m_fields;
};

// A request as handlers see it: plain strings, no transport types.
struct Request {
    std::string method; // upper case: GET, POST, ...
    std::string target; // as received: path plus query
    std::string path;   // decoded path, always starting with '/'
    std::multimap<std::string, std::string> query;
    Headers headers;
    std::string body;
    std::map<std::string, std::string> pathParams; // filled by the router
    RequestContext context;

    [[nodiscard]] std::optional<std::string_view> queryValue(std::string_view name) const;
};

// An open file descriptor, closed when the last reference goes away.
class OpenFile {
public:
    explicit OpenFile(int fd) noexcept : m_fd(fd) {}
    ~OpenFile();
    OpenFile(const OpenFile &) = delete;
    OpenFile &operator=(const OpenFile &) = delete;

    [[nodiscard]] int fd() const noexcept { return m_fd; }

private:
    int m_fd;
};

// A byte range of an open file sent as a response body. The server streams it to the socket
// (sendfile(2)) without reading it into memory and sets Content-Length to `length`.
// Made by serveFile() (http/file_response.h), which also sets the range and validator headers.
struct FileBody {
    std::shared_ptr<const OpenFile> file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

struct Response {
    unsigned status = 200;
    Headers headers;
    std::string body;
    std::optional<FileBody> file; // when set, the body is this file range and `body` is unused

    // Bytes of the body: the file range's length, or the string body's size.
    [[nodiscard]] std::uint64_t bodySize() const noexcept
    {
        return file ? file->length : body.size();
    }

    [[nodiscard]] static Response json(unsigned status, const nlohmann::json &body);
    [[nodiscard]] static Response text(unsigned status, std::string body,
                                       std::string contentType = "text/plain; charset=utf-8");
};

// The reason phrase of a status code, e.g. "Not Found".
[[nodiscard]] std::string_view statusReason(unsigned status) noexcept;

// Splits a request target into its decoded path and query parameters. Refuses targets that are
// not origin-form, malformed percent escapes, encoded control characters, and an encoded
// '/' in the path.
[[nodiscard]] std::optional<std::string>
parseTarget(std::string_view target, std::string &path,
            std::multimap<std::string, std::string> &query);

} // namespace toolhub::server::http
