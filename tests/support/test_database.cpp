#include "test_database.h"

#include "core/migrations/migration_runner.h"

#include <QTest>

namespace toolhub::test {

namespace {

void setError(QString *error, const std::string &message)
{
    if (error != nullptr) {
        *error = QString::fromStdString(message);
    }
}

} // namespace

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

std::string newDatabaseUrl(const QString &backend, const QTemporaryDir &dir, PostgresCluster &pg,
                           const QString &name, QString *error)
{
    if (backend == QLatin1String("sqlite")) {
        return "sqlite://" + dir.filePath(name + QStringLiteral(".db")).toStdString();
    }
    if (!pg.createDatabase(name)) {
        if (error != nullptr) {
            *error = pg.errorString();
        }
        return {};
    }
    return pg.url(name).toStdString();
}

std::unique_ptr<server::Database> openDatabase(const std::string &url, std::size_t poolSize,
                                               QString *error)
{
    auto parsed = server::parseDatabaseUrl(url);
    if (!parsed) {
        setError(error, parsed.error().message);
        return nullptr;
    }
    auto db = server::Database::open(*parsed, poolSize);
    if (!db) {
        setError(error, db.error().message);
        return nullptr;
    }
    return std::move(db).value();
}

std::unique_ptr<server::Database> openMigratedDatabase(const QString &backend,
                                                       const QTemporaryDir &dir,
                                                       PostgresCluster &pg, const QString &name,
                                                       std::string_view installedBy, QString *error)
{
    const std::string url = newDatabaseUrl(backend, dir, pg, name, error);
    if (url.empty()) {
        return nullptr;
    }
    auto db = openDatabase(url, 2, error);
    if (!db) {
        return nullptr;
    }
    auto migrated = server::migrate(*db, server::embeddedMigrations(), installedBy);
    if (!migrated) {
        setError(error, migrated.error().message);
        return nullptr;
    }
    return db;
}

} // namespace toolhub::test
