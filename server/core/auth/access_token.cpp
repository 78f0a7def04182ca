#include "core/auth/access_token.h"

#include <nlohmann/json.hpp>

namespace toolhub::server {

namespace {

constexpr std::size_t maxTokenSize = 4096;
constexpr std::int64_t allowedClockSkew = 60;

Error invalidToken(std::string message)
{
    return {ErrorCode::Unauthenticated, std::move(message)};
}

} // namespace

std::string AccessTokenCodec::sign(const AccessTokenClaims &claims) const
{
    nlohmann::ordered_json payload;
    payload["v"] = 1;
    payload["sub"] = claims.subject;
    payload["org"] = claims.organizationId;
    payload["client_id"] = claims.clientId;
    payload["jti"] = claims.tokenId;
    payload["iat"] = claims.issuedAt;
    payload["exp"] = claims.expiresAt;
    payload["gen"] = claims.generation;
    std::string token = toBase64(asBytes(payload.dump()), Base64Variant::UrlSafeNoPadding);
    const MacTag tag = hmac(m_key, token);
    token += '.';
    token += toBase64(tag, Base64Variant::UrlSafeNoPadding);
    return token;
}

Result<AccessTokenClaims> AccessTokenCodec::verify(std::string_view token, std::int64_t now) const
{
    if (token.empty() || token.size() > maxTokenSize) {
        return fail(invalidToken("the access token is malformed"));
    }
    const auto dot = token.find('.');
    if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos) {
        return fail(invalidToken("the access token is malformed"));
    }
    const auto payloadPart = token.substr(0, dot);
    const auto tag = fromBase64(token.substr(dot + 1), Base64Variant::UrlSafeNoPadding);
    if (!tag || !hmacVerify(m_key, payloadPart, *tag)) {
        return fail(invalidToken("the access token's signature is not valid"));
    }
    // Signed by us: from here on a malformed payload would be our own bug, but stay strict.
    const auto payloadBytes = fromBase64(payloadPart, Base64Variant::UrlSafeNoPadding);
    if (!payloadBytes) {
        return fail(invalidToken("the access token is malformed"));
    }
    const auto payload = nlohmann::json::parse(
        reinterpret_cast<const char *>(payloadBytes->data()),
        reinterpret_cast<const char *>(payloadBytes->data()) + payloadBytes->size(), nullptr,
        false);
    const auto isString = [&](const char *key) {
        return payload.contains(key) && payload[key].is_string();
    };
    const auto isInteger = [&](const char *key) {
        return payload.contains(key) && payload[key].is_number_integer();
    };
    if (!payload.is_object() || !isInteger("v") || payload["v"] != 1 || !isString("sub") ||
        !isString("org") || !isString("client_id") || !isString("jti") || !isInteger("iat") ||
        !isInteger("exp")) {
        return fail(invalidToken("the access token is malformed"));
    }
    AccessTokenClaims claims{payload["sub"].get<std::string>(),
                             payload["org"].get<std::string>(),
                             payload["client_id"].get<std::string>(),
                             payload["jti"].get<std::string>(),
                             payload["iat"].get<std::int64_t>(),
                             payload["exp"].get<std::int64_t>(),
                             0};
    if (payload.contains("gen")) {
        if (!isInteger("gen")) {
            return fail(invalidToken("the access token is malformed"));
        }
        claims.generation = payload["gen"].get<std::int64_t>();
    }
    if (now >= claims.expiresAt) {
        return fail(invalidToken("the access token has expired"));
    }
    if (claims.issuedAt > now + allowedClockSkew) {
        return fail(invalidToken("the access token is not valid yet"));
    }
    return claims;
}

std::optional<AccessTokenClaims> VerifiedTokenCache::find(std::string_view token,
                                                          std::int64_t now) const
{
    const std::lock_guard lock(m_mutex);
    const auto it = m_claims.find(token);
    if (it == m_claims.end() || now >= it->second.expiresAt) {
        return std::nullopt;
    }
    return it->second;
}

void VerifiedTokenCache::store(std::string_view token, const AccessTokenClaims &claims,
                               std::int64_t now)
{
    const std::lock_guard lock(m_mutex);
    if (m_claims.size() >= m_capacity) {
        // Expired tokens are the ones nobody will present successfully again.
        std::erase_if(m_claims, [&](const auto &entry) { return now >= entry.second.expiresAt; });
        if (m_claims.size() >= m_capacity) {
            m_claims.clear();
        }
    }
    if (m_capacity > 0) {
        m_claims.insert_or_assign(std::string(token), claims);
    }
}

std::size_t VerifiedTokenCache::size() const
{
    const std::lock_guard lock(m_mutex);
    return m_claims.size();
}

Principal principalOf(const AccessTokenClaims &claims)
{
    return {claims.subject,   claims.organizationId, claims.clientId,
            claims.tokenId,   claims.expiresAt,      {},
            claims.generation};
}

} // namespace toolhub::server
