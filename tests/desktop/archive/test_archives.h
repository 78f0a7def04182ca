#pragma once

#include "core/archive/byte_source.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>

// Archives the tests build at run time with libarchive's writer, and byte sources they control.
namespace archive_test {

enum class Format { Tar, TarGz, TarBz2, TarXz, TarZstd, Zip };

struct Entry {
    enum class Type { File, Folder, Symlink, Hardlink, CharDevice, Fifo };
    Type type = Type::File;
    QByteArray path;
    QByteArray data;          // File
    QByteArray target;        // Symlink, Hardlink
    int perm = 0644;          // File, Folder
    qint64 zeros = 0;         // File: this many zero bytes follow data
    bool sizeInHeader = true; // File: false leaves the size out of the header (zip: after the data)
};

[[nodiscard]] Entry file(const QByteArray &path, const QByteArray &data, int perm = 0644);
[[nodiscard]] Entry zeros(const QByteArray &path, qint64 count, bool sizeInHeader = true);
[[nodiscard]] Entry folder(const QByteArray &path);
[[nodiscard]] Entry softLink(const QByteArray &path, const QByteArray &target);
[[nodiscard]] Entry hardLink(const QByteArray &path, const QByteArray &target);
[[nodiscard]] Entry charDevice(const QByteArray &path);
[[nodiscard]] Entry fifo(const QByteArray &path);

// The archive's bytes; empty (with a warning) when libarchive refused to write it.
[[nodiscard]] QByteArray buildArchive(Format format, const QList<Entry> &entries);

// Bytes that do not compress, the same for the same seed.
[[nodiscard]] QByteArray noise(qsizetype size, quint32 seed);

// Every path below root (not following links) with its type, link target, and a file's size
// and modification time: equal snapshots mean nothing below root changed.
[[nodiscard]] QStringList snapshot(const QString &root);

// Sum of the sizes of the files below root; 0 when it does not exist.
[[nodiscard]] qint64 treeSize(const QString &root);

// An archive in memory, handed out in pieces of at most pieceSize bytes, seekable like a file
// or not. onRead runs before each read, on the reading thread.
class MemorySource : public ByteSource {
public:
    explicit MemorySource(QByteArray data, qint64 pieceSize = 64 * 1024, bool seekable = true);

    [[nodiscard]] qint64 read(char *buffer, qint64 max) override;
    [[nodiscard]] QString errorString() const override { return m_error; }
    [[nodiscard]] qint64 size() const override { return m_data.size(); }
    [[nodiscard]] bool isSeekable() const override { return m_seekable; }
    [[nodiscard]] qint64 seek(qint64 offset) override;

    // Fails every read() from the given offset on.
    void failAt(qint64 offset, const QString &error);
    // Bytes handed out so far, all reads together.
    [[nodiscard]] qint64 consumed() const { return m_delivered.load(); }

    std::function<void()> onRead;

private:
    QByteArray m_data;
    qint64 m_pieceSize;
    bool m_seekable;
    qint64 m_position = 0;
    std::atomic<qint64> m_delivered{0};
    qint64 m_failAt = -1;
    QString m_error;
};

// A download in progress: another thread appends bytes, and read() (and seek(), when
// seekable) wait for them as the ByteSource contract allows.
class GrowingSource : public ByteSource {
public:
    explicit GrowingSource(qint64 expectedSize, bool seekable = false)
        : m_expectedSize(expectedSize), m_seekable(seekable)
    {}

    [[nodiscard]] qint64 read(char *buffer, qint64 max) override;
    [[nodiscard]] QString errorString() const override;
    [[nodiscard]] qint64 size() const override { return m_expectedSize; }
    [[nodiscard]] bool isSeekable() const override { return m_seekable; }
    [[nodiscard]] qint64 seek(qint64 offset) override;
    void interrupt() override;

    void append(const QByteArray &bytes);
    void finish();
    // The reader is done (extraction returned); waitUntilReaderWaits() stops waiting.
    void closeReader();
    // Waits (up to a generous timeout) until a reader took every byte appended and waits in
    // read() for more, waits in seek() for bytes not appended yet, or is done; false on timeout.
    [[nodiscard]] bool waitUntilReaderWaits();
    [[nodiscard]] bool wasInterrupted() const;
    [[nodiscard]] int waits() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    QByteArray m_data;
    qint64 m_position = 0;
    qint64 m_expectedSize;
    bool m_seekable;
    int m_readWaiters = 0;
    int m_seekWaiters = 0;
    int m_waits = 0;
    bool m_finished = false;
    bool m_interrupted = false;
    bool m_readerClosed = false;
};

} // namespace archive_test
