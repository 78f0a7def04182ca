#pragma once

#include "toolhub/forwarding.h"
#include "toolhub/link.h"
#include "toolhub/result.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>

class QLocalServer;
class QLocalSocket;
class QLockFile;

Q_DECLARE_METATYPE(toolhub::LinkRequest)

// The one running toolhub window of a user: listens on the per-user local socket
// (instanceSocketName()) for what a second start or toolhub-open hands over, one line each way
// (forwarding.h). Only the same user may connect (QLocalServer::UserAccessOption; with
// XDG_RUNTIME_DIR the socket also lies in the user's private folder).
//
//   connection --one line, in time--> decodeForwarded --ok--> "OK\n", linkRequested / showRequested
//                                                     \-----> "ERR <code>\n"
//              --longer than kMaxForwardedLineLength, or slower than lineTimeout--> "ERR ..."
//
// Every connection is closed after its answer; a socket never says more than one thing.
class InstanceServer : public QObject {
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds defaultLineTimeout{3000};

    // `name`: instanceSocketName() of this user (defaultInstanceName()) or, in tests, any name.
    explicit InstanceServer(QString name, QObject *parent = nullptr);
    ~InstanceServer() override;

    // Starts listening. Being the instance is a lock file beside the socket ("<name>.lock", held
    // while this object lives; stale once its process is gone), so two starts at the same moment
    // cannot both remove and bind the socket: the second gets Conflict. A socket file no one
    // answers on (left by a toolhub that crashed) is removed first; a name a running instance
    // answers on is never taken over: Conflict. Unavailable when the socket cannot be made.
    [[nodiscard]] toolhub::Result<void> listen();
    [[nodiscard]] bool isListening() const;
    [[nodiscard]] QString name() const { return m_name; }
    // How long a connection may take to send its line (tests shorten it).
    void setLineTimeout(std::chrono::milliseconds timeout) { m_lineTimeout = timeout; }

Q_SIGNALS:
    void linkRequested(const toolhub::LinkRequest &request);
    void showRequested();
    // A line was refused with "ERR <code>" (for the log).
    void refused(const QString &reason);

private:
    void accept();
    void readLine(QLocalSocket *socket);
    void answer(QLocalSocket *socket, const QByteArray &line);
    void refuse(QLocalSocket *socket, const QString &code, const QString &reason);
    void close(QLocalSocket *socket, const QByteArray &answer);

    QString m_name;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer *m_server;
    std::chrono::milliseconds m_lineTimeout = defaultLineTimeout;
};

// This user's socket name: instanceSocketName($XDG_RUNTIME_DIR, the user's login name).
[[nodiscard]] QString defaultInstanceName();

// Hands `message` to the instance listening on `name`: true once it answered "OK" within
// `timeout` (in total). False when nothing listens, it refused, or it did not answer in time.
// Blocks; used before the event loop runs (a second start of toolhub).
[[nodiscard]] bool forwardToRunningInstance(const QString &name,
                                            const toolhub::ForwardedMessage &message,
                                            std::chrono::milliseconds timeout);
