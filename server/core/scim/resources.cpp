#include "core/scim/resources.h"

#include "toolhub/manifest.h"
#include "toolhub/sha256.h"
#include "toolhub/utf8.h"

#include <algorithm>
#include <array>
#include <chrono>

namespace toolhub::server::scim {

namespace {

constexpr std::size_t maxUserName = 255;
constexpr std::size_t maxDisplayName = 200;
constexpr std::size_t maxExternalId = 255;
constexpr std::size_t maxEmail = 320;
constexpr std::size_t maxShortText = 200;
constexpr std::size_t maxMembers = 100000;

constexpr std::array<std::string_view, 6> nameParts{
    "formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"};

// Valid UTF-8 of 1..`max` bytes without control characters.
bool isPlainText(std::string_view text, std::size_t max)
{
    return isPrintableUtf8(text, max);
}

// A string attribute: none when absent, null or "" (unless required).
ScimResult<std::optional<std::string>> stringAttribute(const nlohmann::json &object,
                                                       std::string_view name, std::size_t max,
                                                       bool required, std::string_view where = {})
{
    const std::string label = std::string{where} + std::string{name};
    const auto *value = member(object, name);
    if (value == nullptr || value->is_null() ||
        (value->is_string() && value->get_ref<const std::string &>().empty())) {
        if (required) {
            return invalidValue(label + " is required");
        }
        return std::optional<std::string>{};
    }
    if (!value->is_string()) {
        return invalidValue(label + " must be a string");
    }
    const auto &text = value->get_ref<const std::string &>();
    if (!isPlainText(text, max)) {
        return invalidValue(label + " must be 1 to " + std::to_string(max) +
                            " bytes of UTF-8 without control characters");
    }
    return std::optional<std::string>{text};
}

ScimResult<std::optional<bool>> booleanAttribute(const nlohmann::json &object,
                                                 std::string_view name)
{
    const auto *value = member(object, name);
    if (value == nullptr || value->is_null()) {
        return std::optional<bool>{};
    }
    if (value->is_boolean()) {
        return std::optional<bool>{value->get<bool>()};
    }
    if (value->is_string() && (sameName(value->get_ref<const std::string &>(), "true") ||
                               sameName(value->get_ref<const std::string &>(), "false"))) {
        return std::optional<bool>{sameName(value->get_ref<const std::string &>(), "true")};
    }
    return invalidValue(std::string{name} + " must be true or false");
}

ScimResult<nlohmann::json> parseEmails(const nlohmann::json &body)
{
    nlohmann::json out = nlohmann::json::array();
    const auto *emails = member(body, "emails");
    if (emails == nullptr || emails->is_null()) {
        return out;
    }
    if (!emails->is_array()) {
        return invalidValue("emails must be an array of {value, type, primary}");
    }
    std::optional<std::size_t> primary;
    for (std::size_t i = 0; i < emails->size(); ++i) {
        const auto &item = (*emails)[i];
        const std::string where = "emails[" + std::to_string(i) + "].";
        if (!item.is_object()) {
            return invalidValue("emails[" + std::to_string(i) + "] must be an object");
        }
        auto value = stringAttribute(item, "value", maxEmail, true, where);
        if (!value) {
            return fail(std::move(value).error());
        }
        const auto at = (*value)->find('@');
        if (at == std::string::npos || at == 0 || at + 1 == (*value)->size() ||
            (*value)->find(' ') != std::string::npos) {
            return invalidValue(where + "value \"" + **value +
                                "\" is not an e-mail address (name@example.com)");
        }
        auto type = stringAttribute(item, "type", 64, false, where);
        if (!type) {
            return fail(std::move(type).error());
        }
        auto isPrimary = booleanAttribute(item, "primary");
        if (!isPrimary) {
            return fail(std::move(isPrimary).error());
        }
        const bool duplicate = std::any_of(out.begin(), out.end(), [&](const auto &have) {
            return sameName(have["value"].template get<std::string>(), **value) &&
                   have.value("type", "") == type->value_or("");
        });
        if (duplicate) {
            continue;
        }
        nlohmann::json email{{"value", **value}};
        if (*type) {
            email["type"] = **type;
        }
        if (isPrimary->value_or(false)) {
            // One primary at most (RFC 7643 2.4): the last one named wins.
            primary = out.size();
        }
        out.push_back(std::move(email));
    }
    if (primary) {
        out[*primary]["primary"] = true;
    }
    return out;
}

std::string timestamp(std::int64_t unixSeconds)
{
    return formatTimestamp(std::chrono::sys_seconds{std::chrono::seconds{unixSeconds}});
}

nlohmann::json withMeta(nlohmann::json resource, std::string_view resourceType,
                        std::int64_t created, std::int64_t lastModified)
{
    const auto version = versionOf(resource);
    resource["meta"] = {{"resourceType", resourceType},
                        {"created", timestamp(created)},
                        {"lastModified", timestamp(std::max(created, lastModified))},
                        {"version", version}};
    return resource;
}

} // namespace

std::string UserAttributes::primaryEmail() const
{
    for (const auto &email : emails) {
        if (email.value("primary", false)) {
            return email["value"].get<std::string>();
        }
    }
    return emails.empty() ? std::string{} : emails.front()["value"].get<std::string>();
}

std::string UserAttributes::effectiveDisplayName() const
{
    std::string out = displayName;
    if (out.empty()) {
        out = name.value("formatted", "");
    }
    if (out.empty()) {
        out = name.value("givenName", "");
        const std::string family = name.value("familyName", "");
        if (!family.empty()) {
            out += (out.empty() ? "" : " ") + family;
        }
    }
    if (out.empty()) {
        out = userName;
    }
    if (out.size() > maxDisplayName) {
        // Cut at a character boundary.
        std::size_t cut = maxDisplayName;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        out.resize(cut);
    }
    return out;
}

ScimResult<UserAttributes> parseUser(const nlohmann::json &body)
{
    if (!body.is_object()) {
        return invalidSyntax("a User is a JSON object");
    }
    UserAttributes user;
    auto userName = stringAttribute(body, "userName", maxUserName, true);
    if (!userName) {
        return fail(std::move(userName).error());
    }
    user.userName = std::move(**userName);
    auto externalId = stringAttribute(body, "externalId", maxExternalId, false);
    if (!externalId) {
        return fail(std::move(externalId).error());
    }
    user.externalId = std::move(*externalId);
    auto displayName = stringAttribute(body, "displayName", maxDisplayName, false);
    if (!displayName) {
        return fail(std::move(displayName).error());
    }
    user.displayName = displayName->value_or("");
    if (const auto *name = member(body, "name"); name != nullptr && !name->is_null()) {
        if (!name->is_object()) {
            return invalidValue("name must be an object (givenName, familyName, ...)");
        }
        for (const auto part : nameParts) {
            auto value = stringAttribute(*name, part, maxShortText, false, "name.");
            if (!value) {
                return fail(std::move(value).error());
            }
            if (*value) {
                user.name[std::string{part}] = **value;
            }
        }
    }
    auto emails = parseEmails(body);
    if (!emails) {
        return fail(std::move(emails).error());
    }
    user.emails = std::move(emails).value();
    auto active = booleanAttribute(body, "active");
    if (!active) {
        return fail(std::move(active).error());
    }
    user.active = *active;
    if (const auto *enterprise = member(body, enterpriseUserSchema);
        enterprise != nullptr && !enterprise->is_null()) {
        if (!enterprise->is_object()) {
            return invalidValue(std::string{enterpriseUserSchema} + " must be an object");
        }
        if (const auto *organization = member(*enterprise, "organization")) {
            if (organization->is_null()) {
                user.organization = std::string{};
            } else if (!organization->is_string()) {
                return invalidValue("organization must be a string: a Toolhub organization slug");
            } else {
                user.organization = organization->get<std::string>();
            }
        }
    }
    return user;
}

ScimResult<GroupAttributes> parseGroup(const nlohmann::json &body)
{
    if (!body.is_object()) {
        return invalidSyntax("a Group is a JSON object");
    }
    GroupAttributes group;
    auto displayName = stringAttribute(body, "displayName", maxDisplayName, true);
    if (!displayName) {
        return fail(std::move(displayName).error());
    }
    group.displayName = std::move(**displayName);
    auto externalId = stringAttribute(body, "externalId", maxExternalId, false);
    if (!externalId) {
        return fail(std::move(externalId).error());
    }
    group.externalId = std::move(*externalId);
    const auto *members = member(body, "members");
    if (members == nullptr || members->is_null()) {
        return group;
    }
    if (!members->is_array()) {
        return invalidValue("members must be an array of {value: <user id>}");
    }
    if (members->size() > maxMembers) {
        return invalidValue("a group has at most " + std::to_string(maxMembers) + " members");
    }
    for (std::size_t i = 0; i < members->size(); ++i) {
        const auto &item = (*members)[i];
        const std::string where = "members[" + std::to_string(i) + "]";
        if (!item.is_object()) {
            return invalidValue(where + " must be an object {value: <user id>}");
        }
        auto value = stringAttribute(item, "value", 64, true, where + ".");
        if (!value) {
            return fail(std::move(value).error());
        }
        if (const auto *type = member(item, "type");
            type != nullptr && type->is_string() && !sameName(type->get<std::string>(), "User")) {
            return invalidValue(where + ": only users can be members of a group");
        }
        if (std::find(group.memberIds.begin(), group.memberIds.end(), **value) ==
            group.memberIds.end()) {
            group.memberIds.push_back(std::move(**value));
        }
    }
    return group;
}

nlohmann::json userJson(const UserView &user)
{
    nlohmann::json out{{"schemas", {userSchema}},
                       {"id", user.id},
                       {"userName", user.userName},
                       {"displayName", user.displayName},
                       {"active", user.active}};
    if (user.externalId) {
        out["externalId"] = *user.externalId;
    }
    if (!user.name.empty()) {
        out["name"] = user.name;
    }
    if (!user.emails.empty()) {
        out["emails"] = user.emails;
    }
    if (!user.groups.empty()) {
        auto &groups = out["groups"] = nlohmann::json::array();
        for (const auto &[id, display] : user.groups) {
            groups.push_back({{"value", id}, {"display", display}, {"type", "direct"}});
        }
    }
    if (!user.organization.empty()) {
        out["schemas"].push_back(enterpriseUserSchema);
        out[std::string{enterpriseUserSchema}] = {{"organization", user.organization}};
    }
    return withMeta(std::move(out), "User", user.created, user.lastModified);
}

nlohmann::json groupJson(const GroupView &group)
{
    nlohmann::json out{{"schemas", {groupSchema}},
                       {"id", group.id},
                       {"displayName", group.displayName},
                       {"members", nlohmann::json::array()}};
    if (group.externalId) {
        out["externalId"] = *group.externalId;
    }
    for (const auto &id : group.memberIds) {
        out["members"].push_back({{"value", id}, {"type", "User"}});
    }
    return withMeta(std::move(out), "Group", group.created, group.lastModified);
}

std::string versionOf(const nlohmann::json &resource)
{
    auto content = resource;
    if (content.is_object()) {
        content.erase("meta");
    }
    return "W/\"" + sha256Hex(content.dump()).substr(0, 20) + "\"";
}

} // namespace toolhub::server::scim
