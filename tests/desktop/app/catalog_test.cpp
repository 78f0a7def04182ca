// The catalog as the app shows it: newest, previous and update releases of a tool, finding tools
// by reference, installed tools joined in (also those the catalog no longer lists).

#include "core/catalog/catalog_loader.h"

#include <QTest>

namespace {

toolhub::Release release(const char *version, toolhub::Channel channel = toolhub::Channel::Stable)
{
    toolhub::Release r;
    r.tool = "flux-cli";
    r.version = toolhub::parseSemVer(version).value();
    r.channel = channel;
    r.status = toolhub::ReleaseStatus::Published;
    return r;
}

Installation installed(const char *product, const char *tool, const char *version)
{
    Installation i;
    i.product = QString::fromLatin1(product);
    i.tool = QString::fromLatin1(tool);
    i.version = QString::fromLatin1(version);
    i.folder = QStringLiteral("/tools/") + i.product + QLatin1Char('/') + i.tool;
    return i;
}

QString v(const toolhub::Release *release)
{
    return release ? QString::fromStdString(release->version.toString()) : QString();
}

// Newest first, as the loader keeps them.
CatalogTool fluxCli()
{
    CatalogTool tool;
    tool.tool.slug = "flux-cli";
    tool.tool.product = "fluxcad";
    tool.tool.name = "Flux CLI";
    tool.releases = {release("2.1.0-beta.1", toolhub::Channel::Beta), release("2.0.0"),
                     release("1.0.1"), release("1.0.0")};
    return tool;
}

} // namespace

class CatalogModelTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void newestPerChannel()
    {
        const CatalogTool tool = fluxCli();
        QCOMPARE(v(tool.newest(toolhub::Channel::Stable)), QStringLiteral("2.0.0"));
        QCOMPARE(v(tool.newest(toolhub::Channel::Beta)), QStringLiteral("2.1.0-beta.1"));
        QVERIFY(CatalogTool{}.newest(toolhub::Channel::Stable) == nullptr);
    }

    void releaseByVersion()
    {
        const CatalogTool tool = fluxCli();
        QCOMPARE(v(tool.release(QStringLiteral("1.0.1"))), QStringLiteral("1.0.1"));
        QVERIFY(tool.release(QStringLiteral("1.0.1+build.7")) != nullptr); // build metadata
        QVERIFY(tool.release(QStringLiteral("3.0.0")) == nullptr);
        QVERIFY(tool.release(QStringLiteral("not a version")) == nullptr);
    }

    void updateStaysOnTheInstalledChannel()
    {
        CatalogTool tool = fluxCli();
        QVERIFY(tool.update() == nullptr); // nothing installed
        tool.installed = installed("fluxcad", "flux-cli", "1.0.1");
        QCOMPARE(v(tool.update()), QStringLiteral("2.0.0")); // not the beta
        tool.installed = installed("fluxcad", "flux-cli", "2.0.0");
        QVERIFY(tool.update() == nullptr);
        // A beta user gets the newer beta; a newer stable would also qualify.
        tool.releases.insert(tool.releases.begin() + 1,
                             release("2.0.1-beta.1", toolhub::Channel::Beta));
        tool.installed = installed("fluxcad", "flux-cli", "2.0.1-beta.1");
        QCOMPARE(v(tool.update()), QStringLiteral("2.1.0-beta.1"));
    }

    void previousIsTheNewestOlderRelease()
    {
        CatalogTool tool = fluxCli();
        QVERIFY(tool.previous() == nullptr);
        tool.installed = installed("fluxcad", "flux-cli", "2.0.0");
        QCOMPARE(v(tool.previous()), QStringLiteral("1.0.1"));
        tool.installed = installed("fluxcad", "flux-cli", "1.0.0");
        QVERIFY(tool.previous() == nullptr);
        // An installed version no longer offered (yanked) still has its predecessor.
        tool.installed = installed("fluxcad", "flux-cli", "1.5.0");
        QCOMPARE(v(tool.previous()), QStringLiteral("1.0.1"));
    }

    void findByReference()
    {
        Catalog catalog;
        CatalogProduct fluxcad;
        fluxcad.product.slug = "fluxcad";
        fluxcad.product.name = "FluxCAD";
        fluxcad.tools.push_back(fluxCli());
        CatalogProduct other;
        other.product.slug = "other";
        other.product.name = "Other";
        other.tools.push_back(fluxCli());
        other.tools.back().tool.product = "other";
        catalog.products = {fluxcad};

        QVERIFY(catalog.find(QStringLiteral("flux-cli")) != nullptr);
        QVERIFY(catalog.find(QStringLiteral("fluxcad/flux-cli")) != nullptr);
        QVERIFY(catalog.find(QStringLiteral("fluxcad/nope")) == nullptr);
        QVERIFY(catalog.find(QStringLiteral("nope")) == nullptr);

        catalog.products.push_back(other);
        QVERIFY(catalog.find(QStringLiteral("flux-cli")) == nullptr); // ambiguous
        QCOMPARE(catalog.find(QStringLiteral("other/flux-cli"))->tool.product,
                 std::string("other"));
    }

    void installationsAreJoinedIn()
    {
        Catalog catalog;
        CatalogProduct fluxcad;
        fluxcad.product.slug = "fluxcad";
        fluxcad.product.name = "FluxCAD";
        fluxcad.tools.push_back(fluxCli());
        catalog.products = {fluxcad};

        joinInstallations(catalog, {installed("fluxcad", "flux-cli", "1.0.1"),
                                    installed("gone", "old-tool", "0.9.0")});
        const CatalogTool *tool =
            catalog.tool(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
        QVERIFY(tool && tool->installed);
        QCOMPARE(tool->installed->version, QStringLiteral("1.0.1"));
        // A tool the catalog does not list any more still shows, so it can be removed.
        const CatalogTool *orphan =
            catalog.tool(QStringLiteral("gone"), QStringLiteral("old-tool"));
        QVERIFY(orphan && orphan->installed);
        QVERIFY(orphan->releases.empty());
        QCOMPARE(catalog.products.size(), std::size_t(2));
        QCOMPARE(catalog.products.front().product.name, std::string("FluxCAD")); // by name
    }
};

QTEST_GUILESS_MAIN(CatalogModelTest)
#include "catalog_test.moc"
