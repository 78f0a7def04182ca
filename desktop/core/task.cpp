#include "core/task.h"

#include <QCoreApplication>

#include <algorithm>

QString describe(TaskError error)
{
    switch (error) {
    case TaskError::Network:
        return QCoreApplication::translate("Task", "The server could not be reached.");
    case TaskError::Server:
        return QCoreApplication::translate("Task", "The server reported an error.");
    case TaskError::NotSignedIn:
        return QCoreApplication::translate("Task", "You are not signed in.");
    case TaskError::NotEntitled:
        return QCoreApplication::translate("Task",
                                           "Your organization's licenses do not include this.");
    case TaskError::NotApplicable:
        return QCoreApplication::translate("Task", "There is nothing to do.");
    case TaskError::Integrity:
        return QCoreApplication::translate(
            "Task", "The download did not match what the server published, so nothing was "
                    "installed.");
    case TaskError::Signature:
        return QCoreApplication::translate(
            "Task", "The release information is not signed by your server, so nothing was "
                    "installed.");
    case TaskError::ManifestExpired:
        return QCoreApplication::translate(
            "Task", "The release information is out of date, so nothing was installed.");
    case TaskError::ManifestRollback:
        return QCoreApplication::translate(
            "Task", "The release information is older than what was seen before, so nothing "
                    "was installed.");
    case TaskError::DiskSpace:
        return QCoreApplication::translate("Task", "There is not enough free disk space.");
    case TaskError::UnsafeArchive:
        return QCoreApplication::translate(
            "Task", "The archive tries to write outside its folder, so nothing was installed.");
    case TaskError::ArchiveTooLarge:
        return QCoreApplication::translate(
            "Task", "The archive unpacks to more than allowed, so nothing was installed.");
    case TaskError::CorruptArchive:
        return QCoreApplication::translate("Task", "The archive is damaged.");
    case TaskError::FileSystem:
        return QCoreApplication::translate("Task", "Files could not be written or removed.");
    case TaskError::Internal:
        break;
    }
    return QCoreApplication::translate("Task", "Something unexpected went wrong.");
}

Task::Task(QObject *parent) : QObject(parent)
{}

Task::~Task() = default;

void Task::start()
{
    if (m_state != State::Ready) {
        return;
    }
    m_state = State::Running;
    m_clock.start();
    Q_EMIT stateChanged(m_state);
    Q_EMIT started();
    run();
}

void Task::cancel()
{
    if (m_state == State::Ready) {
        finish(State::Canceled);
        return;
    }
    if (m_state != State::Running || !m_cancelable) {
        return;
    }
    abort();
    finish(State::Canceled);
}

bool Task::isFinished() const
{
    return m_state == State::Succeeded || m_state == State::Failed || m_state == State::Canceled;
}

double Task::bytesPerSecond() const
{
    if (!m_clock.isValid() || m_done <= 0) {
        return 0;
    }
    const qint64 elapsed = std::max<qint64>(m_clock.elapsed(), 1);
    return static_cast<double>(m_done) * 1000.0 / static_cast<double>(elapsed);
}

qint64 Task::secondsLeft() const
{
    const double speed = bytesPerSecond();
    if (m_total < 0 || speed <= 0) {
        return -1;
    }
    return static_cast<qint64>(static_cast<double>(std::max<qint64>(m_total - m_done, 0)) / speed);
}

void Task::setProgress(qint64 done, qint64 total)
{
    if (done == m_done && total == m_total) {
        return;
    }
    m_done = done;
    m_total = total;
    Q_EMIT progress(m_done, m_total);
}

void Task::setStatusText(const QString &text)
{
    if (text == m_statusText) {
        return;
    }
    m_statusText = text;
    Q_EMIT statusTextChanged(m_statusText);
}

void Task::setCancelable(bool cancelable)
{
    if (cancelable == m_cancelable) {
        return;
    }
    m_cancelable = cancelable;
    Q_EMIT cancelableChanged(m_cancelable);
}

void Task::succeed()
{
    if (m_state == State::Running) {
        finish(State::Succeeded);
    }
}

void Task::fail(TaskError error, const QString &message)
{
    if (m_state != State::Running) {
        return;
    }
    m_error = error;
    m_errorMessage = message;
    finish(State::Failed);
}

void Task::finish(State state)
{
    m_state = state;
    Q_EMIT stateChanged(m_state);
    switch (state) {
    case State::Succeeded:
        Q_EMIT succeeded();
        break;
    case State::Failed:
        Q_EMIT failed(m_error, m_errorMessage);
        break;
    case State::Canceled:
        Q_EMIT canceled();
        break;
    case State::Ready:
    case State::Running:
        break;
    }
}
