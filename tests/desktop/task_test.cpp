// The one base of long-running desktop work: its states, signals and progress figures.

#include "core/task.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

namespace {

// Finishes from the event loop the way it is told, as real work does.
class ScriptedTask : public Task {
    Q_OBJECT

public:
    enum class Ending { Succeed, Fail, Never };
    explicit ScriptedTask(Ending ending) : m_ending(ending) {}
    int aborts = 0;
    int stepsRun = 0; // the scripted step, run from the event loop
    // What a subclass does around its atomic step.
    void enterCommit() { setCancelable(false); }

protected:
    void run() override
    {
        setProgress(0, 1000);
        QTimer::singleShot(0, this, [this] {
            ++stepsRun;
            setProgress(400, 1000);
            setStatusText(QStringLiteral("working"));
            if (m_ending == Ending::Succeed) {
                setProgress(1000, 1000);
                succeed();
            } else if (m_ending == Ending::Fail) {
                fail(TaskError::Integrity, QStringLiteral("sha256 differs"));
            }
        });
    }
    void abort() override { ++aborts; }

private:
    Ending m_ending;
};

} // namespace

class TaskTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void succeedsOnceWithProgress()
    {
        ScriptedTask task(ScriptedTask::Ending::Succeed);
        QSignalSpy started(&task, &Task::started);
        QSignalSpy progress(&task, &Task::progress);
        QSignalSpy succeeded(&task, &Task::succeeded);
        QSignalSpy failed(&task, &Task::failed);
        QCOMPARE(task.state(), Task::State::Ready);
        task.start();
        QCOMPARE(started.count(), 1);
        QCOMPARE(task.state(), Task::State::Running);
        QTRY_COMPARE(succeeded.count(), 1);
        QCOMPARE(task.state(), Task::State::Succeeded);
        QVERIFY(task.isFinished());
        QCOMPARE(task.done(), 1000);
        QCOMPARE(task.total(), 1000);
        QCOMPARE(progress.count(), 3);
        QCOMPARE(progress.at(1).at(0).toLongLong(), 400);
        QCOMPARE(task.statusText(), QStringLiteral("working"));
        QCOMPARE(task.secondsLeft(), 0);
        QVERIFY(task.bytesPerSecond() > 0);
        task.start(); // a finished task does not run again
        QCOMPARE(started.count(), 1);
        QCOMPARE(failed.count(), 0);
    }

    void failureCarriesCodeAndMessage()
    {
        ScriptedTask task(ScriptedTask::Ending::Fail);
        QSignalSpy failed(&task, &Task::failed);
        task.start();
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::Integrity);
        QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("sha256 differs"));
        QCOMPARE(task.state(), Task::State::Failed);
        QCOMPARE(task.error(), TaskError::Integrity);
        QVERIFY(!describe(TaskError::Integrity).isEmpty());
    }

    void cancelStopsTheWorkAndEndsOnce()
    {
        ScriptedTask task(ScriptedTask::Ending::Never);
        QSignalSpy canceled(&task, &Task::canceled);
        QSignalSpy succeeded(&task, &Task::succeeded);
        task.start();
        task.cancel();
        QCOMPARE(task.aborts, 1);
        QCOMPARE(canceled.count(), 1);
        QCOMPARE(task.state(), Task::State::Canceled);
        task.cancel();
        QCOMPARE(canceled.count(), 1);
        QTRY_COMPARE(task.stepsRun, 1); // the scripted step still runs, and changes nothing
        QCOMPARE(succeeded.count(), 0);
        QCOMPARE(task.state(), Task::State::Canceled);
    }

    void notCancelableWhileCommitting()
    {
        ScriptedTask task(ScriptedTask::Ending::Never);
        QSignalSpy cancelable(&task, &Task::cancelableChanged);
        QSignalSpy canceled(&task, &Task::canceled);
        task.start();
        task.enterCommit();
        QCOMPARE(cancelable.count(), 1);
        QVERIFY(!task.isCancelable());
        task.cancel();
        QCOMPARE(canceled.count(), 0);
        QCOMPARE(task.aborts, 0);
        QCOMPARE(task.state(), Task::State::Running);
    }

    void readyTaskCancelsWithoutStarting()
    {
        ScriptedTask task(ScriptedTask::Ending::Succeed);
        QSignalSpy started(&task, &Task::started);
        QSignalSpy canceled(&task, &Task::canceled);
        task.cancel();
        QCOMPARE(canceled.count(), 1);
        task.start();
        QCOMPARE(started.count(), 0);
        QCOMPARE(task.aborts, 0);
    }
};

QTEST_GUILESS_MAIN(TaskTest)
#include "task_test.moc"
