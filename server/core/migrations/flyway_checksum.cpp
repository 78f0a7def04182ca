#include "core/migrations/flyway_checksum.h"

#include <array>

namespace toolhub::server {

namespace {

constexpr std::array<std::uint32_t, 256> makeCrcTable()
{
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1U) : c >> 1U;
        }
        table[n] = c;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> kCrcTable = makeCrcTable();

} // namespace

std::uint32_t crc32Update(std::uint32_t crc, std::string_view bytes) noexcept
{
    crc = ~crc;
    for (const char ch : bytes) {
        const auto byte = static_cast<std::uint8_t>(ch);
        crc = kCrcTable[(crc ^ byte) & 0xFFU] ^ (crc >> 8U);
    }
    return ~crc;
}

std::int32_t flywayChecksum(std::string_view script) noexcept
{
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (script.substr(0, bom.size()) == bom) {
        script.remove_prefix(bom.size());
    }
    // Flyway feeds CRC-32 one line at a time without the terminator; CRC-32 over consecutive
    // chunks equals CRC-32 over their concatenation, so hashing every run of bytes between line
    // terminators in order gives the same value.
    std::uint32_t crc = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < script.size(); ++i) {
        if (script[i] == '\n' || script[i] == '\r') {
            crc = crc32Update(crc, script.substr(start, i - start));
            start = i + 1;
        }
    }
    crc = crc32Update(crc, script.substr(start));
    return static_cast<std::int32_t>(crc);
}

} // namespace toolhub::server
