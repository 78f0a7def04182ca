#pragma once

#include "toolhub/crypto.h"
#include "toolhub/sha256.h"

#include <array>
#include <cstddef>
#include <string>

namespace toolhub::server {

// A new object id: 128 random bits as 32 lower-case hex characters. Made by the server, so the
// same schema works on SQLite and PostgreSQL without sequences, and ids reveal no counts.
[[nodiscard]] inline std::string newId()
{
    std::array<std::byte, 16> bytes{};
    randomBytes(bytes);
    return toHex(bytes);
}

} // namespace toolhub::server
