#include "core/auth/oauth.h"

#include "core/storage/ids.h"
#include "toolhub/sha256.h"

#include <algorithm>
#include <array>

namespace toolhub::server {

namespace {

bool isUnreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

bool isBase64Url(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

TokenError refusal(std::string error, std::string description)
{
    return {std::move(error), std::move(description), std::nullopt};
}

TokenError serverFailure(Error error)
{
    return {"server_error", {}, std::move(error)};
}

TokenError invalidGrant(std::string description)
{
    return refusal("invalid_grant", std::move(description));
}

void revokeFamily(soci::session &session, const std::string &familyId, long long now)
{
    session << "UPDATE oauth_token_families SET revoked_at = :now WHERE id = :id AND "
               "revoked_at IS NULL",
        soci::use(now), soci::use(familyId);
}

void insertRefreshToken(soci::session &session, const std::string &hash,
                        const std::string &familyId, const std::string &userId,
                        const std::string &clientId, long long now, long long expiresAt)
{
    session << "INSERT INTO oauth_refresh_tokens (token_hash, family_id, user_id, client_id, "
               "created_at, expires_at) VALUES (:hash, :family, :user_id, :client_id, :now, "
               ":expires_at)",
        soci::use(hash), soci::use(familyId), soci::use(userId), soci::use(clientId),
        soci::use(now), soci::use(expiresAt);
}

// Marks a row used; true when this call was the first to do so.
bool markUsed(soci::session &session, std::string_view table, std::string_view keyColumn,
              const std::string &hash, long long now)
{
    soci::statement statement =
        (session.prepare << "UPDATE " << table << " SET used_at = :now WHERE " << keyColumn
                         << " = :hash AND used_at IS NULL",
         soci::use(now), soci::use(hash));
    statement.execute(true);
    return statement.get_affected_rows() == 1;
}

} // namespace

// What a database step decided: a refusal, or nothing against issuing tokens.
struct OAuthServer::Decision {
    std::optional<TokenError> refused;
};

const OAuthClient *findOAuthClient(std::string_view clientId)
{
    static const std::array<OAuthClient, 1> clients{OAuthClient{std::string{desktopClientId}}};
    const auto it = std::find_if(clients.begin(), clients.end(),
                                 [&](const OAuthClient &c) { return c.id == clientId; });
    return it == clients.end() ? nullptr : &*it;
}

bool isValidS256Challenge(std::string_view challenge)
{
    return challenge.size() == 43 && std::all_of(challenge.begin(), challenge.end(), isBase64Url);
}

bool isValidCodeVerifier(std::string_view verifier)
{
    return verifier.size() >= 43 && verifier.size() <= 128 &&
           std::all_of(verifier.begin(), verifier.end(), isUnreserved);
}

std::string s256Challenge(std::string_view verifier)
{
    Sha256 hash;
    hash.update(verifier);
    return toBase64(hash.finish(), Base64Variant::UrlSafeNoPadding);
}

OAuthServer::OAuthServer(Database &db, IdentityStore &identity, const AccessTokenCodec &codec,
                         Clock clock, OAuthSettings settings)
    : m_db(db), m_identity(identity), m_codec(codec), m_clock(std::move(clock)),
      m_settings(settings)
{}

AccessTokenClaims OAuthServer::newClaims(const User &user, std::string_view clientId) const
{
    const std::int64_t now = m_clock();
    return {user.id,
            user.organizationId,
            std::string{clientId},
            newId(),
            now,
            now + m_settings.accessTokenLifetime.count(),
            user.sessionGeneration};
}

Result<TokenGrant, TokenError> OAuthServer::grantTokens(Result<Decision> decision,
                                                        const Result<User> &user,
                                                        std::string_view clientId,
                                                        std::string refreshToken) const
{
    if (!decision) {
        return fail(serverFailure(std::move(decision).error()));
    }
    if (decision->refused) {
        return fail(std::move(*decision->refused));
    }
    // Not refused: the user was found and is active.
    TokenGrant grant;
    grant.claims = newClaims(*user, clientId);
    grant.accessToken = m_codec.sign(grant.claims);
    grant.expiresIn = m_settings.accessTokenLifetime.count();
    grant.refreshToken = std::move(refreshToken);
    return grant;
}

Result<std::string> OAuthServer::issueCode(const AuthorizationGrant &grant)
{
    std::string code = randomToken(32);
    const std::string hash = sha256Hex(code);
    const long long now = m_clock();
    const long long expiresAt = now + m_settings.codeLifetime.count();
    // Codes are useless a minute after they expire; keep the table small.
    const long long stale = now - 3600;
    auto stored = m_db.withSession([&](soci::session &session) -> Result<void> {
        session << "DELETE FROM oauth_codes WHERE expires_at < :stale", soci::use(stale);
        session << "INSERT INTO oauth_codes (code_hash, client_id, redirect_uri, "
                   "code_challenge, user_id, created_at, expires_at) VALUES (:hash, :client_id, "
                   ":redirect_uri, :challenge, :user_id, :now, :expires_at)",
            soci::use(hash), soci::use(grant.clientId), soci::use(grant.redirectUri),
            soci::use(grant.codeChallenge), soci::use(grant.userId), soci::use(now),
            soci::use(expiresAt);
        return {};
    });
    if (!stored) {
        return fail(std::move(stored).error());
    }
    return code;
}

Result<TokenGrant, TokenError> OAuthServer::exchangeCode(std::string_view code,
                                                         std::string_view clientId,
                                                         std::string_view redirectUri,
                                                         std::string_view codeVerifier)
{
    if (code.empty() || code.size() > 256) {
        return fail(invalidGrant("the authorization code is not valid"));
    }
    if (!isValidCodeVerifier(codeVerifier)) {
        return fail(refusal("invalid_request",
                            "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]"));
    }
    const std::string hash = sha256Hex(code);
    // Who the code is for, read first so the user lookup does not hold a second session.
    auto owner = m_db.withSession([&](soci::session &session) -> Result<std::string> {
        std::string userId;
        session << "SELECT user_id FROM oauth_codes WHERE code_hash = :hash", soci::into(userId),
            soci::use(hash);
        return session.got_data() ? userId : std::string{};
    });
    if (!owner) {
        return fail(serverFailure(std::move(owner).error()));
    }
    if (owner->empty()) {
        return fail(invalidGrant("the authorization code is not valid"));
    }
    auto user = m_identity.findUser(*owner);
    if (!user && user.error().code != ErrorCode::NotFound) {
        return fail(serverFailure(std::move(user).error()));
    }

    const std::string refreshToken = randomToken(32);
    const std::string client{clientId};
    auto decision = m_db.withSession([&](soci::session &session) -> Result<Decision> {
        const long long now = m_clock();
        soci::transaction transaction(session);
        if (!markUsed(session, "oauth_codes", "code_hash", hash, now)) {
            // Used before: whoever holds it now may have stolen it. Revoke what it produced.
            std::string familyId;
            soci::indicator familyInd = soci::i_null;
            session << "SELECT family_id FROM oauth_codes WHERE code_hash = :hash",
                soci::into(familyId, familyInd), soci::use(hash);
            if (familyInd == soci::i_ok) {
                revokeFamily(session, familyId, now);
            }
            transaction.commit();
            return Decision{invalidGrant("the authorization code was used already")};
        }
        std::string storedClient;
        std::string storedRedirect;
        std::string challenge;
        long long expiresAt = 0;
        session << "SELECT client_id, redirect_uri, code_challenge, expires_at FROM oauth_codes "
                   "WHERE code_hash = :hash",
            soci::into(storedClient), soci::into(storedRedirect), soci::into(challenge),
            soci::into(expiresAt), soci::use(hash);
        std::optional<TokenError> refused;
        if (now > expiresAt) {
            refused = invalidGrant("the authorization code has expired");
        } else if (storedClient != clientId) {
            refused = invalidGrant("the authorization code was issued to another client");
        } else if (storedRedirect != redirectUri) {
            refused = invalidGrant("redirect_uri differs from the authorization request");
        } else if (!constantTimeEqual(asBytes(s256Challenge(codeVerifier)), asBytes(challenge))) {
            refused = invalidGrant("code_verifier does not match the code_challenge");
        } else if (!user || user->disabled) {
            refused = invalidGrant("the account is not active");
        }
        if (refused) {
            transaction.commit(); // the code stays used: one guess per code
            return Decision{refused};
        }
        const std::string familyId = newId();
        session << "INSERT INTO oauth_token_families (id, user_id, client_id, created_at) "
                   "VALUES (:id, :user_id, :client_id, :now)",
            soci::use(familyId), soci::use(user->id), soci::use(client), soci::use(now);
        insertRefreshToken(session, sha256Hex(refreshToken), familyId, user->id, client, now,
                           now + m_settings.refreshTokenLifetime.count());
        session << "UPDATE oauth_codes SET family_id = :family WHERE code_hash = :hash",
            soci::use(familyId), soci::use(hash);
        transaction.commit();
        return Decision{};
    });
    return grantTokens(std::move(decision), user, clientId, refreshToken);
}

Result<TokenGrant, TokenError> OAuthServer::refresh(std::string_view refreshToken,
                                                    std::string_view clientId)
{
    if (refreshToken.empty() || refreshToken.size() > 256) {
        return fail(invalidGrant("the refresh token is not valid"));
    }
    const std::string hash = sha256Hex(refreshToken);
    struct Owner {
        std::string userId;
        std::string clientId;
    };
    auto owner = m_db.withSession([&](soci::session &session) -> Result<std::optional<Owner>> {
        Owner found;
        session << "SELECT user_id, client_id FROM oauth_refresh_tokens WHERE token_hash = :hash",
            soci::into(found.userId), soci::into(found.clientId), soci::use(hash);
        return session.got_data() ? std::optional<Owner>{found} : std::nullopt;
    });
    if (!owner) {
        return fail(serverFailure(std::move(owner).error()));
    }
    if (!*owner || (*owner)->clientId != clientId) {
        return fail(invalidGrant("the refresh token is not valid"));
    }
    auto user = m_identity.findUser((*owner)->userId);
    if (!user && user.error().code != ErrorCode::NotFound) {
        return fail(serverFailure(std::move(user).error()));
    }
    const std::string next = randomToken(32);
    const std::string client{clientId};
    auto decision = m_db.withSession([&](soci::session &session) -> Result<Decision> {
        const long long now = m_clock();
        soci::transaction transaction(session);
        const bool first = markUsed(session, "oauth_refresh_tokens", "token_hash", hash, now);
        std::string familyId;
        long long expiresAt = 0;
        session << "SELECT family_id, expires_at FROM oauth_refresh_tokens WHERE token_hash = "
                   ":hash",
            soci::into(familyId), soci::into(expiresAt), soci::use(hash);
        if (!first) {
            // Presented again: it leaked. The whole family goes, the legitimate holder's newest
            // token included; the user signs in again.
            revokeFamily(session, familyId, now);
            transaction.commit();
            return Decision{invalidGrant("the refresh token was used already")};
        }
        long long revokedAt = 0;
        soci::indicator revokedInd = soci::i_null;
        session << "SELECT revoked_at FROM oauth_token_families WHERE id = :id",
            soci::into(revokedAt, revokedInd), soci::use(familyId);
        std::optional<TokenError> refused;
        if (revokedInd == soci::i_ok) {
            refused = invalidGrant("the refresh token has been revoked");
        } else if (now > expiresAt) {
            refused = invalidGrant("the refresh token has expired");
        } else if (!user || user->disabled) {
            refused = invalidGrant("the account is not active");
        }
        if (refused) {
            transaction.commit();
            return Decision{refused};
        }
        insertRefreshToken(session, sha256Hex(next), familyId, user->id, client, now,
                           now + m_settings.refreshTokenLifetime.count());
        transaction.commit();
        return Decision{};
    });
    return grantTokens(std::move(decision), user, clientId, next);
}

Result<void> OAuthServer::revoke(std::string_view token, std::string_view clientId)
{
    if (token.empty() || token.size() > 256) {
        return {};
    }
    const std::string hash = sha256Hex(token);
    const std::string client{clientId};
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        const long long now = m_clock();
        std::string familyId;
        session << "SELECT family_id FROM oauth_refresh_tokens WHERE token_hash = :hash AND "
                   "client_id = :client_id",
            soci::into(familyId), soci::use(hash), soci::use(client);
        if (session.got_data()) {
            revokeFamily(session, familyId, now);
        }
        return {};
    });
}

Result<void> OAuthServer::revokeAllOf(std::string_view userId)
{
    const std::string id{userId};
    const long long now = m_clock();
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        session << "UPDATE oauth_token_families SET revoked_at = :now WHERE user_id = :user_id "
                   "AND revoked_at IS NULL",
            soci::use(now), soci::use(id);
        return {};
    });
}

Result<Principal> OAuthServer::authenticate(std::string_view accessToken) const
{
    const std::int64_t now = m_clock();
    if (const auto known = m_verified.find(accessToken, now)) {
        return principalOf(*known);
    }
    auto claims = m_codec.verify(accessToken, now);
    if (!claims) {
        return fail(std::move(claims).error());
    }
    m_verified.store(accessToken, *claims, now);
    return principalOf(*claims);
}

} // namespace toolhub::server
