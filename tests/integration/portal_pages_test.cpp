// The portal's HTML pages on the real server process with the demo data: a browser signs in on
// the /signin form and sees its organization's products, install links, downloads and serials;
// nothing of another organization; everything escaped; the bundled Bootstrap CSS.

#include "core/catalog/catalog.h"
#include "core/downloads/downloads.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "form.h"
#include "http/auth_routes.h"
#include "http/portal_routes.h"
#include "result_text.h"
#include "server_process.h"
#include "test_browser.h"
#include "test_database.h"
#include "toolhub/link.h"
#include "toolhub/sha256.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <memory>

using toolhub::test::messageOf;

namespace {

// Every match of `pattern`'s first capture in `text`.
QStringList captures(const QByteArray &text, const QString &pattern)
{
    QStringList out;
    const QRegularExpression expression(pattern);
    auto it = expression.globalMatch(QString::fromUtf8(text));
    while (it.hasNext()) {
        out << it.next().captured(1);
    }
    return out;
}

QStringList installLinks(const QByteArray &page)
{
    return captures(page, QStringLiteral("href=\"(toolhub://[^\"]*)\""));
}

QStringList artifactLinks(const QByteArray &page)
{
    return captures(page, QStringLiteral("href=\"(/downloads/artifacts/[^\"]*)\""));
}

} // namespace

class PortalPagesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void escapingCoversEveryMarkupCharacter();
    void templatesEscapeTextButNotMarkup();
    void markdownIsEscapedToo();
    void likelyPlatformFromTheBrowser();
    void pagesWithoutSessionRedirectToSignIn();
    void myProductsAreTheOrganizations();
    void otherOrganizationsProductIs404LikeAMissingOne();
    void productPageOffersInstallLinksForOfferedReleasesOnly();
    void productPageShowsTheOrganizationsSerialsOnly();
    void pagesSendStrictSecurityHeaders();
    void bootstrapIsServedFromTheBundle();
    void directDownloadsServeAndRecordTheArtifact();
    void artifactsOfOtherOrganizationsAre404();
    void documentsAndTutorialsLink();
    void namesWithMarkupComeOutEscaped();
    void signOutEndsTheSession();

private:
    // A browser signed in through the /signin form; nullptr (and a test failure) otherwise.
    std::unique_ptr<TestBrowser> signIn(const QString &login, const QString &password);
    std::unique_ptr<toolhub::server::Database> openServerDatabase();

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<TestBrowser> m_alice; // ACME Robotics: fluxcad, meshlab-pro, datastream
    std::unique_ptr<TestBrowser> m_dana;  // Globex: fluxcad (maintenance ended 2025-12-31)
};

std::unique_ptr<TestBrowser> PortalPagesTest::signIn(const QString &login, const QString &password)
{
    auto browser = std::make_unique<TestBrowser>();
    const auto form = browser->get(m_server->url(QStringLiteral("/signin?next=/")));
    if (form.status != 200) {
        QTest::qFail("the sign-in form did not answer 200", __FILE__, __LINE__);
        return nullptr;
    }
    const auto posted = browser->postForm(
        m_server->url(QStringLiteral("/signin")),
        {{QStringLiteral("csrf_token"), hiddenField(form.body, QStringLiteral("csrf_token"))},
         {QStringLiteral("next"), hiddenField(form.body, QStringLiteral("next"))},
         {QStringLiteral("login"), login},
         {QStringLiteral("password"), password}});
    if (posted.status != 303 || posted.header("Location") != "/") {
        QTest::qFail(
            qPrintable(
                QStringLiteral("signing in as %1 answered %2").arg(login).arg(posted.status)),
            __FILE__, __LINE__);
        return nullptr;
    }
    return browser;
}

std::unique_ptr<toolhub::server::Database> PortalPagesTest::openServerDatabase()
{
    QString error;
    auto db = toolhub::test::openDatabase(
        "sqlite://" + (m_server->dataDir() + QStringLiteral("/toolhub.db")).toStdString(), 1,
        &error);
    if (!db) {
        qWarning("%s", qPrintable(error));
    }
    return db;
}

void PortalPagesTest::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_alice = signIn(QStringLiteral("alice.archer@acme.example"), QStringLiteral("acme-demo-1"));
    QVERIFY(m_alice);
    m_dana = signIn(QStringLiteral("dana.diaz@globex.example"), QStringLiteral("globex-demo-1"));
    QVERIFY(m_dana);
}

void PortalPagesTest::escapingCoversEveryMarkupCharacter()
{
    using toolhub::server::http::escapeHtml;
    QCOMPARE(
        escapeHtml("<a href=\"x\" title='y'>Tom & Jerry</a>"),
        std::string{"&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;"});
    QCOMPARE(escapeHtml("&amp;"), std::string{"&amp;amp;"}); // escaped again, never decoded
    QCOMPARE(escapeHtml("FluxCAD 2.0 – Grüße"), std::string{"FluxCAD 2.0 – Grüße"});
    QCOMPARE(escapeHtml(""), std::string{});
}

void PortalPagesTest::templatesEscapeTextButNotMarkup()
{
    using toolhub::server::http::fillTemplate;
    using toolhub::server::http::Slot;
    QCOMPARE(
        fillTemplate("<a href=\"{{href}}\">{{name}}</a>{{badge}}",
                     {Slot::text("href", "/products/x\"onmouseover=\"y"), Slot::text("name", "<b>"),
                      Slot::markup("badge", "<span class=\"badge\">beta</span>")}),
        std::string{"<a href=\"/products/x&quot;onmouseover=&quot;y\">&lt;b&gt;</a>"
                    "<span class=\"badge\">beta</span>"});
    // A slot that was not given stays visible; text is filled in once, never re-expanded.
    QCOMPARE(fillTemplate("{{a}} {{missing}}", {Slot::text("a", "{{a}}")}),
             std::string{"{{a}} {{missing}}"});
}

void PortalPagesTest::markdownIsEscapedToo()
{
    using toolhub::server::http::markdownToHtml;
    QCOMPARE(
        markdownToHtml("# FluxCAD <x>\n\nParametric & **solid**\nmodelling.\n\n"
                       "- **fluxcad**: the `<modeller>`\n- flux-cli\n1. one\n"),
        std::string{"<h3>FluxCAD &lt;x&gt;</h3>\n"
                    "<p>Parametric &amp; <strong>solid</strong> modelling.</p>\n"
                    "<ul>\n<li><strong>fluxcad</strong>: the <code>&lt;modeller&gt;</code></li>\n"
                    "<li>flux-cli</li>\n</ul>\n<ol>\n<li>one</li>\n</ol>\n"});
    QCOMPARE(markdownToHtml("<script>alert(1)</script>"),
             std::string{"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"});
}

void PortalPagesTest::likelyPlatformFromTheBrowser()
{
    using toolhub::Platform;
    using toolhub::server::http::likelyPlatform;
    const auto with = [](const char *name, const char *value) {
        toolhub::server::http::Request request;
        request.headers.set(name, value);
        return likelyPlatform(request);
    };
    QCOMPARE(with("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0"),
             std::optional{Platform::Windows});
    QCOMPARE(with("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1"),
             std::optional{Platform::Macos});
    QCOMPARE(with("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0"),
             std::optional{Platform::Linux});
    QCOMPARE(with("User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/130.0"),
             std::optional<Platform>{});
    QCOMPARE(with("Sec-CH-UA-Platform", "\"macOS\""), std::optional{Platform::Macos});
}

void PortalPagesTest::pagesWithoutSessionRedirectToSignIn()
{
    TestBrowser stranger;
    for (const auto &[path, next] :
         {std::pair{"/", "/signin?next=%2F"},
          std::pair{"/products/fluxcad", "/signin?next=%2Fproducts%2Ffluxcad"},
          std::pair{"/products/fluxcad?tab=docs",
                    "/signin?next=%2Fproducts%2Ffluxcad%3Ftab%3Ddocs"},
          std::pair{"/downloads/artifacts/x", "/signin?next=%2Fdownloads%2Fartifacts%2Fx"},
          std::pair{"/downloads/resources/x", "/signin?next=%2Fdownloads%2Fresources%2Fx"}}) {
        const auto reply = stranger.get(m_server->url(QString::fromLatin1(path)));
        QCOMPARE(reply.status, 303);
        QCOMPARE(reply.header("Location"), QByteArray{next});
        QVERIFY(!reply.body.contains("FluxCAD"));
    }
    // A session cookie the server never gave out is no session.
    QNetworkAccessManager network;
    const auto forged = httpRequest(network, "GET", m_server->url(QStringLiteral("/")),
                                    {{"Cookie", "toolhub_session=not-a-session"}});
    QCOMPARE(forged.status, 303);
}

void PortalPagesTest::myProductsAreTheOrganizations()
{
    const auto alice = m_alice->get(m_server->url(QStringLiteral("/")));
    QCOMPARE(alice.status, 200);
    QVERIFY(alice.header("Content-Type").startsWith("text/html"));
    QVERIFY(alice.body.contains("Alice Archer"));
    for (const char *slug : {"fluxcad", "meshlab-pro", "datastream"}) {
        QVERIFY2(alice.body.contains(QByteArray{"href=\"/products/"} + slug + "\""), slug);
    }
    QVERIFY(alice.body.contains("MeshLab Pro"));

    const auto dana = m_dana->get(m_server->url(QStringLiteral("/")));
    QCOMPARE(dana.status, 200);
    QVERIFY(dana.body.contains("Dana Diaz"));
    QVERIFY(dana.body.contains("href=\"/products/fluxcad\""));
    QVERIFY(dana.body.contains("href=\"/products/datastream\""));
    QVERIFY(!dana.body.contains("meshlab-pro"));
    QVERIFY(!dana.body.contains("MeshLab"));
}

void PortalPagesTest::otherOrganizationsProductIs404LikeAMissingOne()
{
    QCOMPARE(m_alice->get(m_server->url(QStringLiteral("/products/meshlab-pro"))).status, 200);
    const auto other = m_dana->get(m_server->url(QStringLiteral("/products/meshlab-pro")));
    const auto missing = m_dana->get(m_server->url(QStringLiteral("/products/no-such-product")));
    QCOMPARE(other.status, 404);
    QCOMPARE(missing.status, 404);
    QCOMPARE(other.header("Content-Type"), missing.header("Content-Type"));
    // The same answer, but for the name asked about.
    QCOMPARE(other.json().value(QLatin1String("detail")).toString(),
             missing.json()
                 .value(QLatin1String("detail"))
                 .toString()
                 .replace(QLatin1String("no-such-product"), QLatin1String("meshlab-pro")));
    QVERIFY(!other.body.contains("MeshLab"));
}

void PortalPagesTest::productPageOffersInstallLinksForOfferedReleasesOnly()
{
    const auto page = m_alice->get(m_server->url(QStringLiteral("/products/fluxcad")));
    QCOMPARE(page.status, 200);
    const QStringList links = installLinks(page.body);
    QVERIFY(links.contains(QStringLiteral("toolhub://install/fluxcad/flux-cli?version=2.0.0")));
    QVERIFY(links.contains(QStringLiteral("toolhub://install/fluxcad/flux-cli?version=1.0.1")));
    QVERIFY(links.contains(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=2.0.0")));
    QVERIFY(
        links.contains(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=2.1.0-beta.1")));
    // Yanked 1.2.0 and draft 2.1.0 of the fluxcad tool are not offered.
    QVERIFY(!links.contains(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=1.2.0")));
    QVERIFY(!links.contains(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=2.1.0")));
    QVERIFY(!page.body.contains("1.2.0"));
    // Newest first.
    QVERIFY(links.indexOf(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=2.0.0")) <
            links.indexOf(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=1.1.0")));
    // Every link is one the app accepts, in its canonical form.
    for (const auto &link : links) {
        const auto parsed = toolhub::parseLink(link.toStdString());
        QVERIFY2(parsed.ok(), qPrintable(link));
        QCOMPARE(QString::fromStdString(toolhub::toLink(*parsed)), link);
    }
    QVERIFY(page.body.contains(">beta</span>"));
    QVERIFY(page.body.contains(">stable</span>"));
    // A direct download for each platform of each release.
    QCOMPARE(artifactLinks(page.body).size(), 3 * links.size());

    // Globex's maintenance ended 2025-12-31: releases published later are not offered.
    const auto globex = m_dana->get(m_server->url(QStringLiteral("/products/fluxcad")));
    QCOMPARE(globex.status, 200);
    const QStringList globexLinks = installLinks(globex.body);
    QVERIFY(
        globexLinks.contains(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=1.1.0")));
    QVERIFY(
        !globexLinks.contains(QStringLiteral("toolhub://install/fluxcad/fluxcad?version=2.0.0")));
    QVERIFY(
        !globexLinks.contains(QStringLiteral("toolhub://install/fluxcad/flux-cli?version=2.0.0")));
}

void PortalPagesTest::productPageShowsTheOrganizationsSerialsOnly()
{
    const auto alice = m_alice->get(m_server->url(QStringLiteral("/products/fluxcad")));
    QVERIFY(alice.body.contains("FLX-ACME-2F7K-9QWD"));
    QVERIFY(alice.body.contains("2027-12-31")); // maintenance end
    QVERIFY(!alice.body.contains("FLX-GLBX-5PQA-1VEU"));
    QVERIFY(!alice.body.contains("MLP-ACME-7HRT-3XZC")); // another product's serial

    const auto dana = m_dana->get(m_server->url(QStringLiteral("/products/fluxcad")));
    QVERIFY(dana.body.contains("FLX-GLBX-5PQA-1VEU"));
    QVERIFY(!dana.body.contains("FLX-ACME-2F7K-9QWD"));
}

void PortalPagesTest::pagesSendStrictSecurityHeaders()
{
    for (const char *path : {"/", "/products/fluxcad"}) {
        const auto page = m_alice->get(m_server->url(QString::fromLatin1(path)));
        QCOMPARE(page.status, 200);
        const QByteArray policy = page.header("Content-Security-Policy");
        QVERIFY2(policy.contains("default-src 'self'"), policy.constData());
        QVERIFY2(policy.contains("style-src 'self'"), policy.constData());
        QVERIFY2(policy.contains("frame-ancestors 'none'"), policy.constData());
        QVERIFY2(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
                 policy.constData());
        QCOMPARE(page.header("X-Content-Type-Options"), QByteArray{"nosniff"});
        QCOMPARE(page.header("Referrer-Policy"), QByteArray{"same-origin"});
        QCOMPARE(page.header("Cache-Control"), QByteArray{"no-store"});
        // Nothing the policy would block: no inline script or style.
        QVERIFY(!page.body.contains("<script"));
        QVERIFY(!page.body.contains("<style"));
        QVERIFY(!page.body.contains(" style="));
        QVERIFY(!page.body.contains("{{"));
    }
}

void PortalPagesTest::bootstrapIsServedFromTheBundle()
{
    QFile file(QStringLiteral(TOOLHUB_BOOTSTRAP_CSS_FILE));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    const QByteArray expected = file.readAll();
    QVERIFY(expected.size() > 100000);

    const auto page = m_alice->get(m_server->url(QStringLiteral("/")));
    const QStringList stylesheets =
        captures(page.body, QStringLiteral("<link rel=\"stylesheet\" href=\"([^\"]*)\""));
    QCOMPARE(stylesheets.size(), 1);
    const QString path = stylesheets.first();
    const QByteArray hash = QCryptographicHash::hash(expected, QCryptographicHash::Sha256).toHex();
    QCOMPARE(
        path,
        QStringLiteral("/assets/bootstrap.min.%1.css").arg(QString::fromLatin1(hash.left(16))));

    TestBrowser anyone; // stylesheets carry nothing private
    const auto css = anyone.get(m_server->url(path));
    QCOMPARE(css.status, 200);
    QCOMPARE(css.header("Content-Type"), QByteArray{"text/css; charset=utf-8"});
    QVERIFY2(css.header("Cache-Control").contains("max-age=31536000"),
             css.header("Cache-Control").constData());
    QVERIFY(css.header("Cache-Control").contains("immutable"));
    QCOMPARE(css.header("X-Content-Type-Options"), QByteArray{"nosniff"});
    QCOMPARE(css.header("ETag"), "\"sha256-" + hash + "\"");
    QVERIFY(css.body == expected);

    QNetworkAccessManager network;
    const auto revalidated =
        httpRequest(network, "GET", m_server->url(path), {{"If-None-Match", css.header("ETag")}});
    QCOMPARE(revalidated.status, 304);
    QVERIFY(revalidated.body.isEmpty());
    QCOMPARE(anyone.get(m_server->url(QStringLiteral("/assets/bootstrap.min.0000000000000000.css")))
                 .status,
             404);
}

void PortalPagesTest::directDownloadsServeAndRecordTheArtifact()
{
    const auto page = m_alice->get(m_server->url(QStringLiteral("/products/fluxcad")));
    // <a ... href="/downloads/artifacts/<id>" title="<file>, SHA-256 <hex>">
    const QRegularExpression link(QStringLiteral(
        "href=\"/downloads/artifacts/([^\"]+)\" title=\"([^\"]+), SHA-256 ([0-9a-f]{64})\""));
    const auto match = link.match(QString::fromUtf8(page.body));
    QVERIFY(match.hasMatch());
    const QString id = match.captured(1);
    const QString fileName = match.captured(2);
    const QByteArray sha256 = match.captured(3).toLatin1();

    const auto download = m_alice->get(m_server->url(QStringLiteral("/downloads/artifacts/") + id));
    QCOMPARE(download.status, 200);
    QVERIFY(!download.body.isEmpty());
    QCOMPARE(QCryptographicHash::hash(download.body, QCryptographicHash::Sha256).toHex(), sha256);
    QVERIFY2(download.header("Content-Disposition").contains(fileName.toUtf8()),
             download.header("Content-Disposition").constData());
    QCOMPARE(download.header("X-Content-Type-Options"), QByteArray{"nosniff"});

    // Recorded as the API records downloads: for alice, in ACME's history.
    auto db = openServerDatabase();
    QVERIFY(db);
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    const auto acme = identity.findOrganizationBySlug("acme");
    QVERIFY2(acme.ok(), messageOf(acme));
    const auto alice = identity.findUserByLogin("alice.archer@acme.example");
    QVERIFY2(alice.ok(), messageOf(alice));
    const auto recent = toolhub::server::Downloads(*db).recentDownloads(acme->id, 100);
    QVERIFY2(recent.ok(), messageOf(recent));
    const auto recorded =
        std::find_if(recent->begin(), recent->end(), [&](const toolhub::server::DownloadRecord &r) {
            return r.event.artifactId == id.toStdString();
        });
    QVERIFY(recorded != recent->end());
    QCOMPARE(recorded->event.userId, std::optional<std::string>{alice->id});
    QCOMPARE(recorded->event.bytesServed, static_cast<std::uint64_t>(download.body.size()));
}

void PortalPagesTest::artifactsOfOtherOrganizationsAre404()
{
    const auto meshlab = m_alice->get(m_server->url(QStringLiteral("/products/meshlab-pro")));
    const QStringList meshlabArtifacts = artifactLinks(meshlab.body);
    QVERIFY(!meshlabArtifacts.isEmpty());
    const auto fluxcad = m_alice->get(m_server->url(QStringLiteral("/products/fluxcad")));
    const auto danaFluxcad = m_dana->get(m_server->url(QStringLiteral("/products/fluxcad")));
    const auto danaArtifacts = artifactLinks(danaFluxcad.body);
    QStringList beyondMaintenance; // fluxcad artifacts alice may download and dana may not
    for (const auto &path : artifactLinks(fluxcad.body)) {
        if (!danaArtifacts.contains(path)) {
            beyondMaintenance << path;
        }
    }
    QVERIFY(!beyondMaintenance.isEmpty());
    const QString missingId = QStringLiteral("00000000000000000000000000000000");
    const auto missing =
        m_dana->get(m_server->url(QStringLiteral("/downloads/artifacts/") + missingId));
    QCOMPARE(missing.status, 404);
    for (const auto &path : meshlabArtifacts + beyondMaintenance) {
        const auto reply = m_dana->get(m_server->url(path));
        QCOMPARE(reply.status, 404);
        // The same answer as for a missing artifact, but for the id asked about.
        QCOMPARE(reply.json().value(QLatin1String("detail")).toString(),
                 missing.json()
                     .value(QLatin1String("detail"))
                     .toString()
                     .replace(missingId, path.section(u'/', -1)));
    }
    QCOMPARE(m_alice->get(m_server->url(meshlabArtifacts.first())).status, 200);
}

void PortalPagesTest::documentsAndTutorialsLink()
{
    const auto page = m_alice->get(m_server->url(QStringLiteral("/products/fluxcad")));
    QVERIFY(page.body.contains("FluxCAD User Guide"));
    QVERIFY(page.body.contains("FluxCAD Benutzerhandbuch"));
    QVERIFY(page.body.contains(">de</span>"));
    // External tutorials open without handing over the portal as opener or referrer.
    QVERIFY(page.body.contains("<a href=\"https://docs.example.com/fluxcad/getting-started\" "
                               "rel=\"noopener noreferrer\""));
    // Hosted documents through the session-authenticated route.
    const QStringList documents =
        captures(page.body, QStringLiteral("href=\"(/downloads/resources/[^\"]+)\""));
    QCOMPARE(documents.size(), 3); // user guide, Benutzerhandbuch, 2.0 migration notes
    for (const auto &path : documents) {
        const auto document = m_alice->get(m_server->url(path));
        QCOMPARE(document.status, 200);
        QVERIFY(document.body.startsWith("# "));
    }
    // Globex's maintenance ended before 2.0.0: its migration notes are not Globex's to read.
    const auto globex = m_dana->get(m_server->url(QStringLiteral("/products/fluxcad")));
    QVERIFY(!globex.body.contains("FluxCAD 2.0 migration notes"));
    for (const auto &path : documents) {
        if (!globex.body.contains(path.toUtf8())) {
            QCOMPARE(m_dana->get(m_server->url(path)).status, 404);
        }
    }
}

void PortalPagesTest::namesWithMarkupComeOutEscaped()
{
    // A product whose names carry markup, licensed to ACME by another writer (as the admin
    // side or an import would).
    auto db = openServerDatabase();
    QVERIFY(db);
    const auto now = QDateTime::currentSecsSinceEpoch();
    toolhub::server::IdentityStore identity(*db, [] { return QDateTime::currentSecsSinceEpoch(); });
    toolhub::server::Licensing licensing(*db);
    toolhub::server::Catalog catalog(*db, licensing);
    const auto acme = identity.findOrganizationBySlug("acme");
    QVERIFY2(acme.ok(), messageOf(acme));
    const auto product = catalog.createProduct({"markup-lab", "<script>alert(\"p\")</script> & Co",
                                                "<img src=x onerror=\"alert(1)\">",
                                                "**Bold** <iframe src=//evil.example>"},
                                               now);
    QVERIFY2(product.ok(), messageOf(product));
    const auto tool = catalog.createTool(
        {*product, "markup-tool", "<b onclick=alert(2)>Tool</b>", "'quoted'"}, now);
    QVERIFY2(tool.ok(), messageOf(tool));
    const auto license = licensing.createLicense(
        {"MARKUP-<1>", *product, acme->id, 1, std::nullopt, std::nullopt, "ORDER-1"}, now);
    QVERIFY2(license.ok(), messageOf(license));

    // Other processes' writes reach the server's answers within Database::revisionReuse (1 ms).
    QTest::qWait(10);
    const auto list = m_alice->get(m_server->url(QStringLiteral("/")));
    QCOMPARE(list.status, 200);
    QVERIFY(list.body.contains("&lt;script&gt;alert(&quot;p&quot;)&lt;/script&gt; &amp; Co"));
    QVERIFY(list.body.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
    QVERIFY(!list.body.contains("<script"));
    QVERIFY(!list.body.contains("<img"));

    const auto page = m_alice->get(m_server->url(QStringLiteral("/products/markup-lab")));
    QCOMPARE(page.status, 200);
    QVERIFY(
        page.body.contains("<title>&lt;script&gt;alert(&quot;p&quot;)&lt;/script&gt; &amp; Co"));
    QVERIFY(page.body.contains("&lt;b onclick=alert(2)&gt;Tool&lt;/b&gt;"));
    QVERIFY(page.body.contains("&#39;quoted&#39;"));
    QVERIFY(page.body.contains("<strong>Bold</strong> &lt;iframe src=//evil.example&gt;"));
    QVERIFY(page.body.contains("MARKUP-&lt;1&gt;"));
    for (const char *raw : {"<script", "<img", "<iframe", "<b ", "MARKUP-<1>"}) {
        QVERIFY2(!page.body.contains(raw), raw);
    }
}

void PortalPagesTest::signOutEndsTheSession()
{
    auto browser = signIn(QStringLiteral("bob.barnes@acme.example"), QStringLiteral("acme-demo-2"));
    QVERIFY(browser);
    const auto page = browser->get(m_server->url(QStringLiteral("/")));
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains("<form method=\"post\" action=\"/signout\""));
    const QString csrf = hiddenField(page.body, QStringLiteral("csrf_token"));
    QVERIFY(!csrf.isEmpty());
    const auto signedOut = browser->postForm(m_server->url(QStringLiteral("/signout")),
                                             {{QStringLiteral("csrf_token"), csrf}});
    QCOMPARE(signedOut.status, 303);
    const auto after = browser->get(m_server->url(QStringLiteral("/")));
    QCOMPARE(after.status, 303);
    QCOMPARE(after.header("Location"), QByteArray{"/signin?next=%2F"});
}

QTEST_GUILESS_MAIN(PortalPagesTest)
#include "portal_pages_test.moc"
