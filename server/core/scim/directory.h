#pragma once

#include "core/access/access.h"
#include "core/auth/auth_module.h"
#include "core/identity/identity.h"
#include "core/scim/filter.h"
#include "core/scim/resources.h"
#include "core/scim/scim.h"
#include "core/storage/database.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::scim {

// Which attribute of a provisioned user is the `sub` its identity provider signs it in with.
enum class SubjectAttribute { UserName, ExternalId };

struct DirectorySettings {
    // The OpenID Connect issuer of the provisioned users: a user provisioned with userName
    // "jane@corp.example" is the user that issuer later signs in with sub "jane@corp.example"
    // (or with sub = externalId, per `subject`). Empty: users cannot be provisioned (501).
    std::string issuer;
    SubjectAttribute subject = SubjectAttribute::UserName;
    // The organization slug of users whose enterprise extension names none; empty: none.
    std::string organization;
};

struct ListQuery {
    std::optional<Filter> filter;
    std::size_t startIndex = 1; // 1-based
    std::size_t count = 100;
};

struct ListPage {
    std::size_t totalResults = 0;
    std::size_t startIndex = 1;
    std::vector<nlohmann::json> resources;
};

// SCIM provisioning over the identity and access modules: Users are identity users (created as
// external users of the configured issuer), Groups are access-control groups. Keeps what SCIM
// knows beyond them (userName, externalId, name, e-mail list) in its own table, scim_users.
//
// Every user can be read, filtered by userName and changed by id, including users SCIM did not
// create (a local account's userName is its login): a client may take over users that exist.
// Deleting a user disables it, ends its sessions, removes it from its groups and hides it from
// SCIM; the identity row stays for the history that names it. A later POST of the same
// identity brings it back.
class Directory {
public:
    Directory(Database &db, AuthModule &auth, AccessControl &access, DirectorySettings settings,
              Clock clock);

    // The resources returned carry meta without location.
    [[nodiscard]] ScimResult<nlohmann::json> createUser(const nlohmann::json &body);
    [[nodiscard]] ScimResult<nlohmann::json> user(std::string_view id);
    [[nodiscard]] ScimResult<ListPage> users(const ListQuery &query);
    [[nodiscard]] ScimResult<nlohmann::json> replaceUser(std::string_view id,
                                                         const nlohmann::json &body);
    [[nodiscard]] ScimResult<nlohmann::json> patchUser(std::string_view id,
                                                       const nlohmann::json &body);
    [[nodiscard]] ScimResult<void> deleteUser(std::string_view id);

    [[nodiscard]] ScimResult<nlohmann::json> createGroup(const nlohmann::json &body);
    [[nodiscard]] ScimResult<nlohmann::json> group(std::string_view id);
    [[nodiscard]] ScimResult<ListPage> groups(const ListQuery &query);
    [[nodiscard]] ScimResult<nlohmann::json> replaceGroup(std::string_view id,
                                                          const nlohmann::json &body);
    [[nodiscard]] ScimResult<nlohmann::json> patchGroup(std::string_view id,
                                                        const nlohmann::json &body);
    [[nodiscard]] ScimResult<void> deleteGroup(std::string_view id);

    [[nodiscard]] const DirectorySettings &settings() const { return m_settings; }

    struct Row; // a scim_users row

private:
    [[nodiscard]] ScimResult<std::optional<Row>> rowOf(std::string_view userId);
    [[nodiscard]] ScimResult<nlohmann::json> render(const User &user,
                                                    const std::optional<Row> &row);
    [[nodiscard]] ScimResult<nlohmann::json> renderId(std::string_view id);
    [[nodiscard]] ScimResult<std::string> organizationId(std::string_view slug);
    [[nodiscard]] ScimResult<void> checkUserNameFree(std::string_view userName,
                                                     std::string_view exceptUserId);
    [[nodiscard]] ScimResult<void> store(const Row &row);
    [[nodiscard]] ScimResult<nlohmann::json> update(const User &user, const std::optional<Row> &row,
                                                    const UserAttributes &input);
    [[nodiscard]] ScimResult<std::vector<std::string>> candidates(const ListQuery &query,
                                                                  std::size_t *total);

    Database &m_db;
    AuthModule &m_auth;
    AccessControl &m_access;
    DirectorySettings m_settings;
    Clock m_clock;
};

} // namespace toolhub::server::scim
