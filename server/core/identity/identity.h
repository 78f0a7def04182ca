#pragma once

#include "core/storage/database.h"
#include "toolhub/crypto.h"
#include "toolhub/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// A customer company.
struct Organization {
    std::string id;
    std::string slug; // [a-z0-9][a-z0-9._-]{0,63}
    std::string name;
    std::int64_t createdAt = 0;
};

// A person who signs in: a local account (login + Argon2id hash) or, later, one from an identity
// provider. The password hash never leaves the identity module.
struct User {
    std::string id;
    std::string organizationId; // empty for vendor staff without an organization
    std::string email;
    std::string displayName;
    std::string login; // lower case; empty for users from an identity provider
    bool disabled = false;
    std::int64_t createdAt = 0;
    // Counts the times every sign-in of the user was ended; access tokens issued under a lower
    // number are void.
    std::int64_t sessionGeneration = 0;
};

// A user whose identity provider proves who they are: OpenID Connect (issuer URL and `sub`) or
// LDAP (the directory's URL and the entry's entryUUID). Never matched by e-mail.
struct NewExternalUser {
    std::string organizationId; // empty: none
    std::string issuer;
    std::string subject;
    std::string displayName;
    std::string email;
};

struct NewLocalUser {
    std::string organizationId;
    std::string login;
    std::string displayName;
    std::string email;
    std::string password;
};

// Unix seconds now; injected so tests can move time.
using Clock = std::function<std::int64_t()>;
[[nodiscard]] Clock systemClock();

// Checks: a slug matches [a-z0-9][a-z0-9._-]{0,63}; a login is 1..320 printable characters
// without spaces (compared lower-cased); passwords are 8..1024 bytes.
[[nodiscard]] Result<void> validateSlug(std::string_view slug);
[[nodiscard]] Result<std::string> normalizeLogin(std::string_view login);
[[nodiscard]] Result<void> validatePassword(std::string_view password);

// The identity module: organizations and users, and the only code that reads or writes their
// tables.
class IdentityStore {
public:
    IdentityStore(Database &db, Clock clock, PasswordHashCost cost = {});

    [[nodiscard]] Result<Organization> createOrganization(std::string_view slug,
                                                          std::string_view name);
    [[nodiscard]] Result<Organization> findOrganization(std::string_view id);
    [[nodiscard]] Result<Organization> findOrganizationBySlug(std::string_view slug);
    [[nodiscard]] Result<std::vector<Organization>> organizations();

    // AlreadyExists when the (lower-cased) login is taken; NotFound for an unknown organization.
    [[nodiscard]] Result<User> createLocalUser(const NewLocalUser &user);
    [[nodiscard]] Result<User> findUser(std::string_view id);
    [[nodiscard]] Result<User> findUserByLogin(std::string_view login);
    // The members of an organization, by display name.
    [[nodiscard]] Result<std::vector<User>> usersOf(std::string_view organizationId);
    // NotFound when no user has this (issuer, subject).
    [[nodiscard]] Result<User> findExternalUser(std::string_view issuer, std::string_view subject);
    // AlreadyExists when (issuer, subject) has a user; NotFound for an unknown organization.
    [[nodiscard]] Result<User> createExternalUser(const NewExternalUser &user);
    // Keeps the provider's current name, e-mail and organization (empty: none) on the user. A user
    // who leaves an organization loses the roles they held in it.
    [[nodiscard]] Result<User> updateExternalProfile(std::string_view id,
                                                     const NewExternalUser &user);
    // Use AuthModule::disableUser, which also ends the user's sessions and refresh tokens.
    [[nodiscard]] Result<void> disableUser(std::string_view id);
    [[nodiscard]] Result<void> enableUser(std::string_view id);
    // Records that every sign-in of the user ends now (see User::sessionGeneration).
    [[nodiscard]] Result<void> markSessionsEnded(std::string_view id);

    // The user whose local password this is. Unauthenticated for an unknown login, a wrong
    // password, an account without a password and a disabled account alike, after the same
    // Argon2id work in every case (a dummy hash stands in for a missing one), so neither the
    // answer nor its timing tells whether a login exists. Re-hashes outdated hashes.
    [[nodiscard]] Result<User> verifyLocalPassword(std::string_view login,
                                                   std::string_view password);

private:
    [[nodiscard]] const std::string &dummyHash();

    Database &m_db;
    Clock m_clock;
    PasswordHashCost m_cost;
    std::once_flag m_dummyOnce;
    std::string m_dummyHash;
};

// One way of proving who one is with a login and a secret: the local password first; LDAP bind
// later. Redirect-based methods (OpenID Connect) will get their own interface beside this one.
class SignInMethod {
public:
    virtual ~SignInMethod() = default;
    // Stable name for logs, e.g. "local".
    [[nodiscard]] virtual std::string_view name() const = 0;
    // The signed-in user; Unauthenticated when the credentials are wrong.
    [[nodiscard]] virtual Result<User> signIn(std::string_view login,
                                              std::string_view password) = 0;
};

// Local accounts: login and Argon2id password hash in the users table.
class LocalPasswordSignIn final : public SignInMethod {
public:
    explicit LocalPasswordSignIn(IdentityStore &identity) : m_identity(identity) {}
    [[nodiscard]] std::string_view name() const override { return "local"; }
    [[nodiscard]] Result<User> signIn(std::string_view login, std::string_view password) override
    {
        return m_identity.verifyLocalPassword(login, password);
    }

private:
    IdentityStore &m_identity;
};

} // namespace toolhub::server
