#include "core/access/mapping_rule.h"

#include "core/access/access.h"
#include "core/identity/identity.h"

#include <algorithm>
#include <map>
#include <utility>

namespace toolhub::server {
namespace {

std::string_view trim(std::string_view s)
{
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string_view> words(std::string_view text)
{
    std::vector<std::string_view> out;
    while (!(text = trim(text)).empty()) {
        const auto end = text.find_first_of(" \t");
        out.push_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    }
    return out;
}

bool isRoleName(std::string_view name)
{
    const auto ok = [](char c, bool first) {
        const bool lower = c >= 'a' && c <= 'z';
        return first ? lower
                     : (lower || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-');
    };
    return !name.empty() && name.size() <= 64 && ok(name.front(), true) &&
           std::all_of(name.begin() + 1, name.end(), [&](char c) { return ok(c, false); });
}

bool isSlug(std::string_view slug)
{
    const auto ok = [](char c, bool first) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        return first ? alnum : (alnum || c == '.' || c == '_' || c == '-');
    };
    return !slug.empty() && slug.size() <= 64 && ok(slug.front(), true) &&
           std::all_of(slug.begin() + 1, slug.end(), [&](char c) { return ok(c, false); });
}

} // namespace

Result<RuleTarget> parseRuleTarget(std::string_view text)
{
    const std::string grammar =
        "expected organization=<slug> and/or role=<role>[@global|@organization]";
    RuleTarget target;
    for (const auto word : words(text)) {
        const auto eq = word.find('=');
        const auto name = word.substr(0, eq);
        const auto value = eq == std::string_view::npos ? std::string_view{} : word.substr(eq + 1);
        if (name == "organization") {
            if (!target.organization.empty()) {
                return fail(ErrorCode::InvalidArgument, "a rule names one organization at most");
            }
            if (!isSlug(value)) {
                return fail(ErrorCode::InvalidArgument,
                            "\"" + std::string{value} + "\" is not an organization slug");
            }
            target.organization = std::string{value};
        } else if (name == "role") {
            const auto at = value.find('@');
            const auto role = value.substr(0, at);
            if (!isRoleName(role)) {
                return fail(ErrorCode::InvalidArgument,
                            "\"" + std::string{role} + "\" is not a role name");
            }
            RuleRole entry{std::string{role}, false};
            if (at != std::string_view::npos) {
                const auto suffix = value.substr(at + 1);
                if (suffix != "global" && suffix != "organization") {
                    return fail(ErrorCode::InvalidArgument,
                                "a role's scope is @global or @organization, not @" +
                                    std::string{suffix});
                }
                entry.global = suffix == "global";
            }
            target.roles.push_back(std::move(entry));
        } else {
            return fail(ErrorCode::InvalidArgument, grammar);
        }
    }
    if (target.organization.empty() && target.roles.empty()) {
        return fail(ErrorCode::InvalidArgument, grammar);
    }
    return target;
}

Result<RuleMapping> applyMappingRules(IdentityStore &identity,
                                      const std::vector<MatchedRule> &matched,
                                      std::string_view ruleName)
{
    const auto name = [&](const MatchedRule &rule) {
        return std::string{ruleName} + std::to_string(rule.number);
    };
    RuleMapping mapping;
    std::map<std::string, std::string, std::less<>> organizationIds;  // slug -> id
    std::vector<std::pair<const MatchedRule *, std::string>> applied; // with its organization id
    for (const auto &rule : matched) {
        const std::string &slug = rule.target->organization;
        if (slug.empty()) {
            applied.emplace_back(&rule, std::string{});
            continue;
        }
        auto known = organizationIds.find(slug);
        if (known == organizationIds.end()) {
            auto organization = identity.findOrganizationBySlug(slug);
            if (!organization && organization.error().code == ErrorCode::NotFound) {
                mapping.problems.push_back(
                    {name(rule) + " names an unknown organization; the rule is skipped", slug, {}});
                continue;
            }
            if (!organization) {
                return fail(std::move(organization).error());
            }
            known = organizationIds.emplace(slug, organization->id).first;
        }
        if (mapping.organizationId.empty()) {
            mapping.organizationId = known->second;
            mapping.organizationSlug = slug;
        }
        applied.emplace_back(&rule, known->second);
    }
    for (const auto &[rule, ruleOrganizationId] : applied) {
        const std::string &organizationId =
            ruleOrganizationId.empty() ? mapping.organizationId : ruleOrganizationId;
        for (const auto &role : rule->target->roles) {
            RoleGrant grant{role.role, Scope::global()};
            if (!role.global) {
                if (organizationId.empty()) {
                    mapping.problems.push_back(
                        {name(*rule) + " gives a role within an organization, but the user has "
                                       "none; the role is not granted",
                         {},
                         role.role});
                    continue;
                }
                grant.scope = Scope::organization(organizationId);
            }
            if (std::find(mapping.grants.begin(), mapping.grants.end(), grant) ==
                mapping.grants.end()) {
                mapping.grants.push_back(std::move(grant));
            }
        }
    }
    return mapping;
}

} // namespace toolhub::server
