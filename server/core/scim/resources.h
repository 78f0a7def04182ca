#pragma once

#include "core/scim/scim.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace toolhub::server::scim {

// The attributes of a User representation this server keeps (RFC 7643 4.1), validated. Other
// attributes are ignored, as are read-only ones (id, groups, meta).
struct UserAttributes {
    std::string userName;                            // 1..255 characters, no control characters
    std::optional<std::string> externalId;           // none when absent, null or empty
    nlohmann::json name = nlohmann::json::object();  // formatted, familyName, givenName, ...
    std::string displayName;                         // empty when not given
    nlohmann::json emails = nlohmann::json::array(); // {value, type?, primary?}; one primary
    std::optional<bool> active;                      // none when not given
    // The enterprise extension's "organization": a Toolhub organization slug, "" for none; not
    // set when the extension or the attribute is absent.
    std::optional<std::string> organization;

    // The address the identity module keeps: the primary e-mail, else the first; "" when none.
    [[nodiscard]] std::string primaryEmail() const;
    // displayName, else name.formatted, else givenName and familyName, else userName (at most
    // 200 characters, as the identity module keeps).
    [[nodiscard]] std::string effectiveDisplayName() const;
};

// 400 invalidValue (or invalidSyntax for a body that is no object) naming the attribute.
// "active" also takes the strings "true" and "false" in any case, as some clients send them.
[[nodiscard]] ScimResult<UserAttributes> parseUser(const nlohmann::json &body);

struct GroupAttributes {
    std::string displayName; // 1..200 characters
    std::optional<std::string> externalId;
    std::vector<std::string> memberIds; // users only, without duplicates
};

[[nodiscard]] ScimResult<GroupAttributes> parseGroup(const nlohmann::json &body);

// A user as a SCIM User resource shows it.
struct UserView {
    std::string id;
    std::string userName;
    std::optional<std::string> externalId;
    nlohmann::json name = nlohmann::json::object();
    std::string displayName;
    nlohmann::json emails = nlohmann::json::array();
    bool active = true;
    std::string organization;                                // slug; empty: none
    std::vector<std::pair<std::string, std::string>> groups; // id, display name
    std::int64_t created = 0;
    std::int64_t lastModified = 0;
};

struct GroupView {
    std::string id;
    std::string displayName;
    std::optional<std::string> externalId;
    std::vector<std::string> memberIds;
    std::int64_t created = 0;
    std::int64_t lastModified = 0;
};

// The resource with "meta" (resourceType, created, lastModified, version: a weak ETag over the
// resource's content), without meta.location, which the HTTP layer adds.
[[nodiscard]] nlohmann::json userJson(const UserView &user);
[[nodiscard]] nlohmann::json groupJson(const GroupView &group);

// W/"<hash>" over a resource's content (its meta left out).
[[nodiscard]] std::string versionOf(const nlohmann::json &resource);

} // namespace toolhub::server::scim
