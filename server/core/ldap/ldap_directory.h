#pragma once

#include "core/ldap/ldap_settings.h"
#include "toolhub/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// What the directory says about a user whose password it accepted.
struct DirectoryUser {
    std::string dn;
    std::string id; // the id attribute (entryUUID by default)
    std::string displayName;
    std::string email;
    std::vector<std::string> groups; // normalized DNs (see normalizeDn)
};

// Why the directory did not confirm a user. The first four are the user's doing (or a directory
// entry's) and look the same to the browser; the others mean the directory cannot be used now.
enum class DirectoryFailure {
    UnknownUser,     // the filter matched no entry
    AmbiguousUser,   // the filter matched several entries
    WrongPassword,   // the user's bind was refused
    IncompleteEntry, // the entry lacks the id attribute
    Unreachable,     // no connection, a timeout, or an unexpected answer
    Untrusted,       // TLS failed: the certificate is not trusted or does not match
};

struct DirectoryError {
    DirectoryFailure kind = DirectoryFailure::Unreachable;
    std::string reason; // for the log; never holds a password
};

// An LDAP directory spoken to with libldap: per sign-in one connection (StartTLS or ldaps with
// the configured CA, certificate required), a search as the service account for exactly one
// entry, a bind as that entry with the user's password, then the user's groups. Every
// connection attempt and operation is bounded by the settings' timeout. Thread-safe: nothing is
// shared between calls.
class LdapDirectory {
public:
    // `settings` as completed by completeLdapSettings().
    explicit LdapDirectory(LdapSettings settings) : m_settings(std::move(settings)) {}

    // The user `login` if `password` is theirs. An empty password is refused before any bind (a
    // simple bind with a DN and no password is an unauthenticated bind that LDAP servers accept).
    [[nodiscard]] Result<DirectoryUser, DirectoryError>
    authenticate(std::string_view login, std::string_view password) const;

    [[nodiscard]] const LdapSettings &settings() const { return m_settings; }

private:
    LdapSettings m_settings;
};

} // namespace toolhub::server
