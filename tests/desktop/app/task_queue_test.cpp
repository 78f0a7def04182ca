// The queue of work on tools: the limit on tasks at once, one tool's tasks in order, requests
// for the same thing joined, cancel of queued and running tasks.

#include "core/app/task_queue.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>

namespace {

// A task that runs until the test ends it.
class ManualTask : public Task {
public:
    using Task::Task;
    void finishNow() { succeed(); }
    void failNow() { fail(TaskError::Network, QStringLiteral("no network")); }

protected:
    void run() override {}
};

} // namespace

class TaskQueueTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsAtMostTheLimitAtOnce()
    {
        TaskQueue queue(2);
        QList<QPointer<ManualTask>> tasks;
        for (int i = 0; i < 5; ++i) {
            auto *task = new ManualTask;
            tasks.append(task);
            queue.enqueue(QStringLiteral("p/tool%1").arg(i), QStringLiteral("install"), task);
        }
        // Nothing starts inside enqueue(): its caller connects first.
        QCOMPARE(tasks[0]->state(), Task::State::Ready);
        QCoreApplication::processEvents();
        QCOMPARE(queue.runningCount(), 2);
        QCOMPARE(tasks[0]->state(), Task::State::Running);
        QCOMPARE(tasks[1]->state(), Task::State::Running);
        QCOMPARE(tasks[2]->state(), Task::State::Ready);

        QSignalSpy finished(&queue, &TaskQueue::finished);
        tasks[1]->finishNow();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(queue.runningCount(), 2);
        QCOMPARE(tasks[2]->state(), Task::State::Running); // the next in order took the slot

        tasks[0]->failNow();
        QCOMPARE(tasks[3]->state(), Task::State::Running);
        QCOMPARE(tasks[4]->state(), Task::State::Ready);

        // A higher limit starts what waits at once.
        queue.setLimit(3);
        QCOMPARE(tasks[4]->state(), Task::State::Running);
        QCOMPARE(queue.runningCount(), 3);
    }

    void oneToolsTasksFollowEachOther()
    {
        TaskQueue queue(3);
        auto *install = new ManualTask;
        auto *remove = new ManualTask;
        auto *other = new ManualTask;
        queue.enqueue(QStringLiteral("fluxcad/flux-cli"), QStringLiteral("install 2.0.0"), install);
        queue.enqueue(QStringLiteral("fluxcad/flux-cli"), QStringLiteral("remove"), remove);
        queue.enqueue(QStringLiteral("fluxcad/fluxcad"), QStringLiteral("install 2.0.0"), other);
        QCoreApplication::processEvents();
        QCOMPARE(install->state(), Task::State::Running);
        QCOMPARE(remove->state(), Task::State::Ready);  // waits for the install of its tool
        QCOMPARE(other->state(), Task::State::Running); // another tool does not wait

        install->finishNow();
        QCOMPARE(remove->state(), Task::State::Running);
    }

    void theSameRequestIsFoundPending()
    {
        TaskQueue queue(1);
        auto *first = new ManualTask;
        auto *second = new ManualTask;
        queue.enqueue(QStringLiteral("a/x"), QStringLiteral("install 1.0.0"), first);
        queue.enqueue(QStringLiteral("b/y"), QStringLiteral("install 1.0.0"), second);
        QCoreApplication::processEvents();
        QCOMPARE(queue.pending(QStringLiteral("a/x"), QStringLiteral("install 1.0.0")), first);
        QCOMPARE(queue.pending(QStringLiteral("b/y"), QStringLiteral("install 1.0.0")), second);
        QCOMPARE(queue.pending(QStringLiteral("a/x"), QStringLiteral("install 2.0.0")), nullptr);
        QCOMPARE(queue.pending(QStringLiteral("a/x"), QStringLiteral("remove")), nullptr);
        first->finishNow();
        QCOMPARE(queue.pending(QStringLiteral("a/x"), QStringLiteral("install 1.0.0")), nullptr);
    }

    void finishedTasksAreDeletedAndIdleIsSaid()
    {
        TaskQueue queue(2);
        QPointer<ManualTask> task = new ManualTask;
        QSignalSpy idle(&queue, &TaskQueue::idle);
        queue.enqueue(QStringLiteral("a/x"), QStringLiteral("verify"), task);
        QCoreApplication::processEvents();
        QVERIFY(!queue.isIdle());
        task->finishNow();
        QCOMPARE(idle.count(), 1);
        QVERIFY(queue.isIdle());
        QVERIFY(queue.tasks().isEmpty());
        QTRY_VERIFY(task.isNull()); // deleteLater
    }

    void cancelAllEndsQueuedAndRunningTasks()
    {
        TaskQueue queue(1);
        QPointer<ManualTask> running = new ManualTask;
        QPointer<ManualTask> queued = new ManualTask;
        queue.enqueue(QStringLiteral("a/x"), QStringLiteral("install 1.0.0"), running);
        queue.enqueue(QStringLiteral("b/y"), QStringLiteral("install 1.0.0"), queued);
        QCoreApplication::processEvents();
        QSignalSpy startedQueued(queued.data(), &Task::started);
        QSignalSpy canceledQueued(queued.data(), &Task::canceled);
        QSignalSpy canceledRunning(running.data(), &Task::canceled);
        queue.cancelAll();
        QCOMPARE(canceledRunning.count(), 1);
        QCOMPARE(canceledQueued.count(), 1);
        QCOMPARE(startedQueued.count(), 0); // a queued task never starts once canceled
        QVERIFY(queue.isIdle());
    }

    void theGateIsTakenBeforeWorkAndGivenBackWhenIdle()
    {
        // Another process holds the install root: tasks wait, then go once it is free.
        TaskQueue queue(2);
        bool free = false;
        int acquired = 0;
        int released = 0;
        queue.setGate(
            [&] {
                if (free) {
                    ++acquired;
                }
                return free;
            },
            [&] { ++released; });
        QSignalSpy waiting(&queue, &TaskQueue::waiting);
        auto *first = new ManualTask;
        auto *second = new ManualTask;
        queue.enqueue(QStringLiteral("a/x"), QStringLiteral("install 1.0.0"), first);
        queue.enqueue(QStringLiteral("b/y"), QStringLiteral("install 1.0.0"), second);
        QCoreApplication::processEvents();
        QCOMPARE(first->state(), Task::State::Ready);
        QCOMPARE(waiting.count(), 1);
        QCOMPARE(waiting.first().first().toBool(), true);

        free = true;
        QTRY_COMPARE_WITH_TIMEOUT(first->state(), Task::State::Running, 5000); // retried
        QCOMPARE(second->state(), Task::State::Running);
        QCOMPARE(acquired, 1); // once for the whole busy spell
        QCOMPARE(waiting.last().first().toBool(), false);

        first->finishNow();
        QCOMPARE(released, 0);
        second->finishNow();
        QCOMPARE(released, 1);
    }

    void aTaskEndingAtStartDoesNotStallTheQueue()
    {
        // A task that fails as it starts (a refused request) hands its slot on at once.
        class Refused : public Task {
        public:
            using Task::Task;

        protected:
            void run() override { fail(TaskError::NotEntitled, QStringLiteral("not licensed")); }
        };
        TaskQueue queue(1);
        auto *refused = new Refused;
        auto *next = new ManualTask;
        QSignalSpy failed(refused, &Task::failed);
        queue.enqueue(QStringLiteral("a/x"), QStringLiteral("refused"), refused);
        queue.enqueue(QStringLiteral("b/y"), QStringLiteral("install 1.0.0"), next);
        QCOMPARE(failed.count(), 0); // connected in time to hear it
        QCoreApplication::processEvents();
        QCOMPARE(failed.count(), 1);
        QCOMPARE(next->state(), Task::State::Running);
    }
};

QTEST_GUILESS_MAIN(TaskQueueTest)
#include "task_queue_test.moc"
