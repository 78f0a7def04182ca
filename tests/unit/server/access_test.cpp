// The access module (roles, grants, groups), service accounts, and ending a user's sessions, over
// real SQLite and PostgreSQL databases with a clock the test moves.

#include "core/access/access.h"
#include "core/access/service_accounts.h"
#include "core/auth/auth_module.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "test_database.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace toolhub;
using namespace toolhub::server;
using toolhub::test::addBackendRows;
using toolhub::test::messageOf;
using toolhub::test::openMigratedDatabase;
using toolhub::test::PostgresCluster;

namespace {

bool contains(const std::vector<std::string> &values, std::string_view value)
{
    return std::find(values.begin(), values.end(), value) != values.end();
}

} // namespace

class AccessTest : public QObject {
    Q_OBJECT

private:
    PostgresCluster m_pg;
    QTemporaryDir m_dir;
    int m_counter = 0;
    std::int64_t m_now = 1'800'000'000;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AuthModule> m_auth;
    std::unique_ptr<AccessControl> m_access;
    std::unique_ptr<ServiceAccounts> m_services;
    Organization m_acme;
    Organization m_globex;
    User m_alice; // acme
    User m_dana;  // globex
    User m_staff; // no organization

    void open()
    {
        QFETCH(QString, backend);
        QString error;
        m_db =
            openMigratedDatabase(backend, m_dir, m_pg, QStringLiteral("access%1").arg(++m_counter),
                                 "access-test", &error);
        QVERIFY2(m_db, qPrintable(error));
        AuthSettings settings;
        settings.passwordCost = PasswordHashCost::minimum();
        auto auth = AuthModule::create(*m_db, settings, [this] { return m_now; });
        QVERIFY2(auth.ok(), messageOf(auth));
        m_auth = std::move(auth).value();
        m_access = std::make_unique<AccessControl>(*m_db, [this] { return m_now; });
        m_services = std::make_unique<ServiceAccounts>(*m_db, [this] { return m_now; });
        auto &identity = m_auth->identity();
        m_acme = *identity.createOrganization("acme", "Acme");
        m_globex = *identity.createOrganization("globex", "Globex");
        m_alice = *identity.createLocalUser(
            {m_acme.id, "alice", "Alice", "alice@acme.example", "password-1"});
        m_dana = *identity.createLocalUser(
            {m_globex.id, "dana", "Dana", "dana@globex.example", "password-2"});
        m_staff = *identity.createLocalUser({{}, "sam", "Sam", "sam@vendor.example", "password-3"});
    }

    Authorization authorizationOf(const User &user)
    {
        auto fresh = m_auth->identity().findUser(user.id);
        auto authorization = m_access->authorizationOf(*fresh);
        return authorization.ok() ? *authorization : Authorization{};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
    }

    void cleanupTestCase() { m_pg.stop(); }

    void cleanup()
    {
        m_services.reset();
        m_access.reset();
        m_auth.reset();
        m_db.reset();
    }

    void builtInRoles_data() { addBackendRows(); }
    void builtInRoles()
    {
        open();
        auto roles = m_access->roles();
        QVERIFY2(roles.ok(), messageOf(roles));
        QCOMPARE(roles->size(), std::size_t{5});
        for (const auto &role : *roles) {
            QVERIFY(role.builtIn);
            QVERIFY(std::is_sorted(role.permissions.begin(), role.permissions.end()));
        }
        const auto admin = m_access->findRole(role::admin);
        QCOMPARE(admin->permissions.size(), allPermissions().size());
        const auto customer = m_access->findRole(role::customer);
        QVERIFY(contains(customer->permissions, permission::catalogRead));
        QVERIFY(!contains(customer->permissions, permission::catalogManage));
        QVERIFY(!contains(customer->permissions, permission::orgUsersManage));
        QCOMPARE(m_access->findRole("nobody").error().code, ErrorCode::NotFound);
    }

    void membershipAndScopes_data() { addBackendRows(); }
    void membershipAndScopes()
    {
        open();
        const Scope acme = Scope::organization(m_acme.id);
        const Scope globex = Scope::organization(m_globex.id);
        // Every member holds customer in their own organization, and nothing elsewhere.
        auto alice = authorizationOf(m_alice);
        QVERIFY(alice.allows(permission::catalogRead, acme));
        QVERIFY(!alice.allows(permission::catalogRead, globex));
        QVERIFY(!alice.allowsGlobally(permission::catalogRead));
        QVERIFY(!alice.allows(permission::orgUsersManage, acme));
        QVERIFY(authorizationOf(m_staff).organizationsWith(permission::catalogRead).empty());
        QVERIFY(!authorizationOf(m_staff).allowsAnywhere(permission::catalogRead));

        // customer_admin in acme: managing people there only.
        QVERIFY(m_access->grant(m_alice.id, {std::string{role::customerAdmin}, acme}).ok());
        QVERIFY(m_access->grant(m_alice.id, {std::string{role::customerAdmin}, acme}).ok());
        alice = authorizationOf(m_alice);
        QVERIFY(alice.allows(permission::orgUsersManage, acme));
        QVERIFY(!alice.allows(permission::orgUsersManage, globex));
        QCOMPARE(alice.organizationsWith(permission::orgUsersManage),
                 std::vector<std::string>{m_acme.id});

        // support globally: every scope.
        QVERIFY(m_access->grant(m_staff.id, {std::string{role::support}, Scope::global()}).ok());
        const auto staff = authorizationOf(m_staff);
        QVERIFY(staff.allows(permission::licensesRead, acme));
        QVERIFY(staff.allows(permission::licensesRead, globex));
        QVERIFY(staff.allows(permission::licensesRead, Scope::project("p1")));
        QVERIFY(!staff.allowsAnywhere(permission::catalogManage));

        // A project grant covers only that project.
        QVERIFY(m_access->grant(m_dana.id, {"customer_admin", Scope::project("p1")}).ok());
        const auto dana = authorizationOf(m_dana);
        QVERIFY(dana.allows(permission::projectsManage, Scope::project("p1")));
        QVERIFY(!dana.allows(permission::projectsManage, Scope::project("p2")));
        QVERIFY(!dana.allows(permission::projectsManage, globex));

        // Bad grants.
        QCOMPARE(m_access->grant(m_alice.id, {"nobody", acme}).error().code, ErrorCode::NotFound);
        QCOMPARE(m_access->grant("no-such-user", {"customer", acme}).error().code,
                 ErrorCode::NotFound);
        QCOMPARE(
            m_access->grant(m_alice.id, {"customer", {ScopeKind::Organization, {}}}).error().code,
            ErrorCode::InvalidArgument);
        QCOMPARE(m_access->grant(m_alice.id, {"customer", {ScopeKind::Global, "x"}}).error().code,
                 ErrorCode::InvalidArgument);

        // Revoking takes the permission away; revoking again is NotFound.
        QVERIFY(m_access->revoke(m_alice.id, {std::string{role::customerAdmin}, acme}).ok());
        QVERIFY(!authorizationOf(m_alice).allows(permission::orgUsersManage, acme));
        QCOMPARE(
            m_access->revoke(m_alice.id, {std::string{role::customerAdmin}, acme}).error().code,
            ErrorCode::NotFound);
    }

    void customRoles_data() { addBackendRows(); }
    void customRoles()
    {
        open();
        const Scope acme = Scope::organization(m_acme.id);
        auto created = m_access->createRole(
            {"auditor", "Reads the audit log", {"audit.read", "audit.read", "licenses.read"}, {}});
        QVERIFY2(created.ok(), messageOf(created));
        QCOMPARE(created->permissions, (std::vector<std::string>{"audit.read", "licenses.read"}));
        QCOMPARE(m_access->roles()->size(), std::size_t{6});

        for (const auto &bad :
             {Role{"Auditor", "", {"audit.read"}, false}, Role{"9lives", "", {"audit.read"}, false},
              Role{"ok-name", "", {"audit.write"}, false}, Role{"ok-name", "", {}, false}}) {
            QCOMPARE(m_access->createRole(bad).error().code, ErrorCode::InvalidArgument);
        }
        QCOMPARE(m_access->createRole({"auditor", "", {"audit.read"}, false}).error().code,
                 ErrorCode::AlreadyExists);
        QCOMPARE(m_access->createRole({"admin", "", {"audit.read"}, false}).error().code,
                 ErrorCode::AlreadyExists);
        QCOMPARE(m_access->updateRole("admin", "", {"audit.read"}).error().code,
                 ErrorCode::FailedPrecondition);
        QCOMPARE(m_access->deleteRole("customer").error().code, ErrorCode::FailedPrecondition);

        QVERIFY(m_access->grant(m_alice.id, {"auditor", acme}).ok());
        QVERIFY(authorizationOf(m_alice).allows(permission::auditRead, acme));
        QVERIFY(m_access->updateRole("auditor", "Imports", {"imports.run"}).ok());
        QVERIFY(!authorizationOf(m_alice).allows(permission::auditRead, acme));
        QVERIFY(authorizationOf(m_alice).allows(permission::importsRun, acme));
        QVERIFY(m_access->deleteRole("auditor").ok());
        QVERIFY(!authorizationOf(m_alice).allowsAnywhere(permission::importsRun));
        QCOMPARE(m_access->grantsOf(m_alice)->size(), std::size_t{1}); // the membership only
        QCOMPARE(m_access->deleteRole("auditor").error().code, ErrorCode::NotFound);
    }

    void mappedGrantsKeepTheirSource_data() { addBackendRows(); }
    void mappedGrantsKeepTheirSource()
    {
        open();
        const Scope acme = Scope::organization(m_acme.id);
        QVERIFY(m_access->grant(m_alice.id, {"support", Scope::global()}).ok());
        auto skipped = m_access->replaceGrants(m_alice.id, "ldap",
                                               {{"customer_admin", acme}, {"deleted-role", acme}});
        QVERIFY2(skipped.ok(), messageOf(skipped));
        QCOMPARE(skipped->size(), std::size_t{1});
        QCOMPARE(skipped->front().role, std::string{"deleted-role"});
        QVERIFY(authorizationOf(m_alice).allows(permission::orgUsersManage, acme));

        // The next sign-in maps no group: the ldap grants go, the manual one stays.
        QVERIFY(m_access->replaceGrants(m_alice.id, "ldap", {}).ok());
        const auto alice = authorizationOf(m_alice);
        QVERIFY(!alice.allows(permission::orgUsersManage, acme));
        QVERIFY(alice.allowsGlobally(permission::serialsValidate));
        const auto grants = m_access->grantsOf(m_alice);
        QCOMPARE(grants->size(), std::size_t{2});
        QCOMPARE(grants->at(0).source, std::string{"membership"});
        QCOMPARE(grants->at(1).source, std::string{"manual"});
        QCOMPARE(m_access->replaceGrants(m_alice.id, "manual", {}).error().code,
                 ErrorCode::InvalidArgument);
    }

    void groups_data() { addBackendRows(); }
    void groups()
    {
        open();
        const Scope globex = Scope::organization(m_globex.id);
        auto group = m_access->createGroup({"Globex Admins", "ext-1", {m_dana.id, m_dana.id}});
        QVERIFY2(group.ok(), messageOf(group));
        QCOMPARE(group->memberIds, std::vector<std::string>{m_dana.id});
        QCOMPARE(m_access->createGroup({"globex admins", "", {}}).error().code,
                 ErrorCode::AlreadyExists);
        QCOMPARE(m_access->createGroup({"Other", "", {"no-such-user"}}).error().code,
                 ErrorCode::InvalidArgument);
        QCOMPARE(m_access->createGroup({"", "", {}}).error().code, ErrorCode::InvalidArgument);

        QVERIFY(m_access->setGroupGrants(group->id, {{"customer_admin", globex}}).ok());
        QVERIFY(authorizationOf(m_dana).allows(permission::orgUsersManage, globex));
        QVERIFY(!authorizationOf(m_alice).allowsAnywhere(permission::orgUsersManage));
        QCOMPARE(m_access->setGroupGrants(group->id, {{"nobody", globex}}).error().code,
                 ErrorCode::NotFound);

        QVERIFY(m_access->addMembers(group->id, {m_alice.id}).ok());
        QVERIFY(authorizationOf(m_alice).allows(permission::orgUsersManage, globex));
        QCOMPARE(m_access->groupsOf(m_alice.id)->size(), std::size_t{1});
        QVERIFY(m_access->removeMembers(group->id, {m_alice.id}).ok());
        QVERIFY(!authorizationOf(m_alice).allowsAnywhere(permission::orgUsersManage));

        auto renamed = m_access->renameGroup(group->id, "Globex Owners");
        QVERIFY2(renamed.ok(), messageOf(renamed));
        QCOMPARE(renamed->memberIds, std::vector<std::string>{m_dana.id});
        QCOMPARE(renamed->grants.size(), std::size_t{1});
        QCOMPARE(m_access->groups(std::string{"GLOBEX OWNERS"})->size(), std::size_t{1});
        QVERIFY(m_access->groups(std::string{"Globex Admins"})->empty());

        auto replaced = m_access->replaceGroup(group->id, {"Globex Owners", "ext-2", {}});
        QVERIFY(replaced.ok());
        QVERIFY(replaced->memberIds.empty());
        QVERIFY(!authorizationOf(m_dana).allows(permission::orgUsersManage, globex));

        QVERIFY(m_access->deleteGroup(group->id).ok());
        QCOMPARE(m_access->findGroup(group->id).error().code, ErrorCode::NotFound);
        QCOMPARE(m_access->deleteGroup(group->id).error().code, ErrorCode::NotFound);
    }

    void leavingAnOrganizationEndsItsRoles_data() { addBackendRows(); }
    void leavingAnOrganizationEndsItsRoles()
    {
        open();
        auto &identity = m_auth->identity();
        auto user = identity.createExternalUser(
            {m_acme.id, "https://idp.example", "sub-1", "Uma", "uma@acme.example"});
        QVERIFY2(user.ok(), messageOf(user));
        const Scope acme = Scope::organization(m_acme.id);
        QVERIFY(m_access->grant(user->id, {"customer_admin", acme}).ok());
        QVERIFY(m_access->grant(user->id, {"support", Scope::project("p1")}).ok());
        QVERIFY(authorizationOf(*user).allows(permission::orgUsersManage, acme));

        auto moved = identity.updateExternalProfile(
            user->id, {m_globex.id, "https://idp.example", "sub-1", "Uma", "uma@globex.example"});
        QVERIFY2(moved.ok(), messageOf(moved));
        QCOMPARE(moved->organizationId, m_globex.id);
        const auto uma = authorizationOf(*moved);
        QVERIFY(!uma.allows(permission::orgUsersManage, acme));
        QVERIFY(!uma.allows(permission::catalogRead, acme));
        QVERIFY(uma.allows(permission::catalogRead, Scope::organization(m_globex.id)));
        QVERIFY(uma.allows(permission::auditRead, Scope::project("p1"))); // other grants stay
    }

    void writesMoveTheRevision_data() { addBackendRows(); }
    void writesMoveTheRevision()
    {
        open();
        const auto before = m_access->revision();
        QVERIFY(before.ok());
        QVERIFY(m_access->grant(m_alice.id, {"support", Scope::global()}).ok());
        const auto afterGrant = m_access->revision();
        QVERIFY(*afterGrant > *before);
        QVERIFY(m_auth->identity().disableUser(m_alice.id).ok());
        QVERIFY(*m_access->revision() > *afterGrant);
    }

    void disablingEndsEverything_data() { addBackendRows(); }
    void disablingEndsEverything()
    {
        open();
        QVERIFY(m_access->grant(m_alice.id, {"support", Scope::global()}).ok());
        auto session = m_auth->sessions().create(m_alice.id);
        auto otherSession = m_auth->sessions().create(m_dana.id);
        QVERIFY(session.ok() && otherSession.ok());
        auto &oauth = m_auth->oauth();
        const std::string verifier(43, 'v');
        const AuthorizationGrant grant{std::string{desktopClientId}, "http://127.0.0.1:5000/cb",
                                       s256Challenge(verifier), m_alice.id};
        auto tokens = oauth.exchangeCode(*oauth.issueCode(grant), desktopClientId,
                                         grant.redirectUri, verifier);
        QVERIFY(tokens.ok());

        QVERIFY(m_auth->disableUser(m_alice.id).ok());
        QCOMPARE(m_auth->sessions().find(*session).error().code, ErrorCode::Unauthenticated);
        QVERIFY(m_auth->sessions().find(*otherSession).ok());
        const auto refreshed = oauth.refresh(tokens->refreshToken, desktopClientId);
        QVERIFY(!refreshed.ok());
        QCOMPARE(refreshed.error().error, std::string{"invalid_grant"});
        // A disabled user holds nothing, whatever their grants.
        QVERIFY(!authorizationOf(m_alice).allowsAnywhere(permission::catalogRead));
        QVERIFY(!authorizationOf(m_alice).allowsAnywhere(permission::serialsValidate));
        QVERIFY(m_auth->identity().enableUser(m_alice.id).ok());
        QVERIFY(authorizationOf(m_alice).allowsGlobally(permission::serialsValidate));
        QCOMPARE(m_auth->disableUser("no-such-user").error().code, ErrorCode::NotFound);
    }

    void serviceTokens_data() { addBackendRows(); }
    void serviceTokens()
    {
        open();
        auto account = m_services->create("erp-sync", "The ERP");
        QVERIFY2(account.ok(), messageOf(account));
        QCOMPARE(m_services->create("erp-sync", "").error().code, ErrorCode::AlreadyExists);
        QCOMPARE(m_services->create("ERP sync", "").error().code, ErrorCode::InvalidArgument);

        auto issued =
            m_services->issueToken(account->id, "nightly", {"serials.validate", "catalog.read"},
                                   ServiceAccounts::defaultTokenLifetime);
        QVERIFY2(issued.ok(), messageOf(issued));
        QVERIFY(isServiceTokenForm(issued->secret));
        QCOMPARE(issued->token.scopes,
                 (std::vector<std::string>{"catalog.read", "serials.validate"}));
        QCOMPARE(issued->token.expiresAt, m_now + ServiceAccounts::defaultTokenLifetime);

        // Only the hash is stored.
        const auto stored = m_db->withSession([&](soci::session &session) -> Result<int> {
            int count = 0;
            session << "SELECT count(*) FROM service_tokens WHERE token_hash = :secret",
                soci::into(count), soci::use(issued->secret);
            return count;
        });
        QCOMPARE(*stored, 0);

        for (const auto &[scopes, lifetime] :
             {std::pair{std::vector<std::string>{}, std::int64_t{3600}},
              std::pair{std::vector<std::string>{"users.manage"}, std::int64_t{3600}},
              std::pair{std::vector<std::string>{"catalog.read"}, std::int64_t{0}},
              std::pair{std::vector<std::string>{"catalog.read"},
                        ServiceAccounts::maxTokenLifetime + 1}}) {
            QCOMPARE(m_services->issueToken(account->id, "x", scopes, lifetime).error().code,
                     ErrorCode::InvalidArgument);
        }
        QCOMPARE(m_services->issueToken("no-such-account", "x", {"catalog.read"}, 60).error().code,
                 ErrorCode::NotFound);

        auto caller = m_services->authenticate(issued->secret);
        QVERIFY2(caller.ok(), messageOf(caller));
        QCOMPARE(caller->account.name, std::string{"erp-sync"});
        QCOMPARE(caller->token.lastUsedAt, m_now);
        m_now += 30;
        QVERIFY(m_services->authenticate(issued->secret).ok());
        QCOMPARE(m_services->tokens(account->id)->front().lastUsedAt, m_now - 30); // per minute
        m_now += 31;
        QVERIFY(m_services->authenticate(issued->secret).ok());
        QCOMPARE(m_services->tokens(account->id)->front().lastUsedAt, m_now);

        // A forged secret of the right form, a wrong form, a disabled account, a revoked and
        // an expired token: all the same refusal.
        std::string forged = issued->secret;
        forged.back() = forged.back() == 'A' ? 'B' : 'A';
        for (const auto &secret : {forged, std::string{"thsa_short"}, std::string{}}) {
            QCOMPARE(m_services->authenticate(secret).error().code, ErrorCode::Unauthenticated);
        }
        QVERIFY(m_services->setDisabled(account->id, true).ok());
        QCOMPARE(m_services->authenticate(issued->secret).error().code, ErrorCode::Unauthenticated);
        QVERIFY(m_services->setDisabled(account->id, false).ok());
        QVERIFY(m_services->authenticate(issued->secret).ok());

        auto shortLived = m_services->issueToken(account->id, "short", {"catalog.read"}, 60);
        QVERIFY(m_services->authenticate(shortLived->secret).ok());
        m_now += 60;
        QCOMPARE(m_services->authenticate(shortLived->secret).error().code,
                 ErrorCode::Unauthenticated);

        QVERIFY(m_services->revokeToken(account->id, issued->token.id).ok());
        QVERIFY(m_services->revokeToken(account->id, issued->token.id).ok());
        QCOMPARE(m_services->authenticate(issued->secret).error().code, ErrorCode::Unauthenticated);
        auto other = m_services->create("other", "");
        QCOMPARE(m_services->revokeToken(other->id, shortLived->token.id).error().code,
                 ErrorCode::NotFound);
        QCOMPARE(m_services->tokens(account->id)->size(), std::size_t{2});
    }
};

QTEST_GUILESS_MAIN(AccessTest)
#include "access_test.moc"
