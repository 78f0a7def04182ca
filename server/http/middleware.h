#pragma once

#include "core/logging/logger.h"
#include "http/message.h"
#include "toolhub/result.h"

#include <functional>
#include <vector>

namespace toolhub::server::http {

using Next = std::function<Result<Response>(Request &)>;
using Middleware = std::function<Result<Response>(Request &, const Next &)>;

// An ordered chain of middleware around a terminal handler (normally the router). The first
// added runs outermost. Whatever error escapes the chain still becomes a problem response.
class Pipeline {
public:
    void use(Middleware middleware);
    [[nodiscard]] Response handle(Request &request, const Next &terminal) const;

private:
    [[nodiscard]] Result<Response> run(std::size_t index, Request &request,
                                       const Next &terminal) const;
    std::vector<Middleware> m_middleware;
};

// Gives the request its id (X-Request-ID kept when it is sane, made otherwise, echoed on the
// response) and its trace context (W3C traceparent continued when valid, started otherwise).
[[nodiscard]] Middleware requestContext();

// One ECS access log line per request, with method, path, status, size, duration and ids.
[[nodiscard]] Middleware accessLog(const Logger &logger);

// Typed errors and escaped exceptions become RFC 9457 problem responses (http/problem.h).
// Internal errors are logged with their message; the client sees only the request id.
[[nodiscard]] Middleware errorMapping(const Logger &logger);

// Exposed for tests: parse a traceparent header value into trace id and parent span id.
struct TraceParent {
    std::string traceId;
    std::string parentId;
    std::string flags;
};
[[nodiscard]] std::optional<TraceParent> parseTraceParent(std::string_view value);
[[nodiscard]] bool isAcceptableRequestId(std::string_view value);

} // namespace toolhub::server::http
