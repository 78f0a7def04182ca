#include "core/app/instance.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

namespace {

Q_LOGGING_CATEGORY(lcInstance, "toolhub.instance")

// How long listen() waits for a running instance to take a connection before it decides the
// socket file was left behind. A live instance's socket accepts at once (the kernel queues the
// connection even while the event loop is busy); only a stale file refuses.
constexpr int kLiveCheckMs = 1000;

QString userName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        user = qEnvironmentVariable("USERNAME");
    }
    return user;
}

} // namespace

InstanceServer::InstanceServer(QString name, QObject *parent)
    : QObject(parent), m_name(std::move(name)), m_server(new QLocalServer(this))
{
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    connect(m_server, &QLocalServer::newConnection, this, &InstanceServer::accept);
}

InstanceServer::~InstanceServer() = default;

bool InstanceServer::isListening() const
{
    return m_server->isListening();
}

toolhub::Result<void> InstanceServer::listen()
{
    if (m_server->isListening()) {
        return {};
    }
    // A name without a folder is one Qt places in the temporary folder: its lock goes there too.
    const QString lockPath =
        QDir::isAbsolutePath(m_name)
            ? m_name + QStringLiteral(".lock")
            : QDir(QDir::tempPath()).filePath(m_name + QStringLiteral(".lock"));
    auto lock = std::make_unique<QLockFile>(lockPath);
    lock->setStaleLockTime(0); // stale only when its process is gone
    if (!lock->tryLock(kLiveCheckMs)) {
        return toolhub::fail(toolhub::ErrorCode::Conflict,
                             "another toolhub is running for this user");
    }
    {
        QLocalSocket probe;
        probe.connectToServer(m_name);
        if (probe.waitForConnected(kLiveCheckMs)) {
            probe.abort();
            return toolhub::fail(toolhub::ErrorCode::Conflict,
                                 "another toolhub is running for this user");
        }
    }
    // Nothing answers: a socket file left by an instance that ended without closing it.
    QLocalServer::removeServer(m_name);
    if (!m_server->listen(m_name)) {
        return toolhub::fail(toolhub::ErrorCode::Unavailable,
                             "cannot listen on " + m_name.toStdString() + ": " +
                                 m_server->errorString().toStdString());
    }
    m_lock = std::move(lock);
    qCInfo(lcInstance) << "listening on" << m_server->fullServerName();
    return {};
}

void InstanceServer::accept()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        auto *deadline = new QTimer(socket);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, this, [this, socket] {
            refuse(socket, QStringLiteral("timeout"),
                   QStringLiteral("no complete line within the time allowed"));
        });
        deadline->start(m_lineTimeout);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { readLine(socket); });
        readLine(socket);
    }
}

void InstanceServer::readLine(QLocalSocket *socket)
{
    if (socket->canReadLine()) {
        const QByteArray line = socket->readLine(qint64(toolhub::kMaxForwardedLineLength) + 1);
        if (line.size() > qsizetype(toolhub::kMaxForwardedLineLength) || !line.endsWith('\n')) {
            refuse(socket, QStringLiteral("too_long"), QStringLiteral("the line is too long"));
            return;
        }
        answer(socket, line);
        return;
    }
    if (socket->bytesAvailable() >= qint64(toolhub::kMaxForwardedLineLength)) {
        refuse(socket, QStringLiteral("too_long"), QStringLiteral("the line is too long"));
    }
}

void InstanceServer::answer(QLocalSocket *socket, const QByteArray &line)
{
    auto decoded =
        toolhub::decodeForwarded(std::string_view(line.constData(), std::size_t(line.size())));
    if (!decoded) {
        refuse(socket, QString::fromLatin1(toolhub::errorCodeName(decoded.error().code)),
               QString::fromStdString(decoded.error().message));
        return;
    }
    close(socket, "OK\n");
    if (const auto *link = std::get_if<toolhub::LinkRequest>(&*decoded)) {
        qCInfo(lcInstance) << "link handed over:" << QString::fromStdString(toolhub::toLink(*link));
        Q_EMIT linkRequested(*link);
    } else {
        qCInfo(lcInstance) << "asked to show the window";
        Q_EMIT showRequested();
    }
}

void InstanceServer::refuse(QLocalSocket *socket, const QString &code, const QString &reason)
{
    qCWarning(lcInstance) << "refused a forwarded line:" << reason;
    close(socket, "ERR " + code.toLatin1() + '\n');
    Q_EMIT refused(reason);
}

void InstanceServer::close(QLocalSocket *socket, const QByteArray &answer)
{
    // One answer per connection: whatever the peer sends after is not read.
    socket->disconnect(this);
    delete socket->findChild<QTimer *>();
    socket->write(answer);
    socket->disconnectFromServer();
}

QString defaultInstanceName()
{
    return QString::fromStdString(toolhub::instanceSocketName(
        qEnvironmentVariable("XDG_RUNTIME_DIR").toStdString(), userName().toStdString()));
}

bool forwardToRunningInstance(const QString &name, const toolhub::ForwardedMessage &message,
                              std::chrono::milliseconds timeout)
{
    const QDeadlineTimer deadline(timeout);
    QLocalSocket socket;
    socket.connectToServer(name);
    if (!socket.waitForConnected(int(deadline.remainingTime()))) {
        return false;
    }
    const std::string line = toolhub::encodeForwarded(message);
    socket.write(line.data(), qint64(line.size()));
    while (socket.bytesToWrite() > 0) {
        if (deadline.hasExpired() || !socket.waitForBytesWritten(int(deadline.remainingTime()))) {
            return false;
        }
    }
    while (!socket.canReadLine()) {
        if (socket.bytesAvailable() > 64 || deadline.hasExpired() ||
            !socket.waitForReadyRead(int(deadline.remainingTime()))) {
            return false;
        }
    }
    return socket.readLine(64) == "OK\n";
}
