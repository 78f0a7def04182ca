// ExtractTask: extraction on a worker thread reported through the Task signals, canceled
// half-way through a download that is still arriving.

#include "core/archive/byte_source.h"
#include "core/archive/extract_task.h"
#include "test_archives.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <thread>

using namespace archive_test;

Q_DECLARE_METATYPE(TaskError)

namespace {

QList<Entry> toolEntries()
{
    return {folder("tool/"),
            file("tool/bin/run", "#!/bin/sh\necho run\n", 0755),
            file("tool/lib/a.bin", noise(400 * 1024, 11)),
            file("tool/lib/b.bin", noise(400 * 1024, 12)),
            softLink("tool/lib/b.so", "b.bin"),
            file("tool/README", "Read me.\n")};
}

} // namespace

class ExtractTaskTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_staging;
    int m_run = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
        qRegisterMetaType<TaskError>();
    }

    void init() { m_staging = m_tmp.filePath(QStringLiteral("staging-%1").arg(++m_run)); }

    void succeedsWithProgress()
    {
        const QByteArray bytes = buildArchive(Format::TarGz, toolEntries());
        const QString path = m_tmp.filePath(QStringLiteral("tool-%1.tar.gz").arg(m_run));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(bytes), bytes.size());
        out.close();

        ExtractTask task(std::make_shared<FileByteSource>(path), m_staging);
        QSignalSpy started(&task, &Task::started);
        QSignalSpy progress(&task, &Task::progress);
        QSignalSpy succeeded(&task, &Task::succeeded);
        QSignalSpy failed(&task, &Task::failed);
        QSignalSpy canceled(&task, &Task::canceled);
        task.start();
        QCOMPARE(started.count(), 1);
        QCOMPARE(task.state(), Task::State::Running);
        QCOMPARE(task.total(), bytes.size());
        QTRY_COMPARE(succeeded.count(), 1);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(canceled.count(), 0);
        QCOMPARE(task.state(), Task::State::Succeeded);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), bytes.size());
        QCOMPARE(progress.last().at(1).toLongLong(), bytes.size());
        QVERIFY(!task.statusText().isEmpty());

        const ExtractResult &result = task.result();
        QVERIFY(result.ok());
        QCOMPARE(result.entries, 6);
        QCOMPARE(result.files.size(), 4);
        QCOMPARE(result.files.at(1).path, QStringLiteral("tool/lib/a.bin"));
        QCOMPARE(result.files.at(1).size, 400 * 1024);
        QVERIFY(QFileInfo(m_staging + QStringLiteral("/tool/lib/b.so")).isSymLink());
        QVERIFY(QFileInfo(m_staging + QStringLiteral("/tool/bin/run")).isExecutable());
    }

    void failsWithCodeAndMessage()
    {
        auto source = std::make_shared<MemorySource>(
            buildArchive(Format::Zip, {file("fine", "x"), file("../evil", "x")}));
        ExtractTask task(source, m_staging);
        QSignalSpy failed(&task, &Task::failed);
        QSignalSpy succeeded(&task, &Task::succeeded);
        task.start();
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).value<TaskError>(), TaskError::UnsafeArchive);
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("../evil")));
        QCOMPARE(task.error(), TaskError::UnsafeArchive);
        QCOMPARE(task.state(), Task::State::Failed);
        QCOMPARE(succeeded.count(), 0);
        QVERIFY(!QFileInfo::exists(m_staging));
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("evil"))));
    }

    void failsOnMissingFile()
    {
        ExtractTask task(
            std::make_shared<FileByteSource>(m_tmp.filePath(QStringLiteral("missing.zip"))),
            m_staging);
        QSignalSpy failed(&task, &Task::failed);
        task.start();
        QCOMPARE(task.total(), -1);
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(task.error(), TaskError::FileSystem);
        QVERIFY(task.errorMessage().contains(QStringLiteral("missing.zip")));
        QVERIFY(!QFileInfo::exists(m_staging));
    }

    void cancelsHalfWayThroughDownload()
    {
        const QByteArray bytes = buildArchive(Format::TarGz, toolEntries());
        auto source = std::make_shared<GrowingSource>(bytes.size());
        ExtractTask task(source, m_staging);
        QSignalSpy canceled(&task, &Task::canceled);
        QSignalSpy succeeded(&task, &Task::succeeded);
        QSignalSpy failed(&task, &Task::failed);
        QSignalSpy progress(&task, &Task::progress);
        task.start();
        // Half the download has arrived; the worker unpacked it and waits for more.
        source->append(bytes.left(bytes.size() / 2));
        QVERIFY(source->waitUntilReaderWaits());
        QVERIFY(QFileInfo(m_staging + QStringLiteral("/tool/lib/a.bin")).isFile());
        QTRY_VERIFY(!progress.isEmpty() && progress.last().at(0).toLongLong() > 0);
        QCOMPARE(task.total(), bytes.size());

        task.cancel();
        QCOMPARE(canceled.count(), 1);
        QCOMPARE(task.state(), Task::State::Canceled);
        QVERIFY(source->wasInterrupted());
        QTRY_VERIFY(!QFileInfo::exists(m_staging));
        QTRY_COMPARE(task.result().status, ExtractResult::Status::Canceled);
        QCOMPARE(succeeded.count(), 0);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(canceled.count(), 1);
    }

    void destroyedWhileWaitingStopsTheWorker()
    {
        const QByteArray bytes = buildArchive(Format::TarXz, toolEntries());
        auto source = std::make_shared<GrowingSource>(bytes.size());
        {
            ExtractTask task(source, m_staging);
            task.start();
            source->append(bytes.left(bytes.size() / 3));
            QVERIFY(source->waitUntilReaderWaits());
            QVERIFY(QFileInfo::exists(m_staging));
        } // joins the worker, which is blocked in read() until interrupted
        QVERIFY(source->wasInterrupted());
        QVERIFY(!QFileInfo::exists(m_staging));
    }

    void canceledAfterWorkFinishedRemovesStaging()
    {
        auto source = std::make_shared<MemorySource>(
            buildArchive(Format::Tar, {file("a", "a"), file("b", "b")}));
        ExtractTask task(source, m_staging);
        QSignalSpy canceled(&task, &Task::canceled);
        QSignalSpy succeeded(&task, &Task::succeeded);
        task.start();
        // The worker is done unpacking; without an event loop its report stays unhandled.
        const QDeadlineTimer deadline(30'000);
        while (!(QFileInfo::exists(m_staging + QStringLiteral("/b")) &&
                 source->consumed() == source->size()) &&
               !deadline.hasExpired()) {
            std::this_thread::yield();
        }
        QCOMPARE(source->consumed(), source->size());
        task.cancel();
        QCOMPARE(canceled.count(), 1);
        QTRY_VERIFY(!QFileInfo::exists(m_staging));
        QCOMPARE(succeeded.count(), 0);
    }
};

QTEST_GUILESS_MAIN(ExtractTaskTest)
#include "extract_task_test.moc"
