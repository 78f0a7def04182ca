#include "toolhub/crypto.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace toolhub {

static_assert(PasswordHashCost::interactive().opsLimit ==
              crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
static_assert(PasswordHashCost::interactive().memLimit ==
              crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
static_assert(PasswordHashCost::moderate().opsLimit == crypto_pwhash_argon2id_OPSLIMIT_MODERATE);
static_assert(PasswordHashCost::moderate().memLimit == crypto_pwhash_argon2id_MEMLIMIT_MODERATE);
static_assert(PasswordHashCost::minimum().opsLimit == crypto_pwhash_argon2id_OPSLIMIT_MIN);
static_assert(PasswordHashCost::minimum().memLimit == crypto_pwhash_argon2id_MEMLIMIT_MIN);
static_assert(kEd25519PublicKeySize == crypto_sign_ed25519_PUBLICKEYBYTES);
static_assert(kEd25519SecretKeySize == crypto_sign_ed25519_SECRETKEYBYTES);
static_assert(kEd25519SeedSize == crypto_sign_ed25519_SEEDBYTES);
static_assert(kEd25519SignatureSize == crypto_sign_ed25519_BYTES);

namespace {

void requireSodium()
{
    if (auto ready = initCrypto(); !ready) {
        std::fprintf(stderr, "toolhub: %s\n", ready.error().message.c_str());
        std::abort();
    }
}

const unsigned char *uc(const std::byte *bytes) noexcept
{
    return reinterpret_cast<const unsigned char *>(bytes);
}

unsigned char *uc(std::byte *bytes) noexcept
{
    return reinterpret_cast<unsigned char *>(bytes);
}

int sodiumVariant(Base64Variant variant) noexcept
{
    return variant == Base64Variant::Standard ? sodium_base64_VARIANT_ORIGINAL
                                              : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

// crypto_pwhash_* read the encoded hash as a C string of less than crypto_pwhash_STRBYTES.
bool plausibleEncodedHash(std::string_view encoded) noexcept
{
    return !encoded.empty() && encoded.size() < crypto_pwhash_STRBYTES &&
           encoded.find('\0') == std::string_view::npos;
}

} // namespace

Result<void> initCrypto()
{
    static const int status = sodium_init(); // 0 first time, 1 if already done, -1 on failure
    if (status < 0) {
        return fail(ErrorCode::Internal, "libsodium could not be initialized (sodium_init failed); "
                                         "no cryptography is available");
    }
    return {};
}

void secureZero(void *data, std::size_t size) noexcept
{
    if (data != nullptr) {
        sodium_memzero(data, size);
    }
}

bool constantTimeEqual(std::span<const std::byte> a, std::span<const std::byte> b) noexcept
{
    if (a.size() != b.size()) {
        return false;
    }
    return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---- Ed25519 ----

Ed25519KeyPair generateEd25519KeyPair()
{
    requireSodium();
    Ed25519KeyPair pair;
    crypto_sign_ed25519_keypair(uc(pair.publicKey.data()), uc(pair.secretKey.data()));
    return pair;
}

Result<Ed25519KeyPair> ed25519KeyPairFromSeed(std::span<const std::byte> seed)
{
    if (auto ready = initCrypto(); !ready) {
        return fail(std::move(ready).error());
    }
    if (seed.size() != kEd25519SeedSize) {
        return fail(ErrorCode::InvalidArgument, "an Ed25519 seed has " +
                                                    std::to_string(kEd25519SeedSize) +
                                                    " bytes, not " + std::to_string(seed.size()));
    }
    Ed25519KeyPair pair;
    crypto_sign_ed25519_seed_keypair(uc(pair.publicKey.data()), uc(pair.secretKey.data()),
                                     uc(seed.data()));
    return pair;
}

Ed25519Signature ed25519Sign(std::span<const std::byte> message, const Ed25519SecretKey &secretKey)
{
    requireSodium();
    Ed25519Signature signature{};
    crypto_sign_ed25519_detached(uc(signature.data()), nullptr, uc(message.data()), message.size(),
                                 uc(secretKey.data()));
    return signature;
}

bool ed25519Verify(std::span<const std::byte> message, std::span<const std::byte> signature,
                   std::span<const std::byte> publicKey)
{
    if (!initCrypto() || signature.size() != kEd25519SignatureSize ||
        publicKey.size() != kEd25519PublicKeySize) {
        return false;
    }
    return crypto_sign_ed25519_verify_detached(uc(signature.data()), uc(message.data()),
                                               message.size(), uc(publicKey.data())) == 0;
}

// ---- Base64 ----

std::string toBase64(std::span<const std::byte> bytes, Base64Variant variant)
{
    const int sodium = sodiumVariant(variant);
    const std::size_t capacity = sodium_base64_encoded_len(bytes.size(), sodium); // with NUL
    std::string text(capacity, '\0');
    sodium_bin2base64(text.data(), capacity, uc(bytes.data()), bytes.size(), sodium);
    text.resize(capacity - 1);
    return text;
}

Result<std::vector<std::byte>> fromBase64(std::string_view text, Base64Variant variant)
{
    std::vector<std::byte> bytes(text.size() / 4 * 3 + 3);
    std::size_t length = 0;
    const int rc = sodium_base642bin(uc(bytes.data()), bytes.size(), text.data(), text.size(),
                                     nullptr, &length, nullptr, sodiumVariant(variant));
    if (rc != 0) {
        return fail(ErrorCode::InvalidArgument,
                    variant == Base64Variant::Standard
                        ? "invalid base64 (expected standard alphabet with padding)"
                        : "invalid base64url (expected URL-safe alphabet without padding)");
    }
    bytes.resize(length);
    return bytes;
}

// ---- Argon2id ----

Result<std::string> hashPassword(std::string_view password, PasswordHashCost cost)
{
    if (auto ready = initCrypto(); !ready) {
        return fail(std::move(ready).error());
    }
    if (cost.opsLimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
        cost.opsLimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
        cost.memLimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
        cost.memLimit > crypto_pwhash_argon2id_memlimit_max()) {
        return fail(ErrorCode::InvalidArgument, "Argon2id cost outside libsodium's limits");
    }
    if (password.size() > crypto_pwhash_argon2id_passwd_max()) {
        return fail(ErrorCode::InvalidArgument, "password too long");
    }
    char encoded[crypto_pwhash_argon2id_STRBYTES] = {};
    if (crypto_pwhash_argon2id_str(encoded, password.data(), password.size(), cost.opsLimit,
                                   cost.memLimit) != 0) {
        return fail(ErrorCode::Unavailable, "not enough memory to hash the password");
    }
    return std::string(encoded);
}

bool verifyPassword(std::string_view encodedHash, std::string_view password)
{
    if (!initCrypto() || !plausibleEncodedHash(encodedHash)) {
        return false;
    }
    const std::string encoded(encodedHash); // NUL-terminated
    return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

bool passwordNeedsRehash(std::string_view encodedHash, PasswordHashCost cost)
{
    if (!initCrypto() || !plausibleEncodedHash(encodedHash)) {
        return true;
    }
    const std::string encoded(encodedHash);
    // 1: other parameters, -1: malformed or not Argon2id; both mean "hash again".
    return crypto_pwhash_argon2id_str_needs_rehash(encoded.c_str(), cost.opsLimit, cost.memLimit) !=
           0;
}

// ---- Randomness ----

void randomBytes(std::span<std::byte> bytes)
{
    requireSodium();
    if (!bytes.empty()) {
        randombytes_buf(bytes.data(), bytes.size());
    }
}

std::string randomToken(std::size_t bytes)
{
    std::vector<std::byte> buffer(bytes);
    randomBytes(buffer);
    std::string token = toBase64(buffer, Base64Variant::UrlSafeNoPadding);
    secureZero(buffer.data(), buffer.size());
    return token;
}

} // namespace toolhub
