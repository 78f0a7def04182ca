#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace toolhub::test {

// A throw-away PostgreSQL server for tests: initdb into a temporary folder (trust auth,
// superuser "toolhub", UTF8), started with pg_ctl on 127.0.0.1 and a free port, its socket in
// the same folder. The destructor stops it (pg_ctl stop -m fast) and removes the folder.
// Running as root (CI), every PostgreSQL program runs as the "postgres" system user through
// runuser, since initdb refuses root.
//
//     PostgresCluster pg;
//     QVERIFY2(pg.start(), qPrintable(pg.errorString()));
//     QVERIFY2(pg.createDatabase("t1"), qPrintable(pg.errorString()));
//     open(pg.url("t1"));
class PostgresCluster {
public:
    PostgresCluster();
    ~PostgresCluster();
    PostgresCluster(const PostgresCluster &) = delete;
    PostgresCluster &operator=(const PostgresCluster &) = delete;

    // False with errorString() set when the binaries are missing or the server does not start.
    [[nodiscard]] bool start();
    [[nodiscard]] bool createDatabase(const QString &name);
    // Runs one SQL command with psql against `database`; its output in `output` if given.
    [[nodiscard]] bool psql(const QString &database, const QString &sql, QString *output = nullptr);
    void stop();

    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString url(const QString &database) const;
    [[nodiscard]] const QString &errorString() const { return m_error; }
    [[nodiscard]] QString logContents() const;

    // The newest /usr/lib/postgresql/<n>/bin holding initdb and pg_ctl (or $TOOLHUB_PG_BINDIR);
    // empty when none is installed.
    [[nodiscard]] static QString findBinDir();

private:
    bool run(const QString &program, const QStringList &arguments, int timeoutMs,
             QString *output = nullptr);
    [[nodiscard]] QString dataDir() const;
    [[nodiscard]] QString logFile() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_binDir;
    QString m_error;
    quint16 m_port = 0;
    bool m_asPostgresUser = false;
    bool m_running = false;
};

} // namespace toolhub::test
