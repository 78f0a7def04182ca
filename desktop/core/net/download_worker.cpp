#include "core/net/download_worker.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QSaveFile>
#include <QStorageInfo>

#include <curl/curl.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <span>
#include <system_error>
#include <vector>

static_assert(CURL_ERROR_SIZE == 256, "m_curlError is sized for CURL_ERROR_SIZE");

namespace {

constexpr qint64 hashChunk = qint64{1} << 20;
constexpr qsizetype errorBodyLimit = qsizetype{16} * 1024;
constexpr long curlBufferSize = 256L * 1024;
constexpr long maxRedirects = 5;

QString tr(const char *text)
{
    return QCoreApplication::translate("DownloadTask", text);
}

// libcurl's process-wide setup, once, before the first handle; never torn down (the process
// ends first). curl_global_init is not thread-safe by itself, call_once makes it so.
bool initCurl()
{
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    return result == CURLE_OK;
}

std::filesystem::path nativePath(const QString &path)
{
#ifdef Q_OS_WIN
    return std::filesystem::path(path.toStdWString());
#else
    return std::filesystem::path(QFile::encodeName(path).toStdString());
#endif
}

bool isHex64(const QByteArray &text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

QString sizeText(qint64 bytes)
{
    return QLocale::system().formattedDataSize(bytes);
}

// "bytes <first>-<last>/<total|*>"; total -1 for "*".
struct ContentRange {
    qint64 first = -1;
    qint64 last = -1;
    qint64 total = -1;
};

std::optional<ContentRange> parseContentRange(const QByteArray &value)
{
    const QByteArray text = value.trimmed();
    if (!text.startsWith("bytes ")) {
        return std::nullopt;
    }
    const QByteArray spec = text.mid(6).trimmed();
    const qsizetype dash = spec.indexOf('-');
    const qsizetype slash = spec.indexOf('/');
    if (dash <= 0 || slash <= dash) {
        return std::nullopt;
    }
    ContentRange range;
    bool okFirst = false;
    bool okLast = false;
    range.first = spec.left(dash).toLongLong(&okFirst);
    range.last = spec.mid(dash + 1, slash - dash - 1).toLongLong(&okLast);
    const QByteArray total = spec.mid(slash + 1);
    bool okTotal = true;
    if (total != "*") {
        range.total = total.toLongLong(&okTotal);
    }
    if (!okFirst || !okLast || !okTotal || range.first < 0 || range.last < range.first) {
        return std::nullopt;
    }
    return range;
}

// Retry-After: delay-seconds or an HTTP-date.
std::optional<std::chrono::milliseconds> parseRetryAfter(const QByteArray &value)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty()) {
        return std::nullopt;
    }
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok) {
        return seconds >= 0 ? std::optional(std::chrono::milliseconds{seconds * 1000})
                            : std::nullopt;
    }
    QString date = QString::fromLatin1(text);
    if (date.endsWith(QLatin1String(" GMT"))) {
        date.chop(4);
        date += QLatin1String(" +0000");
    }
    const QDateTime at = QDateTime::fromString(date, Qt::RFC2822Date);
    if (!at.isValid()) {
        return std::nullopt;
    }
    return std::chrono::milliseconds{
        std::max<qint64>(QDateTime::currentDateTimeUtc().msecsTo(at), 0)};
}

// Worth another attempt: the network or the peer may do better in a moment.
bool isTransient(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
        return true;
    default:
        return false;
    }
}

// The "detail" (else "title") of a problem+json body, or nothing.
QString problemDetail(const QByteArray &body)
{
    const QJsonObject problem = QJsonDocument::fromJson(body).object();
    QString text = problem.value(QLatin1String("detail")).toString();
    if (text.isEmpty()) {
        text = problem.value(QLatin1String("title")).toString();
    }
    return text.left(300);
}

} // namespace

void DownloadWorker::CurlDeleter::operator()(void *handle) const
{
    curl_easy_cleanup(handle);
}

DownloadWorker::DownloadWorker(DownloadRequest request, DownloadOptions options,
                               QByteArray userAgent, std::shared_ptr<DownloadChannel> channel,
                               DownloadReports reports)
    : m_request(std::move(request)), m_options(options), m_userAgent(std::move(userAgent)),
      m_channel(std::move(channel)), m_reports(std::move(reports)),
      m_partPath(DownloadTask::partPathFor(m_request.destination)),
      m_metaPath(DownloadTask::metaPathFor(m_request.destination)),
      m_logName(m_request.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery |
                                              QUrl::RemoveFragment)),
      m_expectedSha256(m_request.expectedSha256Hex.toLower())
{}

DownloadWorker::~DownloadWorker() = default;

void DownloadWorker::run()
{
    const DownloadOutcome outcome = download();
    m_part.close();
    QString how;
    switch (outcome.end) {
    case DownloadChannel::End::Succeeded:
        how = QStringLiteral("complete");
        break;
    case DownloadChannel::End::Canceled:
        how = QStringLiteral("canceled (the .part is kept)");
        break;
    case DownloadChannel::End::Failed:
    case DownloadChannel::End::Running:
        how = QStringLiteral("failed: ") + outcome.message;
        break;
    }
    const QString summary =
        QStringLiteral("download of %1 %2; %3 of %4 bytes on disk, %5 received in %6 attempts")
            .arg(m_logName, how)
            .arg(outcome.figures.done)
            .arg(m_request.expectedSize)
            .arg(outcome.figures.received)
            .arg(outcome.figures.attempts);
    if (outcome.end == DownloadChannel::End::Failed) {
        qCWarning(lcDownload).noquote() << summary;
    } else {
        qCInfo(lcDownload).noquote() << summary;
    }
    m_channel->finish(outcome.end, outcome.message);
    m_reports.finished(outcome);
}

DownloadOutcome DownloadWorker::download()
{
    if (auto invalid = validate()) {
        return *invalid;
    }
    if (auto failure = prepare()) {
        return *failure;
    }
    if (auto failure = setUpCurl()) {
        return *failure;
    }
    int failures = 0; // attempts in a row without a new byte
    for (;;) {
        if (m_channel->cancel.load()) {
            return canceled();
        }
        if (m_offset == m_request.expectedSize && m_offset > 0) {
            // Every byte is there: from the last attempt, or all of them from an earlier run,
            // which are fetched afresh if they do not verify.
            if (auto outcome = verifyAndCommit(m_received == 0)) {
                return *outcome;
            }
            continue;
        }
        ++m_attempts;
        const qint64 receivedBefore = m_received;
        const Step step = attempt();
        switch (step.kind) {
        case Step::Kind::Complete:
            return *verifyAndCommit(false);
        case Step::Kind::Canceled:
            return canceled();
        case Step::Kind::Fail:
            if (step.error == TaskError::Integrity) {
                discardPart();
            }
            return failed(step.error, step.message);
        case Step::Kind::StartOver:
            qCInfo(lcDownload).noquote()
                << QStringLiteral("download of %1 starts over: %2").arg(m_logName, step.message);
            if (!startOver()) {
                return failed(TaskError::FileSystem, m_abortMessage);
            }
            if (++failures >= m_options.maxAttempts) {
                return failed(TaskError::Server, step.message);
            }
            continue;
        case Step::Kind::Retry:
            break;
        }
        if (m_received > receivedBefore) {
            failures = 0;
        }
        if (++failures >= m_options.maxAttempts) {
            return failed(step.error, step.message);
        }
        const std::chrono::milliseconds backoff =
            m_options.firstRetryDelay *
            (std::chrono::milliseconds::rep{1} << std::min(failures - 1, 20));
        const auto delay = std::min(std::max(backoff, step.retryAfter), m_options.maxRetryDelay);
        qCInfo(lcDownload).noquote()
            << QStringLiteral("download of %1: attempt %2 failed (%3); next in %4 ms from byte %5")
                   .arg(m_logName)
                   .arg(m_attempts)
                   .arg(step.message)
                   .arg(delay.count())
                   .arg(m_offset);
        m_reports.phase(DownloadPhase::Waiting, m_attempts, delay);
        if (!waitBeforeRetry(delay)) {
            return canceled();
        }
    }
}

std::optional<DownloadOutcome> DownloadWorker::validate()
{
    const QString scheme = m_request.url.scheme();
    if (!m_request.url.isValid() || m_request.url.host().isEmpty() ||
        (scheme != QLatin1String("https") && scheme != QLatin1String("http"))) {
        return failed(TaskError::Internal,
                      tr("Not a web address to download from: %1").arg(m_logName));
    }
    if (m_request.expectedSize < 0 || !isHex64(m_request.expectedSha256Hex)) {
        return failed(TaskError::Internal, tr("The size or SHA-256 of the download is missing."));
    }
    if (m_request.destination.isEmpty() || !QFileInfo(m_request.destination).isAbsolute()) {
        return failed(TaskError::Internal,
                      tr("The download has no folder to go to: %1").arg(m_request.destination));
    }
    if (m_request.bearerToken.contains('\r') || m_request.bearerToken.contains('\n')) {
        return failed(TaskError::NotSignedIn, tr("The sign-in token is malformed."));
    }
    return std::nullopt;
}

std::optional<DownloadOutcome> DownloadWorker::prepare()
{
    m_reports.phase(DownloadPhase::Checking, 0, {});
    const QString folder = QFileInfo(m_request.destination).absolutePath();
    if (!QDir().mkpath(folder)) {
        return failed(TaskError::FileSystem, tr("Cannot create the folder %1.").arg(folder));
    }

    // A .part is resumed only when its .meta says it holds the start of this very artifact.
    qint64 have = 0;
    if (QFileInfo part(m_partPath); part.exists()) {
        const auto meta = readMeta();
        if (meta && meta->size == m_request.expectedSize && meta->sha256 == m_expectedSha256 &&
            part.size() <= m_request.expectedSize) {
            m_meta = *meta;
            have = part.size();
            if (m_meta.url != m_request.url.toString(QUrl::FullyEncoded)) {
                m_meta.validator.clear(); // a validator is for the address that gave it
            }
        } else {
            qCInfo(lcDownload).noquote()
                << "discarding" << m_partPath << "(it belongs to another download)";
            if (!QFile::remove(m_partPath)) {
                return failed(TaskError::FileSystem, tr("Cannot remove %1.").arg(m_partPath));
            }
            QFile::remove(m_metaPath);
        }
    }

    QStorageInfo storage(folder);
    storage.refresh();
    const qint64 needed = m_request.expectedSize - have + m_options.diskSpaceMargin;
    if (storage.isValid() && storage.isReady() && storage.bytesAvailable() >= 0 &&
        storage.bytesAvailable() < needed) {
        return failed(TaskError::DiskSpace,
                      tr("The download needs %1 in %2, but only %3 are free.")
                          .arg(sizeText(needed), folder, sizeText(storage.bytesAvailable())));
    }

    m_part.setFileName(m_partPath);
    if (!m_part.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        return failed(TaskError::FileSystem,
                      tr("Cannot write %1: %2").arg(m_partPath, m_part.errorString()));
    }
    if (have == 0) {
        m_meta = PartMeta{m_request.url.toString(QUrl::FullyEncoded),
                          m_expectedSha256,
                          m_request.expectedSize,
                          {}};
        if (!writeMeta()) {
            return failed(TaskError::FileSystem, tr("Cannot write %1.").arg(m_metaPath));
        }
    }
    {
        const std::lock_guard lock(m_channel->mutex);
        m_channel->path = m_partPath;
        m_channel->available = have;
    }
    m_channel->changed.notify_all();

    // The bytes from before count towards the SHA-256 of the whole.
    if (have > 0) {
        qCInfo(lcDownload).noquote() << "download of" << m_logName << "resumes at byte" << have
                                     << "of" << m_request.expectedSize;
        std::vector<char> buffer(static_cast<std::size_t>(hashChunk));
        qint64 hashed = 0;
        while (hashed < have) {
            if (m_channel->cancel.load()) {
                return canceled();
            }
            const qint64 got =
                m_part.read(buffer.data(), std::min<qint64>(hashChunk, have - hashed));
            if (got <= 0) {
                return failed(TaskError::FileSystem,
                              tr("Cannot read %1: %2").arg(m_partPath, m_part.errorString()));
            }
            m_hash.update(std::as_bytes(std::span(buffer.data(), static_cast<std::size_t>(got))));
            hashed += got;
        }
    }
    if (!m_part.seek(have)) {
        return failed(TaskError::FileSystem,
                      tr("Cannot write %1: %2").arg(m_partPath, m_part.errorString()));
    }
    m_offset = have;
    m_resumedFrom = have;
    reportProgress(true);
    return std::nullopt;
}

std::optional<DownloadOutcome> DownloadWorker::setUpCurl()
{
    if (!initCurl()) {
        return failed(TaskError::Internal, tr("The download library could not start."));
    }
    m_curl.reset(curl_easy_init());
    CURL *curl = m_curl.get();
    if (curl == nullptr) {
        return failed(TaskError::Internal, tr("The download library could not start."));
    }
    const bool https = m_request.url.scheme() == QLatin1String("https");
    const QByteArray url = m_request.url.toEncoded();
    curl_easy_setopt(curl, CURLOPT_URL, url.constData());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    // Never from https down to http.
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, maxRedirects);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L); // it would print the Authorization header
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, m_curlError.data());
    if (!m_request.bearerToken.isEmpty()) {
        // Sent with the first request, and only to the original host after a redirect.
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
        curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, m_request.bearerToken.constData());
    }
    curl_easy_setopt(curl, CURLOPT_USERAGENT, m_userAgent.constData());
    curl_easy_setopt(
        curl, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::chrono::milliseconds(m_options.connectTimeout).count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT,
                     static_cast<long>(std::max<qint64>(m_options.lowSpeedBytesPerSecond, 1)));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(m_options.lowSpeedTime.count()));
    if (m_options.maxBytesPerSecond > 0) {
        curl_easy_setopt(curl, CURLOPT_MAX_RECV_SPEED_LARGE,
                         static_cast<curl_off_t>(m_options.maxBytesPerSecond));
    }
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, curlBufferSize);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    // A proxy's "200 Connection established" is not the server's answer (onHeader would take it
    // for one): also for proxies that libcurl finds in the environment.
    curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
#ifdef Q_OS_WIN
    curl_easy_setopt(curl, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_NATIVE_CA));
#endif

    using HeaderFn = std::size_t (*)(char *, std::size_t, std::size_t, void *);
    using XferFn = int (*)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
    const HeaderFn headerCallback = [](char *data, std::size_t size, std::size_t count,
                                       void *self) -> std::size_t {
        return static_cast<DownloadWorker *>(self)->onHeader(data, size * count);
    };
    const HeaderFn bodyCallback = [](char *data, std::size_t size, std::size_t count,
                                     void *self) -> std::size_t {
        return static_cast<DownloadWorker *>(self)->onBody(data, size * count);
    };
    // Called at least once a second, also while nothing arrives: a cancel is seen promptly.
    const XferFn progressCallback = [](void *self, curl_off_t, curl_off_t, curl_off_t,
                                       curl_off_t) -> int {
        return static_cast<DownloadWorker *>(self)->m_channel->cancel.load() ? 1 : 0;
    };
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, headerCallback);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, bodyCallback);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progressCallback);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    applySystemProxy();
    return std::nullopt;
}

void DownloadWorker::applySystemProxy()
{
    // Here rather than on the UI thread: on Windows and macOS the answer may need a PAC script.
    const QList<QNetworkProxy> proxies =
        QNetworkProxyFactory::systemProxyForQuery(QNetworkProxyQuery(m_request.url));
    if (proxies.isEmpty()) {
        return;
    }
    const QNetworkProxy &proxy = proxies.first();
    QByteArray scheme;
    switch (proxy.type()) {
    case QNetworkProxy::HttpProxy:
    case QNetworkProxy::HttpCachingProxy:
        scheme = "http";
        break;
    case QNetworkProxy::Socks5Proxy:
        scheme = "socks5h"; // names resolved by the proxy
        break;
    case QNetworkProxy::NoProxy:
    case QNetworkProxy::DefaultProxy:
    case QNetworkProxy::FtpCachingProxy:
        return; // libcurl's own reading of the *_proxy variables applies
    }
    QUrl proxyUrl;
    proxyUrl.setScheme(QString::fromLatin1(scheme));
    proxyUrl.setHost(proxy.hostName());
    proxyUrl.setPort(proxy.port());
    m_proxyUrl = proxyUrl.toEncoded();
    CURL *curl = m_curl.get();
    curl_easy_setopt(curl, CURLOPT_PROXY, m_proxyUrl.constData());
    curl_easy_setopt(curl, CURLOPT_PROXYAUTH, static_cast<long>(CURLAUTH_ANY));
    if (!proxy.user().isEmpty()) {
        const QByteArray user = proxy.user().toUtf8();
        const QByteArray password = proxy.password().toUtf8();
        curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, user.constData());
        curl_easy_setopt(curl, CURLOPT_PROXYPASSWORD, password.constData());
    }
    qCInfo(lcDownload).noquote() << "download of" << m_logName << "goes through the system proxy"
                                 << QString::fromLatin1(m_proxyUrl);
}

std::optional<DownloadOutcome> DownloadWorker::verifyAndCommit(bool startOverOnMismatch)
{
    m_reports.phase(DownloadPhase::Verifying, m_attempts, {});
    const auto digest = m_hash.finish();
    const QByteArray actual = QByteArray::fromStdString(toolhub::toHex(std::span(digest)));
    if (actual != m_expectedSha256) {
        const QString message =
            tr("The SHA-256 of the download is %1 instead of %2.")
                .arg(QString::fromLatin1(actual), QString::fromLatin1(m_expectedSha256));
        if (startOverOnMismatch) {
            qCInfo(lcDownload).noquote()
                << QStringLiteral("download of %1: the bytes kept from before do not verify, "
                                  "starting over")
                       .arg(m_logName);
            if (!startOver()) {
                return failed(TaskError::FileSystem, m_abortMessage);
            }
            return std::nullopt;
        }
        discardPart();
        return failed(TaskError::Integrity, message);
    }
    m_part.close();
    {
        // Under the lock: a reader opening the file now finds it under one of the two names.
        const std::lock_guard lock(m_channel->mutex);
        std::error_code error;
        std::filesystem::rename(nativePath(m_partPath), nativePath(m_request.destination), error);
        if (error) {
            return failed(TaskError::FileSystem,
                          tr("Cannot move the download to %1: %2")
                              .arg(m_request.destination, QString::fromStdString(error.message())));
        }
        m_channel->path = m_request.destination;
    }
    QFile::remove(m_metaPath);
    return succeeded();
}

DownloadWorker::Step DownloadWorker::attempt()
{
    m_status = 0;
    m_headersDone = false;
    m_acceptBody = false;
    m_headers.clear();
    m_errorBody.clear();
    m_abort = Abort::None;
    m_abortMessage.clear();
    m_curlError.fill('\0');

    CURL *curl = m_curl.get();
    std::unique_ptr<curl_slist, void (*)(curl_slist *)> headers(nullptr, curl_slist_free_all);
    QByteArray range;
    if (m_offset > 0) {
        range = QByteArray::number(m_offset) + '-';
        curl_easy_setopt(curl, CURLOPT_RANGE, range.constData());
        if (!m_meta.validator.isEmpty()) {
            const QByteArray ifRange = "If-Range: " + m_meta.validator;
            headers.reset(curl_slist_append(nullptr, ifRange.constData()));
        }
    } else {
        curl_easy_setopt(curl, CURLOPT_RANGE, static_cast<const char *>(nullptr));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    m_reports.phase(DownloadPhase::Downloading, m_attempts, {});

    const CURLcode code = curl_easy_perform(curl);

    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist *>(nullptr));
    reportProgress(true);
    return classify(code);
}

DownloadWorker::Step DownloadWorker::classify(int curlCode)
{
    const auto code = static_cast<CURLcode>(curlCode);
    using Kind = Step::Kind;
    if (m_abort == Abort::Canceled || m_channel->cancel.load()) {
        return {Kind::Canceled, TaskError::Internal, {}, {}};
    }
    switch (m_abort) {
    case Abort::TooLong:
        return {Kind::Fail,
                TaskError::Integrity,
                tr("The server sent more than the %1 bytes the release lists.")
                    .arg(m_request.expectedSize),
                {}};
    case Abort::SizeMismatch:
        return {Kind::Fail, TaskError::Integrity, m_abortMessage, {}};
    case Abort::File:
        return {Kind::Fail,
                diskIsFull() ? TaskError::DiskSpace : TaskError::FileSystem,
                m_abortMessage,
                {}};
    case Abort::BadRange:
        return {Kind::StartOver, TaskError::Server, m_abortMessage, {}};
    case Abort::Canceled:
    case Abort::None:
        break;
    }

    if (code != CURLE_OK) {
        const QString message = m_curlError[0] != '\0'
                                    ? QString::fromUtf8(m_curlError.data())
                                    : QString::fromUtf8(curl_easy_strerror(code));
        if (code == CURLE_TOO_MANY_REDIRECTS) {
            return {Kind::Fail, TaskError::Server, message, {}};
        }
        return {isTransient(code) ? Kind::Retry : Kind::Fail, TaskError::Network, message, {}};
    }

    const QString host = m_request.url.host();
    const QString detail = problemDetail(m_errorBody);
    const QString httpError =
        detail.isEmpty()
            ? tr("%1 answered with HTTP status %2.").arg(host).arg(m_status)
            : tr("%1 answered with HTTP status %2: %3").arg(host).arg(m_status).arg(detail);
    switch (m_status) {
    case 200:
    case 206:
        if (m_offset == m_request.expectedSize) {
            return {Kind::Complete, TaskError::Internal, {}, {}};
        }
        return {Kind::Retry,
                TaskError::Network,
                tr("The connection ended after %1 of %2 bytes.")
                    .arg(m_offset)
                    .arg(m_request.expectedSize),
                {}};
    case 416:
        return {Kind::StartOver,
                TaskError::Server,
                tr("The partial download does not fit the file on the server."),
                {}};
    case 401:
        return {Kind::Fail, TaskError::NotSignedIn, httpError, {}};
    case 403:
    case 404:
        return {Kind::Fail, TaskError::NotEntitled, httpError, {}};
    case 408:
        return {Kind::Retry, TaskError::Network, httpError, {}};
    default:
        break;
    }
    if (m_status == 429 || (m_status >= 500 && m_status <= 599)) {
        return {
            Kind::Retry, TaskError::Server, httpError,
            parseRetryAfter(responseHeader("retry-after")).value_or(std::chrono::milliseconds{0})};
    }
    return {Kind::Fail, TaskError::Server, httpError, {}};
}

bool DownloadWorker::waitBeforeRetry(std::chrono::milliseconds delay)
{
    std::unique_lock lock(m_channel->mutex);
    return !m_channel->changed.wait_for(lock, delay, [this] { return m_channel->cancel.load(); });
}

std::size_t DownloadWorker::onHeader(const char *data, std::size_t length)
{
    QByteArray line(data, static_cast<qsizetype>(length));
    while (line.endsWith('\n') || line.endsWith('\r')) {
        line.chop(1);
    }
    if (line.startsWith("HTTP/")) { // a new response: a redirect's or 1xx's came before
        const qsizetype space = line.indexOf(' ');
        m_status = space > 0 ? line.mid(space + 1, 3).toInt() : 0;
        m_headersDone = false;
        m_acceptBody = false;
        m_headers.clear();
        m_errorBody.clear();
        return length;
    }
    if (m_headersDone) {
        return length; // trailers
    }
    if (line.isEmpty()) {
        m_headersDone = true;
        return onHeadersComplete() ? length : 0;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon > 0) {
        m_headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    return length;
}

bool DownloadWorker::onHeadersComplete()
{
    if (m_status != 200 && m_status != 206) {
        return true; // an error, a redirect or 1xx: its body is not the file
    }
    const qint64 expected = m_request.expectedSize;
    const auto mismatch = [this, expected](qint64 serverSize) {
        m_abort = Abort::SizeMismatch;
        m_abortMessage = tr("The file on the server has %1 bytes, the release lists %2.")
                             .arg(serverSize)
                             .arg(expected);
        return false;
    };
    if (m_status == 206) {
        const auto range = parseContentRange(responseHeader("content-range"));
        if (!range || range->first != m_offset) {
            m_abort = Abort::BadRange;
            m_abortMessage = tr("The server sent another part of the file than asked for.");
            return false;
        }
        if (range->total >= 0 && range->total != expected) {
            return mismatch(range->total);
        }
        if (range->last >= expected) {
            return mismatch(range->last + 1);
        }
    } else {
        bool ok = false;
        const qint64 length = responseHeader("content-length").toLongLong(&ok);
        if (ok && length != expected) {
            return mismatch(length);
        }
        if (m_offset > 0) {
            // The server ignored the range, or If-Range found the file changed.
            qCInfo(lcDownload).noquote()
                << "download of" << m_logName << "starts over: the server sent the whole file";
            if (!startOver()) {
                m_abort = Abort::File;
                return false;
            }
        }
    }
    // The validator for a later If-Range: a strong ETag, else the Last-Modified date.
    QByteArray validator = responseHeader("etag");
    if (validator.startsWith("W/")) {
        validator.clear();
    }
    if (validator.isEmpty()) {
        validator = responseHeader("last-modified");
    }
    if (validator != m_meta.validator) {
        m_meta.validator = validator;
        if (!writeMeta()) {
            // Not fatal: without a validator a resume still ends in the SHA-256 check.
            qCWarning(lcDownload).noquote() << "cannot write" << m_metaPath;
        }
    }
    m_acceptBody = true;
    return true;
}

std::size_t DownloadWorker::onBody(const char *data, std::size_t length)
{
    if (m_channel->cancel.load()) {
        m_abort = Abort::Canceled;
        return CURL_WRITEFUNC_ERROR;
    }
    if (!m_acceptBody) {
        if (m_errorBody.size() < errorBodyLimit) {
            m_errorBody.append(
                data, static_cast<qsizetype>(std::min<std::size_t>(length, errorBodyLimit)));
        }
        return length;
    }
    const auto size = static_cast<qint64>(length);
    if (size > m_request.expectedSize - m_offset) {
        m_abort = Abort::TooLong;
        return CURL_WRITEFUNC_ERROR;
    }
    if (m_part.write(data, size) != size) {
        m_abort = Abort::File;
        m_abortMessage = diskIsFull()
                             ? tr("The disk is full: %1 more are needed in %2.")
                                   .arg(sizeText(m_request.expectedSize - m_offset),
                                        QFileInfo(m_partPath).absolutePath())
                             : tr("Cannot write %1: %2").arg(m_partPath, m_part.errorString());
        return CURL_WRITEFUNC_ERROR;
    }
    m_hash.update(std::as_bytes(std::span(data, length)));
    m_offset += size;
    m_received += size;
    publish(m_offset);
    reportProgress(false);
    return length;
}

bool DownloadWorker::startOver()
{
    {
        const std::lock_guard lock(m_channel->mutex);
        if (!m_part.resize(0) || !m_part.seek(0)) {
            m_abortMessage = tr("Cannot write %1: %2").arg(m_partPath, m_part.errorString());
            return false;
        }
        m_channel->available = 0;
        ++m_channel->generation;
    }
    m_channel->changed.notify_all();
    (void)m_hash.finish(); // starts the hasher over
    m_offset = 0;
    m_meta.validator.clear();
    reportProgress(true);
    return true;
}

void DownloadWorker::discardPart()
{
    m_part.close();
    QFile::remove(m_partPath);
    QFile::remove(m_metaPath);
}

void DownloadWorker::publish(qint64 available)
{
    {
        const std::lock_guard lock(m_channel->mutex);
        m_channel->available = available;
    }
    m_channel->changed.notify_all();
}

void DownloadWorker::reportProgress(bool force)
{
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - m_lastReport < m_options.progressInterval) {
        return;
    }
    m_lastReport = now;
    m_reports.progress({m_offset, m_request.expectedSize, m_resumedFrom, m_received, m_attempts});
}

QByteArray DownloadWorker::responseHeader(const QByteArray &lowercaseName) const
{
    for (const auto &[name, value] : m_headers) {
        if (name == lowercaseName) {
            return value;
        }
    }
    return {};
}

std::optional<DownloadWorker::PartMeta> DownloadWorker::readMeta() const
{
    QFile file(m_metaPath);
    if (!file.open(QIODevice::ReadOnly)) {
        return std::nullopt;
    }
    const QJsonObject object = QJsonDocument::fromJson(file.read(qint64{64} * 1024)).object();
    if (object.isEmpty()) {
        return std::nullopt;
    }
    PartMeta meta;
    meta.url = object.value(QLatin1String("url")).toString();
    meta.sha256 = object.value(QLatin1String("sha256")).toString().toLatin1();
    meta.size = object.value(QLatin1String("size")).toInteger(-1);
    meta.validator = object.value(QLatin1String("validator")).toString().toLatin1();
    if (meta.validator.contains('\r') || meta.validator.contains('\n')) {
        meta.validator.clear();
    }
    return meta;
}

bool DownloadWorker::writeMeta()
{
    QJsonObject object;
    object.insert(QLatin1String("url"), m_meta.url);
    object.insert(QLatin1String("sha256"), QString::fromLatin1(m_meta.sha256));
    object.insert(QLatin1String("size"), m_meta.size);
    object.insert(QLatin1String("validator"), QString::fromLatin1(m_meta.validator));
    QSaveFile file(m_metaPath);
    return file.open(QIODevice::WriteOnly) &&
           file.write(QJsonDocument(object).toJson(QJsonDocument::Compact)) >= 0 && file.commit();
}

// Whether the disk has no room left for the rest of the download.
bool DownloadWorker::diskIsFull() const
{
    QStorageInfo storage(QFileInfo(m_partPath).absolutePath());
    storage.refresh();
    return storage.isValid() && storage.bytesAvailable() >= 0 &&
           storage.bytesAvailable() < m_request.expectedSize - m_offset;
}

DownloadOutcome DownloadWorker::succeeded()
{
    return {DownloadChannel::End::Succeeded,
            TaskError::Internal,
            {},
            {m_offset, m_request.expectedSize, m_resumedFrom, m_received, m_attempts}};
}

DownloadOutcome DownloadWorker::failed(TaskError error, const QString &message)
{
    return {DownloadChannel::End::Failed,
            error,
            message,
            {m_offset, m_request.expectedSize, m_resumedFrom, m_received, m_attempts}};
}

DownloadOutcome DownloadWorker::canceled()
{
    return {DownloadChannel::End::Canceled,
            TaskError::Internal,
            {},
            {m_offset, m_request.expectedSize, m_resumedFrom, m_received, m_attempts}};
}
