#include "core/access/service_accounts.h"

#include "core/access/access.h"
#include "core/storage/ids.h"
#include "core/storage/query.h"
#include "toolhub/ascii.h"
#include "toolhub/crypto.h"
#include "toolhub/sha256.h"

#include <algorithm>
#include <set>

namespace toolhub::server {

namespace {

constexpr std::string_view tokenPrefix = "thsa_";
constexpr std::size_t secretChars = 43; // 32 random bytes, base64url without padding
// A token's last use is written at most this often.
constexpr std::int64_t lastUseGranularity = 60;

Result<void> validateAccountName(std::string_view name)
{
    const auto ok = [](char c, bool first) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        return first ? alnum : (alnum || c == '.' || c == '_' || c == '-');
    };
    if (name.empty() || name.size() > 64 || !ok(name.front(), true) ||
        !std::all_of(name.begin() + 1, name.end(), [&](char c) { return ok(c, false); })) {
        return fail(ErrorCode::InvalidArgument,
                    "a service account name is 1 to 64 of a-z, 0-9, '.', '_' and '-', starting "
                    "with a letter or digit");
    }
    return {};
}

struct AccountRow {
    ServiceAccount account;
    int disabled = 0;
    long long createdAt = 0;
    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(account.id));
        statement.exchange(soci::into(account.name));
        statement.exchange(soci::into(account.description));
        statement.exchange(soci::into(disabled));
        statement.exchange(soci::into(createdAt));
    }
    ServiceAccount take() const
    {
        ServiceAccount result = account;
        result.disabled = disabled != 0;
        result.createdAt = createdAt;
        return result;
    }
};

constexpr std::string_view accountColumns = "id, name, description, disabled, created_at";

Result<ServiceAccount> selectAccount(soci::session &session, std::string_view column,
                                     const std::string &value)
{
    AccountRow row;
    auto rows = fetchRows(session,
                          "SELECT " + std::string{accountColumns} +
                              " FROM service_accounts WHERE " + std::string{column} + " = :value",
                          {{"value", value}}, row, [](AccountRow &r) { return r.take(); });
    if (rows.empty()) {
        return fail(ErrorCode::NotFound, "no such service account");
    }
    return rows.front();
}

struct TokenRow {
    ServiceToken token;
    std::string scopes;
    long long createdAt = 0;
    long long expiresAt = 0;
    long long revokedAt = 0;
    long long lastUsedAt = 0;
    soci::indicator revokedInd = soci::i_null;
    soci::indicator lastUsedInd = soci::i_null;
    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(token.id));
        statement.exchange(soci::into(token.accountId));
        statement.exchange(soci::into(token.name));
        statement.exchange(soci::into(scopes));
        statement.exchange(soci::into(createdAt));
        statement.exchange(soci::into(expiresAt));
        statement.exchange(soci::into(revokedAt, revokedInd));
        statement.exchange(soci::into(lastUsedAt, lastUsedInd));
    }
    ServiceToken take() const
    {
        ServiceToken result = token;
        for (const auto scope : ascii::words(scopes)) {
            result.scopes.emplace_back(scope);
        }
        result.createdAt = createdAt;
        result.expiresAt = expiresAt;
        result.revokedAt = revokedInd == soci::i_ok ? revokedAt : 0;
        result.lastUsedAt = lastUsedInd == soci::i_ok ? lastUsedAt : 0;
        return result;
    }
};

constexpr std::string_view tokenColumns =
    "id, account_id, name, scopes, created_at, expires_at, revoked_at, last_used_at";

} // namespace

const std::vector<std::string_view> &serviceScopes()
{
    using namespace permission;
    static const std::vector<std::string_view> scopes{catalogRead,  licensesRead, serialsValidate,
                                                      usersRead,    importsRun,   auditRead,
                                                      scimProvision};
    return scopes;
}

bool isServiceTokenForm(std::string_view bearer) noexcept
{
    if (bearer.size() != tokenPrefix.size() + secretChars || !bearer.starts_with(tokenPrefix)) {
        return false;
    }
    return std::all_of(bearer.begin() + static_cast<std::ptrdiff_t>(tokenPrefix.size()),
                       bearer.end(), [](char c) {
                           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                  (c >= '0' && c <= '9') || c == '-' || c == '_';
                       });
}

ServiceAccounts::ServiceAccounts(Database &db, Clock clock) : m_db(db), m_clock(std::move(clock))
{}

Result<ServiceAccount> ServiceAccounts::create(std::string_view name, std::string_view description)
{
    if (auto valid = validateAccountName(name); !valid) {
        return fail(std::move(valid).error());
    }
    if (description.size() > 500) {
        return fail(ErrorCode::InvalidArgument,
                    "a service account's description is at most 500 characters");
    }
    ServiceAccount account{newId(), std::string{name}, std::string{description}, false, m_clock()};
    auto created = m_db.withSession([&](soci::session &session) -> Result<ServiceAccount> {
        const long long createdAt = account.createdAt;
        session << "INSERT INTO service_accounts (id, name, description, disabled, created_at) "
                   "VALUES (:id, :name, :description, 0, :created_at)",
            soci::use(account.id), soci::use(account.name), soci::use(account.description),
            soci::use(createdAt);
        return account;
    });
    if (!created && isUniqueViolation(created.error())) {
        return fail(ErrorCode::AlreadyExists,
                    "a service account \"" + account.name + "\" exists already");
    }
    return created;
}

Result<std::vector<ServiceAccount>> ServiceAccounts::accounts()
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<ServiceAccount>> {
        AccountRow row;
        return fetchRows(session,
                         "SELECT " + std::string{accountColumns} +
                             " FROM service_accounts ORDER BY name",
                         {}, row, [](AccountRow &r) { return r.take(); });
    });
}

Result<ServiceAccount> ServiceAccounts::find(std::string_view id)
{
    return m_db.withSession(
        [&](soci::session &session) { return selectAccount(session, "id", std::string{id}); });
}

Result<ServiceAccount> ServiceAccounts::findByName(std::string_view name)
{
    return m_db.withSession(
        [&](soci::session &session) { return selectAccount(session, "name", std::string{name}); });
}

Result<void> ServiceAccounts::setDisabled(std::string_view id, bool disabled)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string accountId{id};
        const int value = disabled ? 1 : 0;
        soci::statement statement =
            (session.prepare << "UPDATE service_accounts SET disabled = :disabled WHERE id = :id",
             soci::use(value), soci::use(accountId));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(ErrorCode::NotFound, "no such service account");
        }
        return {};
    });
}

Result<IssuedServiceToken> ServiceAccounts::issueToken(std::string_view accountId,
                                                       std::string_view name,
                                                       const std::vector<std::string> &scopes,
                                                       std::int64_t lifetimeSeconds)
{
    if (name.empty() || name.size() > 100) {
        return fail(ErrorCode::InvalidArgument, "a token's name is 1 to 100 characters");
    }
    if (scopes.empty()) {
        return fail(ErrorCode::InvalidArgument, "a token carries at least one scope");
    }
    const auto &allowed = serviceScopes();
    std::set<std::string> unique;
    for (const auto &scope : scopes) {
        if (std::find(allowed.begin(), allowed.end(), scope) == allowed.end()) {
            return fail(ErrorCode::InvalidArgument,
                        "\"" + scope + "\" is not a scope a service token may carry");
        }
        unique.insert(scope);
    }
    if (lifetimeSeconds < 1 || lifetimeSeconds > maxTokenLifetime) {
        return fail(ErrorCode::InvalidArgument, "a token lives from 1 second to 366 days");
    }
    IssuedServiceToken issued;
    issued.secret = std::string{tokenPrefix} + randomToken(32);
    issued.token.id = newId();
    issued.token.accountId = std::string{accountId};
    issued.token.name = std::string{name};
    issued.token.scopes.assign(unique.begin(), unique.end());
    issued.token.createdAt = m_clock();
    issued.token.expiresAt = issued.token.createdAt + lifetimeSeconds;
    const std::string hash = sha256Hex(issued.secret);
    const std::string scopeText = ascii::joinWords(issued.token.scopes);
    auto stored = m_db.withSession([&](soci::session &session) -> Result<void> {
        auto account = selectAccount(session, "id", issued.token.accountId);
        if (!account) {
            return fail(std::move(account).error());
        }
        const long long createdAt = issued.token.createdAt;
        const long long expiresAt = issued.token.expiresAt;
        session << "INSERT INTO service_tokens (id, account_id, token_hash, name, scopes, "
                   "created_at, expires_at) VALUES (:id, :account, :hash, :name, :scopes, "
                   ":created_at, :expires_at)",
            soci::use(issued.token.id), soci::use(issued.token.accountId), soci::use(hash),
            soci::use(issued.token.name), soci::use(scopeText), soci::use(createdAt),
            soci::use(expiresAt);
        return {};
    });
    if (!stored) {
        return fail(std::move(stored).error());
    }
    return issued;
}

Result<std::vector<ServiceToken>> ServiceAccounts::tokens(std::string_view accountId)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<ServiceToken>> {
        const std::string id{accountId};
        if (auto account = selectAccount(session, "id", id); !account) {
            return fail(std::move(account).error());
        }
        TokenRow row;
        return fetchRows(session,
                         "SELECT " + std::string{tokenColumns} +
                             " FROM service_tokens WHERE account_id = :account ORDER BY "
                             "created_at, id",
                         {{"account", id}}, row, [](TokenRow &r) { return r.take(); });
    });
}

Result<void> ServiceAccounts::revokeToken(std::string_view accountId, std::string_view tokenId)
{
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const std::string account{accountId};
        const std::string token{tokenId};
        std::string found;
        session << "SELECT id FROM service_tokens WHERE id = :id AND account_id = :account",
            soci::into(found), soci::use(token), soci::use(account);
        if (!session.got_data()) {
            return fail(ErrorCode::NotFound, "no such token");
        }
        const long long now = m_clock();
        session << "UPDATE service_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS "
                   "NULL",
            soci::use(now), soci::use(token);
        return {};
    });
}

Result<ServiceCaller> ServiceAccounts::authenticate(std::string_view secret)
{
    const Error refused{ErrorCode::Unauthenticated,
                        "the service token is unknown, revoked or expired"};
    if (!isServiceTokenForm(secret)) {
        return fail(refused);
    }
    const std::string hash = sha256Hex(secret);
    const long long now = m_clock();
    return m_db.withSession([&](soci::session &session) -> Result<ServiceCaller> {
        TokenRow row;
        auto rows = fetchRows(session,
                              "SELECT " + std::string{tokenColumns} +
                                  " FROM service_tokens WHERE token_hash = :hash",
                              {{"hash", hash}}, row, [](TokenRow &r) { return r.take(); });
        if (rows.empty()) {
            return fail(refused);
        }
        ServiceCaller caller;
        caller.token = std::move(rows.front());
        if (caller.token.revokedAt != 0 || now >= caller.token.expiresAt) {
            return fail(refused);
        }
        auto account = selectAccount(session, "id", caller.token.accountId);
        if (!account) {
            return fail(account.error().code == ErrorCode::NotFound ? refused
                                                                    : std::move(account).error());
        }
        if (account->disabled) {
            return fail(refused);
        }
        caller.account = std::move(account).value();
        if (now - caller.token.lastUsedAt >= lastUseGranularity) {
            session << "UPDATE service_tokens SET last_used_at = :now WHERE id = :id",
                soci::use(now), soci::use(caller.token.id);
            caller.token.lastUsedAt = now;
        }
        return caller;
    });
}

} // namespace toolhub::server
