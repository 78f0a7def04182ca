// The real toolhub-server process on a temporary SQLite file: health, request ids, problem+json,
// limits, keep-alive, configuration errors and graceful shutdown.

#include "http_client.h"
#include "server_process.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>

#include <csignal>
#include <sys/types.h>

namespace {

QProcessEnvironment env(std::initializer_list<std::pair<const char *, const char *>> values)
{
    QProcessEnvironment e;
    for (const auto &[k, v] : values) {
        e.insert(QString::fromLatin1(k), QString::fromLatin1(v));
    }
    return e;
}

// A raw HTTP/1.1 connection, for what Qt Network will not send.
class RawConnection {
public:
    explicit RawConnection(quint16 port)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        m_connected = m_socket.waitForConnected(5000);
    }
    [[nodiscard]] bool connected() const { return m_connected; }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(5000);
    }
    // Reads one whole response (headers, then a Content-Length body unless it answers a HEAD
    // request); empty on timeout or close.
    QByteArray readResponse(int timeoutMs = 10000, bool toHead = false)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            const auto end = m_buffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                static const QRegularExpression lengthPattern(
                    QStringLiteral("\r\ncontent-length: *(\\d+)"),
                    QRegularExpression::CaseInsensitiveOption);
                const auto match = lengthPattern.match(QString::fromLatin1(m_buffer.left(end)));
                const qsizetype length =
                    match.hasMatch() && !toHead ? match.captured(1).toLongLong() : 0;
                if (m_buffer.size() >= end + 4 + length) {
                    const QByteArray response = m_buffer.left(end + 4 + length);
                    m_buffer.remove(0, end + 4 + length);
                    return response;
                }
            }
            if (m_socket.state() != QAbstractSocket::ConnectedState &&
                m_socket.bytesAvailable() == 0) {
                return {};
            }
            m_socket.waitForReadyRead(100);
            m_buffer += m_socket.readAll();
        }
        return {};
    }
    // True once the server closed the connection (within the timeout).
    bool waitForClose(int timeoutMs = 10000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            if (m_socket.state() == QAbstractSocket::UnconnectedState) {
                return true;
            }
            m_socket.waitForReadyRead(100);
            m_buffer += m_socket.readAll();
            if (m_socket.state() == QAbstractSocket::UnconnectedState ||
                m_socket.error() == QAbstractSocket::RemoteHostClosedError) {
                return true;
            }
        }
        return false;
    }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_connected = false;
};

int statusOf(const QByteArray &response)
{
    // "HTTP/1.1 413 Content Too Large"
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : 0;
}

QJsonObject findLog(ServerProcess &server, const QString &message, const QString &key,
                    const QString &value)
{
    for (const auto &record : server.logRecords()) {
        if (record.value(QLatin1String("message")).toString() == message &&
            record.value(key).toString() == value) {
            return record;
        }
    }
    return {};
}

} // namespace

class ServerSpineTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void livez();
    void readyz();
    void requestIdIsMadeWhenAbsent();
    void requestIdIsKeptAndLogged();
    void unacceptableRequestIdIsReplaced();
    void traceparentIsContinued();
    void malformedTraceparentStartsANewTrace();
    void unknownRouteIsProblemJson();
    void wrongMethodIs405WithAllow();
    void headAnswersWithoutBody();
    void oversizedBodyIs413AndServerKeepsServing();
    void declaredOversizedBodyIsRefusedBeforeItArrives();
    void oversizedChunkedBodyIs413();
    void oversizedHeadersAre431();
    void malformedRequestIs400();
    void encodedSlashInPathIs400();
    void encodedControlCharacterInPathIs400();
    void expectContinueIsAnswered();
    void keepAliveServesSeveralRequests();
    void logLinesAreEcsJson();

    void sigtermFinishesInFlightRequestThenExitsZero();
    void badEnvironmentValueNamesTheKey();
    void unknownEnvironmentVariableNamesIt();
    void unknownConfigFileKeyNamesFileAndLine();
    void helpListsEverySetting();
    void migrateCommandAppliesAndExits();

private:
    std::unique_ptr<ServerProcess> m_server;
    QNetworkAccessManager m_network;
};

void ServerSpineTest::initTestCase()
{
    m_server = std::make_unique<ServerProcess>(env({{"TOOLHUB_MAX_BODY_BYTES", "4KiB"},
                                                    {"TOOLHUB_MAX_HEADER_BYTES", "4KiB"},
                                                    {"TOOLHUB_THREADS", "2"}}));
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void ServerSpineTest::cleanupTestCase()
{
    if (m_server) {
        QCOMPARE(m_server->terminate(), 0);
    }
}

void ServerSpineTest::livez()
{
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value(QLatin1String("status")).toString(), QStringLiteral("alive"));
    QVERIFY(reply.header("Content-Type").startsWith("application/json"));
}

void ServerSpineTest::readyz()
{
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/readyz")));
    QCOMPARE(reply.status, 200);
    const auto body = reply.json();
    QCOMPARE(body.value(QLatin1String("status")).toString(), QStringLiteral("ready"));
    const auto checks = body.value(QLatin1String("checks")).toObject();
    QCOMPARE(checks.value(QLatin1String("database")).toString(), QStringLiteral("ok"));
    QCOMPARE(checks.value(QLatin1String("migrations")).toString(), QStringLiteral("ok"));
}

void ServerSpineTest::requestIdIsMadeWhenAbsent()
{
    const auto first = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")));
    const auto second = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")));
    static const QRegularExpression hex32(QStringLiteral("^[0-9a-f]{32}$"));
    QVERIFY2(hex32.match(QString::fromLatin1(first.header("X-Request-ID"))).hasMatch(),
             first.header("X-Request-ID").constData());
    QVERIFY(first.header("X-Request-ID") != second.header("X-Request-ID"));
}

void ServerSpineTest::requestIdIsKeptAndLogged()
{
    const QByteArray id = "order-import-2026-11-28.0042";
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")),
                                   {{"X-Request-ID", id}});
    QCOMPARE(reply.header("X-Request-ID"), id);
    QTRY_VERIFY(!findLog(*m_server, QStringLiteral("request"), QStringLiteral("http.request.id"),
                         QString::fromLatin1(id))
                     .isEmpty());
    const auto record = findLog(*m_server, QStringLiteral("request"),
                                QStringLiteral("http.request.id"), QString::fromLatin1(id));
    QCOMPARE(record.value(QLatin1String("url.path")).toString(), QStringLiteral("/livez"));
    QCOMPARE(record.value(QLatin1String("http.response.status_code")).toInt(), 200);
    QCOMPARE(record.value(QLatin1String("http.request.method")).toString(), QStringLiteral("GET"));
}

void ServerSpineTest::unacceptableRequestIdIsReplaced()
{
    const QByteArray tooLong(200, 'a');
    for (const QByteArray &bad : {tooLong, QByteArray("two words"), QByteArray("<script>")}) {
        const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")),
                                       {{"X-Request-ID", bad}});
        QCOMPARE(reply.status, 200);
        QVERIFY(!reply.header("X-Request-ID").isEmpty());
        QVERIFY(reply.header("X-Request-ID") != bad);
    }
}

void ServerSpineTest::traceparentIsContinued()
{
    const QByteArray id = "trace-continued-1";
    const auto reply =
        httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")),
                    {{"X-Request-ID", id},
                     {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
    QCOMPARE(reply.status, 200);
    QTRY_VERIFY(!findLog(*m_server, QStringLiteral("request"), QStringLiteral("http.request.id"),
                         QString::fromLatin1(id))
                     .isEmpty());
    const auto record = findLog(*m_server, QStringLiteral("request"),
                                QStringLiteral("http.request.id"), QString::fromLatin1(id));
    QCOMPARE(record.value(QLatin1String("trace.id")).toString(),
             QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
    QCOMPARE(record.value(QLatin1String("parent.id")).toString(),
             QStringLiteral("00f067aa0ba902b7"));
    const auto span = record.value(QLatin1String("span.id")).toString();
    QCOMPARE(span.size(), 16);
    QVERIFY(span != QStringLiteral("00f067aa0ba902b7"));
}

void ServerSpineTest::malformedTraceparentStartsANewTrace()
{
    const QByteArray id = "trace-malformed-1";
    const auto reply =
        httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")),
                    {{"X-Request-ID", id},
                     {"traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}});
    QCOMPARE(reply.status, 200);
    QTRY_VERIFY(!findLog(*m_server, QStringLiteral("request"), QStringLiteral("http.request.id"),
                         QString::fromLatin1(id))
                     .isEmpty());
    const auto record = findLog(*m_server, QStringLiteral("request"),
                                QStringLiteral("http.request.id"), QString::fromLatin1(id));
    const auto trace = record.value(QLatin1String("trace.id")).toString();
    QCOMPARE(trace.size(), 32);
    QVERIFY(trace != QStringLiteral("00000000000000000000000000000000"));
    QVERIFY(!record.contains(QLatin1String("parent.id")));
}

void ServerSpineTest::unknownRouteIsProblemJson()
{
    const auto reply =
        httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/no-such-thing")),
                    {{"X-Request-ID", "missing-route-1"}});
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
    const auto problem = reply.json();
    QCOMPARE(problem.value(QLatin1String("status")).toInt(), 404);
    QCOMPARE(problem.value(QLatin1String("title")).toString(), QStringLiteral("Not Found"));
    QCOMPARE(problem.value(QLatin1String("type")).toString(), QStringLiteral("about:blank"));
    QCOMPARE(problem.value(QLatin1String("code")).toString(), QStringLiteral("not_found"));
    QCOMPARE(problem.value(QLatin1String("request_id")).toString(),
             QStringLiteral("missing-route-1"));
    QCOMPARE(problem.value(QLatin1String("instance")).toString(),
             QStringLiteral("/api/v1/no-such-thing"));
    // Nothing internal: no library names, source paths or stack traces.
    for (const char *leak : {"boost", "beast", ".cpp", "/work", "exception", "soci"}) {
        QVERIFY2(!reply.body.toLower().contains(leak), leak);
    }
    QVERIFY(reply.header("Server").isEmpty());
}

void ServerSpineTest::wrongMethodIs405WithAllow()
{
    const auto reply = httpRequest(m_network, "DELETE", m_server->url(QStringLiteral("/readyz")));
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.header("Allow"), QByteArray("GET, HEAD"));
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(reply.json().value(QLatin1String("code")).toString(),
             QStringLiteral("method_not_allowed"));
}

void ServerSpineTest::headAnswersWithoutBody()
{
    RawConnection connection(m_server->port());
    QVERIFY(connection.connected());
    connection.send(
        "HEAD /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto head = connection.readResponse(10000, true);
    QCOMPARE(statusOf(head), 200);
    QVERIFY(head.endsWith("\r\n\r\n")); // no body after the headers
    QVERIFY(head.toLower().contains("content-length: 18"));
    const auto get = connection.readResponse(); // the next response is read intact
    QCOMPARE(statusOf(get), 200);
    QVERIFY(get.endsWith("{\"status\":\"alive\"}"));
}

void ServerSpineTest::oversizedBodyIs413AndServerKeepsServing()
{
    const QByteArray body(64 * 1024, 'x');
    const auto reply = httpRequest(m_network, "POST", m_server->url(QStringLiteral("/livez")),
                                   {{"Content-Type", "application/octet-stream"}}, body);
    QCOMPARE(reply.status, 413);
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(reply.json().value(QLatin1String("code")).toString(),
             QStringLiteral("payload_too_large"));
    QVERIFY(!reply.header("X-Request-ID").isEmpty());
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez"))).status,
                 200);
    }
}

void ServerSpineTest::declaredOversizedBodyIsRefusedBeforeItArrives()
{
    RawConnection connection(m_server->port());
    QVERIFY(connection.connected());
    // Declares 10 GB and sends none of it: the answer must not wait for the body.
    connection.send("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n");
    const auto response = connection.readResponse(5000);
    QCOMPARE(statusOf(response), 413);
    QVERIFY(response.toLower().contains("connection: close"));
    QVERIFY(connection.waitForClose());
    QCOMPARE(httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez"))).status, 200);
}

void ServerSpineTest::oversizedChunkedBodyIs413()
{
    RawConnection connection(m_server->port());
    QVERIFY(connection.connected());
    QByteArray request = "POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 8; ++i) {
        request += "400\r\n" + QByteArray(0x400, 'y') + "\r\n"; // 8 x 1 KiB > 4 KiB
    }
    request += "0\r\n\r\n";
    connection.send(request);
    QCOMPARE(statusOf(connection.readResponse()), 413);
    QCOMPARE(httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez"))).status, 200);
}

void ServerSpineTest::oversizedHeadersAre431()
{
    const QByteArray big(8 * 1024, 'h');
    const auto reply = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez")),
                                   {{"X-Padding", big}});
    QCOMPARE(reply.status, 431);
    QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(httpRequest(m_network, "GET", m_server->url(QStringLiteral("/livez"))).status, 200);
}

void ServerSpineTest::malformedRequestIs400()
{
    RawConnection connection(m_server->port());
    QVERIFY(connection.connected());
    connection.send("GET /livez HTTP/1.1\r\nHost x-no-colon\r\n\r\n");
    const auto response = connection.readResponse();
    QCOMPARE(statusOf(response), 400);
    QVERIFY(response.contains("application/problem+json"));
    QVERIFY(connection.waitForClose());
}

void ServerSpineTest::encodedSlashInPathIs400()
{
    RawConnection connection(m_server->port());
    QVERIFY(connection.connected());
    connection.send("GET /api/v1/tools/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(statusOf(connection.readResponse()), 400);
}

void ServerSpineTest::encodedControlCharacterInPathIs400()
{
    for (const QByteArray &path :
         {QByteArray("/x%0A2026-01-01T00:00:00Z%20ERROR%20forged"), QByteArray("/x%0d"),
          QByteArray("/x%00"), QByteArray("/livez?q=%1b")}) {
        RawConnection connection(m_server->port());
        QVERIFY(connection.connected());
        connection.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(statusOf(connection.readResponse()), 400);
    }
}

void ServerSpineTest::expectContinueIsAnswered()
{
    RawConnection connection(m_server->port());
    QVERIFY(connection.connected());
    connection.send("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    "Expect: 100-continue\r\n\r\n");
    const auto interim = connection.readResponse(5000);
    QCOMPARE(statusOf(interim), 100);
    connection.send("hello");
    QCOMPARE(statusOf(connection.readResponse()), 405);
}

void ServerSpineTest::keepAliveServesSeveralRequests()
{
    RawConnection connection(m_server->port());
    QVERIFY(connection.connected());
    for (int i = 0; i < 5; ++i) {
        connection.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto response = connection.readResponse();
        QCOMPARE(statusOf(response), 200);
        QVERIFY(!response.toLower().contains("connection: close"));
    }
}

void ServerSpineTest::logLinesAreEcsJson()
{
    const auto records = m_server->logRecords();
    QVERIFY(records.size() >= 3);
    for (const auto &record : records) {
        QVERIFY(record.contains(QLatin1String("@timestamp")));
        QVERIFY(record.contains(QLatin1String("log.level")));
        QVERIFY(record.contains(QLatin1String("message")));
        QCOMPARE(record.value(QLatin1String("ecs.version")).toString(), QStringLiteral("8.11.0"));
        QCOMPARE(record.value(QLatin1String("service.name")).toString(),
                 QStringLiteral("toolhub-server"));
        if (record.value(QLatin1String("message")).toString() == QLatin1String("request")) {
            QVERIFY(!record.value(QLatin1String("http.request.id")).toString().isEmpty());
            QVERIFY(!record.value(QLatin1String("trace.id")).toString().isEmpty());
        }
    }
}

void ServerSpineTest::sigtermFinishesInFlightRequestThenExitsZero()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    RawConnection idle(server.port()); // an idle keep-alive connection must not delay exit
    QVERIFY(idle.connected());
    idle.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(statusOf(idle.readResponse()), 200);

    RawConnection inFlight(server.port());
    QVERIFY(inFlight.connected());
    inFlight.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"); // accepted and served
    QCOMPARE(statusOf(inFlight.readResponse()), 200);
    // Bytes of a request have reached the server: that request is in flight.
    inFlight.send("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");

    QElapsedTimer clock;
    clock.start();
    ::kill(static_cast<pid_t>(server.pid()), SIGTERM);
    QVERIFY(idle.waitForClose(5000));
    QVERIFY(QTest::qWaitFor(
        [&] {
            return server.logRecords().size() > 0 &&
                   !findLog(server, QStringLiteral("shutting down"), QStringLiteral("event.reason"),
                            QStringLiteral("SIGTERM"))
                        .isEmpty();
        },
        5000));
    inFlight.send("67890");
    const auto response = inFlight.readResponse();
    QCOMPARE(statusOf(response), 405); // answered, not dropped
    QVERIFY(response.toLower().contains("connection: close"));
    QCOMPARE(server.waitForExit(10000), 0);
    QVERIFY2(clock.elapsed() < 8000, "exit waited for the shutdown grace instead of draining");
    QVERIFY(!findLog(server, QStringLiteral("stopped"), QStringLiteral("log.level"),
                     QStringLiteral("info"))
                 .isEmpty());
}

void ServerSpineTest::badEnvironmentValueNamesTheKey()
{
    ServerProcess server(env({{"TOOLHUB_LISTEN_PORT", "eighty"}}));
    QCOMPARE(server.runToCompletion({QStringLiteral("serve")}), 2);
    const auto error = QString::fromUtf8(server.standardError());
    QVERIFY2(error.contains(QLatin1String("TOOLHUB_LISTEN_PORT")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("port number")), qPrintable(error));
}

void ServerSpineTest::unknownEnvironmentVariableNamesIt()
{
    ServerProcess server(env({{"TOOLHUB_DATABSE_URL", "sqlite:///tmp/x.db"}}));
    QCOMPARE(server.runToCompletion({QStringLiteral("serve")}), 2);
    const auto error = QString::fromUtf8(server.standardError());
    QVERIFY2(error.contains(QLatin1String("unknown variable TOOLHUB_DATABSE_URL")),
             qPrintable(error));
}

void ServerSpineTest::unknownConfigFileKeyNamesFileAndLine()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("# Toolhub\nlisten_port = 0\n\nmax_body_byte = 1MiB\n");
    file.close();
    ServerProcess server;
    QCOMPARE(server.runToCompletion({QStringLiteral("--config"), file.fileName()}), 2);
    const auto error = QString::fromUtf8(server.standardError());
    QVERIFY2(error.contains(file.fileName() + QStringLiteral(":4: unknown key \"max_body_byte\"")),
             qPrintable(error));

    QVERIFY(file.open());
    file.resize(0);
    file.write("log_format = yaml\n");
    file.close();
    ServerProcess second;
    QCOMPARE(second.runToCompletion({QStringLiteral("--config"), file.fileName()}), 2);
    const auto badValue = QString::fromUtf8(second.standardError());
    QVERIFY2(badValue.contains(QLatin1String(":1: bad value for log_format")),
             qPrintable(badValue));
}

void ServerSpineTest::helpListsEverySetting()
{
    ServerProcess server;
    QCOMPARE(server.runToCompletion({QStringLiteral("--help")}), 0);
    const auto help = QString::fromUtf8(server.standardOutput());
    for (const char *key : {"listen_address", "TOOLHUB_LISTEN_PORT", "database_url",
                            "max_body_bytes", "idle_timeout", "shutdown_grace", "log_format"}) {
        QVERIFY2(help.contains(QLatin1String(key)), key);
    }
}

void ServerSpineTest::migrateCommandAppliesAndExits()
{
    ServerProcess server;
    QCOMPARE(server.runToCompletion({QStringLiteral("migrate")}), 0);
    QVERIFY(QFile::exists(server.dataDir() + QStringLiteral("/toolhub.db")));
    const auto records = server.logRecords();
    const auto migrated = std::find_if(records.begin(), records.end(), [](const QJsonObject &r) {
        return r.value(QLatin1String("message")).toString() == QLatin1String("database migrated");
    });
    QVERIFY(migrated != records.end());
    QVERIFY(migrated->value(QLatin1String("migrations.applied")).toInt() >= 1);

    ServerProcess again(env({{"TOOLHUB_DATA_DIR", qPrintable(server.dataDir())}}));
    QCOMPARE(again.runToCompletion({QStringLiteral("migrate")}), 0);
    const auto second = again.logRecords();
    const auto none = std::find_if(second.begin(), second.end(), [](const QJsonObject &r) {
        return r.value(QLatin1String("message")).toString() == QLatin1String("database migrated");
    });
    QVERIFY(none != second.end());
    QCOMPARE(none->value(QLatin1String("migrations.applied")).toInt(), 0);
}

QTEST_GUILESS_MAIN(ServerSpineTest)
#include "server_spine_test.moc"
