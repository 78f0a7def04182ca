#pragma once

#include "core/storage/database.h"
#include "toolhub/crypto.h"
#include "toolhub/result.h"

#include <string>
#include <string_view>

namespace toolhub::server {

// A 256-bit HMAC key (HMAC-SHA-512/256, libsodium crypto_auth).
using MacKey = SecretBytes<32>;
using MacTag = std::array<std::byte, 32>;

[[nodiscard]] MacTag hmac(const MacKey &key, std::string_view message);
// Constant-time check of `tag` against the HMAC of `message`; false for a tag of another size.
[[nodiscard]] bool hmacVerify(const MacKey &key, std::string_view message,
                              std::span<const std::byte> tag);

// The sign-in secrets every replica shares: one random master secret kept in the database
// (auth_secrets), created on the first start by whichever replica gets there first, and the
// keys derived from it for each purpose, so a key never serves two.
struct AuthKeys {
    MacKey accessToken; // signs access tokens
    MacKey csrf;        // binds CSRF tokens to a session or pre-session

    [[nodiscard]] static AuthKeys derive(const MacKey &master);
    // Reads the master secret, creating it race-safely (INSERT .. ON CONFLICT DO NOTHING, then
    // SELECT) when absent.
    [[nodiscard]] static Result<AuthKeys> loadOrCreate(Database &db);
};

} // namespace toolhub::server
