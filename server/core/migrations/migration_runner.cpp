#include "core/migrations/migration_runner.h"

#include "core/migrations/flyway_checksum.h"
#include "core/migrations/sql_splitter.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <utility>

namespace toolhub::server {

namespace detail {
// Generated at build time by cmake/EmbedFiles.cmake from server/migrations/*.sql.
std::vector<std::pair<std::string_view, std::string_view>> embeddedMigrationFiles();
} // namespace detail

namespace {

constexpr std::size_t kMaxVersion = 50;
constexpr std::size_t kMaxDescription = 200;
constexpr std::size_t kMaxScript = 1000;
constexpr std::size_t kMaxInstalledBy = 100;

std::vector<std::string_view> versionParts(std::string_view version)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= version.size(); ++i) {
        if (i == version.size() || version[i] == '.' || version[i] == '_') {
            parts.push_back(version.substr(start, i - start));
            start = i + 1;
        }
    }
    return parts;
}

bool isValidVersion(std::string_view version)
{
    if (version.empty()) {
        return false;
    }
    for (const std::string_view part : versionParts(version)) {
        if (part.empty() ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return false;
        }
    }
    return true;
}

std::string_view stripZeros(std::string_view part)
{
    while (part.size() > 1 && part.front() == '0') {
        part.remove_prefix(1);
    }
    return part;
}

// One row of flyway_schema_history.
struct HistoryRow {
    int rank = 0;
    std::optional<std::string> version;
    std::string description;
    std::string type;
    std::string script;
    std::optional<int> checksum;
    bool success = false;
};

struct History {
    bool exists = false;
    std::vector<HistoryRow> rows;
};

struct Plan {
    std::vector<const ResolvedMigration *> pending;
    std::size_t applied = 0;
    std::string currentVersion;
};

Result<std::vector<ResolvedMigration>> resolveAll(std::span<const MigrationScript> scripts)
{
    std::vector<ResolvedMigration> resolved;
    resolved.reserve(scripts.size());
    for (const MigrationScript &script : scripts) {
        auto one = resolveMigration(script);
        if (!one) {
            return fail(std::move(one).error());
        }
        resolved.push_back(std::move(one).value());
    }
    std::stable_sort(resolved.begin(), resolved.end(), [](const auto &a, const auto &b) {
        return compareMigrationVersions(a.version, b.version) < 0;
    });
    for (std::size_t i = 1; i < resolved.size(); ++i) {
        if (compareMigrationVersions(resolved[i - 1].version, resolved[i].version) == 0) {
            return fail(ErrorCode::FailedPrecondition,
                        "two migrations have version " + resolved[i].version + ": " +
                            resolved[i - 1].script + " and " + resolved[i].script);
        }
    }
    return resolved;
}

// Validates the history against the scripts (Flyway's validate) and lists what to apply.
Result<Plan> makePlan(const std::vector<ResolvedMigration> &scripts, const History &history)
{
    Plan plan;
    std::vector<std::string> problems;
    std::optional<std::string> baseline;
    std::optional<std::string> highest;
    std::vector<std::string> appliedVersions;

    // Flyway's synthetic rows: SCHEMA (schema created), DELETE (`flyway repair` marked a
    // missing migration as deleted; that version counts as not applied) and UNDO_*.
    std::vector<std::string> deletedVersions;
    for (const HistoryRow &row : history.rows) {
        if (row.type == "DELETE" && row.version) {
            deletedVersions.push_back(*row.version);
        }
    }
    const auto isSynthetic = [](const std::string &type) {
        return type == "SCHEMA" || type == "DELETE" || type.starts_with("UNDO_");
    };
    for (const HistoryRow &row : history.rows) {
        if (!row.version || !isValidVersion(*row.version)) {
            continue; // repeatable migrations and Flyway's schema markers carry no version
        }
        if (isSynthetic(row.type) || std::find(deletedVersions.begin(), deletedVersions.end(),
                                               *row.version) != deletedVersions.end()) {
            continue;
        }
        if (!row.success) {
            problems.push_back(
                "migration " + row.script + " (version " + *row.version +
                ") failed in an earlier run and is recorded as failed in flyway_schema_history "
                "(installed_rank " +
                std::to_string(row.rank) +
                "); repair the database by hand, then delete that row (or run `flyway repair`) "
                "before starting again");
            continue;
        }
        ++plan.applied;
        appliedVersions.push_back(*row.version);
        if (!highest || compareMigrationVersions(*row.version, *highest) > 0) {
            highest = *row.version;
            plan.currentVersion = *row.version;
        }
        if (row.type == "BASELINE") {
            if (!baseline || compareMigrationVersions(*row.version, *baseline) > 0) {
                baseline = *row.version;
            }
            continue;
        }
        const auto script = std::find_if(scripts.begin(), scripts.end(), [&](const auto &s) {
            return compareMigrationVersions(s.version, *row.version) == 0;
        });
        if (script == scripts.end()) {
            problems.push_back("migration " + row.script + " (version " + *row.version +
                               ") is applied to the database but missing from this server's "
                               "migrations; run the matching server version or restore the "
                               "script");
            continue;
        }
        if (!row.checksum || *row.checksum != script->checksum) {
            problems.push_back(
                "migration checksum mismatch for " + script->script + " (version " +
                script->version + "): applied to database " +
                (row.checksum ? std::to_string(*row.checksum) : std::string("null")) +
                ", resolved locally " + std::to_string(script->checksum) +
                "; an applied migration must never change, add a new migration instead");
        }
        if (row.description != script->description) {
            problems.push_back("migration description mismatch for version " + script->version +
                               ": applied to database '" + row.description +
                               "', resolved locally '" + script->description + "'");
        }
    }

    for (const ResolvedMigration &script : scripts) {
        const bool applied =
            std::any_of(appliedVersions.begin(), appliedVersions.end(), [&](const auto &v) {
                return compareMigrationVersions(v, script.version) == 0;
            });
        if (applied || (baseline && compareMigrationVersions(script.version, *baseline) <= 0)) {
            continue;
        }
        if (highest && compareMigrationVersions(script.version, *highest) < 0) {
            problems.push_back("migration " + script.script + " (version " + script.version +
                               ") is older than the newest applied version " + *highest +
                               " but was never applied (out of order); give it a version above " +
                               *highest);
            continue;
        }
        plan.pending.push_back(&script);
    }

    if (!problems.empty()) {
        std::string message = "migration validation failed: ";
        for (std::size_t i = 0; i < problems.size(); ++i) {
            message += (i == 0 ? "" : "; ") + problems[i];
        }
        return fail(ErrorCode::FailedPrecondition, std::move(message));
    }
    return plan;
}

bool historyTableExists(Database &db, soci::session &session)
{
    int count = 0;
    if (db.kind() == DatabaseKind::Sqlite) {
        session << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                   "'flyway_schema_history'",
            soci::into(count);
    } else {
        session << "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                   "current_schema() AND table_name = 'flyway_schema_history'",
            soci::into(count);
    }
    return count > 0;
}

History readHistory(Database &db, soci::session &session)
{
    History history;
    history.exists = historyTableExists(db, session);
    if (!history.exists) {
        return history;
    }
    HistoryRow row;
    std::string version;
    soci::indicator versionInd = soci::i_ok;
    int checksum = 0;
    soci::indicator checksumInd = soci::i_ok;
    int success = 0;
    soci::statement st =
        (session.prepare << "SELECT installed_rank, version, description, type, script, "
                            "checksum, CASE WHEN success THEN 1 ELSE 0 END "
                            "FROM flyway_schema_history ORDER BY installed_rank",
         soci::into(row.rank), soci::into(version, versionInd), soci::into(row.description),
         soci::into(row.type), soci::into(row.script), soci::into(checksum, checksumInd),
         soci::into(success));
    st.execute();
    while (st.fetch()) {
        HistoryRow copy = row;
        copy.version =
            versionInd == soci::i_ok ? std::optional<std::string>(version) : std::nullopt;
        copy.checksum = checksumInd == soci::i_ok ? std::optional<int>(checksum) : std::nullopt;
        copy.success = success != 0;
        history.rows.push_back(std::move(copy));
    }
    return history;
}

Result<void> createHistoryTable(Database &db, soci::session &session)
{
    const bool sqlite = db.kind() == DatabaseKind::Sqlite;
    const std::string table =
        std::string("CREATE TABLE IF NOT EXISTS flyway_schema_history (\n"
                    "    installed_rank INT NOT NULL") +
        (sqlite ? " PRIMARY KEY" : "") +
        ",\n"
        "    version VARCHAR(50),\n"
        "    description VARCHAR(200) NOT NULL,\n"
        "    type VARCHAR(20) NOT NULL,\n"
        "    script VARCHAR(1000) NOT NULL,\n"
        "    checksum INT,\n"
        "    installed_by VARCHAR(100) NOT NULL,\n" +
        (sqlite ? "    installed_on TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
                : "    installed_on TIMESTAMP NOT NULL DEFAULT now(),\n") +
        "    execution_time INT NOT NULL,\n"
        "    success BOOLEAN NOT NULL" +
        (sqlite ? "" : ",\n    CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank)") +
        "\n)";
    for (const std::string &statement :
         {table, std::string("CREATE INDEX IF NOT EXISTS flyway_schema_history_s_idx ON "
                             "flyway_schema_history (success)")}) {
        if (auto done = db.executeVerbatim(session, statement); !done) {
            return fail(done.error().code,
                        "cannot create flyway_schema_history: " + done.error().message);
        }
    }
    return {};
}

std::string excerpt(std::string_view statement)
{
    std::string out;
    for (const char c : statement.substr(0, 80)) {
        out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
    }
    return statement.size() > 80 ? out + "..." : out;
}

// Applies one script and records it, all in one transaction. Returns false in `applied` when
// another process recorded the version meanwhile (nothing done then).
Result<bool> applyOne(Database &db, soci::session &session, const ResolvedMigration &migration,
                      std::string_view installedBy)
{
    const bool sqlite = db.kind() == DatabaseKind::Sqlite;
    if (auto begun = db.executeVerbatim(session, sqlite ? "BEGIN IMMEDIATE" : "BEGIN"); !begun) {
        return fail(begun.error().code, "cannot start a transaction for migration " +
                                            migration.script + ": " + begun.error().message);
    }
    const auto rollback = [&] { (void)db.executeVerbatim(session, "ROLLBACK"); };
    try {
        int already = 0;
        session << "SELECT count(*) FROM flyway_schema_history WHERE version = :version",
            soci::use(migration.version), soci::into(already);
        if (already > 0) {
            rollback();
            return false;
        }

        const auto started = std::chrono::steady_clock::now();
        const std::vector<std::string> statements = splitSqlStatements(migration.source->sql);
        for (std::size_t i = 0; i < statements.size(); ++i) {
            if (auto done = db.executeVerbatim(session, statements[i]); !done) {
                rollback();
                return fail(done.error().code == ErrorCode::Unavailable ? ErrorCode::Unavailable
                                                                        : ErrorCode::Internal,
                            "migration " + migration.script + " failed at statement " +
                                std::to_string(i + 1) + " of " + std::to_string(statements.size()) +
                                " (" + excerpt(statements[i]) + "): " + done.error().message +
                                "; the migration was rolled back");
            }
        }
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        const int executionTime = static_cast<int>(elapsed.count());

        int rank = 0;
        session << "SELECT COALESCE(MAX(installed_rank), 0) + 1 FROM flyway_schema_history",
            soci::into(rank);
        const int checksum = migration.checksum;
        const std::string by(installedBy.substr(0, kMaxInstalledBy));
        const std::string type = "SQL";
        session << "INSERT INTO flyway_schema_history (installed_rank, version, description, "
                   "type, script, checksum, installed_by, execution_time, success) VALUES "
                   "(:rank, :version, :description, :type, :script, :checksum, :installed_by, "
                   ":execution_time, TRUE)",
            soci::use(rank), soci::use(migration.version), soci::use(migration.description),
            soci::use(type), soci::use(migration.script), soci::use(checksum), soci::use(by),
            soci::use(executionTime);
    } catch (const soci::soci_error &e) {
        rollback();
        Error error = db.translate(e);
        return fail(error.code, "cannot record migration " + migration.script +
                                    " in flyway_schema_history: " + error.message);
    } catch (...) {
        rollback(); // never hand a session back to the pool inside a transaction
        throw;
    }
    if (auto committed = db.executeVerbatim(session, "COMMIT"); !committed) {
        rollback();
        return fail(committed.error().code, "cannot commit migration " + migration.script + ": " +
                                                committed.error().message);
    }
    return true;
}

// Holds pg_advisory_lock(kMigrationLockKey) on one session while alive.
class AdvisoryLock {
public:
    AdvisoryLock(Database &db, soci::session &session) : m_db(db), m_session(session) {}
    ~AdvisoryLock()
    {
        if (m_locked) {
            (void)m_db.executeVerbatim(m_session, "SELECT pg_advisory_unlock(" +
                                                      std::to_string(kMigrationLockKey) + ")");
        }
    }
    AdvisoryLock(const AdvisoryLock &) = delete;
    AdvisoryLock &operator=(const AdvisoryLock &) = delete;

    Result<void> lock()
    {
        auto done = m_db.executeVerbatim(m_session, "SELECT pg_advisory_lock(" +
                                                        std::to_string(kMigrationLockKey) + ")");
        if (!done) {
            return fail(done.error().code,
                        "cannot take the migration lock: " + done.error().message);
        }
        m_locked = true;
        return {};
    }

private:
    Database &m_db;
    soci::session &m_session;
    bool m_locked = false;
};

} // namespace

Result<ResolvedMigration> resolveMigration(const MigrationScript &script)
{
    const std::string &name = script.fileName;
    const auto invalid = [&](const std::string &why) {
        return fail(ErrorCode::FailedPrecondition,
                    "migration file name '" + name + "' is invalid: " + why +
                        "; expected V<version>__<description>.sql, e.g. V2_1__add_users.sql");
    };
    constexpr std::string_view suffix = ".sql";
    if (name.size() < 1 + suffix.size() || name.front() != 'V' ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return invalid("it must start with 'V' and end with '.sql'");
    }
    const std::string_view stem = std::string_view(name).substr(1, name.size() - 1 - suffix.size());
    const std::size_t separator = stem.find("__");
    if (separator == std::string_view::npos) {
        return invalid("no '__' between version and description");
    }
    const std::string_view version = stem.substr(0, separator);
    if (!isValidVersion(version)) {
        return invalid("the version must be numbers separated by '.' or '_'");
    }
    ResolvedMigration resolved;
    resolved.version = std::string(version);
    std::replace(resolved.version.begin(), resolved.version.end(), '_', '.');
    resolved.description = std::string(stem.substr(separator + 2));
    std::replace(resolved.description.begin(), resolved.description.end(), '_', ' ');
    resolved.script = name;
    resolved.checksum = flywayChecksum(script.sql);
    resolved.source = &script;
    if (resolved.version.size() > kMaxVersion || resolved.description.size() > kMaxDescription ||
        resolved.script.size() > kMaxScript) {
        return invalid("version, description or name too long for flyway_schema_history");
    }
    return resolved;
}

int compareMigrationVersions(std::string_view a, std::string_view b)
{
    const std::vector<std::string_view> left = versionParts(a);
    const std::vector<std::string_view> right = versionParts(b);
    for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
        const std::string_view l = stripZeros(i < left.size() ? left[i] : "0");
        const std::string_view r = stripZeros(i < right.size() ? right[i] : "0");
        if (l.size() != r.size()) {
            return l.size() < r.size() ? -1 : 1;
        }
        if (const int c = l.compare(r); c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    return 0;
}

Result<std::vector<MigrationScript>> loadMigrationDirectory(const std::filesystem::path &folder)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
        return fail(ErrorCode::FailedPrecondition,
                    "migration folder " + folder.string() + " does not exist or is no folder");
    }
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
         it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".sql") {
            files.push_back(it->path());
        }
    }
    if (ec) {
        return fail(ErrorCode::FailedPrecondition,
                    "cannot list migration folder " + folder.string() + ": " + ec.message());
    }
    std::sort(files.begin(), files.end());
    std::vector<MigrationScript> scripts;
    for (const std::filesystem::path &file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream content;
        content << in.rdbuf();
        if (!in && !in.eof()) {
            return fail(ErrorCode::FailedPrecondition, "cannot read " + file.string());
        }
        MigrationScript script{file.filename().string(), std::move(content).str()};
        if (auto resolved = resolveMigration(script); !resolved) {
            return fail(std::move(resolved).error());
        }
        scripts.push_back(std::move(script));
    }
    return scripts;
}

std::vector<MigrationScript> embeddedMigrations()
{
    std::vector<MigrationScript> scripts;
    for (const auto &[name, content] : detail::embeddedMigrationFiles()) {
        scripts.push_back(MigrationScript{std::string(name), std::string(content)});
    }
    return scripts;
}

Result<MigrationReport> migrate(Database &db, std::span<const MigrationScript> scripts,
                                std::string_view installedBy)
{
    auto resolved = resolveAll(scripts);
    if (!resolved) {
        return fail(std::move(resolved).error());
    }
    return db.withSession([&](soci::session &session) -> Result<MigrationReport> {
        AdvisoryLock lock(db, session);
        if (db.kind() == DatabaseKind::Postgres) {
            if (auto locked = lock.lock(); !locked) {
                return fail(locked.error());
            }
        }
        if (auto created =
                historyTableExists(db, session) ? Result<void>() : createHistoryTable(db, session);
            !created) {
            return fail(created.error());
        }
        auto plan = makePlan(*resolved, readHistory(db, session));
        if (!plan) {
            return fail(std::move(plan).error());
        }
        MigrationReport report;
        report.currentVersion = plan->currentVersion;
        for (const ResolvedMigration *migration : plan->pending) {
            auto applied = applyOne(db, session, *migration, installedBy);
            if (!applied) {
                return fail(std::move(applied).error());
            }
            if (*applied) {
                ++report.applied;
            }
            report.currentVersion = migration->version;
        }
        return report;
    });
}

Result<MigrationState> inspectMigrations(Database &db, std::span<const MigrationScript> scripts)
{
    auto resolved = resolveAll(scripts);
    if (!resolved) {
        return fail(std::move(resolved).error());
    }
    return db.withSession([&](soci::session &session) -> Result<MigrationState> {
        MigrationState state;
        auto plan = makePlan(*resolved, readHistory(db, session));
        if (!plan) {
            state.problem = std::move(plan).error();
            return state;
        }
        state.applied = plan->applied;
        state.pending = plan->pending.size();
        state.currentVersion = plan->currentVersion;
        return state;
    });
}

} // namespace toolhub::server
