// The SCIM directory over the identity and access modules, on SQLite and PostgreSQL: the
// settings the HTTP test does not cover (sub = externalId, no issuer, the default organization)
// and the table's own rules.

#include "core/access/access.h"
#include "core/auth/auth_module.h"
#include "core/scim/directory.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "test_database.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using toolhub::server::AccessControl;
using toolhub::server::AuthModule;
using toolhub::server::AuthSettings;
using toolhub::server::Database;
using toolhub::server::scim::Directory;
using toolhub::server::scim::DirectorySettings;
using toolhub::server::scim::ListQuery;
using toolhub::server::scim::parseFilter;
using toolhub::server::scim::SubjectAttribute;
using toolhub::test::addBackendRows;
using toolhub::test::messageOf;
using toolhub::test::openMigratedDatabase;
using toolhub::test::PostgresCluster;

namespace {

constexpr std::int64_t kNow = 1'793'491'200; // 2026-11-01T00:00:00Z
const std::string issuer = "https://login.example.net/tenant/v2.0";

nlohmann::json user(const std::string &userName, const std::string &externalId)
{
    nlohmann::json body{{"userName", userName}, {"displayName", "Test User"}};
    if (!externalId.empty()) {
        body["externalId"] = externalId;
    }
    return body;
}

// The error of a SCIM result as text; empty when it succeeded.
template <class T>
std::string why(const toolhub::server::scim::ScimResult<T> &result)
{
    if (result.ok()) {
        return {};
    }
    const auto &error = result.error();
    return std::to_string(error.status) + " " + error.scimType + ": " + error.detail;
}

} // namespace

class ScimDirectoryTest : public QObject {
    Q_OBJECT

private:
    PostgresCluster m_pg;
    QTemporaryDir m_dir;
    int m_counter = 0;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AuthModule> m_auth;
    std::unique_ptr<AccessControl> m_access;

    std::unique_ptr<Directory> open(const QString &backend, DirectorySettings settings)
    {
        QString error;
        m_db = openMigratedDatabase(backend, m_dir, m_pg, QStringLiteral("scim%1").arg(++m_counter),
                                    "scim-test", &error);
        if (!m_db) {
            QTest::qFail(qPrintable(error), __FILE__, __LINE__);
            return nullptr;
        }
        AuthSettings authSettings;
        authSettings.passwordCost = toolhub::PasswordHashCost::minimum();
        auto auth = AuthModule::create(*m_db, authSettings, [] { return kNow; });
        if (!auth) {
            QTest::qFail(messageOf(auth), __FILE__, __LINE__);
            return nullptr;
        }
        m_auth = std::move(auth).value();
        m_access = std::make_unique<AccessControl>(*m_db, [] { return kNow; });
        return std::make_unique<Directory>(*m_db, *m_auth, *m_access, std::move(settings),
                                           [] { return kNow; });
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
        m_access.reset();
        m_auth.reset();
        m_db.reset();
    }

    void externalIdAsSubject_data() { addBackendRows(); }
    void externalIdAsSubject()
    {
        QFETCH(QString, backend);
        auto directory = open(backend, {issuer, SubjectAttribute::ExternalId, ""});
        QVERIFY(directory);

        const auto missing = directory->createUser(user("ann@corp.example", ""));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().scimType, std::string{"invalidValue"});

        const auto created = directory->createUser(user("ann@corp.example", "oid-1234"));
        QVERIFY2(created.ok(), why(created).c_str());
        const auto id = (*created)["id"].get<std::string>();
        const auto found = m_auth->identity().findExternalUser(issuer, "oid-1234");
        QVERIFY2(found.ok(), messageOf(found));
        QCOMPARE(found->id, id);
        QVERIFY(found->organizationId.empty());

        // The userName is free to change; the externalId, the subject, is not.
        const auto renamed = directory->replaceUser(id, user("ann.b@corp.example", "oid-1234"));
        QVERIFY2(renamed.ok(), why(renamed).c_str());
        QVERIFY((*renamed)["userName"] == "ann.b@corp.example");
        const auto moved = directory->replaceUser(id, user("ann.b@corp.example", "oid-9999"));
        QVERIFY(!moved.ok());
        QCOMPARE(moved.error().scimType, std::string{"mutability"});

        // The old userName is free again; the new one is taken.
        QVERIFY(directory->createUser(user("ann@corp.example", "oid-5678")).ok());
        const auto taken = directory->createUser(user("ANN.B@corp.example", "oid-0000"));
        QVERIFY(!taken.ok());
        QCOMPARE(taken.error().status, 409U);
        QCOMPARE(taken.error().scimType, std::string{"uniqueness"});
        // So is the subject.
        const auto sameSubject = directory->createUser(user("other@corp.example", "oid-1234"));
        QVERIFY(!sameSubject.ok());
        QCOMPARE(sameSubject.error().scimType, std::string{"uniqueness"});
    }

    void withoutIssuerNoUserIsCreated_data() { addBackendRows(); }
    void withoutIssuerNoUserIsCreated()
    {
        QFETCH(QString, backend);
        auto directory = open(backend, {"", SubjectAttribute::UserName, ""});
        QVERIFY(directory);
        const auto created = directory->createUser(user("ann@corp.example", ""));
        QVERIFY(!created.ok());
        QCOMPARE(created.error().status, 501U);
        // Groups and existing users still work.
        QVERIFY(directory->createGroup({{"displayName", "Everyone"}}).ok());
    }

    void defaultOrganization_data() { addBackendRows(); }
    void defaultOrganization()
    {
        QFETCH(QString, backend);
        auto directory = open(backend, {issuer, SubjectAttribute::UserName, "initech"});
        QVERIFY(directory);
        const auto unknown = directory->createUser(user("ann@corp.example", ""));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().scimType, std::string{"invalidValue"});
        QVERIFY(m_auth->identity().findExternalUser(issuer, "ann@corp.example").error().code ==
                toolhub::ErrorCode::NotFound);

        QVERIFY(m_auth->identity().createOrganization("initech", "Initech").ok());
        const auto created = directory->createUser(user("ann@corp.example", ""));
        QVERIFY2(created.ok(), why(created).c_str());
        QVERIFY((*created)["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
                          ["organization"] == "initech");
        // A null organization in the extension means none.
        auto body = user("ann@corp.example", "");
        body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = {
            {"organization", nullptr}};
        const auto none = directory->replaceUser((*created)["id"].get<std::string>(), body);
        QVERIFY2(none.ok(), why(none).c_str());
        QVERIFY(!none->contains("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
    }

    void listsOnlyLiveProvisionedUsers_data() { addBackendRows(); }
    void listsOnlyLiveProvisionedUsers()
    {
        QFETCH(QString, backend);
        auto directory = open(backend, {issuer, SubjectAttribute::UserName, ""});
        QVERIFY(directory);
        std::vector<std::string> ids;
        for (const char *name : {"a@corp.example", "b@corp.example", "c@corp.example"}) {
            auto created = directory->createUser(user(name, ""));
            QVERIFY2(created.ok(), why(created).c_str());
            ids.push_back((*created)["id"].get<std::string>());
        }
        QVERIFY(directory->deleteUser(ids[1]).ok());
        ListQuery all;
        const auto page = directory->users(all);
        QVERIFY(page.ok());
        QCOMPARE(page->totalResults, std::size_t{2});
        ListQuery second;
        second.startIndex = 2;
        second.count = 1;
        const auto next = directory->users(second);
        QCOMPARE(next->totalResults, std::size_t{2});
        QCOMPARE(next->resources.size(), std::size_t{1});
        ListQuery inactive;
        inactive.filter = parseFilter("active eq false").value();
        QCOMPARE(directory->users(inactive)->totalResults, std::size_t{0});
        QVERIFY(directory
                    ->patchUser(ids[2], nlohmann::json::parse(R"({"Operations": [
                    {"op": "replace", "path": "active", "value": false}]})"))
                    .ok());
        QCOMPARE(directory->users(inactive)->totalResults, std::size_t{1});
        QCOMPARE(directory->user(ids[1]).error().status, 404U);
    }
};

QTEST_GUILESS_MAIN(ScimDirectoryTest)
#include "scim_directory_test.moc"
