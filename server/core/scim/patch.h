#pragma once

#include "core/scim/filter.h"
#include "core/scim/scim.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::scim {

// The target of a PATCH operation (RFC 7644 3.5.2):
//     attrPath | attrPath "[" valFilter "]" ["." subAttr]
// e.g. "active", "name.givenName", "members[value eq \"2819c223\"]",
// "emails[type eq \"work\"].value",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization".
struct PatchPath {
    AttributePath attribute;      // its subAttribute is set only without a value filter
    std::optional<Filter> filter; // selects elements of a multi-valued attribute
    std::string subAttribute;     // after a value filter; empty: the whole element
};

// 400 invalidPath for anything else.
[[nodiscard]] ScimResult<PatchPath> parsePatchPath(std::string_view text);

enum class PatchOp { Add, Remove, Replace };

struct PatchOperation {
    PatchOp op = PatchOp::Replace;
    std::optional<PatchPath> path;
    nlohmann::json value; // null when none was given
};

// The operations of a PatchOp request body: {"schemas": [patchOpSchema], "Operations": [...]}.
// Operation names are case-insensitive ("Replace" is taken as "replace"); add and replace need a
// value, remove needs a path. 400 invalidSyntax or invalidPath otherwise.
[[nodiscard]] ScimResult<std::vector<PatchOperation>> parsePatchRequest(const nlohmann::json &body);

// Applies `operations` in order to `resource`, a SCIM JSON representation. The caller validates
// the result as a whole (as if it were the body of a PUT), so an operation that breaks a rule
// of the schema is refused there.
//
// - add: sets a single-valued attribute, merges the sub-attributes of a complex one, appends to
//   a multi-valued one (skipping elements whose "value" is there already).
// - replace: as add, but a multi-valued attribute's elements are replaced; with a value filter,
//   the matching elements (or their sub-attribute) are. A filter `attr eq "x"` matching nothing
//   adds an element {attr: "x"} first (so "emails[type eq \"work\"].value" works on a user
//   without a work e-mail); other filters matching nothing are 400 noTarget.
// - remove: removes the attribute, sub-attribute, or the elements matching the filter (none
//   matching is no error). With a value on a multi-valued attribute, removes the elements whose
//   "value" is among the given ones.
// Without a path, each member of the value object is an operation on the path it names.
[[nodiscard]] ScimResult<void> applyPatch(nlohmann::json &resource,
                                          const std::vector<PatchOperation> &operations);

} // namespace toolhub::server::scim
