// toolhub-server: the Toolhub platform's HTTP server.

#include "cli/admin_cli.h"
#include "core/access/access.h"
#include "core/access/service_accounts.h"
#include "core/auth/auth_module.h"
#include "core/catalog/catalog.h"
#include "core/config/config.h"
#include "core/demo/demo.h"
#include "core/downloads/downloads.h"
#include "core/installations/installations.h"
#include "core/instance/instance.h"
#include "core/ldap/ldap_sign_in.h"
#include "core/licensing/licensing.h"
#include "core/logging/logger.h"
#include "core/migrations/migration_runner.h"
#include "core/signing/signing_key.h"
#include "core/sso/http_client.h"
#include "core/sso/single_sign_on.h"
#include "core/storage/database.h"
#include "http/access_routes.h"
#include "http/auth_routes.h"
#include "http/authorization.h"
#include "http/catalog_routes.h"
#include "http/health_routes.h"
#include "http/middleware.h"
#include "http/portal_routes.h"
#include "http/router.h"
#include "http/scim_routes.h"
#include "http/server.h"
#include "http/sso_routes.h"

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

using namespace toolhub;
using namespace toolhub::server;

constexpr int exitOk = 0;
constexpr int exitFailure = 1;
constexpr int exitUsage = 2;

void printHelp()
{
    std::cout << "Usage: toolhub-server [--config FILE] [COMMAND]\n"
                 "\n"
                 "Commands:\n"
                 "  serve     apply pending migrations, then serve HTTP (the default)\n"
                 "  migrate   apply pending migrations and exit\n"
                 "  org add <slug> <name>      create a customer organization\n"
                 "  user add --org <slug> --login <login> --name <name> --email <email>\n"
                 "            create a local user; the password is read from standard input\n"
                 "  user disable --login <login>   disable a user\n"
                 "  keys show print the release manifest signing key: public key (base64) and\n"
                 "            key id; creates the key (signing_key_file) if there is none\n"
                 "\n"
                 "Options:\n"
                 "  --config FILE   read settings from FILE (\"key = value\" lines); also\n"
                 "                  TOOLHUB_CONFIG. TOOLHUB_* environment variables win.\n"
                 "  --help          show this text\n"
                 "  --version       show the version\n"
                 "\n"
                 "Settings (file key / environment variable, default):\n";
    for (const auto &key : configKeys()) {
        std::cout << "  " << key.name << " / " << key.environment << " (default "
                  << key.defaultValue << ")\n      " << key.description << "\n";
    }
    std::cout << "\nSIGTERM or SIGINT stops the server gracefully: in-flight requests finish,\n"
                 "then it exits with status 0.\n";
}

struct Arguments {
    std::optional<std::filesystem::path> configFile;
    std::string command = "serve";
    std::vector<std::string> commandArgs; // of an administration command (org, user)
};

// Parses the command line; returns an exit code when the program should stop right away.
std::optional<int> parseArguments(int argc, char **argv, Arguments &arguments)
{
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    bool haveCommand = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        if (arg == "--help" || arg == "-h") {
            printHelp();
            return exitOk;
        }
        if (arg == "--version") {
            std::cout << "toolhub-server " << TOOLHUB_VERSION << "\n";
            return exitOk;
        }
        if (arg == "--config") {
            if (i + 1 == args.size()) {
                std::cerr << "toolhub-server: --config needs a file name\n";
                return exitUsage;
            }
            arguments.configFile = std::filesystem::path{std::string{args[++i]}};
        } else if (arg.starts_with("--config=")) {
            arguments.configFile = std::filesystem::path{std::string{arg.substr(9)}};
        } else if (!arg.starts_with("-") && !haveCommand && (arg == "serve" || arg == "migrate")) {
            arguments.command = std::string{arg};
            haveCommand = true;
        } else if (!haveCommand && isAdminCommand(arg)) {
            arguments.command = std::string{arg};
            arguments.commandArgs.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                         args.end());
            break;
        } else if (arg == "keys" && !haveCommand && i + 1 < args.size() && args[i + 1] == "show") {
            arguments.command = "keys show";
            haveCommand = true;
            ++i;
        } else {
            std::cerr << "toolhub-server: unknown argument \"" << arg
                      << "\" (see toolhub-server --help)\n";
            return exitUsage;
        }
    }
    return std::nullopt;
}

Result<std::unique_ptr<Database>> openDatabase(const ServerConfig &config, const Logger &logger)
{
    auto url = parseDatabaseUrl(config.effectiveDatabaseUrl());
    if (!url) {
        return fail(std::move(url).error());
    }
    if (url->kind == DatabaseKind::Sqlite) {
        std::error_code ec;
        const auto folder = std::filesystem::path{url->path}.parent_path();
        if (!folder.empty()) {
            std::filesystem::create_directories(folder, ec);
            if (ec) {
                return fail(ErrorCode::Unavailable,
                            "cannot create the folder " + folder.string() + ": " + ec.message());
            }
        }
    }
    const auto poolSize =
        config.databasePoolSize != 0 ? config.databasePoolSize : config.effectiveThreads() + 2;
    logger.info("opening database",
                {{"database.url", url->redacted()}, {"database.pool_size", poolSize}});
    return Database::open(*url, poolSize);
}

Result<std::unique_ptr<Database>> prepareDatabase(const ServerConfig &config, const Logger &logger)
{
    auto database = openDatabase(config, logger);
    if (!database) {
        return database;
    }
    const auto scripts = embeddedMigrations();
    auto report = migrate(**database, scripts, "toolhub-server");
    if (!report) {
        return fail(std::move(report).error());
    }
    logger.info("database migrated", {{"migrations.applied", report->applied},
                                      {"migrations.current_version", report->currentVersion}});
    return database;
}

// Adds sign-in against the LDAP directory after the local accounts, when ldap_url is set.
Result<void> addLdapSignIn(const ServerConfig &config, AuthModule &auth, AccessControl &access,
                           const Logger &logger)
{
    if (!config.ldap.enabled()) {
        return {};
    }
    auto settings = completeLdapSettings(config.ldap);
    if (!settings) {
        return fail(std::move(settings).error());
    }
    if (settings->allowPlaintext && !settings->startTls) {
        logger.warn("ldap_allow_plaintext: passwords cross the network to ldap:// URLs in clear");
    }
    logger.info("LDAP sign-in", {{"ldap.urls", settings->urls},
                                 {"ldap.id", settings->issuer()},
                                 {"ldap.rules", settings->rules.size()}});
    auth.addSignInMethod(std::make_unique<LdapSignIn>(
        std::move(settings).value(), auth.identity(),
        [&access](const std::string &userId, const std::vector<RoleGrant> &grants) {
            return access.replaceGrants(userId, "ldap", grants);
        },
        logger));
    return {};
}

int serve(const ServerConfig &config, const Logger &logger)
{
    std::error_code ec;
    std::filesystem::create_directories(config.dataDir, ec);
    if (ec) {
        logger.error("cannot create the data folder",
                     {{"file.path", config.dataDir.string()}, {"error.message", ec.message()}});
        return exitFailure;
    }
    auto database = prepareDatabase(config, logger);
    if (!database) {
        logger.error(database.error().message,
                     {{"error.code", std::string{errorCodeName(database.error().code)}}});
        return exitFailure;
    }
    Database &db = **database;
    auto signingKey = SigningKey::loadOrCreate(config.effectiveSigningKeyFile());
    if (!signingKey) {
        logger.error(signingKey.error().message);
        return exitFailure;
    }
    logger.info(signingKey->created() ? "created the manifest signing key"
                                      : "loaded the manifest signing key",
                {{"file.path", config.effectiveSigningKeyFile().string()},
                 {"key.id", signingKey->keyId()},
                 {"key.public", signingKey->publicKeyBase64()}});
    auto instanceId = ensureInstanceId(db);
    if (!instanceId) {
        logger.error(instanceId.error().message);
        return exitFailure;
    }

    AuthSettings authSettings;
    authSettings.codeLifetime = config.oauthCodeLifetime;
    authSettings.accessTokenLifetime = config.oauthAccessTokenLifetime;
    authSettings.sessionLifetime = config.sessionLifetime;
    auto auth = AuthModule::create(db, authSettings);
    if (!auth) {
        logger.error(auth.error().message);
        return exitFailure;
    }
    AccessControl access(db, systemClock());
    if (auto ldap = addLdapSignIn(config, **auth, access, logger); !ldap) {
        logger.error(ldap.error().message);
        return exitFailure;
    }

    Licensing licensing(db);
    Catalog catalog(db, licensing);
    Downloads downloads(db);
    Installations installations(db);
    const auto unixNow = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    if (config.demoData) {
        auto demo = ensureDemoData((*auth)->identity(), access, catalog, licensing,
                                   defaultDemoDir(), config.effectiveArtifactDir(), unixNow());
        if (!demo) {
            logger.error("cannot load the demo data: " + demo.error().message);
            return exitFailure;
        }
        logger.info(demo->loaded ? "demo data loaded" : "demo data present");
        for (const auto &user : demo->users) {
            // Fixed, documented demo credentials (resources/demo/catalog.json), not secrets.
            std::string roles;
            for (const auto &role : user.roles) {
                roles += (roles.empty() ? "" : ",") + role;
            }
            logger.info("demo user", {{"user.name", user.login},
                                      {"demo.password", user.password},
                                      {"organization.id", user.organization},
                                      {"user.roles", roles}});
        }
    }

    http::Router router;
    sso::CurlHttpClient ssoHttp;
    sso::SingleSignOn singleSignOn(db, **auth, ssoHttp,
                                   [&access](std::string_view userId, std::string_view source,
                                             const std::vector<RoleGrant> &grants) {
                                       return access.replaceGrants(userId, source, grants);
                                   },
                                   systemClock(), config.oidcProviders,
                                   {.publicUrl = config.publicUrl});
    for (const auto &[id, error] : singleSignOn.warmUp()) {
        logger.warn("OpenID Connect provider not reachable yet",
                    {{"auth.provider", id}, {"error.message", error.message}});
    }
    http::AuthRouteOptions authOptions;
    authOptions.secureCookies = config.cookieSecure;
    http::addSsoSignInOptions(authOptions, singleSignOn);
    http::addAuthRoutes(router, **auth, authOptions, logger);
    http::addSsoRoutes(router, **auth, singleSignOn, authOptions, logger);
    ServiceAccounts services(db, systemClock());
    const http::Guard guard(**auth, access, services);
    const http::CatalogRoutesContext catalogContext{
        .catalog = catalog,
        .downloads = downloads,
        .installations = installations,
        .identity = (*auth)->identity(),
        .signingKey = *signingKey,
        .authorize = [&guard](const http::Request &request,
                              std::string_view permission) -> Result<Principal> {
            auto caller = guard.requireInOwnOrganization(request, permission);
            if (!caller) {
                return fail(std::move(caller).error());
            }
            return std::move(caller)->principal;
        },
        .artifactDir = config.effectiveArtifactDir(),
        .manifestLifetime = config.manifestLifetime,
        .now = unixNow,
    };
    http::addCatalogRoutes(router, catalogContext);
    http::addAccessRoutes(
        router, {.guard = guard, .catalog = catalog, .licensing = licensing, .now = unixNow});
    scim::Directory scimDirectory(db, **auth, access,
                                  {.issuer = config.scimIssuer,
                                   .subject = config.scimSubject == "externalId"
                                                  ? scim::SubjectAttribute::ExternalId
                                                  : scim::SubjectAttribute::UserName,
                                   .organization = config.scimOrganization},
                                  systemClock());
    http::addScimRoutes(router, {.directory = scimDirectory,
                                 .guard = guard,
                                 .logger = logger,
                                 .publicUrl = config.publicUrl,
                                 .maxBodyBytes = config.maxBodyBytes});
    http::addPortalRoutes(router, **auth, guard, catalogContext,
                          {.secureCookies = config.cookieSecure});
    http::Pipeline pipeline;
    pipeline.use(http::requestContext());
    pipeline.use(http::accessLog(logger));
    pipeline.use(http::errorMapping(logger));

    const unsigned threads = config.effectiveThreads();
    http::HttpServer server(
        {
            .address = config.listenAddress,
            .port = config.listenPort,
            .threads = threads,
            .maxHeaderBytes = config.maxHeaderBytes,
            .maxBodyBytes = config.maxBodyBytes,
            .idleTimeout = config.idleTimeout,
            .requestTimeout = config.requestTimeout,
            .shutdownGrace = config.shutdownGrace,
        },
        pipeline, [&router](http::Request &request) { return router.dispatch(request); }, logger);

    const auto scripts = embeddedMigrations();
    http::addHealthRoutes(
        router,
        {
            {"database", [&db] { return db.ping(); }},
            {"migrations",
             [&db, &scripts]() -> Result<void> {
                 auto state = inspectMigrations(db, scripts);
                 if (!state) {
                     return fail(std::move(state).error());
                 }
                 if (state->problem) {
                     return fail(*state->problem);
                 }
                 if (state->pending != 0) {
                     return fail(ErrorCode::Unavailable,
                                 std::to_string(state->pending) + " migration(s) pending");
                 }
                 return {};
             }},
        },
        [&server] { return server.stopping(); }, logger);
    for (const auto &[method, pattern] : router.routes()) {
        logger.debug("route", {{"http.request.method", method}, {"url.path", pattern}});
    }

    const auto port = server.listen();
    if (!port) {
        logger.error(port.error().message);
        return exitFailure;
    }
    logger.info("listening", {{"server.address", config.listenAddress},
                              {"server.port", *port},
                              {"url.full", "http://" +
                                               (config.listenAddress.find(':') != std::string::npos
                                                    ? "[" + config.listenAddress + "]"
                                                    : config.listenAddress) +
                                               ":" + std::to_string(*port) + "/"},
                              {"service.node.name", *instanceId},
                              {"threads", threads}});
    const bool drained = server.run();
    logger.info("stopped", {{"drained", drained}});
    return exitOk;
}

} // namespace

int main(int argc, char **argv)
{
    Arguments arguments;
    if (const auto exit = parseArguments(argc, argv, arguments)) {
        return *exit;
    }
    auto config = loadConfig(arguments.configFile, toolhubEnvironment());
    if (!config) {
        std::cerr << "toolhub-server: " << config.error().message << "\n";
        return exitUsage;
    }
    const Logger logger(std::cout, config->logFormat, config->logLevel);
    if (arguments.command == "keys show") {
        const auto key = SigningKey::loadOrCreate(config->effectiveSigningKeyFile());
        if (!key) {
            std::cerr << "toolhub-server: " << key.error().message << "\n";
            return exitFailure;
        }
        if (key->created()) {
            std::cerr << "toolhub-server: created a new signing key in "
                      << config->effectiveSigningKeyFile().string() << "\n";
        }
        std::cout << "public_key: " << key->publicKeyBase64() << "\nkey_id: " << key->keyId()
                  << "\n";
        return exitOk;
    }
    if (isAdminCommand(arguments.command)) {
        auto database = prepareDatabase(*config, logger);
        if (!database) {
            std::cerr << "toolhub-server: " << database.error().message << "\n";
            return exitFailure;
        }
        auto auth = AuthModule::create(**database, {});
        if (!auth) {
            std::cerr << "toolhub-server: " << auth.error().message << "\n";
            return exitFailure;
        }
        AccessControl access(**database, systemClock());
        ServiceAccounts services(**database, systemClock());
        return runAdminCommand(arguments.command, arguments.commandArgs,
                               {.auth = **auth, .access = access, .services = services}, std::cin,
                               std::cout, std::cerr);
    }
    if (arguments.command == "migrate") {
        auto database = prepareDatabase(*config, logger);
        if (!database) {
            logger.error(database.error().message);
            return exitFailure;
        }
        return exitOk;
    }
    return serve(*config, logger);
}
