// SCIM 2.0 provisioning against the real server process, on SQLite and on PostgreSQL, in the
// order PingFederate's SCIM connector works: look the user up by userName, create, update,
// deactivate (which must end the user's sessions at once), reactivate, replace, delete; and
// groups with their members.

#include "core/identity/identity.h"
#include "form.h"
#include "http_client.h"
#include "native_sign_in.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "server_process.h"
#include "test_database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QSet>
#include <QTest>
#include <QUrlQuery>

using toolhub::test::messageOf;
using toolhub::test::PostgresCluster;

namespace {

enum class Backend { Sqlite, Postgres };

const QString issuer = QStringLiteral("https://idp.corp.example");
const QByteArray scimType = "application/scim+json";

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject parseObject(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

QString filterQuery(const QString &filter)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(filter));
}

QJsonObject newUser(const QString &userName, const QString &externalId)
{
    return QJsonObject{
        {QStringLiteral("schemas"),
         QJsonArray{QStringLiteral("urn:ietf:params:scim:schemas:core:2.0:User")}},
        {QStringLiteral("userName"), userName},
        {QStringLiteral("externalId"), externalId},
        {QStringLiteral("name"),
         QJsonObject{{QStringLiteral("givenName"), QStringLiteral("Jane")},
                     {QStringLiteral("familyName"), QStringLiteral("Doe")}}},
        {QStringLiteral("emails"),
         QJsonArray{QJsonObject{{QStringLiteral("value"), userName},
                                {QStringLiteral("type"), QStringLiteral("work")},
                                {QStringLiteral("primary"), true}}}},
        {QStringLiteral("active"), true},
    };
}

QJsonObject patchOp(const QJsonArray &operations)
{
    return QJsonObject{
        {QStringLiteral("schemas"),
         QJsonArray{QStringLiteral("urn:ietf:params:scim:api:messages:2.0:PatchOp")}},
        {QStringLiteral("Operations"), operations}};
}

QString scimTypeOf(const HttpExchange &reply)
{
    return reply.json().value(QLatin1String("scimType")).toString();
}

} // namespace

class ScimTest : public QObject {
    Q_OBJECT

public:
    explicit ScimTest(Backend backend) : m_backend(backend) {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void withoutTokenIs401();
    void tokenWithoutScimScopeIs403();
    void discoveryDescribesTheService();
    void provisioningAsPingFederateDoesIt();
    void provisionedUsersSignInThroughTheIssuer();
    void deactivationEndsSessionsAtOnce();
    void userNameIsUniqueAndTheSubjectCannotChange();
    void deleteHidesTheUserAndCreateBringsItBack();
    void malformedRequestsAre400WithScimType();
    void oversizedBodyIs413();
    void groupsAndTheirMembers();
    void pagingCountsEveryMatch();
    void staffAreNotProvisioned();

private:
    HttpExchange scim(const QByteArray &method, const QString &path, const QByteArray &body = {},
                      QList<QPair<QByteArray, QByteArray>> headers = {});
    // POSTs a user and returns its id; fails the test otherwise.
    QString createUser(const QString &userName, const QString &externalId);
    std::unique_ptr<toolhub::server::Database> openServerDatabase();
    // The user as the identity module has it.
    toolhub::server::User identityUser(const QString &id);

    Backend m_backend;
    std::unique_ptr<PostgresCluster> m_cluster;
    std::unique_ptr<ServerProcess> m_server;
    QNetworkAccessManager m_network;
    QByteArray m_token;      // scim.provision
    QByteArray m_otherToken; // catalog.read only
};

HttpExchange ScimTest::scim(const QByteArray &method, const QString &path, const QByteArray &body,
                            QList<QPair<QByteArray, QByteArray>> headers)
{
    headers.append({"Authorization", "Bearer " + m_token});
    if (!body.isEmpty()) {
        headers.append({"Content-Type", scimType});
    }
    return httpRequest(m_network, method, m_server->url(QStringLiteral("/scim/v2") + path), headers,
                       body);
}

QString ScimTest::createUser(const QString &userName, const QString &externalId)
{
    const auto reply =
        scim("POST", QStringLiteral("/Users"), compact(newUser(userName, externalId)));
    if (reply.status != 201) {
        QTest::qFail(qPrintable(QStringLiteral("POST /Users %1 answered %2: %3")
                                    .arg(userName)
                                    .arg(reply.status)
                                    .arg(QString::fromUtf8(reply.body))),
                     __FILE__, __LINE__);
        return {};
    }
    return reply.json().value(QLatin1String("id")).toString();
}

std::unique_ptr<toolhub::server::Database> ScimTest::openServerDatabase()
{
    const std::string url = m_backend == Backend::Sqlite
                                ? "sqlite://" + (m_server->dataDir() + "/toolhub.db").toStdString()
                                : m_cluster->url(QStringLiteral("scim")).toStdString();
    QString error;
    auto db = toolhub::test::openDatabase(url, 1, &error);
    if (!db) {
        qWarning("%s", qPrintable(error));
    }
    return db;
}

toolhub::server::User ScimTest::identityUser(const QString &id)
{
    auto db = openServerDatabase();
    if (!db) {
        QTest::qFail("cannot open the server's database", __FILE__, __LINE__);
        return {};
    }
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    auto user = identity.findUser(id.toStdString());
    if (!user) {
        QTest::qFail(messageOf(user), __FILE__, __LINE__);
        return {};
    }
    return std::move(user).value();
}

void ScimTest::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    environment.insert(QStringLiteral("TOOLHUB_SCIM_ISSUER"), issuer);
    environment.insert(QStringLiteral("TOOLHUB_SCIM_ORGANIZATION"), QStringLiteral("acme"));
    if (m_backend == Backend::Postgres) {
        m_cluster = std::make_unique<PostgresCluster>();
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("scim")),
                 qPrintable(m_cluster->errorString()));
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"),
                           m_cluster->url(QStringLiteral("scim")));
    }
    m_server = std::make_unique<ServerProcess>(environment);

    // The provisioning client's token, and one of another application, made with the
    // administration command; each is printed alone on the last line.
    const auto issue = [this](const QString &name, const QString &scope) -> QByteArray {
        const auto before = m_server->standardOutput().size();
        const int exit =
            m_server->runToCompletion({QStringLiteral("service-account"), QStringLiteral("create"),
                                       name, QStringLiteral("--scope"), scope});
        if (exit != 0) {
            qWarning("service-account create: %s", m_server->standardError().constData());
            return {};
        }
        return m_server->standardOutput().mid(before).trimmed().split('\n').last().trimmed();
    };
    m_token = issue(QStringLiteral("pingfederate"), QStringLiteral("scim.provision"));
    QVERIFY2(m_token.startsWith("thsa_"), "no service token for scim.provision");
    m_otherToken = issue(QStringLiteral("erp"), QStringLiteral("catalog.read"));
    QVERIFY2(m_otherToken.startsWith("thsa_"), "no service token for catalog.read");
    QVERIFY(m_token != m_otherToken);

    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void ScimTest::cleanupTestCase()
{
    if (m_server) {
        QCOMPARE(m_server->terminate(), 0);
    }
}

void ScimTest::withoutTokenIs401()
{
    for (const QString &path : {QStringLiteral("/scim/v2/Users"), QStringLiteral("/scim/v2/Groups"),
                                QStringLiteral("/scim/v2/Users/abc")}) {
        const auto reply = httpRequest(m_network, "GET", m_server->url(path));
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.header("Content-Type"), scimType);
        QVERIFY(reply.header("WWW-Authenticate").startsWith("Bearer"));
        const auto body = reply.json();
        QCOMPARE(body.value(QLatin1String("status")), QJsonValue(QStringLiteral("401")));
        QCOMPARE(body.value(QLatin1String("schemas")).toArray().first().toString(),
                 QStringLiteral("urn:ietf:params:scim:api:messages:2.0:Error"));
    }
    const auto forged =
        httpRequest(m_network, "POST", m_server->url(QStringLiteral("/scim/v2/Users")),
                    {{"Authorization", "Bearer thsa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                     {"Content-Type", scimType}},
                    compact(newUser(QStringLiteral("forged@corp.example"), QStringLiteral("f"))));
    QCOMPARE(forged.status, 401);
    // Nothing was created.
    QCOMPARE(scim("GET", QStringLiteral("/Users?filter=") +
                             filterQuery(QStringLiteral(R"(userName eq "forged@corp.example")")))
                 .json()
                 .value(QLatin1String("totalResults"))
                 .toInt(),
             0);
}

void ScimTest::tokenWithoutScimScopeIs403()
{
    for (const QByteArray &method : {QByteArray("GET"), QByteArray("POST")}) {
        const auto reply = httpRequest(
            m_network, method, m_server->url(QStringLiteral("/scim/v2/Users")),
            {{"Authorization", "Bearer " + m_otherToken}, {"Content-Type", scimType}},
            method == "POST"
                ? compact(newUser(QStringLiteral("other@corp.example"), QStringLiteral("o")))
                : QByteArray{});
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value(QLatin1String("status")), QJsonValue(QStringLiteral("403")));
    }
    // A person's access token, even an organization admin's, is no provisioning client either.
    QString error;
    const auto alice = signInNative(*m_server, QStringLiteral("alice.archer@acme.example"),
                                    QStringLiteral("acme-demo-1"), &error);
    QVERIFY2(!alice.isEmpty(), qPrintable(error));
    const auto reply = httpRequest(
        m_network, "GET", m_server->url(QStringLiteral("/scim/v2/Groups")),
        {{"Authorization",
          "Bearer " + alice.value(QLatin1String("access_token")).toString().toLatin1()}});
    QCOMPARE(reply.status, 403);
}

void ScimTest::discoveryDescribesTheService()
{
    const auto config = httpRequest(
        m_network, "GET", m_server->url(QStringLiteral("/scim/v2/ServiceProviderConfig")));
    QCOMPARE(config.status, 200);
    QCOMPARE(config.header("Content-Type"), scimType);
    QVERIFY(config.json()
                .value(QLatin1String("patch"))
                .toObject()
                .value(QLatin1String("supported"))
                .toBool());
    QVERIFY(config.json()
                .value(QLatin1String("filter"))
                .toObject()
                .value(QLatin1String("supported"))
                .toBool());
    QVERIFY(!config.json()
                 .value(QLatin1String("bulk"))
                 .toObject()
                 .value(QLatin1String("supported"))
                 .toBool());
    QCOMPARE(config.json()
                 .value(QLatin1String("authenticationSchemes"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("type"))
                 .toString(),
             QStringLiteral("oauthbearertoken"));

    const auto types = scim("GET", QStringLiteral("/ResourceTypes"));
    QCOMPARE(types.status, 200);
    QCOMPARE(types.json().value(QLatin1String("totalResults")).toInt(), 2);
    const auto user = scim("GET", QStringLiteral("/ResourceTypes/User"));
    QCOMPARE(user.json().value(QLatin1String("endpoint")).toString(), QStringLiteral("/Users"));

    const auto schemas = scim("GET", QStringLiteral("/Schemas"));
    QCOMPARE(schemas.json().value(QLatin1String("totalResults")).toInt(), 3);
    const auto userSchema =
        scim("GET", QStringLiteral("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"));
    QCOMPARE(userSchema.status, 200);
    QStringList names;
    for (const auto &attribute : userSchema.json().value(QLatin1String("attributes")).toArray()) {
        names << attribute.toObject().value(QLatin1String("name")).toString();
    }
    for (const char *name : {"userName", "name", "displayName", "emails", "active", "groups"}) {
        QVERIFY2(names.contains(QLatin1String(name)), name);
    }
    QCOMPARE(scim("GET", QStringLiteral("/Schemas/urn:nothing")).status, 404);
}

void ScimTest::provisioningAsPingFederateDoesIt()
{
    const QString userName = QStringLiteral("jane.doe@corp.example");
    const auto byName = QStringLiteral("/Users?filter=") +
                        filterQuery(QStringLiteral(R"(userName eq "Jane.Doe@corp.example")"));
    // 1. Is the user there? Not yet.
    const auto none = scim("GET", byName);
    QCOMPARE(none.status, 200);
    QCOMPARE(none.header("Content-Type"), scimType);
    QCOMPARE(none.json().value(QLatin1String("totalResults")).toInt(), 0);
    QCOMPARE(none.json().value(QLatin1String("schemas")).toArray().first().toString(),
             QStringLiteral("urn:ietf:params:scim:api:messages:2.0:ListResponse"));

    // 2. Create.
    const auto created = scim("POST", QStringLiteral("/Users"),
                              compact(newUser(userName, QStringLiteral("ext-jane"))));
    QCOMPARE(created.status, 201);
    QCOMPARE(created.header("Content-Type"), scimType);
    const auto user = created.json();
    const QString id = user.value(QLatin1String("id")).toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(user.value(QLatin1String("userName")).toString(), userName);
    QCOMPARE(user.value(QLatin1String("externalId")).toString(), QStringLiteral("ext-jane"));
    QCOMPARE(user.value(QLatin1String("displayName")).toString(), QStringLiteral("Jane Doe"));
    QCOMPARE(user.value(QLatin1String("active")), QJsonValue(true));
    const auto meta = user.value(QLatin1String("meta")).toObject();
    QCOMPARE(meta.value(QLatin1String("resourceType")).toString(), QStringLiteral("User"));
    QVERIFY(meta.value(QLatin1String("location"))
                .toString()
                .endsWith(QStringLiteral("/scim/v2/Users/") + id));
    QCOMPARE(created.header("Location"), meta.value(QLatin1String("location")).toString().toUtf8());
    QVERIFY(meta.value(QLatin1String("version")).toString().startsWith(QStringLiteral("W/\"")));
    QCOMPARE(created.header("ETag"), meta.value(QLatin1String("version")).toString().toUtf8());
    QVERIFY(meta.value(QLatin1String("created")).toString().endsWith(u'Z'));
    // scim_organization applies when the client names none.
    QCOMPARE(user.value(QLatin1String("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))
                 .toObject()
                 .value(QLatin1String("organization"))
                 .toString(),
             QStringLiteral("acme"));

    // 3. Found by userName (in any case) and by externalId; read by id, with a validator.
    const auto found = scim("GET", byName);
    QCOMPARE(found.json().value(QLatin1String("totalResults")).toInt(), 1);
    QCOMPARE(found.json()
                 .value(QLatin1String("Resources"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("id"))
                 .toString(),
             id);
    const auto byExternalId =
        scim("GET", QStringLiteral("/Users?filter=") +
                        filterQuery(QStringLiteral(R"(externalId eq "ext-jane")")));
    QCOMPARE(byExternalId.json().value(QLatin1String("totalResults")).toInt(), 1);
    const auto read = scim("GET", QStringLiteral("/Users/") + id);
    QCOMPARE(read.status, 200);
    QCOMPARE(read.json().value(QLatin1String("userName")).toString(), userName);
    QCOMPARE(
        scim("GET", QStringLiteral("/Users/") + id, {}, {{"If-None-Match", read.header("ETag")}})
            .status,
        304);

    // 4. Deactivate as PingFederate does, then as Entra ID does, and reactivate.
    const auto deactivated = scim("PATCH", QStringLiteral("/Users/") + id,
                                  compact(patchOp(QJsonArray{parseObject(
                                      R"({"op": "replace", "path": "active", "value": false})")})));
    QCOMPARE(deactivated.status, 200);
    QCOMPARE(deactivated.json().value(QLatin1String("active")), QJsonValue(false));
    QVERIFY(identityUser(id).disabled);
    QVERIFY(deactivated.header("ETag") != read.header("ETag"));
    const auto reactivated =
        scim("PATCH", QStringLiteral("/Users/") + id,
             compact(patchOp(
                 QJsonArray{parseObject(R"({"op": "Replace", "value": {"active": "True"}})")})));
    QCOMPARE(reactivated.status, 200);
    QCOMPARE(reactivated.json().value(QLatin1String("active")), QJsonValue(true));
    QVERIFY(!identityUser(id).disabled);

    // 5. Attribute changes by PATCH: name, displayName, e-mail, organization.
    const auto changed = scim(
        "PATCH", QStringLiteral("/Users/") + id,
        compact(patchOp(QJsonArray{
            parseObject(R"({"op": "replace", "path": "displayName", "value": "Jane Q. Doe"})"),
            parseObject(R"({"op": "replace", "path": "name.givenName", "value": "Janet"})"),
            parseObject(
                R"({"op": "replace", "path": "emails[type eq \"work\"].value", "value": "jq.doe@corp.example"})"),
            parseObject(
                R"({"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization", "value": "globex"})")})));
    QCOMPARE(changed.status, 200);
    QCOMPARE(changed.json().value(QLatin1String("displayName")).toString(),
             QStringLiteral("Jane Q. Doe"));
    QCOMPARE(changed.json()
                 .value(QLatin1String("name"))
                 .toObject()
                 .value(QLatin1String("givenName"))
                 .toString(),
             QStringLiteral("Janet"));
    const auto stored = identityUser(id);
    QCOMPARE(stored.displayName, std::string{"Jane Q. Doe"});
    QCOMPARE(stored.email, std::string{"jq.doe@corp.example"});

    // 6. Replace with PUT: what is not sent is gone; the organization is kept when not named.
    QJsonObject replacement = newUser(userName, QStringLiteral("ext-jane"));
    replacement.remove(QStringLiteral("name"));
    replacement[QStringLiteral("displayName")] = QStringLiteral("J. Doe");
    const auto put = scim("PUT", QStringLiteral("/Users/") + id, compact(replacement));
    QCOMPARE(put.status, 200);
    QVERIFY(!put.json().contains(QLatin1String("name")));
    QCOMPARE(put.json().value(QLatin1String("displayName")).toString(), QStringLiteral("J. Doe"));
    QCOMPARE(put.json()
                 .value(QLatin1String("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))
                 .toObject()
                 .value(QLatin1String("organization"))
                 .toString(),
             QStringLiteral("globex"));
    QCOMPARE(identityUser(id).email, std::string{"jane.doe@corp.example"});

    // If-Match with an old version is refused; with the current one it goes through.
    const auto stale = scim("PUT", QStringLiteral("/Users/") + id, compact(replacement),
                            {{"If-Match", read.header("ETag")}});
    QCOMPARE(stale.status, 412);
    QCOMPARE(scim("PUT", QStringLiteral("/Users/") + id, compact(replacement),
                  {{"If-Match", put.header("ETag")}})
                 .status,
             200);
}

void ScimTest::provisionedUsersSignInThroughTheIssuer()
{
    // Users come into being as the issuer's users, keyed by (issuer, sub = userName), so that
    // signing in through that identity provider finds them.
    const QString id =
        createUser(QStringLiteral("sso.user@corp.example"), QStringLiteral("ext-sso"));
    QVERIFY(!id.isEmpty());
    auto db = openServerDatabase();
    QVERIFY(db);
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    const auto user = identity.findExternalUser(issuer.toStdString(), "sso.user@corp.example");
    QVERIFY2(user.ok(), messageOf(user));
    QCOMPARE(QString::fromStdString(user->id), id);
    QVERIFY(user->login.empty());
    const auto acme = identity.findOrganizationBySlug("acme");
    QVERIFY(acme.ok());
    QCOMPARE(user->organizationId, acme->id);
}

void ScimTest::deactivationEndsSessionsAtOnce()
{
    // An existing user (not created through SCIM) with an access token, a refresh token and a
    // browser session.
    const QString login = QStringLiteral("bob.barnes@acme.example");
    const QString password = QStringLiteral("acme-demo-2");
    QString error;
    const auto tokens = signInNative(*m_server, login, password, &error);
    QVERIFY2(!tokens.isEmpty(), qPrintable(error));
    const QByteArray access = tokens.value(QLatin1String("access_token")).toString().toLatin1();
    const QString refresh = tokens.value(QLatin1String("refresh_token")).toString();
    const auto me = [&] {
        return httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/me")),
                           {{"Authorization", "Bearer " + access}})
            .status;
    };
    QCOMPARE(me(), 200);

    QNetworkAccessManager browser;
    browser.setCookieJar(new QNetworkCookieJar(&browser));
    const auto form = httpRequest(browser, "GET", m_server->url(QStringLiteral("/signin?next=/")));
    const auto signedIn =
        httpRequest(browser, "POST", m_server->url(QStringLiteral("/signin")),
                    {{"Content-Type", "application/x-www-form-urlencoded"}},
                    formEncode({{QStringLiteral("csrf_token"),
                                 hiddenField(form.body, QStringLiteral("csrf_token"))},
                                {QStringLiteral("next"), QStringLiteral("/")},
                                {QStringLiteral("login"), login},
                                {QStringLiteral("password"), password}}));
    QCOMPARE(signedIn.status, 303);
    QCOMPARE(httpRequest(browser, "GET", m_server->url(QStringLiteral("/"))).status, 200);

    // The client finds the user by userName (the login) and deactivates them by id.
    const auto found =
        scim("GET", QStringLiteral("/Users?filter=") +
                        filterQuery(QStringLiteral(R"(userName eq "bob.barnes@acme.example")")));
    QCOMPARE(found.json().value(QLatin1String("totalResults")).toInt(), 1);
    const QString id = found.json()
                           .value(QLatin1String("Resources"))
                           .toArray()
                           .first()
                           .toObject()
                           .value(QLatin1String("id"))
                           .toString();
    const auto patched = scim("PATCH", QStringLiteral("/Users/") + id,
                              compact(patchOp(QJsonArray{parseObject(
                                  R"({"op": "replace", "path": "active", "value": false})")})));
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.json().value(QLatin1String("active")), QJsonValue(false));

    // At once: the access token is refused and no new sign-in succeeds.
    QCOMPARE(me(), 401);
    QVERIFY(signInNative(*m_server, login, password).isEmpty());

    // Reactivated (Okta's form: no path), the user signs in again...
    const auto back = scim("PATCH", QStringLiteral("/Users/") + id,
                           compact(patchOp(QJsonArray{
                               parseObject(R"({"op": "replace", "value": {"active": true}})")})));
    QCOMPARE(back.status, 200);
    QCOMPARE(back.json().value(QLatin1String("active")), QJsonValue(true));
    const auto again = signInNative(*m_server, login, password, &error);
    QVERIFY2(!again.isEmpty(), qPrintable(error));
    // ...but what the deactivation ended stays ended: the refresh token and the browser session
    // from before are dead, not merely refused while the account was disabled.
    const auto refreshed =
        httpRequest(m_network, "POST", m_server->url(QStringLiteral("/oauth/token")),
                    {{"Content-Type", "application/x-www-form-urlencoded"}},
                    formEncode({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                {QStringLiteral("client_id"), QStringLiteral("toolhub-desktop")},
                                {QStringLiteral("refresh_token"), refresh}}));
    QCOMPARE(refreshed.status, 400);
    QCOMPARE(refreshed.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));
    QCOMPARE(httpRequest(browser, "GET", m_server->url(QStringLiteral("/"))).status, 303);
}

void ScimTest::userNameIsUniqueAndTheSubjectCannotChange()
{
    const QString id = createUser(QStringLiteral("unique@corp.example"), QStringLiteral("ext-u"));
    QVERIFY(!id.isEmpty());
    for (const QString &taken :
         {QStringLiteral("unique@corp.example"), QStringLiteral("UNIQUE@corp.example"),
          QStringLiteral("alice.archer@acme.example")}) {
        const auto duplicate =
            scim("POST", QStringLiteral("/Users"), compact(newUser(taken, QStringLiteral("x"))));
        QCOMPARE(duplicate.status, 409);
        QCOMPARE(duplicate.json().value(QLatin1String("status")),
                 QJsonValue(QStringLiteral("409")));
        QCOMPARE(scimTypeOf(duplicate), QStringLiteral("uniqueness"));
    }
    // The userName is the sub the identity provider signs the user in with.
    const auto renamed =
        scim("PUT", QStringLiteral("/Users/") + id,
             compact(newUser(QStringLiteral("renamed@corp.example"), QStringLiteral("ext-u"))));
    QCOMPARE(renamed.status, 400);
    QCOMPARE(scimTypeOf(renamed), QStringLiteral("mutability"));
}

void ScimTest::deleteHidesTheUserAndCreateBringsItBack()
{
    const QString userName = QStringLiteral("leaver@corp.example");
    const QString id = createUser(userName, QStringLiteral("ext-leaver"));
    QVERIFY(!id.isEmpty());
    const auto deleted = scim("DELETE", QStringLiteral("/Users/") + id);
    QCOMPARE(deleted.status, 204);
    QVERIFY(identityUser(id).disabled);
    const auto gone = scim("GET", QStringLiteral("/Users/") + id);
    QCOMPARE(gone.status, 404);
    QCOMPARE(gone.header("Content-Type"), scimType);
    QCOMPARE(gone.json().value(QLatin1String("status")), QJsonValue(QStringLiteral("404")));
    QCOMPARE(scim("GET", QStringLiteral("/Users?filter=") +
                             filterQuery(QStringLiteral(R"(userName eq "leaver@corp.example")")))
                 .json()
                 .value(QLatin1String("totalResults"))
                 .toInt(),
             0);
    QCOMPARE(scim("DELETE", QStringLiteral("/Users/") + id).status, 404);
    QCOMPARE(scim("PATCH", QStringLiteral("/Users/") + id,
                  compact(patchOp(QJsonArray{
                      parseObject(R"({"op": "replace", "path": "active", "value": true})")})))
                 .status,
             404);

    // The same person provisioned again is the same user, active again.
    const auto back = scim("POST", QStringLiteral("/Users"),
                           compact(newUser(userName, QStringLiteral("ext-leaver"))));
    QCOMPARE(back.status, 201);
    QCOMPARE(back.json().value(QLatin1String("id")).toString(), id);
    QCOMPARE(back.json().value(QLatin1String("active")), QJsonValue(true));
    QVERIFY(!identityUser(id).disabled);
}

void ScimTest::malformedRequestsAre400WithScimType()
{
    const auto check = [this](const HttpExchange &reply, int status, const QString &type) {
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.header("Content-Type"), scimType);
        QCOMPARE(reply.json().value(QLatin1String("status")).toString(), QString::number(status));
        QCOMPARE(scimTypeOf(reply), type);
        QVERIFY(!reply.json().value(QLatin1String("detail")).toString().isEmpty());
    };
    check(scim("POST", QStringLiteral("/Users"), "{\"userName\": "), 400,
          QStringLiteral("invalidSyntax"));
    check(scim("POST", QStringLiteral("/Users"), "[1, 2]"), 400, QStringLiteral("invalidSyntax"));
    check(scim("GET", QStringLiteral("/Users?filter=") +
                          filterQuery(QStringLiteral("userName eq \"unterminated"))),
          400, QStringLiteral("invalidFilter"));
    check(scim("GET", QStringLiteral("/Groups?filter=") +
                          filterQuery(QStringLiteral(R"(displayName like "x")"))),
          400, QStringLiteral("invalidFilter"));
    check(scim("POST", QStringLiteral("/Users"), R"({"displayName": "No Name"})"), 400,
          QStringLiteral("invalidValue"));
    check(scim("POST", QStringLiteral("/Users"),
               R"({"userName": "x@corp.example", "emails": [{"value": "not an address"}]})"),
          400, QStringLiteral("invalidValue"));
    check(
        scim(
            "POST", QStringLiteral("/Users"),
            R"({"userName": "x@corp.example", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "no-such-org"}})"),
        400, QStringLiteral("invalidValue"));
    const QString id = createUser(QStringLiteral("patchy@corp.example"), QStringLiteral("ext-p"));
    check(scim("PATCH", QStringLiteral("/Users/") + id,
               compact(patchOp(QJsonArray{
                   parseObject(R"({"op": "replace", "path": "emails[type eq", "value": "x"})")}))),
          400, QStringLiteral("invalidPath"));
    check(scim("PATCH", QStringLiteral("/Users/") + id,
               compact(patchOp(QJsonArray{parseObject(R"({"op": "jump", "path": "active"})")}))),
          400, QStringLiteral("invalidSyntax"));
    check(scim("GET", QStringLiteral("/Users?count=many")), 400, QStringLiteral("invalidValue"));

    // Other media types are refused; application/json is as good as application/scim+json.
    const auto text =
        httpRequest(m_network, "POST", m_server->url(QStringLiteral("/scim/v2/Users")),
                    {{"Authorization", "Bearer " + m_token}, {"Content-Type", "text/plain"}},
                    compact(newUser(QStringLiteral("text@corp.example"), QStringLiteral("t"))));
    QCOMPARE(text.status, 415);
    const auto json =
        httpRequest(m_network, "POST", m_server->url(QStringLiteral("/scim/v2/Users")),
                    {{"Authorization", "Bearer " + m_token},
                     {"Content-Type", "application/json; charset=utf-8"}},
                    compact(newUser(QStringLiteral("json@corp.example"), QStringLiteral("j"))));
    QCOMPARE(json.status, 201);
    const auto unknown = scim("GET", QStringLiteral("/Users/ffffffffffffffffffffffffffffffff"));
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.json().value(QLatin1String("status")).toString(), QStringLiteral("404"));
}

void ScimTest::oversizedBodyIs413()
{
    // Over max_body_bytes (1 MiB by default): refused before it reaches SCIM.
    QJsonObject user = newUser(QStringLiteral("big@corp.example"), QStringLiteral("b"));
    user[QStringLiteral("displayName")] = QString(1100 * 1024, u'x');
    const auto reply = scim("POST", QStringLiteral("/Users"), compact(user));
    QCOMPARE(reply.status, 413);
    QCOMPARE(scim("GET", QStringLiteral("/Users?filter=") +
                             filterQuery(QStringLiteral(R"(userName eq "big@corp.example")")))
                 .json()
                 .value(QLatin1String("totalResults"))
                 .toInt(),
             0);
}

void ScimTest::groupsAndTheirMembers()
{
    const QString ann = createUser(QStringLiteral("ann@corp.example"), QStringLiteral("ext-ann"));
    const QString ben = createUser(QStringLiteral("ben@corp.example"), QStringLiteral("ext-ben"));
    QVERIFY(!ann.isEmpty() && !ben.isEmpty());
    const auto memberIds = [](const HttpExchange &reply) {
        QStringList ids;
        for (const auto &member : reply.json().value(QLatin1String("members")).toArray()) {
            ids << member.toObject().value(QLatin1String("value")).toString();
        }
        ids.sort();
        return ids;
    };
    QStringList both{ann, ben};
    both.sort();

    const auto created = scim(
        "POST", QStringLiteral("/Groups"),
        compact(QJsonObject{
            {QStringLiteral("schemas"),
             QJsonArray{QStringLiteral("urn:ietf:params:scim:schemas:core:2.0:Group")}},
            {QStringLiteral("displayName"), QStringLiteral("Engineering")},
            {QStringLiteral("externalId"), QStringLiteral("grp-eng")},
            {QStringLiteral("members"), QJsonArray{QJsonObject{{QStringLiteral("value"), ann}}}}}));
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(QLatin1String("id")).toString();
    QCOMPARE(memberIds(created), QStringList{ann});
    QCOMPARE(created.json()
                 .value(QLatin1String("meta"))
                 .toObject()
                 .value(QLatin1String("resourceType"))
                 .toString(),
             QStringLiteral("Group"));
    QVERIFY(!created.header("Location").isEmpty());

    const auto found =
        scim("GET", QStringLiteral("/Groups?filter=") +
                        filterQuery(QStringLiteral(R"(displayName eq "engineering")")));
    QCOMPARE(found.json().value(QLatin1String("totalResults")).toInt(), 1);
    const auto duplicate =
        scim("POST", QStringLiteral("/Groups"), R"({"displayName": "Engineering", "members": []})");
    QCOMPARE(duplicate.status, 409);
    QCOMPARE(scimTypeOf(duplicate), QStringLiteral("uniqueness"));
    const auto unknownMember = scim(
        "POST", QStringLiteral("/Groups"),
        R"({"displayName": "Ghosts", "members": [{"value": "ffffffffffffffffffffffffffffffff"}]})");
    QCOMPARE(unknownMember.status, 400);
    QCOMPARE(scimTypeOf(unknownMember), QStringLiteral("invalidValue"));

    // Add a member; the user's groups show the group.
    const auto added = scim(
        "PATCH", QStringLiteral("/Groups/") + id,
        compact(patchOp(QJsonArray{QJsonObject{
            {QStringLiteral("op"), QStringLiteral("add")},
            {QStringLiteral("path"), QStringLiteral("members")},
            {QStringLiteral("value"), QJsonArray{QJsonObject{{QStringLiteral("value"), ben}}}}}})));
    QCOMPARE(added.status, 200);
    QCOMPARE(memberIds(added), both);
    const auto benRead = scim("GET", QStringLiteral("/Users/") + ben);
    QCOMPARE(benRead.json()
                 .value(QLatin1String("groups"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("value"))
                 .toString(),
             id);

    // Remove by value filter (PingFederate, Okta), then by value (Entra ID).
    const auto removed =
        scim("PATCH", QStringLiteral("/Groups/") + id,
             compact(patchOp(QJsonArray{QJsonObject{
                 {QStringLiteral("op"), QStringLiteral("remove")},
                 {QStringLiteral("path"), QStringLiteral("members[value eq \"%1\"]").arg(ann)}}})));
    QCOMPARE(removed.status, 200);
    QCOMPARE(memberIds(removed), QStringList{ben});
    const auto removedByValue = scim(
        "PATCH", QStringLiteral("/Groups/") + id,
        compact(patchOp(QJsonArray{QJsonObject{
            {QStringLiteral("op"), QStringLiteral("Remove")},
            {QStringLiteral("path"), QStringLiteral("members")},
            {QStringLiteral("value"), QJsonArray{QJsonObject{{QStringLiteral("value"), ben}}}}}})));
    QCOMPARE(memberIds(removedByValue), QStringList{});

    // Replace members and rename.
    const auto replaced = scim(
        "PATCH", QStringLiteral("/Groups/") + id,
        compact(patchOp(QJsonArray{
            QJsonObject{
                {QStringLiteral("op"), QStringLiteral("replace")},
                {QStringLiteral("path"), QStringLiteral("members")},
                {QStringLiteral("value"), QJsonArray{QJsonObject{{QStringLiteral("value"), ann}},
                                                     QJsonObject{{QStringLiteral("value"), ben}}}}},
            parseObject(R"({"op": "replace", "path": "displayName", "value": "Platform"})")})));
    QCOMPARE(replaced.status, 200);
    QCOMPARE(memberIds(replaced), both);
    QCOMPARE(replaced.json().value(QLatin1String("displayName")).toString(),
             QStringLiteral("Platform"));

    // PUT: the whole group.
    const auto put =
        scim("PUT", QStringLiteral("/Groups/") + id,
             compact(QJsonObject{{QStringLiteral("displayName"), QStringLiteral("Platform Team")},
                                 {QStringLiteral("members"),
                                  QJsonArray{QJsonObject{{QStringLiteral("value"), ben}}}}}));
    QCOMPARE(put.status, 200);
    QCOMPARE(memberIds(put), QStringList{ben});
    QVERIFY(!put.json().contains(QLatin1String("externalId")));
    const auto slim = scim("GET", QStringLiteral("/Groups/") + id +
                                      QStringLiteral("?excludedAttributes=members"));
    QCOMPARE(slim.status, 200);
    QVERIFY(!slim.json().contains(QLatin1String("members")));
    QCOMPARE(slim.json().value(QLatin1String("id")).toString(), id);

    // A deleted user leaves their groups.
    QCOMPARE(scim("DELETE", QStringLiteral("/Users/") + ben).status, 204);
    QCOMPARE(memberIds(scim("GET", QStringLiteral("/Groups/") + id)), QStringList{});

    QCOMPARE(scim("DELETE", QStringLiteral("/Groups/") + id).status, 204);
    QCOMPARE(scim("GET", QStringLiteral("/Groups/") + id).status, 404);
    QCOMPARE(scim("DELETE", QStringLiteral("/Groups/") + id).status, 404);
}

void ScimTest::pagingCountsEveryMatch()
{
    for (int i = 1; i <= 3; ++i) {
        QVERIFY(!createUser(QStringLiteral("page%1@paging.example").arg(i),
                            QStringLiteral("ext-page-%1").arg(i))
                     .isEmpty());
    }
    const QString filter = QStringLiteral("/Users?filter=") +
                           filterQuery(QStringLiteral(R"(userName ew "@paging.example")"));
    QStringList names;
    for (int start = 1; start <= 3; ++start) {
        const auto page = scim("GET", filter + QStringLiteral("&startIndex=%1&count=1").arg(start));
        QCOMPARE(page.status, 200);
        QCOMPARE(page.json().value(QLatin1String("totalResults")).toInt(), 3);
        QCOMPARE(page.json().value(QLatin1String("itemsPerPage")).toInt(), 1);
        QCOMPARE(page.json().value(QLatin1String("startIndex")).toInt(), start);
        names << page.json()
                     .value(QLatin1String("Resources"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("userName"))
                     .toString();
    }
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral("page1@paging.example"),
                                 QStringLiteral("page2@paging.example"),
                                 QStringLiteral("page3@paging.example")}));
    QCOMPARE(scim("GET", filter + QStringLiteral("&startIndex=4"))
                 .json()
                 .value(QLatin1String("Resources"))
                 .toArray()
                 .size(),
             0);
    const auto onlyCount = scim("GET", filter + QStringLiteral("&count=0"));
    QCOMPARE(onlyCount.json().value(QLatin1String("totalResults")).toInt(), 3);
    QCOMPARE(onlyCount.json().value(QLatin1String("Resources")).toArray().size(), 0);

    // Unfiltered: every provisioned user, page by page, each once.
    const auto all = scim("GET", QStringLiteral("/Users?count=200"));
    const int total = all.json().value(QLatin1String("totalResults")).toInt();
    QVERIFY(total >= 3);
    QStringList seen;
    for (int start = 1; start <= total; start += 2) {
        const auto page = scim("GET", QStringLiteral("/Users?startIndex=%1&count=2").arg(start));
        QCOMPARE(page.json().value(QLatin1String("totalResults")).toInt(), total);
        for (const auto &resource : page.json().value(QLatin1String("Resources")).toArray()) {
            seen << resource.toObject().value(QLatin1String("id")).toString();
        }
    }
    QCOMPARE(seen.size(), total);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), total);
}

// A provisioning token manages customers' people, never the vendor's staff: an administrator
// cannot be disabled, moved or deleted through SCIM.
void ScimTest::staffAreNotProvisioned()
{
    const auto found =
        scim("GET", QStringLiteral("/Users?filter=") +
                        filterQuery(QStringLiteral(R"(userName eq "ada.admin@toolhub.example")")));
    QCOMPARE(found.status, 200);
    QCOMPARE(found.json().value(QLatin1String("totalResults")).toInt(), 1);
    const QString id = found.json()
                           .value(QLatin1String("Resources"))
                           .toArray()
                           .first()
                           .toObject()
                           .value(QLatin1String("id"))
                           .toString();
    const auto patched = scim("PATCH", QStringLiteral("/Users/") + id,
                              compact(patchOp(QJsonArray{parseObject(
                                  R"({"op": "replace", "path": "active", "value": false})")})));
    QCOMPARE(patched.status, 403);
    QCOMPARE(scim("DELETE", QStringLiteral("/Users/") + id).status, 403);
    QVERIFY(!identityUser(id).disabled);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int status = 0;
    {
        ScimTest sqlite(Backend::Sqlite);
        status |= QTest::qExec(&sqlite, argc, argv);
    }
    {
        ScimTest postgres(Backend::Postgres);
        status |= QTest::qExec(&postgres, argc, argv);
    }
    return status;
}

#include "scim_test.moc"
