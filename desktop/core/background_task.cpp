#include "core/background_task.h"

#include <QDateTime>
#include <QMetaObject>
#include <QPointer>

namespace {

constexpr qint64 progressIntervalMs = 100;

} // namespace

BackgroundTask::BackgroundTask(Work work, QObject *parent) : Task(parent), m_work(std::move(work))
{}

BackgroundTask::~BackgroundTask()
{
    m_canceled = true;
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void BackgroundTask::run()
{
    QPointer<BackgroundTask> self(this);
    m_thread = std::jthread([this, self] {
        Control control{[this, self](qint64 done, qint64 total) {
                            const qint64 now = QDateTime::currentMSecsSinceEpoch();
                            if (done != total && now - m_lastReport < progressIntervalMs) {
                                return;
                            }
                            m_lastReport = now;
                            QMetaObject::invokeMethod(self, [self, done, total] {
                                if (self) {
                                    self->setProgress(done, total);
                                }
                            });
                        },
                        m_canceled};
        std::optional<Failure> failure;
        try {
            failure = m_work(control);
        } catch (const std::exception &e) {
            failure = Failure{TaskError::Internal, QString::fromUtf8(e.what())};
        }
        QMetaObject::invokeMethod(self, [self, failure] {
            if (!self) {
                return;
            }
            if (failure) {
                self->fail(failure->error, failure->message);
            } else {
                self->succeed();
            }
        });
    });
}

void BackgroundTask::abort()
{
    m_canceled = true;
}
