#include "core/auth/loopback_listener.h"

#include "core/logging.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

// A page with nothing to load from elsewhere.
QByteArray page(const QString &title, const QString &message)
{
    const QString html =
        QStringLiteral("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<title>%1</title>\n<style>body{font-family:system-ui,sans-serif;"
                       "color:#1d2330;max-width:28rem;margin:15vh auto;padding:0 1rem;"
                       "text-align:center}h1{font-size:1.4rem}</style>\n</head>\n<body>\n"
                       "<h1>%1</h1>\n<p>%2</p>\n</body>\n</html>\n")
            .arg(title.toHtmlEscaped(), message.toHtmlEscaped());
    return html.toUtf8();
}

// Bytes that may appear in a request line (the final CR aside): visible ASCII and spaces.
bool isRequestLineByte(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
}

bool isValidRequestLine(const QByteArray &line, QByteArray &method, QByteArray &target)
{
    const auto parts = line.split(' ');
    if (parts.size() != 3) {
        return false;
    }
    method = parts.at(0);
    target = parts.at(1);
    const QByteArray &version = parts.at(2);
    if (method.isEmpty() || method.size() > 16 || target.isEmpty() || target.front() != '/') {
        return false;
    }
    for (const char c : method) {
        if (c < 'A' || c > 'Z') {
            return false;
        }
    }
    for (const char c : line) {
        if (!isRequestLineByte(c)) {
            return false;
        }
    }
    return version == "HTTP/1.1" || version == "HTTP/1.0";
}

} // namespace

LoopbackListener::LoopbackListener(QString callbackPath, QObject *parent)
    : QObject(parent), m_callbackPath(std::move(callbackPath))
{}

LoopbackListener::~LoopbackListener()
{
    close();
}

bool LoopbackListener::listen()
{
    close();
    delete m_server;
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, &LoopbackListener::accept);
    if (m_server->listen(QHostAddress::LocalHost, 0) ||
        m_server->listen(QHostAddress::LocalHostIPv6, 0)) {
        m_error.clear();
        qCDebug(lcAuth) << "listening for the sign-in answer on port" << m_server->serverPort();
        return true;
    }
    m_error = m_server->errorString();
    return false;
}

bool LoopbackListener::isListening() const
{
    return m_server != nullptr && m_server->isListening();
}

quint16 LoopbackListener::port() const
{
    return isListening() ? m_server->serverPort() : quint16{0};
}

QString LoopbackListener::redirectUri() const
{
    if (!isListening()) {
        return {};
    }
    const bool ipv6 = m_server->serverAddress().protocol() == QAbstractSocket::IPv6Protocol;
    return QStringLiteral("http://%1:%2%3")
        .arg(ipv6 ? QStringLiteral("[::1]") : QStringLiteral("127.0.0.1"))
        .arg(m_server->serverPort())
        .arg(m_callbackPath);
}

void LoopbackListener::close()
{
    if (m_server != nullptr) {
        m_server->close();
    }
    const auto waiting = m_buffers.keys();
    m_buffers.clear();
    for (QTcpSocket *socket : waiting) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void LoopbackListener::accept()
{
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        socket->setParent(this);
        if (m_buffers.size() >= maxConnections) {
            qCDebug(lcAuth) << "too many connections to the sign-in listener; dropping one";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_buffers.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            forget(socket);
            socket->deleteLater();
        });
        QTimer::singleShot(idleTimeout, socket, [this, socket] {
            if (m_buffers.contains(socket)) {
                forget(socket);
                socket->abort();
                socket->deleteLater();
            }
        });
        // Bytes may have arrived before the connection was taken.
        if (socket->bytesAvailable() > 0) {
            readFrom(socket);
        }
    }
}

void LoopbackListener::forget(QTcpSocket *socket)
{
    m_buffers.remove(socket);
}

void LoopbackListener::readFrom(QTcpSocket *socket)
{
    const auto found = m_buffers.find(socket);
    if (found == m_buffers.end()) {
        socket->readAll(); // answered already: whatever else it sends is dropped
        return;
    }
    QByteArray &buffer = *found;
    buffer += socket->read(maxHeaderBlock + 1 - buffer.size());
    if (socket->bytesAvailable() > 0) {
        socket->readAll(); // over every limit; refused below
    }

    const auto lineEnd = buffer.indexOf('\n');
    const auto lineSize = lineEnd < 0 ? buffer.size() : lineEnd;
    if (lineSize > maxRequestLine) {
        respond(socket, 414, page(QStringLiteral("Request too long"), {}));
        return;
    }
    QByteArray line = buffer.left(lineSize);
    if (line.endsWith('\r')) {
        line.chop(1);
    }
    if (lineEnd < 0) {
        // Not complete yet, but garbage can be told early.
        if (!std::all_of(line.cbegin(), line.cend(), isRequestLineByte)) {
            respond(socket, 400, page(QStringLiteral("Bad request"), {}));
        }
        return;
    }
    QByteArray method;
    QByteArray target;
    if (!isValidRequestLine(line, method, target)) {
        respond(socket, 400, page(QStringLiteral("Bad request"), {}));
        return;
    }
    const bool complete =
        buffer.indexOf("\r\n\r\n", lineEnd - 1) >= 0 || buffer.indexOf("\n\n", lineEnd) >= 0;
    if (!complete) {
        if (buffer.size() > maxHeaderBlock) {
            respond(socket, 431, page(QStringLiteral("Request too large"), {}));
        }
        return;
    }
    m_buffers.remove(socket);

    if (method != "GET") {
        respond(socket, 405, page(QStringLiteral("Method not allowed"), {}), "Allow: GET\r\n");
        return;
    }
    const auto question = target.indexOf('?');
    const QByteArray path = question < 0 ? target : target.left(question);
    if (QString::fromLatin1(path) != m_callbackPath) {
        respond(socket, 404, page(QStringLiteral("Not found"), {}));
        return;
    }
    m_callbackSocket = socket;
    Q_EMIT callbackReceived(question < 0 ? QString()
                                         : QString::fromLatin1(target.mid(question + 1)));
    if (m_callbackSocket != nullptr) {
        respond(socket, 400, page(QStringLiteral("Bad request"), {}));
        m_callbackSocket = nullptr;
    }
}

void LoopbackListener::answerCallback(int status, const QString &title, const QString &message)
{
    QTcpSocket *socket = m_callbackSocket;
    if (socket == nullptr) {
        return;
    }
    m_callbackSocket = nullptr;
    respond(socket, status, page(title, message));
}

void LoopbackListener::respond(QTcpSocket *socket, int status, const QByteArray &body,
                               const QByteArray &extraHeaders)
{
    m_buffers.remove(socket);
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                      "\r\n"
                      "Content-Type: text/html; charset=utf-8\r\n"
                      "Content-Length: " +
                      QByteArray::number(body.size()) +
                      "\r\n"
                      "Cache-Control: no-store\r\n"
                      "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
                      "Referrer-Policy: no-referrer\r\n"
                      "X-Content-Type-Options: nosniff\r\n"
                      "X-Frame-Options: DENY\r\n"
                      "Connection: close\r\n" +
                      extraHeaders + "\r\n";
    socket->write(head + body);
    socket->flush();
    socket->disconnectFromHost();
}
