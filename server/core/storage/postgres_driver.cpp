#include "core/storage/postgres_driver.h"

#include <dlfcn.h>

#include <system_error>
#include <utility>

// Set by server/core/storage/postgresql/CMakeLists.txt for this file only.
#ifndef TOOLHUB_POSTGRES_MODULE_RELDIR
#error "TOOLHUB_POSTGRES_MODULE_RELDIR (module folder relative to the bin folder) is not set"
#endif
#ifndef TOOLHUB_POSTGRES_MODULE_BUILD_DIR
#error "TOOLHUB_POSTGRES_MODULE_BUILD_DIR (the build tree's module folder) is not set"
#endif
#ifndef TOOLHUB_BUILD_DIR
#error "TOOLHUB_BUILD_DIR (the build tree) is not set"
#endif

namespace toolhub::server {

namespace {

namespace fs = std::filesystem;

// `path` is `folder` or lies below it; both are absolute and free of symbolic links.
bool isWithin(const fs::path &path, const fs::path &folder)
{
    const fs::path relative = path.lexically_relative(folder);
    return !relative.empty() && *relative.begin() != "..";
}

std::string lastDlError()
{
    const char *text = dlerror();
    return text != nullptr ? text : "unknown error";
}

// The driver in the module at `file`, or why there is none.
Result<const PostgresDriver *> loadFrom(const fs::path &file)
{
    void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        return fail(ErrorCode::Unavailable, lastDlError());
    }
    void *symbol = dlsym(handle, kPostgresDriverEntry);
    if (symbol == nullptr) {
        std::string why = lastDlError();
        dlclose(handle);
        return fail(ErrorCode::Unavailable, std::move(why));
    }
    // POSIX guarantees that a function's address from dlsym() converts back to its type.
    const auto entry = reinterpret_cast<PostgresDriverEntry>(symbol);
    const PostgresDriver *driver = entry(PostgresDriver::kInterfaceVersion);
    if (driver == nullptr) {
        dlclose(handle);
        return fail(ErrorCode::Unavailable,
                    file.string() + ": built for another interface version than this server's (" +
                        std::to_string(PostgresDriver::kInterfaceVersion) +
                        "); install the module built with this server");
    }
    // Never dlclose()d: sessions hold the backend's objects until the process ends.
    return driver;
}

} // namespace

std::vector<fs::path> postgresModuleCandidates()
{
    std::vector<fs::path> out;
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (error || !exe.is_absolute()) {
        return out;
    }
    out.push_back((exe.parent_path() / TOOLHUB_POSTGRES_MODULE_RELDIR / kPostgresModuleFile)
                      .lexically_normal());
    const fs::path buildTree = fs::weakly_canonical(TOOLHUB_BUILD_DIR, error);
    if (!error && isWithin(exe, buildTree)) {
        fs::path inBuild = fs::path(TOOLHUB_POSTGRES_MODULE_BUILD_DIR) / kPostgresModuleFile;
        if (inBuild != out.front()) {
            out.push_back(std::move(inBuild));
        }
    }
    return out;
}

Result<const PostgresDriver *> loadPostgresDriver(const std::vector<fs::path> &candidates)
{
    std::string reasons;
    for (const fs::path &file : candidates) {
        auto driver = loadFrom(file);
        if (driver) {
            return driver;
        }
        reasons += (reasons.empty() ? "" : "; ") + driver.error().message;
    }
    if (candidates.empty()) {
        reasons = "cannot locate this executable through /proc/self/exe to find " +
                  std::string(kPostgresModuleFile);
    }
    return fail(ErrorCode::Unavailable, "PostgreSQL support is not installed: " + reasons);
}

const Result<const PostgresDriver *> &postgresDriver()
{
    static const Result<const PostgresDriver *> driver =
        loadPostgresDriver(postgresModuleCandidates());
    return driver;
}

} // namespace toolhub::server
