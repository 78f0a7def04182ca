#pragma once

#include "core/registry/registry.h"
#include "core/task.h"
#include "toolhub/api_types.h"

#include <QDateTime>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

class ApiClient;
struct ApiReply;

// One tool of a licensed product as the app shows it: the releases offered to the user's
// organization (newest first) and what is installed here.
struct CatalogTool {
    toolhub::Tool tool;
    std::vector<toolhub::Release> releases; // newest first by SemVer precedence
    std::optional<Installation> installed;

    // The newest release on `channel`; the beta channel includes stable releases.
    [[nodiscard]] const toolhub::Release *newest(toolhub::Channel channel) const;
    // The offered release with this version (build metadata ignored), or null.
    [[nodiscard]] const toolhub::Release *release(const QString &version) const;
    // The newest offered release older than the installed one (what "roll back" goes to).
    [[nodiscard]] const toolhub::Release *previous() const;
    // Whether a newer release than the installed one is offered on the channel of the
    // installed one (stable unless a beta is installed).
    [[nodiscard]] const toolhub::Release *update() const;
};

struct CatalogProduct {
    toolhub::Product product;
    std::vector<CatalogTool> tools;
    std::vector<toolhub::Resource> documents;
    std::vector<toolhub::Resource> tutorials;
    std::vector<toolhub::License> licenses; // the organization's serial numbers for it
};

// What the signed-in user may see, plus what is installed here (an installed tool whose product
// is not in the catalog any more still shows, under a product of its own slug).
struct Catalog {
    std::vector<CatalogProduct> products; // by name
    // The server could not be reached: some of it came from the copy kept for offline use (a
    // catalog read only from that copy on purpose is not offline).
    bool offline = false;
    QDateTime fetchedAt; // how current it is: the oldest of the answers it was built from

    [[nodiscard]] const CatalogProduct *product(const QString &slug) const;
    [[nodiscard]] const CatalogTool *tool(const QString &product, const QString &tool) const;
    // Finds "tool" or "product/tool"; null when none or (tool only) several match.
    [[nodiscard]] const CatalogTool *find(const QString &reference) const;
};

// Reads the whole catalog through the API client (each answer kept for offline use): the product
// list, every product's detail, every tool's releases, the licenses; then joins the registry's
// installations. Offline, it is built from the kept copies; a part never fetched is missing.
class CatalogLoader : public Task {
    Q_OBJECT

public:
    // `cachedOnly`: from the copies kept in the registry only, without the network.
    CatalogLoader(ApiClient &api, Registry &registry, bool cachedOnly = false,
                  QObject *parent = nullptr);

    // After succeeded().
    [[nodiscard]] const Catalog &catalog() const { return m_catalog; }

protected:
    void run() override;
    void abort() override;

private:
    void read(const QString &path, std::function<void(const ApiReply &)> done);
    void fetchPages(const QString &path, std::vector<nlohmann::json> *items, QString cursor,
                    std::function<void()> then);
    void fetchDetails();
    void noteAge(const QDateTime &fetchedAt);
    void partDone();
    void finishCatalog();
    void failWith(TaskError error, const QString &message);

    ApiClient &m_api;
    Registry &m_registry;
    Catalog m_catalog;
    std::vector<nlohmann::json> m_productItems;
    std::vector<nlohmann::json> m_licenseItems;
    bool m_cachedOnly;
    int m_pending = 0;
    bool m_aborted = false;
};

// Installations of the registry joined into `catalog` (fills CatalogTool::installed, adds
// installed tools the catalog does not list).
void joinInstallations(Catalog &catalog, const std::vector<Installation> &installations);
