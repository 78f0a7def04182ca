#include "core/config/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
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
        // SCIM provisioning (core/scim).
        s.push_back({{"scim_issuer", envName("scim_issuer"), "(none)",
                      "OpenID Connect issuer URL of the users SCIM provisions: they sign in "
                      "later through it with sub = their SCIM userName (or externalId, see "
                      "scim_subject); empty: SCIM cannot create users"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         if (v.size() > 500) {
                             return "expected at most 500 characters";
                         }
                         c.scimIssuer = std::string{v};
                         return std::nullopt;
                     }});
        s.push_back({{"scim_subject", envName("scim_subject"), "userName",
                      "the SCIM attribute equal to the issuer's sub: userName or externalId"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         if (v != "userName" && v != "externalId") {
                             return R"(expected "userName" or "externalId")";
                         }
                         c.scimSubject = std::string{v};
                         return std::nullopt;
                     }});
        s.push_back({{"scim_organization", envName("scim_organization"), "(none)",
                      "organization slug of SCIM users whose enterprise extension names no "
                      "organization; empty: none"},
                     [](ServerConfig &c, std::string_view v) -> std::optional<std::string> {
                         c.scimOrganization = std::string{v};
                         return std::nullopt;
                     }});
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

// ---- Single sign-on: public_url and the OpenID Connect providers (oidc.<id>.<field>) ----

const std::regex oidcIdPattern{"[a-z0-9-]{1,32}"};
const std::regex oidcClaimPattern{"[A-Za-z0-9_.-]{1,128}"};

// http(s)://host[:port][/path] without query or fragment; plain http only for loopback hosts.
bool isSsoUrl(std::string_view url)
{
    static const std::regex pattern{R"((https|http)://([^/?#@\s]+)(/[^?#\s]*)?)"};
    std::match_results<std::string_view::const_iterator> match;
    if (!std::regex_match(url.begin(), url.end(), match, pattern)) {
        return false;
    }
    const std::string host = match[2].str();
    const bool loopback = host == "localhost" || host.starts_with("localhost:") ||
                          host.starts_with("127.") || host.starts_with("[::1]");
    return match[1].str() == "https" || loopback;
}

// Applies "public_url" and "oidc.<id>.<field>"; nullopt when `key` is neither.
std::optional<std::optional<std::string>> applySsoKey(ServerConfig &c, std::string_view key,
                                                      std::string_view v)
{
    if (key == "public_url") {
        while (v.ends_with('/')) {
            v.remove_suffix(1);
        }
        if (!isSsoUrl(v)) {
            return "expected the server's external base URL, https://host[:port][/path] (http "
                   "only for localhost)";
        }
        c.publicUrl = std::string{v};
        return std::optional<std::string>{};
    }
    if (!key.starts_with("oidc.")) {
        return std::nullopt;
    }
    const auto rest = key.substr(5);
    const auto dot = rest.find('.');
    const std::string id{rest.substr(0, dot)};
    const auto field = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    if (!std::regex_match(id, oidcIdPattern)) {
        return "the provider id in " + std::string{key} + " must match [a-z0-9-]{1,32}";
    }
    auto &p = c.oidcProviders[id];
    p.id = id;
    const std::string value{v};
    if (field == "issuer") {
        if (!isSsoUrl(v)) {
            return "expected the issuer URL, https://... (http only for localhost)";
        }
        p.issuer = value;
    } else if (field == "client_id" || field == "client_secret") {
        if (value.empty() || value.size() > 512) {
            return "expected 1 to 512 characters";
        }
        (field == "client_id" ? p.clientId : p.clientSecret) = value;
    } else if (field == "scopes") {
        if (value.find("openid") == std::string::npos) {
            return R"(the scopes must include "openid")";
        }
        p.scopes = value;
    } else if (field == "label") {
        if (value.empty() || value.size() > 100) {
            return "expected 1 to 100 characters";
        }
        p.label = value;
    } else if (field == "token_auth_method") {
        if (value != "client_secret_basic" && value != "client_secret_post") {
            return R"(expected "client_secret_basic" or "client_secret_post")";
        }
        p.tokenAuthMethod = value;
    } else if (field == "claim.name" || field == "claim.email" || field == "claim.groups") {
        if (!std::regex_match(value, oidcClaimPattern)) {
            return "expected a claim name";
        }
        (field == "claim.name"    ? p.nameClaim
         : field == "claim.email" ? p.emailClaim
                                  : p.groupsClaim) = value;
    } else if (field.starts_with("rule.")) {
        const auto number = parseInteger<int>(field.substr(5));
        if (!number || *number < 0) {
            return "rules are numbered: oidc." + id + ".rule.<n>";
        }
        auto rule = parseOidcMappingRule(v);
        if (!rule) {
            return rule.error().message;
        }
        p.rules[*number] = std::move(rule).value();
    } else {
        return "unknown provider setting \"" + std::string{field} +
               "\" (see --help for the oidc.<id>.* keys)";
    }
    return std::optional<std::string>{};
}

// TOOLHUB_PUBLIC_URL and TOOLHUB_OIDC_<ID>_<FIELD> (the id upper-cased, '-' as '_') as keys.
std::optional<std::string> ssoKeyOfVariable(std::string_view name)
{
    if (name == "TOOLHUB_PUBLIC_URL") {
        return "public_url";
    }
    static const std::regex pattern{
        R"(TOOLHUB_OIDC_([A-Z0-9_]+?)_(ISSUER|CLIENT_ID|CLIENT_SECRET|SCOPES|LABEL|)"
        R"(TOKEN_AUTH_METHOD|CLAIM_NAME|CLAIM_EMAIL|CLAIM_GROUPS|RULE_[0-9]+))"};
    std::match_results<std::string_view::const_iterator> match;
    if (!std::regex_match(name.begin(), name.end(), match, pattern)) {
        return std::nullopt;
    }
    std::string key = "oidc.";
    for (const char ch : match[1].str()) {
        key += ch == '_' ? '-' : static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    key += '.';
    for (char ch : match[2].str()) {
        ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        key += ch;
    }
    for (const std::string_view prefix : {".claim_", ".rule_"}) {
        if (const auto at = key.find(prefix); at != std::string::npos) {
            key[at + prefix.size() - 1] = '.';
        }
    }
    return key;
}

Result<void> validateSso(const ServerConfig &c)
{
    for (const auto &[id, p] : c.oidcProviders) {
        for (const auto &[field, value] : {std::pair{"issuer", &p.issuer},
                                           {"client_id", &p.clientId},
                                           {"client_secret", &p.clientSecret}}) {
            if (value->empty()) {
                return fail(ErrorCode::InvalidArgument, "OpenID Connect provider \"" + id +
                                                            "\" needs oidc." + id + "." + field);
            }
        }
    }
    if (!c.oidcProviders.empty() && c.publicUrl.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "OpenID Connect sign-in needs public_url, the server's external base URL");
    }
    return {};
}

const std::vector<ConfigKey> &ssoConfigKeys()
{
    static const std::vector<ConfigKey> keys{
        {"public_url", "TOOLHUB_PUBLIC_URL", "(none)",
         "the server's external base URL, e.g. https://toolhub.example.com; needed for single "
         "sign-on (redirect URI <public_url>/signin/oidc/<id>/callback)"},
        {"oidc.<id>.issuer", "TOOLHUB_OIDC_<ID>_ISSUER", "(none)",
         "OpenID Connect provider <id> ([a-z0-9-]{1,32}; in variables upper case, '-' as '_'): "
         "its issuer URL, exactly as in its discovery document"},
        {"oidc.<id>.client_id", "TOOLHUB_OIDC_<ID>_CLIENT_ID", "(none)",
         "this server's client id at the provider"},
        {"oidc.<id>.client_secret", "TOOLHUB_OIDC_<ID>_CLIENT_SECRET", "(none)",
         "this server's client secret at the provider"},
        {"oidc.<id>.token_auth_method", "TOOLHUB_OIDC_<ID>_TOKEN_AUTH_METHOD",
         "client_secret_basic", "client_secret_basic or client_secret_post"},
        {"oidc.<id>.scopes", "TOOLHUB_OIDC_<ID>_SCOPES", "openid profile email",
         "scopes asked for; must include openid"},
        {"oidc.<id>.label", "TOOLHUB_OIDC_<ID>_LABEL", "Sign in with <id>",
         "the button on the sign-in page"},
        {"oidc.<id>.claim.name", "TOOLHUB_OIDC_<ID>_CLAIM_NAME", "name",
         "the claim holding the display name"},
        {"oidc.<id>.claim.email", "TOOLHUB_OIDC_<ID>_CLAIM_EMAIL", "email",
         "the claim holding the e-mail address"},
        {"oidc.<id>.claim.groups", "TOOLHUB_OIDC_<ID>_CLAIM_GROUPS", "groups",
         "the claim holding the groups (a string or a list), named \"groups\" in rules"},
        {"oidc.<id>.rule.<n>", "TOOLHUB_OIDC_<ID>_RULE_<N>", "(none)",
         "mapping rule, applied in order of <n> at every sign-in: \"<claim>:<value> -> "
         "[organization=<slug>] [role=<role>[@global]]...\" or \"* -> ...\" for every user; "
         "e.g. \"groups:acme-users -> organization=acme role=customer_admin\". The first "
         "matching rule with an organization decides the user's organization; roles are held "
         "in the rule's organization (or the user's), or everywhere with @global"},
    };
    return keys;
}

// ---- LDAP sign-in (ldap_*; numbered mapping rules ldap_rule.<n>) ----

Setting
ldapSetting(std::string name, std::string defaultValue, std::string description,
            std::function<std::optional<std::string>(LdapSettings &, std::string_view)> apply)
{
    return {{name, envName(name), std::move(defaultValue), std::move(description)},
            [apply = std::move(apply)](ServerConfig &c, std::string_view v) {
                return apply(c.ldap, v);
            }};
}

// A text setting stored as is; `required` refuses an empty value.
Setting ldapText(std::string name, std::string LdapSettings::*member, std::string defaultValue,
                 std::string description, bool required = true)
{
    return ldapSetting(
        std::move(name), std::move(defaultValue), std::move(description),
        [member, required](LdapSettings &l, std::string_view v) -> std::optional<std::string> {
            if (required && v.empty()) {
                return "must not be empty";
            }
            l.*member = std::string{v};
            return std::nullopt;
        });
}

Setting ldapFlag(std::string name, bool LdapSettings::*member, std::string defaultValue,
                 std::string description)
{
    return ldapSetting(std::move(name), std::move(defaultValue), std::move(description),
                       [member](LdapSettings &l, std::string_view v) -> std::optional<std::string> {
                           if (v != "true" && v != "false") {
                               return R"(expected "true" or "false")";
                           }
                           l.*member = v == "true";
                           return std::nullopt;
                       });
}

Setting ldapRule(std::optional<unsigned> number)
{
    auto setting = ldapSetting(
        "ldap_rule.<n>", "(none)",
        "mapping rule, applied in order of <n> at every sign-in: \"<group DN> -> "
        "[organization=<slug>] [role=<role>[@global|@organization]]...\", or \"* -> ...\" for "
        "every directory user; e.g. \"cn=acme-admins,ou=groups,dc=example,dc=org -> "
        "organization=acme role=customer_admin\". The first matching rule with an organization "
        "decides the user's organization; roles are held in the rule's organization (or the "
        "user's), or everywhere with @global",
        [number](LdapSettings &l, std::string_view v) -> std::optional<std::string> {
            if (!number) {
                return "number the rules: ldap_rule.1, ldap_rule.2, ...";
            }
            auto rule = parseLdapRule(v);
            if (!rule) {
                return rule.error().message;
            }
            l.rules[*number] = std::move(rule).value();
            return std::nullopt;
        });
    setting.key.environment = "TOOLHUB_LDAP_RULE_<N>";
    return setting;
}

const std::vector<Setting> &ldapSettings()
{
    static const std::vector<Setting> all = [] {
        std::vector<Setting> s;
        s.push_back(
            ldapSetting("ldap_url", "(none: no LDAP sign-in)",
                        "LDAP sign-in: ldap://host[:port] or ldaps://host[:port]; several, "
                        "separated by spaces, are tried in order",
                        [](LdapSettings &l, std::string_view v) -> std::optional<std::string> {
                            auto urls = parseLdapUrls(v);
                            if (!urls) {
                                return urls.error().message;
                            }
                            l.urls = std::move(urls).value();
                            return std::nullopt;
                        }));
        s.push_back(ldapText("ldap_id", &LdapSettings::id, "<the first ldap_url>",
                             "the directory's name on its users; set it before the first sign-in "
                             "if ldap_url may change"));
        s.push_back(ldapFlag("ldap_starttls", &LdapSettings::startTls, "true",
                             "StartTLS on ldap:// URLs (ldaps:// is TLS from the start)"));
        s.push_back(ldapFlag("ldap_allow_plaintext", &LdapSettings::allowPlaintext, "false",
                             "allow ldap:// without StartTLS: passwords cross the network in "
                             "clear; for development only"));
        s.push_back(
            ldapSetting("ldap_ca_file", "(the system's CAs)",
                        "PEM file of the CAs that may sign the directory's certificate; "
                        "the certificate is always verified",
                        [](LdapSettings &l, std::string_view v) -> std::optional<std::string> {
                            l.caFile = std::filesystem::path{std::string{v}};
                            return std::nullopt;
                        }));
        s.push_back(ldapText("ldap_bind_dn", &LdapSettings::bindDn, "(none: anonymous search)",
                             "the service account that searches for users"));
        s.push_back(ldapText("ldap_bind_password", &LdapSettings::bindPassword, "(none)",
                             "the service account's password (or ldap_bind_password_file)"));
        s.push_back(ldapSetting(
            "ldap_bind_password_file", "(none)", "file holding the service account's password",
            [](LdapSettings &l, std::string_view v) -> std::optional<std::string> {
                l.bindPasswordFile = std::filesystem::path{std::string{v}};
                return std::nullopt;
            }));
        s.push_back(
            ldapText("ldap_user_base", &LdapSettings::userBase, "(none)",
                     "where users are searched (subtree), e.g. ou=people,dc=example,dc=org"));
        s.push_back(ldapText("ldap_user_filter", &LdapSettings::userFilter,
                             "(&(objectClass=inetOrgPerson)(uid={login}))",
                             "filter finding exactly one user; {login} is the login, escaped per "
                             "RFC 4515"));
        s.push_back(ldapText("ldap_name_attribute", &LdapSettings::nameAttribute, "displayName",
                             "attribute with the display name (falls back to cn)"));
        s.push_back(ldapText("ldap_email_attribute", &LdapSettings::emailAttribute, "mail",
                             "attribute with the e-mail address"));
        s.push_back(ldapText("ldap_id_attribute", &LdapSettings::idAttribute, "entryUUID",
                             "attribute with the user's unique, unchanging id"));
        s.push_back(ldapText("ldap_group_base", &LdapSettings::groupBase,
                             "(none: ldap_member_of_attribute)",
                             "where groups are searched (subtree)", false));
        s.push_back(ldapText("ldap_group_filter", &LdapSettings::groupFilter,
                             "(&(objectClass=groupOfNames)(member={dn}))",
                             "filter for the user's groups under ldap_group_base; {dn}: the "
                             "user's DN, {login}: the login, both escaped"));
        s.push_back(ldapText("ldap_member_of_attribute", &LdapSettings::memberOfAttribute,
                             "memberOf",
                             "attribute of the user entry listing its groups, when "
                             "ldap_group_base is not set"));
        s.push_back(ldapSetting(
            "ldap_timeout", "5s", "time allowed for connecting and all operations of one sign-in",
            [](LdapSettings &l, std::string_view v) -> std::optional<std::string> {
                const auto duration = parseDuration(v);
                if (!duration || duration->count() == 0 || duration->count() > 60) {
                    return "expected a duration from 1s to 60s";
                }
                l.timeout = *duration;
                return std::nullopt;
            }));
        s.push_back(ldapRule(std::nullopt));
        return s;
    }();
    return all;
}

// ldap_rule.<n> or TOOLHUB_LDAP_RULE_<n>: a setting for rule n, kept for the process's life.
const Setting *findLdapRuleSetting(std::string_view name, bool byEnvironment)
{
    const std::string_view prefix = byEnvironment ? "TOOLHUB_LDAP_RULE_" : "ldap_rule.";
    const auto number = name.starts_with(prefix)
                            ? parseInteger<unsigned>(name.substr(prefix.size()))
                            : std::nullopt;
    if (!number) {
        return nullptr;
    }
    static std::mutex mutex;
    static std::map<unsigned, Setting> rules;
    const std::lock_guard lock(mutex);
    return &rules.try_emplace(*number, ldapRule(*number)).first->second;
}

const Setting *findSetting(std::string_view name, bool byEnvironment)
{
    for (const auto *list : {&settings(), &ldapSettings()}) {
        const auto it = std::find_if(list->begin(), list->end(), [&](const Setting &s) {
            return byEnvironment ? s.key.environment == name : s.key.name == name;
        });
        if (it != list->end()) {
            return &*it;
        }
    }
    return findLdapRuleSetting(name, byEnvironment);
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
        k.insert(k.end(), ssoConfigKeys().begin(), ssoConfigKeys().end());
        for (const auto &s : ldapSettings()) {
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
        if (const auto sso = setting == nullptr ? applySsoKey(config, key, value) : std::nullopt) {
            if (*sso) {
                return fail(ErrorCode::InvalidArgument,
                            where + ": bad value for " + std::string{key} + ": " + **sso);
            }
            continue;
        }
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
        if (const auto key = setting == nullptr ? ssoKeyOfVariable(name) : std::nullopt) {
            if (const auto reason = applySsoKey(config, *key, value).value_or(std::nullopt)) {
                return fail(ErrorCode::InvalidArgument,
                            "environment: bad value for " + name + ": " + *reason);
            }
            continue;
        }
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
    if (auto sso = validateSso(config); !sso) {
        return fail(std::move(sso).error());
    }
    return config;
}

Result<OidcMappingRule> parseOidcMappingRule(std::string_view text)
{
    const auto bad = [&](const std::string &why) {
        return fail(ErrorCode::InvalidArgument,
                    why + R"( (a rule reads "<claim>:<value> -> organization=<slug> )"
                          R"(role=<role>[@global]", or "* -> ...")");
    };
    const auto arrow = text.find("->");
    if (arrow == std::string_view::npos) {
        return bad("the rule has no \"->\"");
    }
    OidcMappingRule rule;
    const auto match = trim(text.substr(0, arrow));
    if (match != "*") {
        const auto colon = match.find(':');
        if (colon == std::string_view::npos) {
            return bad("the rule's left side is neither * nor <claim>:<value>");
        }
        rule.claim = std::string{trim(match.substr(0, colon))};
        rule.value = std::string{trim(match.substr(colon + 1))};
        if (!std::regex_match(rule.claim, oidcClaimPattern) || rule.value.empty()) {
            return bad("the rule's claim or value is empty or malformed");
        }
    }
    auto target = parseRuleTarget(text.substr(arrow + 2));
    if (!target) {
        return bad(target.error().message);
    }
    rule.target = std::move(target).value();
    return rule;
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
