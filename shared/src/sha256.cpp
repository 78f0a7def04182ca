#include "toolhub/sha256.h"
#include "toolhub/ascii.h"

#include "toolhub/crypto.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace toolhub {

namespace {

using namespace toolhub::ascii;

void requireSodium()
{
    if (auto ready = initCrypto(); !ready) {
        std::fprintf(stderr, "toolhub: %s\n", ready.error().message.c_str());
        std::abort();
    }
}

const unsigned char *asUchar(std::span<const std::byte> bytes) noexcept
{
    return reinterpret_cast<const unsigned char *>(bytes.data());
}

} // namespace

struct Sha256::State {
    crypto_hash_sha256_state sodium;
};

Sha256::Sha256() : m_state(std::make_unique<State>())
{
    requireSodium();
    crypto_hash_sha256_init(&m_state->sodium);
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256 &Sha256::operator=(Sha256 &&) noexcept = default;

void Sha256::update(std::span<const std::byte> data)
{
    crypto_hash_sha256_update(&m_state->sodium, asUchar(data), data.size());
}

Sha256::Digest Sha256::finish()
{
    Digest digest{};
    crypto_hash_sha256_final(&m_state->sodium, reinterpret_cast<unsigned char *>(digest.data()));
    crypto_hash_sha256_init(&m_state->sodium);
    return digest;
}

std::string toHex(std::span<const std::byte> bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (const std::byte b : bytes) {
        const auto value = std::to_integer<unsigned>(b);
        hex += kDigits[value >> 4U];
        hex += kDigits[value & 0x0FU];
    }
    return hex;
}

Result<std::vector<std::byte>> fromHex(std::string_view hex)
{
    if (hex.size() % 2 != 0) {
        return fail(ErrorCode::InvalidArgument, "hex string has an odd number of digits");
    }
    std::vector<std::byte> bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int high = hexValue(hex[i]);
        const int low = hexValue(hex[i + 1]);
        if (high < 0 || low < 0) {
            return fail(ErrorCode::InvalidArgument,
                        "hex string has a non-hex character at offset " +
                            std::to_string(high < 0 ? i : i + 1));
        }
        bytes.push_back(static_cast<std::byte>(high * 16 + low));
    }
    return bytes;
}

std::string sha256Hex(std::string_view data)
{
    Sha256 hash;
    hash.update(data);
    return toHex(hash.finish());
}

} // namespace toolhub
