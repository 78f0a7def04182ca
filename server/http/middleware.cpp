#include "http/middleware.h"

#include "http/problem.h"

#include <algorithm>
#include <exception>
#include <random>

namespace toolhub::server::http {

namespace {

constexpr std::size_t maxRequestIdLength = 128;

std::string randomHex(std::size_t bytes)
{
    // Ids for correlation, not secrets: a per-thread generator seeded from the OS is enough.
    thread_local std::mt19937_64 generator{[] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device()};
        return std::mt19937_64{seed};
    }()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes * 2);
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
        if (i % 8 == 0) {
            word = generator();
        }
        const auto byte = static_cast<unsigned>(word & 0xffU);
        word >>= 8U;
        text += digits[byte >> 4U];
        text += digits[byte & 0xfU];
    }
    return text;
}

bool isLowerHex(std::string_view text)
{
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool allZero(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

} // namespace

void Pipeline::use(Middleware middleware)
{
    m_middleware.push_back(std::move(middleware));
}

Result<Response> Pipeline::run(std::size_t index, Request &request, const Next &terminal) const
{
    if (index == m_middleware.size()) {
        return terminal(request);
    }
    const Next next = [this, index, &terminal](Request &r) { return run(index + 1, r, terminal); };
    return m_middleware[index](request, next);
}

Response Pipeline::handle(Request &request, const Next &terminal) const
{
    auto result = run(0, request, terminal);
    if (result) {
        return std::move(result).value();
    }
    return problemResponse(result.error(), request);
}

bool isAcceptableRequestId(std::string_view value)
{
    return !value.empty() && value.size() <= maxRequestIdLength &&
           std::all_of(value.begin(), value.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' ||
                      c == '=';
           });
}

std::optional<TraceParent> parseTraceParent(std::string_view value)
{
    // version "-" trace-id "-" parent-id "-" trace-flags, e.g.
    // 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
    if (value.size() < 55 || value[2] != '-' || value[35] != '-' || value[52] != '-') {
        return std::nullopt;
    }
    const auto version = value.substr(0, 2);
    if (!isLowerHex(version) || version == "ff") {
        return std::nullopt;
    }
    // Version 00 has exactly these fields; later versions may append "-..." fields.
    if (version == "00" ? value.size() != 55 : (value.size() > 55 && value[55] != '-')) {
        return std::nullopt;
    }
    TraceParent parsed{std::string{value.substr(3, 32)}, std::string{value.substr(36, 16)},
                       std::string{value.substr(53, 2)}};
    if (!isLowerHex(parsed.traceId) || !isLowerHex(parsed.parentId) || !isLowerHex(parsed.flags) ||
        allZero(parsed.traceId) || allZero(parsed.parentId)) {
        return std::nullopt;
    }
    return parsed;
}

Middleware requestContext()
{
    return [](Request &request, const Next &next) -> Result<Response> {
        auto &context = request.context;
        if (context.started == std::chrono::steady_clock::time_point{}) {
            context.started = std::chrono::steady_clock::now();
        }
        const auto sent = request.headers.get("X-Request-ID");
        context.requestId =
            sent && isAcceptableRequestId(*sent) ? std::string{*sent} : randomHex(16);
        const auto traceparent = request.headers.get("traceparent");
        const auto parsed = traceparent && request.headers.count("traceparent") == 1
                                ? parseTraceParent(*traceparent)
                                : std::nullopt;
        if (parsed) {
            context.traceId = parsed->traceId;
            context.parentSpanId = parsed->parentId;
        } else {
            context.traceId = randomHex(16);
            context.parentSpanId.clear();
        }
        context.spanId = randomHex(8);

        auto result = next(request);
        if (result) {
            result->headers.set("X-Request-ID", context.requestId);
        }
        return result;
    };
}

Middleware accessLog(const Logger &logger)
{
    return [&logger](Request &request, const Next &next) -> Result<Response> {
        auto result = next(request);
        if (!logger.enabled(LogLevel::Info)) {
            return result;
        }
        const auto &context = request.context;
        const auto elapsed = std::chrono::steady_clock::now() - context.started;
        nlohmann::json fields{
            {"event.dataset", "toolhub.access"},
            {"http.request.method", request.method},
            {"url.path", request.path},
            {"http.response.status_code",
             result ? result->status : httpStatusFor(result.error().code)},
            {"http.response.body.bytes", result ? result->bodySize() : 0},
            {"event.duration",
             std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()},
            {"client.ip", context.clientAddress},
        };
        if (!context.parentSpanId.empty()) {
            fields["parent.id"] = context.parentSpanId;
        }
        if (const auto agent = request.headers.get("User-Agent")) {
            fields["user_agent.original"] = *agent;
        }
        logger.info("request", context.logFields(std::move(fields)));
        return result;
    };
}

Middleware errorMapping(const Logger &logger)
{
    return [&logger](Request &request, const Next &next) -> Result<Response> {
        try {
            auto result = next(request);
            if (result) {
                return result;
            }
            if (result.error().code == ErrorCode::Internal) {
                logger.error(result.error().message,
                             request.context.logFields({{"error.code", "internal"}}));
            }
            return problemResponse(result.error(), request);
        } catch (const std::exception &e) {
            logger.error(e.what(), request.context.logFields({{"error.type", "exception"}}));
        } catch (...) {
            logger.error("unknown exception", request.context.logFields());
        }
        return problemResponse(Error{ErrorCode::Internal, {}}, request);
    };
}

} // namespace toolhub::server::http
