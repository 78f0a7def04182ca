#pragma once

#include "toolhub/result.h"

#include <soci/soci.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace toolhub::server {

// What Database needs from PostgreSQL beyond SOCI's common API. The one implementation lives in
// the loadable module toolhub-postgresql.so (storage/postgresql/), the only code that links
// libpq and SOCI's postgresql backend; the server loads it the first time it opens a
// postgresql:// URL, so a server on SQLite never maps libpq and its dependencies.
// Both sides are built by the same compiler from this header; the entry point checks
// kInterfaceVersion so that a module from another build is refused instead of misused.
class PostgresDriver {
public:
    // Raise on every change to this class.
    static constexpr int kInterfaceVersion = 1;

    virtual ~PostgresDriver() = default;

    // SOCI's postgresql backend, to open sessions with.
    [[nodiscard]] virtual const soci::backend_factory &backend() const = 0;

    // Stops libpq from printing server NOTICEs ("relation ... already exists, skipping") to
    // stderr on this session's connection.
    virtual void silenceNotices(soci::session &session) const = 0;

    // The session has no connection, or libpq reports it is not usable any more.
    [[nodiscard]] virtual bool connectionBroken(soci::session &session) const = 0;

    // The SQLSTATE of `e` if SOCI's postgresql backend threw it; nullopt for any other error.
    [[nodiscard]] virtual std::optional<std::string> sqlstate(const soci::soci_error &e) const = 0;

    // Runs `sql` as it is with PQexec (no placeholder rewriting). Errors: Unavailable when the
    // connection is no longer usable afterwards, Internal otherwise; the message is libpq's,
    // neither trimmed nor scrubbed of secrets (Database does both).
    [[nodiscard]] virtual Result<void> executeVerbatim(soci::session &session,
                                                       const std::string &sql) const = 0;
};

// The module's file name, and its entry point: a function
//   extern "C" const PostgresDriver *toolhub_postgres_driver(int interfaceVersion)
// that returns the module's driver (alive until the process ends), or nullptr when
// `interfaceVersion` is not the kInterfaceVersion the module was built with.
inline constexpr const char *kPostgresModuleFile = "toolhub-postgresql.so";
inline constexpr const char *kPostgresDriverEntry = "toolhub_postgres_driver";
using PostgresDriverEntry = const PostgresDriver *(*)(int interfaceVersion);

// Where the server looks for the module, in this order:
//  1. <folder of /proc/self/exe>/<bin-to-module path>/toolhub-postgresql.so: the installed
//     layout (<prefix>/bin/toolhub-server loads <prefix>/lib/toolhub/toolhub-postgresql.so,
//     with the real bin and lib folders from GNUInstallDirs), wherever the prefix was moved to.
//     The build tree mirrors it, so build/<dir>/server/toolhub-server finds its module here.
//  2. The build tree's module folder, compiled in, but only for an executable inside that build
//     tree (the test executables): an installed server never loads from a build folder.
// No environment variable takes part.
[[nodiscard]] std::vector<std::filesystem::path> postgresModuleCandidates();

// Loads the module from the first of `candidates` (full file names) that loads with
// RTLD_NOW | RTLD_LOCAL, has the entry point and accepts kInterfaceVersion. The module stays
// loaded for the life of the process. Unavailable, naming every file tried and why it failed
// (dlerror()), when none does.
[[nodiscard]] Result<const PostgresDriver *>
loadPostgresDriver(const std::vector<std::filesystem::path> &candidates);

// The process's driver: loaded from postgresModuleCandidates() on the first call, the same
// answer (success or failure) on every later one. Thread-safe.
[[nodiscard]] const Result<const PostgresDriver *> &postgresDriver();

} // namespace toolhub::server
