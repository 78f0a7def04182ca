#pragma once

#include "core/task.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>

// The app's work on tools, in order: at most `limit` tasks run at once (the parallel downloads
// setting), and never two on the same tool (`key`, e.g. "fluxcad/flux-cli"), so one tool's
// install, update and removal follow each other. The queue owns its tasks; each is deleted
// (deleteLater) once finished and finished() was emitted.
class TaskQueue : public QObject {
    Q_OBJECT

public:
    explicit TaskQueue(int limit, QObject *parent = nullptr);
    ~TaskQueue() override;

    void setLimit(int limit);
    // Work on tools may need what another process holds (the install root's lock): `acquire` is
    // asked before a task starts while the queue holds nothing (true: go on; false: ask again a
    // second later, with waiting(true)), and `release` is called once the queue is idle again.
    void setGate(std::function<bool()> acquire, std::function<void()> release);
    [[nodiscard]] int limit() const { return m_limit; }

    // Takes `task` (Ready) and starts it when its turn comes, at the earliest from the event
    // loop after this call.
    void enqueue(const QString &key, const QString &kind, Task *task);
    // The task queued or running for `key` with this `kind` ("install 2.0.0"), if any: a second
    // request for the same thing joins it instead of queueing again.
    [[nodiscard]] Task *pending(const QString &key, const QString &kind) const;
    // Queued and running, in order.
    [[nodiscard]] QList<Task *> tasks() const;
    [[nodiscard]] bool isIdle() const { return m_entries.isEmpty(); }
    [[nodiscard]] int runningCount() const;
    // Cancels everything queued and running (running ones only where they can stop).
    void cancelAll();

Q_SIGNALS:
    void added(Task *task);
    // `task` ended (succeeded, failed or canceled); it is deleted after this returns.
    void finished(Task *task);
    void idle();
    // Tasks wait for another process to finish its work on tools (true), or go on (false).
    void waiting(bool waiting);

private:
    struct Entry {
        QString key;
        QString kind;
        QPointer<Task> task;
    };
    void startNext();
    void ended(Task *task);

    int m_limit;
    QList<Entry> m_entries;
    bool m_startScheduled = false;
    bool m_canceling = false;
    std::function<bool()> m_acquire;
    std::function<void()> m_release;
    bool m_holding = false; // what m_acquire gave, until idle
    bool m_waiting = false;
    QTimer m_retry;
};
