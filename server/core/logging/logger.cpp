#include "core/logging/logger.h"

#include <unistd.h>

#include <chrono>
#include <ctime>

namespace toolhub::server {

namespace {

constexpr std::string_view ecsVersion = "8.11.0";

// Text lines show control characters escaped, so no value can start a forged log line.
void appendEscaped(std::string &line, std::string_view text)
{
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            line += "\\n";
        } else if (c == '\r') {
            line += "\\r";
        } else if (c == '\t') {
            line += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            line += "\\x";
            line += hex[byte >> 4U];
            line += hex[byte & 0xfU];
        } else {
            line += c;
        }
    }
}

} // namespace

std::string utcTimestamp()
{
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
    const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string text(buffer, n);
    text += '.';
    if (millis < 100) {
        text += '0';
    }
    if (millis < 10) {
        text += '0';
    }
    text += std::to_string(millis);
    text += 'Z';
    return text;
}

Logger::Logger(std::ostream &out, LogFormat format, LogLevel minimum, std::string serviceName)
    : m_out(out), m_format(format), m_minimum(minimum), m_serviceName(std::move(serviceName))
{}

void Logger::log(LogLevel level, std::string_view message, const nlohmann::json &fields) const
{
    if (!enabled(level)) {
        return;
    }
    std::string line;
    if (m_format == LogFormat::Json) {
        nlohmann::ordered_json record;
        record["@timestamp"] = utcTimestamp();
        record["log.level"] = logLevelName(level);
        record["message"] = message;
        record["ecs.version"] = ecsVersion;
        record["service.name"] = m_serviceName;
        record["process.pid"] = static_cast<long>(getpid());
        if (fields.is_object()) {
            for (const auto &[key, value] : fields.items()) {
                record[key] = value;
            }
        }
        line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
        std::string levelText{logLevelName(level)};
        for (auto &c : levelText) {
            c = static_cast<char>(c - 'a' + 'A');
        }
        levelText.resize(5, ' ');
        line = utcTimestamp() + " " + levelText + " ";
        appendEscaped(line, message);
        if (fields.is_object()) {
            for (const auto &[key, value] : fields.items()) {
                line += "  ";
                appendEscaped(line, key);
                line += '=';
                appendEscaped(line, value.is_string()
                                        ? value.get<std::string>()
                                        : value.dump(-1, ' ', false,
                                                     nlohmann::json::error_handler_t::replace));
            }
        }
    }
    line += '\n';
    const std::scoped_lock lock(m_mutex);
    m_out << line;
    m_out.flush();
}

} // namespace toolhub::server
