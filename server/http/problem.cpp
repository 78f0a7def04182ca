#include "http/problem.h"

namespace toolhub::server::http {

unsigned httpStatusFor(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return 400;
    case ErrorCode::Unauthenticated:
        return 401;
    case ErrorCode::PermissionDenied:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::AlreadyExists:
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::FailedPrecondition:
        return 412;
    case ErrorCode::PayloadTooLarge:
        return 413;
    case ErrorCode::TooManyRequests:
        return 429;
    case ErrorCode::Unavailable:
        return 503;
    case ErrorCode::Internal:
        return 500;
    }
    return 500;
}

Response problemResponse(unsigned status, std::string_view code, std::string_view detail,
                         const Request &request)
{
    nlohmann::ordered_json body;
    body["type"] = "about:blank";
    body["title"] = statusReason(status);
    body["status"] = status;
    body["detail"] = detail;
    body["instance"] = request.path.empty() ? "/" : request.path;
    body["code"] = code;
    body["request_id"] = request.context.requestId;
    Response response;
    response.status = status;
    response.headers.set("Content-Type", "application/problem+json");
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response problemResponse(const Error &error, const Request &request)
{
    const auto status = httpStatusFor(error.code);
    const std::string_view detail =
        error.code == ErrorCode::Internal
            ? std::string_view{"Something went wrong on the server. Quote the request id when "
                               "reporting it."}
            : std::string_view{error.message};
    return problemResponse(status, errorCodeName(error.code), detail, request);
}

} // namespace toolhub::server::http
