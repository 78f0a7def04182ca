#pragma once

#include "http/message.h"
#include "toolhub/result.h"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace toolhub::server::http {

using Handler = std::function<Result<Response>(Request &)>;

// Maps method + path pattern to a handler. Patterns are literal segments and `{name}`
// parameters, e.g. "/api/v1/tools/{tool}/releases/{version}"; a parameter matches one
// non-empty segment. Literal segments win over parameters. HEAD falls back to GET.
class Router {
public:
    void add(std::string method, std::string_view pattern, Handler handler);

    struct Match {
        enum class Kind { Found, NotFound, MethodNotAllowed } kind = Kind::NotFound;
        const Handler *handler = nullptr;
        std::map<std::string, std::string> params;
        std::vector<std::string> allowedMethods; // for MethodNotAllowed
    };
    [[nodiscard]] Match match(std::string_view method, std::string_view path) const;

    // Dispatches `request` (sets its path parameters); 404 and 405 become problem responses.
    [[nodiscard]] Result<Response> dispatch(Request &request) const;

    // The registered routes as (method, pattern), in registration order.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> routes() const;

private:
    struct Segment {
        std::string text;
        bool parameter = false;
    };
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<Segment> segments;
        Handler handler;
    };
    [[nodiscard]] static bool matches(const Route &route,
                                      const std::vector<std::string_view> &parts,
                                      std::map<std::string, std::string> *params);
    [[nodiscard]] static int specificity(const Route &route);

    std::vector<Route> m_routes;
};

} // namespace toolhub::server::http
