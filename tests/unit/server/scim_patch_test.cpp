// SCIM PATCH (RFC 7644 3.5.2): parsing PatchOp bodies and applying them to resources, in the
// forms PingFederate, Okta and Entra ID send, and the User/Group validation that follows.

#include "core/scim/patch.h"
#include "core/scim/resources.h"

#include <QTest>

using namespace toolhub::server::scim;

namespace {

const nlohmann::json user = nlohmann::json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "u1",
    "userName": "jane@corp.example",
    "displayName": "Jane Doe",
    "name": {"givenName": "Jane", "familyName": "Doe"},
    "active": true,
    "emails": [{"value": "jane@corp.example", "type": "work", "primary": true}]
})");

const nlohmann::json group = nlohmann::json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "id": "g1",
    "displayName": "Engineering",
    "members": [{"value": "u1", "type": "User"}, {"value": "u2", "type": "User"}]
})");

nlohmann::json patchBody(const char *operations)
{
    return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
            {"Operations", nlohmann::json::parse(operations)}};
}

// `resource` after the operations; fails the test when they do not apply.
nlohmann::json patched(nlohmann::json resource, const char *operations)
{
    auto parsed = parsePatchRequest(patchBody(operations));
    if (!parsed) {
        QTest::qFail(parsed.error().detail.c_str(), __FILE__, __LINE__);
        return {};
    }
    auto applied = applyPatch(resource, *parsed);
    if (!applied) {
        QTest::qFail(applied.error().detail.c_str(), __FILE__, __LINE__);
        return {};
    }
    return resource;
}

std::vector<std::string> memberIds(const nlohmann::json &resource)
{
    auto parsed = parseGroup(resource);
    if (!parsed) {
        QTest::qFail(parsed.error().detail.c_str(), __FILE__, __LINE__);
        return {};
    }
    return parsed->memberIds;
}

ScimError patchError(const nlohmann::json &resource, const nlohmann::json &body)
{
    auto parsed = parsePatchRequest(body);
    if (!parsed) {
        return parsed.error();
    }
    auto copy = resource;
    auto applied = applyPatch(copy, *parsed);
    return applied ? ScimError{0, "", "", ""} : applied.error();
}

} // namespace

class ScimPatchTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void deactivationAsPingFederateAndEntraSendIt();
    void replaceNamesAndDisplayName();
    void emailsByValueFilter();
    void enterpriseOrganization();
    void membersAddRemoveReplace();
    void renameGroupAndSeveralOperationsInOrder();
    void removeAnAttribute();
    void malformedRequestsAreRefused_data();
    void malformedRequestsAreRefused();
    void resultsAreValidatedAsAUser();
    void versionFollowsContentNotMeta();
};

void ScimPatchTest::deactivationAsPingFederateAndEntraSendIt()
{
    // PingFederate: a path; Entra ID: "Replace" with the boolean as a string.
    const auto ping = patched(user, R"([{"op": "replace", "path": "active", "value": false}])");
    QVERIFY(ping["active"] == nlohmann::json(false));
    const auto entra = patched(user, R"([{"op": "Replace", "path": "active", "value": "False"}])");
    const auto parsed = parseUser(entra);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->active, std::optional<bool>{false});
    // Okta: no path, an object of attributes.
    const auto okta = patched(user, R"([{"op": "replace", "value": {"active": false}}])");
    QVERIFY(okta["active"] == nlohmann::json(false));
}

void ScimPatchTest::replaceNamesAndDisplayName()
{
    const auto result = patched(user, R"([
        {"op": "replace", "path": "displayName", "value": "Jane Smith"},
        {"op": "replace", "path": "name.familyName", "value": "Smith"},
        {"op": "replace", "value": {"name.givenName": "Janet"}}])");
    QVERIFY(result["displayName"] == nlohmann::json("Jane Smith"));
    QVERIFY(result["name"]["familyName"] == nlohmann::json("Smith"));
    QVERIFY(result["name"]["givenName"] == nlohmann::json("Janet"));
    // Replacing a complex attribute keeps the sub-attributes not named.
    const auto merged =
        patched(user, R"([{"op": "replace", "path": "name", "value": {"givenName": "J."}}])");
    QVERIFY(merged["name"]["familyName"] == nlohmann::json("Doe"));
    QVERIFY(merged["name"]["givenName"] == nlohmann::json("J."));
}

void ScimPatchTest::emailsByValueFilter()
{
    const auto changed = patched(
        user,
        R"([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "j.doe@corp.example"}])");
    QCOMPARE(changed["emails"].size(), std::size_t{1});
    QVERIFY(changed["emails"][0]["value"] == nlohmann::json("j.doe@corp.example"));
    QVERIFY(changed["emails"][0]["primary"] == nlohmann::json(true));
    // No home address yet: one is added for the filter `type eq "home"`.
    const auto added = patched(
        user,
        R"([{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "jane@home.example"}])");
    QCOMPARE(added["emails"].size(), std::size_t{2});
    QVERIFY(added["emails"][1] ==
            (nlohmann::json{{"type", "home"}, {"value", "jane@home.example"}}));
    const auto replacedAll = patched(
        user,
        R"([{"op": "replace", "path": "emails", "value": [{"value": "new@corp.example", "primary": true}]}])");
    const auto parsed = parseUser(replacedAll);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->primaryEmail(), std::string{"new@corp.example"});
}

void ScimPatchTest::enterpriseOrganization()
{
    const auto withPath = patched(
        user,
        R"([{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization", "value": "acme"}])");
    QCOMPARE(parseUser(withPath)->organization, std::optional<std::string>{"acme"});
    const auto withoutPath = patched(
        user,
        R"([{"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "globex"}}}])");
    QCOMPARE(parseUser(withoutPath)->organization, std::optional<std::string>{"globex"});
}

void ScimPatchTest::membersAddRemoveReplace()
{
    const auto added = patched(
        group,
        R"([{"op": "add", "path": "members", "value": [{"value": "u3"}, {"value": "u1"}]}])");
    QCOMPARE(memberIds(added), (std::vector<std::string>{"u1", "u2", "u3"}));
    // PingFederate and Okta: a value filter in the path.
    const auto filtered =
        patched(group, R"([{"op": "remove", "path": "members[value eq \"u1\"]"}])");
    QCOMPARE(memberIds(filtered), (std::vector<std::string>{"u2"}));
    // Entra ID: the members to remove as the value.
    const auto byValue =
        patched(group, R"([{"op": "Remove", "path": "members", "value": [{"value": "u2"}]}])");
    QCOMPARE(memberIds(byValue), (std::vector<std::string>{"u1"}));
    const auto none = patched(group, R"([{"op": "remove", "path": "members"}])");
    QCOMPARE(memberIds(none), (std::vector<std::string>{}));
    const auto replaced =
        patched(group, R"([{"op": "replace", "path": "members", "value": [{"value": "u9"}]}])");
    QCOMPARE(memberIds(replaced), (std::vector<std::string>{"u9"}));
    // Removing a member that is not there is no error.
    const auto absent =
        patched(group, R"([{"op": "remove", "path": "members[value eq \"nobody\"]"}])");
    QCOMPARE(memberIds(absent), (std::vector<std::string>{"u1", "u2"}));
}

void ScimPatchTest::renameGroupAndSeveralOperationsInOrder()
{
    const auto result = patched(group, R"([
        {"op": "replace", "path": "displayName", "value": "Platform"},
        {"op": "add", "path": "members", "value": [{"value": "u3"}]},
        {"op": "remove", "path": "members[value eq \"u2\"]"}])");
    QVERIFY(result["displayName"] == nlohmann::json("Platform"));
    QCOMPARE(memberIds(result), (std::vector<std::string>{"u1", "u3"}));
}

void ScimPatchTest::removeAnAttribute()
{
    const auto result = patched(user, R"([{"op": "remove", "path": "name.givenName"},
                                          {"op": "remove", "path": "displayName"}])");
    QVERIFY(!result["name"].contains("givenName"));
    QVERIFY(!result.contains("displayName"));
    // Without a displayName, the name stands in for it.
    QCOMPARE(parseUser(result)->effectiveDisplayName(), std::string{"Doe"});
}

void ScimPatchTest::malformedRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("scimType");
    QTest::newRow("no operations")
        << QByteArray(R"({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})")
        << "invalidSyntax";
    QTest::newRow("wrong schema")
        << QByteArray(R"({"schemas": ["urn:x"], "Operations": [{"op": "remove", "path": "a"}]})")
        << "invalidSyntax";
    QTest::newRow("unknown op")
        << QByteArray(R"({"Operations": [{"op": "move", "path": "active", "value": 1}]})")
        << "invalidSyntax";
    QTest::newRow("remove without path")
        << QByteArray(R"({"Operations": [{"op": "remove"}]})") << "noTarget";
    QTest::newRow("replace without value")
        << QByteArray(R"({"Operations": [{"op": "replace", "path": "active"}]})")
        << "invalidSyntax";
    QTest::newRow("no path and no object")
        << QByteArray(R"({"Operations": [{"op": "add", "value": true}]})") << "invalidSyntax";
    QTest::newRow("bad path")
        << QByteArray(
               R"({"Operations": [{"op": "replace", "path": "emails[type eq", "value": 1}]})")
        << "invalidPath";
    QTest::newRow("bad filter in path")
        << QByteArray(
               R"({"Operations": [{"op": "replace", "path": "emails[type zz \"x\"].value", "value": 1}]})")
        << "invalidPath";
    QTest::newRow("junk after filter")
        << QByteArray(
               R"({"Operations": [{"op": "replace", "path": "emails[type eq \"x\"]value", "value": 1}]})")
        << "invalidPath";
    QTest::newRow("sub-attribute of a multi-valued attribute")
        << QByteArray(
               R"({"Operations": [{"op": "replace", "path": "emails.value", "value": "a@b.c"}]})")
        << "invalidPath";
    QTest::newRow("filter matching nothing")
        << QByteArray(
               R"({"Operations": [{"op": "replace", "path": "emails[value co \"zz\"].type", "value": "x"}]})")
        << "noTarget";
}

void ScimPatchTest::malformedRequestsAreRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, scimType);
    const auto error = patchError(user, nlohmann::json::parse(body.toStdString()));
    QCOMPARE(error.status, 400U);
    QCOMPARE(QString::fromStdString(error.scimType), scimType);
    QVERIFY(!error.detail.empty());
}

void ScimPatchTest::resultsAreValidatedAsAUser()
{
    const auto noUserName = patched(user, R"([{"op": "remove", "path": "userName"}])");
    const auto missing = parseUser(noUserName);
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().scimType, std::string{"invalidValue"});
    QVERIFY(missing.error().detail.find("userName") != std::string::npos);
    const auto badEmail = parseUser(patched(
        user, R"([{"op": "add", "path": "emails", "value": [{"value": "not-an-address"}]}])"));
    QVERIFY(!badEmail.ok());
    QCOMPARE(badEmail.error().scimType, std::string{"invalidValue"});
    const auto badActive =
        parseUser(patched(user, R"([{"op": "replace", "path": "active", "value": "maybe"}])"));
    QVERIFY(!badActive.ok());
    QCOMPARE(badActive.error().scimType, std::string{"invalidValue"});
    const auto nestedGroup = parseGroup(patched(
        group,
        R"([{"op": "add", "path": "members", "value": [{"value": "g2", "type": "Group"}]}])"));
    QVERIFY(!nestedGroup.ok());
    QCOMPARE(nestedGroup.error().scimType, std::string{"invalidValue"});
}

void ScimPatchTest::versionFollowsContentNotMeta()
{
    UserView view;
    view.id = "u1";
    view.userName = "jane";
    view.displayName = "Jane";
    view.created = 10;
    const auto a = userJson(view);
    view.created = 99;
    const auto b = userJson(view);
    view.created = 10;
    view.displayName = "Janet";
    const auto c = userJson(view);
    QVERIFY(a["meta"]["version"] == b["meta"]["version"]);
    QVERIFY(a["meta"]["version"] != c["meta"]["version"]);
    QVERIFY(a["meta"]["version"].get<std::string>().starts_with("W/\""));
    QVERIFY(a["meta"]["resourceType"] == nlohmann::json("User"));
    QVERIFY(a["meta"]["created"] == nlohmann::json("1970-01-01T00:00:10Z"));
}

QTEST_GUILESS_MAIN(ScimPatchTest)
#include "scim_patch_test.moc"
