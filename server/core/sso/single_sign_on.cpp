#include "core/sso/single_sign_on.h"

#include "core/auth/oauth.h"
#include "core/storage/query.h"
#include "toolhub/crypto.h"
#include "toolhub/sha256.h"

#include <algorithm>
#include <set>

namespace toolhub::server::sso {

namespace {

constexpr std::size_t maxStateSize = 256;

std::string stringClaim(const nlohmann::json &claims, const std::string &name)
{
    const auto it = claims.find(name);
    return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// Whether the claim holds `value`: equal to it, or a list containing it.
bool claimHolds(const nlohmann::json &claims, const std::string &name, const std::string &value)
{
    const auto it = claims.find(name);
    if (it == claims.end()) {
        return false;
    }
    const auto equals = [&](const nlohmann::json &entry) {
        return entry.is_string() ? entry.get<std::string>() == value
                                 : !entry.is_structured() && entry.dump() == value;
    };
    if (it->is_array()) {
        return std::any_of(it->begin(), it->end(), equals);
    }
    return equals(*it);
}

std::string truncated(std::string text, std::size_t size)
{
    if (text.size() > size) {
        text.resize(size);
    }
    return text;
}

} // namespace

struct SingleSignOn::Pending {
    std::string nonceHash;
    std::string codeVerifier;
    std::string returnTo;
};

SingleSignOn::SingleSignOn(Database &db, AuthModule &auth, HttpClient &http, GrantReplacer grants,
                           Clock clock, const std::map<std::string, OidcProviderConfig> &providers,
                           SsoSettings settings)
    : m_db(db), m_auth(auth), m_grants(std::move(grants)), m_clock(std::move(clock)),
      m_settings(std::move(settings))
{
    for (const auto &[id, config] : providers) {
        m_providers.emplace(
            id, std::make_unique<OidcProvider>(config, http, m_clock, m_settings.clockSkew));
    }
}

std::vector<SsoProviderButton> SingleSignOn::buttons() const
{
    std::vector<SsoProviderButton> out;
    for (const auto &[id, provider] : m_providers) {
        const auto &label = provider->config().label;
        out.push_back({id, label.empty() ? "Sign in with " + id : label});
    }
    return out;
}

OidcProvider *SingleSignOn::provider(std::string_view id) const
{
    const auto it = m_providers.find(id);
    return it == m_providers.end() ? nullptr : it->second.get();
}

std::string SingleSignOn::redirectUri(std::string_view providerId) const
{
    return m_settings.publicUrl + "/signin/oidc/" + std::string{providerId} + "/callback";
}

std::string SingleSignOn::postLogoutRedirectUri() const
{
    return m_settings.publicUrl + "/signin";
}

std::map<std::string, Error> SingleSignOn::warmUp()
{
    std::map<std::string, Error> failures;
    for (const auto &[id, provider] : m_providers) {
        if (auto meta = provider->metadata(); !meta) {
            failures.emplace(id, meta.error());
        }
    }
    return failures;
}

Result<std::string> SingleSignOn::begin(std::string_view providerId, std::string_view binding,
                                        std::string_view returnTo)
{
    auto *p = provider(providerId);
    if (p == nullptr) {
        return fail(ErrorCode::NotFound,
                    "no identity provider \"" + truncated(std::string{providerId}, 32) + "\"");
    }
    auto meta = p->metadata();
    if (!meta) {
        return fail(std::move(meta).error());
    }
    const std::string state = randomToken(32);
    const std::string nonce = randomToken(32);
    const std::string verifier = randomToken(32);
    const std::string stateHash = sha256Hex(state);
    const std::string bindingHash = sha256Hex(binding);
    const std::string nonceHash = sha256Hex(nonce);
    const std::string id{providerId};
    const std::string back{returnTo};
    const long long now = m_clock();
    const long long expires = now + m_settings.signInLifetime.count();
    auto stored = m_db.withSession([&](soci::session &session) -> Result<void> {
        session << "DELETE FROM sso_sign_ins WHERE expires_at < :now", soci::use(now);
        session << "INSERT INTO sso_sign_ins (state_hash, provider_id, binding_hash, nonce_hash, "
                   "code_verifier, return_to, created_at, expires_at) VALUES (:state_hash, "
                   ":provider_id, :binding_hash, :nonce_hash, :code_verifier, :return_to, :now, "
                   ":expires_at)",
            soci::use(stateHash), soci::use(id), soci::use(bindingHash), soci::use(nonceHash),
            soci::use(verifier), soci::use(back), soci::use(now), soci::use(expires);
        return {};
    });
    if (!stored) {
        return fail(std::move(stored).error());
    }
    const auto &config = p->config();
    std::string url = meta->authorizationEndpoint;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "response_type=code&client_id=" + formEncode(config.clientId) +
           "&redirect_uri=" + formEncode(redirectUri(providerId)) +
           "&scope=" + formEncode(config.scopes) + "&state=" + formEncode(state) +
           "&nonce=" + formEncode(nonce) + "&code_challenge=" + s256Challenge(verifier) +
           "&code_challenge_method=S256";
    return url;
}

Result<SingleSignOn::Pending>
SingleSignOn::consume(std::string_view providerId, std::string_view state, std::string_view binding)
{
    const auto refused = [] {
        return fail(ErrorCode::PermissionDenied,
                    "this sign-in has expired, was already used or was started in another "
                    "browser: start it again from the sign-in page");
    };
    if (state.empty() || state.size() > maxStateSize || binding.empty()) {
        return refused();
    }
    const std::string stateHash = sha256Hex(state);
    const std::string bindingHash = sha256Hex(binding);
    const long long now = m_clock();
    return m_db.withSession([&](soci::session &session) -> Result<Pending> {
        Pending pending;
        std::string storedProvider;
        std::string storedBinding;
        long long expiresAt = 0;
        soci::indicator usedIndicator = soci::i_null;
        long long usedAt = 0;
        session << "SELECT provider_id, binding_hash, nonce_hash, code_verifier, return_to, "
                   "expires_at, used_at FROM sso_sign_ins WHERE state_hash = :state_hash",
            soci::into(storedProvider), soci::into(storedBinding), soci::into(pending.nonceHash),
            soci::into(pending.codeVerifier), soci::into(pending.returnTo), soci::into(expiresAt),
            soci::into(usedAt, usedIndicator), soci::use(stateHash);
        if (!session.got_data() || usedIndicator != soci::i_null || now >= expiresAt ||
            storedProvider != providerId || storedBinding != bindingHash) {
            return refused();
        }
        soci::statement statement =
            (session.prepare << "UPDATE sso_sign_ins SET used_at = :now WHERE state_hash = "
                                ":state_hash AND used_at IS NULL",
             soci::use(now), soci::use(stateHash));
        statement.execute(true);
        if (statement.get_affected_rows() != 1) {
            return refused();
        }
        return pending;
    });
}

Result<std::string> SingleSignOn::abandon(std::string_view providerId, std::string_view state,
                                          std::string_view binding)
{
    auto pending = consume(providerId, state, binding);
    if (!pending) {
        return fail(std::move(pending).error());
    }
    return pending->returnTo;
}

Result<SsoSignIn> SingleSignOn::complete(std::string_view providerId, std::string_view state,
                                         std::string_view code, std::string_view binding,
                                         std::optional<std::string_view> responseIssuer)
{
    auto *p = provider(providerId);
    if (p == nullptr) {
        return fail(ErrorCode::NotFound,
                    "no identity provider \"" + truncated(std::string{providerId}, 32) + "\"");
    }
    auto pending = consume(providerId, state, binding);
    if (!pending) {
        return fail(std::move(pending).error());
    }
    if (responseIssuer && *responseIssuer != p->config().issuer) {
        return fail(ErrorCode::Unauthenticated,
                    "the answer comes from another issuer than this provider's (iss)");
    }
    if (code.empty() || code.size() > 4096) {
        return fail(ErrorCode::Unauthenticated, "the provider's answer has no code");
    }
    auto idToken = p->exchangeCode(code, redirectUri(providerId), pending->codeVerifier);
    if (!idToken) {
        return fail(std::move(idToken).error());
    }
    auto claims = p->verifyIdToken(*idToken, pending->nonceHash);
    if (!claims) {
        return fail(std::move(claims).error());
    }
    auto signIn = signInUser(*p, *claims);
    if (!signIn) {
        return signIn;
    }
    signIn->returnTo = pending->returnTo;
    signIn->idToken = std::move(idToken).value();
    signIn->sessionId = claims->sessionId;
    return signIn;
}

Result<SsoSignIn> SingleSignOn::signInUser(OidcProvider &provider, const IdTokenClaims &claims)
{
    const auto &config = provider.config();
    IdentityStore &identity = m_auth.identity();
    NewExternalUser profile;
    profile.issuer = config.issuer;
    profile.subject = claims.subject;
    profile.email = truncated(stringClaim(claims.claims, config.emailClaim), 320);
    profile.displayName = truncated(stringClaim(claims.claims, config.nameClaim), 200);
    if (profile.displayName.empty()) {
        profile.displayName = profile.email.empty() ? claims.subject : profile.email;
    }

    std::vector<MatchedRule> matched;
    for (const auto &[number, rule] : config.rules) {
        const std::string claim = rule.claim == "groups" ? config.groupsClaim : rule.claim;
        if (rule.claim.empty() || claimHolds(claims.claims, claim, rule.value)) {
            matched.push_back({number, &rule.target});
        }
    }
    auto mapping = applyMappingRules(identity, matched, "oidc." + config.id + ".rule.");
    if (!mapping) {
        return fail(std::move(mapping).error());
    }
    profile.organizationId = std::move(mapping->organizationId);
    SsoSignIn signIn;
    signIn.providerId = config.id;
    signIn.grants = std::move(mapping->grants);
    signIn.ruleProblems = std::move(mapping->problems);

    auto user = identity.findExternalUser(profile.issuer, profile.subject);
    if (!user && user.error().code == ErrorCode::NotFound) {
        user = identity.createExternalUser(profile);
        signIn.created = user.ok();
        if (!user && user.error().code == ErrorCode::AlreadyExists) {
            user = identity.findExternalUser(profile.issuer, profile.subject); // a race
            signIn.created = false;
        }
    }
    if (!user) {
        return fail(std::move(user).error());
    }
    if (user->disabled) {
        return fail(ErrorCode::FailedPrecondition,
                    "this account is disabled: ask an administrator of Toolhub");
    }
    if (!signIn.created) {
        user = identity.updateExternalProfile(user->id, profile);
        if (!user) {
            return fail(std::move(user).error());
        }
    }
    if (m_grants) {
        auto skipped = m_grants(user->id, "oidc:" + config.id, signIn.grants);
        if (!skipped) {
            return fail(std::move(skipped).error());
        }
        signIn.skippedGrants.insert(signIn.skippedGrants.end(), skipped->begin(), skipped->end());
    }
    signIn.user = std::move(user).value();
    return signIn;
}

Result<void> SingleSignOn::rememberSession(std::string_view sessionToken, const SsoSignIn &signIn)
{
    const std::string hash = sha256Hex(sessionToken);
    const long long now = m_clock();
    const long long expires = now + m_auth.sessions().lifetime().count();
    std::string sid = truncated(signIn.sessionId, 255);
    soci::indicator sidIndicator = sid.empty() ? soci::i_null : soci::i_ok;
    return m_db.withSession([&](soci::session &session) -> Result<void> {
        session << "DELETE FROM sso_sessions WHERE expires_at < :now", soci::use(now);
        session << "INSERT INTO sso_sessions (session_hash, provider_id, user_id, sid, id_token, "
                   "created_at, expires_at) VALUES (:session_hash, :provider_id, :user_id, :sid, "
                   ":id_token, :now, :expires_at)",
            soci::use(hash), soci::use(signIn.providerId), soci::use(signIn.user.id),
            soci::use(sid, sidIndicator), soci::use(signIn.idToken), soci::use(now),
            soci::use(expires);
        return {};
    });
}

Result<std::optional<std::string>> SingleSignOn::signOutUrl(std::string_view sessionToken)
{
    const std::string hash = sha256Hex(sessionToken);
    std::string providerId;
    std::string idToken;
    auto found = m_db.withSession([&](soci::session &session) -> Result<bool> {
        session << "SELECT provider_id, id_token FROM sso_sessions WHERE session_hash = :hash",
            soci::into(providerId), soci::into(idToken), soci::use(hash);
        const bool got = session.got_data();
        session << "DELETE FROM sso_sessions WHERE session_hash = :hash", soci::use(hash);
        return got;
    });
    if (!found) {
        return fail(std::move(found).error());
    }
    auto *p = *found ? provider(providerId) : nullptr;
    if (p == nullptr) {
        return std::optional<std::string>{};
    }
    auto meta = p->metadata();
    if (!meta || meta->endSessionEndpoint.empty()) {
        return std::optional<std::string>{}; // the local session ends all the same
    }
    std::string url = meta->endSessionEndpoint;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "id_token_hint=" + formEncode(idToken) +
           "&post_logout_redirect_uri=" + formEncode(postLogoutRedirectUri()) +
           "&client_id=" + formEncode(p->config().clientId);
    return std::optional<std::string>{std::move(url)};
}

Result<SsoLogout> SingleSignOn::backchannelLogout(std::string_view providerId,
                                                  std::string_view logoutToken)
{
    auto *p = provider(providerId);
    if (p == nullptr) {
        return fail(ErrorCode::NotFound,
                    "no identity provider \"" + truncated(std::string{providerId}, 32) + "\"");
    }
    auto claims = p->verifyLogoutToken(logoutToken);
    if (!claims) {
        return fail(ErrorCode::InvalidArgument, "logout token refused: " + claims.error().message);
    }
    std::set<std::string> userIds;
    if (!claims->subject.empty()) {
        auto user = m_auth.identity().findExternalUser(p->config().issuer, claims->subject);
        if (user) {
            userIds.insert(user->id);
        } else if (user.error().code != ErrorCode::NotFound) {
            return fail(std::move(user).error());
        }
    }
    if (!claims->sessionId.empty()) {
        const std::string id{providerId};
        auto bySid =
            m_db.withSession([&](soci::session &session) -> Result<std::vector<std::string>> {
                struct Row {
                    std::string userId;
                    void bind(soci::statement &statement)
                    {
                        statement.exchange(soci::into(userId));
                    }
                } row;
                return fetchRows(session,
                                 "SELECT DISTINCT user_id FROM sso_sessions WHERE provider_id = "
                                 ":provider_id AND sid = :sid",
                                 {{"provider_id", id}, {"sid", claims->sessionId}}, row,
                                 [](Row &r) { return r.userId; });
            });
        if (!bySid) {
            return fail(std::move(bySid).error());
        }
        userIds.insert(bySid->begin(), bySid->end());
    }
    SsoLogout logout;
    for (const auto &userId : userIds) {
        if (auto ended = m_auth.endUserSessions(userId); !ended) {
            return fail(std::move(ended).error());
        }
        auto forgotten = m_db.withSession([&](soci::session &session) -> Result<void> {
            session << "DELETE FROM sso_sessions WHERE user_id = :user_id", soci::use(userId);
            return {};
        });
        if (!forgotten) {
            return fail(std::move(forgotten).error());
        }
        logout.userIds.push_back(userId);
    }
    return logout;
}

} // namespace toolhub::server::sso
