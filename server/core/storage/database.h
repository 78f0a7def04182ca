#pragma once

#include "toolhub/result.h"

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace toolhub::server {

class PostgresDriver;

enum class DatabaseKind { Sqlite, Postgres };

// A parsed, validated database address. Accepted forms:
//   sqlite:///absolute/path.db          sqlite:relative/path.db
//   postgresql://user[:pass]@host[:port]/dbname[?params]   (also postgres://)
// The password stays in here and in connectString(); everything meant for logs or error
// messages goes through redacted() or scrub().
struct DatabaseUrl {
    DatabaseKind kind = DatabaseKind::Sqlite;
    std::string path; // SQLite: the file, as given (absolute or relative to the working folder)
    std::string user; // PostgreSQL: as written in the URL (percent-encoding kept)
    std::string password;
    std::string host;
    std::uint16_t port = 0; // 0: libpq's default
    std::string database;
    std::string params; // PostgreSQL query parameters without the '?', as written

    // The URL with every password replaced by "***": safe for logs.
    [[nodiscard]] std::string redacted() const;
    // What the SOCI backend receives. Contains the password: never log it.
    [[nodiscard]] std::string connectString() const;
    // `text` with every secret of this URL (raw and percent-decoded) replaced by "***".
    [[nodiscard]] std::string scrub(std::string text) const;
};

[[nodiscard]] Result<DatabaseUrl> parseDatabaseUrl(std::string_view url);

// The server's database: a fixed pool of SOCI sessions on SQLite or PostgreSQL. Thread-safe;
// every use borrows one session for the duration of a callable and gives it back afterwards.
// PostgreSQL support comes from the module toolhub-postgresql.so (see postgres_driver.h),
// loaded by the first open() of a PostgreSQL URL.
// Whether a translated database error is a unique constraint's refusal (SQLite "UNIQUE
// constraint failed", PostgreSQL "duplicate key value violates unique constraint").
[[nodiscard]] bool isUniqueViolation(const Error &error);

class Database {
public:
    using Kind = DatabaseKind;

    // The constraint that refused a statement, if any (see constraintViolation()).
    enum class Violation { None, ForeignKey, Unique };

    // How long withSession() waits for a free session before reporting Unavailable.
    static constexpr std::chrono::milliseconds leaseTimeout{10000};

    // Opens `poolSize` (at least 1) connections. SQLite: WAL, busy_timeout=5000 ms and
    // foreign_keys=ON on every connection; the file is created if its folder exists.
    // PostgreSQL: connect_timeout=5 unless the URL sets one; Unavailable if the PostgreSQL
    // module cannot be loaded.
    [[nodiscard]] static Result<std::unique_ptr<Database>> open(const DatabaseUrl &url,
                                                                std::size_t poolSize);

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    [[nodiscard]] Kind kind() const noexcept { return m_url.kind; }
    [[nodiscard]] const DatabaseUrl &url() const noexcept { return m_url; }
    [[nodiscard]] std::size_t poolSize() const noexcept { return m_poolSize; }

    // Runs `f(soci::session &)` on a borrowed session and returns its Result. SOCI exceptions
    // thrown by `f` become Errors: Unavailable for lost or refused connections, Internal for
    // the rest; messages never contain the URL's password.
    template <class F>
    auto withSession(F &&f) -> std::invoke_result_t<F &, soci::session &>
    {
        using R = std::invoke_result_t<F &, soci::session &>;
        try {
            Lease lease(*this);
            if (!lease.ok()) {
                return R(fail(lease.error()));
            }
            try {
                return std::invoke(f, lease.session());
            } catch (const soci::soci_error &e) {
                return R(fail(translate(e, lease.session())));
            }
        } catch (const soci::soci_error &e) {
            return R(fail(translate(e)));
        } catch (const std::exception &e) {
            return R(fail(ErrorCode::Internal, m_url.scrub(std::string("database: ") + e.what())));
        }
    }

    // SELECT 1 on a pooled session: the database answers.
    [[nodiscard]] Result<void> ping();

    // Executes one SQL statement verbatim through the native driver (no SOCI placeholder
    // rewriting, so ':' and '$' in scripts are safe). Used for migration scripts and PRAGMAs.
    [[nodiscard]] Result<void> executeVerbatim(soci::session &session,
                                               std::string_view statement) const;

    // The Error for a SOCI exception, with secrets scrubbed.
    [[nodiscard]] Error translate(const soci::soci_error &e) const;

    // Whether a foreign key or unique constraint refused the statement that threw `e`.
    [[nodiscard]] Violation constraintViolation(const soci::soci_error &e) const;

    // How long a data revision read answers again without asking the database.
    static constexpr std::chrono::microseconds revisionReuse{1000};

    // The data revision: the sum of the counters in data_revisions, which writers bump with
    // bumpRevision() inside their own transactions. It only grows, so an answer computed from
    // data read after the revision was R is still current while the revision is R, across
    // threads, processes and replicas.
    // A read within revisionReuse of the previous one answers with that one's value, unless a
    // write through this Database ended since: this process always sees its own writes, and
    // other processes' (or replicas') writes at most revisionReuse late. Otherwise one read, on
    // a statement prepared once per connection.
    [[nodiscard]] Result<std::int64_t> dataRevision();

    // Adds one to the data_revisions counter `counter` ("catalog", "licensing"). Call it with
    // the leased session inside the transaction of every write to data that readers cache, so
    // that the change and the new revision become visible together.
    void bumpRevision(soci::session &session, std::string_view counter);

private:
    class Lease {
    public:
        explicit Lease(Database &db);
        ~Lease();
        Lease(const Lease &) = delete;
        Lease &operator=(const Lease &) = delete;
        [[nodiscard]] bool ok() const noexcept { return m_leased && !m_error; }
        [[nodiscard]] const Error &error() const { return *m_error; }
        [[nodiscard]] soci::session &session();
        [[nodiscard]] std::size_t position() const noexcept { return m_pos; }

    private:
        Database &m_db;
        std::size_t m_pos = 0;
        bool m_leased = false;
        std::optional<Error> m_error;
    };

    Database(DatabaseUrl url, std::size_t poolSize);
    [[nodiscard]] Error leaseError() const;
    [[nodiscard]] Error translate(const soci::soci_error &e, soci::session &session) const;
    [[nodiscard]] bool connectionBroken(soci::session &session) const;

    struct RevisionQuery;
    // What belongs to one pooled connection, used only under its lease.
    struct Connection {
        std::unique_ptr<RevisionQuery> revisionQuery;
        bool bumpedRevision = false; // by the current lease
    };
    struct RevisionMemo {
        std::int64_t revision = 0;
        std::chrono::steady_clock::time_point readAt{}; // when the read started
        std::uint64_t writes = 0;                       // m_writesEnded when it started
        bool valid = false;
    };

    DatabaseUrl m_url;
    std::size_t m_poolSize;
    const PostgresDriver *m_postgres = nullptr; // set on PostgreSQL, lives as long as the process
    std::unique_ptr<soci::connection_pool> m_pool;
    std::vector<Connection> m_connections;       // destroyed before the pool
    std::atomic<std::uint64_t> m_writesEnded{0}; // leases that bumped a revision and ended
    std::mutex m_memoMutex;
    RevisionMemo m_memo;
};

} // namespace toolhub::server
