#include "core/sso/token_checks.h"

#include "toolhub/sha256.h"

#include <algorithm>

namespace toolhub::server::sso {

namespace {

Failure<Error> refuse(std::string message)
{
    return fail(ErrorCode::Unauthenticated, std::move(message));
}

std::optional<std::string> stringClaim(const nlohmann::json &payload, const char *name)
{
    const auto it = payload.find(name);
    if (it == payload.end() || !it->is_string()) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

std::optional<std::int64_t> timeClaim(const nlohmann::json &payload, const char *name)
{
    const auto it = payload.find(name);
    if (it == payload.end() || !it->is_number()) {
        return std::nullopt;
    }
    if (it->is_number_float()) {
        return static_cast<std::int64_t>(it->get<double>());
    }
    return it->get<std::int64_t>();
}

// iss, aud, azp, exp, iat, nbf: the checks ID tokens and logout tokens share.
Result<void> checkCommon(const nlohmann::json &payload, const TokenAudience &audience,
                         bool requireExpiry)
{
    const auto issuer = stringClaim(payload, "iss");
    if (!issuer || *issuer != audience.issuer) {
        return refuse("the token's issuer (iss) is not " + audience.issuer);
    }
    std::vector<std::string> audiences;
    if (const auto aud = payload.find("aud"); aud != payload.end() && aud->is_string()) {
        audiences.push_back(aud->get<std::string>());
    } else if (aud != payload.end() && aud->is_array()) {
        for (const auto &entry : *aud) {
            if (!entry.is_string()) {
                return refuse("the token's audience (aud) holds a non-string");
            }
            audiences.push_back(entry.get<std::string>());
        }
    }
    if (std::find(audiences.begin(), audiences.end(), audience.clientId) == audiences.end()) {
        return refuse("the token is not meant for this server (aud does not contain our "
                      "client id)");
    }
    const auto azp = payload.find("azp");
    if (azp != payload.end() &&
        (!azp->is_string() || azp->get<std::string>() != audience.clientId)) {
        return refuse("the token was issued to another client (azp)");
    }
    if (audiences.size() > 1 && azp == payload.end()) {
        return refuse("the token has several audiences but no authorized party (azp)");
    }
    const auto skew = audience.clockSkew.count();
    const auto expiry = timeClaim(payload, "exp");
    if (!expiry && (requireExpiry || payload.contains("exp"))) {
        return refuse("the token has no valid expiry (exp)");
    }
    if (expiry && audience.now >= *expiry + skew) {
        return refuse("the token has expired");
    }
    const auto issuedAt = timeClaim(payload, "iat");
    if (!issuedAt) {
        return refuse("the token has no valid issue time (iat)");
    }
    if (*issuedAt > audience.now + skew) {
        return refuse("the token was issued in the future (iat): check the clocks");
    }
    if (payload.contains("nbf")) {
        const auto notBefore = timeClaim(payload, "nbf");
        if (!notBefore || *notBefore > audience.now + skew) {
            return refuse("the token is not valid yet (nbf)");
        }
    }
    return {};
}

} // namespace

Result<void> verifySignature(const CompactJws &jws, const std::vector<PublicJwk> &keys)
{
    if (!isAllowedSigningAlgorithm(jws.algorithm)) {
        return refuse("the token is signed with \"" + jws.algorithm.substr(0, 16) +
                      "\", which is not accepted (only " + std::string{allowedSigningAlgorithms()} +
                      ")");
    }
    bool keyKnown = false;
    for (const auto &key : keys) {
        if (!jws.keyId.empty() && key.keyId() != jws.keyId) {
            continue;
        }
        keyKnown = true;
        if (key.suits(jws.algorithm) &&
            key.verify(jws.algorithm, jws.signingInput, jws.signature)) {
            return {};
        }
    }
    if (!keyKnown) {
        return fail(ErrorCode::NotFound, "the token names a key (kid) the provider does not "
                                         "publish");
    }
    return refuse("the token's signature does not verify with the provider's keys");
}

Result<IdTokenClaims> checkIdToken(const CompactJws &jws, const TokenAudience &audience,
                                   std::string_view nonceHash)
{
    if (auto common = checkCommon(jws.payload, audience, true); !common) {
        return fail(std::move(common).error());
    }
    const auto nonce = stringClaim(jws.payload, "nonce");
    if (!nonce || nonceHash.empty() || sha256Hex(*nonce) != nonceHash) {
        return refuse("the token's nonce does not match this sign-in");
    }
    IdTokenClaims claims;
    const auto subject = stringClaim(jws.payload, "sub");
    if (!subject || subject->empty() || subject->size() > 255) {
        return refuse("the token has no subject (sub)");
    }
    claims.subject = *subject;
    claims.sessionId = stringClaim(jws.payload, "sid").value_or("");
    claims.expiresAt = timeClaim(jws.payload, "exp").value_or(0);
    claims.claims = jws.payload;
    return claims;
}

Result<LogoutTokenClaims> checkLogoutToken(const CompactJws &jws, const TokenAudience &audience)
{
    if (const auto typ = jws.header.find("typ"); typ != jws.header.end()) {
        const std::string value = typ->is_string() ? typ->get<std::string>() : std::string{};
        if (value != "JWT" && value != "logout+jwt" && value != "application/logout+jwt") {
            return refuse("the logout token's type (typ) is not logout+jwt");
        }
    }
    if (auto common = checkCommon(jws.payload, audience, false); !common) {
        return fail(std::move(common).error());
    }
    const auto events = jws.payload.find("events");
    if (events == jws.payload.end() || !events->is_object() ||
        !events->contains(backchannelLogoutEvent) ||
        !(*events)[std::string{backchannelLogoutEvent}].is_object()) {
        return refuse("the logout token has no back-channel logout event");
    }
    if (jws.payload.contains("nonce")) {
        return refuse("a logout token must not carry a nonce");
    }
    LogoutTokenClaims claims;
    claims.subject = stringClaim(jws.payload, "sub").value_or("");
    claims.sessionId = stringClaim(jws.payload, "sid").value_or("");
    if (claims.subject.empty() && claims.sessionId.empty()) {
        return refuse("the logout token names neither a subject (sub) nor a session (sid)");
    }
    return claims;
}

} // namespace toolhub::server::sso
