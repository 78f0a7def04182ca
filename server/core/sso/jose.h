#pragma once

#include "toolhub/result.h"

#include <nlohmann/json.hpp>
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::sso {

// The JWS algorithms an identity provider may sign with. `none` and the HMAC family are never
// accepted: a public key must not double as a shared secret.
[[nodiscard]] bool isAllowedSigningAlgorithm(std::string_view alg) noexcept;
// "RS256, PS256, ES256, EdDSA", for messages.
[[nodiscard]] std::string_view allowedSigningAlgorithms() noexcept;

// A public key from an identity provider's JWK Set (RFC 7517): RSA (at least 2048 bits), EC
// P-256 or OKP Ed25519, usable for signatures.
class PublicJwk {
public:
    // InvalidArgument for a private key, an unsupported key type or curve, or bad members.
    [[nodiscard]] static Result<PublicJwk> fromJson(const nlohmann::json &jwk);

    [[nodiscard]] const std::string &keyId() const noexcept { return m_keyId; }
    // The JWK's own `alg`, if it names one; a key with an `alg` is used for that one only.
    [[nodiscard]] const std::string &algorithm() const noexcept { return m_algorithm; }
    // Whether this key can check a signature of `alg` (key type, curve and the JWK's `alg`).
    [[nodiscard]] bool suits(std::string_view alg) const noexcept;
    // True only for a valid signature of `alg` over `signingInput` by this key.
    [[nodiscard]] bool verify(std::string_view alg, std::string_view signingInput,
                              std::string_view signature) const;

private:
    enum class Type { Rsa, EcP256, Ed25519 };
    PublicJwk(Type type, std::string keyId, std::string algorithm, std::shared_ptr<EVP_PKEY> key)
        : m_type(type), m_keyId(std::move(keyId)), m_algorithm(std::move(algorithm)),
          m_key(std::move(key))
    {}

    Type m_type;
    std::string m_keyId;
    std::string m_algorithm;
    std::shared_ptr<EVP_PKEY> m_key;
};

// The signing keys of a JWK Set. Keys of other types, for encryption, or malformed are left
// out (a provider may publish keys this server has no use for).
[[nodiscard]] Result<std::vector<PublicJwk>> parseJwkSet(std::string_view json);

// A JWS in compact serialization, split and decoded but not yet verified.
struct CompactJws {
    nlohmann::json header;  // an object
    nlohmann::json payload; // an object
    std::string signingInput;
    std::string signature; // raw bytes
    std::string algorithm; // header "alg"
    std::string keyId;     // header "kid"; may be empty
};
// InvalidArgument for anything but three base64url parts of which the first two are JSON
// objects, an over-long token, or a header with `crit` (no extension is understood here).
[[nodiscard]] Result<CompactJws> parseCompactJws(std::string_view token);

[[nodiscard]] std::string base64UrlEncode(std::string_view bytes);
[[nodiscard]] Result<std::string> base64UrlDecode(std::string_view text);

} // namespace toolhub::server::sso
