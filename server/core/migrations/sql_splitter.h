#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// Splits a migration script into single statements at top-level semicolons, for drivers that
// run one statement at a time. Semicolons inside '...' strings (with '' and, after E, backslash
// escapes), "..." and `...` identifiers, -- and (nested) /* */ comments, PostgreSQL $$ and
// $tag$ dollar quotes, and BEGIN ... END bodies of CREATE TRIGGER / FUNCTION / PROCEDURE
// statements (SQLite triggers, PostgreSQL BEGIN ATOMIC) do not split. Statements come back
// without leading comments, trimmed and without their final semicolon; pieces holding only comments
// or spaces are dropped.
[[nodiscard]] std::vector<std::string> splitSqlStatements(std::string_view script);

} // namespace toolhub::server
