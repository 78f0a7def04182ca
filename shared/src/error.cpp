#include "toolhub/error.h"

namespace toolhub {

std::string_view errorCodeName(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid_argument";
    case ErrorCode::NotFound:
        return "not_found";
    case ErrorCode::AlreadyExists:
        return "already_exists";
    case ErrorCode::Conflict:
        return "conflict";
    case ErrorCode::Unauthenticated:
        return "unauthenticated";
    case ErrorCode::PermissionDenied:
        return "permission_denied";
    case ErrorCode::PayloadTooLarge:
        return "payload_too_large";
    case ErrorCode::TooManyRequests:
        return "too_many_requests";
    case ErrorCode::FailedPrecondition:
        return "failed_precondition";
    case ErrorCode::Unavailable:
        return "unavailable";
    case ErrorCode::Internal:
        return "internal";
    }
    return "internal";
}

} // namespace toolhub
