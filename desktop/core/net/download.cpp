#include "core/net/download.h"

#include "core/net/download_channel.h"
#include "core/net/download_worker.h"
#include "core/net/growing_file_reader.h"

#include <QCoreApplication>
#include <QLocale>

#include <curl/curl.h>

DownloadTask::DownloadTask(DownloadRequest request, DownloadOptions options, QObject *parent)
    : Task(parent), m_request(std::move(request)), m_options(options),
      m_channel(std::make_shared<DownloadChannel>())
{
    // A task canceled before it started has no worker to tell its readers.
    connect(this, &Task::canceled, this,
            [this] { m_channel->finish(DownloadChannel::End::Canceled); });
}

DownloadTask::~DownloadTask()
{
    stopWorker();
    m_channel->finish(DownloadChannel::End::Canceled);
}

QString DownloadTask::partPathFor(const QString &destination)
{
    return destination + QLatin1String(".part");
}

QString DownloadTask::metaPathFor(const QString &destination)
{
    return destination + QLatin1String(".part.meta");
}

std::unique_ptr<GrowingFileReader> DownloadTask::openReader() const
{
    return std::make_unique<GrowingFileReader>(m_channel);
}

void DownloadTask::run()
{
    setProgress(0, m_request.expectedSize);
    setCancelable(true);

    // Every report is queued to this object: it runs on this thread, and not at all once this
    // object is gone (the destructor waits for the worker first).
    DownloadReports reports;
    reports.progress = [this](const DownloadFigures &figures) {
        QMetaObject::invokeMethod(
            this,
            [this, figures] {
                if (state() != State::Running) {
                    return;
                }
                m_resumedFrom = figures.resumedFrom;
                m_bytesReceived = figures.received;
                m_attempts = figures.attempts;
                setProgress(figures.done, figures.total);
            },
            Qt::QueuedConnection);
    };
    reports.phase = [this](DownloadPhase phase, int attempt, std::chrono::milliseconds wait) {
        QMetaObject::invokeMethod(
            this,
            [this, phase, attempt, wait] {
                if (state() != State::Running) {
                    return;
                }
                switch (phase) {
                case DownloadPhase::Checking:
                    setStatusText(tr("Checking the partial download"));
                    break;
                case DownloadPhase::Downloading:
                    setStatusText(attempt > 1 ? tr("Downloading (attempt %1)").arg(attempt)
                                              : tr("Downloading"));
                    break;
                case DownloadPhase::Waiting:
                    setStatusText(tr("Connection problem; trying again in %1")
                                      .arg(QLocale::system().toString(
                                               static_cast<double>(wait.count()) / 1000.0, 'f', 1) +
                                           QLatin1String(" s")));
                    break;
                case DownloadPhase::Verifying:
                    setStatusText(tr("Verifying"));
                    break;
                }
            },
            Qt::QueuedConnection);
    };
    reports.finished = [this](const DownloadOutcome &outcome) {
        QMetaObject::invokeMethod(
            this,
            [this, outcome] {
                m_resumedFrom = outcome.figures.resumedFrom;
                m_bytesReceived = outcome.figures.received;
                m_attempts = outcome.figures.attempts;
                if (state() != State::Running) {
                    return; // canceled meanwhile
                }
                setProgress(outcome.figures.done, outcome.figures.total);
                switch (outcome.end) {
                case DownloadChannel::End::Succeeded:
                    succeed();
                    break;
                case DownloadChannel::End::Failed:
                    fail(outcome.error, outcome.message);
                    break;
                case DownloadChannel::End::Canceled:
                case DownloadChannel::End::Running:
                    fail(TaskError::Internal, tr("The download stopped unexpectedly."));
                    break;
                }
            },
            Qt::QueuedConnection);
    };

    QByteArray userAgent = "Toolhub";
    if (const QString version = QCoreApplication::applicationVersion(); !version.isEmpty()) {
        userAgent += '/' + version.toLatin1();
    }
    userAgent += " libcurl/" LIBCURL_VERSION;

    m_worker = std::thread([request = m_request, options = m_options, userAgent,
                            channel = m_channel, reports = std::move(reports)]() mutable {
        DownloadWorker worker(std::move(request), options, std::move(userAgent), std::move(channel),
                              std::move(reports));
        worker.run();
    });
}

void DownloadTask::abort()
{
    // Waits for the worker (a moment: its transfer checks the flag while bytes arrive and at
    // least once a second while none do), so that the .part is no longer written to when
    // canceled() is emitted and another task may resume it at once.
    stopWorker();
}

void DownloadTask::stopWorker()
{
    m_channel->requestCancel();
    if (m_worker.joinable()) {
        m_worker.join();
    }
}
