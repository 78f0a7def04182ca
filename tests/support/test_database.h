#pragma once

#include "core/storage/database.h"
#include "postgres_cluster.h"

#include <QString>
#include <QTemporaryDir>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace toolhub::test {

// The "backend" column of a data-driven test with one row per database: "sqlite" and
// "postgres". Call from a test's _data() function.
void addBackendRows();

// The URL of a new, empty database called `name`: the file `name`.db in `dir` for "sqlite", a
// database created in the running `pg` for "postgres". Empty with `error` set when `pg` refuses.
[[nodiscard]] std::string newDatabaseUrl(const QString &backend, const QTemporaryDir &dir,
                                         PostgresCluster &pg, const QString &name,
                                         QString *error = nullptr);

// Opens `url` with `poolSize` connections; null with `error` set when that fails.
[[nodiscard]] std::unique_ptr<server::Database>
openDatabase(const std::string &url, std::size_t poolSize, QString *error = nullptr);

// A new database (see newDatabaseUrl) opened with two connections and migrated with the
// server's embedded migrations, recorded as installed by `installedBy`. Null with `error` set
// when any step fails.
//
//     QString error;
//     m_db = openMigratedDatabase(backend, m_dir, m_pg, QStringLiteral("t1"), "my-test", &error);
//     QVERIFY2(m_db, qPrintable(error));
[[nodiscard]] std::unique_ptr<server::Database>
openMigratedDatabase(const QString &backend, const QTemporaryDir &dir, PostgresCluster &pg,
                     const QString &name, std::string_view installedBy, QString *error = nullptr);

} // namespace toolhub::test
