#include "toolhub/sha256.h"
#include "toolhub/ascii.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace toolhub {

namespace {

using namespace toolhub::ascii;

} // namespace

// OpenSSL's SHA-256 uses the CPU's SHA extensions where there are any (several times
// libsodium's portable code): it hashes every downloaded and unpacked byte.
struct Sha256::State {
    struct Free {
        void operator()(EVP_MD_CTX *digest) const noexcept { EVP_MD_CTX_free(digest); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> context{EVP_MD_CTX_new()};

    void start()
    {
        if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
            std::fprintf(stderr, "toolhub: OpenSSL cannot provide SHA-256\n");
            std::abort();
        }
    }
};

Sha256::Sha256() : m_state(std::make_unique<State>())
{
    m_state->start();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256 &Sha256::operator=(Sha256 &&) noexcept = default;

void Sha256::update(std::span<const std::byte> data)
{
    EVP_DigestUpdate(m_state->context.get(), data.data(), data.size());
}

Sha256::Digest Sha256::finish()
{
    Digest digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_state->context.get(), reinterpret_cast<unsigned char *>(digest.data()),
                       &length);
    m_state->start();
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
