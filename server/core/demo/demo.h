#pragma once

#include "core/access/access.h"
#include "core/catalog/catalog.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "toolhub/result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

// The demo data `make run` shows: customer organizations with users, products with tools,
// releases, real tool archives, documents, tutorials and licenses. Defined once in
// resources/demo/catalog.json; the build turns it into a folder (defaultDemoDir()) holding a copy
// of the catalog plus one archive per artifact and one file per stored document, each at the
// relative path that becomes its storage key.
namespace toolhub::server {

// A demo account: documented demo credentials, printed at start-up.
struct DemoUser {
    std::string login; // the e-mail address
    std::string password;
    std::string displayName;
    std::string organization;       // slug; empty for the vendor's staff
    std::vector<std::string> roles; // built-in roles held in the organization (staff: globally)
};

struct DemoReport {
    bool loaded = false;         // true when this call created the demo data
    std::vector<DemoUser> users; // in catalog order, whether loaded now or before
};

// The folder the build generated (TOOLHUB_DEMO_DIR at compile time): <build>/resources/demo.
[[nodiscard]] std::filesystem::path defaultDemoDir();

// Loads the demo described by demoDir/catalog.json unless it is there already (its first
// organization exists): then `loaded` is false and nothing is written, but the users come back
// all the same so their credentials can be printed on every start.
//
// Loading first checks every source file, then copies each archive and document from demoDir to
// artifactDir under its storage key (folders created, written to a temporary file and renamed
// into place), taking size and SHA-256 from the copied bytes, and finally creates organizations,
// users and their roles, products, tools, releases, artifacts, resources and licenses through the
// modules' public APIs, licenses last. `nowUnix` stamps created_at and is when yanked releases are
// yanked.
//
// Errors: NotFound when the catalog or an archive is missing (the build makes them: "build the
// project first"); InvalidArgument for a malformed catalog; Conflict when the first organization
// exists but the last license does not (an interrupted earlier load: start from an empty
// database); the modules' errors otherwise.
[[nodiscard]] Result<DemoReport> ensureDemoData(IdentityStore &identity, AccessControl &access,
                                                Catalog &catalog, Licensing &licensing,
                                                const std::filesystem::path &demoDir,
                                                const std::filesystem::path &artifactDir,
                                                std::int64_t nowUnix);

} // namespace toolhub::server
