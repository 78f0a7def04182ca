#include "cli/commands.h"

#include "cli/console.h"
#include "core/api/api_client.h"
#include "core/app/app_core.h"
#include "core/catalog/catalog_loader.h"
#include "core/install/tool_tasks.h"
#include "core/secrets/secret_store.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QProcess>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <memory>

using namespace std::chrono_literals;

namespace {

// Requests end by their own transfer timeout, but a keychain that shows an unlock prompt waits
// for the person: the wait for the core to settle is bounded all the same.
constexpr auto settleTimeout = 120s;

QString errorName(TaskError error)
{
    switch (error) {
    case TaskError::Network:
        return QStringLiteral("network");
    case TaskError::Server:
        return QStringLiteral("server");
    case TaskError::NotSignedIn:
        return QStringLiteral("not_signed_in");
    case TaskError::NotEntitled:
        return QStringLiteral("not_entitled");
    case TaskError::NotApplicable:
        return QStringLiteral("not_applicable");
    case TaskError::Integrity:
        return QStringLiteral("integrity");
    case TaskError::Signature:
        return QStringLiteral("signature");
    case TaskError::ManifestExpired:
        return QStringLiteral("manifest_expired");
    case TaskError::ManifestRollback:
        return QStringLiteral("manifest_rollback");
    case TaskError::DiskSpace:
        return QStringLiteral("disk_space");
    case TaskError::UnsafeArchive:
        return QStringLiteral("unsafe_archive");
    case TaskError::ArchiveTooLarge:
        return QStringLiteral("archive_too_large");
    case TaskError::CorruptArchive:
        return QStringLiteral("corrupt_archive");
    case TaskError::FileSystem:
        return QStringLiteral("file_system");
    case TaskError::Internal:
        break;
    }
    return QStringLiteral("internal");
}

int exitCodeFor(TaskError error)
{
    switch (error) {
    case TaskError::NotSignedIn:
        return ExitCode::notSignedIn;
    case TaskError::Network:
        return ExitCode::unreachable;
    case TaskError::NotEntitled:
    case TaskError::NotApplicable:
        return ExitCode::notFound;
    default:
        return ExitCode::failed;
    }
}

// "The server could not be reached." and the specifics, as one sentence (or two).
QString sentence(const QString &general, const QString &specifics)
{
    QString text = specifics.trimmed();
    if (text.isEmpty()) {
        return general;
    }
    if (!text.endsWith(QLatin1Char('.')) && !text.endsWith(QLatin1Char('!')) &&
        !text.endsWith(QLatin1Char('?'))) {
        text += QLatin1Char('.');
    }
    return general.isEmpty() ? text : general + QLatin1Char(' ') + text;
}

QString slug(const std::string &text)
{
    return QString::fromStdString(text);
}

QString versionText(const toolhub::Release &release)
{
    return QString::fromStdString(release.version.toString());
}

QString channelText(const toolhub::Release &release)
{
    return QString::fromUtf8(toolhub::toString(release.channel));
}

QJsonValue orNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonObject toolJson(const QString &product, const QString &tool, const QString &version = {})
{
    QJsonObject json{{QStringLiteral("product"), product}, {QStringLiteral("tool"), tool}};
    if (!version.isEmpty()) {
        json.insert(QStringLiteral("version"), version);
    }
    return json;
}

QJsonObject merged(QJsonObject first, const QJsonObject &second)
{
    for (auto it = second.begin(); it != second.end(); ++it) {
        first.insert(it.key(), it.value());
    }
    return first;
}

// Rows as columns padded to their widest cell.
QStringList table(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const auto &row : rows) {
        for (qsizetype column = 0; column < row.size(); ++column) {
            if (widths.size() <= column) {
                widths.append(0);
            }
            widths[column] = std::max(widths[column], row.at(column).size());
        }
    }
    QStringList lines;
    for (const auto &row : rows) {
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column) {
            line += column + 1 < row.size() ? row.at(column).leftJustified(widths[column] + 2)
                                            : row.at(column);
        }
        lines.append(line.trimmed());
    }
    return lines;
}

QString problemName(DamagedFile::Problem problem)
{
    return problem == DamagedFile::Problem::Missing ? QStringLiteral("missing")
                                                    : QStringLiteral("changed");
}

} // namespace

CommandRunner::CommandRunner(AppCore &core, Console &console, QObject *parent)
    : QObject(parent), m_core(core), m_console(console)
{
    connect(&m_core, &AppCore::warning, this,
            [this](const QString &text) { m_console.note(text); });
    connect(&m_core, &AppCore::signInNotRemembered, this,
            [this](const QString &why) { m_notRemembered = why; });
}

CommandRunner::~CommandRunner() = default;

Outcome CommandRunner::run(const Invocation &invocation)
{
    m_invocation = invocation;
    Outcome outcome = dispatch();
    settle();
    return outcome;
}

Outcome CommandRunner::dispatch()
{
    switch (m_invocation.command) {
    case Command::List:
        return list();
    case Command::Install:
        return install();
    case Command::Update:
        return m_invocation.all ? updateAll() : update();
    case Command::RollBack:
        return rollBack();
    case Command::Remove:
        return remove();
    case Command::Verify:
        return verify();
    case Command::SignIn:
        return signIn();
    case Command::SignOut:
        return signOut();
    case Command::Status:
        return status();
    case Command::Help:
    case Command::Version:
        break;
    }
    return failed(QStringLiteral("internal"), ExitCode::failed,
                  describe(TaskError::Internal)); // handled before a runner exists
}

// ---- the commands ----

Outcome CommandRunner::list()
{
    if (auto stop = requireSignIn()) {
        return *stop;
    }
    if (auto stop = readCatalog()) {
        return *stop;
    }
    QJsonArray rows;
    QList<QStringList> cells{
        {tr("TOOL"), tr("NAME"), tr("INSTALLED"), tr("NEWEST"), tr("CHANNEL"), QString()}};
    for (const auto &product : m_core.catalog().products) {
        for (const auto &entry : product.tools) {
            if (m_invocation.installedOnly && !entry.installed) {
                continue;
            }
            const QString productSlug = slug(product.product.slug);
            const QString toolSlug = slug(entry.tool.slug);
            const QString installed = entry.installed ? entry.installed->version : QString();
            // The newest release on the channel the user follows: that of the installed release,
            // else stable.
            const auto *installedRelease = entry.installed ? entry.release(installed) : nullptr;
            const auto *newest = entry.newest(installedRelease ? installedRelease->channel
                                                               : toolhub::Channel::Stable);
            const auto *update = entry.update();
            const bool offered = !entry.releases.empty();
            QJsonObject row = toolJson(productSlug, toolSlug);
            row.insert(QStringLiteral("name"), slug(entry.tool.name));
            row.insert(QStringLiteral("installed_version"), orNull(installed));
            row.insert(QStringLiteral("newest_version"),
                       orNull(newest ? versionText(*newest) : QString()));
            row.insert(QStringLiteral("newest_channel"),
                       orNull(newest ? channelText(*newest) : QString()));
            row.insert(QStringLiteral("update_available"), update != nullptr);
            row.insert(QStringLiteral("update_version"),
                       orNull(update ? versionText(*update) : QString()));
            row.insert(QStringLiteral("offered"), offered);
            rows.append(row);
            const QString note = update     ? tr("update available: %1").arg(versionText(*update))
                                 : !offered ? tr("no longer offered")
                                            : QString();
            cells.append({productSlug + QLatin1Char('/') + toolSlug, slug(entry.tool.name),
                          installed.isEmpty() ? QStringLiteral("-") : installed,
                          newest ? versionText(*newest) : QStringLiteral("-"),
                          newest ? channelText(*newest) : QStringLiteral("-"), note});
        }
    }
    Outcome outcome;
    outcome.json = rows;
    if (rows.isEmpty()) {
        outcome.text = {m_invocation.installedOnly ? tr("No tools are installed.")
                                                   : tr("There are no tools for you to install.")};
    } else {
        outcome.text = table(cells);
    }
    return outcome;
}

Outcome CommandRunner::install()
{
    auto found = namedTool();
    if (!found) {
        return std::move(found).error();
    }
    const CatalogTool &entry = **found;
    const QString product = slug(entry.tool.product);
    const QString tool = slug(entry.tool.slug);
    const toolhub::Release *release = m_invocation.tool->version.isEmpty()
                                          ? entry.newest(toolhub::Channel::Stable)
                                          : entry.release(m_invocation.tool->version);
    if (!release) {
        return failed(
            errorName(TaskError::NotEntitled), ExitCode::notFound,
            sentence(describe(TaskError::NotEntitled),
                     m_invocation.tool->version.isEmpty()
                         ? tr("%1/%2 has no stable release offered to you").arg(product, tool)
                         : tr("%1 %2 is not offered to you").arg(tool, m_invocation.tool->version)),
            toolJson(product, tool, m_invocation.tool->version));
    }
    const QString version = versionText(*release);
    const TaskResult result = runTask(m_core.install(product, tool, version), tool);
    if (!result.ok()) {
        return failed(result, toolJson(product, tool, version));
    }
    QString folder;
    if (auto installed = m_core.registry().installation(product, tool); installed && *installed) {
        folder = (*installed)->folder;
    }
    QJsonObject json = toolJson(product, tool, version);
    json.insert(QStringLiteral("folder"), folder);
    return succeeded(json, {tr("Installed %1 %2 in %3.").arg(tool, version, folder)});
}

Outcome CommandRunner::update()
{
    auto found = namedTool();
    if (!found) {
        return std::move(found).error();
    }
    const CatalogTool &entry = **found;
    const QString product = slug(entry.tool.product);
    const QString tool = slug(entry.tool.slug);
    if (!entry.installed) {
        return failed(QStringLiteral("not_installed"), ExitCode::notFound,
                      tr("%1/%2 is not installed.").arg(product, tool), toolJson(product, tool));
    }
    // `entry` changes once the update is done: what it says now, first.
    const QString current = entry.installed->version;
    const toolhub::Release *newer = entry.update();
    if (!newer) {
        QJsonObject json = toolJson(product, tool, current);
        json.insert(QStringLiteral("changed"), false);
        return succeeded(json, {tr("%1 %2 is the newest version.").arg(tool, current)});
    }
    const QString version = versionText(*newer);
    const TaskResult result = runTask(m_core.update(product, tool), tool);
    if (!result.ok()) {
        return failed(result, toolJson(product, tool, version));
    }
    QJsonObject json = toolJson(product, tool, version);
    json.insert(QStringLiteral("previous_version"), current);
    json.insert(QStringLiteral("changed"), true);
    return succeeded(json, {tr("Updated %1 from %2 to %3.").arg(tool, current, version)});
}

Outcome CommandRunner::updateAll()
{
    if (auto stop = requireSignIn()) {
        return *stop;
    }
    if (auto stop = readCatalog()) {
        return *stop;
    }
    // AppCore::updateAll(), one tool at a time: so that each result names its tool.
    struct Target {
        QString product;
        QString tool;
        QString from;
        QString to;
    };
    QList<Target> targets;
    for (const auto &product : m_core.catalog().products) {
        for (const auto &entry : product.tools) {
            if (const auto *newer = entry.update(); entry.installed && newer) {
                targets.append({entry.installed->product, entry.installed->tool,
                                entry.installed->version, versionText(*newer)});
            }
        }
    }
    QList<Task *> tasks;
    QStringList labels;
    for (const auto &target : std::as_const(targets)) {
        tasks.append(m_core.update(target.product, target.tool));
        labels.append(target.tool);
    }
    const QList<TaskResult> results = runTasks(tasks, labels);
    QList<Outcome> outcomes;
    for (qsizetype index = 0; index < targets.size(); ++index) {
        const Target &target = targets.at(index);
        QJsonObject json = toolJson(target.product, target.tool, target.to);
        if (!results.at(index).ok()) {
            outcomes.append(failed(results.at(index), json));
            continue;
        }
        json.insert(QStringLiteral("previous_version"), target.from);
        json.insert(QStringLiteral("changed"), true);
        outcomes.append(succeeded(
            json, {tr("Updated %1 from %2 to %3.").arg(target.tool, target.from, target.to)}));
    }
    Outcome outcome = combined(outcomes);
    if (outcomes.isEmpty()) {
        outcome.text = {tr("Every installed tool is up to date.")};
    }
    return outcome;
}

Outcome CommandRunner::rollBack()
{
    auto found = namedTool();
    if (!found) {
        return std::move(found).error();
    }
    const CatalogTool &entry = **found;
    const QString product = slug(entry.tool.product);
    const QString tool = slug(entry.tool.slug);
    const QString wanted = m_invocation.tool->version;
    if (!entry.installed) {
        return failed(QStringLiteral("not_installed"), ExitCode::notFound,
                      tr("%1/%2 is not installed.").arg(product, tool), toolJson(product, tool));
    }
    const QString current = entry.installed->version;
    const toolhub::Release *target = wanted.isEmpty() ? entry.previous() : entry.release(wanted);
    if (!target && wanted.isEmpty()) {
        return failed(QStringLiteral("not_found"), ExitCode::notFound,
                      tr("No release of %1 older than the installed %2 is offered to you.")
                          .arg(tool, current),
                      toolJson(product, tool, current));
    }
    if (!target) {
        return failed(errorName(TaskError::NotEntitled), ExitCode::notFound,
                      sentence(describe(TaskError::NotEntitled),
                               tr("%1 %2 is not offered to you").arg(tool, wanted)),
                      toolJson(product, tool, wanted));
    }
    const QString version = versionText(*target);
    if (const auto installed = toolhub::parseSemVer(current.toStdString());
        installed && !(target->version < *installed)) {
        return failed(QStringLiteral("usage"), ExitCode::usage,
                      tr("%1 %2 is not older than the installed %3: use toolhub install "
                         "%4/%1@%2 to change to it.")
                          .arg(tool, version, current, product),
                      toolJson(product, tool, version));
    }
    const TaskResult result = runTask(m_core.rollBack(product, tool, version), tool);
    if (!result.ok()) {
        return failed(result, toolJson(product, tool, version));
    }
    QJsonObject json = toolJson(product, tool, version);
    json.insert(QStringLiteral("previous_version"), current);
    return succeeded(json, {tr("Rolled %1 back from %2 to %3.").arg(tool, current, version)});
}

Outcome CommandRunner::remove()
{
    // Works without the server; signed in, the server hears of it.
    restoreSignIn();
    auto found = findInstalled(*m_invocation.tool);
    if (!found) {
        return std::move(found).error();
    }
    const Installation installation = std::move(found).value();
    const TaskResult result =
        runTask(m_core.remove(installation.product, installation.tool), installation.tool);
    const QJsonObject json =
        toolJson(installation.product, installation.tool, installation.version);
    if (!result.ok()) {
        return failed(result, json);
    }
    return succeeded(json,
                     {tr("Removed %1 %2 from %3.")
                          .arg(installation.tool, installation.version, installation.folder)});
}

Outcome CommandRunner::verify()
{
    if (m_invocation.repair) {
        if (auto stop = requireSignIn()) {
            return *stop;
        }
    }
    std::vector<Installation> installations;
    if (m_invocation.tool) {
        auto found = findInstalled(*m_invocation.tool);
        if (!found) {
            return std::move(found).error();
        }
        installations.push_back(std::move(found).value());
    } else {
        auto all = m_core.registry().installations();
        if (!all) {
            return failed(errorName(TaskError::FileSystem), ExitCode::failed,
                          sentence(describe(TaskError::FileSystem),
                                   QString::fromStdString(all.error().message)));
        }
        installations = std::move(all).value();
    }

    struct Found {
        std::vector<DamagedFile> damaged;
        bool repaired = false;
    };
    auto found = std::make_shared<std::vector<Found>>(installations.size());
    QList<Task *> tasks;
    QStringList labels;
    for (std::size_t index = 0; index < installations.size(); ++index) {
        const Installation &installation = installations[index];
        Task *task = m_core.verify(installation.product, installation.tool, m_invocation.repair);
        if (auto *check = qobject_cast<VerifyTask *>(task)) {
            connect(check, &Task::succeeded, this, [check, found, index] {
                (*found)[index] = {check->damaged(), check->repaired()};
            });
        }
        tasks.append(task);
        labels.append(installation.tool);
    }
    const QList<TaskResult> results = runTasks(tasks, labels);

    QList<Outcome> outcomes;
    for (std::size_t index = 0; index < installations.size(); ++index) {
        const Installation &installation = installations[index];
        const TaskResult &result = results.at(qsizetype(index));
        QJsonObject json = toolJson(installation.product, installation.tool, installation.version);
        json.insert(QStringLiteral("folder"), installation.folder);
        if (!result.ok()) {
            outcomes.append(failed(result, json));
            continue;
        }
        const Found &what = (*found)[index];
        QJsonArray damaged;
        QStringList lines;
        QStringList named;
        for (const auto &file : what.damaged) {
            damaged.append(QJsonObject{{QStringLiteral("path"), file.path},
                                       {QStringLiteral("problem"), problemName(file.problem)}});
            lines.append(QStringLiteral("  %1  %2/%3")
                             .arg(problemName(file.problem), installation.folder, file.path));
            named.append(QStringLiteral("%1 (%2)").arg(file.path, problemName(file.problem)));
        }
        json.insert(QStringLiteral("damaged"), damaged);
        json.insert(QStringLiteral("repaired"), what.repaired);
        const QString name = installation.product + QLatin1Char('/') + installation.tool;
        if (what.damaged.empty()) {
            outcomes.append(succeeded(
                json,
                {tr("%1 %2: every file is as it was installed.").arg(name, installation.version)}));
        } else if (what.repaired) {
            outcomes.append(
                succeeded(json, QStringList{tr("%1 %2: installed again; these files were damaged:")
                                                .arg(name, installation.version)} +
                                    lines));
        } else {
            Outcome outcome =
                failed(QStringLiteral("damaged"), ExitCode::failed,
                       tr("Files of %1 %2 are not as they were installed: %3. Run "
                          "toolhub verify %1 --repair to install it again.")
                           .arg(name, installation.version, named.join(QStringLiteral(", "))),
                       json);
            outcome.text = QStringList{tr("%1 %2: these files are not as they were installed:")
                                           .arg(name, installation.version)} +
                           lines;
            outcomes.append(outcome);
        }
    }
    if (m_invocation.tool && outcomes.size() == 1) {
        return outcomes.first();
    }
    Outcome outcome = combined(outcomes);
    if (outcomes.isEmpty()) {
        outcome.text = {tr("No tools are installed.")};
    }
    return outcome;
}

Outcome CommandRunner::signIn()
{
    if (!m_invocation.server.isEmpty()) {
        const QUrl address(m_invocation.server, QUrl::StrictMode);
        if (const QString refused = m_core.settings().setServerUrl(address); !refused.isEmpty()) {
            return failed(QStringLiteral("setting_refused"), ExitCode::usage, refused,
                          {{QStringLiteral("server"), m_invocation.server}});
        }
        m_core.reloadSettings();
    }
    const QString server = m_core.serverUrl().toString();
    if (server.isEmpty()) {
        return failed(QStringLiteral("usage"), ExitCode::usage,
                      tr("No server is set: give its address, as in toolhub sign-in --server "
                         "https://toolhub.example.com."));
    }
    BrowserSignIn *task =
        m_core.signIn([this](const QUrl &address) { return openInBrowser(address); });
    if (!task) {
        return failed(errorName(TaskError::Internal), ExitCode::failed,
                      describe(TaskError::Internal));
    }
    task->start();
    const TaskResult result = runTask(task, QString());
    const QJsonObject json{{QStringLiteral("server"), server}};
    if (!result.ok()) {
        return failed(result, json);
    }
    settle(); // the keychain has answered whether it keeps the sign-in
    const bool remembered = m_core.canRememberSignIn() && m_notRemembered.isEmpty();
    QJsonObject details = json;
    details.insert(QStringLiteral("remembered"), remembered);
    QStringList text{tr("Signed in to %1.").arg(server)};
    if (remembered) {
        text.append(tr("The sign-in is kept in this computer's keychain for the next commands."));
    } else {
        const QString why =
            m_notRemembered.isEmpty() ? describe(SecretStatus::Unavailable) : m_notRemembered;
        details.insert(QStringLiteral("message"), why);
        text.append(sentence(why, tr("Other toolhub commands will not be signed in.")));
    }
    return succeeded(details, text);
}

Outcome CommandRunner::signOut()
{
    const QString server = m_core.serverUrl().toString();
    if (server.isEmpty()) {
        return succeeded({{QStringLiteral("was_signed_in"), false}},
                         {tr("No server is set: there is nothing to sign out of.")});
    }
    restoreSignIn(); // a kept sign-in is known once read from the keychain
    const bool wasSignedIn = m_core.isSignedIn();
    m_core.signOut();
    return succeeded(
        {{QStringLiteral("server"), server}, {QStringLiteral("was_signed_in"), wasSignedIn}},
        {wasSignedIn ? tr("Signed out of %1.").arg(server)
                     : tr("You were not signed in to %1.").arg(server)});
}

Outcome CommandRunner::status()
{
    const QUrl server = m_core.serverUrl();
    if (!server.isEmpty()) {
        restoreSignIn();
        // Whether the server answers at all now.
        auto answered = std::make_shared<bool>(false);
        m_core.api()->get(QStringLiteral("/livez"), this, [this, answered](const ApiReply &) {
            *answered = true;
            wake();
        });
        waitUntil([answered] { return *answered; });
    }
    Settings &settings = m_core.settings();
    const auto installations = m_core.registry().installations();
    const int installed = installations ? int(installations->size()) : 0;
    struct Setting {
        Settings::Key key;
        const char *name;
        QString label;
    };
    const QList<Setting> all{
        {Settings::Key::ServerUrl, "server_url", tr("server address")},
        {Settings::Key::ServerPublicKey, "server_public_key", tr("server key")},
        {Settings::Key::ParallelDownloads, "parallel_downloads", tr("parallel downloads")},
        {Settings::Key::InstallRoot, "install_root", tr("install folder")},
        {Settings::Key::TrustedPortal, "trusted_portal", tr("links from the portal")},
    };
    QJsonArray locked;
    QStringList lockedLabels;
    for (const auto &setting : all) {
        if (settings.isLocked(setting.key)) {
            locked.append(QLatin1String(setting.name));
            lockedLabels.append(setting.label);
        }
    }
    const bool signedIn = m_core.isSignedIn();
    const bool offline = m_core.isOffline();
    const QJsonObject json{
        {QStringLiteral("server_url"), orNull(server.toString())},
        {QStringLiteral("signed_in"), signedIn},
        {QStringLiteral("can_remember_sign_in"), m_core.canRememberSignIn()},
        {QStringLiteral("offline"), offline},
        {QStringLiteral("install_root"), settings.installRoot()},
        {QStringLiteral("installed_tools"), installed},
        {QStringLiteral("parallel_downloads"), settings.parallelDownloads()},
        {QStringLiteral("locked_settings"), locked},
    };
    const auto yesNo = [](bool value) { return value ? tr("yes") : tr("no"); };
    Outcome outcome;
    outcome.json = json;
    outcome.text = table({
        {tr("Server:"), server.isEmpty() ? tr("none set") : server.toString()},
        {tr("Signed in:"), yesNo(signedIn)},
        {tr("Sign-in can be remembered:"),
         m_core.canRememberSignIn() ? tr("yes") : describe(SecretStatus::Unavailable)},
        {tr("Offline:"), server.isEmpty() ? tr("no server") : yesNo(offline)},
        {tr("Install folder:"), settings.installRoot()},
        {tr("Installed tools:"), QString::number(installed)},
        {tr("Parallel downloads:"), QString::number(settings.parallelDownloads())},
        {tr("Set by your IT department:"),
         lockedLabels.isEmpty() ? tr("nothing") : lockedLabels.join(QStringLiteral(", "))},
    });
    return outcome;
}

// ---- steps the commands share ----

bool CommandRunner::restoreSignIn()
{
    if (m_core.serverUrl().isEmpty()) {
        return false;
    }
    auto restored = std::make_shared<std::optional<bool>>();
    m_core.restoreSignIn([this, restored](bool signedIn) {
        *restored = signedIn;
        wake();
    });
    waitUntil([restored] { return restored->has_value(); });
    return **restored;
}

std::optional<Outcome> CommandRunner::requireSignIn()
{
    if (m_core.serverUrl().isEmpty()) {
        return failed(errorName(TaskError::NotSignedIn), ExitCode::notSignedIn,
                      sentence(describe(TaskError::NotSignedIn),
                               tr("No server is set: run toolhub sign-in --server <address>")));
    }
    if (restoreSignIn() || m_core.isSignedIn()) {
        // Signed in; or holding a sign-in the server could not be asked about (offline), which
        // the catalog and the tasks then find out about.
        return std::nullopt;
    }
    return failed(
        errorName(TaskError::NotSignedIn), ExitCode::notSignedIn,
        sentence(
            describe(TaskError::NotSignedIn),
            m_core.canRememberSignIn()
                ? tr("Run toolhub sign-in first")
                : sentence(
                      describe(SecretStatus::Unavailable),
                      tr("Without one, commands that need the server cannot stay signed in"))));
}

std::optional<Outcome> CommandRunner::readCatalog()
{
    CatalogLoader *loader = m_core.loadCatalog();
    if (!loader) {
        return failed(errorName(TaskError::NotSignedIn), ExitCode::notSignedIn,
                      describe(TaskError::NotSignedIn));
    }
    if (m_console.isTerminal()) { // a moment's wait, worth no lines of its own in a log
        showProgress(loader, QStringLiteral("toolhub"), m_console);
    }
    loader->start();
    const TaskResult result = runTask(loader, QString());
    if (!result.ok()) {
        return failed(result);
    }
    if (m_core.catalog().offline) {
        m_console.note(tr("offline: showing what was known at %1")
                           .arg(m_core.catalog().fetchedAt.toLocalTime().toString(
                               QStringLiteral("yyyy-MM-dd HH:mm"))));
    }
    return std::nullopt;
}

toolhub::Result<const CatalogTool *, Outcome> CommandRunner::namedTool()
{
    if (auto stop = requireSignIn()) {
        return toolhub::fail(std::move(*stop));
    }
    if (auto stop = readCatalog()) {
        return toolhub::fail(std::move(*stop));
    }
    return findInCatalog(*m_invocation.tool);
}

toolhub::Result<const CatalogTool *, Outcome>
CommandRunner::findInCatalog(const ToolReference &reference) const
{
    const Catalog &catalog = m_core.catalog();
    if (!reference.product.isEmpty()) {
        if (const CatalogTool *entry = catalog.tool(reference.product, reference.tool)) {
            return entry;
        }
    } else {
        QList<const CatalogTool *> matches;
        for (const auto &product : catalog.products) {
            for (const auto &entry : product.tools) {
                if (slug(entry.tool.slug) == reference.tool) {
                    matches.append(&entry);
                }
            }
        }
        if (matches.size() == 1) {
            return matches.first();
        }
        if (matches.size() > 1) {
            QStringList names;
            for (const CatalogTool *entry : std::as_const(matches)) {
                names.append(slug(entry->tool.product) + QLatin1Char('/') + reference.tool);
            }
            return toolhub::fail(
                failed(QStringLiteral("usage"), ExitCode::usage,
                       tr("Several products have a tool named %1: name one of "
                          "%2.")
                           .arg(reference.tool, names.join(QStringLiteral(", ")))));
        }
    }
    return toolhub::fail(
        failed(errorName(TaskError::NotEntitled), ExitCode::notFound,
               sentence(describe(TaskError::NotEntitled),
                        tr("%1 is not among the tools you may install").arg(reference.name())),
               toolJson(reference.product, reference.tool)));
}

toolhub::Result<Installation, Outcome> CommandRunner::findInstalled(const ToolReference &reference)
{
    auto installations = m_core.registry().installations();
    if (!installations) {
        return toolhub::fail(
            failed(errorName(TaskError::FileSystem), ExitCode::failed,
                   sentence(describe(TaskError::FileSystem),
                            QString::fromStdString(installations.error().message))));
    }
    std::vector<Installation> matches;
    for (auto &installation : *installations) {
        if (installation.tool == reference.tool &&
            (reference.product.isEmpty() || installation.product == reference.product)) {
            matches.push_back(std::move(installation));
        }
    }
    if (matches.size() == 1) {
        return std::move(matches.front());
    }
    if (matches.size() > 1) {
        QStringList names;
        for (const auto &installation : matches) {
            names.append(installation.product + QLatin1Char('/') + installation.tool);
        }
        return toolhub::fail(failed(QStringLiteral("usage"), ExitCode::usage,
                                    tr("Several installed tools are named %1: name one of %2.")
                                        .arg(reference.tool, names.join(QStringLiteral(", ")))));
    }
    return toolhub::fail(failed(QStringLiteral("not_installed"), ExitCode::notFound,
                                tr("%1 is not installed.").arg(reference.name()),
                                toolJson(reference.product, reference.tool)));
}

CommandRunner::TaskResult CommandRunner::runTask(Task *task, const QString &label)
{
    return runTasks({task}, {label}).first();
}

QList<CommandRunner::TaskResult> CommandRunner::runTasks(const QList<Task *> &tasks,
                                                         const QStringList &labels)
{
    auto results = std::make_shared<QList<std::optional<TaskResult>>>(tasks.size());
    const auto resultOf = [](const Task *task) {
        return TaskResult{task->state(), task->error(), task->errorMessage()};
    };
    for (qsizetype index = 0; index < tasks.size(); ++index) {
        Task *task = tasks.at(index);
        if (task->isFinished()) {
            (*results)[index] = resultOf(task);
            continue;
        }
        if (!labels.at(index).isEmpty()) {
            showProgress(task, labels.at(index), m_console);
        }
        connect(task, &Task::stateChanged, this, [this, task, results, index, resultOf] {
            if (task->isFinished()) {
                (*results)[index] = resultOf(task);
                wake();
            }
        });
    }
    waitUntil([results] {
        return std::all_of(results->begin(), results->end(),
                           [](const auto &result) { return result.has_value(); });
    });
    QList<TaskResult> ended;
    for (const auto &result : std::as_const(*results)) {
        ended.append(*result);
    }
    return ended;
}

bool CommandRunner::waitUntil(const std::function<bool()> &done,
                              std::optional<std::chrono::milliseconds> timeout)
{
    const QDeadlineTimer deadline =
        timeout ? QDeadlineTimer(*timeout) : QDeadlineTimer(QDeadlineTimer::Forever);
    while (!done()) {
        if (deadline.hasExpired()) {
            return false;
        }
        QEventLoop loop;
        QTimer timer;
        if (!deadline.isForever()) {
            timer.setSingleShot(true);
            connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
            timer.start(std::chrono::milliseconds(deadline.remainingTime()));
        }
        m_loop = &loop;
        loop.exec();
        m_loop = nullptr;
    }
    return true;
}

void CommandRunner::wake()
{
    if (m_loop) {
        m_loop->quit();
    }
}

void CommandRunner::settle()
{
    // What the core started on its own (reports of installs, the rotated refresh token going to
    // the keychain, a revocation) must end before the process does.
    auto settled = std::make_shared<bool>(false);
    m_core.whenSettled([this, settled] {
        *settled = true;
        wake();
    });
    waitUntil([settled] { return *settled; }, settleTimeout);
}

bool CommandRunner::openInBrowser(const QUrl &address)
{
    const QString text = address.toString(QUrl::FullyEncoded);
    m_console.note(tr("Open this address in your browser to sign in: %1").arg(text));
    QProcess opener;
#if defined(Q_OS_MACOS)
    opener.setProgram(QStringLiteral("open"));
    opener.setArguments({text});
#elif defined(Q_OS_WIN)
    opener.setProgram(QStringLiteral("rundll32"));
    opener.setArguments({QStringLiteral("url.dll,FileProtocolHandler"), text});
#else
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        return false; // no desktop to show a browser on: the address above is the way
    }
    opener.setProgram(QStringLiteral("xdg-open"));
    opener.setArguments({text});
#endif
    opener.setStandardOutputFile(QProcess::nullDevice());
    opener.setStandardErrorFile(QProcess::nullDevice());
    return opener.startDetached();
}

// ---- outcomes ----

Outcome CommandRunner::succeeded(const QJsonObject &result, const QStringList &text) const
{
    Outcome outcome;
    outcome.json = merged({{QStringLiteral("ok"), true},
                           {QStringLiteral("action"), commandName(m_invocation.command)}},
                          result);
    outcome.text = text;
    return outcome;
}

Outcome CommandRunner::failed(const QString &code, int exitCode, const QString &sentence,
                              const QJsonObject &details) const
{
    Outcome outcome;
    outcome.exitCode = exitCode;
    outcome.json = merged(merged({{QStringLiteral("ok"), false},
                                  {QStringLiteral("action"), commandName(m_invocation.command)}},
                                 details),
                          {{QStringLiteral("error"), code}, {QStringLiteral("message"), sentence}});
    outcome.errors = {sentence};
    return outcome;
}

Outcome CommandRunner::failed(const TaskResult &result, const QJsonObject &details) const
{
    if (result.state == Task::State::Canceled) {
        return failed(QStringLiteral("canceled"), ExitCode::failed, tr("It was canceled."),
                      details);
    }
    return failed(errorName(result.error), exitCodeFor(result.error),
                  sentence(describe(result.error), result.message), details);
}

Outcome CommandRunner::combined(const QList<Outcome> &outcomes) const
{
    Outcome outcome;
    QJsonArray results;
    for (const Outcome &one : outcomes) {
        QJsonObject json = one.json.toObject();
        json.remove(QStringLiteral("action"));
        results.append(json);
        outcome.text += one.text;
        outcome.errors += one.errors;
        if (outcome.exitCode == ExitCode::success) {
            outcome.exitCode = one.exitCode;
        }
    }
    outcome.json = QJsonObject{{QStringLiteral("ok"), outcome.exitCode == ExitCode::success},
                               {QStringLiteral("action"), commandName(m_invocation.command)},
                               {QStringLiteral("results"), results}};
    return outcome;
}
