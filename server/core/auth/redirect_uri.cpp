#include "core/auth/redirect_uri.h"

#include <array>

namespace toolhub::server {

namespace {

constexpr std::size_t maxRedirectUri = 2000;

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3986 pchar minus '%' (checked separately), plus '/' and '?' for path and query.
bool isPathOrQueryChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    static constexpr std::string_view allowed = "-._~!$&'()*+,;=:@/?";
    return allowed.find(c) != std::string_view::npos;
}

Error refused(std::string_view why)
{
    return {ErrorCode::InvalidArgument,
            "redirect_uri must be http://127.0.0.1:<port>/<path> or http://[::1]:<port>/<path>: " +
                std::string{why}};
}

} // namespace

Result<LoopbackRedirect> parseLoopbackRedirectUri(std::string_view uri)
{
    if (uri.empty() || uri.size() > maxRedirectUri) {
        return fail(refused("empty or too long"));
    }
    LoopbackRedirect redirect;
    std::string_view rest;
    for (const std::string_view host : {std::string_view{"127.0.0.1"}, std::string_view{"[::1]"}}) {
        const std::string prefix = "http://" + std::string{host} + ":";
        if (uri.starts_with(prefix)) {
            redirect.host = std::string{host};
            rest = uri.substr(prefix.size());
            break;
        }
    }
    if (redirect.host.empty()) {
        return fail(refused("the scheme must be http and the host a loopback address"));
    }
    std::size_t digits = 0;
    std::uint32_t port = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 6) {
        port = port * 10 + static_cast<std::uint32_t>(rest[digits] - '0');
        ++digits;
    }
    if (digits == 0 || digits > 5 || rest[0] == '0' || port > 65535) {
        return fail(refused("the port must be a number from 1 to 65535"));
    }
    redirect.port = static_cast<std::uint16_t>(port);
    rest = rest.substr(digits);
    if (rest.empty() || rest.front() != '/') {
        return fail(refused("a path must follow the port"));
    }
    for (std::size_t i = 0; i < rest.size(); ++i) {
        const char c = rest[i];
        if (c == '%') {
            if (i + 2 >= rest.size() || !isHex(rest[i + 1]) || !isHex(rest[i + 2])) {
                return fail(refused("malformed percent escape"));
            }
            i += 2;
        } else if (c == '#') {
            return fail(refused("fragments are not allowed"));
        } else if (!isPathOrQueryChar(c)) {
            return fail(refused("characters outside RFC 3986 in the path"));
        }
    }
    redirect.pathAndQuery = std::string{rest};
    return redirect;
}

} // namespace toolhub::server
