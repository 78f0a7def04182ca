// The identity and auth modules over a real SQLite database with a clock the test moves:
// local passwords, throttling windows, sessions, and the OAuth code and refresh-token rules.

#include "core/auth/auth_module.h"
#include "core/migrations/migration_runner.h"
#include "core/storage/database.h"

#include <QTemporaryDir>
#include <QTest>

using namespace toolhub;
using namespace toolhub::server;

class SignInTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        const auto url = parseDatabaseUrl("sqlite://" + m_dir.path().toStdString() + "/" +
                                          std::to_string(++m_round) + ".db");
        QVERIFY(url.ok());
        auto db = Database::open(*url, 2);
        QVERIFY(db.ok());
        m_db = std::move(db).value();
        QVERIFY(migrate(*m_db, embeddedMigrations(), "test").ok());
        m_now = 1'800'000'000;
        AuthSettings settings;
        settings.passwordCost = PasswordHashCost::minimum();
        auto auth = AuthModule::create(*m_db, settings, [this] { return m_now; });
        QVERIFY(auth.ok());
        m_auth = std::move(auth).value();
        auto org = m_auth->identity().createOrganization("acme", "Acme");
        QVERIFY(org.ok());
        auto user = m_auth->identity().createLocalUser(
            {org->id, "Alice", "Alice A", "alice@acme.example", "password-1"});
        QVERIFY2(user.ok(), user.ok() ? "" : user.error().message.c_str());
        m_userId = user->id;
    }

    void cleanup()
    {
        m_auth.reset();
        m_db.reset();
    }

    void localPasswordSignIn()
    {
        auto &identity = m_auth->identity();
        QVERIFY(identity.verifyLocalPassword("alice", "password-1").ok());
        QVERIFY(identity.verifyLocalPassword("ALICE", "password-1").ok());
        for (const auto &[login, pass] :
             {std::pair{"alice", "password-2"}, std::pair{"nobody", "password-1"},
              std::pair{"", "password-1"}, std::pair{"alice", ""}}) {
            const auto refused = identity.verifyLocalPassword(login, pass);
            QVERIFY(!refused.ok());
            QCOMPARE(refused.error().code, ErrorCode::Unauthenticated);
            QCOMPARE(refused.error().message, std::string{"wrong login or password"});
        }
        QVERIFY(identity.disableUser(m_userId).ok());
        QVERIFY(!identity.verifyLocalPassword("alice", "password-1").ok());
        QCOMPARE(m_auth->signInMethods().size(), std::size_t{1});
        QCOMPARE(m_auth->signInMethods().front()->name(), std::string_view{"local"});
    }

    void duplicateLoginIsRefusedIgnoringCase()
    {
        const auto org = m_auth->identity().findOrganizationBySlug("acme");
        const auto again = m_auth->identity().createLocalUser(
            {org->id, "ALICE", "Other", "o@acme.example", "password-9"});
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, ErrorCode::AlreadyExists);
    }

    void throttleSlidesWithTheWindow()
    {
        auto &throttle = m_auth->throttle();
        for (int i = 0; i < 10; ++i) {
            const auto wait = throttle.retryAfter("alice", "10.0.0.1");
            QVERIFY(wait.ok() && !*wait);
            QVERIFY(throttle.recordFailure("alice", "10.0.0.1").ok());
            m_now += 2; // failures at +0, +2, ..., +18
        }
        // Now +20: ten failures in the last minute. The oldest (+0) leaves at +60.
        const auto wait = throttle.retryAfter("alice", "10.0.0.2");
        QVERIFY(wait.ok() && *wait);
        QVERIFY2(**wait >= 40 && **wait <= 41, std::to_string(**wait).c_str());
        // Another account from the same address is not throttled (10 < 100 per address).
        QVERIFY(!throttle.retryAfter("bob", "10.0.0.1").value().has_value());
        m_now += **wait;
        QVERIFY(!throttle.retryAfter("alice", "10.0.0.2").value().has_value());
    }

    void throttlePerAddress()
    {
        auto &throttle = m_auth->throttle();
        for (int i = 0; i < 100; ++i) {
            QVERIFY(throttle.recordFailure("user" + std::to_string(i), "10.0.0.9").ok());
        }
        QVERIFY(throttle.retryAfter("someone", "10.0.0.9").value().has_value());
        QVERIFY(!throttle.retryAfter("someone", "10.0.0.8").value().has_value());
    }

    void sessionsExpire()
    {
        auto &sessions = m_auth->sessions();
        const auto token = sessions.create(m_userId);
        QVERIFY(token.ok());
        QVERIFY(token->size() >= 43);
        QCOMPARE(sessions.find(*token).value().userId, m_userId);
        QVERIFY(!sessions.find(*token + "x").ok());
        m_now += sessions.lifetime().count();
        QVERIFY(!sessions.find(*token).ok());
    }

    void codeLivesSixtySecondsAndIsSingleUse()
    {
        auto &oauth = m_auth->oauth();
        const std::string verifier(43, 'v');
        const AuthorizationGrant grant{std::string{desktopClientId}, "http://127.0.0.1:5000/cb",
                                       s256Challenge(verifier), m_userId};
        auto code = oauth.issueCode(grant);
        QVERIFY(code.ok());
        m_now += 61;
        auto late = oauth.exchangeCode(*code, desktopClientId, grant.redirectUri, verifier);
        QVERIFY(!late.ok());
        QCOMPARE(late.error().error, std::string{"invalid_grant"});

        code = oauth.issueCode(grant);
        m_now += 60;
        auto inTime = oauth.exchangeCode(*code, desktopClientId, grant.redirectUri, verifier);
        QVERIFY(inTime.ok());
        QCOMPARE(inTime->expiresIn, std::int64_t{600});
        const auto principal = oauth.authenticate(inTime->accessToken);
        QVERIFY(principal.ok());
        QCOMPARE(principal->userId, m_userId);
        m_now += 600;
        QVERIFY(!oauth.authenticate(inTime->accessToken).ok()); // 10 minutes, then gone
    }

    void refreshFamilyIsRevokedOnReuse()
    {
        auto &oauth = m_auth->oauth();
        const std::string verifier(64, 'w');
        const AuthorizationGrant grant{std::string{desktopClientId}, "http://[::1]:5000/cb",
                                       s256Challenge(verifier), m_userId};
        const auto code = oauth.issueCode(grant);
        auto first = oauth.exchangeCode(*code, desktopClientId, grant.redirectUri, verifier);
        QVERIFY(first.ok());
        auto second = oauth.refresh(first->refreshToken, desktopClientId);
        QVERIFY(second.ok());
        QVERIFY(!oauth.refresh(second->refreshToken, "other-client").ok());
        auto reuse = oauth.refresh(first->refreshToken, desktopClientId);
        QVERIFY(!reuse.ok());
        QVERIFY(!oauth.refresh(second->refreshToken, desktopClientId).ok());
    }

private:
    QTemporaryDir m_dir;
    int m_round = 0;
    std::int64_t m_now = 0;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AuthModule> m_auth;
    std::string m_userId;
};

QTEST_APPLESS_MAIN(SignInTest)
#include "sign_in_test.moc"
