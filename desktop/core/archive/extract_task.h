#pragma once

#include "core/archive/extractor.h"
#include "core/task.h"

#include <QString>

#include <atomic>
#include <memory>
#include <thread>

class ByteSource;

// Unpacks an archive into a staging folder (extractArchive()) on a worker thread, as a Task.
// Progress is archive bytes read out of the source's size (-1 when the source does not know
// it), so it follows a download that feeds the source; the status text counts what was
// unpacked. Signals are emitted in the task's thread.
//
// cancel() sets the flag the worker polls and interrupts the source, then canceled() is
// emitted at once; the worker stops within one block and removes the staging folder in the
// background (a folder finished just before the cancel is removed too). Destroying the task
// waits for the worker.
class ExtractTask : public Task {
    Q_OBJECT

public:
    ExtractTask(std::shared_ptr<ByteSource> source, QString stagingDir, ExtractLimits limits = {},
                QObject *parent = nullptr);
    ~ExtractTask() override;

    [[nodiscard]] QString stagingDir() const { return m_stagingDir; }
    // Complete once succeeded() or failed() was emitted: the files written, the figures.
    [[nodiscard]] const ExtractResult &result() const { return m_result; }

protected:
    void run() override;
    void abort() override;

private:
    void showProgress(const ExtractProgress &progress);
    void finishWork(const ExtractResult &result);
    void stopWorker();

    std::shared_ptr<ByteSource> m_source;
    QString m_stagingDir;
    ExtractLimits m_limits;
    qint64 m_total = -1;
    ExtractResult m_result;
    std::atomic<bool> m_cancel{false};
    std::thread m_worker;
};
