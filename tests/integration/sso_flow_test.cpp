// OpenID Connect single sign-on through the real toolhub-server and a real provider
// (oidc-provider from npm, tests/fixtures/oidc/provider.mjs): sign-in in the browser and for the
// desktop app, the user made at the first sign-in with the organization and roles of the
// mapping rules, found again by (iss, sub) after an e-mail change, RP-initiated and back-channel
// logout. A second, deliberately broken provider (forge.mjs) hands out forged ID tokens, each
// refused at the callback, and signs logout tokens for the refusal cases.

#include "core/access/access.h"
#include "core/identity/identity.h"
#include "core/storage/database.h"
#include "form.h"
#include "http_client.h"
#include "postgres_cluster.h"
#include "server_process.h"
#include "test_browser.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace toolhub;
using namespace toolhub::server;
using toolhub::test::PostgresCluster;

namespace {

constexpr auto corpSecret = "corp-client-secret-0123456789";
constexpr auto loopback = "http://127.0.0.1:49152/callback";

enum class Backend { Sqlite, Postgres };

// A Node script of tests/fixtures/oidc, started on a free port; stopped by its PID.
class NodeProcess {
public:
    ~NodeProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }

    bool start(const QString &script, const QStringList &arguments, QString *error)
    {
        m_process.setProgram(QStringLiteral("node"));
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.setArguments(QStringList{QStringLiteral(TOOLHUB_OIDC_FIXTURES "/") + script} +
                               arguments);
        m_process.start();
        if (!m_process.waitForStarted(10000)) {
            *error = QStringLiteral("cannot start node: ") + m_process.errorString();
            return false;
        }
        const QDeadlineTimer deadline(20000);
        QByteArray out;
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            m_process.waitForReadyRead(100);
            out += m_process.readAllStandardOutput();
            const auto line = out.left(out.indexOf('\n'));
            if (out.contains('\n')) {
                m_issuer = QJsonDocument::fromJson(line)
                               .object()
                               .value(QLatin1String("issuer"))
                               .toString();
                return !m_issuer.isEmpty();
            }
        }
        *error = QStringLiteral("%1 did not start: %2")
                     .arg(script, QString::fromUtf8(m_process.readAllStandardError()));
        return false;
    }

    [[nodiscard]] const QString &issuer() const { return m_issuer; }
    [[nodiscard]] QUrl url(const QString &path) const { return QUrl(m_issuer + path); }

private:
    QProcess m_process;
    QString m_issuer;
};

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

QUrl locationOf(const QUrl &base, const HttpExchange &reply)
{
    return base.resolved(QUrl(QString::fromUtf8(reply.header("Location"))));
}

bool isRedirect(const HttpExchange &reply)
{
    return reply.status == 301 || reply.status == 302 || reply.status == 303 || reply.status == 307;
}

// Follows redirects from `url` with GETs until an answer that is not one, or one to `stopAt`
// (which is not fetched: the app's loopback listener). `visited` gets every URL fetched.
HttpExchange follow(TestBrowser &browser, QUrl url, QList<QUrl> *visited = nullptr,
                    QUrl *last = nullptr)
{
    for (int hop = 0; hop < 20; ++hop) {
        if (visited != nullptr) {
            visited->append(url);
        }
        auto reply = browser.get(url);
        if (!isRedirect(reply)) {
            if (last != nullptr) {
                *last = url;
            }
            return reply;
        }
        url = locationOf(url, reply);
        if (url.toString().startsWith(QLatin1String(loopback))) {
            if (last != nullptr) {
                *last = url;
            }
            return reply;
        }
    }
    return {};
}

QString pkceVerifier()
{
    QByteArray random(32, '\0');
    for (auto &byte : random) {
        byte = static_cast<char>(QRandomGenerator::global()->bounded(256));
    }
    return QString::fromLatin1(
        random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString challengeOf(const QString &verifier)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

class SsoFlowTest : public QObject {
    Q_OBJECT

public:
    explicit SsoFlowTest(Backend backend) : m_backend(backend) {}

private Q_SLOTS:
    void initTestCase();
    void signInPageShowsOneButtonPerProvider();
    void firstSignInCreatesTheUserWithOrganizationAndRoles();
    void secondSignInFindsTheSameUserAfterAnEmailChange();
    void desktopAppSignsInThroughTheProvider();
    void replayedCallbackIsRefused();
    void callbackFromAnotherBrowserIsRefused();
    void refusalAtTheProviderEndsTheSignIn();
    void forgedIdTokensAreRefusedAtTheCallback_data();
    void forgedIdTokensAreRefusedAtTheCallback();
    void signOutRedirectsToTheProvidersEndSession();
    void backChannelLogoutEndsSessionsAndRefreshTokens();
    void sidOnlyLogoutTokenEndsThatSession();
    void invalidLogoutTokensAreRefused();
    void secretsNeverReachTheLog();

private:
    // Signs in through the provider from `start` (a URL of this server), entering `login` and
    // `password` on the provider's form; returns the last answer (the app's loopback redirect,
    // or this server's page). `callback` gets this server's callback URL.
    HttpExchange signInAtProvider(TestBrowser &browser, const QUrl &start, const QString &login,
                                  const QString &password, QUrl *callback = nullptr,
                                  QUrl *last = nullptr);
    bool signedIn(TestBrowser &browser);
    // The user of (corp issuer, sub), read from the server's database.
    Result<User> corpUser(const QString &subject);
    HttpExchange postForm(const QUrl &url, const QList<QPair<QString, QString>> &fields);
    QString forgeSigned(const QJsonObject &claims);

    Backend m_backend;
    std::unique_ptr<PostgresCluster> m_cluster;
    QTemporaryDir m_dir;
    NodeProcess m_corp;
    NodeProcess m_forge;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<IdentityStore> m_identity;
    std::unique_ptr<AccessControl> m_access;
    QNetworkAccessManager m_network;
    QString m_aliceId;
    QStringList m_secrets; // must never appear in the log
};

void SsoFlowTest::initTestCase()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
    const QJsonObject client{
        {QStringLiteral("client_id"), QStringLiteral("toolhub")},
        {QStringLiteral("client_secret"), QLatin1String(corpSecret)},
        {QStringLiteral("redirect_uris"),
         QJsonArray{base + QStringLiteral("/signin/oidc/corp/callback")}},
        {QStringLiteral("post_logout_redirect_uris"), QJsonArray{base + QStringLiteral("/signin")}},
        {QStringLiteral("backchannel_logout_uri"),
         base + QStringLiteral("/signin/oidc/corp/backchannel-logout")},
        {QStringLiteral("backchannel_logout_session_required"), true},
        {QStringLiteral("grant_types"), QJsonArray{QStringLiteral("authorization_code")}},
        {QStringLiteral("response_types"), QJsonArray{QStringLiteral("code")}},
    };
    const auto account = [](const char *password, const char *name, const char *email,
                            const QJsonArray &groups) {
        return QJsonObject{
            {QStringLiteral("password"), QLatin1String(password)},
            {QStringLiteral("claims"), QJsonObject{{QStringLiteral("name"), QLatin1String(name)},
                                                   {QStringLiteral("email"), QLatin1String(email)},
                                                   {QStringLiteral("groups"), groups}}}};
    };
    const QJsonObject config{
        {QStringLiteral("clients"), QJsonArray{client}},
        {QStringLiteral("accounts"),
         QJsonObject{{QStringLiteral("alice"),
                      account("alice-pw", "Alice Example", "alice@acme.example",
                              {QStringLiteral("acme-users"), QStringLiteral("everyone")})},
                     {QStringLiteral("bob"), account("bob-pw", "Bob Staff", "bob@vendor.example",
                                                     {QStringLiteral("staff")})}}},
    };
    QFile file(m_dir.filePath(QStringLiteral("provider.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(config).toJson());
    file.close();

    QString error;
    QVERIFY2(m_corp.start(QStringLiteral("provider.mjs"), {file.fileName()}, &error),
             qPrintable(error));
    QVERIFY2(m_forge.start(QStringLiteral("forge.mjs"), {QStringLiteral("toolhub-forge")}, &error),
             qPrintable(error));

    QProcessEnvironment env;
    if (m_backend == Backend::Postgres) {
        QVERIFY2(!PostgresCluster::findBinDir().isEmpty(),
                 "PostgreSQL is not installed: run scripts/install-deps.sh");
        m_cluster = std::make_unique<PostgresCluster>();
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
        QVERIFY2(m_cluster->createDatabase(QStringLiteral("sso")),
                 qPrintable(m_cluster->errorString()));
        env.insert(QStringLiteral("TOOLHUB_DATABASE_URL"), m_cluster->url(QStringLiteral("sso")));
    }
    env.insert(QStringLiteral("TOOLHUB_LISTEN_PORT"), QString::number(port));
    env.insert(QStringLiteral("TOOLHUB_PUBLIC_URL"), base);
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_ISSUER"), m_corp.issuer());
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_CLIENT_ID"), QStringLiteral("toolhub"));
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_CLIENT_SECRET"), QLatin1String(corpSecret));
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_LABEL"), QStringLiteral("Corp ID"));
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_SCOPES"),
               QStringLiteral("openid profile email groups"));
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_RULE_1"),
               QStringLiteral("groups:acme-users -> organization=acme role=customer_admin"));
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_RULE_2"),
               QStringLiteral("groups:staff -> role=support@global"));
    // Names an organization this server does not have: skipped with a warning.
    env.insert(QStringLiteral("TOOLHUB_OIDC_CORP_RULE_3"),
               QStringLiteral("groups:staff -> organization=gone role=customer_admin"));
    env.insert(QStringLiteral("TOOLHUB_OIDC_FORGE_ISSUER"), m_forge.issuer());
    env.insert(QStringLiteral("TOOLHUB_OIDC_FORGE_CLIENT_ID"), QStringLiteral("toolhub-forge"));
    env.insert(QStringLiteral("TOOLHUB_OIDC_FORGE_CLIENT_SECRET"), QStringLiteral("forge-secret"));
    env.insert(QStringLiteral("TOOLHUB_OIDC_FORGE_TOKEN_AUTH_METHOD"),
               QStringLiteral("client_secret_post"));
    m_server = std::make_unique<ServerProcess>(env);
    QCOMPARE(m_server->runToCompletion({QStringLiteral("org"), QStringLiteral("add"),
                                        QStringLiteral("acme"), QStringLiteral("Acme Corp")}),
             0);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QCOMPARE(m_server->port(), port);
    m_secrets << QLatin1String(corpSecret) << QStringLiteral("forge-secret");

    auto url = parseDatabaseUrl(m_cluster ? m_cluster->url(QStringLiteral("sso")).toStdString()
                                          : "sqlite://" + m_server->dataDir().toStdString() +
                                                "/toolhub.db");
    QVERIFY(url.ok());
    auto db = Database::open(*url, 1);
    QVERIFY(db.ok());
    m_db = std::move(db).value();
    m_identity = std::make_unique<IdentityStore>(*m_db, systemClock());
    m_access = std::make_unique<AccessControl>(*m_db, systemClock());
}

HttpExchange SsoFlowTest::postForm(const QUrl &url, const QList<QPair<QString, QString>> &fields)
{
    return httpRequest(m_network, "POST", url,
                       {{"Content-Type", "application/x-www-form-urlencoded"}}, formEncode(fields));
}

HttpExchange SsoFlowTest::signInAtProvider(TestBrowser &browser, const QUrl &start,
                                           const QString &login, const QString &password,
                                           QUrl *callback, QUrl *last)
{
    QUrl formUrl;
    QList<QUrl> visited;
    auto reply = follow(browser, start, &visited, &formUrl);
    if (formUrl.port() == m_server->port() || reply.status != 200) {
        return reply; // no form: signed in at the provider already, or refused
    }
    static const QRegularExpression action(QStringLiteral(R"re(action="([^"]+)")re"));
    const auto match = action.match(QString::fromUtf8(reply.body));
    if (!match.hasMatch()) {
        qWarning() << "no sign-in form at" << formUrl;
        return {};
    }
    const QUrl post = formUrl.resolved(QUrl(match.captured(1)));
    const auto posted = browser.postForm(
        post, {{QStringLiteral("uid"), hiddenField(reply.body, QStringLiteral("uid"))},
               {QStringLiteral("login"), login},
               {QStringLiteral("password"), password}});
    if (!isRedirect(posted)) {
        qWarning() << "provider sign-in answered" << posted.status << posted.body;
        return posted;
    }
    visited.clear();
    reply = follow(browser, locationOf(post, posted), &visited, last);
    if (callback != nullptr) {
        for (const auto &url : visited) {
            if (url.path().endsWith(QLatin1String("/callback")) && url.port() == m_server->port()) {
                *callback = url;
            }
        }
    }
    return reply;
}

bool SsoFlowTest::signedIn(TestBrowser &browser)
{
    const auto page = browser.get(m_server->url(QStringLiteral("/signin")));
    return page.status == 200 && page.body.contains("<h1>Signed in</h1>");
}

Result<User> SsoFlowTest::corpUser(const QString &subject)
{
    return m_identity->findExternalUser(m_corp.issuer().toStdString(), subject.toStdString());
}

QString SsoFlowTest::forgeSigned(const QJsonObject &claims)
{
    const auto reply = httpRequest(m_network, "POST", m_forge.url(QStringLiteral("/_test/sign")),
                                   {{"Content-Type", "application/json"}},
                                   QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return QString::fromLatin1(reply.body);
}

void SsoFlowTest::signInPageShowsOneButtonPerProvider()
{
    TestBrowser browser;
    const auto page = browser.get(m_server->url(QStringLiteral("/signin?next=%2Fdownloads")));
    QCOMPARE(page.status, 200);
    QVERIFY2(page.body.contains(
                 R"(<a class="sso" href="/signin/oidc/corp?next=%2Fdownloads">Corp ID</a>)"),
             page.body.constData());
    QVERIFY(page.body.contains(
        R"(href="/signin/oidc/forge?next=%2Fdownloads">Sign in with forge</a>)"));
    QVERIFY(page.body.contains(R"(name="password")")); // the local form stays
    QCOMPARE(browser.get(m_server->url(QStringLiteral("/signin/oidc/nobody"))).status, 404);
}

void SsoFlowTest::firstSignInCreatesTheUserWithOrganizationAndRoles()
{
    QCOMPARE(corpUser(QStringLiteral("alice")).error().code, ErrorCode::NotFound);
    TestBrowser browser;
    QUrl last;
    const auto reply =
        signInAtProvider(browser, m_server->url(QStringLiteral("/signin/oidc/corp")),
                         QStringLiteral("alice"), QStringLiteral("alice-pw"), nullptr, &last);
    QCOMPARE(reply.status, 200);
    QVERIFY2(reply.body.contains("You are signed in as Alice Example (alice@acme.example)"),
             reply.body.constData());
    QVERIFY(signedIn(browser));

    const auto user = corpUser(QStringLiteral("alice"));
    QVERIFY(user.ok());
    m_aliceId = QString::fromStdString(user->id);
    const auto acme = m_identity->findOrganizationBySlug("acme");
    QVERIFY(acme.ok());
    QCOMPARE(user->organizationId, acme->id);
    QCOMPARE(user->email, std::string{"alice@acme.example"});
    QVERIFY(user->login.empty());
    const auto grants = m_access->grantsOf(*user);
    QVERIFY2(grants.ok(), grants.ok() ? "" : grants.error().message.c_str());
    const auto held = std::find_if(grants->begin(), grants->end(), [&](const UserGrant &g) {
        return g.source == "oidc:corp" && g.grant.role == "customer_admin" &&
               g.grant.scope == Scope::organization(acme->id);
    });
    QVERIFY(held != grants->end());

    // The staff rule: a global role and no organization. The rule naming a missing organization
    // does not stop the sign-in; it is skipped and logged.
    TestBrowser other;
    QCOMPARE(signInAtProvider(other, m_server->url(QStringLiteral("/signin/oidc/corp")),
                              QStringLiteral("bob"), QStringLiteral("bob-pw"))
                 .status,
             200);
    const auto bob = corpUser(QStringLiteral("bob"));
    QVERIFY(bob.ok());
    QVERIFY(bob->organizationId.empty());
    const auto bobGrants = m_access->grantsOf(*bob);
    QVERIFY(bobGrants.ok());
    QVERIFY(std::any_of(bobGrants->begin(), bobGrants->end(), [](const UserGrant &g) {
        return g.source == "oidc:corp" && g.grant.role == "support" &&
               g.grant.scope == Scope::global();
    }));
    QVERIFY(std::none_of(bobGrants->begin(), bobGrants->end(),
                         [](const UserGrant &g) { return g.grant.role == "customer_admin"; }));
    bool warned = false;
    for (const auto &record : m_server->logRecords()) {
        warned =
            warned ||
            (record.value(QLatin1String("message")).toString() ==
                 QLatin1String("oidc.corp.rule.3 names an unknown organization; the rule "
                               "is skipped") &&
             record.value(QLatin1String("log.level")).toString() == QLatin1String("warn") &&
             record.value(QLatin1String("organization.slug")).toString() == QLatin1String("gone") &&
             record.value(QLatin1String("user.id")).toString() == QString::fromStdString(bob->id));
    }
    QVERIFY2(warned, m_server->standardOutput().constData());
}

void SsoFlowTest::secondSignInFindsTheSameUserAfterAnEmailChange()
{
    QVERIFY(!m_aliceId.isEmpty());
    const QJsonObject claims{
        {QStringLiteral("claims"),
         QJsonObject{{QStringLiteral("name"), QStringLiteral("Alice Renamed")},
                     {QStringLiteral("email"), QStringLiteral("alice@new-domain.example")},
                     {QStringLiteral("groups"), QJsonArray{QStringLiteral("acme-users")}}}}};
    const auto put =
        httpRequest(m_network, "PUT", m_corp.url(QStringLiteral("/_test/accounts/alice")),
                    {{"Content-Type", "application/json"}}, QJsonDocument(claims).toJson());
    QCOMPARE(put.status, 204);
    TestBrowser browser;
    const auto reply = signInAtProvider(browser, m_server->url(QStringLiteral("/signin/oidc/corp")),
                                        QStringLiteral("alice"), QStringLiteral("alice-pw"));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.body.contains("Alice Renamed (alice@new-domain.example)"));
    const auto user = corpUser(QStringLiteral("alice"));
    QVERIFY(user.ok());
    QCOMPARE(QString::fromStdString(user->id), m_aliceId);
    QCOMPARE(user->email, std::string{"alice@new-domain.example"});
    QCOMPARE(user->displayName, std::string{"Alice Renamed"});
}

void SsoFlowTest::desktopAppSignsInThroughTheProvider()
{
    TestBrowser browser;
    const QString verifier = pkceVerifier();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("client_id"), QStringLiteral("toolhub-desktop"));
    query.addQueryItem(QStringLiteral("redirect_uri"),
                       QString::fromLatin1(QUrl::toPercentEncoding(QLatin1String(loopback))));
    query.addQueryItem(QStringLiteral("state"), QStringLiteral("app-state-1"));
    query.addQueryItem(QStringLiteral("code_challenge"), challengeOf(verifier));
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    QUrl authorize = m_server->url(QStringLiteral("/oauth/authorize"));
    authorize.setQuery(query.query(QUrl::FullyEncoded), QUrl::StrictMode);

    // The app opens the browser: /oauth/authorize sends it to the sign-in page, where the
    // person picks the provider's button.
    const auto toSignIn = browser.get(authorize);
    QCOMPARE(toSignIn.status, 302);
    const auto page = browser.get(locationOf(authorize, toSignIn));
    static const QRegularExpression button(
        QStringLiteral(R"re(<a class="sso" href="(/signin/oidc/corp\?next=[^"]+)")re"));
    const auto match = button.match(QString::fromUtf8(page.body));
    QVERIFY2(match.hasMatch(), page.body.constData());
    const QUrl start = m_server->url(QStringLiteral("/"))
                           .resolved(QUrl(match.captured(1).replace(QStringLiteral("&amp;"),
                                                                    QStringLiteral("&"))));

    QUrl last;
    const auto reply = signInAtProvider(browser, start, QStringLiteral("alice"),
                                        QStringLiteral("alice-pw"), nullptr, &last);
    QCOMPARE(reply.status, 302);
    QVERIFY2(last.toString().startsWith(QLatin1String(loopback)), qPrintable(last.toString()));
    const QUrlQuery answer(last);
    QCOMPARE(answer.queryItemValue(QStringLiteral("state")), QStringLiteral("app-state-1"));
    const auto code = answer.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    QVERIFY(!code.isEmpty());

    const auto tokens =
        postForm(m_server->url(QStringLiteral("/oauth/token")),
                 {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                  {QStringLiteral("client_id"), QStringLiteral("toolhub-desktop")},
                  {QStringLiteral("code"), code},
                  {QStringLiteral("redirect_uri"), QLatin1String(loopback)},
                  {QStringLiteral("code_verifier"), verifier}});
    QCOMPARE(tokens.status, 200);
    const auto access = tokens.json().value(QLatin1String("access_token")).toString();
    m_secrets << access << tokens.json().value(QLatin1String("refresh_token")).toString();
    const auto me = httpRequest(m_network, "GET", m_server->url(QStringLiteral("/api/v1/me")),
                                {{"Authorization", "Bearer " + access.toLatin1()}});
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value(QLatin1String("id")).toString(), m_aliceId);
    QCOMPARE(me.json()
                 .value(QLatin1String("organization"))
                 .toObject()
                 .value(QLatin1String("slug"))
                 .toString(),
             QStringLiteral("acme"));
}

void SsoFlowTest::replayedCallbackIsRefused()
{
    TestBrowser browser;
    QUrl callback;
    QCOMPARE(signInAtProvider(browser, m_server->url(QStringLiteral("/signin/oidc/corp")),
                              QStringLiteral("alice"), QStringLiteral("alice-pw"), &callback)
                 .status,
             200);
    QVERIFY(callback.isValid());
    QVERIFY(QUrlQuery(callback).hasQueryItem(QStringLiteral("code")));
    // The same browser presents the code and state again.
    const auto replay = browser.get(callback);
    QCOMPARE(replay.status, 403);
    QVERIFY(replay.body.contains("already used"));
    QVERIFY(replay.header("Set-Cookie").isEmpty() ||
            !replay.header("Set-Cookie").contains("toolhub_session="));
}

void SsoFlowTest::callbackFromAnotherBrowserIsRefused()
{
    // A sign-in started in one browser (an attacker's) and finished in another (the victim's,
    // lured to the callback URL) is refused: the state is bound to the first browser.
    TestBrowser attacker;
    const auto toProvider = attacker.get(m_server->url(QStringLiteral("/signin/oidc/forge")));
    QCOMPARE(toProvider.status, 302);
    QCOMPARE(httpRequest(m_network, "PUT", m_forge.url(QStringLiteral("/_test/mode")), {}, "valid")
                 .status,
             204);
    const QUrl authorize = locationOf(m_server->url(QStringLiteral("/")), toProvider);
    const auto back = attacker.get(authorize);
    QCOMPARE(back.status, 302);
    TestBrowser victim;
    const auto reply = victim.get(locationOf(authorize, back));
    QCOMPARE(reply.status, 403);
    QVERIFY(!signedIn(victim));
}

void SsoFlowTest::refusalAtTheProviderEndsTheSignIn()
{
    QCOMPARE(httpRequest(m_network, "PUT", m_forge.url(QStringLiteral("/_test/mode")), {}, "valid")
                 .status,
             204);
    TestBrowser browser;
    const QUrl start = m_server->url(QStringLiteral("/signin/oidc/forge?next=%2Fdownloads"));
    const auto toProvider = browser.get(start);
    QCOMPARE(toProvider.status, 302);
    const QUrl authorize = locationOf(start, toProvider);
    const auto back = browser.get(authorize);
    QCOMPARE(back.status, 302);
    const QUrl callback = locationOf(authorize, back);

    // The provider answers with an error instead (the person cancelled).
    QUrl refusal = callback;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("error"), QStringLiteral("access_denied"));
    query.addQueryItem(QStringLiteral("error_description"),
                       QStringLiteral("Call 555-0100 to unlock your account"));
    query.addQueryItem(QStringLiteral("state"), QUrlQuery(callback).queryItemValue(
                                                    QStringLiteral("state"), QUrl::FullyDecoded));
    refusal.setQuery(query);
    const auto page = browser.get(refusal);
    QCOMPARE(page.status, 401);
    QVERIFY(page.body.contains("(access_denied)"));
    QVERIFY(!page.body.contains("555-0100")); // text from the URL is not shown
    QVERIFY(page.body.contains(R"(href="/signin?next=%2Fdownloads")"));
    // The state of a refused sign-in cannot be used afterwards.
    QCOMPARE(browser.get(callback).status, 403);
    QVERIFY(!signedIn(browser));
}

void SsoFlowTest::forgedIdTokensAreRefusedAtTheCallback_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("issuerParameter"); // RFC 9207 "iss" added to the answer
    QTest::addColumn<int>("status");
    QTest::newRow("valid (control)") << QStringLiteral("valid") << QString() << 303;
    for (const char *mode :
         {"alg-none", "hs256-public-key", "unknown-kid", "wrong-iss", "wrong-aud", "wrong-azp",
          "expired", "future-iat", "future-nbf", "wrong-nonce", "bad-signature"}) {
        QTest::newRow(mode) << QString::fromLatin1(mode) << QString() << 401;
    }
    QTest::newRow("answer from another issuer (mix-up)")
        << QStringLiteral("valid") << QStringLiteral("https://evil.example") << 401;
}

void SsoFlowTest::forgedIdTokensAreRefusedAtTheCallback()
{
    QFETCH(QString, mode);
    QFETCH(QString, issuerParameter);
    QFETCH(int, status);
    QCOMPARE(httpRequest(m_network, "PUT", m_forge.url(QStringLiteral("/_test/mode")), {},
                         mode.toLatin1())
                 .status,
             204);
    TestBrowser browser;
    const QUrl start = m_server->url(QStringLiteral("/signin/oidc/forge"));
    const auto toProvider = browser.get(start);
    QCOMPARE(toProvider.status, 302);
    const QUrl authorize = locationOf(start, toProvider);
    QVERIFY(authorize.toString().startsWith(m_forge.issuer() + QStringLiteral("/authorize?")));
    const QUrlQuery request(authorize);
    QCOMPARE(request.queryItemValue(QStringLiteral("code_challenge_method")),
             QStringLiteral("S256"));
    QVERIFY(!request.queryItemValue(QStringLiteral("nonce")).isEmpty());
    const auto back = browser.get(authorize);
    QCOMPARE(back.status, 302);
    QUrl callback = locationOf(authorize, back);
    if (!issuerParameter.isEmpty()) {
        QUrlQuery query(callback);
        query.addQueryItem(QStringLiteral("iss"), issuerParameter);
        callback.setQuery(query);
    }
    const auto reply = browser.get(callback);
    QCOMPARE(reply.status, status);
    QCOMPARE(signedIn(browser), status == 303);
}

void SsoFlowTest::signOutRedirectsToTheProvidersEndSession()
{
    TestBrowser browser;
    QCOMPARE(signInAtProvider(browser, m_server->url(QStringLiteral("/signin/oidc/corp")),
                              QStringLiteral("alice"), QStringLiteral("alice-pw"))
                 .status,
             200);
    const auto page = browser.get(m_server->url(QStringLiteral("/signin")));
    const auto signOut = browser.postForm(
        m_server->url(QStringLiteral("/signout")),
        {{QStringLiteral("csrf_token"), hiddenField(page.body, QStringLiteral("csrf_token"))}});
    QCOMPARE(signOut.status, 303);
    const QUrl endSession(QString::fromUtf8(signOut.header("Location")));
    QCOMPARE(endSession.toString(QUrl::RemoveQuery),
             m_corp.issuer() + QStringLiteral("/session/end"));
    const QUrlQuery query(endSession);
    const auto hint = query.queryItemValue(QStringLiteral("id_token_hint"), QUrl::FullyDecoded);
    QCOMPARE(hint.count(QLatin1Char('.')), 2);
    QCOMPARE(query.queryItemValue(QStringLiteral("post_logout_redirect_uri"), QUrl::FullyDecoded),
             m_server->url(QStringLiteral("/signin")).toString());
    QVERIFY(!signedIn(browser));

    // The provider accepts the hint and, once confirmed, comes back to the sign-in page.
    const auto confirm = browser.get(endSession);
    QCOMPARE(confirm.status, 200);
    const auto xsrf = hiddenField(confirm.body, QStringLiteral("xsrf"));
    QVERIFY2(!xsrf.isEmpty(), confirm.body.constData());
    const auto done = browser.postForm(
        m_corp.url(QStringLiteral("/session/end/confirm")),
        {{QStringLiteral("xsrf"), xsrf}, {QStringLiteral("logout"), QStringLiteral("yes")}});
    QVERIFY(isRedirect(done));
    QCOMPARE(QString::fromUtf8(done.header("Location")),
             m_server->url(QStringLiteral("/signin")).toString());
}

void SsoFlowTest::backChannelLogoutEndsSessionsAndRefreshTokens()
{
    // Bob signs in in the browser, then the desktop app signs in through the same browser.
    TestBrowser browser;
    QCOMPARE(signInAtProvider(browser, m_server->url(QStringLiteral("/signin/oidc/corp")),
                              QStringLiteral("bob"), QStringLiteral("bob-pw"))
                 .status,
             200);
    const QString verifier = pkceVerifier();
    QUrl authorize = m_server->url(QStringLiteral("/oauth/authorize"));
    authorize.setQuery(
        QStringLiteral("response_type=code&client_id=toolhub-desktop&redirect_uri=") +
            QString::fromLatin1(QUrl::toPercentEncoding(QLatin1String(loopback))) +
            QStringLiteral("&state=s&code_challenge=") + challengeOf(verifier) +
            QStringLiteral("&code_challenge_method=S256"),
        QUrl::StrictMode);
    const auto authorized = browser.get(authorize);
    QCOMPARE(authorized.status, 302);
    const auto code = QUrlQuery(locationOf(authorize, authorized))
                          .queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    const auto tokens =
        postForm(m_server->url(QStringLiteral("/oauth/token")),
                 {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                  {QStringLiteral("client_id"), QStringLiteral("toolhub-desktop")},
                  {QStringLiteral("code"), code},
                  {QStringLiteral("redirect_uri"), QLatin1String(loopback)},
                  {QStringLiteral("code_verifier"), verifier}});
    QCOMPARE(tokens.status, 200);
    const auto refreshToken = tokens.json().value(QLatin1String("refresh_token")).toString();
    m_secrets << refreshToken;

    // Bob signs out at the provider, which tells this server over the back channel.
    const auto confirm = browser.get(m_corp.url(QStringLiteral("/session/end")));
    QCOMPARE(confirm.status, 200);
    const auto done = browser.postForm(
        m_corp.url(QStringLiteral("/session/end/confirm")),
        {{QStringLiteral("xsrf"), hiddenField(confirm.body, QStringLiteral("xsrf"))},
         {QStringLiteral("logout"), QStringLiteral("yes")}});
    QVERIFY(isRedirect(done) || done.status == 200);
    // The provider answers after its back-channel call; poll for the log line all the same.
    QTRY_VERIFY_WITH_TIMEOUT(!signedIn(browser), 5000);
    const auto refreshed =
        postForm(m_server->url(QStringLiteral("/oauth/token")),
                 {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                  {QStringLiteral("client_id"), QStringLiteral("toolhub-desktop")},
                  {QStringLiteral("refresh_token"), refreshToken}});
    QCOMPARE(refreshed.status, 400);
    QCOMPARE(refreshed.json().value(QLatin1String("error")).toString(),
             QStringLiteral("invalid_grant"));
    bool logged = false;
    for (const auto &record : m_server->logRecords()) {
        logged = logged ||
                 (record.value(QLatin1String("message")).toString() ==
                      QLatin1String("signed out by the identity provider") &&
                  record.value(QLatin1String("auth.provider")).toString() == QLatin1String("corp"));
    }
    QVERIFY(logged);
}

void SsoFlowTest::sidOnlyLogoutTokenEndsThatSession()
{
    QCOMPARE(httpRequest(m_network, "PUT", m_forge.url(QStringLiteral("/_test/mode")), {}, "valid")
                 .status,
             204);
    TestBrowser browser;
    QCOMPARE(follow(browser, m_server->url(QStringLiteral("/signin/oidc/forge"))).status, 200);
    QVERIFY(signedIn(browser));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const auto token = forgeSigned(
        {{QStringLiteral("iss"), m_forge.issuer()},
         {QStringLiteral("aud"), QStringLiteral("toolhub-forge")},
         {QStringLiteral("iat"), now},
         {QStringLiteral("exp"), now + 120},
         {QStringLiteral("jti"), QStringLiteral("logout-1")},
         {QStringLiteral("sid"), QStringLiteral("forge-session-1")},
         {QStringLiteral("events"),
          QJsonObject{{QStringLiteral("http://schemas.openid.net/event/backchannel-logout"),
                       QJsonObject{}}}}});
    const auto reply =
        postForm(m_server->url(QStringLiteral("/signin/oidc/forge/backchannel-logout")),
                 {{QStringLiteral("logout_token"), token}});
    QCOMPARE(reply.status, 200);
    QVERIFY(!signedIn(browser));
}

void SsoFlowTest::invalidLogoutTokensAreRefused()
{
    QCOMPARE(httpRequest(m_network, "PUT", m_forge.url(QStringLiteral("/_test/mode")), {}, "valid")
                 .status,
             204);
    TestBrowser browser;
    QCOMPARE(follow(browser, m_server->url(QStringLiteral("/signin/oidc/forge"))).status, 200);
    QVERIFY(signedIn(browser));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QJsonObject valid{
        {QStringLiteral("iss"), m_forge.issuer()},
        {QStringLiteral("aud"), QStringLiteral("toolhub-forge")},
        {QStringLiteral("iat"), now},
        {QStringLiteral("exp"), now + 120},
        {QStringLiteral("jti"), QStringLiteral("logout-2")},
        {QStringLiteral("sub"), QStringLiteral("forged-user")},
        {QStringLiteral("events"),
         QJsonObject{{QStringLiteral("http://schemas.openid.net/event/backchannel-logout"),
                      QJsonObject{}}}}};
    const auto post = [&](const QString &provider, const QString &token) {
        return postForm(
            m_server->url(QStringLiteral("/signin/oidc/%1/backchannel-logout").arg(provider)),
            {{QStringLiteral("logout_token"), token}});
    };
    auto withNonce = valid;
    withNonce.insert(QStringLiteral("nonce"), QStringLiteral("n-1"));
    auto withoutEvents = valid;
    withoutEvents.remove(QStringLiteral("events"));
    auto otherAudience = valid;
    otherAudience.insert(QStringLiteral("aud"), QStringLiteral("toolhub"));
    for (const auto &claims : {withNonce, withoutEvents, otherAudience}) {
        const auto reply = post(QStringLiteral("forge"), forgeSigned(claims));
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.header("Content-Type").startsWith("application/problem+json"));
    }
    // Signed by the forge, posted as the corp provider's: not corp's key nor issuer.
    QCOMPARE(post(QStringLiteral("corp"), forgeSigned(valid)).status, 400);
    QCOMPARE(post(QStringLiteral("forge"), QStringLiteral("not-a-token")).status, 400);
    QCOMPARE(post(QStringLiteral("nobody"), forgeSigned(valid)).status, 404);
    QVERIFY(signedIn(browser)); // nothing above ended the session
    QCOMPARE(post(QStringLiteral("forge"), forgeSigned(valid)).status, 200);
    QVERIFY(!signedIn(browser));
}

void SsoFlowTest::secretsNeverReachTheLog()
{
    const auto output = QString::fromUtf8(m_server->standardOutput() + m_server->standardError());
    QVERIFY(output.contains(QLatin1String("user created at first single sign-on")));
    for (const auto &secret : std::as_const(m_secrets)) {
        QVERIFY(!secret.isEmpty());
        QVERIFY2(!output.contains(secret), qPrintable(secret.left(8)));
    }
    QVERIFY(!output.contains(QLatin1String("eyJ"))); // no JWT of any kind
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int status = 0;
    {
        SsoFlowTest sqlite(Backend::Sqlite);
        status |= QTest::qExec(&sqlite, argc, argv);
    }
    {
        SsoFlowTest postgres(Backend::Postgres);
        status |= QTest::qExec(&postgres, argc, argv);
    }
    return status;
}

#include "sso_flow_test.moc"
