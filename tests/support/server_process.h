#pragma once

#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

// The real toolhub-server binary, started on a free port with a temporary data folder.
// Stopped by its PID in the destructor if the test did not stop it.
class ServerProcess {
public:
    // `environment` adds or overrides TOOLHUB_* variables; the parent's TOOLHUB_* are dropped.
    explicit ServerProcess(QProcessEnvironment environment = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess &) = delete;
    ServerProcess &operator=(const ServerProcess &) = delete;

    // Starts the server and waits until it logs "listening" (or exits). Returns false with
    // errorString() set on failure.
    bool start(const QStringList &arguments = {QStringLiteral("serve")}, int timeoutMs = 30000);
    // The two halves of start(), for starting several servers at once.
    bool begin(const QStringList &arguments = {QStringLiteral("serve")}, int timeoutMs = 30000);
    bool waitUntilListening(int timeoutMs = 30000);
    // Sends SIGTERM and waits; returns the exit code, or -1 if it crashed or did not exit.
    int terminate(int timeoutMs = 30000);
    // Waits for the server to exit by itself; returns the exit code, or -1.
    int waitForExit(int timeoutMs = 30000);
    // Runs the binary to completion (e.g. "migrate", "--help"); returns the exit code.
    int runToCompletion(const QStringList &arguments, int timeoutMs = 60000);

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QUrl url(const QString &path) const;
    [[nodiscard]] QString dataDir() const { return m_dataDir.path(); }
    [[nodiscard]] qint64 pid() const { return m_process.processId(); }
    [[nodiscard]] QString errorString() const { return m_error; }
    // Reads what the server printed so far; stdout lines that are JSON are parsed.
    [[nodiscard]] QList<QJsonObject> logRecords();
    // The public half of the manifest signing key the server logged at start ("key.public", 32
    // bytes); empty when none was logged.
    [[nodiscard]] QByteArray signingKey();
    [[nodiscard]] QByteArray standardOutput();
    [[nodiscard]] QByteArray standardError();
    [[nodiscard]] static QString executable();

private:
    void collect();

    QTemporaryDir m_dataDir;
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    quint16 m_port = 0;
    QString m_error;
};
