#include "core/scim/directory.h"

#include "toolhub/ascii.h"

#include "core/scim/patch.h"
#include "core/storage/query.h"

#include <algorithm>

namespace toolhub::server::scim {

struct Directory::Row {
    std::string userId;
    std::string userName;
    std::optional<std::string> externalId;
    nlohmann::json attributes = nlohmann::json::object(); // "name", "emails"
    std::int64_t version = 0;
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;
    bool deleted = false;
};

namespace {

using Row = Directory::Row;

constexpr std::string_view rowColumns =
    "user_id, user_name, external_id, attributes, version, created_at, updated_at, deleted_at";

struct RowBinding {
    std::string userId;
    std::string userName;
    std::string externalId;
    soci::indicator externalIdIndicator = soci::i_null;
    std::string attributes;
    long long version = 0;
    long long createdAt = 0;
    long long updatedAt = 0;
    long long deletedAt = 0;
    soci::indicator deletedAtIndicator = soci::i_null;

    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(userId));
        statement.exchange(soci::into(userName));
        statement.exchange(soci::into(externalId, externalIdIndicator));
        statement.exchange(soci::into(attributes));
        statement.exchange(soci::into(version));
        statement.exchange(soci::into(createdAt));
        statement.exchange(soci::into(updatedAt));
        statement.exchange(soci::into(deletedAt, deletedAtIndicator));
    }

    Row take() const
    {
        Row row;
        row.userId = userId;
        row.userName = userName;
        if (externalIdIndicator == soci::i_ok) {
            row.externalId = externalId;
        }
        row.attributes = nlohmann::json::parse(attributes, nullptr, false);
        if (!row.attributes.is_object()) {
            row.attributes = nlohmann::json::object();
        }
        row.version = version;
        row.createdAt = createdAt;
        row.updatedAt = updatedAt;
        row.deleted = deletedAtIndicator == soci::i_ok;
        return row;
    }
};

std::vector<Row> selectRows(soci::session &session, std::string_view where, const QueryBinds &binds)
{
    RowBinding binding;
    return fetchRows(session,
                     "SELECT " + std::string{rowColumns} + " FROM scim_users WHERE " +
                         std::string{where},
                     binds, binding, [](RowBinding &b) { return b.take(); });
}

ScimError internal(const Error &error)
{
    return toScimError(error);
}

ListPage pageOf(std::vector<nlohmann::json> resources, const ListQuery &query)
{
    ListPage page;
    page.totalResults = resources.size();
    page.startIndex = query.startIndex;
    const auto first = std::min(resources.size(), query.startIndex - 1);
    const auto last = std::min(resources.size(), first + query.count);
    for (auto i = first; i < last; ++i) {
        page.resources.push_back(std::move(resources[i]));
    }
    return page;
}

GroupView viewOf(const Group &group)
{
    GroupView view;
    view.id = group.id;
    view.displayName = group.displayName;
    if (!group.externalId.empty()) {
        view.externalId = group.externalId;
    }
    view.memberIds = group.memberIds;
    view.created = group.createdAt;
    view.lastModified = group.updatedAt;
    return view;
}

// The resource without its meta, as a PATCH starts from.
nlohmann::json withoutMeta(nlohmann::json resource)
{
    resource.erase("meta");
    return resource;
}

} // namespace

Directory::Directory(Database &db, AuthModule &auth, AccessControl &access,
                     DirectorySettings settings, Clock clock)
    : m_db(db), m_auth(auth), m_access(access), m_settings(std::move(settings)),
      m_clock(std::move(clock))
{}

ScimResult<std::optional<Row>> Directory::rowOf(std::string_view userId)
{
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<Row>> {
        return selectRows(session, "user_id = :id", {{"id", std::string{userId}}});
    });
    if (!rows) {
        return fail(internal(rows.error()));
    }
    if (rows->empty()) {
        return std::optional<Row>{};
    }
    return std::optional<Row>{std::move(rows->front())};
}

ScimResult<void> Directory::store(const Row &row)
{
    const std::string key = row.deleted ? std::string{} : ascii::toLower(row.userName);
    soci::indicator keyIndicator = row.deleted ? soci::i_null : soci::i_ok;
    const std::string externalId = row.externalId.value_or("");
    soci::indicator externalIdIndicator = row.externalId ? soci::i_ok : soci::i_null;
    const std::string attributes = row.attributes.dump();
    const long long version = row.version;
    const long long createdAt = row.createdAt;
    const long long updatedAt = row.updatedAt;
    const long long deletedAt = row.deleted ? row.updatedAt : 0;
    soci::indicator deletedIndicator = row.deleted ? soci::i_ok : soci::i_null;
    auto stored = m_db.withSession([&](soci::session &session) -> Result<void> {
        try {
            session << "INSERT INTO scim_users (user_id, user_name, user_name_key, external_id, "
                       "attributes, version, created_at, updated_at, deleted_at) VALUES "
                       "(:user_id, :user_name, :user_name_key, :external_id, :attributes, "
                       ":version, :created_at, :updated_at, :deleted_at) "
                       "ON CONFLICT (user_id) DO UPDATE SET user_name = excluded.user_name, "
                       "user_name_key = excluded.user_name_key, "
                       "external_id = excluded.external_id, attributes = excluded.attributes, "
                       "version = excluded.version, updated_at = excluded.updated_at, "
                       "deleted_at = excluded.deleted_at",
                soci::use(row.userId, "user_id"), soci::use(row.userName, "user_name"),
                soci::use(key, keyIndicator, "user_name_key"),
                soci::use(externalId, externalIdIndicator, "external_id"),
                soci::use(attributes, "attributes"), soci::use(version, "version"),
                soci::use(createdAt, "created_at"), soci::use(updatedAt, "updated_at"),
                soci::use(deletedAt, deletedIndicator, "deleted_at");
        } catch (const soci::soci_error &e) {
            if (m_db.constraintViolation(e) == Database::Violation::Unique) {
                return fail(ErrorCode::AlreadyExists,
                            "the userName \"" + row.userName + "\" is taken");
            }
            throw;
        }
        return {};
    });
    if (!stored) {
        return fail(toScimError(stored.error()));
    }
    return {};
}

namespace {

// The userName of a user SCIM has no row for: a local account's login, else its e-mail.
std::string defaultUserName(const User &user)
{
    if (!user.login.empty()) {
        return user.login;
    }
    return user.email.empty() ? user.id : user.email;
}

} // namespace

ScimResult<nlohmann::json> Directory::render(const User &user, const std::optional<Row> &row)
{
    UserView view;
    view.id = user.id;
    view.userName = row ? row->userName : defaultUserName(user);
    if (row) {
        view.externalId = row->externalId;
        if (const auto it = row->attributes.find("name");
            it != row->attributes.end() && it->is_object()) {
            view.name = *it;
        }
    }
    view.displayName = user.displayName;
    view.active = !user.disabled;
    // The e-mail list as provisioned while it still holds the address the identity module
    // keeps (which sign-in may have changed since); otherwise that address alone.
    const auto stored =
        row ? row->attributes.value("emails", nlohmann::json::array()) : nlohmann::json::array();
    const bool current =
        stored.is_array() && std::any_of(stored.begin(), stored.end(), [&](const auto &email) {
            return email.is_object() && sameName(email.value("value", ""), user.email);
        });
    if (current) {
        view.emails = stored;
    } else if (!user.email.empty()) {
        view.emails =
            nlohmann::json::array({{{"value", user.email}, {"type", "work"}, {"primary", true}}});
    }
    if (!user.organizationId.empty()) {
        auto organization = m_auth.identity().findOrganization(user.organizationId);
        if (!organization) {
            return fail(internal(organization.error()));
        }
        view.organization = organization->slug;
    }
    auto groups = m_access.groupsOf(user.id);
    if (!groups) {
        return fail(internal(groups.error()));
    }
    for (const auto &group : *groups) {
        view.groups.emplace_back(group.id, group.displayName);
    }
    view.created = user.createdAt;
    view.lastModified = row ? row->updatedAt : user.createdAt;
    return userJson(view);
}

ScimResult<nlohmann::json> Directory::renderId(std::string_view id)
{
    auto user = m_auth.identity().findUser(id);
    if (!user) {
        return fail(toScimError(user.error()));
    }
    auto row = rowOf(id);
    if (!row) {
        return fail(std::move(row).error());
    }
    if (*row && (*row)->deleted) {
        return scimFail(404, "", "no such user");
    }
    return render(*user, *row);
}

ScimResult<std::string> Directory::organizationId(std::string_view slug)
{
    if (slug.empty()) {
        return std::string{};
    }
    auto organization = m_auth.identity().findOrganizationBySlug(slug);
    if (!organization) {
        if (organization.error().code == ErrorCode::NotFound) {
            return invalidValue("organization \"" + std::string{slug} +
                                "\" is not the slug of a Toolhub organization");
        }
        return fail(internal(organization.error()));
    }
    return organization->id;
}

ScimResult<void> Directory::checkUserNameFree(std::string_view userName,
                                              std::string_view exceptUserId)
{
    auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<Row>> {
        return selectRows(session, "user_name_key = :key", {{"key", ascii::toLower(userName)}});
    });
    if (!rows) {
        return fail(internal(rows.error()));
    }
    const auto taken = [&](const std::string &id) {
        return scimFail(409, "uniqueness",
                        "the userName \"" + std::string{userName} + "\" is taken (user " + id +
                            ")");
    };
    for (const auto &row : *rows) {
        if (row.userId != exceptUserId) {
            return taken(row.userId);
        }
    }
    // A local account's login is its userName.
    auto local = m_auth.identity().findUserByLogin(userName);
    if (local && local->id != exceptUserId) {
        auto row = rowOf(local->id);
        if (!row) {
            return fail(std::move(row).error());
        }
        if (!*row || (!(*row)->deleted && sameName((*row)->userName, userName))) {
            return taken(local->id);
        }
    } else if (!local && local.error().code != ErrorCode::NotFound) {
        return fail(internal(local.error()));
    }
    return {};
}

ScimResult<nlohmann::json> Directory::update(const User &user, const std::optional<Row> &row,
                                             const UserAttributes &input)
{
    const std::string currentName = row ? row->userName : defaultUserName(user);
    const bool external = user.login.empty();
    if (input.userName != currentName) {
        if (external && m_settings.subject == SubjectAttribute::UserName) {
            return scimFail(400, "mutability",
                            "userName cannot change from \"" + currentName +
                                "\": it is the subject the identity provider signs the user in "
                                "with");
        }
        if (auto free = checkUserNameFree(input.userName, user.id); !free) {
            return fail(std::move(free).error());
        }
    }
    if (external && m_settings.subject == SubjectAttribute::ExternalId && row && row->externalId &&
        input.externalId != row->externalId) {
        return scimFail(400, "mutability",
                        "externalId cannot change from \"" + *row->externalId +
                            "\": it is the subject the identity provider signs the user in with");
    }
    std::string organization = user.organizationId;
    if (input.organization) {
        auto id = organizationId(*input.organization);
        if (!id) {
            return fail(std::move(id).error());
        }
        organization = std::move(id).value();
    }
    const auto displayName = input.effectiveDisplayName();
    const auto email = input.primaryEmail();
    if (displayName != user.displayName || email != user.email ||
        organization != user.organizationId) {
        // updateExternalProfile() changes name, e-mail and organization only, of any user;
        // issuer and subject are checked for form but not written.
        NewExternalUser profile;
        profile.organizationId = organization;
        profile.issuer = m_settings.issuer.empty() ? std::string{"scim"} : m_settings.issuer;
        profile.subject = input.userName;
        profile.displayName = displayName;
        profile.email = email;
        auto updated = m_auth.identity().updateExternalProfile(user.id, profile);
        if (!updated) {
            return fail(toScimError(updated.error()));
        }
    }
    const auto now = m_clock();
    Row next;
    if (row) {
        next = *row;
    } else {
        next.userId = user.id;
        next.createdAt = now;
    }
    next.userName = input.userName;
    next.externalId = input.externalId;
    next.attributes = {{"name", input.name}, {"emails", input.emails}};
    next.version += 1;
    next.updatedAt = now;
    next.deleted = false;
    if (auto stored = store(next); !stored) {
        return fail(std::move(stored).error());
    }
    if (input.active && *input.active == user.disabled) {
        auto changed =
            *input.active ? m_auth.identity().enableUser(user.id) : m_auth.disableUser(user.id);
        if (!changed) {
            return fail(toScimError(changed.error()));
        }
    }
    return renderId(user.id);
}

ScimResult<nlohmann::json> Directory::createUser(const nlohmann::json &body)
{
    auto input = parseUser(body);
    if (!input) {
        return fail(std::move(input).error());
    }
    if (!input->active) {
        input->active = true;
    }
    if (m_settings.issuer.empty()) {
        return scimFail(501, "",
                        "users cannot be provisioned before scim_issuer names the identity "
                        "provider they sign in with");
    }
    std::string subject = input->userName;
    if (m_settings.subject == SubjectAttribute::ExternalId) {
        if (!input->externalId) {
            return invalidValue("externalId is required: it is the subject the identity "
                                "provider signs the user in with");
        }
        subject = *input->externalId;
    }
    if (auto free = checkUserNameFree(input->userName, {}); !free) {
        return fail(std::move(free).error());
    }
    auto existing = m_auth.identity().findExternalUser(m_settings.issuer, subject);
    if (existing) {
        auto row = rowOf(existing->id);
        if (!row) {
            return fail(std::move(row).error());
        }
        if (!*row || !(*row)->deleted) {
            return scimFail(409, "uniqueness",
                            "the identity provider's user \"" + subject +
                                "\" exists already (user " + existing->id + ")");
        }
        // Deleted through SCIM before: the same person comes back.
        Row revived = **row;
        revived.userName = input->userName;
        revived.externalId = input->externalId;
        revived.deleted = false;
        if (!input->organization) {
            input->organization = m_settings.organization;
        }
        return update(*existing, revived, *input);
    }
    if (existing.error().code != ErrorCode::NotFound) {
        return fail(internal(existing.error()));
    }
    auto organization = organizationId(input->organization.value_or(m_settings.organization));
    if (!organization) {
        return fail(std::move(organization).error());
    }
    NewExternalUser profile;
    profile.organizationId = *organization;
    profile.issuer = m_settings.issuer;
    profile.subject = subject;
    profile.displayName = input->effectiveDisplayName();
    profile.email = input->primaryEmail();
    auto created = m_auth.identity().createExternalUser(profile);
    if (!created) {
        return fail(toScimError(created.error()));
    }
    const auto now = m_clock();
    Row row;
    row.userId = created->id;
    row.userName = input->userName;
    row.externalId = input->externalId;
    row.attributes = {{"name", input->name}, {"emails", input->emails}};
    row.version = 1;
    row.createdAt = now;
    row.updatedAt = now;
    auto stored = store(row);
    if (!stored || !*input->active) {
        // Without its row (a concurrent POST took the userName) the user must not sign in.
        if (auto disabled = m_auth.disableUser(created->id); !disabled) {
            return fail(toScimError(disabled.error()));
        }
    }
    if (!stored) {
        return fail(std::move(stored).error());
    }
    return renderId(created->id);
}

ScimResult<nlohmann::json> Directory::user(std::string_view id)
{
    return renderId(id);
}

ScimResult<std::vector<std::string>> Directory::candidates(const ListQuery &query,
                                                           std::size_t *total)
{
    std::vector<std::string> ids;
    const auto rowsWhere = [&](std::string_view where,
                               const QueryBinds &binds) -> ScimResult<std::vector<std::string>> {
        auto rows = m_db.withSession([&](soci::session &session) -> Result<std::vector<Row>> {
            return selectRows(session, where, binds);
        });
        if (!rows) {
            return fail(internal(rows.error()));
        }
        std::vector<std::string> out;
        for (const auto &row : *rows) {
            out.push_back(row.userId);
        }
        return out;
    };
    if (!query.filter) {
        // A page of the provisioned users, counted and cut in the database.
        struct Count {
            long long count = 0;
            void bind(soci::statement &statement) { statement.exchange(soci::into(count)); }
        } countRow;
        struct Id {
            std::string id;
            void bind(soci::statement &statement) { statement.exchange(soci::into(id)); }
        } idRow;
        auto page =
            m_db.withSession([&](soci::session &session) -> Result<std::vector<std::string>> {
                const auto counts =
                    fetchRows(session, "SELECT count(*) FROM scim_users WHERE deleted_at IS NULL",
                              {}, countRow, [](Count &c) { return c.count; });
                *total = counts.empty() ? 0 : static_cast<std::size_t>(counts.front());
                if (query.count == 0) {
                    return std::vector<std::string>{};
                }
                return fetchRows(session,
                                 "SELECT user_id FROM scim_users WHERE deleted_at IS NULL ORDER BY "
                                 "created_at, user_id LIMIT " +
                                     std::to_string(query.count) + " OFFSET " +
                                     std::to_string(query.startIndex - 1),
                                 {}, idRow, [](Id &r) { return r.id; });
            });
        if (!page) {
            return fail(internal(page.error()));
        }
        return std::move(page).value();
    }
    if (const auto userName = equalityValue(*query.filter, "userName")) {
        auto found = rowsWhere("user_name_key = :key", {{"key", ascii::toLower(*userName)}});
        if (!found || !found->empty()) {
            return found;
        }
        // Users SCIM has not seen yet: a local account by its login, or a user who signed in
        // through the issuer with this subject.
        std::optional<User> user;
        bool adopt = false;
        if (auto local = m_auth.identity().findUserByLogin(*userName)) {
            user = std::move(local).value();
        } else if (local.error().code != ErrorCode::NotFound) {
            return fail(internal(local.error()));
        } else if (!m_settings.issuer.empty() && m_settings.subject == SubjectAttribute::UserName) {
            auto external = m_auth.identity().findExternalUser(m_settings.issuer, *userName);
            if (external) {
                user = std::move(external).value();
                adopt = true;
            } else if (external.error().code != ErrorCode::NotFound) {
                return fail(internal(external.error()));
            }
        }
        if (!user) {
            return ids;
        }
        auto row = rowOf(user->id);
        if (!row) {
            return fail(std::move(row).error());
        }
        if (*row) {
            // Deleted, or known under another userName.
            return ids;
        }
        if (adopt) {
            // From now on this user is known under the subject it signs in with.
            const auto now = m_clock();
            Row adopted;
            adopted.userId = user->id;
            adopted.userName = *userName;
            adopted.version = 1;
            adopted.createdAt = now;
            adopted.updatedAt = now;
            if (auto stored = store(adopted); !stored) {
                return fail(std::move(stored).error());
            }
        }
        ids.push_back(user->id);
        return ids;
    }
    if (const auto externalId = equalityValue(*query.filter, "externalId")) {
        return rowsWhere("external_id = :external_id AND deleted_at IS NULL",
                         {{"external_id", *externalId}});
    }
    if (const auto id = equalityValue(*query.filter, "id")) {
        ids.push_back(*id);
        return ids;
    }
    return rowsWhere("deleted_at IS NULL ORDER BY created_at, user_id", {});
}

ScimResult<ListPage> Directory::users(const ListQuery &query)
{
    std::size_t total = 0;
    auto ids = candidates(query, &total);
    if (!ids) {
        return fail(std::move(ids).error());
    }
    std::vector<nlohmann::json> resources;
    for (const auto &id : *ids) {
        auto resource = renderId(id);
        if (!resource) {
            if (resource.error().status == 404) {
                continue; // gone meanwhile
            }
            return fail(std::move(resource).error());
        }
        if (!query.filter || matches(*query.filter, *resource)) {
            resources.push_back(std::move(resource).value());
        }
    }
    if (!query.filter) {
        ListPage page;
        page.totalResults = total;
        page.startIndex = query.startIndex;
        page.resources = std::move(resources);
        return page;
    }
    return pageOf(std::move(resources), query);
}

namespace {

// Provisioning manages the people of customer organizations, never the vendor's staff: a user
// holding any global role is refused (a SCIM token could otherwise disable, move or take over an
// administrator).
ScimResult<void> provisionable(AccessControl &access, const User &user)
{
    auto grants = access.grantsOf(user);
    if (!grants) {
        return fail(internal(grants.error()));
    }
    for (const auto &held : *grants) {
        if (held.grant.scope.kind == ScopeKind::Global) {
            return scimFail(403, "",
                            "this user holds roles beyond any organization and is not "
                            "managed through SCIM");
        }
    }
    return {};
}

} // namespace

ScimResult<nlohmann::json> Directory::replaceUser(std::string_view id, const nlohmann::json &body)
{
    auto input = parseUser(body);
    if (!input) {
        return fail(std::move(input).error());
    }
    auto user = m_auth.identity().findUser(id);
    if (!user) {
        return fail(toScimError(user.error()));
    }
    if (auto allowed = provisionable(m_access, *user); !allowed) {
        return fail(std::move(allowed).error());
    }
    auto row = rowOf(id);
    if (!row) {
        return fail(std::move(row).error());
    }
    if (*row && (*row)->deleted) {
        return scimFail(404, "", "no such user");
    }
    return update(*user, *row, *input);
}

ScimResult<nlohmann::json> Directory::patchUser(std::string_view id, const nlohmann::json &body)
{
    auto operations = parsePatchRequest(body);
    if (!operations) {
        return fail(std::move(operations).error());
    }
    auto user = m_auth.identity().findUser(id);
    if (!user) {
        return fail(toScimError(user.error()));
    }
    if (auto allowed = provisionable(m_access, *user); !allowed) {
        return fail(std::move(allowed).error());
    }
    auto row = rowOf(id);
    if (!row) {
        return fail(std::move(row).error());
    }
    if (*row && (*row)->deleted) {
        return scimFail(404, "", "no such user");
    }
    auto current = render(*user, *row);
    if (!current) {
        return current;
    }
    auto resource = withoutMeta(std::move(current).value());
    if (auto applied = applyPatch(resource, *operations); !applied) {
        return fail(std::move(applied).error());
    }
    auto input = parseUser(resource);
    if (!input) {
        return fail(std::move(input).error());
    }
    return update(*user, *row, *input);
}

ScimResult<void> Directory::deleteUser(std::string_view id)
{
    auto user = m_auth.identity().findUser(id);
    if (!user) {
        return fail(toScimError(user.error()));
    }
    if (auto allowed = provisionable(m_access, *user); !allowed) {
        return fail(std::move(allowed).error());
    }
    auto row = rowOf(id);
    if (!row) {
        return fail(std::move(row).error());
    }
    if (*row && (*row)->deleted) {
        return scimFail(404, "", "no such user");
    }
    if (auto disabled = m_auth.disableUser(id); !disabled) {
        return fail(toScimError(disabled.error()));
    }
    auto groups = m_access.groupsOf(id);
    if (!groups) {
        return fail(internal(groups.error()));
    }
    for (const auto &group : *groups) {
        if (auto removed = m_access.removeMembers(group.id, {std::string{id}}); !removed) {
            return fail(toScimError(removed.error()));
        }
    }
    Row gone;
    if (*row) {
        gone = **row;
    } else {
        gone.userId = user->id;
        gone.userName = defaultUserName(*user);
        gone.createdAt = m_clock();
    }
    gone.deleted = true;
    gone.version += 1;
    gone.updatedAt = m_clock();
    return store(gone);
}

ScimResult<nlohmann::json> Directory::createGroup(const nlohmann::json &body)
{
    auto input = parseGroup(body);
    if (!input) {
        return fail(std::move(input).error());
    }
    auto created = m_access.createGroup(
        {input->displayName, input->externalId.value_or(""), input->memberIds});
    if (!created) {
        return fail(toScimError(created.error()));
    }
    return groupJson(viewOf(*created));
}

ScimResult<nlohmann::json> Directory::group(std::string_view id)
{
    auto found = m_access.findGroup(id);
    if (!found) {
        return fail(toScimError(found.error()));
    }
    return groupJson(viewOf(*found));
}

ScimResult<ListPage> Directory::groups(const ListQuery &query)
{
    std::optional<std::string> displayName;
    if (query.filter) {
        displayName = equalityValue(*query.filter, "displayName");
    }
    auto all = m_access.groups(displayName);
    if (!all) {
        return fail(internal(all.error()));
    }
    std::vector<nlohmann::json> resources;
    for (const auto &group : *all) {
        auto resource = groupJson(viewOf(group));
        if (!query.filter || matches(*query.filter, resource)) {
            resources.push_back(std::move(resource));
        }
    }
    return pageOf(std::move(resources), query);
}

ScimResult<nlohmann::json> Directory::replaceGroup(std::string_view id, const nlohmann::json &body)
{
    auto input = parseGroup(body);
    if (!input) {
        return fail(std::move(input).error());
    }
    auto replaced = m_access.replaceGroup(
        id, {input->displayName, input->externalId.value_or(""), input->memberIds});
    if (!replaced) {
        return fail(toScimError(replaced.error()));
    }
    return groupJson(viewOf(*replaced));
}

ScimResult<nlohmann::json> Directory::patchGroup(std::string_view id, const nlohmann::json &body)
{
    auto operations = parsePatchRequest(body);
    if (!operations) {
        return fail(std::move(operations).error());
    }
    auto found = m_access.findGroup(id);
    if (!found) {
        return fail(toScimError(found.error()));
    }
    auto resource = withoutMeta(groupJson(viewOf(*found)));
    if (auto applied = applyPatch(resource, *operations); !applied) {
        return fail(std::move(applied).error());
    }
    auto input = parseGroup(resource);
    if (!input) {
        return fail(std::move(input).error());
    }
    if (input->displayName != found->displayName ||
        input->externalId.value_or("") != found->externalId) {
        auto replaced = m_access.replaceGroup(
            id, {input->displayName, input->externalId.value_or(""), input->memberIds});
        if (!replaced) {
            return fail(toScimError(replaced.error()));
        }
        return groupJson(viewOf(*replaced));
    }
    // Only members changed: add and remove just those, so that concurrent changes to other
    // members are kept.
    const auto &before = found->memberIds;
    const auto &after = input->memberIds;
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::copy_if(after.begin(), after.end(), std::back_inserter(added), [&](const auto &member) {
        return std::find(before.begin(), before.end(), member) == before.end();
    });
    std::copy_if(before.begin(), before.end(), std::back_inserter(removed),
                 [&](const auto &member) {
                     return std::find(after.begin(), after.end(), member) == after.end();
                 });
    if (!added.empty()) {
        if (auto done = m_access.addMembers(id, added); !done) {
            return fail(toScimError(done.error()));
        }
    }
    if (!removed.empty()) {
        if (auto done = m_access.removeMembers(id, removed); !done) {
            return fail(toScimError(done.error()));
        }
    }
    return group(id);
}

ScimResult<void> Directory::deleteGroup(std::string_view id)
{
    if (auto deleted = m_access.deleteGroup(id); !deleted) {
        return fail(toScimError(deleted.error()));
    }
    return {};
}

} // namespace toolhub::server::scim
