#include "postgres_cluster.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QVersionNumber>

#include <csignal>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

namespace toolhub::test {

namespace {

quint16 pickFreePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace

PostgresCluster::PostgresCluster() = default;

PostgresCluster::~PostgresCluster()
{
    stop();
}

QString PostgresCluster::findBinDir()
{
    const QString fromEnv = qEnvironmentVariable("TOOLHUB_PG_BINDIR");
    if (!fromEnv.isEmpty()) {
        return QFile::exists(fromEnv + QStringLiteral("/initdb")) ? fromEnv : QString();
    }
    const QDir root(QStringLiteral("/usr/lib/postgresql"));
    QString best;
    QVersionNumber bestVersion;
    for (const QString &entry : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString bin = root.filePath(entry) + QStringLiteral("/bin");
        const QVersionNumber version = QVersionNumber::fromString(entry);
        if (QFile::exists(bin + QStringLiteral("/initdb")) &&
            QFile::exists(bin + QStringLiteral("/pg_ctl")) &&
            (best.isEmpty() || version > bestVersion)) {
            best = bin;
            bestVersion = version;
        }
    }
    return best;
}

QString PostgresCluster::dataDir() const
{
    return m_dir->path() + QStringLiteral("/data");
}

QString PostgresCluster::logFile() const
{
    return m_dir->path() + QStringLiteral("/postgres.log");
}

QString PostgresCluster::url(const QString &database) const
{
    return QStringLiteral("postgresql://toolhub@127.0.0.1:%1/%2").arg(m_port).arg(database);
}

QString PostgresCluster::logContents() const
{
    QFile file(logFile());
    if (!m_dir || !file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(file.readAll().right(4000));
}

bool PostgresCluster::run(const QString &program, const QStringList &arguments, int timeoutMs,
                          QString *output)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"PGDATA", "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE",
                             "PGPASSWORD", "PGSERVICE", "PGOPTIONS"}) {
        env.remove(QString::fromLatin1(name));
    }
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    process.setProcessEnvironment(env);
    process.setWorkingDirectory(m_dir->path());
    process.setProcessChannelMode(QProcess::MergedChannels);
    const QString binary = m_binDir + QLatin1Char('/') + program;
    if (m_asPostgresUser) {
        process.start(QStringLiteral("runuser"),
                      QStringList{QStringLiteral("-u"), QStringLiteral("postgres"),
                                  QStringLiteral("--"), binary} +
                          arguments);
    } else {
        process.start(binary, arguments);
    }
    if (!process.waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start %1: %2").arg(program, process.errorString());
        return false;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        m_error = QStringLiteral("%1 did not finish within %2 ms").arg(program).arg(timeoutMs);
        return false;
    }
    const QString text = QString::fromLocal8Bit(process.readAll());
    if (output != nullptr) {
        *output = text;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error = QStringLiteral("%1 %2 failed (exit code %3): %4")
                      .arg(program, arguments.join(QLatin1Char(' ')))
                      .arg(process.exitCode())
                      .arg(text.trimmed());
        return false;
    }
    return true;
}

bool PostgresCluster::start()
{
    if (m_running) {
        return true;
    }
    m_binDir = findBinDir();
    if (m_binDir.isEmpty()) {
        const QString where = qEnvironmentVariableIsSet("TOOLHUB_PG_BINDIR")
                                  ? qEnvironmentVariable("TOOLHUB_PG_BINDIR") +
                                        QStringLiteral(" ($TOOLHUB_PG_BINDIR)")
                                  : QStringLiteral("/usr/lib/postgresql/*/bin");
        m_error = QStringLiteral("PostgreSQL server binaries (initdb, pg_ctl) not found in %1; "
                                 "install postgresql-15 (scripts/install-deps.sh) or set "
                                 "TOOLHUB_PG_BINDIR")
                      .arg(where);
        return false;
    }
    m_dir =
        std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/toolhub-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        m_error = QStringLiteral("cannot create a temporary folder: %1").arg(m_dir->errorString());
        return false;
    }
    m_asPostgresUser = ::geteuid() == 0;
    if (m_asPostgresUser) {
        const passwd *user = ::getpwnam("postgres");
        if (user == nullptr) {
            m_error = QStringLiteral("running as root, but there is no 'postgres' system user to "
                                     "run PostgreSQL as (initdb refuses root)");
            return false;
        }
        if (::chown(QFile::encodeName(m_dir->path()).constData(), user->pw_uid, user->pw_gid) !=
            0) {
            m_error = QStringLiteral("cannot hand %1 to the postgres user").arg(m_dir->path());
            return false;
        }
    }

    if (!run(QStringLiteral("initdb"),
             {QStringLiteral("-D"), dataDir(), QStringLiteral("--auth=trust"), QStringLiteral("-U"),
              QStringLiteral("toolhub"), QStringLiteral("-E"), QStringLiteral("UTF8"),
              QStringLiteral("--no-locale"), QStringLiteral("--no-sync")},
             120000)) {
        return false;
    }

    // The port is free when picked but may be taken before the server binds it: retry.
    for (int attempt = 0; attempt < 3; ++attempt) {
        m_port = pickFreePort();
        if (m_port == 0) {
            m_error = QStringLiteral("cannot find a free TCP port on 127.0.0.1");
            return false;
        }
        const QString options =
            QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -c unix_socket_directories='%2' "
                           "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                           "-c max_connections=100")
                .arg(m_port)
                .arg(m_dir->path());
        if (run(QStringLiteral("pg_ctl"),
                {QStringLiteral("-D"), dataDir(), QStringLiteral("-l"), logFile(),
                 QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"),
                 QStringLiteral("-o"), options, QStringLiteral("start")},
                90000)) {
            m_running = true;
            return true;
        }
        m_error += QStringLiteral("\nserver log:\n") + logContents();
    }
    return false;
}

bool PostgresCluster::createDatabase(const QString &name)
{
    return run(QStringLiteral("createdb"),
               {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                QString::number(m_port), QStringLiteral("-U"), QStringLiteral("toolhub"), name},
               30000);
}

bool PostgresCluster::psql(const QString &database, const QString &sql, QString *output)
{
    return run(QStringLiteral("psql"),
               {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                QString::number(m_port), QStringLiteral("-U"), QStringLiteral("toolhub"),
                QStringLiteral("-X"), QStringLiteral("-A"), QStringLiteral("-t"),
                QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-d"),
                database, QStringLiteral("-c"), sql},
               30000, output);
}

void PostgresCluster::stop()
{
    if (!m_running) {
        return;
    }
    m_running = false;
    if (run(QStringLiteral("pg_ctl"),
            {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("fast"),
             QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("30"),
             QStringLiteral("stop")},
            45000)) {
        return;
    }
    // pg_ctl failed: end the postmaster we started, by the PID it recorded.
    QFile pidFile(dataDir() + QStringLiteral("/postmaster.pid"));
    if (pidFile.open(QIODevice::ReadOnly)) {
        bool ok = false;
        const qint64 pid = QString::fromLatin1(pidFile.readLine()).trimmed().toLongLong(&ok);
        if (ok && pid > 0) {
            ::kill(static_cast<pid_t>(pid), SIGKILL);
        }
    }
}

} // namespace toolhub::test
