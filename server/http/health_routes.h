#pragma once

#include "core/logging/logger.h"
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
// shutting down; otherwise 503 naming only the failing check (its details, which may name
// hosts or schema state, go to the log).
void addHealthRoutes(Router &router, std::vector<ReadinessCheck> checks,
                     std::function<bool()> stopping, const Logger &logger);

} // namespace toolhub::server::http
