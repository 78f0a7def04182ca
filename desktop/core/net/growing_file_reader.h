#pragma once

#include <QFile>
#include <QString>

#include <cstdint>
#include <memory>

struct DownloadChannel;

// Reads a download's bytes while they arrive, for work that overlaps with the transfer (hashing,
// extraction). Made by DownloadTask::openReader(); used on one thread of the consumer's own,
// never on the download's or the UI's, because read() blocks.
//
// read() returns the next bytes in order from byte 0, including those a resumed download had on
// disk already; it waits while the download has none to offer yet. It returns 0 (the end) only
// after the download succeeded, that is after length and SHA-256 were verified: the bytes read
// before are unverified, and a consumer must not commit anything before it has seen the end.
// It returns -1 when the download failed or was canceled, when interrupt() was called, or when
// the download had to start the file over after this reader had consumed bytes of it (the
// server sent a different file): the consumer then discards what it made and starts again.
//
// The shape of read()/errorString() is the one of the extraction's byte source.
class GrowingFileReader {
public:
    explicit GrowingFileReader(std::shared_ptr<DownloadChannel> channel);
    ~GrowingFileReader();
    GrowingFileReader(const GrowingFileReader &) = delete;
    GrowingFileReader &operator=(const GrowingFileReader &) = delete;

    // Up to `max` bytes into `buffer`: > 0 bytes read, 0 the end, -1 an error (errorString()).
    [[nodiscard]] qint64 read(char *buffer, qint64 max);
    [[nodiscard]] QString errorString() const { return m_error; }
    // Bytes returned so far.
    [[nodiscard]] qint64 position() const { return m_position; }

    // Makes a blocked or later read() return -1; callable from any thread.
    void interrupt();

private:
    qint64 failWith(const QString &message);

    std::shared_ptr<DownloadChannel> m_channel;
    QFile m_file;
    qint64 m_position = 0;
    std::uint64_t m_generation = 0;
    bool m_interrupted = false; // guarded by the channel's mutex
    bool m_failed = false;
    QString m_error;
};
