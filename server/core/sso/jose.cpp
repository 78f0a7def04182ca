#include "core/sso/jose.h"

#include "toolhub/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <array>

namespace toolhub::server::sso {

namespace {

constexpr std::size_t maxTokenSize = 64 * 1024;
constexpr int minimumRsaBits = 2048;

template <class T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using BigNum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

std::shared_ptr<EVP_PKEY> adopt(EVP_PKEY *key)
{
    return {key, [](EVP_PKEY *k) { EVP_PKEY_free(k); }};
}

Result<std::string> member(const nlohmann::json &jwk, const char *name)
{
    const auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string() || it->get_ref<const std::string &>().empty()) {
        return fail(ErrorCode::InvalidArgument,
                    std::string{"the JWK has no \""} + name + "\" member");
    }
    return base64UrlDecode(it->get<std::string>());
}

// Builds a public EVP_PKEY of `type` ("RSA", "EC", "ED25519") from OSSL_PARAMs.
Result<std::shared_ptr<EVP_PKEY>> fromData(const char *type, OSSL_PARAM *params)
{
    PkeyCtx ctx{EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr)};
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0 || key == nullptr) {
        return fail(ErrorCode::InvalidArgument,
                    std::string{"the JWK is not a valid "} + type + " public key");
    }
    return adopt(key);
}

Result<std::shared_ptr<EVP_PKEY>> rsaKey(const nlohmann::json &jwk)
{
    auto n = member(jwk, "n");
    auto e = member(jwk, "e");
    if (!n || !e) {
        return fail(ErrorCode::InvalidArgument, "an RSA JWK needs \"n\" and \"e\"");
    }
    BigNum modulus{BN_bin2bn(reinterpret_cast<const unsigned char *>(n->data()),
                             static_cast<int>(n->size()), nullptr)};
    BigNum exponent{BN_bin2bn(reinterpret_cast<const unsigned char *>(e->data()),
                              static_cast<int>(e->size()), nullptr)};
    if (!modulus || !exponent || BN_num_bits(modulus.get()) < minimumRsaBits) {
        return fail(ErrorCode::InvalidArgument, "RSA keys must have at least 2048 bits");
    }
    ParamBld builder{OSSL_PARAM_BLD_new()};
    if (!builder ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
        return fail(ErrorCode::Internal, "cannot build RSA key parameters");
    }
    Params params{OSSL_PARAM_BLD_to_param(builder.get())};
    if (!params) {
        return fail(ErrorCode::Internal, "cannot build RSA key parameters");
    }
    return fromData("RSA", params.get());
}

Result<std::shared_ptr<EVP_PKEY>> ecP256Key(const nlohmann::json &jwk)
{
    auto x = member(jwk, "x");
    auto y = member(jwk, "y");
    if (!x || !y || x->size() != 32 || y->size() != 32) {
        return fail(ErrorCode::InvalidArgument, "a P-256 JWK needs 32-byte \"x\" and \"y\"");
    }
    std::string point = "\x04" + *x + *y; // SEC 1 uncompressed point
    std::string group = "prime256v1";
    const std::array params{
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    return fromData("EC", const_cast<OSSL_PARAM *>(params.data()));
}

Result<std::shared_ptr<EVP_PKEY>> ed25519Key(const nlohmann::json &jwk)
{
    auto x = member(jwk, "x");
    if (!x || x->size() != 32) {
        return fail(ErrorCode::InvalidArgument, "an Ed25519 JWK needs a 32-byte \"x\"");
    }
    const std::array params{
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, x->data(), x->size()),
        OSSL_PARAM_construct_end()};
    return fromData("ED25519", const_cast<OSSL_PARAM *>(params.data()));
}

bool digestVerify(EVP_PKEY *key, const EVP_MD *digest, bool pss, std::string_view input,
                  std::string_view signature)
{
    MdCtx ctx{EVP_MD_CTX_new()};
    EVP_PKEY_CTX *pctx = nullptr;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest, nullptr, key) != 1) {
        return false;
    }
    if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)) {
        return false;
    }
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char *>(input.data()),
                            input.size()) == 1;
}

// JWS ES256 signatures are R || S (32 bytes each); OpenSSL checks DER.
std::optional<std::string> ecdsaDer(std::string_view raw)
{
    if (raw.size() != 64) {
        return std::nullopt;
    }
    const auto *bytes = reinterpret_cast<const unsigned char *>(raw.data());
    EcdsaSig sig{ECDSA_SIG_new()};
    BIGNUM *r = BN_bin2bn(bytes, 32, nullptr);
    BIGNUM *s = BN_bin2bn(bytes + 32, 32, nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    unsigned char *der = nullptr;
    const int size = i2d_ECDSA_SIG(sig.get(), &der);
    if (size <= 0) {
        return std::nullopt;
    }
    std::string out(reinterpret_cast<const char *>(der), static_cast<std::size_t>(size));
    OPENSSL_free(der);
    return out;
}

Result<nlohmann::json> jsonObject(std::string_view part, const char *what)
{
    auto decoded = base64UrlDecode(part);
    if (!decoded) {
        return fail(ErrorCode::InvalidArgument,
                    std::string{"the token's "} + what + " is not base64url");
    }
    auto json = nlohmann::json::parse(*decoded, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    std::string{"the token's "} + what + " is not a JSON object");
    }
    return json;
}

} // namespace

bool isAllowedSigningAlgorithm(std::string_view alg) noexcept
{
    return alg == "RS256" || alg == "PS256" || alg == "ES256" || alg == "EdDSA";
}

std::string_view allowedSigningAlgorithms() noexcept
{
    return "RS256, PS256, ES256, EdDSA";
}

Result<PublicJwk> PublicJwk::fromJson(const nlohmann::json &jwk)
{
    if (!jwk.is_object()) {
        return fail(ErrorCode::InvalidArgument, "a JWK must be a JSON object");
    }
    const auto text = [&](const char *name) {
        const auto it = jwk.find(name);
        return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string{};
    };
    if (jwk.contains("d") || jwk.contains("k")) {
        return fail(ErrorCode::InvalidArgument, "the JWK holds private or symmetric key material");
    }
    if (const auto use = text("use"); !use.empty() && use != "sig") {
        return fail(ErrorCode::InvalidArgument, "the JWK is not for signatures");
    }
    const std::string kty = text("kty");
    const std::string crv = text("crv");
    Result<std::shared_ptr<EVP_PKEY>> key = fail(ErrorCode::InvalidArgument, "");
    Type type = Type::Rsa;
    if (kty == "RSA") {
        key = rsaKey(jwk);
    } else if (kty == "EC" && crv == "P-256") {
        type = Type::EcP256;
        key = ecP256Key(jwk);
    } else if (kty == "OKP" && crv == "Ed25519") {
        type = Type::Ed25519;
        key = ed25519Key(jwk);
    } else {
        return fail(ErrorCode::InvalidArgument,
                    "unsupported JWK type \"" + kty + "\"" +
                        (crv.empty() ? std::string{} : " with curve \"" + crv + "\""));
    }
    if (!key) {
        return fail(std::move(key).error());
    }
    return PublicJwk(type, text("kid"), text("alg"), std::move(key).value());
}

bool PublicJwk::suits(std::string_view alg) const noexcept
{
    if (!isAllowedSigningAlgorithm(alg) || (!m_algorithm.empty() && m_algorithm != alg)) {
        return false;
    }
    switch (m_type) {
    case Type::Rsa:
        return alg == "RS256" || alg == "PS256";
    case Type::EcP256:
        return alg == "ES256";
    case Type::Ed25519:
        return alg == "EdDSA";
    }
    return false;
}

bool PublicJwk::verify(std::string_view alg, std::string_view signingInput,
                       std::string_view signature) const
{
    if (!suits(alg)) {
        return false;
    }
    if (alg == "RS256" || alg == "PS256") {
        return digestVerify(m_key.get(), EVP_sha256(), alg == "PS256", signingInput, signature);
    }
    if (alg == "ES256") {
        const auto der = ecdsaDer(signature);
        return der && digestVerify(m_key.get(), EVP_sha256(), false, signingInput, *der);
    }
    return digestVerify(m_key.get(), nullptr, false, signingInput, signature); // EdDSA
}

Result<std::vector<PublicJwk>> parseJwkSet(std::string_view json)
{
    const auto document = nlohmann::json::parse(json, nullptr, false);
    if (document.is_discarded() || !document.is_object() || !document.contains("keys") ||
        !document["keys"].is_array()) {
        return fail(ErrorCode::InvalidArgument, "the JWK Set is not {\"keys\": [...]}");
    }
    std::vector<PublicJwk> keys;
    for (const auto &entry : document["keys"]) {
        if (auto key = PublicJwk::fromJson(entry)) {
            keys.push_back(std::move(key).value());
        }
    }
    return keys;
}

Result<CompactJws> parseCompactJws(std::string_view token)
{
    if (token.empty() || token.size() > maxTokenSize) {
        return fail(ErrorCode::InvalidArgument, "the token is empty or over-long");
    }
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument, "the token is not a compact JWS (three parts)");
    }
    auto header = jsonObject(token.substr(0, first), "header");
    if (!header) {
        return fail(std::move(header).error());
    }
    auto payload = jsonObject(token.substr(first + 1, second - first - 1), "payload");
    if (!payload) {
        return fail(std::move(payload).error());
    }
    auto signature = base64UrlDecode(token.substr(second + 1));
    if (!signature) {
        return fail(ErrorCode::InvalidArgument, "the token's signature is not base64url");
    }
    CompactJws jws;
    jws.header = std::move(header).value();
    jws.payload = std::move(payload).value();
    jws.signingInput = std::string{token.substr(0, second)};
    jws.signature = std::move(signature).value();
    const auto alg = jws.header.find("alg");
    if (alg == jws.header.end() || !alg->is_string()) {
        return fail(ErrorCode::InvalidArgument, "the token's header has no \"alg\"");
    }
    jws.algorithm = alg->get<std::string>();
    if (const auto kid = jws.header.find("kid"); kid != jws.header.end()) {
        if (!kid->is_string()) {
            return fail(ErrorCode::InvalidArgument, "the token's \"kid\" is not a string");
        }
        jws.keyId = kid->get<std::string>();
    }
    if (jws.header.contains("crit")) {
        return fail(ErrorCode::InvalidArgument,
                    "the token's header has \"crit\" extensions, which are not supported");
    }
    return jws;
}

std::string base64UrlEncode(std::string_view bytes)
{
    return toBase64(std::as_bytes(std::span{bytes.data(), bytes.size()}),
                    Base64Variant::UrlSafeNoPadding);
}

Result<std::string> base64UrlDecode(std::string_view text)
{
    auto bytes = fromBase64(text, Base64Variant::UrlSafeNoPadding);
    if (!bytes) {
        return fail(std::move(bytes).error());
    }
    return std::string(reinterpret_cast<const char *>(bytes->data()), bytes->size());
}

} // namespace toolhub::server::sso
