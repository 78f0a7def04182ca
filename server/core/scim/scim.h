#pragma once

#include "toolhub/result.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

// SCIM 2.0 (RFC 7643 core schema, RFC 7644 protocol): the shared vocabulary of the SCIM module.
namespace toolhub::server::scim {

inline constexpr std::string_view userSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view enterpriseUserSchema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view listResponseSchema =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view patchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr std::string_view errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";

// A SCIM error (RFC 7644 3.12): the HTTP status, the scimType for 400 and 409 answers
// ("invalidFilter", "invalidValue", "uniqueness", "mutability", ...; empty when none applies)
// and a detail a person can act on.
struct ScimError {
    unsigned status = 400;
    std::string scimType;
    std::string detail;
    // For the server's log only, never sent: what failed inside, for 5xx errors.
    std::string cause;

    friend bool operator==(const ScimError &, const ScimError &) = default;
};

template <class T>
using ScimResult = Result<T, ScimError>;

[[nodiscard]] inline Failure<ScimError> scimFail(unsigned status, std::string scimType,
                                                 std::string detail)
{
    return {ScimError{status, std::move(scimType), std::move(detail), {}}};
}
[[nodiscard]] inline Failure<ScimError> invalidValue(std::string detail)
{
    return scimFail(400, "invalidValue", std::move(detail));
}
[[nodiscard]] inline Failure<ScimError> invalidSyntax(std::string detail)
{
    return scimFail(400, "invalidSyntax", std::move(detail));
}

// The SCIM error for an error of another module: 404 for NotFound, 409 uniqueness for
// AlreadyExists, 400 invalidValue for InvalidArgument, 500 (no detail) for the rest.
[[nodiscard]] ScimError toScimError(const Error &error);

// The error response body: {"schemas": [errorSchema], "status": "<status>", "scimType", "detail"}.
[[nodiscard]] nlohmann::json errorJson(const ScimError &error);

// Attribute names are case-insensitive (RFC 7643 2.1).
[[nodiscard]] bool sameName(std::string_view a, std::string_view b) noexcept;
// The member of `object` named `name` in any case; null when absent or `object` is no object.
[[nodiscard]] const nlohmann::json *member(const nlohmann::json &object, std::string_view name);
[[nodiscard]] nlohmann::json *member(nlohmann::json &object, std::string_view name);

} // namespace toolhub::server::scim
