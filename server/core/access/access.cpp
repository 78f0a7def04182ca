#include "core/access/access.h"

#include "core/storage/ids.h"
#include "core/storage/query.h"
#include "toolhub/ascii.h"

#include <algorithm>
#include <array>
#include <set>

namespace toolhub::server {

namespace {

// A stored space-separated list (a role's permissions).
std::vector<std::string> splitWords(std::string_view text)
{
    std::vector<std::string> out;
    for (const auto word : ascii::words(text)) {
        out.emplace_back(word);
    }
    return out;
}

constexpr std::string_view manualSource = "manual";
// The data_revisions counter every write here bumps (Database::dataRevision).
constexpr std::string_view revisionCounter = "access";

struct BuiltInRole {
    std::string_view name;
    std::string_view description;
    std::vector<std::string_view> permissions;
};

const std::vector<BuiltInRole> &builtInRoles()
{
    using namespace permission;
    static const std::vector<BuiltInRole> roles{
        {role::customer,
         "A member of a customer organization: the products, documents, downloads and licenses "
         "of the organization.",
         {catalogRead, licensesRead, installationsReport, projectsRead}},
        {role::customerAdmin,
         "Manages the people of a customer organization and its projects.",
         {catalogRead, licensesRead, installationsReport, projectsRead, projectsManage, usersRead,
          orgUsersManage}},
        {role::support,
         "Vendor support: reads customers, their licenses and the audit log, validates serials.",
         {catalogRead, licensesRead, serialsValidate, usersRead, projectsRead, auditRead}},
        {role::catalogManager,
         "Manages products, releases and documents.",
         {catalogRead, catalogManage}},
        {role::admin, "Everything.", {}},
    };
    return roles;
}

const BuiltInRole *findBuiltIn(std::string_view name)
{
    const auto &roles = builtInRoles();
    const auto it = std::find_if(roles.begin(), roles.end(),
                                 [&](const BuiltInRole &r) { return r.name == name; });
    return it == roles.end() ? nullptr : &*it;
}

Role toRole(const BuiltInRole &builtIn)
{
    Role role{std::string{builtIn.name}, std::string{builtIn.description}, {}, true};
    if (builtIn.name == role::admin) {
        for (const auto p : allPermissions()) {
            role.permissions.emplace_back(p);
        }
    } else {
        for (const auto p : builtIn.permissions) {
            role.permissions.emplace_back(p);
        }
    }
    std::sort(role.permissions.begin(), role.permissions.end());
    return role;
}

Result<std::vector<std::string>> normalizePermissions(const std::vector<std::string> &permissions)
{
    std::set<std::string> unique;
    for (const auto &p : permissions) {
        if (!isPermission(p)) {
            return fail(ErrorCode::InvalidArgument, "\"" + p + "\" is not a permission");
        }
        unique.insert(p);
    }
    return std::vector<std::string>(unique.begin(), unique.end());
}

Result<void> validateScope(const Scope &scope)
{
    if ((scope.kind == ScopeKind::Global) != scope.id.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "a global grant has no scope id; an organization or project grant has one");
    }
    if (scope.id.size() > 64) {
        return fail(ErrorCode::InvalidArgument, "a scope id is at most 64 characters");
    }
    return {};
}

Result<void> validateGroupName(std::string_view name)
{
    if (name.empty() || name.size() > 200) {
        return fail(ErrorCode::InvalidArgument, "a group's display name is 1 to 200 characters");
    }
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
        return fail(ErrorCode::InvalidArgument,
                    "a group's display name must not contain control characters");
    }
    return {};
}

Result<void> validateGroupInput(const GroupInput &input)
{
    if (auto valid = validateGroupName(input.displayName); !valid) {
        return valid;
    }
    if (input.externalId.size() > 255) {
        return fail(ErrorCode::InvalidArgument, "an external id is at most 255 characters");
    }
    return {};
}

struct GrantRow {
    std::string role;
    std::string kind;
    std::string id;
    std::string source;
    std::string groupId;
    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(role));
        statement.exchange(soci::into(kind));
        statement.exchange(soci::into(id));
        statement.exchange(soci::into(source));
        statement.exchange(soci::into(groupId));
    }
};

std::optional<UserGrant> toUserGrant(const GrantRow &row)
{
    const auto kind = parseScopeKind(row.kind);
    if (!kind) {
        return std::nullopt;
    }
    return UserGrant{{row.role, {*kind, row.id}}, row.source, row.groupId};
}

// Permissions of every custom role, by name.
Result<std::map<std::string, std::vector<std::string>>> customPermissions(soci::session &session)
{
    struct Row {
        std::string name;
        std::string permissions;
        void bind(soci::statement &statement)
        {
            statement.exchange(soci::into(name));
            statement.exchange(soci::into(permissions));
        }
    } row;
    std::map<std::string, std::vector<std::string>> result;
    for (auto &[name, words] :
         fetchRows(session, "SELECT name, permissions FROM roles", {}, row, [](Row &r) {
             return std::pair{r.name, splitWords(r.permissions)};
         })) {
        result.emplace(std::move(name), std::move(words));
    }
    return result;
}

bool roleExists(soci::session &session, const std::string &name)
{
    if (findBuiltIn(name) != nullptr) {
        return true;
    }
    std::string found;
    session << "SELECT name FROM roles WHERE name = :name", soci::into(found), soci::use(name);
    return session.got_data();
}

Result<Group> loadGroup(soci::session &session, const std::string &id)
{
    Group group;
    long long createdAt = 0;
    long long updatedAt = 0;
    session << "SELECT id, display_name, external_id, created_at, updated_at FROM user_groups "
               "WHERE id = :id",
        soci::into(group.id), soci::into(group.displayName), soci::into(group.externalId),
        soci::into(createdAt), soci::into(updatedAt), soci::use(id);
    if (!session.got_data()) {
        return fail(ErrorCode::NotFound, "no such group");
    }
    group.createdAt = createdAt;
    group.updatedAt = updatedAt;
    struct MemberRow {
        std::string userId;
        void bind(soci::statement &statement) { statement.exchange(soci::into(userId)); }
    } member;
    group.memberIds = fetchRows(session,
                                "SELECT user_id FROM group_members WHERE group_id = :id "
                                "ORDER BY user_id",
                                {{"id", id}}, member, [](MemberRow &r) { return r.userId; });
    struct GrantOnly {
        std::string role;
        std::string kind;
        std::string scopeId;
        void bind(soci::statement &statement)
        {
            statement.exchange(soci::into(role));
            statement.exchange(soci::into(kind));
            statement.exchange(soci::into(scopeId));
        }
    } grant;
    for (auto &g : fetchRows(session,
                             "SELECT role, scope_kind, scope_id FROM group_grants WHERE group_id = "
                             ":id ORDER BY role, scope_kind, scope_id",
                             {{"id", id}}, grant, [](GrantOnly &r) { return r; })) {
        if (const auto kind = parseScopeKind(g.kind)) {
            group.grants.push_back({g.role, {*kind, g.scopeId}});
        }
    }
    return group;
}

Result<void> checkUsersExist(soci::session &session, const std::vector<std::string> &userIds)
{
    for (const auto &userId : userIds) {
        std::string found;
        session << "SELECT id FROM users WHERE id = :id", soci::into(found), soci::use(userId);
        if (!session.got_data()) {
            return fail(ErrorCode::InvalidArgument, "no user has the id \"" + userId + "\"");
        }
    }
    return {};
}

void insertMembers(soci::session &session, const std::string &groupId,
                   const std::vector<std::string> &userIds)
{
    for (const auto &userId : std::set<std::string>(userIds.begin(), userIds.end())) {
        int present = 0;
        session << "SELECT count(*) FROM group_members WHERE group_id = :g AND user_id = :u",
            soci::into(present), soci::use(groupId), soci::use(userId);
        if (present == 0) {
            session << "INSERT INTO group_members (group_id, user_id) VALUES (:g, :u)",
                soci::use(groupId), soci::use(userId);
        }
    }
}

void touchGroup(soci::session &session, const std::string &groupId, long long now)
{
    session << "UPDATE user_groups SET updated_at = :now WHERE id = :id", soci::use(now),
        soci::use(groupId);
}

} // namespace

Result<void> validateRoleName(std::string_view name)
{
    const auto ok = [](char c, bool first) {
        const bool lower = c >= 'a' && c <= 'z';
        return first ? lower
                     : (lower || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-');
    };
    if (name.empty() || name.size() > 64 || !ok(name.front(), true) ||
        !std::all_of(name.begin() + 1, name.end(), [&](char c) { return ok(c, false); })) {
        return fail(ErrorCode::InvalidArgument,
                    "a role name is 1 to 64 of a-z, 0-9, '_', '.' and '-', starting with a letter");
    }
    return {};
}

const std::vector<std::string_view> &allPermissions()
{
    using namespace permission;
    static const std::vector<std::string_view> all{
        catalogRead,           catalogManage, licensesRead,   licensesManage, serialsValidate,
        installationsReport,   usersRead,     usersManage,    orgUsersManage, rolesManage,
        serviceAccountsManage, projectsRead,  projectsManage, importsRun,     auditRead,
        scimProvision};
    return all;
}

bool isPermission(std::string_view name)
{
    const auto &all = allPermissions();
    return std::find(all.begin(), all.end(), name) != all.end();
}

std::string_view scopeKindName(ScopeKind kind) noexcept
{
    switch (kind) {
    case ScopeKind::Global:
        return "global";
    case ScopeKind::Organization:
        return "organization";
    case ScopeKind::Project:
        return "project";
    }
    return "global";
}

std::optional<ScopeKind> parseScopeKind(std::string_view name) noexcept
{
    if (name == "global") {
        return ScopeKind::Global;
    }
    if (name == "organization") {
        return ScopeKind::Organization;
    }
    if (name == "project") {
        return ScopeKind::Project;
    }
    return std::nullopt;
}

bool Authorization::allows(std::string_view permission, const Scope &scope) const
{
    return std::any_of(m_entries.begin(), m_entries.end(), [&](const Entry &e) {
        return e.permission == permission &&
               (e.scope.kind == ScopeKind::Global || e.scope == scope);
    });
}

bool Authorization::allowsGlobally(std::string_view permission) const
{
    return allows(permission, Scope::global());
}

bool Authorization::allowsAnywhere(std::string_view permission) const
{
    return std::any_of(m_entries.begin(), m_entries.end(),
                       [&](const Entry &e) { return e.permission == permission; });
}

std::vector<std::string> Authorization::organizationsWith(std::string_view permission) const
{
    std::set<std::string> ids;
    for (const auto &e : m_entries) {
        if (e.permission == permission && e.scope.kind == ScopeKind::Organization) {
            ids.insert(e.scope.id);
        }
    }
    return {ids.begin(), ids.end()};
}

void Authorization::add(const Scope &scope, std::string_view permission)
{
    if (!allows(permission, scope)) {
        m_entries.push_back({scope, std::string{permission}});
    }
}

AccessControl::AccessControl(Database &db, Clock clock) : m_db(db), m_clock(std::move(clock))
{}

Result<std::vector<Role>> AccessControl::roles()
{
    std::vector<Role> result;
    for (const auto &builtIn : builtInRoles()) {
        result.push_back(toRole(builtIn));
    }
    auto custom = m_db.withSession([&](soci::session &session) -> Result<std::vector<Role>> {
        struct Row {
            Role role;
            std::string permissions;
            void bind(soci::statement &statement)
            {
                statement.exchange(soci::into(role.name));
                statement.exchange(soci::into(role.description));
                statement.exchange(soci::into(permissions));
            }
        } row;
        return fetchRows(session, "SELECT name, description, permissions FROM roles ORDER BY name",
                         {}, row, [](Row &r) {
                             Role role = r.role;
                             role.permissions = splitWords(r.permissions);
                             return role;
                         });
    });
    if (!custom) {
        return fail(std::move(custom).error());
    }
    result.insert(result.end(), custom->begin(), custom->end());
    return result;
}

Result<Role> AccessControl::findRole(std::string_view name)
{
    if (const auto *builtIn = findBuiltIn(name)) {
        return toRole(*builtIn);
    }
    return m_db.withSession([&](soci::session &session) -> Result<Role> {
        const std::string key{name};
        Role role;
        std::string permissions;
        session << "SELECT name, description, permissions FROM roles WHERE name = :name",
            soci::into(role.name), soci::into(role.description), soci::into(permissions),
            soci::use(key);
        if (!session.got_data()) {
            return fail(ErrorCode::NotFound, "no role is called \"" + key + "\"");
        }
        role.permissions = splitWords(permissions);
        return role;
    });
}

Result<Role> AccessControl::createRole(const Role &input)
{
    if (auto valid = validateRoleName(input.name); !valid) {
        return fail(std::move(valid).error());
    }
    if (input.description.size() > 500) {
        return fail(ErrorCode::InvalidArgument, "a role's description is at most 500 characters");
    }
    auto permissions = normalizePermissions(input.permissions);
    if (!permissions) {
        return fail(std::move(permissions).error());
    }
    if (permissions->empty()) {
        return fail(ErrorCode::InvalidArgument, "a role has at least one permission");
    }
    if (findBuiltIn(input.name) != nullptr) {
        return fail(ErrorCode::AlreadyExists, "\"" + input.name + "\" is a built-in role");
    }
    Role role{input.name, input.description, *permissions, false};
    auto created = m_db.withSession([&](soci::session &session) -> Result<Role> {
        const std::string words = ascii::joinWords(role.permissions);
        const long long now = m_clock();
        session << "INSERT INTO roles (name, description, permissions, created_at) VALUES "
                   "(:name, :description, :permissions, :now)",
            soci::use(role.name), soci::use(role.description), soci::use(words), soci::use(now);
        return role;
    });
    if (!created && isUniqueViolation(created.error())) {
        return fail(ErrorCode::AlreadyExists, "a role \"" + role.name + "\" exists already");
    }
    return created;
}

Result<Role> AccessControl::updateRole(std::string_view name, std::string_view description,
                                       const std::vector<std::string> &permissions)
{
    if (findBuiltIn(name) != nullptr) {
        return fail(ErrorCode::FailedPrecondition, "built-in roles cannot be changed");
    }
    if (description.size() > 500) {
        return fail(ErrorCode::InvalidArgument, "a role's description is at most 500 characters");
    }
    auto normalized = normalizePermissions(permissions);
    if (!normalized) {
        return fail(std::move(normalized).error());
    }
    if (normalized->empty()) {
        return fail(ErrorCode::InvalidArgument, "a role has at least one permission");
    }
    return m_db.withSession([&](soci::session &session) -> Result<Role> {
        const std::string key{name};
        const std::string text{description};
        const std::string words = ascii::joinWords(*normalized);
        soci::transaction transaction(session);
        soci::statement statement =
            (session.prepare << "UPDATE roles SET description = :description, permissions = "
                                ":permissions WHERE name = :name",
             soci::use(text), soci::use(words), soci::use(key));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(ErrorCode::NotFound, "no role is called \"" + key + "\"");
        }
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return Role{key, text, *normalized, false};
    });
}

Result<void> AccessControl::deleteRole(std::string_view name)
{
    if (findBuiltIn(name) != nullptr) {
        return fail(ErrorCode::FailedPrecondition, "built-in roles cannot be deleted");
    }
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string key{name};
        soci::transaction transaction(session);
        soci::statement statement =
            (session.prepare << "DELETE FROM roles WHERE name = :name", soci::use(key));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(ErrorCode::NotFound, "no role is called \"" + key + "\"");
        }
        session << "DELETE FROM role_grants WHERE role = :name", soci::use(key);
        session << "DELETE FROM group_grants WHERE role = :name", soci::use(key);
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return {};
    });
}

Result<void> AccessControl::grant(std::string_view userId, const RoleGrant &grant)
{
    if (auto valid = validateScope(grant.scope); !valid) {
        return valid;
    }
    auto granted = m_db.withSession([&](soci::session &session) -> Result<void> {
        if (!roleExists(session, grant.role)) {
            return fail(ErrorCode::NotFound, "no role is called \"" + grant.role + "\"");
        }
        const std::string user{userId};
        std::string found;
        session << "SELECT id FROM users WHERE id = :id", soci::into(found), soci::use(user);
        if (!session.got_data()) {
            return fail(ErrorCode::NotFound, "no such user");
        }
        const std::string kind{scopeKindName(grant.scope.kind)};
        const std::string source{manualSource};
        int present = 0;
        session << "SELECT count(*) FROM role_grants WHERE user_id = :u AND role = :r AND "
                   "scope_kind = :k AND scope_id = :i AND source = :s",
            soci::into(present), soci::use(user), soci::use(grant.role), soci::use(kind),
            soci::use(grant.scope.id), soci::use(source);
        if (present == 0) {
            const long long now = m_clock();
            soci::transaction transaction(session);
            session << "INSERT INTO role_grants (user_id, role, scope_kind, scope_id, source, "
                       "created_at) VALUES (:u, :r, :k, :i, :s, :now)",
                soci::use(user), soci::use(grant.role), soci::use(kind), soci::use(grant.scope.id),
                soci::use(source), soci::use(now);
            m_db.bumpRevision(session, revisionCounter);
            transaction.commit();
        }
        return {};
    });
    if (!granted && isUniqueViolation(granted.error())) {
        return {}; // the same grant, made at the same moment by another request
    }
    return granted;
}

Result<void> AccessControl::revoke(std::string_view userId, const RoleGrant &grant)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string user{userId};
        const std::string kind{scopeKindName(grant.scope.kind)};
        const std::string source{manualSource};
        soci::transaction transaction(session);
        soci::statement statement =
            (session.prepare << "DELETE FROM role_grants WHERE user_id = :u AND role = :r AND "
                                "scope_kind = :k AND scope_id = :i AND source = :s",
             soci::use(user), soci::use(grant.role), soci::use(kind), soci::use(grant.scope.id),
             soci::use(source));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(ErrorCode::NotFound, "the user does not hold this grant");
        }
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return {};
    });
}

Result<std::vector<RoleGrant>> AccessControl::replaceGrants(std::string_view userId,
                                                            std::string_view source,
                                                            const std::vector<RoleGrant> &grants)
{
    if (source.empty() || source.size() > 80 || source == manualSource) {
        return fail(ErrorCode::InvalidArgument, "mapped grants need their own source name");
    }
    for (const auto &grant : grants) {
        if (auto valid = validateScope(grant.scope); !valid) {
            return fail(std::move(valid).error());
        }
    }
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<RoleGrant>> {
        const std::string user{userId};
        const std::string from{source};
        const long long now = m_clock();
        std::vector<RoleGrant> skipped;
        soci::transaction transaction(session);
        session << "DELETE FROM role_grants WHERE user_id = :u AND source = :s", soci::use(user),
            soci::use(from);
        std::vector<RoleGrant> inserted;
        for (const auto &grant : grants) {
            if (!roleExists(session, grant.role)) {
                skipped.push_back(grant);
                continue;
            }
            if (std::find(inserted.begin(), inserted.end(), grant) != inserted.end()) {
                continue;
            }
            inserted.push_back(grant);
            const std::string kind{scopeKindName(grant.scope.kind)};
            session << "INSERT INTO role_grants (user_id, role, scope_kind, scope_id, source, "
                       "created_at) VALUES (:u, :r, :k, :i, :s, :now)",
                soci::use(user), soci::use(grant.role), soci::use(kind), soci::use(grant.scope.id),
                soci::use(from), soci::use(now);
        }
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return skipped;
    });
}

Result<std::vector<UserGrant>> AccessControl::grantsOf(const User &user)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<UserGrant>> {
        std::vector<UserGrant> result;
        if (!user.organizationId.empty()) {
            result.push_back(
                {{std::string{role::customer}, Scope::organization(user.organizationId)},
                 "membership",
                 {}});
        }
        GrantRow row;
        const auto rows = fetchRows(
            session,
            "SELECT role, scope_kind, scope_id, source, '' FROM role_grants WHERE user_id = :u1 "
            "UNION ALL SELECT g.role, g.scope_kind, g.scope_id, 'group', g.group_id FROM "
            "group_grants g JOIN group_members m ON m.group_id = g.group_id WHERE m.user_id = :u2 "
            "ORDER BY 1, 2, 3, 4, 5",
            {{"u1", user.id}, {"u2", user.id}}, row, [](GrantRow &r) { return r; });
        for (const auto &r : rows) {
            if (auto grant = toUserGrant(r)) {
                result.push_back(std::move(*grant));
            }
        }
        return result;
    });
}

Result<Authorization> AccessControl::authorizationOf(const User &user)
{
    Authorization authorization;
    if (user.disabled) {
        return authorization;
    }
    auto grants = grantsOf(user);
    if (!grants) {
        return fail(std::move(grants).error());
    }
    auto custom =
        m_db.withSession([&](soci::session &session) { return customPermissions(session); });
    if (!custom) {
        return fail(std::move(custom).error());
    }
    for (const auto &held : *grants) {
        if (const auto *builtIn = findBuiltIn(held.grant.role)) {
            for (const auto &p : toRole(*builtIn).permissions) {
                authorization.add(held.grant.scope, p);
            }
        } else if (const auto it = custom->find(held.grant.role); it != custom->end()) {
            for (const auto &p : it->second) {
                if (isPermission(p)) {
                    authorization.add(held.grant.scope, p);
                }
            }
        }
    }
    return authorization;
}

Result<Group> AccessControl::createGroup(const GroupInput &input)
{
    if (auto valid = validateGroupInput(input); !valid) {
        return fail(std::move(valid).error());
    }
    auto created = m_db.withSession([&](soci::session &session) -> Result<Group> {
        soci::transaction transaction(session);
        if (auto exist = checkUsersExist(session, input.memberIds); !exist) {
            return fail(std::move(exist).error());
        }
        const std::string id = newId();
        const std::string key = ascii::toLower(input.displayName);
        const long long now = m_clock();
        session << "INSERT INTO user_groups (id, display_name, display_key, external_id, "
                   "created_at, updated_at) VALUES (:id, :name, :key, :external, :now, :now2)",
            soci::use(id), soci::use(input.displayName), soci::use(key),
            soci::use(input.externalId), soci::use(now), soci::use(now);
        insertMembers(session, id, input.memberIds);
        auto group = loadGroup(session, id);
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return group;
    });
    if (!created && isUniqueViolation(created.error())) {
        return fail(ErrorCode::AlreadyExists,
                    "a group \"" + input.displayName + "\" exists already");
    }
    return created;
}

Result<Group> AccessControl::findGroup(std::string_view id)
{
    return m_db.withSession(
        [&](soci::session &session) { return loadGroup(session, std::string{id}); });
}

Result<std::vector<Group>> AccessControl::groups(std::optional<std::string> displayName)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<Group>> {
        struct Row {
            std::string id;
            void bind(soci::statement &statement) { statement.exchange(soci::into(id)); }
        } row;
        const auto ids =
            displayName ? fetchRows(session, "SELECT id FROM user_groups WHERE display_key = :key",
                                    {{"key", ascii::toLower(*displayName)}}, row,
                                    [](Row &r) { return r.id; })
                        : fetchRows(session, "SELECT id FROM user_groups ORDER BY display_key", {},
                                    row, [](Row &r) { return r.id; });
        std::vector<Group> result;
        for (const auto &id : ids) {
            auto group = loadGroup(session, id);
            if (!group) {
                return fail(std::move(group).error());
            }
            result.push_back(std::move(group).value());
        }
        return result;
    });
}

Result<Group> AccessControl::replaceGroup(std::string_view id, const GroupInput &input)
{
    if (auto valid = validateGroupInput(input); !valid) {
        return fail(std::move(valid).error());
    }
    auto replaced = m_db.withSession([&](soci::session &session) -> Result<Group> {
        const std::string groupId{id};
        soci::transaction transaction(session);
        if (auto existing = loadGroup(session, groupId); !existing) {
            return fail(std::move(existing).error());
        }
        if (auto exist = checkUsersExist(session, input.memberIds); !exist) {
            return fail(std::move(exist).error());
        }
        const std::string key = ascii::toLower(input.displayName);
        const long long now = m_clock();
        session << "UPDATE user_groups SET display_name = :name, display_key = :key, external_id "
                   "= :external, updated_at = :now WHERE id = :id",
            soci::use(input.displayName), soci::use(key), soci::use(input.externalId),
            soci::use(now), soci::use(groupId);
        session << "DELETE FROM group_members WHERE group_id = :id", soci::use(groupId);
        insertMembers(session, groupId, input.memberIds);
        auto group = loadGroup(session, groupId);
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return group;
    });
    if (!replaced && isUniqueViolation(replaced.error())) {
        return fail(ErrorCode::AlreadyExists,
                    "a group \"" + input.displayName + "\" exists already");
    }
    return replaced;
}

Result<Group> AccessControl::renameGroup(std::string_view id, std::string_view displayName)
{
    auto group = findGroup(id);
    if (!group) {
        return group;
    }
    return replaceGroup(id, {std::string{displayName}, group->externalId, group->memberIds});
}

Result<void> AccessControl::addMembers(std::string_view id, const std::vector<std::string> &userIds)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string groupId{id};
        soci::transaction transaction(session);
        if (auto existing = loadGroup(session, groupId); !existing) {
            return fail(std::move(existing).error());
        }
        if (auto exist = checkUsersExist(session, userIds); !exist) {
            return exist;
        }
        insertMembers(session, groupId, userIds);
        touchGroup(session, groupId, m_clock());
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return {};
    });
}

Result<void> AccessControl::removeMembers(std::string_view id,
                                          const std::vector<std::string> &userIds)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string groupId{id};
        soci::transaction transaction(session);
        if (auto existing = loadGroup(session, groupId); !existing) {
            return fail(std::move(existing).error());
        }
        for (const auto &userId : userIds) {
            session << "DELETE FROM group_members WHERE group_id = :g AND user_id = :u",
                soci::use(groupId), soci::use(userId);
        }
        touchGroup(session, groupId, m_clock());
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return {};
    });
}

Result<void> AccessControl::deleteGroup(std::string_view id)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string groupId{id};
        soci::transaction transaction(session);
        session << "DELETE FROM group_members WHERE group_id = :id", soci::use(groupId);
        session << "DELETE FROM group_grants WHERE group_id = :id", soci::use(groupId);
        soci::statement statement =
            (session.prepare << "DELETE FROM user_groups WHERE id = :id", soci::use(groupId));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(ErrorCode::NotFound, "no such group");
        }
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return {};
    });
}

Result<void> AccessControl::setGroupGrants(std::string_view id,
                                           const std::vector<RoleGrant> &grants)
{
    for (const auto &grant : grants) {
        if (auto valid = validateScope(grant.scope); !valid) {
            return valid;
        }
    }
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string groupId{id};
        soci::transaction transaction(session);
        if (auto existing = loadGroup(session, groupId); !existing) {
            return fail(std::move(existing).error());
        }
        session << "DELETE FROM group_grants WHERE group_id = :id", soci::use(groupId);
        std::vector<RoleGrant> inserted;
        for (const auto &grant : grants) {
            if (!roleExists(session, grant.role)) {
                return fail(ErrorCode::NotFound, "no role is called \"" + grant.role + "\"");
            }
            if (std::find(inserted.begin(), inserted.end(), grant) != inserted.end()) {
                continue;
            }
            inserted.push_back(grant);
            const std::string kind{scopeKindName(grant.scope.kind)};
            session << "INSERT INTO group_grants (group_id, role, scope_kind, scope_id) VALUES "
                       "(:g, :r, :k, :i)",
                soci::use(groupId), soci::use(grant.role), soci::use(kind),
                soci::use(grant.scope.id);
        }
        touchGroup(session, groupId, m_clock());
        m_db.bumpRevision(session, revisionCounter);
        transaction.commit();
        return {};
    });
}

Result<std::vector<Group>> AccessControl::groupsOf(std::string_view userId)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<Group>> {
        struct Row {
            std::string id;
            void bind(soci::statement &statement) { statement.exchange(soci::into(id)); }
        } row;
        const auto ids = fetchRows(session,
                                   "SELECT m.group_id FROM group_members m JOIN user_groups g ON "
                                   "g.id = m.group_id WHERE m.user_id = :u ORDER BY g.display_key",
                                   {{"u", std::string{userId}}}, row, [](Row &r) { return r.id; });
        std::vector<Group> result;
        for (const auto &id : ids) {
            auto group = loadGroup(session, id);
            if (!group) {
                return fail(std::move(group).error());
            }
            result.push_back(std::move(group).value());
        }
        return result;
    });
}

} // namespace toolhub::server
