#include "http/cookies.h"

namespace toolhub::server::http {

namespace {

std::string_view trimSpaces(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
        };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

} // namespace

std::optional<std::string> cookieValue(const Request &request, std::string_view name)
{
    for (const auto &[field, value] : request.headers.all()) {
        if (!equalsIgnoringCase(field, "cookie")) {
            continue;
        }
        std::string_view rest{value};
        while (!rest.empty()) {
            const auto semicolon = rest.find(';');
            const auto pair = trimSpaces(rest.substr(0, semicolon));
            rest = semicolon == std::string_view::npos ? std::string_view{}
                                                       : rest.substr(semicolon + 1);
            const auto eq = pair.find('=');
            if (eq == std::string_view::npos || trimSpaces(pair.substr(0, eq)) != name) {
                continue;
            }
            auto cookie = trimSpaces(pair.substr(eq + 1));
            if (cookie.size() >= 2 && cookie.front() == '"' && cookie.back() == '"') {
                cookie = cookie.substr(1, cookie.size() - 2);
            }
            return std::string{cookie};
        }
    }
    return std::nullopt;
}

std::string setCookie(std::string_view name, std::string_view value,
                      const CookieAttributes &attributes)
{
    std::string header{name};
    header += '=';
    header += value;
    header += "; Path=";
    header += attributes.path;
    if (attributes.maxAge) {
        header += "; Max-Age=" + std::to_string(attributes.maxAge->count());
    }
    if (attributes.secure) {
        header += "; Secure";
    }
    if (attributes.httpOnly) {
        header += "; HttpOnly";
    }
    if (!attributes.sameSite.empty()) {
        header += "; SameSite=";
        header += attributes.sameSite;
    }
    return header;
}

} // namespace toolhub::server::http
