#pragma once

#include "core/net/download.h"
#include "core/net/download_channel.h"
#include "core/task.h"
#include "toolhub/sha256.h"

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QPair>
#include <QString>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

// Internal to core/net: the part of a DownloadTask that runs on its worker thread.

enum class DownloadPhase { Checking, Downloading, Waiting, Verifying };

struct DownloadFigures {
    qint64 done = 0;  // bytes in the .part
    qint64 total = 0; // the expected size
    qint64 resumedFrom = 0;
    qint64 received = 0;
    int attempts = 0;
};

struct DownloadOutcome {
    DownloadChannel::End end = DownloadChannel::End::Failed;
    TaskError error = TaskError::Internal;
    QString message;
    DownloadFigures figures;
};

// Called on the worker thread; the task turns them into queued calls on its own thread.
struct DownloadReports {
    std::function<void(const DownloadFigures &)> progress;
    std::function<void(DownloadPhase phase, int attempt, std::chrono::milliseconds wait)> phase;
    std::function<void(const DownloadOutcome &)> finished; // the last call, exactly once
};

// One download from start to end on the calling thread, with one libcurl easy handle.
class DownloadWorker {
public:
    DownloadWorker(DownloadRequest request, DownloadOptions options, QByteArray userAgent,
                   std::shared_ptr<DownloadChannel> channel, DownloadReports reports);
    ~DownloadWorker();
    DownloadWorker(const DownloadWorker &) = delete;
    DownloadWorker &operator=(const DownloadWorker &) = delete;

    // Blocks until the download ends; then the channel holds the end and `finished` was called.
    void run();

private:
    // What one HTTP attempt came to.
    struct Step {
        enum class Kind { Complete, Retry, StartOver, Fail, Canceled };
        Kind kind = Kind::Fail;
        TaskError error = TaskError::Internal;
        QString message;
        std::chrono::milliseconds retryAfter{0};
    };
    // Why a callback stopped the transfer.
    enum class Abort { None, Canceled, TooLong, SizeMismatch, BadRange, File };
    // The .part.meta: which artifact the .part holds, and the validator for If-Range.
    struct PartMeta {
        QString url;
        QByteArray sha256;
        qint64 size = -1;
        QByteArray validator;
    };
    struct CurlDeleter {
        void operator()(void *handle) const;
    };

    DownloadOutcome download();
    std::optional<DownloadOutcome> validate();
    std::optional<DownloadOutcome> prepare();
    std::optional<DownloadOutcome> setUpCurl();
    void applySystemProxy();
    // With every byte in the .part: checks the SHA-256 and renames the file into place. A
    // mismatch is an Integrity failure (the .part deleted), or, if `startOverOnMismatch`, the
    // .part is emptied and nullopt returned for the caller to fetch the file again.
    std::optional<DownloadOutcome> verifyAndCommit(bool startOverOnMismatch);
    Step attempt();
    Step classify(int curlCode);
    [[nodiscard]] bool waitBeforeRetry(std::chrono::milliseconds delay);

    std::size_t onHeader(const char *data, std::size_t length);
    bool onHeadersComplete();
    std::size_t onBody(const char *data, std::size_t length);

    // Truncates the .part to 0 and tells the readers; false (with m_abortMessage) on failure.
    bool startOver();
    void discardPart();
    void publish(qint64 available);
    void reportProgress(bool force);
    [[nodiscard]] QByteArray responseHeader(const QByteArray &lowercaseName) const;
    [[nodiscard]] std::optional<PartMeta> readMeta() const;
    bool writeMeta();
    [[nodiscard]] bool diskIsFull() const;

    DownloadOutcome succeeded();
    DownloadOutcome failed(TaskError error, const QString &message);
    DownloadOutcome canceled();

    DownloadRequest m_request;
    DownloadOptions m_options;
    QByteArray m_userAgent;
    std::shared_ptr<DownloadChannel> m_channel;
    DownloadReports m_reports;
    QString m_partPath;
    QString m_metaPath;
    QString m_logName;           // the URL without user info, query or fragment
    QByteArray m_expectedSha256; // lowercase hex

    QFile m_part;
    toolhub::Sha256 m_hash;
    PartMeta m_meta;
    qint64 m_offset = 0; // bytes in the .part, all of them hashed
    qint64 m_resumedFrom = 0;
    qint64 m_received = 0;
    int m_attempts = 0;
    std::chrono::steady_clock::time_point m_lastReport;

    std::unique_ptr<void, CurlDeleter> m_curl;
    std::array<char, 256> m_curlError{}; // CURL_ERROR_SIZE
    QByteArray m_proxyUrl;

    // The response being received (the last one when redirects were followed).
    int m_status = 0;
    bool m_headersDone = false;
    bool m_acceptBody = false;
    QList<QPair<QByteArray, QByteArray>> m_headers; // lowercase name, value
    QByteArray m_errorBody;                         // the start of a non-2xx body
    Abort m_abort = Abort::None;
    QString m_abortMessage;
};
