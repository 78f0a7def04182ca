#include "core/auth/keys.h"

#include <sodium.h>

#include <chrono>

namespace toolhub::server {

static_assert(crypto_auth_hmacsha512256_KEYBYTES == MacKey::size());
static_assert(crypto_auth_hmacsha512256_BYTES == std::tuple_size_v<MacTag>);

namespace {

constexpr std::string_view masterSecretName = "auth-master-v1";

const unsigned char *bytes(std::string_view text)
{
    return reinterpret_cast<const unsigned char *>(text.data());
}

const unsigned char *bytes(const MacKey &key)
{
    return reinterpret_cast<const unsigned char *>(key.data());
}

MacKey deriveKey(const MacKey &master, std::string_view purpose)
{
    const MacTag tag = hmac(master, purpose);
    return MacKey{std::span<const std::byte, 32>{tag}};
}

} // namespace

MacTag hmac(const MacKey &key, std::string_view message)
{
    MacTag tag{};
    crypto_auth_hmacsha512256(reinterpret_cast<unsigned char *>(tag.data()), bytes(message),
                              message.size(), bytes(key));
    return tag;
}

bool hmacVerify(const MacKey &key, std::string_view message, std::span<const std::byte> tag)
{
    if (tag.size() != crypto_auth_hmacsha512256_BYTES) {
        return false;
    }
    return crypto_auth_hmacsha512256_verify(reinterpret_cast<const unsigned char *>(tag.data()),
                                            bytes(message), message.size(), bytes(key)) == 0;
}

AuthKeys AuthKeys::derive(const MacKey &master)
{
    return {deriveKey(master, "toolhub access token key v1"),
            deriveKey(master, "toolhub csrf key v1")};
}

Result<AuthKeys> AuthKeys::loadOrCreate(Database &db)
{
    if (auto ready = initCrypto(); !ready) {
        return fail(std::move(ready).error());
    }
    return db.withSession([](soci::session &session) -> Result<AuthKeys> {
        MacKey candidate;
        randomBytes({candidate.data(), candidate.size()});
        const std::string encoded = toBase64(candidate.bytes());
        const std::string name{masterSecretName};
        const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        session << "INSERT INTO auth_secrets (name, secret, created_at) "
                   "VALUES (:name, :secret, :created_at) ON CONFLICT (name) DO NOTHING",
            soci::use(name), soci::use(encoded), soci::use(now);
        std::string stored;
        session << "SELECT secret FROM auth_secrets WHERE name = :name", soci::into(stored),
            soci::use(name);
        auto decoded = fromBase64(stored);
        if (!session.got_data() || !decoded || decoded->size() != MacKey::size()) {
            return fail(ErrorCode::Internal, "auth_secrets holds no valid master secret");
        }
        const MacKey master{std::span<const std::byte, 32>{decoded->data(), 32}};
        secureZero(decoded->data(), decoded->size());
        return derive(master);
    });
}

} // namespace toolhub::server
