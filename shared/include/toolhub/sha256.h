#pragma once

#include "toolhub/result.h"

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub {

// The bytes of a string, for the byte-oriented APIs.
[[nodiscard]] inline std::span<const std::byte> asBytes(std::string_view text) noexcept
{
    return {reinterpret_cast<const std::byte *>(text.data()), text.size()};
}

// Streaming SHA-256 (libsodium's crypto_hash_sha256), e.g. over a download while it arrives:
//
//   Sha256 hash;
//   hash.update(chunk1);
//   hash.update(chunk2);
//   const auto digest = hash.finish(); // the hasher starts over afterwards
//
// Move-only; a moved-from hasher must not be used.
class Sha256 {
public:
    static constexpr std::size_t kDigestSize = 32;
    using Digest = std::array<std::byte, kDigestSize>;

    Sha256();
    ~Sha256();
    Sha256(Sha256 &&) noexcept;
    Sha256 &operator=(Sha256 &&) noexcept;
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void update(std::span<const std::byte> data);
    void update(std::string_view data) { update(asBytes(data)); }

    // The digest of everything fed since construction or the last finish(); resets the hasher.
    [[nodiscard]] Digest finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// Lowercase hexadecimal.
[[nodiscard]] std::string toHex(std::span<const std::byte> bytes);
// Upper- or lowercase hexadecimal of even length; anything else is InvalidArgument.
[[nodiscard]] Result<std::vector<std::byte>> fromHex(std::string_view hex);

// Lowercase hex SHA-256 of data, as in Artifact::sha256.
[[nodiscard]] std::string sha256Hex(std::string_view data);

} // namespace toolhub
