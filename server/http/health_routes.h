#pragma once

#include "http/router.h"

#include <functional>
#include <string>
#include <vector>

namespace toolhub::server::http {

// One condition /readyz checks, e.g. "database" or "migrations".
struct ReadinessCheck {
    std::string name;
    std::function<Result<void>()> check;
};

// GET /livez: the process answers. GET /readyz: every check passes and the server is not
// shutting down; otherwise 503 with the failing check named.
void addHealthRoutes(Router &router, std::vector<ReadinessCheck> checks,
                     std::function<bool()> stopping);

} // namespace toolhub::server::http
