#include "core/catalog/catalog_loader.h"

#include "core/api/api_client.h"
#include "core/logging.h"

#include <QUrl>

#include <algorithm>

namespace {

constexpr int pageSize = 200; // the server's largest page
constexpr int maxPages = 50;  // 10,000 entries: far beyond any real catalog

QString encoded(const std::string &slug)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(QString::fromStdString(slug)));
}

template <class T>
std::vector<T> parsed(const std::vector<nlohmann::json> &items, const char *what)
{
    std::vector<T> values;
    values.reserve(items.size());
    for (const auto &item : items) {
        auto value = toolhub::fromJson<T>(item);
        if (!value) {
            // One entry the app does not understand must not hide the others.
            qCWarning(lcApi) << "ignoring a" << what
                             << "entry:" << QString::fromStdString(value.error().message);
            continue;
        }
        values.push_back(std::move(value).value());
    }
    return values;
}

std::optional<toolhub::SemVer> versionOf(const QString &text)
{
    auto version = toolhub::parseSemVer(text.toStdString());
    if (!version) {
        return std::nullopt;
    }
    return std::move(version).value();
}

} // namespace

const toolhub::Release *CatalogTool::newest(toolhub::Channel channel) const
{
    for (const auto &release : releases) {
        if (release.channel == toolhub::Channel::Stable || channel == toolhub::Channel::Beta) {
            return &release;
        }
    }
    return nullptr;
}

const toolhub::Release *CatalogTool::release(const QString &version) const
{
    const auto wanted = versionOf(version);
    if (!wanted) {
        return nullptr;
    }
    const auto found = std::find_if(releases.begin(), releases.end(), [&](const auto &release) {
        return release.version == *wanted;
    });
    return found == releases.end() ? nullptr : &*found;
}

const toolhub::Release *CatalogTool::previous() const
{
    if (!installed) {
        return nullptr;
    }
    const auto current = versionOf(installed->version);
    if (!current) {
        return nullptr;
    }
    const auto found = std::find_if(releases.begin(), releases.end(), [&](const auto &release) {
        return release.version < *current;
    });
    return found == releases.end() ? nullptr : &*found;
}

const toolhub::Release *CatalogTool::update() const
{
    if (!installed) {
        return nullptr;
    }
    const auto current = versionOf(installed->version);
    if (!current) {
        return nullptr;
    }
    const auto *installedRelease = release(installed->version);
    const auto channel = installedRelease              ? installedRelease->channel
                         : current->prerelease.empty() ? toolhub::Channel::Stable
                                                       : toolhub::Channel::Beta;
    const auto *candidate = newest(channel);
    return candidate && candidate->version > *current ? candidate : nullptr;
}

const CatalogProduct *Catalog::product(const QString &slug) const
{
    const auto found = std::find_if(products.begin(), products.end(), [&](const auto &entry) {
        return QString::fromStdString(entry.product.slug) == slug;
    });
    return found == products.end() ? nullptr : &*found;
}

const CatalogTool *Catalog::tool(const QString &productSlug, const QString &toolSlug) const
{
    const auto *entry = product(productSlug);
    if (!entry) {
        return nullptr;
    }
    const auto found = std::find_if(entry->tools.begin(), entry->tools.end(), [&](const auto &t) {
        return QString::fromStdString(t.tool.slug) == toolSlug;
    });
    return found == entry->tools.end() ? nullptr : &*found;
}

const CatalogTool *Catalog::find(const QString &reference) const
{
    const qsizetype slash = reference.indexOf(QLatin1Char('/'));
    if (slash >= 0) {
        return tool(reference.left(slash), reference.mid(slash + 1));
    }
    const CatalogTool *match = nullptr;
    for (const auto &entry : products) {
        for (const auto &t : entry.tools) {
            if (QString::fromStdString(t.tool.slug) == reference) {
                if (match) {
                    return nullptr; // ambiguous: the product must be named
                }
                match = &t;
            }
        }
    }
    return match;
}

void joinInstallations(Catalog &catalog, const std::vector<Installation> &installations)
{
    for (const auto &installation : installations) {
        auto product = std::find_if(
            catalog.products.begin(), catalog.products.end(), [&](const CatalogProduct &entry) {
                return QString::fromStdString(entry.product.slug) == installation.product;
            });
        if (product == catalog.products.end()) {
            CatalogProduct orphan;
            orphan.product.slug = installation.product.toStdString();
            orphan.product.name = installation.product.toStdString();
            catalog.products.push_back(std::move(orphan));
            product = std::prev(catalog.products.end());
        }
        auto tool = std::find_if(product->tools.begin(), product->tools.end(), [&](const auto &t) {
            return QString::fromStdString(t.tool.slug) == installation.tool;
        });
        if (tool == product->tools.end()) {
            CatalogTool orphan;
            orphan.tool.slug = installation.tool.toStdString();
            orphan.tool.product = installation.product.toStdString();
            orphan.tool.name = installation.tool.toStdString();
            product->tools.push_back(std::move(orphan));
            tool = std::prev(product->tools.end());
        }
        tool->installed = installation;
    }
    std::sort(catalog.products.begin(), catalog.products.end(),
              [](const CatalogProduct &a, const CatalogProduct &b) {
                  return a.product.name < b.product.name;
              });
}

CatalogLoader::CatalogLoader(ApiClient &api, Registry &registry, bool cachedOnly, QObject *parent)
    : Task(parent), m_api(api), m_registry(registry), m_cachedOnly(cachedOnly)
{}

void CatalogLoader::read(const QString &path, std::function<void(const ApiReply &)> done)
{
    if (m_cachedOnly) {
        m_api.getCached(path, this, std::move(done));
    } else {
        m_api.getCatalog(path, this, std::move(done));
    }
}

void CatalogLoader::run()
{
    setStatusText(tr("Reading the catalog"));
    m_pending = 2;
    fetchPages(QStringLiteral("/api/v1/products"), &m_productItems, {}, [this] {
        for (auto &product : parsed<toolhub::Product>(m_productItems, "product")) {
            CatalogProduct entry;
            entry.product = std::move(product);
            m_catalog.products.push_back(std::move(entry));
        }
        fetchDetails();
        partDone();
    });
    fetchPages(QStringLiteral("/api/v1/licenses"), &m_licenseItems, {}, [this] { partDone(); });
}

void CatalogLoader::abort()
{
    m_aborted = true;
}

void CatalogLoader::fetchPages(const QString &path, std::vector<nlohmann::json> *items,
                               QString cursor, std::function<void()> then)
{
    QString request = path + QStringLiteral("?limit=%1").arg(pageSize);
    if (!cursor.isEmpty()) {
        request += QStringLiteral("&cursor=") + cursor;
    }
    read(request, [this, path, items, then](const ApiReply &reply) {
        if (m_aborted || state() != State::Running) {
            return;
        }
        if (!reply.ok()) {
            if (reply.error == TaskError::Network) {
                // Offline and never fetched (or, from the kept copy only, never kept): show
                // what is known.
                m_catalog.offline = m_catalog.offline || !m_cachedOnly;
                then();
                return;
            }
            failWith(*reply.error, reply.message);
            return;
        }
        m_catalog.offline =
            m_catalog.offline || (reply.fromCache && !m_cachedOnly && m_api.isOffline());
        noteAge(reply.fetchedAt);
        const auto body = nlohmann::json::parse(reply.body.toStdString(), nullptr, false);
        if (!body.is_object() || !body.contains("items") || !body["items"].is_array()) {
            failWith(TaskError::Server, tr("The server's answer for %1 is not a list.").arg(path));
            return;
        }
        for (const auto &item : body["items"]) {
            items->push_back(item);
        }
        const auto next = body.find("next_cursor");
        if (next != body.end() && next->is_string() &&
            items->size() < std::size_t(pageSize) * maxPages) {
            fetchPages(path, items,
                       QString::fromLatin1(QUrl::toPercentEncoding(
                           QString::fromStdString(next->get<std::string>()))),
                       then);
            return;
        }
        then();
    });
}

void CatalogLoader::fetchDetails()
{
    for (std::size_t index = 0; index < m_catalog.products.size(); ++index) {
        const std::string slug = m_catalog.products[index].product.slug;
        ++m_pending;
        read(QStringLiteral("/api/v1/products/") + encoded(slug),
             [this, index](const ApiReply &reply) {
                 if (m_aborted || state() != State::Running) {
                     return;
                 }
                 if (!reply.ok()) {
                     if (reply.error == TaskError::NotSignedIn) {
                         failWith(*reply.error, reply.message);
                         return;
                     }
                     // Gone meanwhile (a license ended) or offline without a copy: the product
                     // shows without details.
                     m_catalog.offline =
                         m_catalog.offline || (!m_cachedOnly && reply.error == TaskError::Network);
                     partDone();
                     return;
                 }
                 m_catalog.offline =
                     m_catalog.offline || (reply.fromCache && !m_cachedOnly && m_api.isOffline());
                 noteAge(reply.fetchedAt);
                 const auto body = nlohmann::json::parse(reply.body.toStdString(), nullptr, false);
                 CatalogProduct &product = m_catalog.products[index];
                 const auto list = [&body](const char *name) {
                     const auto member = body.is_object() ? body.find(name) : body.end();
                     return member != body.end() && member->is_array()
                                ? std::vector<nlohmann::json>(member->begin(), member->end())
                                : std::vector<nlohmann::json>{};
                 };
                 for (auto &tool : parsed<toolhub::Tool>(list("tools"), "tool")) {
                     CatalogTool entry;
                     entry.tool = std::move(tool);
                     product.tools.push_back(std::move(entry));
                 }
                 product.documents = parsed<toolhub::Resource>(list("documents"), "document");
                 product.tutorials = parsed<toolhub::Resource>(list("tutorials"), "tutorial");
                 for (std::size_t t = 0; t < product.tools.size(); ++t) {
                     ++m_pending;
                     auto releases = std::make_shared<std::vector<nlohmann::json>>();
                     fetchPages(QStringLiteral("/api/v1/products/%1/tools/%2/releases")
                                    .arg(encoded(product.product.slug),
                                         encoded(product.tools[t].tool.slug)),
                                releases.get(), {}, [this, index, t, releases] {
                                    auto &tool = m_catalog.products[index].tools[t];
                                    tool.releases = parsed<toolhub::Release>(*releases, "release");
                                    std::sort(tool.releases.begin(), tool.releases.end(),
                                              [](const auto &a, const auto &b) {
                                                  return a.version > b.version;
                                              });
                                    partDone();
                                });
                 }
                 partDone();
             });
    }
}

void CatalogLoader::noteAge(const QDateTime &fetchedAt)
{
    if (fetchedAt.isValid() &&
        (!m_catalog.fetchedAt.isValid() || fetchedAt < m_catalog.fetchedAt)) {
        m_catalog.fetchedAt = fetchedAt;
    }
}

void CatalogLoader::partDone()
{
    if (state() != State::Running || --m_pending > 0) {
        return;
    }
    finishCatalog();
}

void CatalogLoader::finishCatalog()
{
    for (auto &license : parsed<toolhub::License>(m_licenseItems, "license")) {
        const auto product = std::find_if(
            m_catalog.products.begin(), m_catalog.products.end(),
            [&](const CatalogProduct &entry) { return entry.product.slug == license.product; });
        if (product != m_catalog.products.end()) {
            product->licenses.push_back(std::move(license));
        }
    }
    auto installations = m_registry.installations();
    if (!installations) {
        failWith(TaskError::FileSystem, QString::fromStdString(installations.error().message));
        return;
    }
    joinInstallations(m_catalog, *installations);
    if (!m_catalog.fetchedAt.isValid()) {
        m_catalog.fetchedAt = QDateTime::currentDateTimeUtc();
    }
    succeed();
}

void CatalogLoader::failWith(TaskError error, const QString &message)
{
    qCInfo(lcApi) << "reading the catalog failed:" << message;
    fail(error, message);
}
