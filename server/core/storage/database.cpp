#include "core/storage/database.h"
#include "core/storage/postgres_driver.h"
#include "toolhub/ascii.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>
#include <vector>

namespace toolhub::server {

bool isUniqueViolation(const Error &error)
{
    return error.message.find("UNIQUE constraint") != std::string::npos ||
           error.message.find("duplicate key") != std::string::npos;
}

namespace {

using namespace toolhub::ascii;

constexpr std::string_view kRedacted = "***";

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

std::string percentDecode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hexValue(text[i + 1]);
            const int lo = hexValue(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

void replaceAll(std::string &text, std::string_view needle, std::string_view replacement)
{
    if (needle.empty()) {
        return;
    }
    std::size_t pos = 0;
    while ((pos = text.find(needle, pos)) != std::string::npos) {
        text.replace(pos, needle.size(), replacement);
        pos += replacement.size();
    }
}

std::vector<std::string_view> splitParams(std::string_view params)
{
    std::vector<std::string_view> out;
    while (!params.empty()) {
        const std::size_t amp = params.find('&');
        out.push_back(params.substr(0, amp));
        if (amp == std::string_view::npos) {
            break;
        }
        params.remove_prefix(amp + 1);
    }
    return out;
}

bool isSecretParam(std::string_view key)
{
    return key.find("password") != std::string_view::npos;
}

Failure<Error> invalidUrl(std::string message)
{
    return fail(ErrorCode::InvalidArgument, "invalid database URL: " + std::move(message));
}

Result<DatabaseUrl> parseSqliteUrl(std::string_view rest)
{
    // rest is what follows "sqlite:".
    DatabaseUrl url;
    url.kind = DatabaseKind::Sqlite;
    if (startsWith(rest, "//")) {
        if (!startsWith(rest, "///")) {
            return invalidUrl("sqlite://<path> is ambiguous; write sqlite:///absolute/path.db "
                              "or sqlite:relative/path.db");
        }
        rest.remove_prefix(2);
    }
    if (rest.empty()) {
        return invalidUrl("the SQLite URL names no file; write sqlite:///absolute/path.db or "
                          "sqlite:relative/path.db");
    }
    if (rest == ":memory:" || startsWith(rest, "file:")) {
        return invalidUrl("in-memory and file: SQLite databases are not supported; name a file");
    }
    if (rest.find_first_of("\"?") != std::string_view::npos) {
        return invalidUrl("the SQLite path must not contain '\"' or '?'");
    }
    url.path = std::string(rest);
    return url;
}

Result<DatabaseUrl> parsePostgresUrl(std::string_view rest)
{
    // rest is what follows "postgresql://" or "postgres://".
    DatabaseUrl url;
    url.kind = DatabaseKind::Postgres;
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
        return invalidUrl("the PostgreSQL URL names no database; expected "
                          "postgresql://user[:password]@host[:port]/dbname");
    }
    std::string_view authority = rest.substr(0, slash);
    std::string_view pathAndQuery = rest.substr(slash + 1);

    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        if (userinfo.find('@') != std::string_view::npos) {
            return invalidUrl("the user name or password contains '@'; percent-encode it as %40");
        }
        const std::size_t colon = userinfo.find(':');
        url.user = std::string(userinfo.substr(0, colon));
        if (colon != std::string_view::npos) {
            url.password = std::string(userinfo.substr(colon + 1));
        }
        if (url.user.empty()) {
            return invalidUrl("the PostgreSQL URL has an empty user name");
        }
        authority.remove_prefix(at + 1);
    }

    std::string_view portText;
    if (startsWith(authority, "[")) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return invalidUrl("unterminated '[' in the PostgreSQL host");
        }
        url.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return invalidUrl("unexpected text after the PostgreSQL host");
            }
            portText = after.substr(1);
        }
    } else {
        if (authority.find(',') != std::string_view::npos) {
            return invalidUrl("several PostgreSQL hosts in one URL are not supported");
        }
        const std::size_t colon = authority.find(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            portText = authority.substr(colon + 1);
        }
    }
    if (url.host.empty()) {
        return invalidUrl("the PostgreSQL URL names no host");
    }
    if (!portText.empty() || authority.find(':') != std::string_view::npos) {
        unsigned value = 0;
        const auto [end, ec] =
            std::from_chars(portText.data(), portText.data() + portText.size(), value);
        if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() ||
            value == 0 || value > 65535) {
            return invalidUrl("the PostgreSQL port must be a number from 1 to 65535");
        }
        url.port = static_cast<std::uint16_t>(value);
    }

    const std::size_t question = pathAndQuery.find('?');
    url.database = std::string(pathAndQuery.substr(0, question));
    if (url.database.empty()) {
        return invalidUrl("the PostgreSQL URL names no database");
    }
    if (url.database.find('/') != std::string::npos) {
        return invalidUrl("the PostgreSQL database name must not contain '/'");
    }
    if (question != std::string_view::npos) {
        url.params = std::string(pathAndQuery.substr(question + 1));
        for (const std::string_view param : splitParams(url.params)) {
            const std::size_t eq = param.find('=');
            if (eq == std::string_view::npos || eq == 0) {
                return invalidUrl("PostgreSQL URL parameters must be key=value pairs joined "
                                  "with '&'");
            }
        }
    }
    return url;
}

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

} // namespace

// ---- DatabaseUrl ----------------------------------------------------------------------------

std::string DatabaseUrl::redacted() const
{
    if (kind == DatabaseKind::Sqlite) {
        return (path.front() == '/' ? "sqlite://" : "sqlite:") + path;
    }
    std::string out = "postgresql://";
    if (!user.empty()) {
        out += user;
        if (!password.empty()) {
            out += ':';
            out += kRedacted;
        }
        out += '@';
    }
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != 0) {
        out += ':' + std::to_string(port);
    }
    out += '/' + database;
    if (!params.empty()) {
        out += '?';
        bool first = true;
        for (const std::string_view param : splitParams(params)) {
            if (!first) {
                out += '&';
            }
            first = false;
            const std::string_view key = param.substr(0, param.find('='));
            if (isSecretParam(key)) {
                out += std::string(key) + "=" + std::string(kRedacted);
            } else {
                out += std::string(param);
            }
        }
    }
    return out;
}

std::string DatabaseUrl::connectString() const
{
    if (kind == DatabaseKind::Sqlite) {
        return "db=\"" + path + "\" timeout=5";
    }
    std::string out = "postgresql://";
    if (!user.empty()) {
        out += user;
        if (!password.empty()) {
            out += ':' + password;
        }
        out += '@';
    }
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != 0) {
        out += ':' + std::to_string(port);
    }
    out += '/' + database;
    bool hasTimeout = false;
    for (const std::string_view param : splitParams(params)) {
        hasTimeout = hasTimeout || startsWith(param, "connect_timeout=");
    }
    std::string query = params;
    if (!hasTimeout) {
        query += std::string(query.empty() ? "" : "&") + "connect_timeout=5";
    }
    return out + '?' + query;
}

std::string DatabaseUrl::scrub(std::string text) const
{
    std::vector<std::string> secrets;
    if (!password.empty()) {
        secrets.push_back(password);
        secrets.push_back(percentDecode(password));
    }
    for (const std::string_view param : splitParams(params)) {
        const std::size_t eq = param.find('=');
        if (eq != std::string_view::npos && isSecretParam(param.substr(0, eq)) &&
            eq + 1 < param.size()) {
            secrets.emplace_back(param.substr(eq + 1));
            secrets.push_back(percentDecode(param.substr(eq + 1)));
        }
    }
    // Longest first, so a secret containing another is replaced whole.
    std::sort(secrets.begin(), secrets.end(),
              [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
    for (const std::string &secret : secrets) {
        replaceAll(text, secret, kRedacted);
    }
    return text;
}

Result<DatabaseUrl> parseDatabaseUrl(std::string_view url)
{
    for (const char c : url) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return invalidUrl("the URL contains control characters");
        }
    }
    const bool sqlite = startsWith(url, "sqlite:");
    if (!sqlite && url.find(' ') != std::string_view::npos) {
        return invalidUrl("the URL contains spaces; percent-encode them as %20");
    }
    if (sqlite) {
        return parseSqliteUrl(url.substr(7));
    }
    if (startsWith(url, "postgresql://")) {
        return parsePostgresUrl(url.substr(13));
    }
    if (startsWith(url, "postgres://")) {
        return parsePostgresUrl(url.substr(11));
    }
    const std::size_t colon = url.find(':');
    if (colon == std::string_view::npos || colon > 20) {
        return invalidUrl("expected sqlite:///absolute/path.db, sqlite:relative/path.db or "
                          "postgresql://user[:password]@host[:port]/dbname");
    }
    return invalidUrl("unsupported scheme '" + std::string(url.substr(0, colon)) +
                      "'; expected sqlite: or postgresql://");
}

// ---- Database -------------------------------------------------------------------------------

// SELECT on a statement prepared once. It is fetched to the end so that it never stays half-run
// between leases: on SQLite an unfinished statement keeps its connection's read snapshot open.
struct Database::RevisionQuery {
    long long revision = 0;
    soci::statement statement;

    explicit RevisionQuery(soci::session &session)
        : statement((session.prepare << "SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) "
                                        "FROM data_revisions",
                     soci::into(revision)))
    {}

    std::int64_t read()
    {
        statement.execute(false);
        std::int64_t value = 0;
        while (statement.fetch()) {
            value = revision;
        }
        return value;
    }
};

Database::Database(DatabaseUrl url, std::size_t poolSize)
    : m_url(std::move(url)), m_poolSize(poolSize),
      m_pool(std::make_unique<soci::connection_pool>(poolSize)), m_connections(poolSize)
{}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::open(const DatabaseUrl &url, std::size_t poolSize)
{
    poolSize = std::max<std::size_t>(poolSize, 1);
    std::unique_ptr<Database> db(new Database(url, poolSize));
    if (url.kind == DatabaseKind::Postgres) {
        const Result<const PostgresDriver *> &driver = postgresDriver();
        if (!driver) {
            return fail(driver.error());
        }
        db->m_postgres = *driver;
    }
    for (std::size_t i = 0; i < poolSize; ++i) {
        soci::session &session = db->m_pool->at(i);
        try {
            if (url.kind == DatabaseKind::Sqlite) {
                session.open(soci::sqlite3, url.connectString());
            } else {
                session.open(db->m_postgres->backend(), url.connectString());
            }
        } catch (const std::exception &e) {
            std::string what = url.kind == DatabaseKind::Sqlite
                                   ? "cannot open SQLite database " + url.path + ": "
                                   : "cannot connect to PostgreSQL at " + url.redacted() + ": ";
            const auto *sociError = dynamic_cast<const soci::soci_error *>(&e);
            what += trimmed(sociError != nullptr ? sociError->get_error_message() : e.what());
            return fail(ErrorCode::Unavailable, url.scrub(std::move(what)));
        }
        if (url.kind == DatabaseKind::Postgres) {
            // libpq prints server NOTICEs to stderr by default; no place for them.
            db->m_postgres->silenceNotices(session);
        } else {
            for (const std::string_view pragma :
                 {"PRAGMA busy_timeout=5000", "PRAGMA journal_mode=WAL",
                  "PRAGMA foreign_keys=ON"}) {
                if (auto done = db->executeVerbatim(session, pragma); !done) {
                    return fail(ErrorCode::Unavailable, "cannot use SQLite database " + url.path +
                                                            ": " + done.error().message);
                }
            }
        }
    }
    return db;
}

Database::Lease::Lease(Database &db) : m_db(db)
{
    const auto timeout = static_cast<int>(leaseTimeout.count());
    if (!m_db.m_pool->try_lease(m_pos, timeout)) {
        m_error = m_db.leaseError();
        return;
    }
    m_leased = true;
    soci::session &leased = m_db.m_pool->at(m_pos);
    if (m_db.connectionBroken(leased)) {
        try {
            m_db.m_connections[m_pos].revisionQuery.reset(); // prepared on the lost one
            leased.reconnect();
            m_db.m_postgres->silenceNotices(leased); // only PostgreSQL connections break
        } catch (const soci::soci_error &e) {
            m_error =
                Error{ErrorCode::Unavailable,
                      m_db.m_url.scrub("lost the connection to " + m_db.m_url.redacted() +
                                       " and cannot reconnect: " + trimmed(e.get_error_message()))};
        }
    }
}

Database::Lease::~Lease()
{
    if (m_leased) {
        // After the writer's transaction has ended: from now on no memo made before counts.
        if (std::exchange(m_db.m_connections[m_pos].bumpedRevision, false)) {
            m_db.m_writesEnded.fetch_add(1);
        }
        m_db.m_pool->give_back(m_pos);
    }
}

soci::session &Database::Lease::session()
{
    return m_db.m_pool->at(m_pos);
}

Error Database::leaseError() const
{
    return Error{ErrorCode::Unavailable, "all " + std::to_string(m_poolSize) +
                                             " database connections stayed busy for " +
                                             std::to_string(leaseTimeout.count()) + " ms"};
}

Error Database::translate(const soci::soci_error &e) const
{
    ErrorCode code = ErrorCode::Internal;
    if (e.get_error_category() == soci::soci_error::connection_error) {
        code = ErrorCode::Unavailable;
    }
    if (const auto state = m_postgres != nullptr ? m_postgres->sqlstate(e) : std::nullopt) {
        // Class 08: connection exceptions; 57P: the server is shutting down or restarting.
        if (startsWith(*state, "08") || startsWith(*state, "57P")) {
            code = ErrorCode::Unavailable;
        }
    }
    if (const auto *lite = dynamic_cast<const soci::sqlite3_soci_error *>(&e)) {
        const int rc = lite->result() & 0xff;
        if (rc == SQLITE_CANTOPEN || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            code = ErrorCode::Unavailable;
        }
    }
    return Error{code, m_url.scrub("database error: " + trimmed(e.get_error_message()))};
}

Error Database::translate(const soci::soci_error &e, soci::session &session) const
{
    Error error = translate(e);
    if (connectionBroken(session)) {
        error.code = ErrorCode::Unavailable;
    }
    return error;
}

Database::Violation Database::constraintViolation(const soci::soci_error &e) const
{
    if (const auto state = m_postgres != nullptr ? m_postgres->sqlstate(e) : std::nullopt) {
        if (*state == "23503") {
            return Violation::ForeignKey;
        }
        if (*state == "23505") {
            return Violation::Unique;
        }
        return Violation::None;
    }
    if (const auto *lite = dynamic_cast<const soci::sqlite3_soci_error *>(&e)) {
        if ((lite->result() & 0xff) == SQLITE_CONSTRAINT) {
            const std::string message = lite->get_error_message();
            if (message.find("FOREIGN KEY") != std::string::npos) {
                return Violation::ForeignKey;
            }
            if (message.find("UNIQUE") != std::string::npos) {
                return Violation::Unique;
            }
        }
    }
    return Violation::None;
}

bool Database::connectionBroken(soci::session &session) const
{
    return m_postgres != nullptr && m_postgres->connectionBroken(session);
}

Result<void> Database::ping()
{
    return withSession([](soci::session &session) -> Result<void> {
        int one = 0;
        session << "SELECT 1", soci::into(one);
        if (one != 1) {
            return fail(ErrorCode::Internal,
                        "database answered SELECT 1 with " + std::to_string(one));
        }
        return {};
    });
}

Result<std::int64_t> Database::dataRevision()
{
    const auto started = std::chrono::steady_clock::now();
    const std::uint64_t writes = m_writesEnded.load();
    {
        const std::lock_guard lock(m_memoMutex);
        if (m_memo.valid && m_memo.writes == writes && started - m_memo.readAt < revisionReuse) {
            return m_memo.revision;
        }
    }
    std::int64_t revision = 0;
    try {
        Lease lease(*this);
        if (!lease.ok()) {
            return fail(lease.error());
        }
        auto &query = m_connections[lease.position()].revisionQuery;
        try {
            if (!query) {
                query = std::make_unique<RevisionQuery>(lease.session());
            }
            revision = query->read();
        } catch (const soci::soci_error &e) {
            query.reset();
            return fail(translate(e, lease.session()));
        }
    } catch (const soci::soci_error &e) {
        return fail(translate(e));
    }
    const std::lock_guard lock(m_memoMutex);
    if (!m_memo.valid || started >= m_memo.readAt) {
        m_memo = RevisionMemo{revision, started, writes, true};
    }
    return revision;
}

void Database::bumpRevision(soci::session &session, std::string_view counter)
{
    const std::string name(counter);
    soci::statement statement =
        (session.prepare << "UPDATE data_revisions SET revision = revision + 1 WHERE name = :name",
         soci::use(name, "name"));
    statement.execute(true);
    if (statement.get_affected_rows() != 1) {
        throw std::logic_error("no data revision counter named '" + name + "'");
    }
    for (std::size_t i = 0; i < m_poolSize; ++i) {
        if (&m_pool->at(i) == &session) {
            m_connections[i].bumpedRevision = true; // counted when the lease ends
        }
    }
}

Result<void> Database::executeVerbatim(soci::session &session, std::string_view statement) const
{
    const std::string sql(statement);
    if (m_url.kind == DatabaseKind::Sqlite) {
        auto *backend = static_cast<soci::sqlite3_session_backend *>(session.get_backend());
        char *message = nullptr;
        const int rc =
            sqlite_api::sqlite3_exec(backend->conn_, sql.c_str(), nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            std::string text =
                message != nullptr ? message : sqlite_api::sqlite3_errmsg(backend->conn_);
            sqlite_api::sqlite3_free(message);
            const int primary = rc & 0xff;
            const ErrorCode code =
                primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN
                    ? ErrorCode::Unavailable
                    : ErrorCode::Internal;
            return fail(code, m_url.scrub(std::move(text)));
        }
        return {};
    }
    auto done = m_postgres->executeVerbatim(session, sql);
    if (!done) {
        const ErrorCode code = done.error().code;
        return fail(code, m_url.scrub(trimmed(std::move(done).error().message)));
    }
    return {};
}

} // namespace toolhub::server
