#pragma once

#include "core/identity/identity.h"
#include "core/storage/database.h"
#include "toolhub/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// An internal application that calls the API with bearer tokens of its own.
struct ServiceAccount {
    std::string id;
    std::string name; // [a-z0-9][a-z0-9._-]{0,63}, unique
    std::string description;
    bool disabled = false;
    std::int64_t createdAt = 0;
};

// One token of a service account. Its secret is shown once, when issued; the database keeps
// only its SHA-256.
struct ServiceToken {
    std::string id;
    std::string accountId;
    std::string name;
    std::vector<std::string> scopes; // permissions, each from serviceScopes()
    std::int64_t createdAt = 0;
    std::int64_t expiresAt = 0;  // Unix seconds; always set
    std::int64_t revokedAt = 0;  // 0: not revoked
    std::int64_t lastUsedAt = 0; // 0: never used
};

struct IssuedServiceToken {
    ServiceToken token;
    std::string secret; // "thsa_" + 43 base64url characters (256 random bits)
};

// The account and token a bearer secret proves.
struct ServiceCaller {
    ServiceAccount account;
    ServiceToken token;
};

// The permissions a service token may carry. Everything a service account may do, it holds
// globally: serial validation, reading the catalog and licenses, SCIM provisioning, imports.
[[nodiscard]] const std::vector<std::string_view> &serviceScopes();
// True when `bearer` has the service token form (checked before any lookup).
[[nodiscard]] bool isServiceTokenForm(std::string_view bearer) noexcept;

// The service-account module: accounts and tokens, and the only code touching their tables.
class ServiceAccounts {
public:
    // Longest token lifetime there is, and the default when none is asked for.
    static constexpr std::int64_t maxTokenLifetime = 366LL * 24 * 3600;
    static constexpr std::int64_t defaultTokenLifetime = 90LL * 24 * 3600;

    ServiceAccounts(Database &db, Clock clock);

    // InvalidArgument for a bad name; AlreadyExists for a taken one.
    [[nodiscard]] Result<ServiceAccount> create(std::string_view name,
                                                std::string_view description);
    [[nodiscard]] Result<std::vector<ServiceAccount>> accounts();
    [[nodiscard]] Result<ServiceAccount> find(std::string_view id);
    [[nodiscard]] Result<ServiceAccount> findByName(std::string_view name);
    // A disabled account's tokens are refused at once; enabling it again restores the unrevoked.
    [[nodiscard]] Result<void> setDisabled(std::string_view id, bool disabled);

    // InvalidArgument for an unknown scope, no scope, or a lifetime outside 1 s..366 days.
    [[nodiscard]] Result<IssuedServiceToken> issueToken(std::string_view accountId,
                                                        std::string_view name,
                                                        const std::vector<std::string> &scopes,
                                                        std::int64_t lifetimeSeconds);
    [[nodiscard]] Result<std::vector<ServiceToken>> tokens(std::string_view accountId);
    // NotFound unless the token belongs to the account; revoking twice is no error.
    [[nodiscard]] Result<void> revokeToken(std::string_view accountId, std::string_view tokenId);

    // The live token of a secret: Unauthenticated when unknown, revoked, expired, or its account
    // disabled. Records the use, at most once a minute per token.
    [[nodiscard]] Result<ServiceCaller> authenticate(std::string_view secret);

private:
    Database &m_db;
    Clock m_clock;
};

} // namespace toolhub::server
