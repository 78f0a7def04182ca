#include "core/ldap/ldap_settings.h"

#include "toolhub/ascii.h"

#include <ldap.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

namespace toolhub::server {
namespace {} // namespace

Result<std::string> normalizeDn(std::string_view dn)
{
    const std::string text{ascii::trim(dn)};
    LDAPDN parsed = nullptr;
    if (text.empty() || ldap_str2dn(text.c_str(), &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS) {
        return fail(ErrorCode::InvalidArgument, "\"" + text + "\" is not a distinguished name");
    }
    char *out = nullptr;
    const int rc = ldap_dn2str(parsed, &out, LDAP_DN_FORMAT_LDAPV3);
    ldap_dnfree(parsed);
    if (rc != LDAP_SUCCESS || out == nullptr) {
        return fail(ErrorCode::InvalidArgument, "\"" + text + "\" is not a distinguished name");
    }
    std::string normalized = ascii::toLower(out);
    ldap_memfree(out);
    return normalized;
}

Result<LdapRule> parseLdapRule(std::string_view text)
{
    const auto arrow = text.find("->");
    if (arrow == std::string_view::npos) {
        return fail(
            ErrorCode::InvalidArgument,
            "expected <group DN> -> organization=<slug> role=<role>[@global|@organization]");
    }
    LdapRule rule;
    const auto group = ascii::trim(text.substr(0, arrow));
    if (group == "*") {
        rule.group = "*";
    } else {
        auto dn = normalizeDn(group);
        if (!dn) {
            return fail(std::move(dn).error());
        }
        rule.group = std::move(dn).value();
    }
    auto target = parseRuleTarget(text.substr(arrow + 2));
    if (!target) {
        return fail(std::move(target).error());
    }
    rule.target = std::move(target).value();
    return rule;
}

std::string escapeFilterValue(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        switch (c) {
        case '*':
            out += "\\2a";
            break;
        case '(':
            out += "\\28";
            break;
        case ')':
            out += "\\29";
            break;
        case '\\':
            out += "\\5c";
            break;
        case '\0':
            out += "\\00";
            break;
        default:
            out += c;
        }
    }
    return out;
}

Result<std::vector<std::string>> parseLdapUrls(std::string_view text)
{
    std::vector<std::string> urls;
    for (const auto word : ascii::words(text)) {
        const std::string url{word};
        LDAPURLDesc *desc = nullptr;
        if (ldap_url_parse(url.c_str(), &desc) != LDAP_URL_SUCCESS) {
            return fail(ErrorCode::InvalidArgument, "\"" + url + "\" is not an LDAP URL");
        }
        const std::string scheme = desc->lud_scheme != nullptr ? desc->lud_scheme : "";
        const bool hasHost = desc->lud_host != nullptr && *desc->lud_host != '\0';
        const bool hasRest = desc->lud_dn != nullptr && *desc->lud_dn != '\0';
        ldap_free_urldesc(desc);
        if ((scheme != "ldap" && scheme != "ldaps") || !hasHost || hasRest) {
            return fail(ErrorCode::InvalidArgument,
                        "expected ldap://host[:port] or ldaps://host[:port], not \"" + url + "\"");
        }
        urls.push_back(url);
    }
    if (urls.empty()) {
        return fail(ErrorCode::InvalidArgument, "expected at least one ldap:// or ldaps:// URL");
    }
    return urls;
}

std::string LdapSettings::issuer() const
{
    if (!id.empty()) {
        return id;
    }
    if (urls.empty()) {
        return {};
    }
    std::string first = ascii::toLower(urls.front());
    while (first.ends_with('/')) {
        first.pop_back();
    }
    return first;
}

Result<LdapSettings> completeLdapSettings(LdapSettings settings)
{
    if (!settings.enabled()) {
        return settings;
    }
    const auto refuse = [](std::string message) {
        return fail(ErrorCode::InvalidArgument, "LDAP sign-in: " + std::move(message));
    };
    if (settings.userBase.empty()) {
        return refuse("ldap_user_base is required");
    }
    if (settings.userFilter.find("{login}") == std::string::npos) {
        return refuse("ldap_user_filter must contain {login}");
    }
    if (!settings.groupBase.empty() && settings.groupFilter.find("{dn}") == std::string::npos &&
        settings.groupFilter.find("{login}") == std::string::npos) {
        return refuse("ldap_group_filter must contain {dn} or {login}");
    }
    const bool allTls =
        std::all_of(settings.urls.begin(), settings.urls.end(), [](const std::string &url) {
            return ascii::toLower(url).starts_with("ldaps://");
        });
    if (!allTls && !settings.startTls && !settings.allowPlaintext) {
        return refuse("an ldap:// URL without StartTLS sends passwords in clear: set "
                      "ldap_starttls = true, use ldaps://, or (for development only) "
                      "ldap_allow_plaintext = true");
    }
    if (!settings.caFile.empty()) {
        std::ifstream ca(settings.caFile);
        if (!ca) {
            return refuse("cannot read ldap_ca_file " + settings.caFile.string());
        }
    }
    if (!settings.bindPasswordFile.empty()) {
        if (!settings.bindPassword.empty()) {
            return refuse("set ldap_bind_password or ldap_bind_password_file, not both");
        }
        std::ifstream in(settings.bindPasswordFile, std::ios::binary);
        if (!in) {
            return refuse("cannot read ldap_bind_password_file " +
                          settings.bindPasswordFile.string());
        }
        std::ostringstream text;
        text << in.rdbuf();
        settings.bindPassword = text.str();
        while (!settings.bindPassword.empty() &&
               (settings.bindPassword.back() == '\n' || settings.bindPassword.back() == '\r')) {
            settings.bindPassword.pop_back();
        }
    }
    if (!settings.bindDn.empty() && settings.bindPassword.empty()) {
        return refuse("ldap_bind_dn needs ldap_bind_password or ldap_bind_password_file");
    }
    return settings;
}

} // namespace toolhub::server
