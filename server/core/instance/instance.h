#pragma once

#include "core/storage/database.h"
#include "toolhub/result.h"

#include <string>

namespace toolhub::server {

// The installation's identity: a random id created on the first start and kept in the
// server_instance table (migration V1), the same for every replica on one database.
// Race-safe: concurrent first starts insert-if-absent, then all read the one stored row.
[[nodiscard]] Result<std::string> ensureInstanceId(Database &db);

} // namespace toolhub::server
