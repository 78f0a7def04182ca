#include "core/sso/provider.h"

#include "toolhub/crypto.h"

#include <nlohmann/json.hpp>

namespace toolhub::server::sso {

namespace {

bool isEndpointUrl(std::string_view url)
{
    if (url.starts_with("https://")) {
        return url.size() > 8;
    }
    for (const std::string_view loopback :
         {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
        if (url.starts_with(loopback) &&
            (url.size() == loopback.size() || url[loopback.size()] == ':' ||
             url[loopback.size()] == '/')) {
            return true;
        }
    }
    return false;
}

std::string discoveryUrl(std::string_view issuer)
{
    std::string base{issuer};
    while (base.ends_with('/')) {
        base.pop_back();
    }
    return base + "/.well-known/openid-configuration";
}

Result<nlohmann::json> jsonReply(const Result<HttpReply> &reply, const std::string &what)
{
    if (!reply) {
        return fail(reply.error());
    }
    if (reply->status != 200) {
        return fail(ErrorCode::Unavailable,
                    what + " answered HTTP " + std::to_string(reply->status));
    }
    auto json = nlohmann::json::parse(reply->body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return fail(ErrorCode::Unavailable, what + " did not answer with a JSON object");
    }
    return json;
}

} // namespace

Result<ProviderMetadata> parseDiscovery(std::string_view json, std::string_view issuer)
{
    const auto document = nlohmann::json::parse(json, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        return fail(ErrorCode::InvalidArgument, "the discovery document is not a JSON object");
    }
    const auto text = [&](const char *name) {
        const auto it = document.find(name);
        return it != document.end() && it->is_string() ? it->get<std::string>() : std::string{};
    };
    ProviderMetadata metadata{text("issuer"), text("authorization_endpoint"),
                              text("token_endpoint"), text("jwks_uri"),
                              text("end_session_endpoint")};
    if (metadata.issuer != issuer) {
        return fail(ErrorCode::InvalidArgument,
                    "the discovery document names the issuer \"" + metadata.issuer.substr(0, 200) +
                        "\", not the configured \"" + std::string{issuer} + "\"");
    }
    for (const auto &[name, value] :
         {std::pair{"authorization_endpoint", &metadata.authorizationEndpoint},
          {"token_endpoint", &metadata.tokenEndpoint},
          {"jwks_uri", &metadata.jwksUri}}) {
        if (!isEndpointUrl(*value)) {
            return fail(ErrorCode::InvalidArgument,
                        std::string{"the discovery document has no https "} + name);
        }
    }
    if (!metadata.endSessionEndpoint.empty() && !isEndpointUrl(metadata.endSessionEndpoint)) {
        return fail(ErrorCode::InvalidArgument,
                    "the discovery document's end_session_endpoint is not https");
    }
    return metadata;
}

OidcProvider::OidcProvider(OidcProviderConfig config, HttpClient &http, Clock clock,
                           std::chrono::seconds clockSkew)
    : m_config(std::move(config)), m_http(http), m_clock(std::move(clock)), m_clockSkew(clockSkew)
{}

Result<ProviderMetadata> OidcProvider::metadata()
{
    const std::int64_t now = m_clock();
    {
        const std::lock_guard lock(m_mutex);
        if (m_metadata) {
            return *m_metadata;
        }
        if (m_metadataFailedAt != 0 && now - m_metadataFailedAt < retryInterval.count()) {
            return fail(ErrorCode::Unavailable, "provider \"" + m_config.id +
                                                    "\" did not answer a moment ago; try again "
                                                    "shortly");
        }
    }
    const auto failed = [&](Error error) -> Result<ProviderMetadata> {
        const std::lock_guard lock(m_mutex);
        m_metadataFailedAt = now;
        return fail(std::move(error));
    };
    const std::string url = discoveryUrl(m_config.issuer);
    auto json = jsonReply(m_http.get(url), "the discovery document at " + url);
    if (!json) {
        return failed(std::move(json).error());
    }
    auto parsed = parseDiscovery(json->dump(), m_config.issuer);
    if (!parsed) {
        return failed({ErrorCode::Unavailable,
                       "provider \"" + m_config.id + "\": " + parsed.error().message});
    }
    const std::lock_guard lock(m_mutex);
    m_metadata = *parsed;
    return parsed;
}

Result<std::vector<PublicJwk>> OidcProvider::fetchKeys()
{
    auto meta = metadata();
    if (!meta) {
        return fail(std::move(meta).error());
    }
    auto reply = m_http.get(meta->jwksUri);
    if (!reply) {
        return fail(std::move(reply).error());
    }
    if (reply->status != 200) {
        return fail(ErrorCode::Unavailable, "the provider's keys at " + meta->jwksUri +
                                                " answered HTTP " + std::to_string(reply->status));
    }
    auto keys = parseJwkSet(reply->body);
    if (!keys) {
        return fail(ErrorCode::Unavailable,
                    "the provider's keys at " + meta->jwksUri + ": " + keys.error().message);
    }
    return keys;
}

TokenAudience OidcProvider::audience() const
{
    return {m_config.issuer, m_config.clientId, m_clock(), m_clockSkew};
}

std::optional<std::vector<PublicJwk>> OidcProvider::cachedKeys()
{
    const std::lock_guard lock(m_mutex);
    return m_keys;
}

Result<std::vector<PublicJwk>> OidcProvider::refreshKeys()
{
    // Discovery first, with its own retry interval: a key set request is only counted when it
    // is really made.
    if (auto meta = metadata(); !meta) {
        return fail(std::move(meta).error());
    }
    const std::int64_t now = m_clock();
    {
        const std::lock_guard lock(m_mutex);
        if (m_keysFetchedAt != 0 && now - m_keysFetchedAt < keyRefreshInterval.count()) {
            if (!m_keys) {
                return fail(ErrorCode::Unavailable,
                            "the provider's keys could not be fetched a moment ago; try again "
                            "shortly");
            }
            return fail(ErrorCode::Unauthenticated,
                        "the token names a key (kid) the provider does not publish");
        }
        m_keysFetchedAt = now;
    }
    auto fetched = fetchKeys();
    if (!fetched) {
        return fail(std::move(fetched).error());
    }
    const std::lock_guard lock(m_mutex);
    m_keys = *fetched;
    return fetched;
}

Result<CompactJws> OidcProvider::verifiedJws(std::string_view token)
{
    auto jws = parseCompactJws(token);
    if (!jws) {
        return fail(ErrorCode::Unauthenticated, jws.error().message);
    }
    // Refused before any key is fetched: no key makes `none` or HS256 acceptable.
    if (!isAllowedSigningAlgorithm(jws->algorithm)) {
        auto refused = verifySignature(*jws, {});
        return fail(std::move(refused).error());
    }
    auto cached = cachedKeys();
    const bool fetchedNow = !cached;
    if (!cached) {
        auto fetched = refreshKeys();
        if (!fetched) {
            return fail(std::move(fetched).error());
        }
        cached = std::move(fetched).value();
    }
    auto verified = verifySignature(*jws, *cached);
    // An unknown kid: the provider may have rotated its keys since they were fetched.
    if (!verified && verified.error().code == ErrorCode::NotFound && !fetchedNow) {
        auto fetched = refreshKeys();
        if (!fetched) {
            return fail(std::move(fetched).error());
        }
        verified = verifySignature(*jws, *fetched);
    }
    if (!verified) {
        return fail(ErrorCode::Unauthenticated, verified.error().message);
    }
    return jws;
}

Result<IdTokenClaims> OidcProvider::verifyIdToken(std::string_view token,
                                                  std::string_view nonceHash)
{
    auto jws = verifiedJws(token);
    if (!jws) {
        return fail(std::move(jws).error());
    }
    return checkIdToken(*jws, audience(), nonceHash);
}

Result<LogoutTokenClaims> OidcProvider::verifyLogoutToken(std::string_view token)
{
    auto jws = verifiedJws(token);
    if (!jws) {
        return fail(std::move(jws).error());
    }
    return checkLogoutToken(*jws, audience());
}

Result<std::string> OidcProvider::exchangeCode(std::string_view code, std::string_view redirectUri,
                                               std::string_view codeVerifier)
{
    auto meta = metadata();
    if (!meta) {
        return fail(std::move(meta).error());
    }
    std::string body = "grant_type=authorization_code&code=" + formEncode(code) +
                       "&redirect_uri=" + formEncode(redirectUri) +
                       "&code_verifier=" + formEncode(codeVerifier);
    HttpHeaders headers;
    if (m_config.tokenAuthMethod == "client_secret_post") {
        body += "&client_id=" + formEncode(m_config.clientId) +
                "&client_secret=" + formEncode(m_config.clientSecret);
    } else {
        const std::string credentials =
            formEncode(m_config.clientId) + ":" + formEncode(m_config.clientSecret);
        headers.emplace_back(
            "Authorization",
            "Basic " + toBase64(std::as_bytes(std::span{credentials.data(), credentials.size()})));
    }
    auto reply = m_http.postForm(meta->tokenEndpoint, body, headers);
    if (!reply) {
        return fail(std::move(reply).error());
    }
    const auto json = nlohmann::json::parse(reply->body, nullptr, false);
    const auto text = [&](const char *name) {
        if (json.is_discarded() || !json.is_object()) {
            return std::string{};
        }
        const auto it = json.find(name);
        return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
    };
    if (reply->status != 200) {
        const std::string error = text("error");
        const std::string description = text("error_description");
        if (reply->status >= 500 || error.empty()) {
            return fail(ErrorCode::Unavailable, "the provider's token endpoint answered HTTP " +
                                                    std::to_string(reply->status));
        }
        return fail(ErrorCode::Unauthenticated,
                    "the provider refused the authorization code: " + error.substr(0, 64) +
                        (description.empty() ? "" : " (" + description.substr(0, 200) + ")"));
    }
    std::string idToken = text("id_token");
    if (idToken.empty()) {
        return fail(ErrorCode::Unauthenticated,
                    "the provider's token response has no ID token (is the scope openid "
                    "granted?)");
    }
    return idToken;
}

} // namespace toolhub::server::sso
