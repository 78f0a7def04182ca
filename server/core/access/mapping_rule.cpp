#include "core/access/mapping_rule.h"

#include "core/access/access.h"
#include "core/identity/identity.h"
#include "toolhub/ascii.h"

#include <algorithm>
#include <map>
#include <utility>

namespace toolhub::server {
namespace {} // namespace

Result<RuleTarget> parseRuleTarget(std::string_view text)
{
    const std::string grammar =
        "expected organization=<slug> and/or role=<role>[@global|@organization]";
    RuleTarget target;
    for (const auto word : ascii::words(text)) {
        const auto eq = word.find('=');
        const auto name = word.substr(0, eq);
        const auto value = eq == std::string_view::npos ? std::string_view{} : word.substr(eq + 1);
        if (name == "organization") {
            if (!target.organization.empty()) {
                return fail(ErrorCode::InvalidArgument, "a rule names one organization at most");
            }
            if (!validateSlug(value)) {
                return fail(ErrorCode::InvalidArgument,
                            "\"" + std::string{value} + "\" is not an organization slug");
            }
            target.organization = std::string{value};
        } else if (name == "role") {
            const auto at = value.find('@');
            const auto role = value.substr(0, at);
            if (!validateRoleName(role)) {
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
