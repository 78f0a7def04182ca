#include "http/message.h"
#include "toolhub/ascii.h"

#include <algorithm>

#include <unistd.h>

namespace toolhub::server::http {

namespace {

using namespace toolhub::ascii;

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return toLower(x) == toLower(y); });
}

// Percent-decodes `in`; '+' becomes a space in query components. Refuses bad escapes and
// encoded control characters.
std::optional<std::string> percentDecode(std::string_view in, bool plusIsSpace)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) {
                return std::nullopt;
            }
            const int hi = hexValue(in[i + 1]);
            const int lo = hexValue(in[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            const char decoded = static_cast<char>(hi * 16 + lo);
            if (static_cast<unsigned char>(decoded) < 0x20 || decoded == 0x7f) {
                return std::nullopt; // no NUL, line breaks or other control characters
            }
            out += decoded;
            i += 2;
        } else if (c == '+' && plusIsSpace) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

nlohmann::json RequestContext::logFields(nlohmann::json extra) const
{
    extra["http.request.id"] = requestId;
    extra["trace.id"] = traceId;
    extra["span.id"] = spanId;
    return extra;
}

void Headers::add(std::string name, std::string value)
{
    m_fields.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value)
{
    std::erase_if(m_fields, [&](const auto &field) { return equalsIgnoreCase(field.first, name); });
    m_fields.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const
{
    for (const auto &[key, value] : m_fields) {
        if (equalsIgnoreCase(key, name)) {
            return std::string_view{value};
        }
    }
    return std::nullopt;
}

std::size_t Headers::count(std::string_view name) const
{
    return static_cast<std::size_t>(
        std::count_if(m_fields.begin(), m_fields.end(),
                      [&](const auto &f) { return equalsIgnoreCase(f.first, name); }));
}

std::optional<std::string_view> Request::queryValue(std::string_view name) const
{
    const auto it = query.find(std::string{name});
    if (it == query.end()) {
        return std::nullopt;
    }
    return std::string_view{it->second};
}

OpenFile::~OpenFile()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

Response Response::json(unsigned status, const nlohmann::json &body)
{
    Response response;
    response.status = status;
    response.headers.set("Content-Type", "application/json");
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response Response::text(unsigned status, std::string body, std::string contentType)
{
    Response response;
    response.status = status;
    response.headers.set("Content-Type", std::move(contentType));
    response.body = std::move(body);
    return response;
}

std::string_view statusReason(unsigned status) noexcept
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 416:
        return "Range Not Satisfiable";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

std::optional<std::string> parseTarget(std::string_view target, std::string &path,
                                       std::multimap<std::string, std::string> &query)
{
    if (target.empty() || target.front() != '/') {
        return "the request target must be an absolute path";
    }
    if (const auto hash = target.find('#'); hash != std::string_view::npos) {
        return "the request target must not contain a fragment";
    }
    const auto questionMark = target.find('?');
    const auto rawPath = target.substr(0, questionMark);
    for (std::size_t i = 0; i + 2 < rawPath.size(); ++i) {
        if (rawPath[i] == '%' && rawPath[i + 1] == '2' &&
            (rawPath[i + 2] == 'F' || rawPath[i + 2] == 'f')) {
            return "the request path must not contain an encoded '/'";
        }
    }
    auto decodedPath = percentDecode(rawPath, false);
    if (!decodedPath) {
        return "the request path has a malformed percent escape";
    }
    path = std::move(*decodedPath);
    query.clear();
    if (questionMark == std::string_view::npos) {
        return std::nullopt;
    }
    auto rest = target.substr(questionMark + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const auto eq = pair.find('=');
        auto name = percentDecode(pair.substr(0, eq), true);
        auto value = percentDecode(
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!name || !value) {
            return "the query string has a malformed percent escape";
        }
        query.emplace(std::move(*name), std::move(*value));
    }
    return std::nullopt;
}

} // namespace toolhub::server::http
