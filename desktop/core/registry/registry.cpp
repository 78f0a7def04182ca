#include "core/registry/registry.h"

#include "core/logging.h"

#include <QAtomicInteger>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <limits>

using toolhub::ErrorCode;
using toolhub::fail;
using toolhub::Result;

namespace {

constexpr int schemaVersion = 1;

// Version 1. Times are ISO 8601 UTC text; hashes lowercase hex.
constexpr const char *schema[] = {
    "CREATE TABLE installations ("
    " id INTEGER PRIMARY KEY,"
    " product TEXT NOT NULL, tool TEXT NOT NULL, version TEXT NOT NULL,"
    " folder TEXT NOT NULL, installed_at TEXT NOT NULL,"
    " UNIQUE (product, tool))",
    "CREATE TABLE installed_files ("
    " installation_id INTEGER NOT NULL REFERENCES installations (id) ON DELETE CASCADE,"
    " path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " PRIMARY KEY (installation_id, path))",
    "CREATE TABLE manifest_versions ("
    " server TEXT NOT NULL, product TEXT NOT NULL, tool TEXT NOT NULL, version TEXT NOT NULL,"
    " manifest_version INTEGER NOT NULL,"
    " PRIMARY KEY (server, product, tool, version))",
    "CREATE TABLE pinned_keys ("
    " server TEXT PRIMARY KEY, public_key BLOB NOT NULL, pinned_at TEXT NOT NULL)",
    "CREATE TABLE cached_responses ("
    " server TEXT NOT NULL, path TEXT NOT NULL, etag BLOB NOT NULL, body BLOB NOT NULL,"
    " fetched_at TEXT NOT NULL,"
    " PRIMARY KEY (server, path))",
};

toolhub::Error sqlError(const QString &what, const QSqlError &error)
{
    return {ErrorCode::Unavailable, (what + QStringLiteral(": ") + error.text()).toStdString()};
}

// Prepares and runs `sql` with `binds` in order; the query, or the error.
Result<QSqlQuery> run(const QSqlDatabase &db, const char *sql, const QVariantList &binds = {})
{
    QSqlQuery query(db);
    if (!query.prepare(QString::fromLatin1(sql))) {
        return fail(sqlError(QStringLiteral("local database"), query.lastError()));
    }
    for (const QVariant &value : binds) {
        query.addBindValue(value);
    }
    if (!query.exec()) {
        return fail(sqlError(QStringLiteral("local database"), query.lastError()));
    }
    return query;
}

// A transaction that rolls back unless committed.
class Transaction {
public:
    explicit Transaction(QSqlDatabase db) : m_db(std::move(db)), m_open(m_db.transaction()) {}
    ~Transaction()
    {
        if (m_open) {
            m_db.rollback();
        }
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    [[nodiscard]] bool begun() const { return m_open; }
    [[nodiscard]] Result<void> commit()
    {
        if (!m_db.commit()) {
            return fail(sqlError(QStringLiteral("local database commit"), m_db.lastError()));
        }
        m_open = false;
        return {};
    }

private:
    QSqlDatabase m_db;
    bool m_open;
};

QString timestamp(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace

Registry::Registry(QString connectionName) : m_connectionName(std::move(connectionName))
{}

Registry::~Registry()
{
    {
        QSqlDatabase connection = QSqlDatabase::database(m_connectionName, false);
        connection.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QSqlDatabase Registry::db() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

Result<std::unique_ptr<Registry>> Registry::open(const QString &file)
{
    static QAtomicInteger<quint64> counter;
    const QString name = QStringLiteral("toolhub-registry-%1").arg(counter.fetchAndAddRelaxed(1));
    std::unique_ptr<Registry> registry(new Registry(name));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(file);
    if (!db.open()) {
        return fail(sqlError(QStringLiteral("cannot open ") + file, db.lastError()));
    }
    for (const char *pragma :
         {"PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 5000"}) {
        if (auto done = run(db, pragma); !done) {
            return fail(ErrorCode::Unavailable,
                        QFileInfo(file).fileName().toStdString() +
                            " is not a database Toolhub can use: " + done.error().message);
        }
    }
    auto version = run(db, "PRAGMA user_version");
    if (!version || !version->next()) {
        return fail(ErrorCode::Unavailable, "cannot read the local database's schema version");
    }
    const int current = version->value(0).toInt();
    if (current > schemaVersion) {
        return fail(ErrorCode::FailedPrecondition,
                    "the local database was written by a newer Toolhub (schema " +
                        std::to_string(current) + ")");
    }
    if (current < schemaVersion) {
        Transaction transaction(db);
        for (const char *statement : schema) {
            if (auto done = run(db, statement); !done) {
                return fail(done.error());
            }
        }
        if (auto done = run(db, "PRAGMA user_version = 1"); !done) {
            return fail(done.error());
        }
        if (auto committed = transaction.commit(); !committed) {
            return fail(committed.error());
        }
        qCInfo(lcRegistry) << "created the local database" << file;
    }
    return registry;
}

Result<std::optional<Installation>> Registry::installation(const QString &product,
                                                           const QString &tool)
{
    auto all = installations();
    if (!all) {
        return fail(all.error());
    }
    for (auto &installation : *all) {
        if (installation.product == product && installation.tool == tool) {
            return std::optional<Installation>(std::move(installation));
        }
    }
    return std::optional<Installation>{};
}

Result<std::vector<Installation>> Registry::installations()
{
    auto rows = run(db(), "SELECT id, product, tool, version, folder, installed_at "
                          "FROM installations ORDER BY product, tool");
    if (!rows) {
        return fail(rows.error());
    }
    std::vector<std::pair<qint64, Installation>> found;
    while (rows->next()) {
        Installation installation;
        installation.product = rows->value(1).toString();
        installation.tool = rows->value(2).toString();
        installation.version = rows->value(3).toString();
        installation.folder = rows->value(4).toString();
        installation.installedAt =
            QDateTime::fromString(rows->value(5).toString(), Qt::ISODateWithMs);
        found.emplace_back(rows->value(0).toLongLong(), std::move(installation));
    }
    std::vector<Installation> out;
    out.reserve(found.size());
    for (auto &[id, installation] : found) {
        auto files = run(db(),
                         "SELECT path, size, sha256 FROM installed_files "
                         "WHERE installation_id = ? ORDER BY path",
                         {id});
        if (!files) {
            return fail(files.error());
        }
        while (files->next()) {
            installation.files.push_back({files->value(0).toString(), files->value(1).toLongLong(),
                                          files->value(2).toByteArray()});
        }
        out.push_back(std::move(installation));
    }
    return out;
}

Result<void> Registry::recordInstallation(const Installation &installation)
{
    Transaction transaction(db());
    if (!transaction.begun()) {
        return fail(sqlError(QStringLiteral("local database"), db().lastError()));
    }
    if (auto removed = run(db(), "DELETE FROM installations WHERE product = ? AND tool = ?",
                           {installation.product, installation.tool});
        !removed) {
        return fail(removed.error());
    }
    auto inserted = run(db(),
                        "INSERT INTO installations (product, tool, version, folder, installed_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        {installation.product, installation.tool, installation.version,
                         installation.folder, timestamp(installation.installedAt)});
    if (!inserted) {
        return fail(inserted.error());
    }
    const QVariant id = inserted->lastInsertId();
    for (const InstalledFile &file : installation.files) {
        if (auto added = run(db(),
                             "INSERT INTO installed_files (installation_id, path, size, sha256) "
                             "VALUES (?, ?, ?, ?)",
                             {id, file.path, file.size, file.sha256Hex});
            !added) {
            return fail(added.error());
        }
    }
    return transaction.commit();
}

Result<void> Registry::forgetInstallation(const QString &product, const QString &tool)
{
    auto removed =
        run(db(), "DELETE FROM installations WHERE product = ? AND tool = ?", {product, tool});
    if (!removed) {
        return fail(removed.error());
    }
    if (removed->numRowsAffected() == 0) {
        return fail(ErrorCode::NotFound,
                    (product + QLatin1Char('/') + tool).toStdString() + " is not installed");
    }
    return {};
}

Result<std::uint64_t> Registry::highestManifestVersion(const QString &server,
                                                       const QString &product, const QString &tool,
                                                       const QString &version)
{
    auto row = run(db(),
                   "SELECT manifest_version FROM manifest_versions "
                   "WHERE server = ? AND product = ? AND tool = ? AND version = ?",
                   {server, product, tool, version});
    if (!row) {
        return fail(row.error());
    }
    return row->next() ? static_cast<std::uint64_t>(row->value(0).toLongLong()) : 0U;
}

Result<void> Registry::acceptManifestVersion(const QString &server, const QString &product,
                                             const QString &tool, const QString &version,
                                             std::uint64_t manifestVersion)
{
    if (manifestVersion > static_cast<std::uint64_t>(std::numeric_limits<qint64>::max())) {
        return fail(ErrorCode::InvalidArgument, "manifest version out of range");
    }
    const auto value = static_cast<qint64>(manifestVersion);
    auto done = run(db(),
                    "INSERT INTO manifest_versions (server, product, tool, version, "
                    "manifest_version) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (server, product, tool, version) DO UPDATE SET "
                    "manifest_version = MAX(manifest_version, excluded.manifest_version)",
                    {server, product, tool, version, value});
    if (!done) {
        return fail(done.error());
    }
    return {};
}

Result<std::optional<QByteArray>> Registry::pinnedKey(const QString &server)
{
    auto row = run(db(), "SELECT public_key FROM pinned_keys WHERE server = ?", {server});
    if (!row) {
        return fail(row.error());
    }
    if (!row->next()) {
        return std::optional<QByteArray>{};
    }
    return std::optional<QByteArray>(row->value(0).toByteArray());
}

Result<void> Registry::pinKey(const QString &server, const QByteArray &key)
{
    auto pinned = pinnedKey(server);
    if (!pinned) {
        return fail(pinned.error());
    }
    if (*pinned) {
        if (**pinned == key) {
            return {};
        }
        return fail(ErrorCode::Conflict,
                    "the server presents a different signing key than the one pinned at the "
                    "first sign-in");
    }
    auto done =
        run(db(), "INSERT INTO pinned_keys (server, public_key, pinned_at) VALUES (?, ?, ?)",
            {server, key, timestamp(QDateTime::currentDateTimeUtc())});
    if (!done) {
        return fail(done.error());
    }
    return {};
}

Result<std::optional<CachedResponse>> Registry::cachedResponse(const QString &server,
                                                               const QString &path)
{
    auto row = run(db(),
                   "SELECT etag, body, fetched_at FROM cached_responses "
                   "WHERE server = ? AND path = ?",
                   {server, path});
    if (!row) {
        return fail(row.error());
    }
    if (!row->next()) {
        return std::optional<CachedResponse>{};
    }
    return std::optional<CachedResponse>(
        CachedResponse{row->value(0).toByteArray(), row->value(1).toByteArray(),
                       QDateTime::fromString(row->value(2).toString(), Qt::ISODateWithMs)});
}

Result<void> Registry::storeResponse(const QString &server, const QString &path,
                                     const CachedResponse &response)
{
    auto done = run(db(),
                    "INSERT INTO cached_responses (server, path, etag, body, fetched_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (server, path) DO UPDATE SET "
                    "etag = excluded.etag, body = excluded.body, fetched_at = excluded.fetched_at",
                    {server, path, response.etag, response.body, timestamp(response.fetchedAt)});
    if (!done) {
        return fail(done.error());
    }
    return {};
}

Result<void> Registry::forgetResponses(const QString &server)
{
    auto done = run(db(), "DELETE FROM cached_responses WHERE server = ?", {server});
    if (!done) {
        return fail(done.error());
    }
    return {};
}
