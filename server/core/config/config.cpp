#include "core/config/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <regex>
#include <sstream>
#include <thread>

extern char *
    *environ; // NOLINT(readability-redundant-declaration): POSIX, not declared by <unistd.h> in C++

namespace toolhub::server {
namespace {

constexpr std::string_view envPrefix = "TOOLHUB_";
constexpr std::string_view configFileVariable = "TOOLHUB_CONFIG";

std::string_view trim(std::string_view s)
{
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

template <class Int>
std::optional<Int> parseInteger(std::string_view text)
{
    Int value{};
    const auto *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.empty()) {
        return std::nullopt;
    }
    return value;
}

// "1048576", "64KiB", "1MiB", "2GiB" (binary units; "k", "m", "g" alone are refused as vague).
std::optional<std::size_t> parseSize(std::string_view text)
{
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    const auto number = parseInteger<std::size_t>(text.substr(0, digits));
    if (!number) {
        return std::nullopt;
    }
    const auto unit = trim(text.substr(digits));
    std::size_t factor = 1;
    if (unit.empty() || unit == "B") {
        factor = 1;
    } else if (unit == "KiB") {
        factor = std::size_t{1} << 10;
    } else if (unit == "MiB") {
        factor = std::size_t{1} << 20;
    } else if (unit == "GiB") {
        factor = std::size_t{1} << 30;
    } else {
        return std::nullopt;
    }
    if (*number > std::numeric_limits<std::size_t>::max() / factor) {
        return std::nullopt;
    }
    return *number * factor;
}

// "30", "30s", "5m", "1h".
std::optional<std::chrono::seconds> parseDuration(std::string_view text)
{
    std::int64_t factor = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 's':
            text.remove_suffix(1);
            break;
        case 'm':
            factor = 60;
            text.remove_suffix(1);
            break;
        case 'h':
            factor = 3600;
            text.remove_suffix(1);
            break;
        default:
            break;
        }
    }
    const auto number = parseInteger<std::int64_t>(text);
    if (!number || *number < 0 || *number > std::numeric_limits<std::int64_t>::max() / factor) {
        return std::nullopt;
    }
    return std::chrono::seconds{*number * factor};
}

struct Setting {
    ConfigKey key;
    // Applies a textual value; returns the reason when the value is refused.
    std::function<std::optional<std::string>(ServerConfig &, std::string_view)> apply;
};

constexpr std::int64_t maxDurationSeconds = 24 * 3600;
constexpr std::size_t maxHeaderLimit = std::size_t{1} << 20;
constexpr std::size_t maxBodyLimit = std::size_t{4} << 30;

// Kubernetes and OpenShift put "service link" variables into every pod of a namespace: for a
// service named toolhub, TOOLHUB_SERVICE_HOST, TOOLHUB_PORT=tcp://..., TOOLHUB_PORT_8080_TCP and
// the like. They are not settings and must not stop the server.
bool isServiceLinkVariable(const std::string &name, const std::string &value)
{
    static const std::regex serviceVariable{
        R"(TOOLHUB_([A-Z0-9_]+_)?SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?)"};
    static const std::regex portDetailVariable{
        R"(TOOLHUB_([A-Z0-9_]+_)?PORT_[0-9]+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)"};
    static const std::regex portVariable{R"(TOOLHUB_([A-Z0-9_]+_)?PORT)"};
    static const std::regex linkValue{R"((tcp|udp|sctp)://.*)"};
    return std::regex_match(name, serviceVariable) || std::regex_match(name, portDetailVariable) ||
           (std::regex_match(name, portVariable) && std::regex_match(value, linkValue));
}

std::string envName(std::string_view key)
{
    std::string name{envPrefix};
    for (const char c : key) {
        name += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    return name;
}

Setting sizeSetting(std::string name, std::size_t ServerConfig::*member, std::size_t minimum,
                    std::size_t maximum, std::string defaultValue, std::string description)
{
    return {{name, envName(name), std::move(defaultValue), std::move(description)},
            [member, minimum, maximum](ServerConfig &c,
                                       std::string_view v) -> std::optional<std::string> {
                const auto size = parseSize(v);
                if (!size) {
                    return "expected a size in bytes, optionally with KiB, MiB or GiB";
                }
                if (*size < minimum) {
                    return "must be at least " + std::to_string(minimum) + " bytes";
                }
                if (*size > maximum) {
                    return "must be at most " + std::to_string(maximum) + " bytes";
                }
                c.*member = *size;
                return std::nullopt;
            }};
}

Setting durationSetting(std::string name, std::chrono::seconds ServerConfig::*member,
                        std::string defaultValue, std::string description)
{
    return {{name, envName(name), std::move(defaultValue), std::move(description)},
            [member](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                const auto duration = parseDuration(v);
                if (!duration || duration->count() == 0 || duration->count() > maxDurationSeconds) {
                    return "expected a positive duration up to 24h, such as 30s, 5m or 1h";
                }
                c.*member = *duration;
                return std::nullopt;
            }};
}

Setting boolSetting(std::string name, bool ServerConfig::*member, std::string defaultValue,
                    std::string description)
{
    return {{name, envName(name), std::move(defaultValue), std::move(description)},
            [member](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                if (v == "true") {
                    c.*member = true;
                } else if (v == "false") {
                    c.*member = false;
                } else {
                    return R"(expected "true" or "false")";
                }
                return std::nullopt;
            }};
}

const std::vector<Setting> &settings()
{
    static const std::vector<Setting> all = [] {
        std::vector<Setting> s;
        s.push_back({{"listen_address", envName("listen_address"), "127.0.0.1",
                      "IPv4 or IPv6 address to listen on"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         const std::string text{v};
                         unsigned char buffer[16];
                         if (inet_pton(AF_INET, text.c_str(), buffer) != 1 &&
                             inet_pton(AF_INET6, text.c_str(), buffer) != 1) {
                             return "expected an IPv4 or IPv6 address such as 127.0.0.1 or ::1";
                         }
                         c.listenAddress = text;
                         return std::nullopt;
                     }});
        s.push_back(
            {{"listen_port", envName("listen_port"), "8080", "TCP port; 0 picks a free one"},
             [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                 const auto port = parseInteger<std::uint16_t>(v);
                 if (!port) {
                     return "expected a port number from 0 to 65535";
                 }
                 c.listenPort = *port;
                 return std::nullopt;
             }});
        s.push_back({{"data_dir", envName("data_dir"), "data",
                      "folder for the database file, keys and artifacts"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         if (v.empty()) {
                             return "must not be empty";
                         }
                         c.dataDir = std::filesystem::path{std::string{v}};
                         return std::nullopt;
                     }});
        s.push_back({{"database_url", envName("database_url"), "sqlite:///<data_dir>/toolhub.db",
                      "sqlite:///path or postgresql://user@host:port/database"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         if (!v.starts_with("sqlite:") && !v.starts_with("postgresql://") &&
                             !v.starts_with("postgres://")) {
                             return "expected sqlite:///path or postgresql://...";
                         }
                         c.databaseUrl = std::string{v};
                         return std::nullopt;
                     }});
        s.push_back({{"signing_key_file", envName("signing_key_file"), "<data_dir>/signing-key",
                      "Ed25519 key that signs release manifests; created (mode 0600) if absent"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         if (v.empty()) {
                             return "must not be empty";
                         }
                         c.signingKeyFile = std::filesystem::path{std::string{v}};
                         return std::nullopt;
                     }});
        s.push_back({{"artifact_dir", envName("artifact_dir"), "<data_dir>/artifacts",
                      "folder holding artifacts and stored documents"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         if (v.empty()) {
                             return "must not be empty";
                         }
                         c.artifactDir = std::filesystem::path{std::string{v}};
                         return std::nullopt;
                     }});
        s.push_back(durationSetting("manifest_lifetime", &ServerConfig::manifestLifetime, "24h",
                                    "how long a signed release manifest stays valid"));
        s.push_back(boolSetting("demo_data", &ServerConfig::demoData, "false",
                                "load the demo catalog, organizations and users into an empty "
                                "database at start"));
        s.push_back({{"threads", envName("threads"), "0", "HTTP worker threads; 0 = one per core"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         const auto n = parseInteger<unsigned>(v);
                         if (!n || *n > 256) {
                             return "expected a number from 0 to 256";
                         }
                         c.threads = *n;
                         return std::nullopt;
                     }});
        s.push_back({{"database_pool_size", envName("database_pool_size"), "0",
                      "database connections; 0 = threads + 2"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         const auto n = parseInteger<std::size_t>(v);
                         if (!n || *n > 512) {
                             return "expected a number from 0 to 512";
                         }
                         c.databasePoolSize = *n;
                         return std::nullopt;
                     }});
        s.push_back(sizeSetting("max_header_bytes", &ServerConfig::maxHeaderBytes, 1024,
                                maxHeaderLimit, "16KiB",
                                "largest request header block accepted (431 beyond)"));
        s.push_back(sizeSetting("max_body_bytes", &ServerConfig::maxBodyBytes, 0, maxBodyLimit,
                                "1MiB", "largest request body accepted (413 beyond)"));
        s.push_back(durationSetting("idle_timeout", &ServerConfig::idleTimeout, "30s",
                                    "how long an idle keep-alive connection stays open"));
        s.push_back(durationSetting("request_timeout", &ServerConfig::requestTimeout, "30s",
                                    "time allowed to receive one request or send one response"));
        s.push_back(durationSetting("shutdown_grace", &ServerConfig::shutdownGrace, "20s",
                                    "on SIGTERM, how long in-flight requests may take to finish"));
        s.push_back(durationSetting("oauth_code_lifetime", &ServerConfig::oauthCodeLifetime, "60s",
                                    "how long an OAuth authorization code may be exchanged"));
        s.push_back(durationSetting("oauth_access_token_lifetime",
                                    &ServerConfig::oauthAccessTokenLifetime, "10m",
                                    "lifetime of OAuth access tokens (refresh tokens: 30 days)"));
        s.push_back(durationSetting("session_lifetime", &ServerConfig::sessionLifetime, "12h",
                                    "how long a browser stays signed in"));
        s.push_back(boolSetting("cookie_secure", &ServerConfig::cookieSecure, "false",
                                "mark cookies Secure; set to true when browsers reach the "
                                "server over HTTPS"));
        s.push_back({{"log_format", envName("log_format"), "json",
                      "json (ECS lines) or text (readable lines)"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         if (v == "json") {
                             c.logFormat = LogFormat::Json;
                         } else if (v == "text") {
                             c.logFormat = LogFormat::Text;
                         } else {
                             return R"(expected "json" or "text")";
                         }
                         return std::nullopt;
                     }});
        s.push_back({{"log_level", envName("log_level"), "info", "debug, info, warn or error"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         for (const auto level :
                              {LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error}) {
                             if (v == logLevelName(level)) {
                                 c.logLevel = level;
                                 return std::nullopt;
                             }
                         }
                         return R"(expected "debug", "info", "warn" or "error")";
                     }});
        return s;
    }();
    return all;
}

const Setting *findSetting(std::string_view name, bool byEnvironment)
{
    const auto &all = settings();
    const auto it = std::find_if(all.begin(), all.end(), [&](const Setting &s) {
        return byEnvironment ? s.key.environment == name : s.key.name == name;
    });
    return it == all.end() ? nullptr : &*it;
}

Result<void> applyValue(ServerConfig &config, const Setting &setting, std::string_view value,
                        std::string_view keyName, std::string_view origin)
{
    if (const auto reason = setting.apply(config, value)) {
        return fail(ErrorCode::InvalidArgument, std::string{origin} + ": bad value for " +
                                                    std::string{keyName} + ": " + *reason);
    }
    return {};
}

} // namespace

std::filesystem::path ServerConfig::effectiveArtifactDir() const
{
    return artifactDir.empty() ? dataDir / "artifacts" : artifactDir;
}

std::filesystem::path ServerConfig::effectiveSigningKeyFile() const
{
    return signingKeyFile.empty() ? dataDir / "signing-key" : signingKeyFile;
}

std::string ServerConfig::effectiveDatabaseUrl() const
{
    if (!databaseUrl.empty()) {
        return databaseUrl;
    }
    return "sqlite://" +
           std::filesystem::absolute(dataDir / "toolhub.db").lexically_normal().string();
}

unsigned ServerConfig::effectiveThreads() const
{
    if (threads != 0) {
        return threads;
    }
    return std::max(1U, std::thread::hardware_concurrency());
}

const std::vector<ConfigKey> &configKeys()
{
    static const std::vector<ConfigKey> keys = [] {
        std::vector<ConfigKey> k;
        for (const auto &s : settings()) {
            k.push_back(s.key);
        }
        return k;
    }();
    return keys;
}

Environment toolhubEnvironment()
{
    Environment env;
    for (char **entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text{*entry};
        if (!text.starts_with(envPrefix)) {
            continue;
        }
        const auto eq = text.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        env.emplace(std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)});
    }
    return env;
}

Result<void> applyConfigText(ServerConfig &config, std::string_view text, std::string_view origin)
{
    std::size_t lineNumber = 0;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        const auto line = trim(text.substr(0, newline));
        text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
        ++lineNumber;
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const std::string where = std::string{origin} + ":" + std::to_string(lineNumber);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            return fail(ErrorCode::InvalidArgument, where + ": expected \"key = value\"");
        }
        const auto key = trim(line.substr(0, eq));
        auto value = trim(line.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        const auto *setting = findSetting(key, false);
        if (setting == nullptr) {
            return fail(ErrorCode::InvalidArgument,
                        where + ": unknown key \"" + std::string{key} + "\" (see --help)");
        }
        if (auto applied = applyValue(config, *setting, value, key, where); !applied) {
            return applied;
        }
    }
    return {};
}

Result<ServerConfig> loadConfig(const std::optional<std::filesystem::path> &file,
                                const Environment &environment)
{
    ServerConfig config;
    std::optional<std::filesystem::path> path = file;
    if (!path) {
        if (const auto it = environment.find(std::string{configFileVariable});
            it != environment.end() && !it->second.empty()) {
            path = it->second;
        }
    }
    if (path) {
        std::ifstream in(*path, std::ios::binary);
        if (!in) {
            return fail(ErrorCode::InvalidArgument, "cannot read config file " + path->string());
        }
        std::ostringstream text;
        text << in.rdbuf();
        if (auto applied = applyConfigText(config, text.str(), path->string()); !applied) {
            return fail(std::move(applied).error());
        }
    }
    for (const auto &[name, value] : environment) {
        if (name == configFileVariable || !name.starts_with(envPrefix)) {
            continue;
        }
        const auto *setting = findSetting(name, true);
        if (setting == nullptr && isServiceLinkVariable(name, value)) {
            continue;
        }
        if (setting == nullptr) {
            return fail(ErrorCode::InvalidArgument,
                        "environment: unknown variable " + name + " (see --help)");
        }
        if (auto applied = applyValue(config, *setting, value, name, "environment"); !applied) {
            return fail(std::move(applied).error());
        }
    }
    return config;
}

std::string_view logLevelName(LogLevel level) noexcept
{
    switch (level) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warn:
        return "warn";
    case LogLevel::Error:
        return "error";
    }
    return "info";
}

} // namespace toolhub::server
