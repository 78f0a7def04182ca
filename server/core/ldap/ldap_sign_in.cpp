#include "core/ldap/ldap_sign_in.h"

#include "core/access/mapping_rule.h"

#include <algorithm>

namespace toolhub::server {
namespace {

constexpr std::string_view grantSource = "ldap";

std::string_view failureName(DirectoryFailure kind)
{
    switch (kind) {
    case DirectoryFailure::UnknownUser:
        return "unknown_user";
    case DirectoryFailure::AmbiguousUser:
        return "ambiguous_user";
    case DirectoryFailure::WrongPassword:
        return "wrong_password";
    case DirectoryFailure::IncompleteEntry:
        return "incomplete_entry";
    case DirectoryFailure::Unreachable:
        return "unreachable";
    case DirectoryFailure::Untrusted:
        return "untrusted_certificate";
    }
    return "unknown";
}

std::string clip(std::string text, std::size_t size)
{
    if (text.size() > size) {
        text.resize(size);
    }
    return text;
}

} // namespace

LdapSignIn::LdapSignIn(LdapSettings settings, IdentityStore &identity, GrantWriter grants,
                       const Logger &logger)
    : m_directory(std::move(settings)), m_issuer(m_directory.settings().issuer()),
      m_identity(identity), m_grants(std::move(grants)), m_logger(logger)
{}

Result<User> LdapSignIn::refuse(std::string_view login, std::string_view reason,
                                std::string_view detail) const
{
    m_logger.info("ldap sign-in refused", {{"user.name", clip(std::string{login}, 320)},
                                           {"event.reason", reason},
                                           {"error.message", detail}});
    return fail(ErrorCode::Unauthenticated, "wrong login or password");
}

Result<User> LdapSignIn::signIn(std::string_view login, std::string_view password)
{
    if (password.empty()) {
        return refuse(login, "empty_password", "an empty password is refused before any bind");
    }
    if (!normalizeLogin(login)) {
        return refuse(login, "invalid_login", "not a valid login");
    }
    // A local account's login is answered by the local password only.
    if (auto local = m_identity.findUserByLogin(login); local) {
        return refuse(login, "local_account",
                      "the login belongs to a local account, which only its local password opens");
    } else if (local.error().code != ErrorCode::NotFound) {
        return fail(std::move(local).error());
    }

    auto confirmed = m_directory.authenticate(login, password);
    if (!confirmed) {
        const auto &error = confirmed.error();
        switch (error.kind) {
        case DirectoryFailure::UnknownUser:
        case DirectoryFailure::AmbiguousUser:
        case DirectoryFailure::WrongPassword:
        case DirectoryFailure::IncompleteEntry:
            m_logger.info("ldap sign-in refused", {{"user.name", clip(std::string{login}, 320)},
                                                   {"event.reason", failureName(error.kind)},
                                                   {"error.message", error.reason}});
            return fail(ErrorCode::Unauthenticated, "wrong login or password");
        case DirectoryFailure::Untrusted:
            m_logger.error("the directory's certificate is not trusted",
                           {{"user.name", clip(std::string{login}, 320)},
                            {"event.reason", failureName(error.kind)},
                            {"error.message", error.reason}});
            return fail(ErrorCode::Unavailable,
                        "The directory cannot be reached securely (its certificate is not "
                        "trusted). Try again later or tell your administrator.");
        case DirectoryFailure::Unreachable:
            break;
        }
        m_logger.error("the directory cannot be reached",
                       {{"user.name", clip(std::string{login}, 320)},
                        {"event.reason", failureName(error.kind)},
                        {"error.message", error.reason}});
        return fail(ErrorCode::Unavailable,
                    "The directory cannot be reached. Try again later or tell your "
                    "administrator.");
    }
    const DirectoryUser &entry = *confirmed;

    auto mapping = map(entry);
    if (!mapping) {
        return fail(std::move(mapping).error());
    }
    NewExternalUser profile{
        mapping->organizationId, m_issuer, clip(entry.id, 255),
        clip(entry.displayName.empty() ? std::string{login} : entry.displayName, 200),
        entry.email.size() <= 320 ? entry.email : std::string{}};

    auto user = m_identity.findExternalUser(m_issuer, profile.subject);
    bool created = false;
    if (!user && user.error().code == ErrorCode::NotFound) {
        user = m_identity.createExternalUser(profile);
        created = static_cast<bool>(user);
        if (!user && user.error().code == ErrorCode::AlreadyExists) {
            user = m_identity.findExternalUser(m_issuer, profile.subject); // a concurrent first
        }
    }
    if (!user) {
        return fail(std::move(user).error());
    }
    if (user->disabled) {
        return refuse(login, "disabled_account", "the account is disabled in Toolhub");
    }
    if (!created) {
        user = m_identity.updateExternalProfile(user->id, profile);
        if (!user) {
            return fail(std::move(user).error());
        }
    }
    std::vector<RoleGrant> skipped;
    if (m_grants) {
        auto written = m_grants(user->id, mapping->grants);
        if (!written) {
            return fail(std::move(written).error());
        }
        skipped = std::move(written).value();
    }
    nlohmann::json roles = nlohmann::json::array();
    for (const auto &grant : mapping->grants) {
        if (std::find(skipped.begin(), skipped.end(), grant) == skipped.end()) {
            roles.push_back(grant.role + "@" + std::string{scopeKindName(grant.scope.kind)} +
                            (grant.scope.id.empty() ? "" : ":" + grant.scope.id));
        }
    }
    for (const auto &grant : skipped) {
        m_logger.warn("an ldap_rule names an unknown role",
                      {{"user.id", user->id}, {"role.name", grant.role}});
    }
    m_logger.info(created ? "ldap user created" : "ldap user signed in",
                  {{"user.id", user->id},
                   {"user.name", clip(std::string{login}, 320)},
                   {"ldap.dn", entry.dn},
                   {"ldap.groups", entry.groups},
                   {"organization.id", user->organizationId},
                   {"organization.slug", mapping->organizationSlug},
                   {"user.roles", roles}});
    return std::move(user).value();
}

Result<LdapSignIn::Mapping> LdapSignIn::map(const DirectoryUser &user)
{
    std::vector<MatchedRule> matched;
    for (const auto &[number, rule] : m_directory.settings().rules) {
        if (rule.group == "*" ||
            std::find(user.groups.begin(), user.groups.end(), rule.group) != user.groups.end()) {
            matched.push_back({number, &rule.target});
        }
    }
    auto applied = applyMappingRules(m_identity, matched, "ldap_rule.");
    if (!applied) {
        return fail(std::move(applied).error());
    }
    for (const auto &problem : applied->problems) {
        nlohmann::json fields{{"ldap.dn", user.dn}};
        if (!problem.organization.empty()) {
            fields["organization.slug"] = problem.organization;
        }
        if (!problem.role.empty()) {
            fields["role.name"] = problem.role;
        }
        m_logger.warn(problem.message, fields);
    }
    return Mapping{std::move(applied->organizationId), std::move(applied->grants),
                   std::move(applied->organizationSlug)};
}

} // namespace toolhub::server
