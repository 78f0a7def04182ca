// The relying party's token checks without a network: ID tokens and logout tokens signed in the
// test with keys OpenSSL generates (RSA, P-256, Ed25519), every forgery refused; the provider's
// key set fetched again on an unknown kid, at most once a minute; discovery; the oidc.* settings.

#include "core/config/config.h"
#include "core/sso/jose.h"
#include "core/sso/provider.h"
#include "core/sso/token_checks.h"
#include "toolhub/sha256.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <QTest>

#include <map>
#include <memory>

using namespace toolhub;
using namespace toolhub::server;
using namespace toolhub::server::sso;
using nlohmann::json;

namespace {

constexpr std::int64_t now = 1'800'000'000;
const std::string issuer = "https://idp.example.com";
const std::string clientId = "toolhub";
const std::string nonce = "nonce-of-this-sign-in";

std::string b64(const std::string &bytes)
{
    return base64UrlEncode(bytes);
}

std::string bytesOf(const unsigned char *data, std::size_t size)
{
    return {reinterpret_cast<const char *>(data), size};
}

std::string bignumParam(EVP_PKEY *key, const char *name)
{
    BIGNUM *bn = nullptr;
    EVP_PKEY_get_bn_param(key, name, &bn);
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char *>(out.data()));
    BN_free(bn);
    return out;
}

// A key pair made for the test, its public JWK, and JWS signing with it.
struct TestKey {
    std::shared_ptr<EVP_PKEY> key;
    std::string alg;
    json jwk;

    static TestKey make(const std::string &alg, const std::string &kid)
    {
        TestKey k;
        k.alg = alg;
        EVP_PKEY *raw = nullptr;
        if (alg == "RS256" || alg == "PS256") {
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
            k.jwk = {{"kty", "RSA"},
                     {"n", b64(bignumParam(raw, OSSL_PKEY_PARAM_RSA_N))},
                     {"e", b64(bignumParam(raw, OSSL_PKEY_PARAM_RSA_E))}};
        } else if (alg == "ES256") {
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
            unsigned char point[65];
            std::size_t size = 0;
            EVP_PKEY_get_octet_string_param(raw, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                            &size);
            k.jwk = {{"kty", "EC"},
                     {"crv", "P-256"},
                     {"x", b64(bytesOf(point + 1, 32))},
                     {"y", b64(bytesOf(point + 33, 32))}};
        } else {
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
            unsigned char pub[32];
            std::size_t size = sizeof pub;
            EVP_PKEY_get_raw_public_key(raw, pub, &size);
            k.jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", b64(bytesOf(pub, 32))}};
        }
        k.key.reset(raw, EVP_PKEY_free);
        k.jwk["kid"] = kid;
        k.jwk["use"] = "sig";
        return k;
    }

    [[nodiscard]] std::string signature(const std::string &input) const
    {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = nullptr;
        EVP_DigestSignInit(ctx, &pctx, alg == "EdDSA" ? nullptr : EVP_sha256(), nullptr, key.get());
        if (alg == "PS256") {
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
        }
        std::size_t size = 0;
        const auto *data = reinterpret_cast<const unsigned char *>(input.data());
        EVP_DigestSign(ctx, nullptr, &size, data, input.size());
        std::string sig(size, '\0');
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(sig.data()), &size, data,
                       input.size());
        sig.resize(size);
        EVP_MD_CTX_free(ctx);
        if (alg != "ES256") {
            return sig;
        }
        // DER -> R || S
        const auto *der = reinterpret_cast<const unsigned char *>(sig.data());
        ECDSA_SIG *ecdsa = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
        std::string raw(64, '\0');
        BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char *>(raw.data()), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char *>(raw.data()) + 32,
                     32);
        ECDSA_SIG_free(ecdsa);
        return raw;
    }

    [[nodiscard]] std::string publicPem() const
    {
        BIO *bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, key.get());
        char *data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        std::string pem(data, static_cast<std::size_t>(size));
        BIO_free(bio);
        return pem;
    }

    [[nodiscard]] std::string sign(json header, const json &payload) const
    {
        if (!header.contains("alg")) {
            header["alg"] = alg;
        }
        if (!header.contains("kid")) {
            header["kid"] = jwk["kid"];
        }
        const std::string input = b64(header.dump()) + "." + b64(payload.dump());
        return input + "." + b64(signature(input));
    }
};

json idClaims()
{
    return {{"iss", issuer},    {"sub", "user-1"}, {"aud", clientId}, {"iat", now - 5},
            {"exp", now + 300}, {"nonce", nonce},  {"name", "Ada"}};
}

json logoutClaims()
{
    return {{"iss", issuer},
            {"sub", "user-1"},
            {"aud", clientId},
            {"iat", now - 5},
            {"exp", now + 120},
            {"jti", "j-1"},
            {"events", {{std::string{backchannelLogoutEvent}, json::object()}}}};
}

std::vector<PublicJwk> keysOf(const std::vector<const TestKey *> &keys)
{
    std::vector<PublicJwk> out;
    for (const auto *key : keys) {
        auto jwk = PublicJwk::fromJson(key->jwk);
        if (jwk) {
            out.push_back(std::move(jwk).value());
        }
    }
    return out;
}

const TokenAudience audience{issuer, clientId, now, std::chrono::seconds{60}};

// The whole check as the provider runs it: parse, signature with `keys`, claims.
Result<IdTokenClaims> verifyId(const std::string &token, const std::vector<PublicJwk> &keys,
                               const std::string &expectedNonce = nonce)
{
    auto jws = parseCompactJws(token);
    if (!jws) {
        return fail(std::move(jws).error());
    }
    if (auto signature = verifySignature(*jws, keys); !signature) {
        return fail(std::move(signature).error());
    }
    return checkIdToken(*jws, audience, sha256Hex(expectedNonce));
}

Result<LogoutTokenClaims> verifyLogout(const std::string &token, const std::vector<PublicJwk> &keys)
{
    auto jws = parseCompactJws(token);
    if (!jws) {
        return fail(std::move(jws).error());
    }
    if (auto signature = verifySignature(*jws, keys); !signature) {
        return fail(std::move(signature).error());
    }
    return checkLogoutToken(*jws, audience);
}

// Discovery and key set of a provider, counted.
class FakeHttp final : public HttpClient {
public:
    std::map<std::string, std::string> bodies;
    std::map<std::string, int> gets;

    Result<HttpReply> get(const std::string &url) override
    {
        ++gets[url];
        const auto it = bodies.find(url);
        if (it == bodies.end()) {
            return HttpReply{404, "text/plain", "not found"};
        }
        return HttpReply{200, "application/json", it->second};
    }
    Result<HttpReply> postForm(const std::string &, const std::string &,
                               const HttpHeaders &) override
    {
        return fail(ErrorCode::Unavailable, "no token endpoint here");
    }
};

} // namespace

class SsoTokenTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_rsa = TestKey::make("RS256", "rsa-1");
        m_pss = TestKey::make("PS256", "pss-1");
        m_ec = TestKey::make("ES256", "ec-1");
        m_ed = TestKey::make("EdDSA", "ed-1");
        m_other = TestKey::make("RS256", "rsa-1"); // same kid, another key
        m_keys = keysOf({&m_rsa, &m_pss, &m_ec, &m_ed});
        QCOMPARE(m_keys.size(), std::size_t{4});
    }

    void everyAllowedAlgorithmVerifies_data()
    {
        QTest::addColumn<QString>("alg");
        for (const char *alg : {"RS256", "PS256", "ES256", "EdDSA"}) {
            QTest::newRow(alg) << QString::fromLatin1(alg);
        }
    }
    void everyAllowedAlgorithmVerifies()
    {
        QFETCH(QString, alg);
        const TestKey &key = alg == QLatin1String("RS256")   ? m_rsa
                             : alg == QLatin1String("PS256") ? m_pss
                             : alg == QLatin1String("ES256") ? m_ec
                                                             : m_ed;
        const auto claims = verifyId(key.sign({}, idClaims()), m_keys);
        QVERIFY2(claims.ok(), claims.ok() ? "" : claims.error().message.c_str());
        QCOMPARE(claims->subject, std::string{"user-1"});
        QCOMPARE(claims->claims["name"].get<std::string>(), std::string{"Ada"});
    }

    void forgedIdTokensAreRefused_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("reason");
        const auto claims = idClaims();
        const auto with = [&](const char *name, json value) {
            auto c = claims;
            c[name] = std::move(value);
            return c;
        };
        const auto without = [&](const char *name) {
            auto c = claims;
            c.erase(name);
            return c;
        };
        const auto row = [](const char *name, const std::string &token, const char *reason) {
            QTest::newRow(name) << QString::fromStdString(token) << QString::fromLatin1(reason);
        };
        const std::string payload = b64(claims.dump());
        row("alg none", b64(R"({"alg":"none"})") + "." + payload + ".", "not accepted");
        row("alg none, no kid, empty signature",
            b64(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".", "not accepted");
        {
            // HS256 with the provider's public key as the HMAC secret.
            const std::string input = b64(R"({"alg":"HS256","kid":"rsa-1"})") + "." + payload;
            const std::string pem = m_rsa.publicPem();
            unsigned char mac[EVP_MAX_MD_SIZE];
            unsigned int size = 0;
            HMAC(EVP_sha256(), pem.data(), static_cast<int>(pem.size()),
                 reinterpret_cast<const unsigned char *>(input.data()), input.size(), mac, &size);
            row("HS256 keyed with the public key", input + "." + b64(bytesOf(mac, size)),
                "not accepted");
        }
        row("unknown kid", m_other.sign({{"kid", "rsa-9"}}, claims), "does not publish");
        row("bad signature (another key, same kid)", m_other.sign({}, claims), "signature");
        row("alg of another key type", m_rsa.sign({{"alg", "ES256"}, {"kid", "ec-1"}}, claims),
            "signature");
        {
            auto token = m_rsa.sign({}, claims);
            const auto first = token.find('.');
            const auto second = token.find('.', first + 1);
            token.replace(first + 1, second - first - 1, b64(with("sub", "admin").dump()));
            row("payload swapped after signing", token, "signature");
        }
        row("wrong iss", m_rsa.sign({}, with("iss", issuer + "/")), "issuer");
        row("no iss", m_rsa.sign({}, without("iss")), "issuer");
        row("wrong aud", m_rsa.sign({}, with("aud", "someone-else")), "not meant");
        row("aud list without us", m_rsa.sign({}, with("aud", {"a", "b"})), "not meant");
        row("several aud, no azp", m_rsa.sign({}, with("aud", {clientId, "other"})), "azp");
        {
            auto c = with("aud", {clientId, "other"});
            c["azp"] = "other";
            row("wrong azp", m_rsa.sign({}, c), "another client");
        }
        row("wrong azp, one aud", m_rsa.sign({}, with("azp", "other")), "another client");
        row("expired", m_rsa.sign({}, with("exp", now - 61)), "expired");
        row("no exp", m_rsa.sign({}, without("exp")), "expiry");
        row("issued in the future", m_rsa.sign({}, with("iat", now + 61)), "future");
        row("no iat", m_rsa.sign({}, without("iat")), "issue time");
        row("not valid yet", m_rsa.sign({}, with("nbf", now + 61)), "not valid yet");
        row("wrong nonce", m_rsa.sign({}, with("nonce", "another")), "nonce");
        row("no nonce", m_rsa.sign({}, without("nonce")), "nonce");
        row("no sub", m_rsa.sign({}, without("sub")), "subject");
        row("crit header", m_rsa.sign({{"crit", {"exp"}}}, claims), "crit");
        row("two parts", b64(R"({"alg":"RS256"})") + "." + payload, "three parts");
        row("not base64url", "e30.e30.***", "base64url");
    }
    void forgedIdTokensAreRefused()
    {
        QFETCH(QString, token);
        QFETCH(QString, reason);
        const auto claims = verifyId(token.toStdString(), m_keys);
        QVERIFY(!claims.ok());
        QVERIFY2(QString::fromStdString(claims.error().message).contains(reason),
                 claims.error().message.c_str());
    }

    void clockSkewOfSixtySecondsIsAllowed()
    {
        auto claims = idClaims();
        claims["exp"] = now - 59;
        claims["iat"] = now - 400;
        claims["nbf"] = now + 59;
        QVERIFY(verifyId(m_rsa.sign({}, claims), m_keys).ok());
        claims["iat"] = now + 59;
        QVERIFY(verifyId(m_rsa.sign({}, claims), m_keys).ok());
    }

    void keysOfOtherTypesOrPrivateOnesAreLeftOut()
    {
        auto privateJwk = m_rsa.jwk;
        privateJwk["d"] = "AAAA";
        const json set = {{"keys",
                           {privateJwk,
                            {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}},
                            {{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}},
                            m_ec.jwk}}};
        const auto keys = parseJwkSet(set.dump());
        QVERIFY(keys.ok());
        QCOMPARE(keys->size(), std::size_t{1});
        QCOMPARE(keys->front().keyId(), std::string{"ec-1"});
        auto small = PublicJwk::fromJson(
            {{"kty", "RSA"}, {"n", b64(std::string(128, '\x7f'))}, {"e", "AQAB"}});
        QVERIFY(!small.ok()); // 1024-bit RSA
    }

    void logoutTokens()
    {
        QVERIFY(verifyLogout(m_rsa.sign({{"typ", "logout+jwt"}}, logoutClaims()), m_keys).ok());
        auto sidOnly = logoutClaims();
        sidOnly.erase("sub");
        sidOnly["sid"] = "session-7";
        const auto bySid = verifyLogout(m_rsa.sign({}, sidOnly), m_keys);
        QVERIFY(bySid.ok());
        QCOMPARE(bySid->sessionId, std::string{"session-7"});

        const auto refused = [&](json header, const json &claims, const char *reason) {
            const auto result = verifyLogout(m_rsa.sign(std::move(header), claims), m_keys);
            QVERIFY2(!result.ok(), reason);
            QVERIFY2(result.error().message.find(reason) != std::string::npos,
                     result.error().message.c_str());
        };
        auto withNonce = logoutClaims();
        withNonce["nonce"] = "n";
        refused({}, withNonce, "nonce");
        auto noEvents = logoutClaims();
        noEvents.erase("events");
        refused({}, noEvents, "event");
        auto otherEvent = logoutClaims();
        otherEvent["events"] = {{"http://example.com/other", json::object()}};
        refused({}, otherEvent, "event");
        auto nobody = logoutClaims();
        nobody.erase("sub");
        refused({}, nobody, "neither");
        refused({{"typ", "at+jwt"}}, logoutClaims(), "typ");
        auto wrongAud = logoutClaims();
        wrongAud["aud"] = "x";
        refused({}, wrongAud, "not meant");
        auto future = logoutClaims();
        future["iat"] = now + 120;
        refused({}, future, "future");
        QVERIFY(!verifyLogout(m_other.sign({}, logoutClaims()), m_keys).ok());
    }

    void keySetIsFetchedAgainOnUnknownKidAtMostOnceAMinute()
    {
        FakeHttp http;
        const std::string jwksUri = issuer + "/keys";
        http.bodies[issuer + "/.well-known/openid-configuration"] = json{
            {"issuer", issuer},
            {"authorization_endpoint", issuer + "/authorize"},
            {"token_endpoint", issuer + "/token"},
            {"jwks_uri", jwksUri}}.dump();
        http.bodies[jwksUri] = json{{"keys", {m_rsa.jwk}}}.dump();
        std::int64_t clock = now;
        OidcProviderConfig config;
        config.id = "corp";
        config.issuer = issuer;
        config.clientId = clientId;
        OidcProvider provider(config, http, [&clock] { return clock; });

        QVERIFY(provider.verifyIdToken(m_rsa.sign({}, idClaims()), sha256Hex(nonce)).ok());
        QCOMPARE(http.gets[jwksUri], 1);
        QVERIFY(provider.verifyIdToken(m_rsa.sign({}, idClaims()), sha256Hex(nonce)).ok());
        QCOMPARE(http.gets[jwksUri], 1); // cached

        // The provider rotates to a new key: the unknown kid fetches the set again...
        const TestKey rotated = TestKey::make("ES256", "ec-rotated");
        http.bodies[jwksUri] = json{{"keys", {m_rsa.jwk, rotated.jwk}}}.dump();
        clock += 61;
        QVERIFY(provider.verifyIdToken(rotated.sign({}, idClaims()), sha256Hex(nonce)).ok());
        QCOMPARE(http.gets[jwksUri], 2);
        // ...but another unknown kid within a minute does not.
        const TestKey stranger = TestKey::make("RS256", "stranger");
        const auto refused =
            provider.verifyIdToken(stranger.sign({}, idClaims()), sha256Hex(nonce));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Unauthenticated);
        QCOMPARE(http.gets[jwksUri], 2);
        clock += 61;
        QVERIFY(!provider.verifyIdToken(stranger.sign({}, idClaims()), sha256Hex(nonce)).ok());
        QCOMPARE(http.gets[jwksUri], 3);
        // Refused algorithms never cause a fetch.
        clock += 61;
        QVERIFY(!provider
                     .verifyIdToken(b64(R"({"alg":"none","kid":"x"})") + "." +
                                        b64(idClaims().dump()) + ".",
                                    sha256Hex(nonce))
                     .ok());
        QCOMPARE(http.gets[jwksUri], 3);
    }
    void anUnreachableProviderIsAskedOncePerInterval()
    {
        FakeHttp http; // answers 404 to everything
        std::int64_t clock = now;
        OidcProviderConfig config;
        config.id = "down";
        config.issuer = issuer;
        config.clientId = clientId;
        OidcProvider provider(config, http, [&clock] { return clock; });
        const std::string discovery = issuer + "/.well-known/openid-configuration";
        for (int i = 0; i < 5; ++i) {
            const auto refused =
                provider.verifyIdToken(m_rsa.sign({}, idClaims()), sha256Hex(nonce));
            QCOMPARE(refused.error().code, ErrorCode::Unavailable);
            QVERIFY(!provider.metadata().ok());
        }
        QCOMPARE(http.gets[discovery], 1);
        clock += OidcProvider::retryInterval.count();
        QVERIFY(!provider.metadata().ok());
        QCOMPARE(http.gets[discovery], 2);

        // Discovery answers, the key set does not: asked once per key interval as well.
        const std::string jwksUri = issuer + "/keys";
        http.bodies[discovery] = json{
            {"issuer", issuer},
            {"authorization_endpoint", issuer + "/authorize"},
            {"token_endpoint", issuer + "/token"},
            {"jwks_uri", jwksUri}}.dump();
        clock += OidcProvider::retryInterval.count();
        for (int i = 0; i < 5; ++i) {
            const auto refused =
                provider.verifyIdToken(m_rsa.sign({}, idClaims()), sha256Hex(nonce));
            QCOMPARE(refused.error().code, ErrorCode::Unavailable);
        }
        QCOMPARE(http.gets[jwksUri], 1);
        http.bodies[jwksUri] = json{{"keys", {m_rsa.jwk}}}.dump();
        clock += OidcProvider::keyRefreshInterval.count();
        QVERIFY(provider.verifyIdToken(m_rsa.sign({}, idClaims()), sha256Hex(nonce)).ok());
        QCOMPARE(http.gets[jwksUri], 2);
    }

    void discoveryIssuerMustMatchExactly()
    {
        const json document = {{"issuer", issuer},
                               {"authorization_endpoint", issuer + "/a"},
                               {"token_endpoint", issuer + "/t"},
                               {"jwks_uri", issuer + "/k"}};
        QVERIFY(parseDiscovery(document.dump(), issuer).ok());
        QVERIFY(!parseDiscovery(document.dump(), issuer + "/").ok());
        auto plain = document;
        plain["token_endpoint"] = "http://idp.example.com/t";
        QVERIFY(!parseDiscovery(plain.dump(), issuer).ok());
        auto loopback = document;
        loopback["issuer"] = "http://127.0.0.1:9000";
        loopback["token_endpoint"] = "http://127.0.0.1:9000/t";
        QVERIFY(parseDiscovery(loopback.dump(), "http://127.0.0.1:9000").ok());
    }

    void mappingRuleSyntax()
    {
        auto rule = parseOidcMappingRule("groups:acme-users -> organization=acme "
                                         "role=customer_admin role=support@global");
        QVERIFY(rule.ok());
        QCOMPARE(rule->claim, std::string{"groups"});
        QCOMPARE(rule->value, std::string{"acme-users"});
        QCOMPARE(rule->target,
                 (RuleTarget{"acme", {{"customer_admin", false}, {"support", true}}}));
        auto everyone = parseOidcMappingRule("* -> organization=acme");
        QVERIFY(everyone.ok());
        QVERIFY(everyone->claim.empty());
        QCOMPARE(everyone->target, (RuleTarget{"acme", {}}));
        // The right-hand side is the one LDAP rules use.
        auto roleOnly = parseOidcMappingRule("email:ops@example.com -> role=support@organization");
        QVERIFY(roleOnly.ok());
        QCOMPARE(roleOnly->target, parseRuleTarget("role=support@organization").value());
        for (const char *bad : {"groups:x", "groups:x ->", "groups -> organization=acme",
                                "groups:x -> organization=Acme!", "groups:x -> role=Admin",
                                "groups:x -> role=admin@everywhere", "groups:x -> colour=red",
                                "groups:x -> organization=a organization=b"}) {
            QVERIFY2(!parseOidcMappingRule(bad).ok(), bad);
        }
    }

    void providerSettingsFromFileAndEnvironment()
    {
        ServerConfig config;
        QVERIFY(applyConfigText(config,
                                "public_url = https://toolhub.example.com/\n"
                                "oidc.corp-sso.issuer = https://idp.example.com\n"
                                "oidc.corp-sso.client_id = toolhub\n"
                                "oidc.corp-sso.claim.groups = memberOf\n"
                                "oidc.corp-sso.rule.2 = * -> organization=acme\n"
                                "oidc.corp-sso.rule.1 = groups:admins -> role=admin@global\n",
                                "test.conf")
                    .ok());
        QCOMPARE(config.publicUrl, std::string{"https://toolhub.example.com"});
        const auto &p = config.oidcProviders.at("corp-sso");
        QCOMPARE(p.groupsClaim, std::string{"memberOf"});
        QCOMPARE(p.rules.begin()->first, 1);
        QCOMPARE(p.scopes, std::string{"openid profile email"});

        auto loaded = loadConfig(std::nullopt,
                                 {{"TOOLHUB_PUBLIC_URL", "https://toolhub.example.com"},
                                  {"TOOLHUB_OIDC_CORP_SSO_ISSUER", "https://idp.example.com"},
                                  {"TOOLHUB_OIDC_CORP_SSO_CLIENT_ID", "toolhub"},
                                  {"TOOLHUB_OIDC_CORP_SSO_CLIENT_SECRET", "s3cret"},
                                  {"TOOLHUB_OIDC_CORP_SSO_CLAIM_EMAIL", "mail"},
                                  {"TOOLHUB_OIDC_CORP_SSO_RULE_3", "groups:x -> role=support"}});
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().message.c_str());
        const auto &q = loaded->oidcProviders.at("corp-sso");
        QCOMPARE(q.clientSecret, std::string{"s3cret"});
        QCOMPARE(q.emailClaim, std::string{"mail"});
        QCOMPARE(q.rules.count(3), std::size_t{1});

        const auto missingSecret =
            loadConfig(std::nullopt, {{"TOOLHUB_PUBLIC_URL", "https://toolhub.example.com"},
                                      {"TOOLHUB_OIDC_CORP_ISSUER", "https://idp.example.com"},
                                      {"TOOLHUB_OIDC_CORP_CLIENT_ID", "toolhub"}});
        QVERIFY(!missingSecret.ok());
        QVERIFY(missingSecret.error().message.find("oidc.corp.client_secret") != std::string::npos);
        const auto noPublicUrl =
            loadConfig(std::nullopt, {{"TOOLHUB_OIDC_CORP_ISSUER", "https://idp.example.com"},
                                      {"TOOLHUB_OIDC_CORP_CLIENT_ID", "toolhub"},
                                      {"TOOLHUB_OIDC_CORP_CLIENT_SECRET", "s"}});
        QVERIFY(!noPublicUrl.ok());
        QVERIFY(noPublicUrl.error().message.find("public_url") != std::string::npos);
        ServerConfig other;
        QVERIFY(!applyConfigText(other, "oidc.corp.issuer = http://idp.example.com\n", "t").ok());
        QVERIFY(!applyConfigText(other, "oidc.Corp.issuer = https://idp.example.com\n", "t").ok());
        QVERIFY(!applyConfigText(other, "oidc.corp.colour = red\n", "t").ok());
        QVERIFY(!applyConfigText(other, "oidc.corp.scopes = profile email\n", "t").ok());
    }

private:
    TestKey m_rsa;
    TestKey m_pss;
    TestKey m_ec;
    TestKey m_ed;
    TestKey m_other;
    std::vector<PublicJwk> m_keys;
};

QTEST_GUILESS_MAIN(SsoTokenTest)
#include "sso_token_test.moc"
