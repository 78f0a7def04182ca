#include "server_process.h"

#include <QDeadlineTimer>
#include <QJsonDocument>

ServerProcess::ServerProcess(QProcessEnvironment environment)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const auto &key : env.keys()) {
        if (key.startsWith(QLatin1String("TOOLHUB_"))) {
            env.remove(key);
        }
    }
    env.insert(QStringLiteral("TOOLHUB_DATA_DIR"), m_dataDir.path());
    env.insert(QStringLiteral("TOOLHUB_LISTEN_PORT"), QStringLiteral("0"));
    env.insert(QStringLiteral("TOOLHUB_LOG_FORMAT"), QStringLiteral("json"));
    env.insert(QStringLiteral("TOOLHUB_SHUTDOWN_GRACE"), QStringLiteral("10s"));
    for (const auto &key : environment.keys()) {
        env.insert(key, environment.value(key));
    }
    m_process.setProcessEnvironment(env);
    m_process.setProgram(executable());
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill(); // SIGKILL to this child's PID only
        m_process.waitForFinished(10000);
    }
}

QString ServerProcess::executable()
{
    return QStringLiteral(TOOLHUB_SERVER_EXE);
}

void ServerProcess::collect()
{
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
}

bool ServerProcess::start(const QStringList &arguments, int timeoutMs)
{
    return begin(arguments, timeoutMs) && waitUntilListening(timeoutMs);
}

bool ServerProcess::begin(const QStringList &arguments, int timeoutMs)
{
    m_process.setArguments(arguments);
    m_process.start();
    if (!m_process.waitForStarted(timeoutMs)) {
        m_error =
            QStringLiteral("could not start %1: %2").arg(executable(), m_process.errorString());
        return false;
    }
    return true;
}

bool ServerProcess::waitUntilListening(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        m_process.waitForReadyRead(100);
        collect();
        for (const auto &record : logRecords()) {
            if (record.value(QLatin1String("message")).toString() == QLatin1String("listening")) {
                m_port = static_cast<quint16>(record.value(QLatin1String("server.port")).toInt());
                return m_port != 0;
            }
        }
        if (m_process.state() == QProcess::NotRunning) {
            collect();
            m_error = QStringLiteral("server exited with %1 before listening:\n%2\n%3")
                          .arg(m_process.exitCode())
                          .arg(QString::fromUtf8(m_stdout), QString::fromUtf8(m_stderr));
            return false;
        }
    }
    m_error = QStringLiteral("server did not report listening within %1 ms:\n%2")
                  .arg(timeoutMs)
                  .arg(QString::fromUtf8(m_stdout));
    return false;
}

int ServerProcess::terminate(int timeoutMs)
{
    m_process.terminate(); // SIGTERM
    return waitForExit(timeoutMs);
}

int ServerProcess::waitForExit(int timeoutMs)
{
    if (!m_process.waitForFinished(timeoutMs)) {
        m_error = QStringLiteral("server did not exit within %1 ms").arg(timeoutMs);
        return -1;
    }
    collect();
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

int ServerProcess::runToCompletion(const QStringList &arguments, int timeoutMs)
{
    m_process.setArguments(arguments);
    m_process.start();
    if (!m_process.waitForFinished(timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(5000);
        collect();
        return -1;
    }
    collect();
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

QUrl ServerProcess::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

QList<QJsonObject> ServerProcess::logRecords()
{
    collect();
    QList<QJsonObject> records;
    for (const auto &line : m_stdout.split('\n')) {
        const auto document = QJsonDocument::fromJson(line);
        if (document.isObject()) {
            records.append(document.object());
        }
    }
    return records;
}

QByteArray ServerProcess::standardOutput()
{
    collect();
    return m_stdout;
}

QByteArray ServerProcess::standardError()
{
    collect();
    return m_stderr;
}

QByteArray ServerProcess::signingKey()
{
    QByteArray key;
    for (const auto &record : logRecords()) {
        if (record.value(QLatin1String("key.public")).isString()) {
            key = QByteArray::fromBase64(
                record.value(QLatin1String("key.public")).toString().toLatin1());
        }
    }
    return key;
}
