#include "core/scim/scim.h"

#include "toolhub/ascii.h"

#include <algorithm>

namespace toolhub::server::scim {

ScimError toScimError(const Error &error)
{
    switch (error.code) {
    case ErrorCode::NotFound:
        return {404, "", error.message, {}};
    case ErrorCode::AlreadyExists:
        return {409, "uniqueness", error.message, {}};
    case ErrorCode::InvalidArgument:
        return {400, "invalidValue", error.message, {}};
    case ErrorCode::Conflict:
        return {409, "", error.message, {}};
    case ErrorCode::Unauthenticated:
        return {401, "", error.message, {}};
    case ErrorCode::PermissionDenied:
        return {403, "", error.message, {}};
    case ErrorCode::PayloadTooLarge:
        return {413, "", error.message, {}};
    case ErrorCode::TooManyRequests:
        return {429, "", error.message, {}};
    case ErrorCode::Unavailable:
        return {503, "", "A service this server depends on is not available; try again later.",
                error.message};
    case ErrorCode::FailedPrecondition:
    case ErrorCode::Internal:
        break;
    }
    return {500, "", "Something went wrong on the server.", error.message};
}

nlohmann::json errorJson(const ScimError &error)
{
    nlohmann::json body{{"schemas", {errorSchema}}, {"status", std::to_string(error.status)}};
    if (!error.scimType.empty()) {
        body["scimType"] = error.scimType;
    }
    if (!error.detail.empty()) {
        body["detail"] = error.detail;
    }
    return body;
}

bool sameName(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii::toLower(x) == ascii::toLower(y);
           });
}

const nlohmann::json *member(const nlohmann::json &object, std::string_view name)
{
    if (!object.is_object()) {
        return nullptr;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (sameName(it.key(), name)) {
            return &it.value();
        }
    }
    return nullptr;
}

nlohmann::json *member(nlohmann::json &object, std::string_view name)
{
    return const_cast<nlohmann::json *>(member(std::as_const(object), name));
}

} // namespace toolhub::server::scim
