#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <chrono>

class QTcpServer;
class QTcpSocket;

// The app's end of an RFC 8252 loopback redirect: a tiny HTTP/1.1 server on 127.0.0.1 (or
// [::1] where there is no IPv4) with a port the system picks, waiting for the browser to come
// back to `callbackPath`. Internal to core/auth (BrowserSignIn uses it).
//
// Every connection gets one answer and is closed. A GET of the callback path is handed to
// callbackReceived(), whose receiver answers it with answerCallback(); anything else gets an
// error status and changes nothing: other paths 404, other methods 405, malformed requests 400,
// a request line over 8 KiB 414, a header block over 16 KiB 431. A connection that sends
// nothing for `idleTimeout` is dropped; at most `maxConnections` are open at once.
class LoopbackListener : public QObject {
    Q_OBJECT

public:
    explicit LoopbackListener(QString callbackPath, QObject *parent = nullptr);
    ~LoopbackListener() override;

    // Starts listening; false (with errorString()) if neither loopback address can be used.
    [[nodiscard]] bool listen();
    [[nodiscard]] bool isListening() const;
    [[nodiscard]] quint16 port() const;
    // http://127.0.0.1:<port><callbackPath> (or http://[::1]:...); empty when not listening.
    [[nodiscard]] QString redirectUri() const;
    [[nodiscard]] QString errorString() const { return m_error; }

    // Answers the callback request being handled (from a slot of callbackReceived()) with a
    // small HTML page; ignored outside of that.
    void answerCallback(int status, const QString &title, const QString &message);
    // Stops listening and drops every connection but an answered one, which is closed once its
    // answer is written.
    void close();

    static constexpr qsizetype maxRequestLine = qsizetype{8} * 1024;
    static constexpr qsizetype maxHeaderBlock = qsizetype{16} * 1024;
    static constexpr int maxConnections = 16;
    static constexpr std::chrono::seconds idleTimeout{10};

Q_SIGNALS:
    // A GET of the callback path; `query` as sent, still percent-encoded (may be empty).
    void callbackReceived(const QString &query);

private:
    void accept();
    void readFrom(QTcpSocket *socket);
    void handleRequest(QTcpSocket *socket, const QByteArray &requestLine);
    void respond(QTcpSocket *socket, int status, const QByteArray &body,
                 const QByteArray &extraHeaders = {});
    void forget(QTcpSocket *socket);

    QString m_callbackPath;
    QTcpServer *m_server = nullptr;
    QHash<QTcpSocket *, QByteArray> m_buffers; // connections waiting for a full request
    QPointer<QTcpSocket> m_callbackSocket;     // the one callbackReceived() is about, while emitted
    QString m_error;
};
