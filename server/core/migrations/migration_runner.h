#pragma once

#include "core/storage/database.h"
#include "toolhub/result.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// One versioned migration, named like Flyway's: V<version>__<description>.sql, where the
// version is numbers joined by '.' or '_' (V1, V1.1, V2_1) and underscores in the description
// stand for spaces.
struct MigrationScript {
    std::string fileName;
    std::string sql;
};

// A script's name taken apart: version "2.1" (underscores shown as dots), description "add
// users", and Flyway's checksum of its text.
struct ResolvedMigration {
    std::string version;
    std::string description;
    std::string script;
    std::int32_t checksum = 0;
    const MigrationScript *source = nullptr;
};

[[nodiscard]] Result<ResolvedMigration> resolveMigration(const MigrationScript &script);

// Compares two versions part by part as numbers, missing parts counting as 0 (so 1 == 1.0 and
// 1 < 1.1 < 2 < 10). Both must be valid versions ("1", "1.1", "2_1").
[[nodiscard]] int compareMigrationVersions(std::string_view a, std::string_view b);

// Every *.sql file in `folder` (other files are ignored). A .sql file not named like a
// versioned migration is an error rather than silently skipped.
[[nodiscard]] Result<std::vector<MigrationScript>>
loadMigrationDirectory(const std::filesystem::path &folder);

// The server's own migrations (server/migrations/*.sql), compiled into the binary.
[[nodiscard]] std::vector<MigrationScript> embeddedMigrations();

struct MigrationReport {
    std::size_t applied = 0;    // scripts applied by this run
    std::string currentVersion; // highest applied version afterwards, "" when none
};

struct MigrationState {
    std::size_t applied = 0;      // successful versioned rows in flyway_schema_history
    std::size_t pending = 0;      // scripts that migrate() would apply
    std::string currentVersion;   // highest applied version, "" when none
    std::optional<Error> problem; // what migrate() would refuse to start with, if anything

    [[nodiscard]] bool upToDate() const noexcept { return pending == 0 && !problem; }
};

// The PostgreSQL advisory lock key held for a whole migrate() run ("toolhub" in ASCII).
inline constexpr std::int64_t kMigrationLockKey = 32773621649274210;

// Flyway-compatible migrate: creates flyway_schema_history if absent, validates it against
// `scripts` (changed checksums or descriptions, applied versions without a script, failed rows,
// unapplied scripts older than the newest applied one, duplicate versions: all refused with
// FailedPrecondition), then applies each pending script in version order, each in one
// transaction together with its history row. On PostgreSQL the whole run holds
// pg_advisory_lock(kMigrationLockKey), so replicas starting together migrate once.
[[nodiscard]] Result<MigrationReport>
migrate(Database &db, std::span<const MigrationScript> scripts, std::string_view installedBy);

// Read-only and cheap (one query, no lock): what migrate() would do now. For /readyz.
[[nodiscard]] Result<MigrationState> inspectMigrations(Database &db,
                                                       std::span<const MigrationScript> scripts);

} // namespace toolhub::server
