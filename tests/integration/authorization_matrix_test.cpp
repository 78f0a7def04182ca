// Every route the real server registers, called as eight kinds of caller, against a declared
// table of answers. The routes come from the server itself (logged at debug level at start-up):
// a route missing from the table fails the test, and so does a row for a route that is gone.
//
// Callers (demo data): anonymous; bob (a customer of ACME); dana (a customer of Globex); alice
// (ACME's customer_admin); sam (support); cara (catalog_manager); ada (admin); and a service
// account whose token carries catalog.read, licenses.read, serials.validate and scim.provision.
// People send both their bearer access token and their browser session cookie, so API routes
// and pages see the same person. Bodies are deliberately incomplete ({} or an empty form):
// a caller who passes the check gets 400, so nothing is created by the matrix; the two
// exceptions (disable and enable of carol, in this order) leave the data as it was.
//
// Paths use ACME-only objects (meshlab-pro, its artifact and document, carol, ACME's serial),
// so a Globex customer's 404 shows the organization boundary and a customer's 403 the missing
// permission.

#include "form.h"
#include "http_client.h"
#include "native_sign_in.h"
#include "server_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <array>
#include <memory>

namespace {

constexpr std::size_t callerCount = 8;
const std::array<const char *, callerCount> callerNames{
    "anonymous", "customer A",  "customer B", "customer admin",
    "support",   "catalog mgr", "admin",      "service"};

struct Caller {
    QByteArray bearer;
    QByteArray cookie; // "name=value"
};

// What each caller gets, in callerNames order.
using Answers = std::array<int, callerCount>;

struct Row {
    const char *method;
    const char *pattern;
    Answers expected;
};

// The declared table: one row per registered route.
// clang-format off
const Row matrix[] = {
    //                                                               anon  cA   cB  cAdm  sup  cat  adm  svc
    // Health and the public signing key: anyone.
    {"GET",    "/api/v1/signing-key",                                 {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET",    "/livez",                                              {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET",    "/readyz",                                             {200, 200, 200, 200, 200, 200, 200, 200}},
    // Sign-in: public by nature; forms without their CSRF token are refused (403), the token and
    // revoke endpoints without client credentials or a grant answer 401 (RFC 6749).
    {"GET",    "/signin",                                             {200, 200, 200, 200, 200, 200, 200, 200}},
    {"POST",   "/signin",                                             {403, 403, 403, 403, 403, 403, 403, 403}},
    {"POST",   "/signout",                                            {403, 403, 403, 403, 403, 403, 403, 403}},
    {"GET",    "/oauth/authorize",                                    {400, 400, 400, 400, 400, 400, 400, 400}},
    {"POST",   "/oauth/token",                                        {401, 401, 401, 401, 401, 401, 401, 401}},
    {"POST",   "/oauth/revoke",                                       {401, 401, 401, 401, 401, 401, 401, 401}},
    {"GET",    "/signin/oidc/{provider}",                             {404, 404, 404, 404, 404, 404, 404, 404}},
    {"GET",    "/signin/oidc/{provider}/callback",                    {404, 404, 404, 404, 404, 404, 404, 404}},
    {"POST",   "/signin/oidc/{provider}/backchannel-logout",          {400, 400, 400, 400, 400, 400, 400, 400}},
    // Who the token belongs to: people only.
    {"GET",    "/api/v1/me",                                          {401, 200, 200, 200, 200, 200, 200, 401}},
    // The customer API: permissions in the caller's own organization; Globex does not license
    // meshlab-pro (404); staff and services have no organization (403).
    {"GET",    "/api/v1/products",                                    {401, 200, 200, 200, 403, 403, 403, 403}},
    {"GET",    "/api/v1/products/{product}",                          {401, 200, 404, 200, 403, 403, 403, 403}},
    {"GET",    "/api/v1/products/{product}/tools/{tool}/releases",    {401, 200, 404, 200, 403, 403, 403, 403}},
    {"GET",    "/api/v1/products/{product}/tools/{tool}/updates",     {401, 400, 400, 400, 403, 403, 403, 403}},
    {"GET",    "/api/v1/licenses",                                    {401, 200, 200, 200, 403, 403, 403, 403}},
    {"GET",    "/api/v1/tools/{tool}/releases/{version}/manifest",    {401, 200, 404, 200, 403, 403, 403, 403}},
    {"GET",    "/api/v1/artifacts/{artifact}/download",               {401, 200, 404, 200, 403, 403, 403, 403}},
    {"GET",    "/api/v1/resources/{resource}/download",               {401, 200, 404, 200, 403, 403, 403, 403}},
    {"POST",   "/api/v1/installations",                               {401, 400, 400, 400, 403, 403, 403, 403}},
    {"GET",    "/api/v1/installations",                               {401, 200, 200, 200, 403, 403, 403, 403}},
    // The internal read API.
    {"GET",    "/api/v1/serials/{serial}",                            {401, 403, 403, 403, 200, 403, 200, 200}},
    {"GET",    "/api/v1/catalog/products",                            {401, 403, 403, 403, 200, 200, 200, 200}},
    {"GET",    "/api/v1/organizations/{organization}/licenses",       {401, 200, 404, 200, 200, 403, 200, 200}},
    // People, roles and groups.
    {"GET",    "/api/v1/organizations/{organization}/users",          {401, 403, 403, 200, 200, 403, 200, 403}},
    {"GET",    "/api/v1/users/{user}",                                {401, 403, 403, 200, 200, 403, 200, 403}},
    {"GET",    "/api/v1/users/{user}/grants",                         {401, 403, 403, 200, 200, 403, 200, 403}},
    {"POST",   "/api/v1/users/{user}/grants",                         {401, 403, 403, 400, 403, 403, 400, 403}},
    {"DELETE", "/api/v1/users/{user}/grants",                         {401, 403, 403, 400, 403, 403, 400, 403}},
    {"POST",   "/api/v1/users/{user}/disable",                        {401, 403, 403, 200, 403, 403, 200, 403}},
    {"POST",   "/api/v1/users/{user}/enable",                         {401, 403, 403, 200, 403, 403, 200, 403}},
    {"GET",    "/api/v1/roles",                                       {401, 403, 403, 200, 403, 403, 200, 403}},
    {"POST",   "/api/v1/roles",                                       {401, 403, 403, 403, 403, 403, 400, 403}},
    {"PUT",    "/api/v1/roles/{role}",                                {401, 403, 403, 403, 403, 403, 400, 403}},
    {"DELETE", "/api/v1/roles/{role}",                                {401, 403, 403, 403, 403, 403, 409, 403}},
    {"GET",    "/api/v1/groups",                                      {401, 403, 403, 403, 403, 403, 200, 403}},
    {"PUT",    "/api/v1/groups/{group}/grants",                       {401, 403, 403, 403, 403, 403, 400, 403}},
    // Service accounts.
    {"GET",    "/api/v1/service-accounts",                            {401, 403, 403, 403, 403, 403, 200, 403}},
    {"POST",   "/api/v1/service-accounts",                            {401, 403, 403, 403, 403, 403, 400, 403}},
    {"GET",    "/api/v1/service-accounts/{account}/tokens",           {401, 403, 403, 403, 403, 403, 200, 403}},
    {"POST",   "/api/v1/service-accounts/{account}/tokens",           {401, 403, 403, 403, 403, 403, 400, 403}},
    {"DELETE", "/api/v1/service-accounts/{account}/tokens/{token}",   {401, 403, 403, 403, 403, 403, 404, 403}},
    // SCIM 2.0: the scim.provision permission (the service token and admin); discovery is public
    // (RFC 7644 section 4).
    {"GET",    "/scim/v2/Users",                                      {401, 403, 403, 403, 403, 403, 200, 200}},
    {"POST",   "/scim/v2/Users",                                      {401, 403, 403, 403, 403, 403, 400, 400}},
    {"GET",    "/scim/v2/Users/{id}",                                 {401, 403, 403, 403, 403, 403, 404, 404}},
    {"PUT",    "/scim/v2/Users/{id}",                                 {401, 403, 403, 403, 403, 403, 400, 400}},
    {"PATCH",  "/scim/v2/Users/{id}",                                 {401, 403, 403, 403, 403, 403, 400, 400}},
    {"DELETE", "/scim/v2/Users/{id}",                                 {401, 403, 403, 403, 403, 403, 404, 404}},
    {"GET",    "/scim/v2/Groups",                                     {401, 403, 403, 403, 403, 403, 200, 200}},
    {"POST",   "/scim/v2/Groups",                                     {401, 403, 403, 403, 403, 403, 400, 400}},
    {"GET",    "/scim/v2/Groups/{id}",                                {401, 403, 403, 403, 403, 403, 404, 404}},
    {"PUT",    "/scim/v2/Groups/{id}",                                {401, 403, 403, 403, 403, 403, 400, 400}},
    {"PATCH",  "/scim/v2/Groups/{id}",                                {401, 403, 403, 403, 403, 403, 400, 400}},
    {"DELETE", "/scim/v2/Groups/{id}",                                {401, 403, 403, 403, 403, 403, 404, 404}},
    {"GET",    "/scim/v2/ServiceProviderConfig",                      {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET",    "/scim/v2/ResourceTypes",                              {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET",    "/scim/v2/ResourceTypes/{id}",                         {404, 404, 404, 404, 404, 404, 404, 404}},
    {"GET",    "/scim/v2/Schemas",                                    {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET",    "/scim/v2/Schemas/{id}",                               {404, 404, 404, 404, 404, 404, 404, 404}},
    // Portal pages: a session; without one, the sign-in page (303).
    {"GET",    "/",                                                   {303, 200, 200, 200, 200, 200, 200, 303}},
    {"GET",    "/products/{product}",                                 {303, 200, 404, 200, 404, 404, 404, 303}},
    {"GET",    "/downloads/artifacts/{artifact}",                     {303, 200, 404, 200, 403, 403, 403, 303}},
    {"GET",    "/downloads/resources/{resource}",                     {303, 200, 404, 200, 403, 403, 403, 303}},
    {"GET",    "/assets/{file}",                                      {404, 404, 404, 404, 404, 404, 404, 404}},
};
// clang-format on

// Requests of the matrix carry exactly the cookie the test gives them, never one the server set
// on an earlier answer.
class NoCookieJar : public QNetworkCookieJar {
public:
    bool setCookiesFromUrl(const QList<QNetworkCookie> &, const QUrl &) override { return false; }
};

QString rowKey(const QString &method, const QString &pattern)
{
    return method + u' ' + pattern;
}

} // namespace

class AuthorizationMatrixTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyRouteIsInTheMatrix();
    void everyRouteAnswersAsDeclared();

private:
    Caller signIn(const QString &login, const QString &password);
    QString concretePath(const QString &pattern) const;
    QByteArray bodyFor(const QString &method, const QString &pattern,
                       QByteArray *contentType) const;

    std::unique_ptr<ServerProcess> m_server;
    QNetworkAccessManager m_network;
    std::array<Caller, callerCount> m_callers;
    QMap<QString, QString> m_values; // path parameter -> value
    QList<QPair<QString, QString>> m_routes;
};

Caller AuthorizationMatrixTest::signIn(const QString &login, const QString &password)
{
    Caller caller;
    QString error;
    const auto tokens = signInNative(*m_server, login, password, &error);
    if (tokens.isEmpty()) {
        QTest::qFail(qPrintable(login + QStringLiteral(": ") + error), __FILE__, __LINE__);
        return caller;
    }
    caller.bearer = tokens.value(QLatin1String("access_token")).toString().toUtf8();

    // A browser session through the sign-in form, in a browser of its own.
    QNetworkAccessManager browser;
    const auto form = httpRequest(browser, "GET", m_server->url(QStringLiteral("/signin")));
    const QByteArray fields =
        "csrf_token=" +
        QUrl::toPercentEncoding(hiddenField(form.body, QStringLiteral("csrf_token"))) +
        "&next=%2F&login=" + QUrl::toPercentEncoding(login) +
        "&password=" + QUrl::toPercentEncoding(password);
    const auto posted =
        httpRequest(browser, "POST", m_server->url(QStringLiteral("/signin")),
                    {{"Content-Type", "application/x-www-form-urlencoded"}}, fields);
    for (const auto &cookie :
         browser.cookieJar()->cookiesForUrl(m_server->url(QStringLiteral("/")))) {
        if (cookie.name().contains("session") && !cookie.name().contains("pre")) {
            caller.cookie = cookie.toRawForm(QNetworkCookie::NameAndValueOnly);
        }
    }
    if (posted.status != 303 || caller.cookie.isEmpty()) {
        QTest::qFail(
            qPrintable(
                QStringLiteral("%1: the sign-in form answered %2").arg(login).arg(posted.status)),
            __FILE__, __LINE__);
    }
    return caller;
}

void AuthorizationMatrixTest::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    environment.insert(QStringLiteral("TOOLHUB_LOG_LEVEL"), QStringLiteral("debug"));
    m_server = std::make_unique<ServerProcess>(environment);

    // The service account, made with the administration command before the server starts.
    QVERIFY(
        m_server->runToCompletion({QStringLiteral("service-account"), QStringLiteral("create"),
                                   QStringLiteral("matrix"), QStringLiteral("--scope"),
                                   QStringLiteral("catalog.read"), QStringLiteral("--scope"),
                                   QStringLiteral("licenses.read"), QStringLiteral("--scope"),
                                   QStringLiteral("serials.validate"), QStringLiteral("--scope"),
                                   QStringLiteral("scim.provision")}) == 0);
    const auto lines = m_server->standardOutput().trimmed().split('\n');
    const QByteArray serviceToken = lines.last().trimmed();
    QVERIFY2(serviceToken.startsWith("thsa_"), serviceToken.constData());
    static const QRegularExpression accountId(QStringLiteral(R"(\(id ([0-9a-f]{32})\))"));
    const auto idMatch = accountId.match(QString::fromUtf8(m_server->standardOutput()));
    QVERIFY(idMatch.hasMatch());

    m_network.setCookieJar(new NoCookieJar); // owned by m_network
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    for (const auto &record : m_server->logRecords()) {
        if (record.value(QLatin1String("message")).toString() == QLatin1String("route")) {
            m_routes.append({record.value(QLatin1String("http.request.method")).toString(),
                             record.value(QLatin1String("url.path")).toString()});
        }
    }
    QVERIFY(m_routes.size() > 20);

    m_callers[1] = signIn(QStringLiteral("bob.barnes@acme.example"), QStringLiteral("acme-demo-2"));
    m_callers[2] =
        signIn(QStringLiteral("dana.diaz@globex.example"), QStringLiteral("globex-demo-1"));
    m_callers[3] =
        signIn(QStringLiteral("alice.archer@acme.example"), QStringLiteral("acme-demo-1"));
    m_callers[4] =
        signIn(QStringLiteral("sam.support@toolhub.example"), QStringLiteral("staff-demo-1"));
    m_callers[5] =
        signIn(QStringLiteral("cara.catalog@toolhub.example"), QStringLiteral("staff-demo-2"));
    m_callers[6] =
        signIn(QStringLiteral("ada.admin@toolhub.example"), QStringLiteral("staff-demo-3"));
    m_callers[7].bearer = serviceToken;

    // ACME-only objects, found as ACME's customer admin.
    const QList<QPair<QByteArray, QByteArray>> alice{
        {"Authorization", "Bearer " + m_callers[3].bearer}};
    const auto releases = httpRequest(
        m_network, "GET",
        m_server->url(QStringLiteral("/api/v1/tools/meshlab-pro/releases/3.2.0/manifest")), alice);
    QCOMPARE(releases.status, 200);
    static const QRegularExpression artifact(QStringLiteral(R"(/api/v1/artifacts/([0-9a-f]+)/)"));
    const auto artifactMatch = artifact.match(QString::fromUtf8(releases.body));
    QVERIFY2(artifactMatch.hasMatch(), releases.body.constData());
    const auto product = httpRequest(
        m_network, "GET", m_server->url(QStringLiteral("/api/v1/products/meshlab-pro")), alice);
    QCOMPARE(product.status, 200);
    const auto documents = product.json().value(QLatin1String("documents")).toArray();
    QVERIFY2(!documents.isEmpty(), product.body.constData());
    const QString resourceId = documents.first().toObject().value(QLatin1String("id")).toString();
    const auto users = httpRequest(
        m_network, "GET", m_server->url(QStringLiteral("/api/v1/organizations/acme/users")), alice);
    QCOMPARE(users.status, 200);
    QString carol;
    for (const auto &item : users.json().value(QLatin1String("items")).toArray()) {
        if (item.toObject().value(QLatin1String("login")).toString().startsWith(u"carol")) {
            carol = item.toObject().value(QLatin1String("id")).toString();
        }
    }
    QVERIFY(!carol.isEmpty());

    m_values = {{QStringLiteral("product"), QStringLiteral("meshlab-pro")},
                {QStringLiteral("tool"), QStringLiteral("meshlab-pro")},
                {QStringLiteral("version"), QStringLiteral("3.2.0")},
                {QStringLiteral("artifact"), artifactMatch.captured(1)},
                {QStringLiteral("resource"), resourceId},
                {QStringLiteral("file"), QStringLiteral("missing.css")},
                {QStringLiteral("serial"), QStringLiteral("MLP-ACME-7HRT-3XZC")},
                {QStringLiteral("organization"), QStringLiteral("acme")},
                {QStringLiteral("user"), carol},
                {QStringLiteral("role"), QStringLiteral("customer")},
                {QStringLiteral("group"), QStringLiteral("no-such-group")},
                {QStringLiteral("account"), idMatch.captured(1)},
                {QStringLiteral("token"), QStringLiteral("no-such-token")},
                {QStringLiteral("provider"), QStringLiteral("no-such-provider")},
                {QStringLiteral("id"), QStringLiteral("no-such-id")}};
}

QString AuthorizationMatrixTest::concretePath(const QString &pattern) const
{
    QString path = pattern;
    static const QRegularExpression parameter(QStringLiteral(R"(\{([^/{}]+)\})"));
    auto it = parameter.globalMatch(pattern);
    while (it.hasNext()) {
        const auto match = it.next();
        path.replace(
            match.captured(0),
            m_values.value(match.captured(1), QStringLiteral("no-value-for-") + match.captured(1)));
    }
    return path;
}

QByteArray AuthorizationMatrixTest::bodyFor(const QString &method, const QString &pattern,
                                            QByteArray *contentType) const
{
    if (method == QLatin1String("GET") || method == QLatin1String("DELETE")) {
        return {};
    }
    const bool form =
        !pattern.startsWith(QLatin1String("/api/")) && !pattern.startsWith(QLatin1String("/scim/"));
    if (form) {
        *contentType = "application/x-www-form-urlencoded";
        return {};
    }
    *contentType =
        pattern.startsWith(QLatin1String("/scim/")) ? "application/scim+json" : "application/json";
    return "{}";
}

void AuthorizationMatrixTest::everyRouteIsInTheMatrix()
{
    QSet<QString> declared;
    for (const Row &row : matrix) {
        const QString key = rowKey(QLatin1String(row.method), QLatin1String(row.pattern));
        QVERIFY2(!declared.contains(key),
                 qPrintable(key + QStringLiteral(" is in the matrix twice")));
        declared.insert(key);
    }
    QSet<QString> registered;
    QStringList missing;
    for (const auto &[method, pattern] : std::as_const(m_routes)) {
        registered.insert(rowKey(method, pattern));
        if (!declared.contains(rowKey(method, pattern))) {
            missing << rowKey(method, pattern);
        }
    }
    QVERIFY2(missing.isEmpty(),
             qPrintable(QStringLiteral("registered but missing from the matrix:\n  ") +
                        missing.join(QStringLiteral("\n  "))));
    for (const auto &key : std::as_const(declared)) {
        QVERIFY2(registered.contains(key),
                 qPrintable(key + QStringLiteral(
                                      " is in the matrix but the server does not register it")));
    }
    qInfo("matrix: %d routes x %d callers = %d checks", static_cast<int>(m_routes.size()),
          static_cast<int>(callerCount),
          static_cast<int>(m_routes.size()) * static_cast<int>(callerCount));
}

void AuthorizationMatrixTest::everyRouteAnswersAsDeclared()
{
    QMap<QString, Answers> expected;
    for (const Row &row : matrix) {
        expected.insert(rowKey(QLatin1String(row.method), QLatin1String(row.pattern)),
                        row.expected);
    }
    QStringList wrong;
    QStringList table;
    for (const auto &[method, pattern] : std::as_const(m_routes)) {
        const QString path = concretePath(pattern);
        QByteArray contentType;
        const QByteArray body = bodyFor(method, pattern, &contentType);
        Answers got{};
        for (std::size_t i = 0; i < callerCount; ++i) {
            QList<QPair<QByteArray, QByteArray>> headers;
            if (!m_callers[i].bearer.isEmpty()) {
                headers.append({"Authorization", "Bearer " + m_callers[i].bearer});
            }
            if (!m_callers[i].cookie.isEmpty()) {
                headers.append({"Cookie", m_callers[i].cookie});
            }
            if (!contentType.isEmpty()) {
                headers.append({"Content-Type", contentType});
            }
            const auto exchange =
                httpRequest(m_network, method.toLatin1(), m_server->url(path), headers, body);
            got[i] = exchange.status;
        }
        QString line = QStringLiteral("{\"%1\", \"%2\", {").arg(method, pattern);
        for (std::size_t i = 0; i < callerCount; ++i) {
            line += QString::number(got[i]) +
                    (i + 1 < callerCount ? QStringLiteral(", ") : QStringLiteral("}},"));
        }
        table << line;
        const auto declared = expected.find(rowKey(method, pattern));
        if (declared == expected.end()) {
            wrong << QStringLiteral("%1 %2: not in the matrix").arg(method, pattern);
            continue;
        }
        for (std::size_t i = 0; i < callerCount; ++i) {
            const auto want = (*declared)[i];
            const auto have = got[i];
            if (want != have) {
                wrong << QStringLiteral("%1 %2 as %3: expected %4, got %5")
                             .arg(method, path, QLatin1String(callerNames[i]))
                             .arg(want)
                             .arg(have);
            }
        }
    }
    if (!wrong.isEmpty()) {
        // The whole table as seen, one line per route, in the form of the declaration.
        for (const auto &line : std::as_const(table)) {
            qInfo("%s", qPrintable(line));
        }
        for (const auto &line : std::as_const(wrong)) {
            qWarning("%s", qPrintable(line));
        }
    }
    QVERIFY2(wrong.isEmpty(),
             qPrintable(QStringLiteral("%1 answers differ from the matrix").arg(wrong.size())));
}

QTEST_GUILESS_MAIN(AuthorizationMatrixTest)
#include "authorization_matrix_test.moc"
