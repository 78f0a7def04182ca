#pragma once

#include "cli/arguments.h"
#include "core/task.h"
#include "toolhub/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <optional>

class AppCore;
class Console;
class QEventLoop;
class QUrl;
struct CatalogTool;
struct Installation;

// The exit codes of `toolhub <command>`, as --help lists them.
namespace ExitCode {
inline constexpr int success = 0;
inline constexpr int failed = 1;
inline constexpr int usage = 2;
inline constexpr int notSignedIn = 3;
inline constexpr int unreachable = 4;
inline constexpr int notFound = 5; // not licensed, not offered, not installed
} // namespace ExitCode

// How a command ended: its exit code, its result for stdout (the JSON document of --json, or
// lines of text) and, when something failed, one sentence per failure for stderr.
struct Outcome {
    int exitCode = ExitCode::success;
    QJsonValue json;
    QStringList text;
    QStringList errors;
};

// Runs one command over the app's core to its end, the way a person at a terminal (or a script)
// needs it: resumes the sign-in kept in the keychain, reads the catalog, queues the work on tools
// and waits for it with its progress on stderr; then waits for what the core finishes on its own
// after a task ended (reports to the server, keychain writes), so that nothing of it is lost when
// the process exits.
class CommandRunner : public QObject {
    Q_OBJECT

public:
    CommandRunner(AppCore &core, Console &console, QObject *parent = nullptr);
    ~CommandRunner() override;

    [[nodiscard]] Outcome run(const Invocation &invocation);

private:
    // How one task ended.
    struct TaskResult {
        Task::State state = Task::State::Failed;
        TaskError error = TaskError::Internal;
        QString message;

        [[nodiscard]] bool ok() const { return state == Task::State::Succeeded; }
    };

    Outcome dispatch();
    Outcome list();
    Outcome install();
    Outcome update();
    Outcome updateAll();
    Outcome rollBack();
    Outcome remove();
    Outcome verify();
    Outcome signIn();
    Outcome signOut();
    Outcome status();

    // Each returns the outcome to stop with, or nothing to go on.
    std::optional<Outcome> requireSignIn();
    std::optional<Outcome> readCatalog();
    // Signed in, the catalog read, and the tool the command names found in it; or the outcome
    // that ends the command.
    toolhub::Result<const CatalogTool *, Outcome> namedTool();

    // True once signed in with an access token the server just gave.
    bool restoreSignIn();
    [[nodiscard]] toolhub::Result<const CatalogTool *, Outcome>
    findInCatalog(const ToolReference &reference) const;
    [[nodiscard]] toolhub::Result<Installation, Outcome>
    findInstalled(const ToolReference &reference);

    // Waits for the tasks (queued or started) to end, their progress on stderr under `labels`
    // (none for an empty label).
    QList<TaskResult> runTasks(const QList<Task *> &tasks, const QStringList &labels);
    TaskResult runTask(Task *task, const QString &label);
    // Runs the event loop until `done()` holds (true) or `timeout` passed (false). What is waited
    // for calls wake().
    bool waitUntil(const std::function<bool()> &done,
                   std::optional<std::chrono::milliseconds> timeout = std::nullopt);
    void wake();
    // Waits for the network requests and keychain writes the core still has under way.
    void settle();

    bool openInBrowser(const QUrl &address);

    [[nodiscard]] Outcome succeeded(const QJsonObject &result, const QStringList &text) const;
    [[nodiscard]] Outcome failed(const QString &code, int exitCode, const QString &sentence,
                                 const QJsonObject &details = {}) const;
    [[nodiscard]] Outcome failed(const TaskResult &result, const QJsonObject &details = {}) const;
    // Several results in one: {"ok", "action", "results": [...]}; the first failure's exit code.
    [[nodiscard]] Outcome combined(const QList<Outcome> &outcomes) const;

    AppCore &m_core;
    Console &m_console;
    Invocation m_invocation;
    QEventLoop *m_loop = nullptr;
    QString m_notRemembered; // why the keychain did not keep the sign-in
};
