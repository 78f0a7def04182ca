#pragma once

#include "toolhub/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

class IdentityStore;
struct RoleGrant;

// The right-hand side of a mapping rule, the same for LDAP and OpenID Connect rules:
//   organization=<slug> role=<role>[@global|@organization] role=...
// Each part is optional, but a rule names at least one. A role is held within the rule's
// organization, or the user's when the rule names none; `@global` holds it everywhere.
struct RuleRole {
    std::string role;
    bool global = false;
    friend bool operator==(const RuleRole &, const RuleRole &) = default;
};
struct RuleTarget {
    std::string organization; // slug; empty: the rule names none
    std::vector<RuleRole> roles;
    friend bool operator==(const RuleTarget &, const RuleTarget &) = default;
};
[[nodiscard]] Result<RuleTarget> parseRuleTarget(std::string_view text);

// A rule that matched the user signing in; `number` names it in problems.
struct MatchedRule {
    std::int64_t number = 0;
    const RuleTarget *target = nullptr;
};

// Something in a matched rule that could not be applied and was skipped, for the log.
struct RuleProblem {
    std::string message;      // "<rule> names an unknown organization; the rule is skipped"
    std::string organization; // the slug concerned, if any
    std::string role;         // the role concerned, if any
};

// What the matched rules give the user.
struct RuleMapping {
    std::string organizationId;   // empty: none
    std::string organizationSlug; // of organizationId
    std::vector<RoleGrant> grants;
    std::vector<RuleProblem> problems;
};

// Applies the rules that matched a user, in rule order: the first rule naming an existing
// organization decides the user's organization; every rule's roles are held within its own
// organization, or the user's when it names none, or everywhere with `@global`. A rule naming
// an organization that does not exist is skipped, and so is a role held within an organization
// when there is none; both are reported in `problems`. `ruleName` prefixes the rule numbers in
// those reports ("ldap_rule." gives "ldap_rule.3"). Fails only when the store does.
[[nodiscard]] Result<RuleMapping> applyMappingRules(IdentityStore &identity,
                                                    const std::vector<MatchedRule> &matched,
                                                    std::string_view ruleName);

} // namespace toolhub::server
