#include "core/identity/identity.h"

#include "core/storage/ids.h"
#include "core/storage/query.h"

#include <algorithm>
#include <chrono>

namespace toolhub::server {

namespace {

constexpr std::size_t maxLogin = 320;
// The data_revisions counter of what users may do (access module), bumped when a user's state or
// organization changes.
constexpr std::string_view accessRevision = "access";
constexpr std::size_t minPassword = 8;
constexpr std::size_t maxPassword = 1024;

bool isSlugChar(char c, bool first)
{
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return first ? alnum : (alnum || c == '.' || c == '_' || c == '-');
}

// Columns selected for a user, in the order readUser() expects.
constexpr std::string_view userColumns =
    "id, organization_id, email, display_name, login, password_hash, disabled, created_at, "
    "session_generation";

struct UserRow {
    User user;
    std::optional<std::string> passwordHash;
};

// Selects one user row by `column = :value`; NotFound when there is none.
Result<UserRow> selectUser(soci::session &session, std::string_view column,
                           const std::string &value)
{
    UserRow row;
    std::string organizationId;
    std::string login;
    std::string passwordHash;
    soci::indicator orgInd = soci::i_null;
    soci::indicator loginInd = soci::i_null;
    soci::indicator hashInd = soci::i_null;
    int disabled = 0;
    long long createdAt = 0;
    long long generation = 0;
    session << "SELECT " << userColumns << " FROM users WHERE " << column << " = :value",
        soci::into(row.user.id), soci::into(organizationId, orgInd), soci::into(row.user.email),
        soci::into(row.user.displayName), soci::into(login, loginInd),
        soci::into(passwordHash, hashInd), soci::into(disabled), soci::into(createdAt),
        soci::into(generation), soci::use(value);
    if (!session.got_data()) {
        return fail(ErrorCode::NotFound, "no such user");
    }
    row.user.organizationId = orgInd == soci::i_ok ? organizationId : std::string{};
    row.user.login = loginInd == soci::i_ok ? login : std::string{};
    if (hashInd == soci::i_ok && !passwordHash.empty()) {
        row.passwordHash = passwordHash;
    }
    row.user.disabled = disabled != 0;
    row.user.createdAt = createdAt;
    row.user.sessionGeneration = generation;
    return row;
}

Result<Organization> selectOrganization(soci::session &session, std::string_view column,
                                        const std::string &value)
{
    Organization org;
    long long createdAt = 0;
    session << "SELECT id, slug, name, created_at FROM organizations WHERE " << column
            << " = :value",
        soci::into(org.id), soci::into(org.slug), soci::into(org.name), soci::into(createdAt),
        soci::use(value);
    if (!session.got_data()) {
        return fail(ErrorCode::NotFound, "no such organization");
    }
    org.createdAt = createdAt;
    return org;
}

} // namespace

Clock systemClock()
{
    return [] {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
}

Result<void> validateSlug(std::string_view slug)
{
    if (slug.empty() || slug.size() > 64 || !isSlugChar(slug.front(), true) ||
        !std::all_of(slug.begin() + 1, slug.end(), [](char c) { return isSlugChar(c, false); })) {
        return fail(ErrorCode::InvalidArgument,
                    "an organization slug is 1 to 64 of a-z, 0-9, '.', '_' and '-', starting "
                    "with a letter or digit");
    }
    return {};
}

Result<std::string> normalizeLogin(std::string_view login)
{
    if (login.empty() || login.size() > maxLogin) {
        return fail(ErrorCode::InvalidArgument, "a login is 1 to 320 characters");
    }
    std::string lower;
    lower.reserve(login.size());
    for (const char c : login) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) {
            return fail(ErrorCode::InvalidArgument,
                        "a login must not contain spaces or control characters");
        }
        lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return lower;
}

Result<void> validatePassword(std::string_view password)
{
    if (password.size() < minPassword || password.size() > maxPassword) {
        return fail(ErrorCode::InvalidArgument, "a password is 8 to 1024 bytes long");
    }
    return {};
}

IdentityStore::IdentityStore(Database &db, Clock clock, PasswordHashCost cost)
    : m_db(db), m_clock(std::move(clock)), m_cost(cost)
{}

const std::string &IdentityStore::dummyHash()
{
    std::call_once(m_dummyOnce, [this] {
        auto hash = hashPassword(randomToken(32), m_cost);
        m_dummyHash = hash ? std::move(hash).value() : std::string{};
    });
    return m_dummyHash;
}

Result<Organization> IdentityStore::createOrganization(std::string_view slug, std::string_view name)
{
    if (auto valid = validateSlug(slug); !valid) {
        return fail(std::move(valid).error());
    }
    if (name.empty() || name.size() > 200) {
        return fail(ErrorCode::InvalidArgument, "an organization name is 1 to 200 characters");
    }
    Organization org{newId(), std::string{slug}, std::string{name}, m_clock()};
    auto created = m_db.withSession([&](soci::session &session) -> Result<Organization> {
        const long long createdAt = org.createdAt;
        session << "INSERT INTO organizations (id, slug, name, created_at) "
                   "VALUES (:id, :slug, :name, :created_at)",
            soci::use(org.id), soci::use(org.slug), soci::use(org.name), soci::use(createdAt);
        return org;
    });
    if (!created && isUniqueViolation(created.error())) {
        return fail(ErrorCode::AlreadyExists,
                    "an organization with the slug \"" + std::string{slug} + "\" exists already");
    }
    return created;
}

Result<Organization> IdentityStore::findOrganization(std::string_view id)
{
    return m_db.withSession(
        [&](soci::session &session) { return selectOrganization(session, "id", std::string{id}); });
}

Result<Organization> IdentityStore::findOrganizationBySlug(std::string_view slug)
{
    return m_db.withSession([&](soci::session &session) {
        return selectOrganization(session, "slug", std::string{slug});
    });
}

Result<User> IdentityStore::createLocalUser(const NewLocalUser &input)
{
    auto login = normalizeLogin(input.login);
    if (!login) {
        return fail(std::move(login).error());
    }
    if (input.displayName.empty() || input.displayName.size() > 200) {
        return fail(ErrorCode::InvalidArgument, "a display name is 1 to 200 characters");
    }
    if (input.email.size() < 3 || input.email.size() > 320 ||
        input.email.find('@') == std::string::npos) {
        return fail(ErrorCode::InvalidArgument, "an e-mail address looks like name@example.com");
    }
    if (auto valid = validatePassword(input.password); !valid) {
        return fail(std::move(valid).error());
    }
    auto hash = hashPassword(input.password, m_cost);
    if (!hash) {
        return fail(std::move(hash).error());
    }
    User user{
        newId(), input.organizationId, input.email, input.displayName, *login, false, m_clock(), 0};
    auto created = m_db.withSession([&](soci::session &session) -> Result<User> {
        if (!user.organizationId.empty()) {
            auto org = selectOrganization(session, "id", user.organizationId);
            if (!org) {
                return fail(std::move(org).error());
            }
        }
        const long long createdAt = user.createdAt;
        soci::indicator orgInd = user.organizationId.empty() ? soci::i_null : soci::i_ok;
        session << "INSERT INTO users (id, organization_id, email, display_name, login, "
                   "password_hash, disabled, created_at) VALUES (:id, :org, :email, :name, "
                   ":login, :hash, 0, :created_at)",
            soci::use(user.id), soci::use(user.organizationId, orgInd), soci::use(user.email),
            soci::use(user.displayName), soci::use(user.login), soci::use(*hash),
            soci::use(createdAt);
        return user;
    });
    if (!created && isUniqueViolation(created.error())) {
        return fail(ErrorCode::AlreadyExists,
                    "a user with the login \"" + user.login + "\" exists already");
    }
    return created;
}

Result<User> IdentityStore::findUser(std::string_view id)
{
    auto row = m_db.withSession(
        [&](soci::session &session) { return selectUser(session, "id", std::string{id}); });
    if (!row) {
        return fail(std::move(row).error());
    }
    return std::move(row)->user;
}

Result<User> IdentityStore::findUserByLogin(std::string_view login)
{
    auto normalized = normalizeLogin(login);
    if (!normalized) {
        return fail(ErrorCode::NotFound, "no such user");
    }
    auto row = m_db.withSession(
        [&](soci::session &session) { return selectUser(session, "login", *normalized); });
    if (!row) {
        return fail(std::move(row).error());
    }
    return std::move(row)->user;
}

namespace {

Result<void> setDisabled(Database &db, std::string_view id, int disabled)
{
    return db.withSession([&](soci::session &session) -> Result<void> {
        const std::string userId{id};
        soci::transaction transaction(session);
        soci::statement statement =
            (session.prepare << "UPDATE users SET disabled = :disabled WHERE id = :id",
             soci::use(disabled), soci::use(userId));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(ErrorCode::NotFound, "no such user");
        }
        db.bumpRevision(session, accessRevision);
        transaction.commit();
        return {};
    });
}

Result<void> validateProfile(const NewExternalUser &input)
{
    if (input.issuer.empty() || input.issuer.size() > 500 || input.subject.empty() ||
        input.subject.size() > 255) {
        return fail(ErrorCode::InvalidArgument,
                    "an external user needs an issuer (1 to 500 characters) and a subject (1 to "
                    "255 characters)");
    }
    if (input.displayName.empty() || input.displayName.size() > 200) {
        return fail(ErrorCode::InvalidArgument, "a display name is 1 to 200 characters");
    }
    if (input.email.size() > 320) {
        return fail(ErrorCode::InvalidArgument, "an e-mail address is at most 320 characters");
    }
    return {};
}

} // namespace

Result<void> IdentityStore::disableUser(std::string_view id)
{
    return setDisabled(m_db, id, 1);
}

Result<void> IdentityStore::enableUser(std::string_view id)
{
    return setDisabled(m_db, id, 0);
}

Result<void> IdentityStore::markSessionsEnded(std::string_view id)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string userId{id};
        soci::transaction transaction(session);
        soci::statement statement =
            (session.prepare << "UPDATE users SET session_generation = session_generation + 1 "
                                "WHERE id = :id",
             soci::use(userId));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(ErrorCode::NotFound, "no such user");
        }
        m_db.bumpRevision(session, accessRevision);
        transaction.commit();
        return {};
    });
}

Result<std::vector<Organization>> IdentityStore::organizations()
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<Organization>> {
        struct OrgRow {
            Organization org;
            long long createdAt = 0;
            void bind(soci::statement &statement)
            {
                statement.exchange(soci::into(org.id));
                statement.exchange(soci::into(org.slug));
                statement.exchange(soci::into(org.name));
                statement.exchange(soci::into(createdAt));
            }
        } row;
        return fetchRows(session,
                         "SELECT id, slug, name, created_at FROM organizations ORDER BY slug", {},
                         row, [](OrgRow &r) {
                             Organization org = r.org;
                             org.createdAt = r.createdAt;
                             return org;
                         });
    });
}

Result<std::vector<User>> IdentityStore::usersOf(std::string_view organizationId)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<User>> {
        struct IdRow {
            std::string id;
            void bind(soci::statement &statement) { statement.exchange(soci::into(id)); }
        } row;
        const auto ids =
            fetchRows(session,
                      "SELECT id FROM users WHERE organization_id = :org ORDER BY "
                      "display_name, id",
                      {{"org", std::string{organizationId}}}, row, [](IdRow &r) { return r.id; });
        std::vector<User> users;
        users.reserve(ids.size());
        for (const auto &id : ids) {
            auto user = selectUser(session, "id", id);
            if (!user) {
                return fail(std::move(user).error());
            }
            users.push_back(std::move(user)->user);
        }
        return users;
    });
}

Result<User> IdentityStore::findExternalUser(std::string_view issuer, std::string_view subject)
{
    return m_db.withSession([&](soci::session &session) -> Result<User> {
        const std::string iss{issuer};
        const std::string sub{subject};
        std::string id;
        session << "SELECT id FROM users WHERE idp_issuer = :iss AND idp_subject = :sub",
            soci::into(id), soci::use(iss), soci::use(sub);
        if (!session.got_data()) {
            return fail(ErrorCode::NotFound, "no such user");
        }
        auto row = selectUser(session, "id", id);
        if (!row) {
            return fail(std::move(row).error());
        }
        return std::move(row)->user;
    });
}

Result<User> IdentityStore::createExternalUser(const NewExternalUser &input)
{
    if (auto valid = validateProfile(input); !valid) {
        return fail(std::move(valid).error());
    }
    User user{newId(), input.organizationId, input.email, input.displayName, {}, false, m_clock(),
              0};
    auto created = m_db.withSession([&](soci::session &session) -> Result<User> {
        if (!user.organizationId.empty()) {
            auto org = selectOrganization(session, "id", user.organizationId);
            if (!org) {
                return fail(std::move(org).error());
            }
        }
        const long long createdAt = user.createdAt;
        soci::indicator orgInd = user.organizationId.empty() ? soci::i_null : soci::i_ok;
        session << "INSERT INTO users (id, organization_id, email, display_name, idp_issuer, "
                   "idp_subject, disabled, created_at) VALUES (:id, :org, :email, :name, :iss, "
                   ":sub, 0, :created_at)",
            soci::use(user.id), soci::use(user.organizationId, orgInd), soci::use(user.email),
            soci::use(user.displayName), soci::use(input.issuer), soci::use(input.subject),
            soci::use(createdAt);
        return user;
    });
    if (!created && isUniqueViolation(created.error())) {
        return fail(ErrorCode::AlreadyExists, "this identity provider's user exists already");
    }
    return created;
}

Result<User> IdentityStore::updateExternalProfile(std::string_view id, const NewExternalUser &input)
{
    if (auto valid = validateProfile(input); !valid) {
        return fail(std::move(valid).error());
    }
    return m_db.withSession([&](soci::session &session) -> Result<User> {
        if (!input.organizationId.empty()) {
            auto org = selectOrganization(session, "id", input.organizationId);
            if (!org) {
                return fail(std::move(org).error());
            }
        }
        const std::string userId{id};
        soci::indicator orgInd = input.organizationId.empty() ? soci::i_null : soci::i_ok;
        soci::transaction transaction(session);
        auto before = selectUser(session, "id", userId);
        if (!before) {
            return fail(std::move(before).error());
        }
        session << "UPDATE users SET organization_id = :org, email = :email, display_name = :name "
                   "WHERE id = :id",
            soci::use(input.organizationId, orgInd), soci::use(input.email),
            soci::use(input.displayName), soci::use(userId);
        const std::string &left = before->user.organizationId;
        if (!left.empty() && left != input.organizationId) {
            // Leaving an organization ends the roles held in it (the access module's grants):
            // its admins could neither see nor remove them once the user is gone.
            session << "DELETE FROM role_grants WHERE user_id = :id AND scope_kind = "
                       "'organization' AND scope_id = :org",
                soci::use(userId), soci::use(left);
        }
        auto row = selectUser(session, "id", userId);
        if (!row) {
            return fail(std::move(row).error());
        }
        m_db.bumpRevision(session, accessRevision);
        transaction.commit();
        return std::move(row)->user;
    });
}

Result<User> IdentityStore::verifyLocalPassword(std::string_view login, std::string_view password)
{
    const Error wrong{ErrorCode::Unauthenticated, "wrong login or password"};
    std::optional<UserRow> row;
    if (auto normalized = normalizeLogin(login)) {
        auto found = m_db.withSession(
            [&](soci::session &session) { return selectUser(session, "login", *normalized); });
        if (found) {
            row = std::move(found).value();
        } else if (found.error().code != ErrorCode::NotFound) {
            return fail(std::move(found).error());
        }
    }
    const bool haveHash = row && row->passwordHash;
    const std::string &hash = haveHash ? *row->passwordHash : dummyHash();
    // Always the same Argon2id work, so timing does not reveal unknown logins.
    const bool matches = password.size() <= maxPassword && verifyPassword(hash, password);
    if (!haveHash || !matches || row->user.disabled) {
        return fail(wrong);
    }
    if (passwordNeedsRehash(hash, m_cost)) {
        if (auto rehashed = hashPassword(password, m_cost)) {
            (void)m_db.withSession([&](soci::session &session) -> Result<void> {
                session << "UPDATE users SET password_hash = :hash WHERE id = :id",
                    soci::use(*rehashed), soci::use(row->user.id);
                return {};
            });
        }
    }
    return std::move(row)->user;
}

} // namespace toolhub::server
