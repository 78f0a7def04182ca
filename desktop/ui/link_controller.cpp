#include "ui/link_controller.h"

#include "core/api/api_client.h"
#include "core/app/app_core.h"
#include "core/install/install_task.h"
#include "ui/link_confirm_dialog.h"
#include "ui/main_window.h"
#include "ui/tasks_panel.h"
#include "ui/tools_table_model.h"
#include "ui/ui_logging.h"

#include "toolhub/manifest.h"

#include <QStatusBar>
#include <QUrl>

#include <algorithm>

namespace {

constexpr int statusMessageMs = 5000;

QString text(const std::string &value)
{
    return QString::fromStdString(value);
}

QString keyOf(const QString &product, const QString &tool, const QString &version)
{
    return product + u'/' + tool + u'/' + version;
}

// The download size of this computer's artifact in a release manifest's body, or why not.
std::optional<qint64> artifactSize(const QByteArray &body, QString *why)
{
    const auto json =
        nlohmann::json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
    if (json.is_discarded()) {
        *why = LinkController::tr("the server's answer is not readable");
        return std::nullopt;
    }
    auto signedManifest = toolhub::signedManifestFromJson(json);
    if (!signedManifest) {
        *why = LinkController::tr("the server's answer is not readable");
        return std::nullopt;
    }
    const auto payload = nlohmann::json::parse(signedManifest->payload, nullptr, false);
    if (payload.is_discarded()) {
        *why = LinkController::tr("the server's answer is not readable");
        return std::nullopt;
    }
    auto manifest = toolhub::manifestFromJson(payload);
    if (!manifest) {
        *why = LinkController::tr("the server's answer is not readable");
        return std::nullopt;
    }
    const auto platform = currentPlatform();
    const auto arch = currentArch();
    for (const auto &artifact : manifest->artifacts) {
        if (artifact.platform == platform && artifact.arch == arch) {
            return qint64(artifact.size);
        }
    }
    *why = LinkController::tr("no download for this computer");
    return std::nullopt;
}

} // namespace

LinkController::LinkController(AppCore &core, MainWindow &window)
    : QObject(&window), m_core(core), m_window(window)
{
    connect(&window, &MainWindow::settled, this, &LinkController::scheduleAdvance);
}

LinkController::~LinkController() = default;

void LinkController::handle(const toolhub::LinkRequest &request)
{
    qCInfo(lcUi) << "link:" << text(toLink(request));
    switch (request.action) {
    case toolhub::LinkAction::Project:
    case toolhub::LinkAction::ProjectInstall:
        m_window.bringToFront();
        m_window.showLinkNotice(tr("This link is for the toolset of project \"%1\". Project "
                                   "toolsets are not available in Toolhub yet.")
                                    .arg(text(request.projectId)));
        return;
    case toolhub::LinkAction::Install:
    case toolhub::LinkAction::Open:
        break;
    }
    m_window.bringToFront();
    if (std::find(m_waiting.begin(), m_waiting.end(), request) == m_waiting.end()) {
        m_waiting.push_back(request);
    }
    scheduleAdvance();
}

void LinkController::refuse(const QString &reason)
{
    m_window.bringToFront();
    m_window.showLinkNotice(tr("Toolhub did not act on the link it was given: %1").arg(reason));
}

void LinkController::show()
{
    m_window.bringToFront();
}

// Links are looked at from the event loop, once whatever emitted the signal is done.
void LinkController::scheduleAdvance()
{
    if (m_advanceScheduled) {
        return;
    }
    m_advanceScheduled = true;
    QMetaObject::invokeMethod(this, &LinkController::advance, Qt::QueuedConnection);
}

void LinkController::advance()
{
    m_advanceScheduled = false;
    if (m_waiting.empty() || m_window.isSettling()) {
        return; // settled() comes once the window is done
    }
    if (!m_core.isSignedIn()) {
        if (!m_signInStarted) {
            m_signInStarted = true;
            m_window.signIn();
            scheduleAdvance(); // when no sign-in could start (no server set): dropped below
            return;
        }
        m_signInStarted = false;
        const std::size_t dropped = m_waiting.size();
        m_waiting.clear();
        m_window.showLinkNotice(
            dropped == 1
                ? tr("Toolhub did not act on the link: it needs you to sign in first. Sign in, "
                     "then open the link again.")
                : tr("Toolhub did not act on %1 links: it needs you to sign in first. Sign in, "
                     "then open them again.")
                      .arg(dropped));
        return;
    }
    m_signInStarted = false;
    const std::vector<toolhub::LinkRequest> ready = std::exchange(m_waiting, {});
    for (const auto &request : ready) {
        act(request);
    }
}

void LinkController::act(const toolhub::LinkRequest &request)
{
    if (request.action == toolhub::LinkAction::Install) {
        install(request);
    } else {
        open(request);
    }
}

void LinkController::open(const toolhub::LinkRequest &request)
{
    const QString product = text(request.product);
    if (m_window.showProduct(product)) {
        return;
    }
    m_window.showLinkNotice(
        m_core.catalog().offline
            ? tr("Toolhub cannot reach the server to look up \"%1\". Open the link again once "
                 "it is back.")
                  .arg(product)
            : tr("Your organization's licenses do not include the product \"%1\".").arg(product));
}

void LinkController::install(const toolhub::LinkRequest &request)
{
    const QString product = text(request.product);
    const QString tool = text(request.tool);
    const Catalog &catalog = m_core.catalog();
    const CatalogProduct *entry = catalog.product(product);
    const CatalogTool *toolEntry = catalog.tool(product, tool);
    if (!entry || !toolEntry || toolEntry->releases.empty()) {
        if (catalog.offline) {
            m_window.showLinkNotice(tr("Toolhub cannot reach the server to look up %1/%2. Open "
                                       "the link again once it is back.")
                                        .arg(product, tool));
        } else if (!entry) {
            m_window.showLinkNotice(tr("Your organization's licenses do not include the product "
                                       "\"%1\", so Toolhub cannot install %2 from this link.")
                                        .arg(product, tool));
        } else {
            m_window.showLinkNotice(tr("Your organization's licenses for %1 do not include the "
                                       "tool \"%2\".")
                                        .arg(text(entry->product.name), tool));
        }
        return;
    }
    const QString toolName = displayName(*toolEntry);
    const toolhub::Release *release = nullptr;
    if (request.version) {
        release = toolEntry->release(text(*request.version));
        if (!release) {
            m_window.showLinkNotice(tr("%1 %2 is not offered to your organization.")
                                        .arg(toolName, text(*request.version)));
            return;
        }
    } else {
        const auto channel = request.channel == toolhub::LinkChannel::Beta
                                 ? toolhub::Channel::Beta
                                 : toolhub::Channel::Stable;
        release = toolEntry->newest(channel);
        if (!release) {
            m_window.showLinkNotice(
                tr("%1 has no stable release for your organization yet.").arg(toolName));
            return;
        }
    }
    const QString version = text(release->version.toString());
    const QString key = keyOf(product, tool, version);
    if (LinkConfirmDialog *dialog = m_dialogs.value(key)) {
        dialog->raise();
        dialog->activateWindow();
        return;
    }
    if (Task *task = m_queued.value(key); task && !task->isFinished()) {
        m_window.statusBar()->showMessage(
            tr("%1 %2 is already being installed.").arg(toolName, version), statusMessageMs);
        return;
    }
    if (m_core.settings().trustsPortal()) {
        queue(product, tool, version, true);
        return;
    }
    confirm(product, tool, version);
}

QString LinkController::publisher(const QString &product) const
{
    QString host = m_core.serverUrl().host();
    const CatalogProduct *entry = m_core.catalog().product(product);
    if (entry && !entry->licenses.empty()) {
        return tr("%1, for %2").arg(host, text(entry->licenses.front().organization));
    }
    return host;
}

void LinkController::confirm(const QString &product, const QString &tool, const QString &version)
{
    const CatalogProduct *entry = m_core.catalog().product(product);
    const CatalogTool *toolEntry = m_core.catalog().tool(product, tool);
    LinkConfirmDialog::Details details{text(entry->product.name), displayName(*toolEntry), version,
                                       publisher(product)};
    auto *dialog = new LinkConfirmDialog(details, &m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString key = keyOf(product, tool, version);
    m_dialogs.insert(key, dialog);
    connect(dialog, &QDialog::finished, this,
            [this, dialog, key, product, tool, version](int result) {
                if (m_dialogs.value(key) == dialog) {
                    m_dialogs.remove(key);
                }
                if (result == QDialog::Accepted) {
                    queue(product, tool, version, false);
                }
            });
    dialog->open();
    dialog->raise();
    dialog->activateWindow();
    Q_EMIT confirmationShown(dialog);
    readDownloadSize(dialog, tool, version);
}

void LinkController::readDownloadSize(LinkConfirmDialog *dialog, const QString &tool,
                                      const QString &version)
{
    ApiClient *api = m_core.api();
    if (!api) {
        dialog->setDownloadSizeUnknown(tr("no server set"));
        return;
    }
    // Only shown: the install reads the manifest again and checks its signature and sizes.
    const QString path = QStringLiteral("/api/v1/tools/%1/releases/%2/manifest")
                             .arg(QString::fromLatin1(QUrl::toPercentEncoding(tool)),
                                  QString::fromLatin1(QUrl::toPercentEncoding(version)));
    api->get(path, dialog, [dialog](const ApiReply &reply) {
        if (!reply.ok()) {
            dialog->setDownloadSizeUnknown(reply.message.isEmpty() ? tr("the server did not say")
                                                                   : reply.message);
            return;
        }
        QString why;
        if (const auto size = artifactSize(reply.body, &why)) {
            dialog->setDownloadSize(*size);
        } else {
            dialog->setDownloadSizeUnknown(why);
        }
    });
}

void LinkController::queue(const QString &product, const QString &tool, const QString &version,
                           bool trusted)
{
    const CatalogTool *entry = m_core.catalog().tool(product, tool);
    const QString name = entry ? displayName(*entry) : tool;
    Task *task = m_core.install(product, tool, version);
    if (!task) {
        return;
    }
    m_queued.removeIf(
        [](const auto &pending) { return !pending.value() || pending.value()->isFinished(); });
    m_queued.insert(keyOf(product, tool, version), task);
    m_window.tasksPanel()->setTitle(
        task, trusted ? tr("Installing %1 %2 from a portal link (your IT trusts the portal)")
                            .arg(name, version)
                      : tr("Installing %1 %2").arg(name, version));
    if (trusted) {
        m_window.statusBar()->showMessage(
            tr("Installing %1 %2 from a portal link your IT trusts.").arg(name, version),
            statusMessageMs);
    }
}
