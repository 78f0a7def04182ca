#include "core/install/tool_tasks.h"

#include "core/background_task.h"
#include "core/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <memory>

namespace {

// The registry's record of product/tool, for work on it on another thread; why not otherwise.
toolhub::Result<std::shared_ptr<const Installation>, BackgroundTask::Failure>
recordedInstallation(Registry &registry, const QString &product, const QString &tool)
{
    auto installed = registry.installation(product, tool);
    if (!installed) {
        return toolhub::fail(BackgroundTask::Failure{
            TaskError::FileSystem, QString::fromStdString(installed.error().message)});
    }
    if (!*installed) {
        return toolhub::fail(BackgroundTask::Failure{
            TaskError::NotApplicable,
            QCoreApplication::translate("Task", "%1 is not installed.").arg(tool)});
    }
    return std::make_shared<const Installation>(std::move(**installed));
}

} // namespace

RemoveTask::RemoveTask(QString product, QString tool, Registry &registry, QObject *parent)
    : Task(parent), m_product(std::move(product)), m_tool(std::move(tool)), m_registry(registry)
{}

void RemoveTask::run()
{
    auto found = recordedInstallation(m_registry, m_product, m_tool);
    if (!found) {
        fail(found.error().error, found.error().message);
        return;
    }
    const auto installation = std::move(found).value();
    m_version = installation->version;
    setStatusText(tr("Removing %1 %2").arg(m_tool, m_version));
    // Deleting is not undone half-way: once it began it runs to its end.
    setCancelable(false);
    m_work = new BackgroundTask(
        [installation](BackgroundTask::Control &control) {
            return removeInstalledFiles(*installation, control);
        },
        this);
    connect(m_work, &Task::progress, this,
            [this](qint64 done, qint64 total) { setProgress(done, total); });
    connect(m_work, &Task::failed, this,
            [this](TaskError error, const QString &message) { fail(error, message); });
    connect(m_work, &Task::succeeded, this, [this, installation] {
        if (auto forgotten = m_registry.forgetInstallation(m_product, m_tool); !forgotten) {
            fail(TaskError::FileSystem, QString::fromStdString(forgotten.error().message));
            return;
        }
        // <root>/<product>/<tool> and <root>/<product> go too once nothing else is in them.
        const QString toolFolder = QFileInfo(installation->folder).absolutePath();
        if (QDir().rmdir(toolFolder)) {
            QDir().rmdir(QFileInfo(toolFolder).absolutePath());
        }
        succeed();
    });
    m_work->start();
}

void RemoveTask::abort()
{
    // Only reachable before run() made the task non-cancelable: nothing to stop.
}

VerifyTask::VerifyTask(QString product, QString tool, bool repair, InstallEnvironment environment,
                       QObject *parent)
    : Task(parent), m_product(std::move(product)), m_tool(std::move(tool)), m_repair(repair),
      m_env(std::move(environment))
{}

void VerifyTask::run()
{
    auto found = recordedInstallation(*m_env.registry, m_product, m_tool);
    if (!found) {
        fail(found.error().error, found.error().message);
        return;
    }
    const auto installation = std::move(found).value();
    m_version = installation->version;
    setStatusText(tr("Checking the files of %1 %2").arg(m_tool, m_version));
    auto damaged = std::make_shared<std::vector<DamagedFile>>();
    m_check = new BackgroundTask(
        [installation, damaged](BackgroundTask::Control &control) {
            return verifyInstallation(*installation, *damaged, control);
        },
        this);
    connect(m_check, &Task::progress, this,
            [this](qint64 done, qint64 total) { setProgress(done, total); });
    connect(m_check, &Task::failed, this,
            [this](TaskError error, const QString &message) { fail(error, message); });
    connect(m_check, &Task::succeeded, this, [this, damaged] {
        m_damaged = std::move(*damaged);
        verified();
    });
    m_check->start();
}

void VerifyTask::verified()
{
    if (m_damaged.empty() || !m_repair) {
        succeed();
        return;
    }
    qCInfo(lcInstall) << m_damaged.size() << "files of" << m_product << m_tool << m_version
                      << "are damaged; installing it again";
    m_reinstall = new InstallTask({m_product, m_tool, m_version}, m_env, this);
    connect(m_reinstall, &Task::progress, this,
            [this](qint64 done, qint64 total) { setProgress(done, total); });
    connect(m_reinstall, &Task::statusTextChanged, this, &VerifyTask::setStatusText);
    connect(m_reinstall, &Task::cancelableChanged, this, &VerifyTask::setCancelable);
    connect(m_reinstall, &Task::failed, this,
            [this](TaskError error, const QString &message) { fail(error, message); });
    connect(m_reinstall, &Task::succeeded, this, [this] {
        m_repaired = true;
        succeed();
    });
    m_reinstall->start();
}

void VerifyTask::abort()
{
    if (m_check && !m_check->isFinished()) {
        m_check->cancel();
    }
    if (m_reinstall && !m_reinstall->isFinished()) {
        m_reinstall->cancel();
    }
}
