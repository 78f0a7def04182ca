#pragma once

#include "core/scim/scim.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::scim {

// An attribute path (RFC 7644 3.10): [schema URN ":"] attribute ["." sub-attribute], e.g.
// "userName", "name.givenName",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization".
// A path naming a whole extension ("urn:...:enterprise:2.0:User") is the attribute holding it.
struct AttributePath {
    std::string schema; // as written; empty when none was given
    std::string attribute;
    std::string subAttribute; // empty: none

    friend bool operator==(const AttributePath &, const AttributePath &) = default;
};

// InvalidFilter-style errors come with `scimType` ("invalidFilter" or "invalidPath").
[[nodiscard]] ScimResult<AttributePath> parseAttributePath(std::string_view text,
                                                           std::string_view scimType);

// The object an attribute path's attribute lives in: `resource` itself for a core schema or
// none, or the extension's object (null when absent; created when `create` is set).
[[nodiscard]] const nlohmann::json *attributeBase(const nlohmann::json &resource,
                                                  const AttributePath &path);
[[nodiscard]] nlohmann::json *attributeBase(nlohmann::json &resource, const AttributePath &path,
                                            bool create);

enum class CompareOp { Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le };

// A parsed filter expression (RFC 7644 3.4.2.2):
//
//     filter  = or ; or = and *("or" and) ; and = unary *("and" unary)
//     unary   = "not" "(" filter ")" | "(" filter ")" | attrPath "[" filter "]"
//             | attrPath "pr" | attrPath compareOp compValue
//
// Keywords and operators are case-insensitive; values are JSON strings, numbers, true, false or
// null. String comparisons ignore case except for "id" and "externalId" (caseExact, RFC 7643).
struct Filter {
    enum class Kind { Compare, Present, And, Or, Not, ValuePath };
    Kind kind = Kind::Present;
    AttributePath path;           // Compare, Present, ValuePath
    CompareOp op = CompareOp::Eq; // Compare
    nlohmann::json value;         // Compare
    std::vector<Filter> operands; // And, Or: two; Not, ValuePath: one
};

// 400 invalidFilter for anything outside the grammar, saying where and what was expected.
[[nodiscard]] ScimResult<Filter> parseFilter(std::string_view text);

// Whether `resource` (a SCIM JSON representation, or one element of a multi-valued attribute
// inside a value path) satisfies `filter`. A missing attribute satisfies only "ne" and "not".
[[nodiscard]] bool matches(const Filter &filter, const nlohmann::json &resource);

// The string of a filter `attribute eq "text"` (attribute named in any case, no sub-attribute,
// any schema prefix), for lookups by index; none for every other filter.
[[nodiscard]] std::optional<std::string> equalityValue(const Filter &filter,
                                                       std::string_view attribute);

} // namespace toolhub::server::scim
