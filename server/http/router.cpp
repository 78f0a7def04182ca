#include "http/router.h"

#include "http/problem.h"

#include <algorithm>
#include <stdexcept>

namespace toolhub::server::http {

namespace {

std::vector<std::string_view> splitPath(std::string_view path)
{
    std::vector<std::string_view> parts;
    if (path.starts_with('/')) {
        path.remove_prefix(1);
    }
    while (true) {
        const auto slash = path.find('/');
        parts.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return parts;
}

} // namespace

void Router::add(std::string method, std::string_view pattern, Handler handler)
{
    if (!pattern.starts_with('/')) {
        throw std::invalid_argument("route pattern must start with '/': " + std::string{pattern});
    }
    Route route{std::move(method), std::string{pattern}, {}, std::move(handler)};
    for (const auto part : splitPath(pattern)) {
        const bool parameter = part.size() > 2 && part.front() == '{' && part.back() == '}';
        route.segments.push_back(
            {std::string{parameter ? part.substr(1, part.size() - 2) : part}, parameter});
    }
    for (const auto &existing : m_routes) {
        if (existing.method == route.method && existing.pattern == route.pattern) {
            throw std::invalid_argument("route registered twice: " + route.method + " " +
                                        route.pattern);
        }
    }
    m_routes.push_back(std::move(route));
}

bool Router::matches(const Route &route, const std::vector<std::string_view> &parts,
                     std::map<std::string, std::string> *params)
{
    if (route.segments.size() != parts.size()) {
        return false;
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto &segment = route.segments[i];
        if (segment.parameter) {
            if (parts[i].empty()) {
                return false;
            }
            if (params != nullptr) {
                (*params)[segment.text] = std::string{parts[i]};
            }
        } else if (segment.text != parts[i]) {
            return false;
        }
    }
    return true;
}

int Router::specificity(const Route &route)
{
    // Earlier literal segments weigh more: /a/b beats /a/{x} beats /{x}/b.
    int score = 0;
    for (const auto &segment : route.segments) {
        score = score * 2 + (segment.parameter ? 0 : 1);
    }
    return score;
}

Router::Match Router::match(std::string_view method, std::string_view path) const
{
    const auto parts = splitPath(path);
    Match result;
    const Route *best = nullptr;
    const auto consider = [&](std::string_view wanted) {
        for (const auto &route : m_routes) {
            if (route.method == wanted && matches(route, parts, nullptr) &&
                (best == nullptr || specificity(route) > specificity(*best))) {
                best = &route;
            }
        }
    };
    consider(method);
    if (best == nullptr && method == "HEAD") {
        consider("GET");
    }
    if (best != nullptr) {
        result.kind = Match::Kind::Found;
        result.handler = &best->handler;
        static_cast<void>(matches(*best, parts, &result.params));
        return result;
    }
    for (const auto &route : m_routes) {
        if (matches(route, parts, nullptr)) {
            result.allowedMethods.push_back(route.method);
            if (route.method == "GET") {
                result.allowedMethods.emplace_back("HEAD");
            }
        }
    }
    std::sort(result.allowedMethods.begin(), result.allowedMethods.end());
    result.allowedMethods.erase(
        std::unique(result.allowedMethods.begin(), result.allowedMethods.end()),
        result.allowedMethods.end());
    result.kind =
        result.allowedMethods.empty() ? Match::Kind::NotFound : Match::Kind::MethodNotAllowed;
    return result;
}

std::vector<std::pair<std::string, std::string>> Router::routes() const
{
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(m_routes.size());
    for (const auto &route : m_routes) {
        out.emplace_back(route.method, route.pattern);
    }
    return out;
}

Result<Response> Router::dispatch(Request &request) const
{
    auto found = match(request.method, request.path);
    switch (found.kind) {
    case Match::Kind::Found:
        request.pathParams = std::move(found.params);
        return (*found.handler)(request);
    case Match::Kind::NotFound:
        return fail(ErrorCode::NotFound, "There is nothing at this address.");
    case Match::Kind::MethodNotAllowed: {
        std::string allow;
        for (const auto &m : found.allowedMethods) {
            allow += allow.empty() ? m : ", " + m;
        }
        auto response =
            problemResponse(405, "method_not_allowed",
                            "This address does not accept " + request.method + ".", request);
        response.headers.set("Allow", allow);
        return response;
    }
    }
    return fail(ErrorCode::Internal, "unreachable router state");
}

} // namespace toolhub::server::http
