#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

// Why a piece of desktop work failed; each maps to words a user understands
// (describe(TaskError)). The message of a failure adds the specifics.
enum class TaskError {
    Network,          // the server or a proxy cannot be reached, or the connection broke
    Server,           // the server answered with an error
    NotSignedIn,      // no valid sign-in, or it was refused
    NotEntitled,      // the organization's licenses do not cover it (the server said 404)
    NotApplicable,    // nothing to do as asked: not installed, already the newest, none older
    Integrity,        // size or SHA-256 of downloaded bytes differ from the manifest
    Signature,        // the manifest's signature does not verify with the pinned key
    ManifestExpired,  // the manifest's expiry has passed
    ManifestRollback, // a manifest version lower than one accepted before
    DiskSpace,        // not enough free space for the download or the extraction
    UnsafeArchive,    // an entry that would land outside its folder, a link out, a device
    ArchiveTooLarge,  // over the limits on total size or entry count
    CorruptArchive,   // libarchive cannot read it
    FileSystem,       // creating, writing, renaming or removing files failed
    Internal,         // a bug or an unexpected state
};

// One sentence for a person, without the specifics ("The download did not match what the
// server published, so nothing was installed.").
[[nodiscard]] QString describe(TaskError error);

// One piece of long-running work (download, verify, extract, install), with the one signal set
// the UI, the command line and other tasks bind to. Progress is data: Q_PROPERTYs with change
// signals for the state, bytes done and total, speed and time left.
//
//   Ready --start()--> Running --succeed()--------> Succeeded
//                        |  \---fail(code, text)--> Failed
//                        \--cancel()--------------> Canceled
//
// Exactly one of succeeded(), failed() or canceled() is emitted, once, after started(). A
// subclass implements run() (begin the work, return at once, report later from the event loop)
// and, if it can stop early, abort() (stop, then the base emits canceled()).
class Task : public QObject {
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(qint64 done READ done NOTIFY progress)
    Q_PROPERTY(qint64 total READ total NOTIFY progress)
    Q_PROPERTY(QString statusText READ statusText NOTIFY statusTextChanged)
    Q_PROPERTY(double bytesPerSecond READ bytesPerSecond NOTIFY progress)
    Q_PROPERTY(qint64 secondsLeft READ secondsLeft NOTIFY progress)
    Q_PROPERTY(bool cancelable READ isCancelable NOTIFY cancelableChanged)

public:
    enum class State { Ready, Running, Succeeded, Failed, Canceled };
    Q_ENUM(State)

    explicit Task(QObject *parent = nullptr);
    ~Task() override;

    // Ready -> Running; ignored in any other state.
    void start();
    // Running (and cancelable) -> Canceled; a Ready task becomes Canceled without starting.
    void cancel();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isFinished() const;
    [[nodiscard]] qint64 done() const { return m_done; }
    [[nodiscard]] qint64 total() const { return m_total; } // -1: not known (yet)
    [[nodiscard]] QString statusText() const { return m_statusText; }
    // Average since start(); 0 before any progress.
    [[nodiscard]] double bytesPerSecond() const;
    // At the average speed; -1 when the total or the speed is not known.
    [[nodiscard]] qint64 secondsLeft() const;
    [[nodiscard]] bool isCancelable() const { return m_cancelable; }
    // Set once failed.
    [[nodiscard]] TaskError error() const { return m_error; }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }

Q_SIGNALS:
    void started();
    void progress(qint64 done, qint64 total);
    void statusTextChanged(const QString &text);
    void succeeded();
    void failed(TaskError error, const QString &message);
    void canceled();
    // After any of the three ends, and on every state change.
    void stateChanged(Task::State state);
    void cancelableChanged(bool cancelable);

protected:
    // Begins the work. Called by start() in state Running.
    virtual void run() = 0;
    // Stops the work when cancel() is called while Running; the base emits canceled() after.
    virtual void abort() {}

    void setProgress(qint64 done, qint64 total);
    void setStatusText(const QString &text);
    void setCancelable(bool cancelable);
    // Ends the task; ignored unless Running (so a late report after cancel() is harmless).
    void succeed();
    void fail(TaskError error, const QString &message);

private:
    void finish(State state);

    State m_state = State::Ready;
    qint64 m_done = 0;
    qint64 m_total = -1;
    QString m_statusText;
    bool m_cancelable = true;
    TaskError m_error = TaskError::Internal;
    QString m_errorMessage;
    QElapsedTimer m_clock;
};
