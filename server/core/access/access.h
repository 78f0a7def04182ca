#pragma once

#include "core/identity/identity.h"
#include "core/storage/database.h"
#include "toolhub/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// Named capabilities. Routes ask for one of these, never for a role.
namespace permission {
inline constexpr std::string_view catalogRead = "catalog.read";
inline constexpr std::string_view catalogManage = "catalog.manage";
inline constexpr std::string_view licensesRead = "licenses.read";
inline constexpr std::string_view licensesManage = "licenses.manage";
inline constexpr std::string_view serialsValidate = "serials.validate";
inline constexpr std::string_view installationsReport = "installations.report";
inline constexpr std::string_view usersRead = "users.read";
inline constexpr std::string_view usersManage = "users.manage";
inline constexpr std::string_view orgUsersManage = "org.users.manage";
inline constexpr std::string_view rolesManage = "roles.manage";
inline constexpr std::string_view serviceAccountsManage = "service_accounts.manage";
inline constexpr std::string_view projectsRead = "projects.read";
inline constexpr std::string_view projectsManage = "projects.manage";
inline constexpr std::string_view importsRun = "imports.run";
inline constexpr std::string_view auditRead = "audit.read";
inline constexpr std::string_view scimProvision = "scim.provision";
} // namespace permission

// A role name is 1..64 of a-z, 0-9, '_', '.' and '-', starting with a letter.
[[nodiscard]] Result<void> validateRoleName(std::string_view name);

// Every permission there is, in a stable order.
[[nodiscard]] const std::vector<std::string_view> &allPermissions();
[[nodiscard]] bool isPermission(std::string_view name);

// Where a role is held: everywhere, within one organization, or within one project.
enum class ScopeKind { Global, Organization, Project };
struct Scope {
    ScopeKind kind = ScopeKind::Global;
    std::string id; // organization or project id; empty for Global

    [[nodiscard]] static Scope global() { return {}; }
    [[nodiscard]] static Scope organization(std::string id)
    {
        return {ScopeKind::Organization, std::move(id)};
    }
    [[nodiscard]] static Scope project(std::string id)
    {
        return {ScopeKind::Project, std::move(id)};
    }
    friend bool operator==(const Scope &, const Scope &) = default;
};
// "global", "organization", "project".
[[nodiscard]] std::string_view scopeKindName(ScopeKind kind) noexcept;
[[nodiscard]] std::optional<ScopeKind> parseScopeKind(std::string_view name) noexcept;

// Built-in role names. Every member of an organization holds `customer` there without a grant.
namespace role {
inline constexpr std::string_view customer = "customer";
inline constexpr std::string_view customerAdmin = "customer_admin";
inline constexpr std::string_view support = "support";
inline constexpr std::string_view catalogManager = "catalog_manager";
inline constexpr std::string_view admin = "admin";
} // namespace role

struct Role {
    std::string name; // [a-z][a-z0-9_.-]{0,63}
    std::string description;
    std::vector<std::string> permissions; // sorted, each from allPermissions()
    bool builtIn = false;
};

struct RoleGrant {
    std::string role;
    Scope scope;
    friend bool operator==(const RoleGrant &, const RoleGrant &) = default;
};

// A grant a user holds, and where it comes from: "manual" (an administrator), "oidc:<provider>",
// "ldap" (the mapping rules at each sign-in), "group" (through a group, named by groupId), or
// "membership" (the implicit customer role in the user's organization).
struct UserGrant {
    RoleGrant grant;
    std::string source;
    std::string groupId;
};

// A set of users (provisioned by SCIM or made by an administrator) whose members all hold the
// group's grants.
struct Group {
    std::string id;
    std::string displayName; // 1..200 characters, unique
    std::string externalId;  // the provisioning client's id; may be empty
    std::vector<std::string> memberIds;
    std::vector<RoleGrant> grants;
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;
};

struct GroupInput {
    std::string displayName;
    std::string externalId;
    std::vector<std::string> memberIds;
};

// What one caller may do: the permissions it holds globally, per organization and per project.
class Authorization {
public:
    // A global grant covers every scope; an organization or project grant covers only itself.
    [[nodiscard]] bool allows(std::string_view permission, const Scope &scope) const;
    [[nodiscard]] bool allowsGlobally(std::string_view permission) const;
    // In any scope at all (to decide between 403 and a scoped answer).
    [[nodiscard]] bool allowsAnywhere(std::string_view permission) const;
    // The organizations in which `permission` is held (not counting a global grant).
    [[nodiscard]] std::vector<std::string> organizationsWith(std::string_view permission) const;

    void add(const Scope &scope, std::string_view permission);

private:
    struct Entry {
        Scope scope;
        std::string permission;
    };
    std::vector<Entry> m_entries;
};

// The access module: roles, grants and groups, and the only code that reads or writes their
// tables. Knows users and organizations only by id.
class AccessControl {
public:
    AccessControl(Database &db, Clock clock);

    [[nodiscard]] Result<std::vector<Role>> roles();
    // NotFound for an unknown role.
    [[nodiscard]] Result<Role> findRole(std::string_view name);
    // A custom role. InvalidArgument for a bad name or an unknown permission; AlreadyExists.
    [[nodiscard]] Result<Role> createRole(const Role &role);
    // FailedPrecondition for a built-in role.
    [[nodiscard]] Result<Role> updateRole(std::string_view name, std::string_view description,
                                          const std::vector<std::string> &permissions);
    // Removes a custom role and every grant of it; FailedPrecondition for a built-in role.
    [[nodiscard]] Result<void> deleteRole(std::string_view name);

    // Grants and revokes by hand (source "manual"). NotFound for an unknown role;
    // InvalidArgument for a scope without an id, or an id with a global scope.
    [[nodiscard]] Result<void> grant(std::string_view userId, const RoleGrant &grant);
    [[nodiscard]] Result<void> revoke(std::string_view userId, const RoleGrant &grant);
    // Makes the grants from `source` (e.g. "oidc:corp", "ldap") exactly `grants`; the others
    // stay. Grants naming an unknown role are skipped and returned, so a mapping rule that names
    // a deleted role does not lock the user out.
    [[nodiscard]] Result<std::vector<RoleGrant>>
    replaceGrants(std::string_view userId, std::string_view source,
                  const std::vector<RoleGrant> &grants);
    // Every grant the user holds: the implicit membership, direct ones and those of groups.
    [[nodiscard]] Result<std::vector<UserGrant>> grantsOf(const User &user);

    // The data revision under which a user's state and authorization may be cached.
    [[nodiscard]] Result<std::int64_t> revision() { return m_db.dataRevision(); }

    // The permissions of a user: none when disabled.
    [[nodiscard]] Result<Authorization> authorizationOf(const User &user);

    // Groups. InvalidArgument for a bad name or an unknown member; AlreadyExists for a taken
    // display name.
    [[nodiscard]] Result<Group> createGroup(const GroupInput &input);
    [[nodiscard]] Result<Group> findGroup(std::string_view id);
    // Ordered by display name; `displayName` filters on an exact (case-insensitive) match.
    [[nodiscard]] Result<std::vector<Group>> groups(std::optional<std::string> displayName = {});
    [[nodiscard]] Result<Group> replaceGroup(std::string_view id, const GroupInput &input);
    [[nodiscard]] Result<Group> renameGroup(std::string_view id, std::string_view displayName);
    [[nodiscard]] Result<void> addMembers(std::string_view id,
                                          const std::vector<std::string> &userIds);
    [[nodiscard]] Result<void> removeMembers(std::string_view id,
                                             const std::vector<std::string> &userIds);
    [[nodiscard]] Result<void> deleteGroup(std::string_view id);
    [[nodiscard]] Result<void> setGroupGrants(std::string_view id,
                                              const std::vector<RoleGrant> &grants);
    // The groups the user is a member of.
    [[nodiscard]] Result<std::vector<Group>> groupsOf(std::string_view userId);

private:
    Database &m_db;
    Clock m_clock;
};

} // namespace toolhub::server
