#include "core/archive/extract_task.h"

#include "core/archive/byte_source.h"
#include "core/archive/staging.h"
#include "core/logging.h"

#include <QElapsedTimer>
#include <QLocale>
#include <QMetaObject>

#include <algorithm>

namespace {

// Progress reaches the task's thread at most this often (and once at the end).
constexpr qint64 kProgressIntervalMs = 100;

} // namespace

ExtractTask::ExtractTask(std::shared_ptr<ByteSource> source, QString stagingDir,
                         ExtractLimits limits, QObject *parent)
    : Task(parent), m_source(std::move(source)), m_stagingDir(std::move(stagingDir)),
      m_limits(limits)
{}

ExtractTask::~ExtractTask()
{
    stopWorker();
}

void ExtractTask::run()
{
    if (!m_source) {
        fail(TaskError::Internal, tr("There is no archive to unpack."));
        return;
    }
    m_total = m_source->size();
    setProgress(0, m_total);
    setStatusText(tr("Unpacking"));
    m_worker = std::thread([this, source = m_source, staging = m_stagingDir, limits = m_limits] {
        QElapsedTimer clock;
        clock.start();
        qint64 lastReport = -kProgressIntervalMs;
        const auto report = [this, &clock, &lastReport](const ExtractProgress &progress) {
            const qint64 now = clock.elapsed();
            if (now - lastReport < kProgressIntervalMs) {
                return;
            }
            lastReport = now;
            QMetaObject::invokeMethod(
                this, [this, progress] { showProgress(progress); }, Qt::QueuedConnection);
        };
        const ExtractResult result = extractArchive(*source, staging, limits, m_cancel, report);
        QMetaObject::invokeMethod(
            this, [this, result] { finishWork(result); }, Qt::QueuedConnection);
    });
}

void ExtractTask::abort()
{
    m_cancel.store(true);
    if (m_source) {
        m_source->interrupt();
    }
}

void ExtractTask::showProgress(const ExtractProgress &progress)
{
    if (state() != State::Running) {
        return;
    }
    setProgress(m_total >= 0 ? std::min(progress.sourceBytes, m_total) : progress.sourceBytes,
                m_total);
    setStatusText(tr("Unpacking: %1 entries, %2")
                      .arg(progress.entries)
                      .arg(QLocale::system().formattedDataSize(progress.bytesWritten)));
}

void ExtractTask::finishWork(const ExtractResult &result)
{
    if (m_worker.joinable()) {
        m_worker.join();
    }
    m_result = result;
    if (state() != State::Running) {
        // Canceled while the worker was finishing: what it left behind goes too.
        if (m_result.ok()) {
            m_worker = std::thread([staging = m_stagingDir] { removeTree(staging); });
        }
        return;
    }
    switch (m_result.status) {
    case ExtractResult::Status::Succeeded:
        // The source need not be read to its very end (a tar's padding).
        setProgress(m_total >= 0 ? m_total : m_result.sourceBytes, m_total);
        setStatusText(tr("Unpacked %1 entries, %2")
                          .arg(m_result.entries)
                          .arg(QLocale::system().formattedDataSize(m_result.bytesWritten)));
        succeed();
        return;
    case ExtractResult::Status::Failed:
        fail(m_result.error, m_result.message);
        return;
    case ExtractResult::Status::Canceled:
        // Only this task sets the flag, and then it is no longer running.
        break;
    }
    fail(TaskError::Internal, tr("Unpacking stopped unexpectedly."));
}

void ExtractTask::stopWorker()
{
    if (!m_worker.joinable()) {
        return;
    }
    m_cancel.store(true);
    if (m_source) {
        m_source->interrupt();
    }
    m_worker.join();
}
