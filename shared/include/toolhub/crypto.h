#pragma once

#include "toolhub/result.h"
#include "toolhub/sha256.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Signatures, password hashes, encodings and randomness over libsodium. No home-made crypto.
namespace toolhub {

// Initializes libsodium once (thread-safe; later calls return the first outcome). Every function
// here calls it itself; call it at start-up to fail early with a clear message. The functions
// that cannot return an error (signing, key generation, randomness) print the reason and abort
// if libsodium cannot be initialized: there is no safe way to go on without a random source.
[[nodiscard]] Result<void> initCrypto();

// Overwrites memory in a way the compiler cannot optimize away (sodium_memzero).
void secureZero(void *data, std::size_t size) noexcept;
// Compares in time independent of the contents (sodium_memcmp); false if the sizes differ.
[[nodiscard]] bool constantTimeEqual(std::span<const std::byte> a,
                                     std::span<const std::byte> b) noexcept;

// N secret bytes that are wiped when they go away. Compared in constant time.
template <std::size_t N>
class SecretBytes {
public:
    SecretBytes() noexcept { m_bytes.fill(std::byte{0}); }
    explicit SecretBytes(std::span<const std::byte, N> bytes) noexcept
    {
        std::copy(bytes.begin(), bytes.end(), m_bytes.begin());
    }
    SecretBytes(const SecretBytes &) = default;
    SecretBytes &operator=(const SecretBytes &) = default;
    ~SecretBytes() { secureZero(m_bytes.data(), m_bytes.size()); }

    [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }
    [[nodiscard]] std::byte *data() noexcept { return m_bytes.data(); }
    [[nodiscard]] const std::byte *data() const noexcept { return m_bytes.data(); }
    [[nodiscard]] std::span<const std::byte, N> bytes() const noexcept { return m_bytes; }

    friend bool operator==(const SecretBytes &a, const SecretBytes &b) noexcept
    {
        return constantTimeEqual(a.m_bytes, b.m_bytes);
    }

private:
    std::array<std::byte, N> m_bytes;
};

// ---- Ed25519 (release manifest signatures) ----

inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SecretKeySize = 64; // seed followed by the public key
inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

using Ed25519PublicKey = std::array<std::byte, kEd25519PublicKeySize>;
using Ed25519SecretKey = SecretBytes<kEd25519SecretKeySize>;
using Ed25519Signature = std::array<std::byte, kEd25519SignatureSize>;

struct Ed25519KeyPair {
    Ed25519PublicKey publicKey{};
    Ed25519SecretKey secretKey;

    friend bool operator==(const Ed25519KeyPair &, const Ed25519KeyPair &) = default;
};

// A fresh random key pair.
[[nodiscard]] Ed25519KeyPair generateEd25519KeyPair();
// The key pair of a 32-byte seed (RFC 8032's "private key"); InvalidArgument for other sizes.
[[nodiscard]] Result<Ed25519KeyPair> ed25519KeyPairFromSeed(std::span<const std::byte> seed);

// Detached signature of message.
[[nodiscard]] Ed25519Signature ed25519Sign(std::span<const std::byte> message,
                                           const Ed25519SecretKey &secretKey);
// True only for a valid signature of exactly this message by this key; false for wrong sizes.
[[nodiscard]] bool ed25519Verify(std::span<const std::byte> message,
                                 std::span<const std::byte> signature,
                                 std::span<const std::byte> publicKey);

// ---- Base64 ----

enum class Base64Variant {
    Standard,         // RFC 4648 §4, "+/" with "=" padding
    UrlSafeNoPadding, // RFC 4648 §5, "-_" without padding (tokens, JWT parts)
};

[[nodiscard]] std::string toBase64(std::span<const std::byte> bytes,
                                   Base64Variant variant = Base64Variant::Standard);
// Strict: characters of the other variant, missing or extra padding, whitespace and non-zero
// trailing bits are refused with InvalidArgument.
[[nodiscard]] Result<std::vector<std::byte>>
fromBase64(std::string_view text, Base64Variant variant = Base64Variant::Standard);

// ---- Argon2id password hashes ----

// Argon2id work factors. The default is libsodium's INTERACTIVE level (2 passes, 64 MiB): above
// OWASP's minimum for Argon2id (19 MiB, 2 passes), and a fraction of a second and 64 MiB per
// sign-in, so a server can take bursts of sign-ins; moderate() (3 passes, 256 MiB) where
// sign-ins are rare. Stored hashes carry their cost, so a change applies on each user's next
// sign-in via passwordNeedsRehash().
struct PasswordHashCost {
    unsigned long long opsLimit = 2;     // crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
    std::size_t memLimit = 64ULL << 20U; // crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE (bytes)

    [[nodiscard]] static constexpr PasswordHashCost interactive() noexcept { return {}; }
    // crypto_pwhash_argon2id_*_MODERATE: 3 passes, 256 MiB.
    [[nodiscard]] static constexpr PasswordHashCost moderate() noexcept
    {
        return {3, 256ULL << 20U};
    }
    // libsodium's lower limits (1 pass, 8 KiB): for tests only.
    [[nodiscard]] static constexpr PasswordHashCost minimum() noexcept { return {1, 8192}; }

    friend bool operator==(const PasswordHashCost &, const PasswordHashCost &) = default;
};

// The PHC string "$argon2id$v=19$m=...,t=...,p=1$salt$hash" with a random salt.
// InvalidArgument for a cost outside libsodium's limits, Unavailable if memory runs out.
[[nodiscard]] Result<std::string> hashPassword(std::string_view password,
                                               PasswordHashCost cost = {});
// True only if encodedHash is a valid Argon2 (id or i) string for this password.
[[nodiscard]] bool verifyPassword(std::string_view encodedHash, std::string_view password);
// True if encodedHash is not Argon2id at exactly this cost (including when it is malformed):
// after a successful verifyPassword, hash the password again and store the new string.
[[nodiscard]] bool passwordNeedsRehash(std::string_view encodedHash, PasswordHashCost cost = {});

// ---- Randomness ----

// Fills bytes from the operating system's CSPRNG (randombytes_buf).
void randomBytes(std::span<std::byte> bytes);
// `bytes` random bytes as URL-safe base64 without padding (e.g. 32 -> 43 characters).
[[nodiscard]] std::string randomToken(std::size_t bytes = 32);

} // namespace toolhub
