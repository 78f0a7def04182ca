#include "core/logging/logger.h"

#include <QTest>

#include <sstream>

using namespace toolhub::server;

class LoggerTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jsonLinesAreEcs()
    {
        std::ostringstream out;
        const Logger logger(out, LogFormat::Json, LogLevel::Info);
        logger.info("listening", {{"server.port", 8080}, {"url.path", "/a\nb"}});
        const auto text = out.str();
        QCOMPARE(std::count(text.begin(), text.end(), '\n'), 1L); // one record, one line
        const auto record = nlohmann::json::parse(text);
        QCOMPARE(record["message"].get<std::string>(), std::string{"listening"});
        QCOMPARE(record["log.level"].get<std::string>(), std::string{"info"});
        QCOMPARE(record["ecs.version"].get<std::string>(), std::string{"8.11.0"});
        QCOMPARE(record["server.port"].get<int>(), 8080);
        QCOMPARE(record["url.path"].get<std::string>(), std::string{"/a\nb"});
        QVERIFY(record["@timestamp"].get<std::string>().ends_with("Z"));
    }

    void levelsBelowTheMinimumAreDropped()
    {
        std::ostringstream out;
        const Logger logger(out, LogFormat::Json, LogLevel::Warn);
        logger.info("quiet");
        logger.debug("quieter");
        QVERIFY(out.str().empty());
        logger.error("loud");
        QVERIFY(!out.str().empty());
    }

    void textLinesCannotBeForged()
    {
        std::ostringstream out;
        const Logger logger(out, LogFormat::Text, LogLevel::Info);
        logger.info("request\nFAKE",
                    {{"url.path", "/x\n2026-01-01T00:00:00.000Z ERROR forged\x1b[31m"}});
        const auto text = out.str();
        QCOMPARE(std::count(text.begin(), text.end(), '\n'), 1L);
        QVERIFY(text.find("request\\nFAKE") != std::string::npos);
        QVERIFY(text.find("/x\\n2026-01-01T00:00:00.000Z ERROR forged\\x1b[31m") !=
                std::string::npos);
        QVERIFY(text.find(" INFO  ") != std::string::npos);
    }

    void invalidUtf8IsReplacedNotThrown()
    {
        std::ostringstream out;
        const Logger logger(out, LogFormat::Json, LogLevel::Info);
        logger.info("bytes", {{"user_agent.original", std::string{"\xff\xfe agent"}}});
        QVERIFY(nlohmann::json::accept(out.str()));
    }
};

QTEST_GUILESS_MAIN(LoggerTest)
#include "logger_test.moc"
