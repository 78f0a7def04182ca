// Access tokens (signed, verified without the database), CSRF tokens and PKCE helpers.

#include "core/auth/access_token.h"
#include "core/auth/keys.h"
#include "core/auth/oauth.h"
#include "core/auth/sessions.h"
#include "toolhub/crypto.h"

#include <QTest>

using namespace toolhub;
using namespace toolhub::server;

namespace {

MacKey randomKey()
{
    MacKey key;
    randomBytes({key.data(), key.size()});
    return key;
}

AccessTokenClaims sampleClaims()
{
    return {"0123456789abcdef0123456789abcdef",
            "fedcba9876543210fedcba9876543210",
            "toolhub-desktop",
            "00112233445566778899aabbccddeeff",
            1'000'000,
            1'000'600,
            3};
}

// The token with one character of part `part` (0 payload, 1 signature) changed.
std::string flipCharacter(std::string token, int part)
{
    const auto dot = token.find('.');
    const std::size_t index = part == 0 ? dot / 2 : dot + 1 + (token.size() - dot - 1) / 2;
    token[index] = token[index] == 'A' ? 'B' : 'A';
    return token;
}

} // namespace

class AccessTokenTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(initCrypto().ok()); }

    void signedTokenVerifiesToTheSameClaims()
    {
        const AccessTokenCodec codec(randomKey());
        const auto claims = sampleClaims();
        const auto token = codec.sign(claims);
        QCOMPARE(std::count(token.begin(), token.end(), '.'), 1);
        for (const char c : token) {
            QVERIFY2(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                         c == '.',
                     token.c_str());
        }
        const auto verified = codec.verify(token, claims.issuedAt + 10);
        QVERIFY2(verified.ok(), verified.ok() ? "" : verified.error().message.c_str());
        QVERIFY(*verified == claims);
        const auto principal = principalOf(*verified);
        QCOMPARE(principal.userId, claims.subject);
        QCOMPARE(principal.organizationId, claims.organizationId);
        QCOMPARE(principal.clientId, claims.clientId);
    }

    void expiredTokenIsRefused()
    {
        const AccessTokenCodec codec(randomKey());
        const auto claims = sampleClaims();
        const auto token = codec.sign(claims);
        QVERIFY(codec.verify(token, claims.expiresAt - 1).ok());
        const auto atExpiry = codec.verify(token, claims.expiresAt);
        QVERIFY(!atExpiry.ok());
        QCOMPARE(atExpiry.error().code, ErrorCode::Unauthenticated);
        QVERIFY(!codec.verify(token, claims.expiresAt + 3600).ok());
    }

    void verifiedTokensAreKeptUntilTheyExpire()
    {
        const AccessTokenCodec codec(randomKey());
        const auto claims = sampleClaims();
        const auto token = codec.sign(claims);
        VerifiedTokenCache cache(2);
        QVERIFY(!cache.find(token, claims.issuedAt));
        cache.store(token, claims, claims.issuedAt);
        const auto found = cache.find(token, claims.expiresAt - 1);
        QVERIFY(found && *found == claims);
        QVERIFY(!cache.find(token, claims.expiresAt)); // expired, exactly as verify() says
        // Only the exact text: a prefix, an extension or a changed character is unknown.
        QVERIFY(!cache.find(token.substr(0, token.size() - 1), claims.issuedAt));
        QVERIFY(!cache.find(token + "A", claims.issuedAt));
        QVERIFY(!cache.find(flipCharacter(token, 1), claims.issuedAt));

        // Full: expired tokens make room first, then everything goes.
        auto later = claims;
        later.issuedAt = claims.expiresAt;
        later.expiresAt = claims.expiresAt + 600;
        const auto second = codec.sign(later);
        cache.store(second, later, later.issuedAt);
        QCOMPARE(cache.size(), std::size_t{2});
        auto third = later;
        third.tokenId = "ffeeddccbbaa99887766554433221100";
        cache.store(codec.sign(third), third, later.issuedAt);
        QCOMPARE(cache.size(), std::size_t{2}); // the first, expired, made room
        QVERIFY(cache.find(second, later.issuedAt));
        auto fourth = later;
        fourth.tokenId = "00000000000000000000000000000001";
        cache.store(codec.sign(fourth), fourth, later.issuedAt);
        QCOMPARE(cache.size(), std::size_t{1});
        QVERIFY(cache.find(codec.sign(fourth), later.issuedAt));
    }

    void tokenFromTheFutureIsRefused()
    {
        const AccessTokenCodec codec(randomKey());
        const auto claims = sampleClaims();
        QVERIFY(!codec.verify(codec.sign(claims), claims.issuedAt - 3600).ok());
    }

    void otherKeysTokenIsRefused()
    {
        const AccessTokenCodec ours(randomKey());
        const AccessTokenCodec theirs(randomKey());
        const auto claims = sampleClaims();
        const auto verified = ours.verify(theirs.sign(claims), claims.issuedAt);
        QVERIFY(!verified.ok());
        QCOMPARE(verified.error().code, ErrorCode::Unauthenticated);
    }

    void tamperedTokenIsRefused()
    {
        const AccessTokenCodec codec(randomKey());
        const auto claims = sampleClaims();
        const auto token = codec.sign(claims);
        QVERIFY(!codec.verify(flipCharacter(token, 0), claims.issuedAt).ok());
        QVERIFY(!codec.verify(flipCharacter(token, 1), claims.issuedAt).ok());

        // A payload for another user with the original signature.
        auto forged = claims;
        forged.subject = "ffffffffffffffffffffffffffffffff";
        const auto other = codec.sign(forged);
        const auto spliced = other.substr(0, other.find('.')) + token.substr(token.find('.'));
        QVERIFY(!codec.verify(spliced, claims.issuedAt).ok());
    }

    void malformedTokensAreRefused_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no dot") << QByteArray("abc");
        QTest::newRow("two dots") << QByteArray("a.b.c");
        QTest::newRow("empty parts") << QByteArray(".");
        QTest::newRow("not base64") << QByteArray("a*b.c$d");
        QTest::newRow("huge") << QByteArray(10000, 'a');
        QTest::newRow("jwt none") << QByteArray("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
    }

    void malformedTokensAreRefused()
    {
        QFETCH(QByteArray, token);
        const AccessTokenCodec codec(randomKey());
        const auto verified = codec.verify(token.toStdString(), 1'000'000);
        QVERIFY(!verified.ok());
        QCOMPARE(verified.error().code, ErrorCode::Unauthenticated);
    }

    void derivedKeysDifferPerPurpose()
    {
        const auto master = randomKey();
        const auto keys = AuthKeys::derive(master);
        QVERIFY(!(keys.accessToken == keys.csrf));
        QVERIFY(!(keys.accessToken == master));
        QVERIFY(AuthKeys::derive(master).accessToken == keys.accessToken);
    }

    void csrfTokenIsBoundToPurposeAndCookie()
    {
        const CsrfTokens csrf(randomKey());
        const auto token = csrf.tokenFor("signin", "cookie-a");
        QVERIFY(csrf.verify("signin", "cookie-a", token));
        QVERIFY(!csrf.verify("signin", "cookie-b", token));
        QVERIFY(!csrf.verify("session", "cookie-a", token));
        QVERIFY(!csrf.verify("signin", "", token));
        QVERIFY(!csrf.verify("signin", "cookie-a", ""));
        QVERIFY(!csrf.verify("signin", "cookie-a", token + "A"));
        const CsrfTokens other(randomKey());
        QVERIFY(!other.verify("signin", "cookie-a", token));
    }

    void pkceS256MatchesRfc7636Example()
    {
        // RFC 7636 Appendix B.
        QCOMPARE(s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                 std::string{"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"});
        QVERIFY(isValidS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        QVERIFY(!isValidS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"));
        QVERIFY(!isValidS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"));
        QVERIFY(isValidCodeVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        QVERIFY(!isValidCodeVerifier("short"));
        QVERIFY(!isValidCodeVerifier(std::string(129, 'a')));
        QVERIFY(!isValidCodeVerifier(std::string(43, 'a') + " "));
    }

    void onlyTheDesktopClientIsRegistered()
    {
        QVERIFY(findOAuthClient("toolhub-desktop") != nullptr);
        QVERIFY(findOAuthClient("toolhub-desktop ") == nullptr);
        QVERIFY(findOAuthClient("") == nullptr);
        QVERIFY(findOAuthClient("evil") == nullptr);
    }
};

QTEST_APPLESS_MAIN(AccessTokenTest)
#include "access_token_test.moc"
