// Files through the real HTTP stack (Router, Pipeline, HttpServer with sendfile) in this
// process, driven over TCP by Qt Network and by raw sockets: whole files, every Range form,
// resumed downloads, validators, HEAD, Content-Disposition, keep-alive and a stalled reader.

#include "http/file_response.h"
#include "http/middleware.h"
#include "http/router.h"
#include "http/server.h"

#include "http_client.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <sstream>
#include <thread>

using namespace toolhub;
using namespace toolhub::server;

namespace {

constexpr qsizetype fileSize = 8 * 1024 * 1024 + 123; // not a multiple of any buffer size

// Router, pipeline and HttpServer on a free port, run on their own thread.
class InProcessServer {
public:
    explicit InProcessServer(std::chrono::seconds requestTimeout = std::chrono::seconds{10})
        : m_logger(m_logs, LogFormat::Json, LogLevel::Info)
    {
        m_pipeline.use(http::requestContext());
        m_pipeline.use(http::accessLog(m_logger));
        m_pipeline.use(http::errorMapping(m_logger));
        http::HttpServerOptions options;
        options.port = 0;
        options.threads = 2;
        options.requestTimeout = requestTimeout;
        options.shutdownGrace = std::chrono::seconds{5};
        m_server = std::make_unique<http::HttpServer>(
            options, m_pipeline,
            [this](http::Request &request) { return router.dispatch(request); }, m_logger);
    }
    ~InProcessServer() { stop(); }
    InProcessServer(const InProcessServer &) = delete;
    InProcessServer &operator=(const InProcessServer &) = delete;

    bool start()
    {
        const auto port = m_server->listen();
        if (!port) {
            return false;
        }
        m_port = *port;
        m_thread = std::thread([this] { m_server->run(); });
        return true;
    }
    void stop()
    {
        if (m_thread.joinable()) {
            m_server->stop();
            m_thread.join();
        }
    }
    // Only after stop(): the log is written by the server's threads.
    [[nodiscard]] std::string logs() const { return m_logs.str(); }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QUrl url(const QString &pathAndQuery) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery));
    }

    http::Router router;

private:
    std::ostringstream m_logs;
    Logger m_logger;
    http::Pipeline m_pipeline;
    std::unique_ptr<http::HttpServer> m_server;
    std::thread m_thread;
    quint16 m_port = 0;
};

struct RawResponse {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    [[nodiscard]] QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0) {
                return value;
            }
        }
        return {};
    }
    [[nodiscard]] bool hasHeader(const QByteArray &name) const
    {
        return std::any_of(headers.begin(), headers.end(), [&name](const auto &field) {
            return field.first.compare(name, Qt::CaseInsensitive) == 0;
        });
    }
};

// One HTTP/1.1 connection, for exact control over what is sent and read.
class RawClient {
public:
    explicit RawClient(quint16 port, int receiveBuffer = 0)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        m_connected = m_socket.waitForConnected(5000);
        if (receiveBuffer > 0) {
            // A small window: a reader that stops reading stalls the sender quickly.
            m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, receiveBuffer);
        }
    }
    [[nodiscard]] bool connected() const { return m_connected; }

    void get(const QByteArray &target, const QList<QByteArray> &extraHeaders = {},
             const QByteArray &method = "GET")
    {
        QByteArray request = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
        for (const auto &header : extraHeaders) {
            request += header + "\r\n";
        }
        request += "\r\n";
        m_socket.write(request);
        m_socket.waitForBytesWritten(5000);
    }

    // Reads a response's header; then up to `bodyLimit` bytes of its Content-Length body
    // (none for HEAD, 304 and 204). Status 0 on timeout or close before the header.
    RawResponse read(bool head = false, qint64 bodyLimit = -1, int timeoutMs = 20000)
    {
        RawResponse response;
        const QDeadlineTimer deadline(timeoutMs);
        qsizetype end = -1;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!fill(deadline)) {
                return response;
            }
        }
        const auto lines = m_buffer.left(end).split('\n');
        m_buffer.remove(0, end + 4);
        response.status = lines.value(0).mid(9, 3).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const auto line = lines[i].trimmed();
            const auto colon = line.indexOf(':');
            response.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
        }
        qint64 length = 0;
        if (!head && response.status != 304 && response.status != 204) {
            length = response.header("Content-Length").toLongLong();
        }
        if (bodyLimit >= 0) {
            length = std::min(length, bodyLimit);
        }
        while (m_buffer.size() < length) {
            if (!fill(deadline)) {
                break;
            }
        }
        response.body = m_buffer.left(length);
        m_buffer.remove(0, response.body.size());
        return response;
    }

    // Everything until the server closes (or the timeout).
    QByteArray readUntilClosed(int timeoutMs = 20000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (fill(deadline)) {
        }
        return std::exchange(m_buffer, {});
    }
    [[nodiscard]] bool closedByServer() const
    {
        return m_socket.state() == QAbstractSocket::UnconnectedState ||
               m_socket.error() == QAbstractSocket::RemoteHostClosedError;
    }
    [[nodiscard]] qsizetype buffered() const { return m_buffer.size(); }
    void abort() { m_socket.abort(); }

private:
    bool fill(const QDeadlineTimer &deadline)
    {
        while (!deadline.hasExpired()) {
            if (m_socket.bytesAvailable() > 0 || m_socket.waitForReadyRead(50)) {
                m_buffer += m_socket.readAll();
                return true;
            }
            if (m_socket.state() != QAbstractSocket::ConnectedState) {
                m_buffer += m_socket.readAll();
                return false;
            }
        }
        return false;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_connected = false;
};

QByteArray sha256(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

} // namespace

class FileServingTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void wholeFileIsByteIdentical();
    void rangeFormsAreByteIdentical_data();
    void rangeFormsAreByteIdentical();
    void severalRangesGetTheWholeFile();
    void invalidRangeIsIgnored_data();
    void invalidRangeIsIgnored();
    void unsatisfiableRangeIs416_data();
    void unsatisfiableRangeIs416();
    void emptyFile();
    void interruptedDownloadResumesByteIdentical();
    void ifRangeWithLastModifiedDateResumes();
    void staleIfRangeGetsTheWholeFile_data();
    void staleIfRangeGetsTheWholeFile();
    void ifNoneMatchIs304WithoutBody_data();
    void ifNoneMatchIs304WithoutBody();
    void ifModifiedSince();
    void headHasLengthButNoBody();
    void contentDisposition_data();
    void contentDisposition();
    void contentDispositionHeaderOnTheWire();
    void keepAliveAfterFileResponses();
    void missingFileIs404();
    void httpDateForms();
    void stalledReaderIsCutOffAfterRequestTimeout();
    void shutdownLetsADownloadFinish();

private:
    QTemporaryDir m_dir;
    QByteArray m_content;
    QString m_path;
    QString m_emptyPath;
    QByteArray m_etag;
    std::unique_ptr<InProcessServer> m_server;
    QNetworkAccessManager m_network;
};

namespace {

void addFileRoutes(http::Router &router, const std::string &path, const std::string &emptyPath,
                   const std::string &etag)
{
    router.add("GET", "/file", [path, etag](http::Request &request) {
        http::FileToServe file;
        file.path = path;
        file.downloadName = "tool-1.2.3-linux-x86_64.tar.gz";
        file.contentType = "application/gzip";
        file.etag = etag;
        if (const auto name = request.queryValue("name")) {
            file.downloadName = std::string{*name};
        }
        return http::serveFile(request, file);
    });
    router.add("GET", "/empty", [emptyPath](http::Request &request) {
        http::FileToServe file;
        file.path = emptyPath;
        file.downloadName = "empty.bin";
        return http::serveFile(request, file);
    });
    router.add("GET", "/missing", [path](http::Request &request) {
        http::FileToServe file;
        file.path = path + ".missing";
        return http::serveFile(request, file);
    });
    router.add("GET", "/small", [](http::Request &) -> Result<http::Response> {
        return http::Response::text(200, "small");
    });
}

} // namespace

void FileServingTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_content.resize(fileSize);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(m_content.data()),
                                          fileSize / 4);
    m_path = m_dir.filePath(QStringLiteral("artifact.tar.gz"));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(m_content), fileSize);
    file.close();
    m_emptyPath = m_dir.filePath(QStringLiteral("empty.bin"));
    QFile empty(m_emptyPath);
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    m_etag = QByteArray::fromStdString(http::sha256ETag(sha256(m_content).toStdString()));

    m_server = std::make_unique<InProcessServer>();
    addFileRoutes(m_server->router, m_path.toStdString(), m_emptyPath.toStdString(),
                  m_etag.toStdString());
    QVERIFY(m_server->start());
}

void FileServingTest::cleanupTestCase()
{
    m_server.reset();
}

void FileServingTest::wholeFileIsByteIdentical()
{
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/file")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body.size(), fileSize);
    QCOMPARE(sha256(reply.body), sha256(m_content));
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(fileSize));
    QCOMPARE(reply.header("Accept-Ranges"), QByteArray("bytes"));
    QCOMPARE(reply.header("ETag"), m_etag);
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/gzip"));
    QVERIFY(reply.header("Last-Modified").endsWith(" GMT"));
    QVERIFY(reply.header("Content-Range").isEmpty());
}

void FileServingTest::rangeFormsAreByteIdentical_data()
{
    QTest::addColumn<QByteArray>("range");
    QTest::addColumn<qint64>("first");
    QTest::addColumn<qint64>("last");
    const qint64 size = fileSize;
    QTest::newRow("first byte") << QByteArray("bytes=0-0") << qint64{0} << qint64{0};
    QTest::newRow("a-b") << QByteArray("bytes=100-4195") << qint64{100} << qint64{4195};
    QTest::newRow("a-b across MiB")
        << QByteArray("bytes=1048000-3145800") << qint64{1048000} << qint64{3145800};
    QTest::newRow("a-") << QByteArray("bytes=5000000-") << qint64{5000000} << size - 1;
    QTest::newRow("last byte a-") << "bytes=" + QByteArray::number(size - 1) + "-" << size - 1
                                  << size - 1;
    QTest::newRow("-n") << QByteArray("bytes=-777") << size - 777 << size - 1;
    QTest::newRow("-n beyond size")
        << "bytes=-" + QByteArray::number(size + 10) << qint64{0} << size - 1;
    QTest::newRow("b beyond size")
        << "bytes=10-" + QByteArray::number(size * 2) << qint64{10} << size - 1;
    QTest::newRow("case and spaces") << QByteArray("Bytes = 7-9") << qint64{7} << qint64{9};
    QTest::newRow("whole file") << "bytes=0-" + QByteArray::number(size - 1) << qint64{0}
                                << size - 1;
}

void FileServingTest::rangeFormsAreByteIdentical()
{
    QFETCH(QByteArray, range);
    QFETCH(qint64, first);
    QFETCH(qint64, last);
    const auto reply =
        httpRequest(m_network, "GET", m_server->url(QStringLiteral("/file")), {{"Range", range}});
    QCOMPARE(reply.status, 206);
    QCOMPARE(reply.header("Content-Range"), "bytes " + QByteArray::number(first) + "-" +
                                                QByteArray::number(last) + "/" +
                                                QByteArray::number(fileSize));
    QCOMPARE(reply.header("Content-Length"), QByteArray::number(last - first + 1));
    QCOMPARE(reply.header("ETag"), m_etag);
    QCOMPARE(reply.body.size(), last - first + 1);
    QVERIFY(reply.body == m_content.mid(first, last - first + 1));
}

void FileServingTest::severalRangesGetTheWholeFile()
{
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/file")),
                                   {{"Range", "bytes=0-1, 5-6"}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(sha256(reply.body), sha256(m_content));
}

void FileServingTest::invalidRangeIsIgnored_data()
{
    QTest::addColumn<QByteArray>("range");
    QTest::newRow("last before first") << QByteArray("bytes=10-5");
    QTest::newRow("other unit") << QByteArray("items=0-5");
    QTest::newRow("no dash") << QByteArray("bytes=5");
    QTest::newRow("not a number") << QByteArray("bytes=a-b");
    QTest::newRow("negative") << QByteArray("bytes=--5");
}

void FileServingTest::invalidRangeIsIgnored()
{
    QFETCH(QByteArray, range);
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/file", {"Range: " + range});
    const auto response = client.read();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body.size(), fileSize);
}

void FileServingTest::unsatisfiableRangeIs416_data()
{
    QTest::addColumn<QByteArray>("range");
    QTest::newRow("first = size") << "bytes=" + QByteArray::number(fileSize) + "-";
    QTest::newRow("beyond") << "bytes=" + QByteArray::number(fileSize + 5) + "-" +
                                   QByteArray::number(fileSize + 10);
    QTest::newRow("-0") << QByteArray("bytes=-0");
    QTest::newRow("huge") << QByteArray("bytes=99999999999999999999999-");
}

void FileServingTest::unsatisfiableRangeIs416()
{
    QFETCH(QByteArray, range);
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/file", {"Range: " + range});
    const auto response = client.read();
    QCOMPARE(response.status, 416);
    QCOMPARE(response.header("Content-Range"), "bytes */" + QByteArray::number(fileSize));
    QVERIFY(response.header("Content-Type").startsWith("application/problem+json"));
    // The connection stays usable.
    client.get("/small");
    QCOMPARE(client.read().status, 200);
}

void FileServingTest::emptyFile()
{
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/empty");
    auto response = client.read();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("Content-Length"), QByteArray("0"));
    client.get("/empty", {"Range: bytes=0-"});
    response = client.read();
    QCOMPARE(response.status, 416);
    QCOMPARE(response.header("Content-Range"), QByteArray("bytes */0"));
    client.get("/empty", {"Range: bytes=-5"});
    QCOMPARE(client.read().status, 416);
}

void FileServingTest::interruptedDownloadResumesByteIdentical()
{
    // A download that stops halfway: the client goes away after half the body.
    QByteArray partial;
    {
        RawClient client(m_server->port());
        QVERIFY(client.connected());
        client.get("/file");
        const auto response = client.read(false, fileSize / 2);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("ETag"), m_etag);
        partial = response.body;
        QVERIFY(partial.size() >= fileSize / 2);
        client.abort();
    }
    // The resume asks for the rest, if the file is still the same.
    const auto reply = httpRequest(
        m_network, "GET", m_server->url(QStringLiteral("/file")),
        {{"Range", "bytes=" + QByteArray::number(partial.size()) + "-"}, {"If-Range", m_etag}});
    QCOMPARE(reply.status, 206);
    QCOMPARE(reply.header("Content-Range"), "bytes " + QByteArray::number(partial.size()) + "-" +
                                                QByteArray::number(fileSize - 1) + "/" +
                                                QByteArray::number(fileSize));
    QCOMPARE(sha256(partial + reply.body), sha256(m_content));
}

void FileServingTest::ifRangeWithLastModifiedDateResumes()
{
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/file", {}, "HEAD");
    const auto lastModified = client.read(true).header("Last-Modified");
    QVERIFY(!lastModified.isEmpty());
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/file")),
                                   {{"Range", "bytes=1000-"}, {"If-Range", lastModified}});
    QCOMPARE(reply.status, 206);
    QVERIFY(reply.body == m_content.mid(1000));
}

void FileServingTest::staleIfRangeGetsTheWholeFile_data()
{
    QTest::addColumn<QByteArray>("ifRange");
    QTest::newRow("other etag") << QByteArray("\"sha256-") + QByteArray(64, '0') + "\"";
    QTest::newRow("weak etag") << "W/" + m_etag;
    QTest::newRow("older date") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT");
    QTest::newRow("garbage") << QByteArray("yesterday");
}

void FileServingTest::staleIfRangeGetsTheWholeFile()
{
    QFETCH(QByteArray, ifRange);
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/file")),
                                   {{"Range", "bytes=4000000-"}, {"If-Range", ifRange}});
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("Content-Range").isEmpty());
    QCOMPARE(sha256(reply.body), sha256(m_content));
}

void FileServingTest::ifNoneMatchIs304WithoutBody_data()
{
    QTest::addColumn<QByteArray>("ifNoneMatch");
    QTest::addColumn<int>("status");
    QTest::newRow("same etag") << m_etag << 304;
    QTest::newRow("in a list") << "\"x\", " + m_etag << 304;
    QTest::newRow("weak form matches weakly") << "W/" + m_etag << 304;
    QTest::newRow("star") << QByteArray("*") << 304;
    QTest::newRow("other etag") << QByteArray("\"sha256-abc\"") << 200;
}

void FileServingTest::ifNoneMatchIs304WithoutBody()
{
    QFETCH(QByteArray, ifNoneMatch);
    QFETCH(int, status);
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/file", {"If-None-Match: " + ifNoneMatch});
    const auto response = client.read();
    QCOMPARE(response.status, status);
    if (status == 304) {
        QVERIFY(!response.hasHeader("Content-Length"));
        QCOMPARE(response.header("ETag"), m_etag);
        QVERIFY(response.body.isEmpty());
    } else {
        QCOMPARE(response.body.size(), fileSize);
    }
    // Nothing follows a 304 but the next response.
    client.get("/small");
    const auto next = client.read();
    QCOMPARE(next.status, 200);
    QCOMPARE(next.body, QByteArray("small"));
}

void FileServingTest::ifModifiedSince()
{
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/file", {}, "HEAD");
    const auto lastModified = client.read(true).header("Last-Modified");
    client.get("/file", {"If-Modified-Since: " + lastModified});
    QCOMPARE(client.read().status, 304);
    client.get("/file", {"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"});
    const auto full = client.read();
    QCOMPARE(full.status, 200);
    QCOMPARE(full.body.size(), fileSize);
    // If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3).
    client.get("/file", {"If-None-Match: \"other\"", "If-Modified-Since: " + lastModified});
    QCOMPARE(client.read().status, 200);
}

void FileServingTest::headHasLengthButNoBody()
{
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/file", {}, "HEAD");
    const auto head = client.read(true);
    QCOMPARE(head.status, 200);
    QCOMPARE(head.header("Content-Length"), QByteArray::number(fileSize));
    QCOMPARE(head.header("Accept-Ranges"), QByteArray("bytes"));
    QCOMPARE(head.header("ETag"), m_etag);
    QVERIFY(head.header("Content-Disposition").startsWith("attachment;"));
    // Had a body been sent, this would read file bytes instead of a status line.
    client.get("/small");
    const auto next = client.read();
    QCOMPARE(next.status, 200);
    QCOMPARE(next.body, QByteArray("small"));
    QCOMPARE(client.buffered(), 0);
}

void FileServingTest::contentDisposition_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QStringLiteral("tool-1.0.tar.gz")
                           << QByteArray("attachment; filename=\"tool-1.0.tar.gz\"; "
                                         "filename*=UTF-8''tool-1.0.tar.gz");
    QTest::newRow("spaces") << QStringLiteral("My Tool 1.0.zip")
                            << QByteArray("attachment; filename=\"My Tool 1.0.zip\"; "
                                          "filename*=UTF-8''My%20Tool%201.0.zip");
    QTest::newRow("quotes and backslash")
        << QStringLiteral("a\"b\\c.zip")
        << QByteArray("attachment; filename=\"abc.zip\"; filename*=UTF-8''abc.zip");
    QTest::newRow("utf-8") << QStringLiteral("Werkzeug-Übersicht €.pdf")
                           << QByteArray(
                                  "attachment; filename=\"Werkzeug-_bersicht _.pdf\"; "
                                  "filename*=UTF-8''Werkzeug-%C3%9Cbersicht%20%E2%82%AC.pdf");
    QTest::newRow("path traversal")
        << QStringLiteral("../../etc/passwd")
        << QByteArray("attachment; filename=\"etcpasswd\"; filename*=UTF-8''etcpasswd");
    QTest::newRow("control characters")
        << QStringLiteral("a\r\nSet-Cookie: x\t.zip")
        << QByteArray("attachment; filename=\"aSet-Cookie: x.zip\"; "
                      "filename*=UTF-8''aSet-Cookie%3A%20x.zip");
    QTest::newRow("nothing left") << QStringLiteral("/..\\")
                                  << QByteArray("attachment; filename=\"download\"; "
                                                "filename*=UTF-8''download");
}

void FileServingTest::contentDisposition()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(http::contentDisposition(name.toStdString())), expected);
}

void FileServingTest::contentDispositionHeaderOnTheWire()
{
    QUrl url = m_server->url(QStringLiteral("/file"));
    url.setQuery(QStringLiteral("name=%1").arg(QString::fromUtf8(
                     QUrl::toPercentEncoding(QStringLiteral("../Mein \"Tool\" Ü.tar.gz")))),
                 QUrl::StrictMode);
    const auto reply = httpRequest(m_network, "GET", url, {{"Range", "bytes=0-9"}});
    QCOMPARE(reply.status, 206);
    QCOMPARE(reply.header("Content-Disposition"),
             QByteArray("attachment; filename=\"Mein Tool _.tar.gz\"; "
                        "filename*=UTF-8''Mein%20Tool%20%C3%9C.tar.gz"));
}

void FileServingTest::keepAliveAfterFileResponses()
{
    RawClient client(m_server->port());
    QVERIFY(client.connected());
    client.get("/file");
    const auto whole = client.read();
    QCOMPARE(whole.status, 200);
    QCOMPARE(sha256(whole.body), sha256(m_content));
    client.get("/file", {"Range: bytes=10-19"});
    const auto part = client.read();
    QCOMPARE(part.status, 206);
    QVERIFY(part.body == m_content.mid(10, 10));
    client.get("/small");
    const auto small = client.read();
    QCOMPARE(small.status, 200);
    QCOMPARE(small.body, QByteArray("small"));
    client.get("/file", {"Range: bytes=-3"});
    const auto tail = client.read();
    QCOMPARE(tail.status, 206);
    QVERIFY(tail.body == m_content.right(3));
    QVERIFY(!client.closedByServer());
}

void FileServingTest::missingFileIs404()
{
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/missing")));
    QCOMPARE(reply.status, 404);
    QVERIFY(reply.header("Content-Type").startsWith("application/problem+json"));
    QVERIFY(!reply.body.contains("artifact.tar.gz")); // no server paths revealed
}

void FileServingTest::httpDateForms()
{
    const auto fixdate = http::parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
    QVERIFY(fixdate.has_value());
    QCOMPARE(http::parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), fixdate);
    QCOMPARE(http::parseHttpDate("Sun Nov  6 08:49:37 1994"), fixdate);
    QCOMPARE(http::formatHttpDate(*fixdate), std::string{"Sun, 06 Nov 1994 08:49:37 GMT"});
    QVERIFY(!http::parseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT"));
    QVERIFY(!http::parseHttpDate("Sun, 06 Nov 1994 08:49:37 CET"));
    QVERIFY(!http::parseHttpDate("1994-11-06T08:49:37Z"));
}

void FileServingTest::stalledReaderIsCutOffAfterRequestTimeout()
{
    // A client that stops reading: the server waits request_timeout for progress, then closes.
    // Larger than any socket buffers (loopback's may take 32 MiB), sparse: no disk used.
    constexpr qint64 bigSize = qint64{256} << 20;
    const auto bigPath = m_dir.filePath(QStringLiteral("big-sparse.bin"));
    QFile big(bigPath);
    QVERIFY(big.open(QIODevice::WriteOnly));
    QVERIFY(big.resize(bigSize));
    big.close();
    InProcessServer server(std::chrono::seconds{1});
    addFileRoutes(server.router, bigPath.toStdString(), m_emptyPath.toStdString(), "\"big\"");
    QVERIFY(server.start());
    RawClient client(server.port(), 16 * 1024);
    QVERIFY(client.connected());
    client.get("/file");
    // A client that stalls: nothing reads this socket, not even Qt's event loop, for three times
    // the server's request_timeout, so the socket buffers fill up and the server must wait for
    // progress that does not come. Time has to pass here; there is no event to wait for.
    std::this_thread::sleep_for(std::chrono::seconds{3});
    const auto received = client.readUntilClosed(15000);
    QVERIFY(client.closedByServer());
    QVERIFY2(received.size() < bigSize, "the whole file fit into the socket buffers");
    server.stop();
    const auto logs = server.logs();
    QVERIFY2(logs.find("response body not sent completely") != std::string::npos, logs.c_str());
}

void FileServingTest::shutdownLetsADownloadFinish()
{
    // Graceful shutdown: a download in flight completes within the grace period.
    InProcessServer server;
    addFileRoutes(server.router, m_path.toStdString(), m_emptyPath.toStdString(),
                  m_etag.toStdString());
    QVERIFY(server.start());
    RawClient client(server.port(), 16 * 1024);
    QVERIFY(client.connected());
    client.get("/file");
    const auto start = client.read(false, 1024);
    QCOMPARE(start.status, 200);
    std::thread stopper([&server] { server.stop(); });
    const auto rest = client.readUntilClosed(20000);
    stopper.join();
    QCOMPARE(sha256(start.body + rest), sha256(m_content));
}

QTEST_GUILESS_MAIN(FileServingTest)
#include "file_serving_test.moc"
