#include "core/app/task_queue.h"

#include <QSet>

#include <algorithm>

namespace {

constexpr int gateRetryMs = 1000;

} // namespace

TaskQueue::TaskQueue(int limit, QObject *parent) : QObject(parent), m_limit(std::max(1, limit))
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(gateRetryMs);
    connect(&m_retry, &QTimer::timeout, this, &TaskQueue::startNext);
}

void TaskQueue::setGate(std::function<bool()> acquire, std::function<void()> release)
{
    m_acquire = std::move(acquire);
    m_release = std::move(release);
}

TaskQueue::~TaskQueue()
{
    if (m_holding && m_release) {
        m_release();
    }
    for (const Entry &entry : std::as_const(m_entries)) {
        if (entry.task) {
            entry.task->disconnect(this);
        }
    }
}

void TaskQueue::setLimit(int limit)
{
    m_limit = std::max(1, limit);
    startNext();
}

void TaskQueue::enqueue(const QString &key, const QString &kind, Task *task)
{
    task->setParent(this);
    m_entries.append({key, kind, task});
    // After the task's own end signal, so that its other listeners saw it first.
    connect(task, &Task::succeeded, this, [this, task] { ended(task); });
    connect(task, &Task::failed, this, [this, task] { ended(task); });
    connect(task, &Task::canceled, this, [this, task] { ended(task); });
    Q_EMIT added(task);
    // Started from the event loop, never inside enqueue(): whoever queued the task connects to
    // it first, even when it ends as soon as it starts.
    if (!m_startScheduled) {
        m_startScheduled = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_startScheduled = false;
                startNext();
            },
            Qt::QueuedConnection);
    }
}

Task *TaskQueue::pending(const QString &key, const QString &kind) const
{
    for (const Entry &entry : m_entries) {
        if (entry.key == key && entry.kind == kind && entry.task && !entry.task->isFinished()) {
            return entry.task;
        }
    }
    return nullptr;
}

QList<Task *> TaskQueue::tasks() const
{
    QList<Task *> list;
    for (const Entry &entry : m_entries) {
        if (entry.task) {
            list.append(entry.task);
        }
    }
    return list;
}

int TaskQueue::runningCount() const
{
    return int(std::count_if(m_entries.begin(), m_entries.end(), [](const Entry &entry) {
        return entry.task && entry.task->state() == Task::State::Running;
    }));
}

void TaskQueue::cancelAll()
{
    // Canceling ends a task at once, which changes m_entries: work on a copy; and the slot a
    // canceled running task frees must not start a queued one that is canceled next.
    const QList<Task *> all = tasks();
    m_canceling = true;
    for (Task *task : all) {
        task->cancel();
    }
    m_canceling = false;
}

void TaskQueue::startNext()
{
    if (m_canceling) {
        return;
    }
    int running = runningCount();
    QSet<QString> busy;
    for (const Entry &entry : std::as_const(m_entries)) {
        if (entry.task && entry.task->state() == Task::State::Running) {
            busy.insert(entry.key);
        }
    }
    // Starting a task may end it at once (and change m_entries): pick, then start, then look
    // again.
    while (running < m_limit) {
        Task *next = nullptr;
        for (const Entry &entry : std::as_const(m_entries)) {
            if (entry.task && entry.task->state() == Task::State::Ready &&
                !busy.contains(entry.key)) {
                next = entry.task;
                busy.insert(entry.key);
                break;
            }
        }
        if (!next) {
            return;
        }
        if (!m_holding && m_acquire) {
            if (!m_acquire()) {
                if (!m_waiting) {
                    m_waiting = true;
                    Q_EMIT waiting(true);
                }
                m_retry.start();
                return;
            }
            m_holding = true;
            if (m_waiting) {
                m_waiting = false;
                Q_EMIT waiting(false);
            }
        }
        ++running;
        next->start();
        running = runningCount();
    }
}

void TaskQueue::ended(Task *task)
{
    const auto found = std::find_if(m_entries.begin(), m_entries.end(),
                                    [task](const Entry &entry) { return entry.task == task; });
    if (found == m_entries.end()) {
        return;
    }
    m_entries.erase(found);
    Q_EMIT finished(task);
    task->deleteLater();
    startNext();
    if (m_entries.isEmpty()) {
        m_retry.stop();
        if (m_waiting) {
            m_waiting = false;
            Q_EMIT waiting(false);
        }
        if (m_holding) {
            m_holding = false;
            if (m_release) {
                m_release();
            }
        }
        Q_EMIT idle();
    }
}
