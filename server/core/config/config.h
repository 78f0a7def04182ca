#pragma once

#include "core/access/mapping_rule.h"
#include "core/ldap/ldap_settings.h"
#include "toolhub/result.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

enum class LogFormat { Json, Text };
enum class LogLevel { Debug, Info, Warn, Error };

// OpenID Connect single sign-on: one identity provider (keys "oidc.<id>.*").
// A mapping rule gives users whose claim holds a value an organization and roles (its right-hand
// side is a RuleTarget, as for LDAP rules):
//     oidc.<id>.rule.<n> = groups:acme-users -> organization=acme role=customer_admin
struct OidcMappingRule {
    std::string claim; // empty: every user ("*")
    std::string value;
    RuleTarget target;
    friend bool operator==(const OidcMappingRule &, const OidcMappingRule &) = default;
};
struct OidcProviderConfig {
    std::string id; // [a-z0-9-]{1,32}
    std::string issuer;
    std::string clientId;
    std::string clientSecret;
    std::string scopes = "openid profile email";
    std::string label;                                   // empty: "Sign in with <id>"
    std::string tokenAuthMethod = "client_secret_basic"; // or client_secret_post
    std::string nameClaim = "name";
    std::string emailClaim = "email";
    std::string groupsClaim = "groups";
    std::map<int, OidcMappingRule> rules; // by <n>, applied in order
};
// Parses the right-hand side of a mapping rule; the reason when it is refused.
[[nodiscard]] Result<OidcMappingRule> parseOidcMappingRule(std::string_view text);

// Everything toolhub-server can be told. Values come from defaults, then a config file, then
// TOOLHUB_* environment variables (the environment wins).
struct ServerConfig {
    std::string listenAddress = "127.0.0.1";
    std::uint16_t listenPort = 8080;
    std::filesystem::path dataDir = "data";
    // Release manifest signing key; empty: <data_dir>/signing-key.
    std::filesystem::path signingKeyFile;
    // Where artifacts and stored documents live (storage keys are relative); empty:
    // <data_dir>/artifacts.
    std::filesystem::path artifactDir;
    // How long a signed release manifest stays valid.
    std::chrono::seconds manifestLifetime{24 * 3600};
    // Load the demo catalog, organizations and users into an empty database at start.
    bool demoData = false;
    std::string databaseUrl;          // empty: sqlite:///<data_dir>/toolhub.db
    unsigned threads = 0;             // 0: one per core
    std::size_t databasePoolSize = 0; // 0: threads + 2
    std::size_t maxHeaderBytes = 16 * 1024;
    std::size_t maxBodyBytes = 1024 * 1024;
    std::chrono::seconds idleTimeout{30};
    std::chrono::seconds requestTimeout{30};
    std::chrono::seconds shutdownGrace{20};
    LogFormat logFormat = LogFormat::Json;
    LogLevel logLevel = LogLevel::Info;
    // Sign-in (core/auth): lifetimes of OAuth codes, access tokens and web sessions, and whether
    // cookies carry Secure (set it when browsers reach the server over HTTPS, e.g. through a
    // TLS-terminating proxy; the server itself speaks plain HTTP).
    std::chrono::seconds oauthCodeLifetime{60};
    std::chrono::seconds oauthAccessTokenLifetime{600};
    std::chrono::seconds sessionLifetime{12 * 3600};
    bool cookieSecure = false;
    // SCIM provisioning (core/scim): the OpenID Connect issuer whose `sub` is a provisioned
    // user's userName ("userName") or externalId ("externalId"), and the organization slug of
    // provisioned users that name none (empty: none).
    std::string scimIssuer;
    std::string scimSubject = "userName";
    std::string scimOrganization;
    // The server's externally visible base URL (e.g. https://toolhub.example.com), for the
    // redirect URIs given to identity providers; no trailing slash. Empty: no SSO.
    std::string publicUrl;
    std::map<std::string, OidcProviderConfig> oidcProviders; // by id
    // Sign-in against an LDAP directory (ldap_* keys); off while ldap_url is not set.
    LdapSettings ldap;

    // The artifact folder in force: the configured one or <data_dir>/artifacts.
    [[nodiscard]] std::filesystem::path effectiveArtifactDir() const;
    // The manifest signing key file in force: the configured one or <data_dir>/signing-key.
    [[nodiscard]] std::filesystem::path effectiveSigningKeyFile() const;
    // The database URL in force: the configured one or the default SQLite file in data_dir.
    [[nodiscard]] std::string effectiveDatabaseUrl() const;
    // Threads in force: the configured number or one per core.
    [[nodiscard]] unsigned effectiveThreads() const;
};

// One documented setting, as listed by --help.
struct ConfigKey {
    std::string name;        // file key, e.g. "max_body_bytes"
    std::string environment; // e.g. "TOOLHUB_MAX_BODY_BYTES"
    std::string defaultValue;
    std::string description;
};

[[nodiscard]] const std::vector<ConfigKey> &configKeys();

using Environment = std::map<std::string, std::string>;

// The process environment's TOOLHUB_* variables.
[[nodiscard]] Environment toolhubEnvironment();

// Reads a "key = value" file (# comments, blank lines ignored), then applies the environment.
// An unknown key or a bad value is an InvalidArgument error naming the key and where it came
// from. TOOLHUB_CONFIG names the file when `file` is empty.
[[nodiscard]] Result<ServerConfig> loadConfig(const std::optional<std::filesystem::path> &file,
                                              const Environment &environment);

// Parses the text of a config file on top of `config`; `origin` names it in errors.
[[nodiscard]] Result<void> applyConfigText(ServerConfig &config, std::string_view text,
                                           std::string_view origin);

[[nodiscard]] std::string_view logLevelName(LogLevel level) noexcept;

} // namespace toolhub::server
