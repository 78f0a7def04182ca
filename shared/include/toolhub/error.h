#pragma once

#include <string>
#include <string_view>

namespace toolhub {

// The error codes both sides agree on. The server maps each to one HTTP status in one place;
// the desktop app maps each to words a user understands.
enum class ErrorCode {
    InvalidArgument,    // the request or input is malformed
    NotFound,           // no such object, or not visible to the caller
    AlreadyExists,      // a unique object exists already
    Conflict,           // the object's state forbids the change
    Unauthenticated,    // no valid credentials
    PermissionDenied,   // credentials valid, access not granted
    PayloadTooLarge,    // a body or file over its limit
    TooManyRequests,    // throttled
    FailedPrecondition, // e.g. a migration history that does not match the scripts
    Unavailable,        // a dependency (database, identity provider) cannot be reached
    Internal,           // a bug or an unexpected state
};

// Stable snake_case name of a code, as used in problem+json "code" members and logs.
[[nodiscard]] std::string_view errorCodeName(ErrorCode code) noexcept;

// A code plus a message a person can act on. Messages never contain secrets.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;

    friend bool operator==(const Error &, const Error &) = default;
};

} // namespace toolhub
