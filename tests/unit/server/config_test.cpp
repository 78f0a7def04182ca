#include "core/config/config.h"

#include <QTest>

using namespace toolhub::server;

class ConfigTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaults()
    {
        const auto config = loadConfig(std::nullopt, {});
        QVERIFY(config.ok());
        QCOMPARE(config->listenAddress, std::string{"127.0.0.1"});
        QCOMPARE(config->listenPort, std::uint16_t{8080});
        QCOMPARE(config->maxBodyBytes, std::size_t{1024 * 1024});
        QVERIFY(config->effectiveDatabaseUrl().starts_with("sqlite:///"));
        QVERIFY(config->effectiveDatabaseUrl().ends_with("/data/toolhub.db"));
        QVERIFY(config->effectiveThreads() >= 1);
    }

    void fileValues()
    {
        ServerConfig config;
        const auto applied =
            applyConfigText(config,
                            "# comment\n"
                            "  listen_port = 9090  \n"
                            "\n"
                            "listen_address = \"::1\"\r\n"
                            "max_body_bytes = 64KiB\n"
                            "idle_timeout = 2m\n"
                            "log_format = text\n"
                            "log_level = debug\n"
                            "database_url = postgresql://toolhub@db:5432/toolhub\n",
                            "toolhub.conf");
        QVERIFY2(applied.ok(), applied.ok() ? "" : applied.error().message.c_str());
        QCOMPARE(config.listenPort, std::uint16_t{9090});
        QCOMPARE(config.listenAddress, std::string{"::1"});
        QCOMPARE(config.maxBodyBytes, std::size_t{64 * 1024});
        QCOMPARE(config.idleTimeout.count(), 120);
        QVERIFY(config.logFormat == LogFormat::Text);
        QVERIFY(config.logLevel == LogLevel::Debug);
        QCOMPARE(config.effectiveDatabaseUrl(),
                 std::string{"postgresql://toolhub@db:5432/toolhub"});
    }

    void environmentWinsOverFile()
    {
        QTemporaryFileHolder file("listen_port = 9000\nthreads = 3\n");
        const auto config = loadConfig(
            file.path(), {{"TOOLHUB_LISTEN_PORT", "9001"}, {"TOOLHUB_LOG_LEVEL", "warn"}});
        QVERIFY(config.ok());
        QCOMPARE(config->listenPort, std::uint16_t{9001});
        QCOMPARE(config->threads, 3U);
        QVERIFY(config->logLevel == LogLevel::Warn);
    }

    void configFileFromEnvironment()
    {
        QTemporaryFileHolder file("listen_port = 9002\n");
        const auto config = loadConfig(std::nullopt, {{"TOOLHUB_CONFIG", file.path().string()}});
        QVERIFY(config.ok());
        QCOMPARE(config->listenPort, std::uint16_t{9002});
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown key") << "prot = 1"
                                     << "t.conf:1: unknown key \"prot\"";
        QTest::newRow("no equals") << "\n\nlisten_port 80"
                                   << "t.conf:3: expected \"key = value\"";
        QTest::newRow("port range") << "listen_port = 70000"
                                    << "bad value for listen_port";
        QTest::newRow("port text") << "listen_port = http"
                                   << "bad value for listen_port";
        QTest::newRow("negative port") << "listen_port = -1"
                                       << "bad value for listen_port";
        QTest::newRow("address") << "listen_address = localhost"
                                 << "bad value for listen_address";
        QTest::newRow("size unit") << "max_body_bytes = 1MB"
                                   << "bad value for max_body_bytes";
        QTest::newRow("size overflow") << "max_body_bytes = 99999999999999999999GiB"
                                       << "bad value for max_body_bytes";
        QTest::newRow("header minimum") << "max_header_bytes = 10"
                                        << "at least 1024 bytes";
        QTest::newRow("duration") << "idle_timeout = soon"
                                  << "bad value for idle_timeout";
        QTest::newRow("zero duration") << "shutdown_grace = 0"
                                       << "positive duration";
        QTest::newRow("huge duration") << "idle_timeout = 2562047788015215h"
                                       << "up to 24h";
        QTest::newRow("header maximum") << "max_header_bytes = 4GiB"
                                        << "at most 1048576 bytes";
        QTest::newRow("body maximum") << "max_body_bytes = 5GiB"
                                      << "at most 4294967296 bytes";
        QTest::newRow("threads") << "threads = 1000"
                                 << "bad value for threads";
        QTest::newRow("database") << "database_url = mysql://x"
                                  << "bad value for database_url";
        QTest::newRow("log level") << "log_level = loud"
                                   << "bad value for log_level";
        QTest::newRow("empty data dir") << "data_dir ="
                                        << "bad value for data_dir";
    }

    void refusals()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        ServerConfig config;
        const auto applied = applyConfigText(config, text.toStdString(), "t.conf");
        QVERIFY(!applied.ok());
        QVERIFY(applied.error().code == toolhub::ErrorCode::InvalidArgument);
        QVERIFY2(QString::fromStdString(applied.error().message).contains(expected),
                 applied.error().message.c_str());
    }

    void unknownEnvironmentVariable()
    {
        const auto config = loadConfig(std::nullopt, {{"TOOLHUB_PORTT", "1"}});
        QVERIFY(!config.ok());
        QCOMPARE(config.error().message,
                 std::string{"environment: unknown variable TOOLHUB_PORTT (see --help)"});
    }

    void kubernetesServiceLinksAreIgnored()
    {
        const auto config =
            loadConfig(std::nullopt, {
                                         {"TOOLHUB_PORT", "tcp://172.30.0.7:8080"},
                                         {"TOOLHUB_SERVICE_HOST", "172.30.0.7"},
                                         {"TOOLHUB_SERVICE_PORT", "8080"},
                                         {"TOOLHUB_SERVICE_PORT_HTTP", "8080"},
                                         {"TOOLHUB_PORT_8080_TCP", "tcp://172.30.0.7:8080"},
                                         {"TOOLHUB_PORT_8080_TCP_PROTO", "tcp"},
                                         {"TOOLHUB_PORT_8080_TCP_PORT", "8080"},
                                         {"TOOLHUB_PORT_8080_TCP_ADDR", "172.30.0.7"},
                                         {"TOOLHUB_DB_SERVICE_HOST", "172.30.0.9"},
                                         {"TOOLHUB_DB_PORT", "tcp://172.30.0.9:5432"},
                                     });
        QVERIFY2(config.ok(), config.ok() ? "" : config.error().message.c_str());
        QCOMPARE(config->listenPort, std::uint16_t{8080});

        // A TOOLHUB_PORT that is not a service link is still a mistake worth stopping for.
        const auto typo = loadConfig(std::nullopt, {{"TOOLHUB_PORT", "9000"}});
        QVERIFY(!typo.ok());
        QVERIFY(typo.error().message.find("TOOLHUB_PORT") != std::string::npos);
    }

    void badEnvironmentValue()
    {
        const auto config = loadConfig(std::nullopt, {{"TOOLHUB_IDLE_TIMEOUT", "forever"}});
        QVERIFY(!config.ok());
        QVERIFY(
            config.error().message.starts_with("environment: bad value for TOOLHUB_IDLE_TIMEOUT"));
    }

    void missingFile()
    {
        const auto config = loadConfig(std::filesystem::path{"/nonexistent/toolhub.conf"}, {});
        QVERIFY(!config.ok());
        QVERIFY(config.error().message.find("/nonexistent/toolhub.conf") != std::string::npos);
    }

    void everyKeyIsDocumented()
    {
        for (const auto &key : configKeys()) {
            QVERIFY(!key.description.empty());
            QVERIFY(!key.defaultValue.empty());
            QVERIFY(key.environment.starts_with("TOOLHUB_"));
        }
    }

private:
    // A config file in a temporary folder, removed afterwards.
    class QTemporaryFileHolder {
    public:
        explicit QTemporaryFileHolder(const char *text)
        {
            m_path = std::filesystem::temp_directory_path() /
                     ("toolhub-config-test-" + std::to_string(QCoreApplication::applicationPid()) +
                      "-" + std::to_string(++s_counter) + ".conf");
            QFile file(QString::fromStdString(m_path.string()));
            if (file.open(QIODevice::WriteOnly)) {
                file.write(text);
            }
        }
        ~QTemporaryFileHolder() { std::filesystem::remove(m_path); }
        [[nodiscard]] const std::filesystem::path &path() const { return m_path; }

    private:
        std::filesystem::path m_path;
        static inline int s_counter = 0;
    };
};

QTEST_GUILESS_MAIN(ConfigTest)
#include "config_test.moc"
