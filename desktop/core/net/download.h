#pragma once

#include "core/task.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <chrono>
#include <memory>
#include <thread>

class GrowingFileReader;
struct DownloadChannel;

// One artifact to fetch, as the signed release manifest describes it.
struct DownloadRequest {
    QUrl url;                     // http or https
    QByteArray bearerToken;       // sent as "Authorization: Bearer"; empty: none
    qint64 expectedSize = -1;     // exact length in bytes
    QByteArray expectedSha256Hex; // 64 hex digits
    QString destination;          // the final file (absolute path); its folder is created
};

// How hard to try; the defaults are the app's, tests shorten the waits.
struct DownloadOptions {
    // Attempts in a row that end without a single new byte before the download fails. An attempt
    // that received bytes starts the count over: a long download on a flaky line keeps going.
    int maxAttempts = 5;
    // Wait before the 2nd attempt, doubled for each further one (0.5 s, 1 s, 2 s, 4 s) ...
    std::chrono::milliseconds firstRetryDelay{500};
    // ... and at most this, also when a server's Retry-After asks for longer.
    std::chrono::milliseconds maxRetryDelay{60000};
    std::chrono::seconds connectTimeout{20};
    // Slower than lowSpeedBytesPerSecond for lowSpeedTime counts as a broken connection.
    qint64 lowSpeedBytesPerSecond = 1024;
    std::chrono::seconds lowSpeedTime{30};
    // Bandwidth cap in bytes per second; 0: none.
    qint64 maxBytesPerSecond = 0;
    // Free space required beyond the bytes still to come.
    qint64 diskSpaceMargin = qint64{64} << 20;
    // Progress reaches the task at most this often.
    std::chrono::milliseconds progressInterval{100};
};

// Downloads one artifact with libcurl on a worker thread of its own (one easy handle per
// download: few run at once, and a blocking transfer keeps the worker simple), into
// `<destination>.part`, hashing the bytes as they arrive. Only a file whose length and SHA-256
// match the request is renamed, atomically, to `destination`.
//
//   start -> prepare: keep the .part only if its .part.meta names the same size and SHA-256;
//            check free space; hash the bytes already there
//         -> attempt: GET, with "Range: bytes=<n>-" and "If-Range: <validator>" when resuming
//              206        append
//              200        the server ignored the range or the file changed: start over at 0
//              416        the .part does not fit the file: start over at 0
//              401        NotSignedIn     403, 404   NotEntitled     other 4xx   Server
//              5xx, 429, connection errors, stalls, a short body: retry after a backoff (and
//                         Retry-After), resuming from what is on disk
//         -> verify length and SHA-256 -> rename -> succeeded
//
// Failures keep the .part for a later task to resume (Network, Server, NotSignedIn, ...), except
// Integrity: bytes that do not match are deleted, never resumed. More bytes than expected abort
// at once. Canceling stops the transfer within a moment and keeps the .part.
//
// Proxy: libcurl honours the http_proxy / https_proxy / no_proxy variables itself. On top, the
// proxy the system names for the URL (QNetworkProxyFactory::systemProxyForQuery, which reads the
// platform's settings on Windows and macOS) is passed to libcurl when there is one, with any
// authentication method libcurl knows (Basic, Digest, NTLM, Negotiate).
//
// The bearer token never reaches a log: libcurl's verbose output stays off and no header is
// logged.
class DownloadTask : public Task {
    Q_OBJECT

public:
    explicit DownloadTask(DownloadRequest request, DownloadOptions options = {},
                          QObject *parent = nullptr);
    // Stops a running transfer and waits for its thread.
    ~DownloadTask() override;

    [[nodiscard]] const DownloadRequest &request() const { return m_request; }
    // Where the bytes go before they are verified: `<destination>.part`.
    [[nodiscard]] static QString partPathFor(const QString &destination);
    // Beside the .part: what it belongs to and the server's validator for If-Range.
    [[nodiscard]] static QString metaPathFor(const QString &destination);

    // Bytes of an earlier .part this task kept and resumed after (0: started from scratch).
    [[nodiscard]] qint64 resumedFrom() const { return m_resumedFrom; }
    // Bytes received over the network by this task.
    [[nodiscard]] qint64 bytesReceived() const { return m_bytesReceived; }
    // HTTP requests made so far.
    [[nodiscard]] int attempts() const { return m_attempts; }

    // A reader of the bytes while they arrive (see GrowingFileReader); before or after start().
    [[nodiscard]] std::unique_ptr<GrowingFileReader> openReader() const;

protected:
    void run() override;
    void abort() override;

private:
    void stopWorker();

    DownloadRequest m_request;
    DownloadOptions m_options;
    std::shared_ptr<DownloadChannel> m_channel;
    std::thread m_worker;
    qint64 m_resumedFrom = 0;
    qint64 m_bytesReceived = 0;
    int m_attempts = 0;
};
