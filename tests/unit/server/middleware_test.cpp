#include "http/middleware.h"

#include <QTest>

#include <sstream>

using namespace toolhub;
using namespace toolhub::server;
using namespace toolhub::server::http;

namespace {

Request makeRequest(std::string method, std::string path)
{
    Request request;
    request.method = std::move(method);
    request.path = path;
    request.target = std::move(path);
    return request;
}

} // namespace

class MiddlewareTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void traceparent_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("valid");
        QTest::newRow("spec example")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" << true;
        QTest::newRow("future version with more fields")
            << "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra" << true;
        QTest::newRow("version ff")
            << "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" << false;
        QTest::newRow("v00 with extra")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x" << false;
        QTest::newRow("zero trace")
            << "00-00000000000000000000000000000000-00f067aa0ba902b7-01" << false;
        QTest::newRow("zero parent")
            << "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01" << false;
        QTest::newRow("upper case")
            << "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01" << false;
        QTest::newRow("short") << "00-4bf92f35-00f067aa0ba902b7-01" << false;
        QTest::newRow("empty") << "" << false;
    }

    void traceparent()
    {
        QFETCH(QString, value);
        QFETCH(bool, valid);
        const auto parsed = parseTraceParent(value.toStdString());
        QCOMPARE(parsed.has_value(), valid);
    }

    void requestIds()
    {
        QVERIFY(isAcceptableRequestId("3f2c9a7e-1b2d-4c5e-9f00-aa11bb22cc33"));
        QVERIFY(isAcceptableRequestId("order/42:7"));
        QVERIFY(!isAcceptableRequestId(""));
        QVERIFY(!isAcceptableRequestId(std::string(129, 'a')));
        QVERIFY(!isAcceptableRequestId("with space"));
        QVERIFY(!isAcceptableRequestId("line\nbreak"));
        QVERIFY(!isAcceptableRequestId("\"quoted\""));
    }

    void errorsBecomeProblemsAndExceptionsHideDetails()
    {
        std::ostringstream logs;
        const Logger logger(logs, LogFormat::Json, LogLevel::Info);
        Pipeline pipeline;
        pipeline.use(requestContext());
        pipeline.use(accessLog(logger));
        pipeline.use(errorMapping(logger));

        auto request = makeRequest("GET", "/x");
        request.headers.add("X-Request-ID", "abc");
        auto response = pipeline.handle(request, [](Request &) -> Result<Response> {
            return fail(ErrorCode::Conflict, "The release is already published.");
        });
        QCOMPARE(response.status, 409U);
        auto body = nlohmann::json::parse(response.body);
        QCOMPARE(body["detail"].get<std::string>(),
                 std::string{"The release is already published."});
        QCOMPARE(body["request_id"].get<std::string>(), std::string{"abc"});
        QCOMPARE(std::string{*response.headers.get("X-Request-ID")}, std::string{"abc"});

        auto second = makeRequest("GET", "/y");
        response = pipeline.handle(second, [](Request &) -> Result<Response> {
            throw std::runtime_error("secret internal state at db.cpp:42");
        });
        QCOMPARE(response.status, 500U);
        QVERIFY(response.body.find("secret") == std::string::npos);
        QVERIFY(logs.str().find("secret internal state") != std::string::npos); // logged, not sent
        // One access line per request, with the final status.
        QVERIFY(logs.str().find("\"http.response.status_code\":409") != std::string::npos);
        QVERIFY(logs.str().find("\"http.response.status_code\":500") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(MiddlewareTest)
#include "middleware_test.moc"
