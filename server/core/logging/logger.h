#pragma once

#include "core/config/config.h"

#include <nlohmann/json.hpp>

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace toolhub::server {

// Writes one log record per line: ECS JSON (for collectors) or a readable text line (for a
// terminal). Thread-safe; each record is written and flushed whole. Fields use ECS names
// ("http.request.id", "trace.id", "url.path", ...) as flat dotted keys.
class Logger {
public:
    Logger(std::ostream &out, LogFormat format, LogLevel minimum,
           std::string serviceName = "toolhub-server");

    [[nodiscard]] bool enabled(LogLevel level) const noexcept { return level >= m_minimum; }

    void log(LogLevel level, std::string_view message,
             const nlohmann::json &fields = nlohmann::json::object()) const;
    void debug(std::string_view message,
               const nlohmann::json &fields = nlohmann::json::object()) const
    {
        log(LogLevel::Debug, message, fields);
    }
    void info(std::string_view message,
              const nlohmann::json &fields = nlohmann::json::object()) const
    {
        log(LogLevel::Info, message, fields);
    }
    void warn(std::string_view message,
              const nlohmann::json &fields = nlohmann::json::object()) const
    {
        log(LogLevel::Warn, message, fields);
    }
    void error(std::string_view message,
               const nlohmann::json &fields = nlohmann::json::object()) const
    {
        log(LogLevel::Error, message, fields);
    }

private:
    std::ostream &m_out;
    LogFormat m_format;
    LogLevel m_minimum;
    std::string m_serviceName;
    mutable std::mutex m_mutex;
};

// Current UTC time as RFC 3339 with milliseconds, e.g. 2026-11-28T08:01:02.345Z.
[[nodiscard]] std::string utcTimestamp();

} // namespace toolhub::server
