#pragma once

#include "core/access/mapping_rule.h"
#include "toolhub/result.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// `ldap_rule.<n> = <group DN> -> <target>`: members of the group get the target's organization
// and roles. `*` instead of a DN matches every user of the directory. Rules apply in the order
// of n; the first matching rule that names an organization decides the user's organization.
struct LdapRule {
    std::string group; // normalized DN (see normalizeDn), or "*"
    RuleTarget target;
};
[[nodiscard]] Result<LdapRule> parseLdapRule(std::string_view text);

// A DN in one canonical spelling for comparisons: RFC 4514 string form, attribute types and
// values lower-cased, no spaces around separators. InvalidArgument for a malformed DN.
[[nodiscard]] Result<std::string> normalizeDn(std::string_view dn);

// RFC 4515 escaping of a value placed in a search filter: `*`, `(`, `)`, `\` and NUL become \2a,
// \28, \29, \5c and \00.
[[nodiscard]] std::string escapeFilterValue(std::string_view value);

// "ldap://host[:port]" or "ldaps://host[:port]" URLs separated by spaces, tried in order.
[[nodiscard]] Result<std::vector<std::string>> parseLdapUrls(std::string_view text);

// Sign-in against an LDAP directory (ldap_* settings). Disabled while `urls` is empty.
struct LdapSettings {
    std::vector<std::string> urls;
    // The issuer of the directory's users in Toolhub; empty: the first URL. Set it before the
    // first sign-in if the URLs may change, or users would be created anew.
    std::string id;
    bool startTls = true;
    // Allows ldap:// without StartTLS: passwords cross the network in clear. Development only.
    bool allowPlaintext = false;
    std::filesystem::path caFile; // empty: the system's trusted CAs
    std::string bindDn;           // empty: search anonymously
    std::string bindPassword;
    std::filesystem::path bindPasswordFile;
    std::string userBase;
    std::string userFilter = "(&(objectClass=inetOrgPerson)(uid={login}))";
    std::string nameAttribute = "displayName"; // falls back to cn, then the login
    std::string emailAttribute = "mail";
    std::string idAttribute = "entryUUID";
    // Groups: searched under groupBase with groupFilter ({dn}: the user's DN, {login}) when a
    // base is set, otherwise read from the user entry's memberOfAttribute.
    std::string groupBase;
    std::string groupFilter = "(&(objectClass=groupOfNames)(member={dn}))";
    std::string memberOfAttribute = "memberOf";
    // For connecting and for each operation; one sign-in never takes longer than this.
    std::chrono::seconds timeout{5};
    std::map<unsigned, LdapRule> rules; // by n of ldap_rule.<n>

    [[nodiscard]] bool enabled() const { return !urls.empty(); }
    // The issuer recorded on the directory's users.
    [[nodiscard]] std::string issuer() const;
};

// Checks the settings as a whole (a user base, a filter with {login}, TLS unless plaintext is
// allowed explicitly, one source for the bind password) and reads the bind password file.
[[nodiscard]] Result<LdapSettings> completeLdapSettings(LdapSettings settings);

} // namespace toolhub::server
