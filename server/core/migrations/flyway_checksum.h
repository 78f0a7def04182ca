#pragma once

#include <cstdint>
#include <string_view>

namespace toolhub::server {

// Flyway's checksum of a SQL migration script, as stored in flyway_schema_history.checksum:
// CRC-32 (the zlib polynomial) over the script's lines without their terminators (\n, \r\n or
// \r), with a leading UTF-8 byte order mark removed, read as a signed 32-bit integer. Scripts
// are expected to be valid UTF-8 (Flyway would replace invalid bytes before hashing).
[[nodiscard]] std::int32_t flywayChecksum(std::string_view script) noexcept;

// Plain CRC-32 (zlib's crc32) of `bytes`, continuing from `crc` (0 to start).
[[nodiscard]] std::uint32_t crc32Update(std::uint32_t crc, std::string_view bytes) noexcept;

} // namespace toolhub::server
