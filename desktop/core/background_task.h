#pragma once

#include "core/task.h"

#include <atomic>
#include <functional>
#include <optional>
#include <thread>

// A Task whose work is one blocking function (hashing a tree, deleting files) run on a thread of
// its own. The function reports progress through its Control from that thread and looks at
// `canceled` between steps; what it returns (nullopt: success) ends the task in the task's own
// thread. Destroying the task cancels the work and waits for the thread.
class BackgroundTask : public Task {
    Q_OBJECT

public:
    struct Control {
        std::function<void(qint64 done, qint64 total)> progress; // any rate: throttled here
        const std::atomic<bool> &canceled;
    };
    struct Failure {
        TaskError error = TaskError::Internal;
        QString message;
    };
    using Work = std::function<std::optional<Failure>(Control &control)>;

    explicit BackgroundTask(Work work, QObject *parent = nullptr);
    ~BackgroundTask() override;

protected:
    void run() override;
    void abort() override;

private:
    Work m_work;
    std::atomic<bool> m_canceled{false};
    std::atomic<qint64> m_lastReport{0}; // ms since epoch of the last progress report
    std::jthread m_thread;
};
