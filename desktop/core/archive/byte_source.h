#pragma once

#include "core/task.h"

#include <QFile>
#include <QString>

// The bytes of an archive as the extractor reads them on its worker thread: front to back for
// a tar, with seeks for a zip. It lets extraction overlap a download: a source over a file that
// a download is still writing hands out what has arrived and waits for more.
//
// read() and seek() are called from one thread at a time, never concurrently; size() and
// isSeekable() from any thread, and their answers do not change. Contract of read():
//   > 0  that many bytes were copied into buffer (at most max);
//     0  the end: every byte of the archive has been delivered;
//    -1  an error (errorString(), errorCode()), also after interrupt().
// read() may block until at least one byte is there, the end is reached or an error happens.
// A source over a growing file returns 0 only once the download finished, and -1 once it failed.
class ByteSource {
public:
    virtual ~ByteSource() = default;

    [[nodiscard]] virtual qint64 read(char *buffer, qint64 max) = 0;
    // What went wrong, for a person; after read() returned -1.
    [[nodiscard]] virtual QString errorString() const = 0;
    // Why it went wrong; a download would say TaskError::Network.
    [[nodiscard]] virtual TaskError errorCode() const { return TaskError::FileSystem; }
    // The archive's full size when known (the file's, or the manifest's for a download), else -1.
    // Used for progress only.
    [[nodiscard]] virtual qint64 size() const { return -1; }
    // Called from another thread to stop: a read() blocked now or later returns -1 soon after.
    virtual void interrupt() {}

    // Whether seek() works. Zip archives keep symbolic links and permissions only in their
    // central directory at the end, so they are unpacked only from a source that can seek; a
    // source that cannot is read front to back and suits tar archives. A source over a growing
    // file may say true and wait in seek() and read() for bytes that have not arrived yet (for
    // a zip, unpacking then starts once the download is complete). size() must be known.
    [[nodiscard]] virtual bool isSeekable() const { return false; }
    // Moves the read position to offset (0 <= offset <= size()); returns it, or -1 on error.
    [[nodiscard]] virtual qint64 seek(qint64 offset)
    {
        Q_UNUSED(offset);
        return -1;
    }

protected:
    ByteSource() = default;
    ByteSource(const ByteSource &) = default;
    ByteSource &operator=(const ByteSource &) = default;
};

// A complete archive file on disk. It is opened on the first read().
class FileByteSource : public ByteSource {
public:
    explicit FileByteSource(const QString &path);

    [[nodiscard]] qint64 read(char *buffer, qint64 max) override;
    [[nodiscard]] QString errorString() const override;
    [[nodiscard]] qint64 size() const override;
    [[nodiscard]] bool isSeekable() const override { return m_size >= 0; }
    [[nodiscard]] qint64 seek(qint64 offset) override;

private:
    [[nodiscard]] bool ensureOpen();

    QFile m_file;
    qint64 m_size = -1;
    QString m_error;
};
