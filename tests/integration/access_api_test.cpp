// The access-control API of the real server process on the demo data, on SQLite and on
// PostgreSQL: service accounts and their tokens, custom roles and grants, what a customer admin
// may not give away, disabling people, groups, and the organization boundary of license lists.

#include "core/access/access.h"
#include "core/catalog/catalog.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "form.h"
#include "http_client.h"
#include "native_sign_in.h"
#include "postgres_cluster.h"
#include "result_text.h"
#include "server_process.h"
#include "test_browser.h"
#include "test_database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using toolhub::test::messageOf;
using toolhub::test::PostgresCluster;

namespace {

enum class Backend { Sqlite, Postgres };

constexpr auto acmeSerial = "MLP-ACME-7HRT-3XZC";
constexpr auto desktopClient = "toolhub-desktop";

// Requests of the test carry only the credentials they are given, never a cookie an earlier
// answer set.
class NoCookieJar : public QNetworkCookieJar {
public:
    bool setCookiesFromUrl(const QList<QNetworkCookie> &, const QUrl &) override { return false; }
};

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString text(const QJsonValue &value)
{
    return value.toString();
}

// True when `grants` (a grants list of the API) holds `role` in the scope given, from `source`.
bool hasGrant(const QJsonArray &grants, const QString &role, const QString &scope,
              const QString &organization = {}, const QString &source = {})
{
    for (const auto &item : grants) {
        const auto grant = item.toObject();
        if (text(grant.value(QLatin1String("role"))) == role &&
            text(grant.value(QLatin1String("scope"))) == scope &&
            (organization.isEmpty() ||
             text(grant.value(QLatin1String("organization"))) == organization) &&
            (source.isEmpty() || text(grant.value(QLatin1String("source"))) == source)) {
            return true;
        }
    }
    return false;
}

QStringList members(const QJsonArray &items, const char *member)
{
    QStringList out;
    for (const auto &item : items) {
        out << text(item.toObject().value(QLatin1String(member)));
    }
    return out;
}

QString what(const HttpExchange &reply)
{
    return QStringLiteral("%1 %2").arg(reply.status).arg(QString::fromUtf8(reply.body));
}

} // namespace

class AccessApiTest : public QObject {
    Q_OBJECT

public:
    explicit AccessApiTest(Backend backend) : m_backend(backend) {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void serviceTokenSecretIsShownOnce();
    void serviceTokenValidatesSerials();
    void serviceTokenHoldsOnlyItsScopes();
    void revokedServiceTokenIs401();
    void serviceTokensOutsideTheirLimitsAreRefused();
    void customRolesAreValidatedAndBuiltInsAreFixed();
    void customRoleIsGrantedAndRevoked();
    void deletingARoleRemovesItsGrants();
    void customerAdminGrantsOnlyWhatSheHolds();
    void customerAdminStaysInHerOrganization();
    void disablingEndsEverySignInAtOnce();
    void onlyManagersDisableAndNobodyThemselves();
    void globalManagersHandOutOnlyWhatTheyHold();
    void groupGrantsReachTheirMembers();
    void licensesOfAnotherOrganizationAre404();
    void secretsNeverReachTheLog();

private:
    std::unique_ptr<toolhub::server::Database> openServerDatabase();
    HttpExchange send(const QByteArray &method, const QByteArray &token, const QString &path,
                      const QByteArray &body = {});
    HttpExchange sendJson(const QByteArray &method, const QByteArray &token, const QString &path,
                          const QJsonObject &body);
    // An access token of a person signed in as the desktop app does; fails the test otherwise.
    QByteArray signIn(const QString &login, const QString &password);
    // The grants of `userId` as the admin sees them; fails the test unless the answer is 200.
    QJsonArray grantsOf(const QString &userId);
    HttpExchange grant(const QByteArray &token, const QString &userId, const QJsonObject &grant);
    HttpExchange refresh(const QByteArray &refreshToken);
    // Signs `browser` in on the sign-in form; the status of the form's answer.
    int signInOnForm(TestBrowser &browser, const QString &login, const QString &password);
    [[nodiscard]] QString id(const char *login) const { return m_ids.value(QLatin1String(login)); }

    Backend m_backend;
    std::unique_ptr<PostgresCluster> m_cluster;
    std::unique_ptr<ServerProcess> m_server;
    QNetworkAccessManager m_network;
    QByteArray m_ada;             // admin
    QByteArray m_alice;           // ACME's customer_admin
    QByteArray m_bob;             // ACME customer
    QByteArray m_dana;            // Globex customer
    QByteArray m_sam;             // support
    QMap<QString, QString> m_ids; // login -> user id
    QString m_accountId;          // the service account made through the API
    QString m_tokenId;
    QByteArray m_serviceToken;
    QByteArrayList m_secrets; // every secret handed out: none may reach the log
};

std::unique_ptr<toolhub::server::Database> AccessApiTest::openServerDatabase()
{
    const std::string url = m_backend == Backend::Sqlite
                                ? "sqlite://" + (m_server->dataDir() + "/toolhub.db").toStdString()
                                : m_cluster->url(QStringLiteral("access_api")).toStdString();
    QString error;
    auto db = toolhub::test::openDatabase(url, 1, &error);
    if (!db) {
        qWarning("%s", qPrintable(error));
    }
    return db;
}

HttpExchange AccessApiTest::send(const QByteArray &method, const QByteArray &token,
                                 const QString &path, const QByteArray &body)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty()) {
        headers.append({"Authorization", "Bearer " + token});
    }
    if (!body.isEmpty()) {
        headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    }
    return httpRequest(m_network, method, m_server->url(path), headers, body);
}

HttpExchange AccessApiTest::sendJson(const QByteArray &method, const QByteArray &token,
                                     const QString &path, const QJsonObject &body)
{
    return send(method, token, path, compact(body));
}

QByteArray AccessApiTest::signIn(const QString &login, const QString &password)
{
    QString error;
    const auto tokens = signInNative(*m_server, login, password, &error);
    const QByteArray access = tokens.value(QLatin1String("access_token")).toString().toLatin1();
    if (access.isEmpty()) {
        QTest::qFail(qPrintable(login + QStringLiteral(": ") + error), __FILE__, __LINE__);
        return {};
    }
    m_secrets << access << tokens.value(QLatin1String("refresh_token")).toString().toLatin1();
    return access;
}

QJsonArray AccessApiTest::grantsOf(const QString &userId)
{
    const auto reply = send("GET", m_ada, QStringLiteral("/api/v1/users/%1/grants").arg(userId));
    if (reply.status != 200) {
        QTest::qFail(qPrintable(QStringLiteral("grants of %1: %2").arg(userId, what(reply))),
                     __FILE__, __LINE__);
        return {};
    }
    return reply.json().value(QLatin1String("items")).toArray();
}

HttpExchange AccessApiTest::grant(const QByteArray &token, const QString &userId,
                                  const QJsonObject &grant)
{
    return sendJson("POST", token, QStringLiteral("/api/v1/users/%1/grants").arg(userId), grant);
}

HttpExchange AccessApiTest::refresh(const QByteArray &refreshToken)
{
    return httpRequest(
        m_network, "POST", m_server->url(QStringLiteral("/oauth/token")),
        {{"Content-Type", "application/x-www-form-urlencoded"}},
        formEncode({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                    {QStringLiteral("client_id"), QLatin1String(desktopClient)},
                    {QStringLiteral("refresh_token"), QString::fromLatin1(refreshToken)}}));
}

int AccessApiTest::signInOnForm(TestBrowser &browser, const QString &login, const QString &password)
{
    const auto form = browser.get(m_server->url(QStringLiteral("/signin")));
    if (form.status != 200) {
        return form.status;
    }
    return browser
        .postForm(
            m_server->url(QStringLiteral("/signin")),
            {{QStringLiteral("csrf_token"), hiddenField(form.body, QStringLiteral("csrf_token"))},
             {QStringLiteral("next"), QStringLiteral("/")},
             {QStringLiteral("login"), login},
             {QStringLiteral("password"), password}})
        .status;
}

void AccessApiTest::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    // Every request is logged: the secret scan at the end then covers what logs most.
    environment.insert(QStringLiteral("TOOLHUB_LOG_LEVEL"), QStringLiteral("debug"));
    if (m_backend == Backend::Postgres) {
        m_cluster = std::make_unique<PostgresCluster>();
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("access_api")),
                 qPrintable(m_cluster->errorString()));
        environment.insert(QStringLiteral("TOOLHUB_DATABASE_URL"),
                           m_cluster->url(QStringLiteral("access_api")));
    }
    m_network.setCookieJar(new NoCookieJar); // owned by m_network
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    m_ada = signIn(QStringLiteral("ada.admin@toolhub.example"), QStringLiteral("staff-demo-3"));
    m_alice = signIn(QStringLiteral("alice.archer@acme.example"), QStringLiteral("acme-demo-1"));
    m_bob = signIn(QStringLiteral("bob.barnes@acme.example"), QStringLiteral("acme-demo-2"));
    m_dana = signIn(QStringLiteral("dana.diaz@globex.example"), QStringLiteral("globex-demo-1"));
    m_sam = signIn(QStringLiteral("sam.support@toolhub.example"), QStringLiteral("staff-demo-1"));
    QVERIFY(!m_ada.isEmpty() && !m_alice.isEmpty() && !m_bob.isEmpty() && !m_dana.isEmpty() &&
            !m_sam.isEmpty());

    // The ids of the people, as the admin lists them.
    for (const auto *organization : {"acme", "globex"}) {
        const auto users =
            send("GET", m_ada,
                 QStringLiteral("/api/v1/organizations/%1/users").arg(QLatin1String(organization)));
        QVERIFY2(users.status == 200, qPrintable(what(users)));
        for (const auto &item : users.json().value(QLatin1String("items")).toArray()) {
            m_ids.insert(text(item.toObject().value(QLatin1String("login"))),
                         text(item.toObject().value(QLatin1String("id"))));
        }
    }
    QCOMPARE(m_ids.size(), 5);
    auto db = openServerDatabase();
    QVERIFY(db);
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    for (const auto *login : {"ada.admin@toolhub.example", "sam.support@toolhub.example"}) {
        const auto user = identity.findUserByLogin(login);
        QVERIFY2(user.ok(), messageOf(user));
        m_ids.insert(QLatin1String(login), QString::fromStdString(user->id));
    }
}

void AccessApiTest::cleanupTestCase()
{
    if (m_server) {
        QCOMPARE(m_server->terminate(), 0);
    }
}

void AccessApiTest::serviceTokenSecretIsShownOnce()
{
    const auto account = sendJson("POST", m_ada, QStringLiteral("/api/v1/service-accounts"),
                                  {{QStringLiteral("name"), QStringLiteral("erp-validator")},
                                   {QStringLiteral("description"), QStringLiteral("ERP checks")}});
    QVERIFY2(account.status == 201, qPrintable(what(account)));
    m_accountId = text(account.json().value(QLatin1String("id")));
    QVERIFY(!m_accountId.isEmpty());
    const QString tokens = QStringLiteral("/api/v1/service-accounts/%1/tokens").arg(m_accountId);

    const auto issued =
        sendJson("POST", m_ada, tokens,
                 {{QStringLiteral("name"), QStringLiteral("erp-production")},
                  {QStringLiteral("scopes"), QJsonArray{QStringLiteral("serials.validate")}},
                  {QStringLiteral("lifetime_days"), 30}});
    QVERIFY2(issued.status == 201, qPrintable(what(issued)));
    QCOMPARE(issued.header("Cache-Control"), QByteArray("no-store"));
    const auto body = issued.json();
    m_serviceToken = text(body.value(QLatin1String("token"))).toLatin1();
    m_tokenId = text(body.value(QLatin1String("id")));
    QVERIFY2(m_serviceToken.startsWith("thsa_"), issued.body.constData());
    QVERIFY(!m_tokenId.isEmpty());
    m_secrets << m_serviceToken;
    QCOMPARE(body.value(QLatin1String("scopes")).toArray(),
             QJsonArray{QStringLiteral("serials.validate")});
    QVERIFY(body.value(QLatin1String("last_used_at")).isNull());
    QVERIFY(body.value(QLatin1String("revoked_at")).isNull());
    QCOMPARE(body.value(QLatin1String("expires_at")).toInteger() -
                 body.value(QLatin1String("created_at")).toInteger(),
             qint64{30} * 86400);

    // Listed afterwards without its secret.
    const auto listed = send("GET", m_ada, tokens);
    QVERIFY2(listed.status == 200, qPrintable(what(listed)));
    QCOMPARE(listed.header("Cache-Control"), QByteArray("no-store"));
    const auto items = listed.json().value(QLatin1String("items")).toArray();
    QCOMPARE(members(items, "id"), QStringList{m_tokenId});
    QVERIFY(!items.first().toObject().contains(QLatin1String("token")));
    QVERIFY(!listed.body.contains(m_serviceToken.mid(5)));
    QVERIFY(!send("GET", m_ada, QStringLiteral("/api/v1/service-accounts"))
                 .body.contains(m_serviceToken.mid(5)));
}

void AccessApiTest::serviceTokenValidatesSerials()
{
    QVERIFY(!m_serviceToken.isEmpty());

    // A license in force.
    const auto valid =
        send("GET", m_serviceToken, QStringLiteral("/api/v1/serials/") + QLatin1String(acmeSerial));
    QVERIFY2(valid.status == 200, qPrintable(what(valid)));
    QCOMPARE(valid.header("Cache-Control"), QByteArray("no-store"));
    auto body = valid.json();
    QCOMPARE(text(body.value(QLatin1String("serial"))), QLatin1String(acmeSerial));
    QCOMPARE(text(body.value(QLatin1String("status"))), QStringLiteral("valid"));
    QCOMPARE(body.value(QLatin1String("product")).toObject(),
             (QJsonObject{{QStringLiteral("slug"), QStringLiteral("meshlab-pro")},
                          {QStringLiteral("name"), QStringLiteral("MeshLab Pro")}}));
    QCOMPARE(body.value(QLatin1String("organization")).toObject(),
             (QJsonObject{{QStringLiteral("slug"), QStringLiteral("acme")},
                          {QStringLiteral("name"), QStringLiteral("ACME Robotics")}}));
    QCOMPARE(body.value(QLatin1String("seats")).toInt(), 10);

    // A perpetual license stays valid after its maintenance has ended.
    const auto maintenanceOver =
        send("GET", m_serviceToken, QStringLiteral("/api/v1/serials/FLX-GLBX-5PQA-1VEU"));
    QCOMPARE(text(maintenanceOver.json().value(QLatin1String("status"))), QStringLiteral("valid"));
    QCOMPARE(text(maintenanceOver.json()
                      .value(QLatin1String("organization"))
                      .toObject()
                      .value(QLatin1String("slug"))),
             QStringLiteral("globex"));

    // A license whose end has passed, written by another process as an import would.
    {
        auto db = openServerDatabase();
        QVERIFY(db);
        const auto now = QDateTime::currentSecsSinceEpoch();
        toolhub::server::IdentityStore identity(*db,
                                                [] { return QDateTime::currentSecsSinceEpoch(); });
        toolhub::server::Licensing licensing(*db);
        toolhub::server::Catalog catalog(*db, licensing);
        const auto globex = identity.findOrganizationBySlug("globex");
        QVERIFY2(globex.ok(), messageOf(globex));
        const auto datastream = catalog.productId("datastream");
        QVERIFY2(datastream.ok(), messageOf(datastream));
        const auto license = licensing.createLicense(
            {"DST-GLBX-EXPD-0001", *datastream, globex->id, 3, now - 86400, std::nullopt, "OLD-1"},
            now - 400 * 86400);
        QVERIFY2(license.ok(), messageOf(license));
    }
    const auto expired =
        send("GET", m_serviceToken, QStringLiteral("/api/v1/serials/DST-GLBX-EXPD-0001"));
    QVERIFY2(expired.status == 200, qPrintable(what(expired)));
    body = expired.json();
    QCOMPARE(text(body.value(QLatin1String("status"))), QStringLiteral("expired"));
    QCOMPARE(body.value(QLatin1String("product")).toObject(),
             (QJsonObject{{QStringLiteral("slug"), QStringLiteral("datastream")},
                          {QStringLiteral("name"), QStringLiteral("DataStream")}}));
    QCOMPARE(body.value(QLatin1String("organization")).toObject(),
             (QJsonObject{{QStringLiteral("slug"), QStringLiteral("globex")},
                          {QStringLiteral("name"), QStringLiteral("Globex Engineering")}}));
    QVERIFY(body.value(QLatin1String("expires_at")).isString());

    // A serial no license carries: its status only, nothing else.
    const auto unknown =
        send("GET", m_serviceToken, QStringLiteral("/api/v1/serials/MLP-ACME-0000-0000"));
    QVERIFY2(unknown.status == 200, qPrintable(what(unknown)));
    QCOMPARE(text(unknown.json().value(QLatin1String("status"))), QStringLiteral("unknown"));
    QVERIFY(!unknown.json().contains(QLatin1String("product")));
    QVERIFY(!unknown.json().contains(QLatin1String("organization")));

    // 128 characters is the longest serial there is; one more is no serial at all.
    const auto longest =
        send("GET", m_serviceToken, QStringLiteral("/api/v1/serials/") + QString(128, u'A'));
    QCOMPARE(longest.status, 200);
    QCOMPARE(text(longest.json().value(QLatin1String("status"))), QStringLiteral("unknown"));
    const auto tooLong =
        send("GET", m_serviceToken, QStringLiteral("/api/v1/serials/") + QString(129, u'A'));
    QCOMPARE(tooLong.status, 400);
    QCOMPARE(tooLong.header("Content-Type"), QByteArray("application/problem+json"));

    // The use is recorded on the token.
    const auto listed =
        send("GET", m_ada, QStringLiteral("/api/v1/service-accounts/%1/tokens").arg(m_accountId));
    const auto token = listed.json().value(QLatin1String("items")).toArray().first().toObject();
    QVERIFY2(token.value(QLatin1String("last_used_at")).isDouble(), listed.body.constData());
    QVERIFY(token.value(QLatin1String("last_used_at")).toInteger() >=
            token.value(QLatin1String("created_at")).toInteger());
}

void AccessApiTest::serviceTokenHoldsOnlyItsScopes()
{
    QVERIFY(!m_serviceToken.isEmpty());
    QCOMPARE(send("GET", m_serviceToken, QStringLiteral("/api/v1/catalog/products")).status, 403);
    QCOMPARE(
        send("GET", m_serviceToken, QStringLiteral("/api/v1/organizations/acme/licenses")).status,
        403);
    QCOMPARE(send("GET", m_serviceToken, QStringLiteral("/api/v1/service-accounts")).status, 403);
    // A service account is no person and has no organization.
    QCOMPARE(send("GET", m_serviceToken, QStringLiteral("/api/v1/products")).status, 403);
    // The admin, holding every permission, reads the catalog: the 403 is the token's scope.
    QCOMPARE(send("GET", m_ada, QStringLiteral("/api/v1/catalog/products")).status, 200);
}

void AccessApiTest::revokedServiceTokenIs401()
{
    QVERIFY(!m_serviceToken.isEmpty());
    const QString serial = QStringLiteral("/api/v1/serials/") + QLatin1String(acmeSerial);
    QCOMPARE(send("GET", m_serviceToken, serial).status, 200);

    const QString path =
        QStringLiteral("/api/v1/service-accounts/%1/tokens/%2").arg(m_accountId, m_tokenId);
    const auto revoked = send("DELETE", m_ada, path);
    QVERIFY2(revoked.status == 204, qPrintable(what(revoked)));

    const auto refused = send("GET", m_serviceToken, serial);
    QCOMPARE(refused.status, 401);
    QVERIFY2(refused.header("WWW-Authenticate").startsWith("Bearer"),
             refused.header("WWW-Authenticate").constData());
    const auto listed =
        send("GET", m_ada, QStringLiteral("/api/v1/service-accounts/%1/tokens").arg(m_accountId));
    QVERIFY(listed.json()
                .value(QLatin1String("items"))
                .toArray()
                .first()
                .toObject()
                .value(QLatin1String("revoked_at"))
                .isDouble());
    // A token of another account is not this account's to revoke.
    QCOMPARE(send("DELETE", m_ada,
                  QStringLiteral("/api/v1/service-accounts/%1/tokens/%2")
                      .arg(QStringLiteral("0123456789abcdef0123456789abcdef"), m_tokenId))
                 .status,
             404);
}

void AccessApiTest::serviceTokensOutsideTheirLimitsAreRefused()
{
    QVERIFY(!m_accountId.isEmpty());
    const QString tokens = QStringLiteral("/api/v1/service-accounts/%1/tokens").arg(m_accountId);
    const auto issue = [&](const QJsonValue &days, const QJsonArray &scopes) {
        QJsonObject body{{QStringLiteral("name"), QStringLiteral("refused")},
                         {QStringLiteral("scopes"), scopes}};
        if (!days.isUndefined()) {
            body.insert(QStringLiteral("lifetime_days"), days);
        }
        return sendJson("POST", m_ada, tokens, body).status;
    };
    const QJsonArray validate{QStringLiteral("serials.validate")};
    QCOMPARE(issue(0, validate), 400);  // expired when made
    QCOMPARE(issue(-1, validate), 400); // expired before it was made
    QCOMPARE(issue(367, validate), 400);
    QCOMPARE(issue(QStringLiteral("30"), validate), 400);
    QCOMPARE(issue(1.5, validate), 400);
    QCOMPARE(issue(QJsonValue::Undefined, QJsonArray{}), 400);
    // A service account may never manage people or accounts.
    QCOMPARE(issue(QJsonValue::Undefined, QJsonArray{QStringLiteral("users.manage")}), 400);
    QCOMPARE(issue(QJsonValue::Undefined, QJsonArray{QStringLiteral("service_accounts.manage")}),
             400);
    QCOMPARE(send("GET", m_ada, tokens).json().value(QLatin1String("items")).toArray().size(), 1);

    // The limits themselves are accepted.
    const auto shortest = sendJson("POST", m_ada, tokens,
                                   {{QStringLiteral("name"), QStringLiteral("shortest")},
                                    {QStringLiteral("scopes"), validate},
                                    {QStringLiteral("lifetime_days"), 1}});
    QVERIFY2(shortest.status == 201, qPrintable(what(shortest)));
    m_secrets << text(shortest.json().value(QLatin1String("token"))).toLatin1();
    QCOMPARE(send("GET", m_ada, tokens).json().value(QLatin1String("items")).toArray().size(), 2);
}

void AccessApiTest::customRolesAreValidatedAndBuiltInsAreFixed()
{
    const auto role = [&](const QJsonValue &name, const QJsonValue &permissions) {
        return sendJson("POST", m_ada, QStringLiteral("/api/v1/roles"),
                        {{QStringLiteral("name"), name},
                         {QStringLiteral("description"), QStringLiteral("Reads the audit log")},
                         {QStringLiteral("permissions"), permissions}});
    };
    const QJsonArray auditorPermissions{QStringLiteral("licenses.read"),
                                        QStringLiteral("audit.read")};
    const auto created = role(QStringLiteral("auditor"), auditorPermissions);
    QVERIFY2(created.status == 201, qPrintable(what(created)));
    QCOMPARE(created.header("Location"), QByteArray("/api/v1/roles/auditor"));
    QCOMPARE(created.json().value(QLatin1String("permissions")).toArray(),
             (QJsonArray{QStringLiteral("audit.read"), QStringLiteral("licenses.read")}));
    QCOMPARE(created.json().value(QLatin1String("built_in")).toBool(), false);

    for (const QString &name :
         {QStringLiteral("Auditor"), QStringLiteral("1auditor"), QStringLiteral("_auditor"),
          QString(), QStringLiteral("audit or"), QStringLiteral("auditor/x"), QString(65, u'a')}) {
        const auto refused = role(name, auditorPermissions);
        QVERIFY2(refused.status == 400, qPrintable(name + QStringLiteral(": ") + what(refused)));
        QCOMPARE(text(refused.json().value(QLatin1String("code"))),
                 QStringLiteral("invalid_argument"));
    }
    QCOMPARE(role(QString(64, u'a'), auditorPermissions).status, 201);
    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/") + QString(64, u'a')).status,
             204);
    QCOMPARE(role(QStringLiteral("reader"),
                  QJsonArray{QStringLiteral("audit.read"), QStringLiteral("audit.write")})
                 .status,
             400);
    QCOMPARE(role(QStringLiteral("reader"), QJsonArray{}).status, 400);
    QCOMPARE(role(QStringLiteral("reader"), QStringLiteral("audit.read")).status, 400);
    QCOMPARE(role(QStringLiteral("reader"), QJsonArray{7}).status, 400);

    // Taken names: a custom role's and a built-in one's.
    QCOMPARE(role(QStringLiteral("auditor"), auditorPermissions).status, 409);
    QCOMPARE(role(QStringLiteral("admin"), auditorPermissions).status, 409);
    QCOMPARE(role(QStringLiteral("customer"), auditorPermissions).status, 409);

    // Built-in roles are neither changed nor deleted; custom ones are.
    const QJsonObject narrow{
        {QStringLiteral("description"), QStringLiteral("less")},
        {QStringLiteral("permissions"), QJsonArray{QStringLiteral("audit.read")}}};
    QCOMPARE(sendJson("PUT", m_ada, QStringLiteral("/api/v1/roles/admin"), narrow).status, 409);
    QCOMPARE(sendJson("PUT", m_ada, QStringLiteral("/api/v1/roles/customer"), narrow).status, 409);
    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/customer")).status, 409);
    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/support")).status, 409);
    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/no-such-role")).status, 404);
    const auto updated =
        sendJson("PUT", m_ada, QStringLiteral("/api/v1/roles/auditor"),
                 {{QStringLiteral("description"), QStringLiteral("Audit log, licenses and people")},
                  {QStringLiteral("permissions"),
                   QJsonArray{QStringLiteral("audit.read"), QStringLiteral("licenses.read"),
                              QStringLiteral("users.read")}}});
    QVERIFY2(updated.status == 200, qPrintable(what(updated)));

    // What is there now.
    const auto roles = send("GET", m_ada, QStringLiteral("/api/v1/roles"));
    QCOMPARE(roles.status, 200);
    const auto items = roles.json().value(QLatin1String("items")).toArray();
    auto names = members(items, "name");
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral("admin"), QStringLiteral("auditor"),
                                 QStringLiteral("catalog_manager"), QStringLiteral("customer"),
                                 QStringLiteral("customer_admin"), QStringLiteral("support")}));
    for (const auto &item : items) {
        const auto object = item.toObject();
        if (text(object.value(QLatin1String("name"))) == QLatin1String("admin")) {
            QCOMPARE(object.value(QLatin1String("permissions")).toArray().size(),
                     roles.json().value(QLatin1String("permissions")).toArray().size());
        }
        if (text(object.value(QLatin1String("name"))) == QLatin1String("auditor")) {
            QCOMPARE(object.value(QLatin1String("permissions")).toArray().size(), 3);
        }
    }
    // Only administrators make roles.
    QCOMPARE(role(QStringLiteral("acme-reader"), auditorPermissions).status, 201);
    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/acme-reader")).status, 204);
    QCOMPARE(sendJson("POST", m_alice, QStringLiteral("/api/v1/roles"),
                      {{QStringLiteral("name"), QStringLiteral("acme-reader")},
                       {QStringLiteral("permissions"), auditorPermissions}})
                 .status,
             403);
}

void AccessApiTest::customRoleIsGrantedAndRevoked()
{
    const QString bob = id("bob.barnes@acme.example");
    const QJsonObject auditorInAcme{{QStringLiteral("role"), QStringLiteral("auditor")},
                                    {QStringLiteral("scope"), QStringLiteral("organization")},
                                    {QStringLiteral("organization"), QStringLiteral("acme")}};
    // Without the role, bob reads no one (customers hold no users.read).
    const QString acmeUsers = QStringLiteral("/api/v1/organizations/acme/users");
    QCOMPARE(send("GET", m_bob, acmeUsers).status, 403);

    const auto granted = grant(m_ada, bob, auditorInAcme);
    QVERIFY2(granted.status == 201, qPrintable(what(granted)));
    QVERIFY(hasGrant(granted.json().value(QLatin1String("items")).toArray(),
                     QStringLiteral("auditor"), QStringLiteral("organization"),
                     QStringLiteral("acme"), QStringLiteral("manual")));
    const auto grants = grantsOf(bob);
    QVERIFY(hasGrant(grants, QStringLiteral("auditor"), QStringLiteral("organization"),
                     QStringLiteral("acme"), QStringLiteral("manual")));
    QVERIFY(hasGrant(grants, QStringLiteral("customer"), QStringLiteral("organization"),
                     QStringLiteral("acme"), QStringLiteral("membership")));

    // The role takes effect at once, in its organization only.
    QCOMPARE(send("GET", m_bob, acmeUsers).status, 200);
    QCOMPARE(send("GET", m_bob, QStringLiteral("/api/v1/organizations/globex/users")).status, 404);

    const auto revoked = send(
        "DELETE", m_ada,
        QStringLiteral("/api/v1/users/%1/grants?role=auditor&scope=organization&organization=acme")
            .arg(bob));
    QVERIFY2(revoked.status == 204, qPrintable(what(revoked)));
    QVERIFY(!hasGrant(grantsOf(bob), QStringLiteral("auditor"), QStringLiteral("organization")));
    QCOMPARE(send("GET", m_bob, acmeUsers).status, 403);
}

void AccessApiTest::deletingARoleRemovesItsGrants()
{
    const QString bob = id("bob.barnes@acme.example");
    const QString sam = id("sam.support@toolhub.example");
    QVERIFY(!sam.isEmpty());
    QCOMPARE(grant(m_ada, bob,
                   {{QStringLiteral("role"), QStringLiteral("auditor")},
                    {QStringLiteral("scope"), QStringLiteral("organization")},
                    {QStringLiteral("organization"), QStringLiteral("acme")}})
                 .status,
             201);
    QCOMPARE(grant(m_ada, sam,
                   {{QStringLiteral("role"), QStringLiteral("auditor")},
                    {QStringLiteral("scope"), QStringLiteral("global")}})
                 .status,
             201);
    QVERIFY(hasGrant(grantsOf(sam), QStringLiteral("auditor"), QStringLiteral("global")));
    QCOMPARE(send("GET", m_bob, QStringLiteral("/api/v1/organizations/acme/users")).status, 200);

    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/auditor")).status, 204);
    QVERIFY(!hasGrant(grantsOf(bob), QStringLiteral("auditor"), QStringLiteral("organization")));
    QVERIFY(!hasGrant(grantsOf(sam), QStringLiteral("auditor"), QStringLiteral("global")));
    QCOMPARE(send("GET", m_bob, QStringLiteral("/api/v1/organizations/acme/users")).status, 403);
    QVERIFY(!members(send("GET", m_ada, QStringLiteral("/api/v1/roles"))
                         .json()
                         .value(QLatin1String("items"))
                         .toArray(),
                     "name")
                 .contains(QStringLiteral("auditor")));

    // A new role of the same name starts without the old one's grants.
    QCOMPARE(sendJson("POST", m_ada, QStringLiteral("/api/v1/roles"),
                      {{QStringLiteral("name"), QStringLiteral("auditor")},
                       {QStringLiteral("permissions"), QJsonArray{QStringLiteral("users.read")}}})
                 .status,
             201);
    QVERIFY(!hasGrant(grantsOf(bob), QStringLiteral("auditor"), QStringLiteral("organization")));
    QCOMPARE(send("GET", m_bob, QStringLiteral("/api/v1/organizations/acme/users")).status, 403);
    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/auditor")).status, 204);
    // Granting a role that is gone.
    QCOMPARE(grant(m_ada, bob,
                   {{QStringLiteral("role"), QStringLiteral("auditor")},
                    {QStringLiteral("scope"), QStringLiteral("global")}})
                 .status,
             404);
}

void AccessApiTest::customerAdminGrantsOnlyWhatSheHolds()
{
    const QString bob = id("bob.barnes@acme.example");
    const auto inAcme = [](const char *role) {
        return QJsonObject{{QStringLiteral("role"), QLatin1String(role)},
                           {QStringLiteral("scope"), QStringLiteral("organization")},
                           {QStringLiteral("organization"), QStringLiteral("acme")}};
    };
    const auto before = grantsOf(bob);
    QVERIFY(!hasGrant(before, QStringLiteral("customer_admin"), QStringLiteral("organization")));

    // Her own role, in her organization: given and taken back.
    const auto given = grant(m_alice, bob, inAcme("customer_admin"));
    QVERIFY2(given.status == 201, qPrintable(what(given)));
    QVERIFY(hasGrant(grantsOf(bob), QStringLiteral("customer_admin"),
                     QStringLiteral("organization"), QStringLiteral("acme"),
                     QStringLiteral("manual")));
    QCOMPARE(send("GET", m_bob, QStringLiteral("/api/v1/organizations/acme/users")).status, 200);
    const auto taken =
        send("DELETE", m_alice,
             QStringLiteral(
                 "/api/v1/users/%1/grants?role=customer_admin&scope=organization&organization=acme")
                 .arg(bob));
    QVERIFY2(taken.status == 204, qPrintable(what(taken)));
    QCOMPARE(grantsOf(bob), before);

    // Roles carrying permissions she lacks, even in her own organization.
    for (const char *role : {"admin", "support", "catalog_manager"}) {
        const auto refused = grant(m_alice, bob, inAcme(role));
        QVERIFY2(refused.status == 403,
                 qPrintable(QLatin1String(role) + QStringLiteral(" ") + what(refused)));
        QCOMPARE(grantsOf(bob), before);
    }
    // A custom role with a permission she does not hold.
    QCOMPARE(sendJson("POST", m_ada, QStringLiteral("/api/v1/roles"),
                      {{QStringLiteral("name"), QStringLiteral("acme-auditor")},
                       {QStringLiteral("permissions"),
                        QJsonArray{QStringLiteral("audit.read"), QStringLiteral("users.read")}}})
                 .status,
             201);
    QCOMPARE(grant(m_alice, bob, inAcme("acme-auditor")).status, 403);
    QCOMPARE(grantsOf(bob), before);
    QCOMPARE(send("DELETE", m_ada, QStringLiteral("/api/v1/roles/acme-auditor")).status, 204);

    // Nothing globally, not even the role she holds.
    for (const char *role : {"customer_admin", "customer", "admin"}) {
        const auto refused = grant(m_alice, bob,
                                   {{QStringLiteral("role"), QLatin1String(role)},
                                    {QStringLiteral("scope"), QStringLiteral("global")}});
        QVERIFY2(refused.status == 403,
                 qPrintable(QLatin1String(role) + QStringLiteral(" ") + what(refused)));
        QCOMPARE(grantsOf(bob), before);
    }
    // Nor for herself.
    const QString alice = id("alice.archer@acme.example");
    const auto aliceBefore = grantsOf(alice);
    QCOMPARE(grant(m_alice, alice, inAcme("admin")).status, 403);
    QCOMPARE(grantsOf(alice), aliceBefore);
    // Bob, a customer, grants nothing.
    QCOMPARE(grant(m_bob, bob, inAcme("customer_admin")).status, 403);
    QCOMPARE(grantsOf(bob), before);
    QCOMPARE(send("GET", m_bob, QStringLiteral("/api/v1/service-accounts")).status, 403);
}

void AccessApiTest::customerAdminStaysInHerOrganization()
{
    const QString bob = id("bob.barnes@acme.example");
    const QString dana = id("dana.diaz@globex.example");
    const QString ada = id("ada.admin@toolhub.example");
    const auto bobBefore = grantsOf(bob);
    const auto danaBefore = grantsOf(dana);
    const auto adaBefore = grantsOf(ada);
    const QJsonObject adminInGlobex{{QStringLiteral("role"), QStringLiteral("customer_admin")},
                                    {QStringLiteral("scope"), QStringLiteral("organization")},
                                    {QStringLiteral("organization"), QStringLiteral("globex")}};

    // Dana, of Globex, is not there for her at all: as a user who does not exist.
    QCOMPARE(send("GET", m_alice, QStringLiteral("/api/v1/users/%1").arg(dana)).status, 404);
    QCOMPARE(send("GET", m_alice, QStringLiteral("/api/v1/users/%1/grants").arg(dana)).status, 404);
    const auto forDana = grant(m_alice, dana, adminInGlobex);
    const auto forNobody =
        grant(m_alice, QStringLiteral("0123456789abcdef0123456789abcdef"), adminInGlobex);
    QCOMPARE(forDana.status, 404);
    QCOMPARE(forNobody.status, 404);
    QCOMPARE(forDana.json().value(QLatin1String("detail")),
             forNobody.json().value(QLatin1String("detail")));
    QCOMPARE(send("DELETE", m_alice,
                  QStringLiteral("/api/v1/users/%1/grants?role=customer&scope=organization&"
                                 "organization=globex")
                      .arg(dana))
                 .status,
             404);
    QCOMPARE(grantsOf(dana), danaBefore);

    // A grant in Globex for a member of ACME: refused, not being in her organization.
    const auto inGlobex = grant(m_alice, bob, adminInGlobex);
    QCOMPARE(inGlobex.status, 403);
    QCOMPARE(grantsOf(bob), bobBefore);
    QCOMPARE(send("GET", m_bob, QStringLiteral("/api/v1/organizations/globex/users")).status, 403);

    // Nor the vendor's staff: ada's admin role cannot be taken from outside.
    QCOMPARE(send("DELETE", m_alice,
                  QStringLiteral("/api/v1/users/%1/grants?role=admin&scope=global").arg(ada))
                 .status,
             404);
    QCOMPARE(grantsOf(ada), adaBefore);
    QVERIFY(hasGrant(adaBefore, QStringLiteral("admin"), QStringLiteral("global")));
}

void AccessApiTest::disablingEndsEverySignInAtOnce()
{
    const QString carol = id("carol.chen@acme.example");
    const QString login = QStringLiteral("carol.chen@acme.example");
    const QString password = QStringLiteral("acme-demo-3");

    // Carol signed in as the desktop app does, and in a browser.
    QString error;
    const auto tokens = signInNative(*m_server, login, password, &error);
    QVERIFY2(!tokens.isEmpty(), qPrintable(error));
    m_secrets << tokens.value(QLatin1String("refresh_token")).toString().toLatin1();
    // The refresh token works before (and is exchanged for a new one, kept in its place).
    const auto refreshed =
        refresh(tokens.value(QLatin1String("refresh_token")).toString().toLatin1());
    QVERIFY2(refreshed.status == 200, qPrintable(what(refreshed)));
    const QByteArray access =
        text(refreshed.json().value(QLatin1String("access_token"))).toLatin1();
    QByteArray refreshToken =
        text(refreshed.json().value(QLatin1String("refresh_token"))).toLatin1();
    if (refreshToken.isEmpty()) {
        refreshToken = tokens.value(QLatin1String("refresh_token")).toString().toLatin1();
    }
    m_secrets << access << refreshToken;
    TestBrowser browser;
    QCOMPARE(signInOnForm(browser, login, password), 303);
    QCOMPARE(browser.get(m_server->url(QStringLiteral("/"))).status, 200);
    QCOMPARE(send("GET", access, QStringLiteral("/api/v1/products")).status, 200);

    const auto disabled =
        send("POST", m_alice, QStringLiteral("/api/v1/users/%1/disable").arg(carol));
    QVERIFY2(disabled.status == 200, qPrintable(what(disabled)));
    QCOMPARE(disabled.json().value(QLatin1String("disabled")).toBool(), true);
    QCOMPARE(text(disabled.json().value(QLatin1String("id"))), carol);

    // Every way in ends at once, long before the access token would expire.
    const auto api = send("GET", access, QStringLiteral("/api/v1/products"));
    QCOMPARE(api.status, 401);
    QVERIFY2(api.header("WWW-Authenticate").startsWith("Bearer"),
             api.header("WWW-Authenticate").constData());
    const auto refusedRefresh = refresh(refreshToken);
    QCOMPARE(refusedRefresh.status, 400);
    QCOMPARE(text(refusedRefresh.json().value(QLatin1String("error"))),
             QStringLiteral("invalid_grant"));
    const auto page = browser.get(m_server->url(QStringLiteral("/")));
    QCOMPARE(page.status, 303);
    QVERIFY2(page.header("Location").startsWith("/signin"), page.header("Location").constData());
    QVERIFY(signInNative(*m_server, login, password).isEmpty());
    TestBrowser other;
    QCOMPARE(signInOnForm(other, login, password), 401); // as a wrong password
    QCOMPARE(send("GET", m_ada, QStringLiteral("/api/v1/users/%1").arg(carol))
                 .json()
                 .value(QLatin1String("disabled"))
                 .toBool(),
             true);

    // Enabled again, she signs in anew; what disabling ended stays ended.
    const auto enabled =
        send("POST", m_alice, QStringLiteral("/api/v1/users/%1/enable").arg(carol));
    QVERIFY2(enabled.status == 200, qPrintable(what(enabled)));
    QCOMPARE(enabled.json().value(QLatin1String("disabled")).toBool(), false);
    QCOMPARE(refresh(refreshToken).status, 400);
    QCOMPARE(browser.get(m_server->url(QStringLiteral("/"))).status, 303);
    // An access token from before the disabling stays void, though it has not expired.
    QCOMPARE(send("GET", access, QStringLiteral("/api/v1/products")).status, 401);
    QCOMPARE(send("GET", access, QStringLiteral("/api/v1/me")).status, 401);
    const QByteArray again = signIn(login, password);
    QVERIFY(!again.isEmpty());
    QCOMPARE(send("GET", again, QStringLiteral("/api/v1/products")).status, 200);
    TestBrowser third;
    QCOMPARE(signInOnForm(third, login, password), 303);
    QCOMPARE(third.get(m_server->url(QStringLiteral("/"))).status, 200);
}

void AccessApiTest::globalManagersHandOutOnlyWhatTheyHold()
{
    const QString sam = id("sam.support@toolhub.example");
    const QString bob = id("bob.barnes@acme.example");
    // Sam (support) also manages users, roles and service accounts everywhere.
    const auto role =
        sendJson("POST", m_ada, QStringLiteral("/api/v1/roles"),
                 {{QStringLiteral("name"), QStringLiteral("people-ops")},
                  {QStringLiteral("permissions"),
                   QJsonArray{QStringLiteral("users.manage"), QStringLiteral("roles.manage"),
                              QStringLiteral("service_accounts.manage")}}});
    QVERIFY2(role.status == 201, qPrintable(what(role)));
    const QJsonObject peopleOps{{QStringLiteral("role"), QStringLiteral("people-ops")},
                                {QStringLiteral("scope"), QStringLiteral("global")}};
    QCOMPARE(grant(m_ada, sam, peopleOps).status, 201);

    // Not admin for himself, nor a role or a group with more than he holds...
    const QJsonObject admin{{QStringLiteral("role"), QStringLiteral("admin")},
                            {QStringLiteral("scope"), QStringLiteral("global")}};
    QCOMPARE(grant(m_sam, sam, admin).status, 403);
    QCOMPARE(grant(m_sam, bob, admin).status, 403);
    QCOMPARE(
        sendJson("PUT", m_sam, QStringLiteral("/api/v1/roles/people-ops"),
                 {{QStringLiteral("permissions"),
                   QJsonArray{QStringLiteral("users.manage"), QStringLiteral("catalog.manage")}}})
            .status,
        403);
    QCOMPARE(sendJson("POST", m_sam, QStringLiteral("/api/v1/roles"),
                      {{QStringLiteral("name"), QStringLiteral("importer")},
                       {QStringLiteral("permissions"), QJsonArray{QStringLiteral("imports.run")}}})
                 .status,
             403);
    // ... nor a service token with a scope he lacks; one he holds is fine.
    const auto account = sendJson("POST", m_sam, QStringLiteral("/api/v1/service-accounts"),
                                  {{QStringLiteral("name"), QStringLiteral("sam-tool")}});
    QVERIFY2(account.status == 201, qPrintable(what(account)));
    const QString tokens = QStringLiteral("/api/v1/service-accounts/%1/tokens")
                               .arg(text(account.json().value(QLatin1String("id"))));
    QCOMPARE(sendJson("POST", m_sam, tokens,
                      {{QStringLiteral("name"), QStringLiteral("scim")},
                       {QStringLiteral("scopes"), QJsonArray{QStringLiteral("scim.provision")}}})
                 .status,
             403);
    QCOMPARE(sendJson("POST", m_sam, tokens,
                      {{QStringLiteral("name"), QStringLiteral("serials")},
                       {QStringLiteral("scopes"), QJsonArray{QStringLiteral("serials.validate")}}})
                 .status,
             201);
    // What he holds himself, he may give: support to bob, everywhere.
    const QJsonObject support{{QStringLiteral("role"), QStringLiteral("support")},
                              {QStringLiteral("scope"), QStringLiteral("global")}};
    QCOMPARE(grant(m_sam, bob, support).status, 201);

    // Bob now holds a role beyond ACME: ACME's admin can no longer disable him.
    QCOMPARE(send("POST", m_alice, QStringLiteral("/api/v1/users/%1/disable").arg(bob)).status,
             403);
    QCOMPARE(send("DELETE", m_ada,
                  QStringLiteral("/api/v1/users/%1/grants?role=support&scope=global").arg(bob))
                 .status,
             204);
    QCOMPARE(send("DELETE", m_ada,
                  QStringLiteral("/api/v1/users/%1/grants?role=people-ops&scope=global").arg(sam))
                 .status,
             204);

    // A body nested deeper than any request needs is refused before it is parsed.
    const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
    const auto nested = httpRequest(
        m_network, "POST", m_server->url(QStringLiteral("/api/v1/roles")),
        {{"Authorization", "Bearer " + m_ada}, {"Content-Type", "application/json"}}, deep);
    QCOMPARE(nested.status, 400);
    QCOMPARE(send("GET", m_ada, QStringLiteral("/livez")).status, 200);
}

void AccessApiTest::onlyManagersDisableAndNobodyThemselves()
{
    const QString alice = id("alice.archer@acme.example");
    const QString bob = id("bob.barnes@acme.example");
    const QString dana = id("dana.diaz@globex.example");
    const QString erik = id("erik.engel@globex.example");
    const QString ada = id("ada.admin@toolhub.example");
    const auto isDisabled = [&](const QString &user) {
        return send("GET", m_ada, QStringLiteral("/api/v1/users/%1").arg(user))
            .json()
            .value(QLatin1String("disabled"))
            .toBool(true);
    };

    const auto self = send("POST", m_alice, QStringLiteral("/api/v1/users/%1/disable").arg(alice));
    QVERIFY2(self.status == 409, qPrintable(what(self)));
    QVERIFY(!isDisabled(alice));
    QCOMPARE(send("GET", m_alice, QStringLiteral("/api/v1/products")).status, 200);

    // A customer disables no one, in her organization or another.
    QCOMPARE(send("POST", m_dana, QStringLiteral("/api/v1/users/%1/disable").arg(erik)).status,
             403);
    QCOMPARE(send("POST", m_dana, QStringLiteral("/api/v1/users/%1/disable").arg(bob)).status, 403);
    QCOMPARE(send("POST", m_bob, QStringLiteral("/api/v1/users/%1/disable").arg(alice)).status,
             403);
    QVERIFY(!isDisabled(erik));
    QVERIFY(!isDisabled(bob));
    QVERIFY(!isDisabled(alice));
    // Support reads people but does not disable them.
    QCOMPARE(send("POST", m_sam, QStringLiteral("/api/v1/users/%1/disable").arg(bob)).status, 403);
    QVERIFY(!isDisabled(bob));

    // The customer admin, outside her organization: as if there were no one.
    QCOMPARE(send("POST", m_alice, QStringLiteral("/api/v1/users/%1/disable").arg(dana)).status,
             404);
    QCOMPARE(send("POST", m_alice, QStringLiteral("/api/v1/users/%1/disable").arg(ada)).status,
             404);
    QVERIFY(!isDisabled(dana));
    QVERIFY(!isDisabled(ada));
    QCOMPARE(send("GET", m_dana, QStringLiteral("/api/v1/products")).status, 200);
}

void AccessApiTest::groupGrantsReachTheirMembers()
{
    const QString erik = id("erik.engel@globex.example");
    const QByteArray erikToken =
        signIn(QStringLiteral("erik.engel@globex.example"), QStringLiteral("globex-demo-2"));
    QVERIFY(!erikToken.isEmpty());
    const QString serial = QStringLiteral("/api/v1/serials/") + QLatin1String(acmeSerial);
    QCOMPARE(send("GET", erikToken, serial).status, 403);

    // A group as a provisioning client makes them, in the server's database.
    std::string groupId;
    {
        auto db = openServerDatabase();
        QVERIFY(db);
        toolhub::server::AccessControl access(*db,
                                              [] { return QDateTime::currentSecsSinceEpoch(); });
        const auto group =
            access.createGroup({"Partner Support Desk", "ext-4711", {erik.toStdString()}});
        QVERIFY2(group.ok(), messageOf(group));
        groupId = group->id;
    }
    const QString groupPath =
        QStringLiteral("/api/v1/groups/%1/grants").arg(QString::fromStdString(groupId));
    QCOMPARE(send("GET", erikToken, serial).status, 403); // a group without grants gives nothing

    const auto set =
        sendJson("PUT", m_ada, groupPath,
                 {{QStringLiteral("grants"),
                   QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("support")},
                                          {QStringLiteral("scope"), QStringLiteral("global")}}}}});
    QVERIFY2(set.status == 200, qPrintable(what(set)));
    QVERIFY(hasGrant(set.json().value(QLatin1String("grants")).toArray(), QStringLiteral("support"),
                     QStringLiteral("global")));

    // A member holds the group's role at once; others do not.
    const auto validated = send("GET", erikToken, serial);
    QVERIFY2(validated.status == 200, qPrintable(what(validated)));
    QCOMPARE(text(validated.json().value(QLatin1String("status"))), QStringLiteral("valid"));
    QCOMPARE(send("GET", m_dana, serial).status, 403);
    const auto erikGrants = grantsOf(erik);
    QVERIFY(hasGrant(erikGrants, QStringLiteral("support"), QStringLiteral("global"), {},
                     QStringLiteral("group")));
    bool namesGroup = false;
    for (const auto &item : erikGrants) {
        namesGroup |=
            text(item.toObject().value(QLatin1String("group"))) == QString::fromStdString(groupId);
    }
    QVERIFY(namesGroup);

    // Listed with its members and grants.
    const auto groups = send("GET", m_ada, QStringLiteral("/api/v1/groups"));
    QVERIFY2(groups.status == 200, qPrintable(what(groups)));
    QJsonObject listed;
    for (const auto &item : groups.json().value(QLatin1String("items")).toArray()) {
        if (text(item.toObject().value(QLatin1String("id"))) == QString::fromStdString(groupId)) {
            listed = item.toObject();
        }
    }
    QCOMPARE(text(listed.value(QLatin1String("display_name"))),
             QStringLiteral("Partner Support Desk"));
    QCOMPARE(text(listed.value(QLatin1String("external_id"))), QStringLiteral("ext-4711"));
    QCOMPARE(listed.value(QLatin1String("members")).toArray(), QJsonArray{erik});
    QCOMPARE(listed.value(QLatin1String("grants")).toArray(),
             (QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("support")},
                                     {QStringLiteral("scope"), QStringLiteral("global")}}}));
    // Only administrators see groups.
    QCOMPARE(send("GET", m_alice, QStringLiteral("/api/v1/groups")).status, 403);
    QCOMPARE(send("GET", m_sam, QStringLiteral("/api/v1/groups")).status, 403);

    // A list naming a role that does not exist changes nothing.
    const auto unknownRole =
        sendJson("PUT", m_ada, groupPath,
                 {{QStringLiteral("grants"),
                   QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("no-such-role")},
                                          {QStringLiteral("scope"), QStringLiteral("global")}}}}});
    QVERIFY2(unknownRole.status == 404, qPrintable(what(unknownRole)));
    QCOMPARE(send("GET", erikToken, serial).status, 200);

    // Emptied, the group gives nothing any more.
    const auto emptied =
        sendJson("PUT", m_ada, groupPath, {{QStringLiteral("grants"), QJsonArray{}}});
    QVERIFY2(emptied.status == 200, qPrintable(what(emptied)));
    QCOMPARE(send("GET", erikToken, serial).status, 403);
    QVERIFY(!hasGrant(grantsOf(erik), QStringLiteral("support"), QStringLiteral("global")));
}

void AccessApiTest::licensesOfAnotherOrganizationAre404()
{
    const auto hidden = send("GET", m_bob, QStringLiteral("/api/v1/organizations/globex/licenses"));
    const auto missing =
        send("GET", m_bob, QStringLiteral("/api/v1/organizations/no-such-org/licenses"));
    QCOMPARE(hidden.status, 404);
    QCOMPARE(missing.status, 404);
    QCOMPARE(hidden.json().value(QLatin1String("detail")),
             missing.json().value(QLatin1String("detail")));
    QVERIFY(!hidden.body.contains("GLBX"));

    const auto own = send("GET", m_bob, QStringLiteral("/api/v1/organizations/acme/licenses"));
    QVERIFY2(own.status == 200, qPrintable(what(own)));
    auto serials = members(own.json().value(QLatin1String("items")).toArray(), "serial");
    serials.sort();
    QCOMPARE(serials, (QStringList{QStringLiteral("DST-ACME-4MNB-8KLP"),
                                   QStringLiteral("FLX-ACME-2F7K-9QWD"),
                                   QStringLiteral("MLP-ACME-7HRT-3XZC")}));

    const auto support =
        send("GET", m_sam, QStringLiteral("/api/v1/organizations/globex/licenses"));
    QVERIFY2(support.status == 200, qPrintable(what(support)));
    serials = members(support.json().value(QLatin1String("items")).toArray(), "serial");
    serials.sort();
    // Globex's demo licenses and the expired one written above.
    QCOMPARE(serials, (QStringList{QStringLiteral("DST-GLBX-9TYU-6RED"),
                                   QStringLiteral("DST-GLBX-EXPD-0001"),
                                   QStringLiteral("FLX-GLBX-5PQA-1VEU")}));
    QVERIFY(!support.body.contains("ACME"));
}

void AccessApiTest::secretsNeverReachTheLog()
{
    const QByteArray log = m_server->standardOutput() + m_server->standardError();
    // The log is there to be searched: it records the requests made above.
    QVERIFY2(log.contains("/api/v1/service-accounts"), log.right(2000).constData());
    QVERIFY(m_secrets.size() > 8);
    for (const auto &secret : std::as_const(m_secrets)) {
        QVERIFY(secret.size() > 20);
        // The secret, and its random part without the prefix.
        const QByteArray random = secret.startsWith("thsa_") ? secret.mid(5) : secret.right(24);
        QVERIFY2(!log.contains(random),
                 qPrintable(QStringLiteral("the log holds a secret starting %1")
                                .arg(QString::fromLatin1(secret.left(8)))));
    }
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int status = 0;
    {
        AccessApiTest sqlite(Backend::Sqlite);
        status |= QTest::qExec(&sqlite, argc, argv);
    }
    {
        AccessApiTest postgres(Backend::Postgres);
        status |= QTest::qExec(&postgres, argc, argv);
    }
    return status;
}

#include "access_api_test.moc"
