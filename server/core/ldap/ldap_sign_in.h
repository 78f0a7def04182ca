#pragma once

#include "core/access/access.h"
#include "core/identity/identity.h"
#include "core/ldap/ldap_directory.h"
#include "core/logging/logger.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// Sign-in with a directory login and password, tried after the local accounts. A login that
// belongs to a local account is never tried against the directory, and directory users have no
// local password, so neither side can take over the other's accounts. Users are identified by
// (issuer, entryUUID), created at their first sign-in, and get their organization and roles from
// the mapping rules at every sign-in.
//
// To the browser a wrong password, an unknown login, an empty password and a disabled account
// all read "wrong login or password" (Unauthenticated); the log says which. A directory that
// cannot be reached, or whose certificate is not trusted, is Unavailable.
class LdapSignIn final : public SignInMethod {
public:
    // Makes the grants of source "ldap" exactly `grants` for the user; returns the ones skipped
    // (e.g. a role that does not exist).
    using GrantWriter = std::function<Result<std::vector<RoleGrant>>(
        const std::string &userId, const std::vector<RoleGrant> &grants)>;

    LdapSignIn(LdapSettings settings, IdentityStore &identity, GrantWriter grants,
               const Logger &logger);

    [[nodiscard]] std::string_view name() const override { return "ldap"; }
    [[nodiscard]] Result<User> signIn(std::string_view login, std::string_view password) override;

private:
    struct Mapping {
        std::string organizationId;
        std::vector<RoleGrant> grants;
        std::string organizationSlug; // for the log
    };
    [[nodiscard]] Result<Mapping> map(const DirectoryUser &user);
    [[nodiscard]] Result<User> refuse(std::string_view login, std::string_view reason,
                                      std::string_view detail) const;

    LdapDirectory m_directory;
    std::string m_issuer;
    IdentityStore &m_identity;
    GrantWriter m_grants;
    const Logger &m_logger;
};

} // namespace toolhub::server
