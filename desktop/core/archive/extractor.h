#pragma once

#include "core/task.h"

#include <QList>
#include <QString>

#include <atomic>
#include <functional>

class ByteSource;

// How much one archive may unpack to. Both are checked as the archive expands: the entry or
// data block that would cross a limit is not written, and the extraction stops with
// TaskError::ArchiveTooLarge.
struct ExtractLimits {
    qint64 maxBytes = qint64{4} << 30; // file contents of all entries together, uncompressed
    qint64 maxEntries = 100'000;       // entries of any kind, folders included
};

// A regular file (or a hard link to one) written into the staging folder.
struct ExtractedFile {
    QString path; // relative to the staging folder, '/'-separated
    qint64 size = 0;
    QByteArray sha256Hex; // of the content, computed while it was written

    friend bool operator==(const ExtractedFile &, const ExtractedFile &) = default;
};

// How far an extraction got; reported from the extracting thread.
struct ExtractProgress {
    qint64 sourceBytes = 0;  // archive bytes read from the source
    qint64 bytesWritten = 0; // file contents written
    qint64 entries = 0;      // entries handled, folders included
};

// What extractArchive() did. After a failure or a cancellation the staging folder is gone and
// the figures say how far it got.
struct ExtractResult {
    enum class Status { Succeeded, Failed, Canceled };

    Status status = Status::Failed;
    TaskError error = TaskError::Internal; // when Failed
    QString message;                       // when Failed: what went wrong, naming the entry
    qint64 entries = 0;
    qint64 bytesWritten = 0;
    qint64 sourceBytes = 0;
    QList<ExtractedFile> files; // when Succeeded, in archive order
    // Symbolic links, when Succeeded: path as in `files`, and what the link says.
    QList<QPair<QString, QByteArray>> links;

    [[nodiscard]] bool ok() const { return status == Status::Succeeded; }
};

using ExtractProgressFn = std::function<void(const ExtractProgress &)>;

// Unpacks a tar (plain, gzip, bzip2, xz or zstd) or zip archive read from source into
// stagingDir, blocking; meant for a worker thread. stagingDir must not exist (its parent must)
// or be an empty folder: it is created, and it is removed entirely on failure or cancellation.
//
// The archive is refused as a whole (TaskError::UnsafeArchive, naming the entry) when an entry
// has an absolute path or a `..` component, would be written through a symbolic link, appears
// twice, is a device, FIFO or socket, is a symbolic link that is absolute or resolves outside
// stagingDir (checked as the entry arrives and again on disk at the end), or is a hard link to
// anything but a file written before. Files keep their executable bits and get rw-r--r--
// otherwise, folders rwxr-xr-x; owners, setuid/setgid/sticky bits, ACLs and extended attributes
// are not restored.
//
// Tar archives are read front to back, so they unpack while a download still feeds the source.
// Zip archives need a source that can seek (ByteSource::isSeekable()): their symbolic links and
// permissions are only in the central directory at the end.
//
// The archive's bytes are not verified here: commit the staging folder only after the
// download's length and hash matched. cancel is polled between blocks (and by the read
// callback); to stop a source blocked in read(), call its interrupt() as well.
[[nodiscard]] ExtractResult extractArchive(ByteSource &source, const QString &stagingDir,
                                           const ExtractLimits &limits,
                                           const std::atomic<bool> &cancel,
                                           const ExtractProgressFn &onProgress = {});
