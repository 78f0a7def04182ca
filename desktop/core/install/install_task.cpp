#include "core/install/install_task.h"

#include "core/api/api_client.h"
#include "core/archive/byte_source.h"
#include "core/archive/extract_task.h"
#include "core/archive/staging.h"
#include "core/background_task.h"
#include "core/install/installed_files.h"
#include "core/install/manifest_check.h"
#include "core/logging.h"
#include "core/net/download.h"
#include "core/net/growing_file_reader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>
#include <QUuid>

#include <algorithm>
#include <array>
#include <chrono>

namespace {} // namespace

// The bytes of a download while they arrive, for extracting a tar during the transfer. The
// reader hands out the end (0) only after the download verified length and SHA-256 of exactly
// the bytes it handed out; extraction may stop reading before that (a tar's trailing blocks),
// so whether the end was seen is kept, and drained() reads on to it.
class DownloadByteSource : public ByteSource {
public:
    DownloadByteSource(std::unique_ptr<GrowingFileReader> reader, qint64 size)
        : m_reader(std::move(reader)), m_size(size)
    {}
    [[nodiscard]] qint64 read(char *buffer, qint64 max) override
    {
        const qint64 got = m_reader->read(buffer, max);
        if (got == 0) {
            m_sawEnd = true;
        }
        return got;
    }
    // Reads to the end; true when the bytes handed out were the verified ones. Blocks until the
    // download ends: call it once the download succeeded.
    [[nodiscard]] bool drained()
    {
        std::array<char, 64 * 1024> buffer{};
        while (!m_sawEnd) {
            if (read(buffer.data(), qint64(buffer.size())) < 0) {
                return false;
            }
        }
        return true;
    }
    [[nodiscard]] QString errorString() const override { return m_reader->errorString(); }
    [[nodiscard]] TaskError errorCode() const override { return TaskError::Network; }
    [[nodiscard]] qint64 size() const override { return m_size; }
    void interrupt() override { m_reader->interrupt(); }

private:
    std::unique_ptr<GrowingFileReader> m_reader;
    qint64 m_size;
    bool m_sawEnd = false;
};

namespace {

// What the registry keeps of an extraction: every file with size and SHA-256 (hashed while it
// was written) and every symbolic link with the SHA-256 of what it says, by path.
std::vector<InstalledFile> recordOf(const ExtractResult &result)
{
    std::vector<InstalledFile> files;
    files.reserve(std::size_t(result.files.size() + result.links.size()));
    for (const ExtractedFile &file : result.files) {
        files.push_back({file.path, file.size, file.sha256Hex});
    }
    for (const auto &[path, target] : result.links) {
        files.push_back({path, 0, linkDigest(target)});
    }
    std::sort(files.begin(), files.end(),
              [](const InstalledFile &a, const InstalledFile &b) { return a.path < b.path; });
    return files;
}

bool isZip(const QString &fileName)
{
    return fileName.endsWith(QLatin1String(".zip"), Qt::CaseInsensitive);
}

QString serverOrigin(const QUrl &server)
{
    return server.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
}

} // namespace

toolhub::Platform currentPlatform()
{
#if defined(Q_OS_WIN)
    return toolhub::Platform::Windows;
#elif defined(Q_OS_MACOS)
    return toolhub::Platform::Macos;
#else
    return toolhub::Platform::Linux;
#endif
}

toolhub::Arch currentArch()
{
#if defined(Q_PROCESSOR_ARM_64)
    return toolhub::Arch::Arm64;
#else
    return toolhub::Arch::X86_64;
#endif
}

InstallTask::InstallTask(InstallRequest request, InstallEnvironment environment, QObject *parent)
    : Task(parent), m_request(std::move(request)), m_env(std::move(environment))
{}

InstallTask::~InstallTask() = default;

void InstallTask::run()
{
    setStatusText(tr("Checking %1 %2").arg(m_request.tool, m_request.version));
    const QString path = QStringLiteral("/api/v1/tools/%1/releases/%2/manifest")
                             .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_request.tool)),
                                  QString::fromLatin1(QUrl::toPercentEncoding(m_request.version)));
    m_env.api->get(path, this, [this](const ApiReply &reply) {
        if (state() != State::Running) {
            return;
        }
        if (!reply.ok()) {
            failWith(*reply.error, reply.message);
            return;
        }
        manifestArrived(reply.body);
    });
}

void InstallTask::manifestArrived(const QByteArray &body)
{
    const ManifestExpectation expected{serverOrigin(m_env.api->server()), m_request.product,
                                       m_request.tool, m_request.version};
    auto manifest = checkManifest(body, m_env.serverKey, expected, *m_env.registry,
                                  std::chrono::system_clock::now());
    if (!manifest) {
        failWith(manifest.error().error, manifest.error().message);
        return;
    }
    const auto artifact =
        std::find_if(manifest->artifacts.begin(), manifest->artifacts.end(), [this](const auto &a) {
            return a.platform == m_env.platform && a.arch == m_env.arch;
        });
    if (artifact == manifest->artifacts.end()) {
        failWith(
            TaskError::Server,
            tr("%1 %2 has no download for this computer.").arg(m_request.tool, m_request.version));
        return;
    }
    m_artifact = *artifact;
    const auto size = static_cast<qint64>(m_artifact.size);
    const QString fileName = QString::fromStdString(m_artifact.fileName);

    m_target = QDir(m_env.installRoot)
                   .filePath(m_request.product + QLatin1Char('/') + m_request.tool +
                             QLatin1Char('/') + m_request.version);
    if (!QDir().mkpath(QFileInfo(m_target).absolutePath())) {
        failWith(TaskError::FileSystem,
                 tr("Cannot create the folder %1.").arg(QFileInfo(m_target).absolutePath()));
        return;
    }
    // The unpacked size is not known before unpacking; ask for room for twice the archive.
    const QStorageInfo volume(QFileInfo(m_target).absolutePath());
    if (volume.isValid() && volume.bytesAvailable() < 2 * size) {
        failWith(TaskError::DiskSpace, tr("Installing %1 needs about %2 MB free in %3.")
                                           .arg(m_request.tool)
                                           .arg(2 * size / (1024 * 1024) + 1)
                                           .arg(volume.rootPath()));
        return;
    }
    m_staging = stagingPathFor(m_target);
    m_archive =
        QDir(m_env.cacheDir)
            .filePath(QStringLiteral("downloads/") + QString::fromStdString(m_artifact.sha256) +
                      QLatin1Char('/') + fileName);

    // The manifest's download URL is server-relative (path and maybe a query): below the
    // server's own path, as the API client's requests are.
    const QUrl relative(QString::fromStdString(m_artifact.downloadUrl), QUrl::StrictMode);
    QUrl url = m_env.api->server();
    url.setPath(url.path(QUrl::FullyEncoded) + relative.path(QUrl::FullyEncoded),
                QUrl::TolerantMode);
    url.setQuery(relative.query(QUrl::FullyEncoded));
    DownloadRequest download{url, m_env.accessToken(), size,
                             QByteArray::fromStdString(m_artifact.sha256), m_archive};
    m_download = new DownloadTask(std::move(download), {}, this);
    connect(m_download, &Task::progress, this,
            [this](qint64 done, qint64 total) { setProgress(done, total); });
    connect(m_download, &Task::succeeded, this, [this] {
        m_downloaded = true;
        partDone();
    });
    connect(m_download, &Task::failed, this,
            [this](TaskError error, const QString &message) { failWith(error, message); });
    setStatusText(tr("Downloading %1 %2").arg(m_request.tool, m_request.version));
    setProgress(0, size);
    if (!isZip(fileName)) {
        // A tar unpacks as it arrives; nothing is committed before the hash matched.
        startExtraction();
    }
    m_download->start();
}

void InstallTask::startExtraction()
{
    std::shared_ptr<ByteSource> source;
    m_stream.reset();
    if (m_downloaded) {
        source = std::make_shared<FileByteSource>(m_archive);
    } else {
        m_stream = std::make_shared<DownloadByteSource>(m_download->openReader(),
                                                        static_cast<qint64>(m_artifact.size));
        source = m_stream;
    }
    m_extract = new ExtractTask(std::move(source), m_staging, m_env.limits, this);
    connect(m_extract, &Task::succeeded, this, [this] {
        m_extracted = true;
        partDone();
    });
    connect(m_extract, &Task::failed, this, [this](TaskError error, const QString &message) {
        if (m_stream) {
            // Whatever went wrong, it went wrong on bytes not verified yet (or the download
            // started over): the download's own result decides, and a verified file is
            // unpacked again from disk.
            qCInfo(lcInstall) << "unpacking while downloading stopped:" << message;
            m_extract->deleteLater();
            m_extract = nullptr;
            m_stream.reset();
            m_staging = stagingPathFor(m_target);
            partDone();
            return;
        }
        failWith(error, message);
    });
    m_extract->start();
}

void InstallTask::partDone()
{
    if (state() != State::Running) {
        return;
    }
    if (m_downloaded && !m_extract && !m_extracted) {
        setStatusText(tr("Unpacking %1 %2").arg(m_request.tool, m_request.version));
        startExtraction();
        return;
    }
    if (m_downloaded && m_extracted) {
        commit();
    }
}

void InstallTask::commit()
{
    setCancelable(false);
    setStatusText(tr("Installing %1 %2").arg(m_request.tool, m_request.version));
    auto files = std::make_shared<std::vector<InstalledFile>>(recordOf(m_extract->result()));
    auto replaced = std::make_shared<QString>(); // the old folder of a reinstall, swapped away
    const QString staging = m_staging;
    const QString target = m_target;
    m_finish = new BackgroundTask(
        [files, replaced, staging, target, archive = m_archive, limits = m_env.limits,
         stream =
             m_stream](BackgroundTask::Control &control) -> std::optional<BackgroundTask::Failure> {
            if (stream && !stream->drained()) {
                // What was unpacked is not what the download verified: unpack the verified
                // file instead. Nothing unverified is ever committed.
                removeTree(staging);
                FileByteSource file(archive);
                const auto unpacked = extractArchive(file, staging, limits, control.canceled);
                if (!unpacked.ok()) {
                    return BackgroundTask::Failure{unpacked.error, unpacked.message};
                }
                *files = recordOf(unpacked);
            }
            if (QFileInfo::exists(target) || QFileInfo(target).isSymLink()) {
                *replaced = target + QStringLiteral(".old-") +
                            QUuid::createUuid().toString(QUuid::Id128).left(12);
                if (!QFile::rename(target, *replaced)) {
                    replaced->clear();
                    return BackgroundTask::Failure{
                        TaskError::FileSystem, QStringLiteral("Cannot move %1 aside.").arg(target)};
                }
            }
            if (auto committed = commitStaging(staging, target); !committed) {
                if (!replaced->isEmpty()) {
                    QFile::rename(*replaced, target);
                    replaced->clear();
                }
                return BackgroundTask::Failure{committed.error().code, committed.error().message};
            }
            return std::nullopt;
        },
        this);
    connect(m_finish, &Task::failed, this,
            [this](TaskError error, const QString &message) { failWith(error, message); });
    connect(m_finish, &Task::succeeded, this, [this, files, replaced] {
        auto previous = m_env.registry->installation(m_request.product, m_request.tool);
        m_installation.product = m_request.product;
        m_installation.tool = m_request.tool;
        m_installation.version = m_request.version;
        m_installation.folder = m_target;
        m_installation.installedAt = QDateTime::currentDateTimeUtc();
        m_installation.files = std::move(*files);
        if (auto recorded = m_env.registry->recordInstallation(m_installation); !recorded) {
            // Unrecorded files must not stay in place: back to the state before.
            removeTree(m_target);
            if (!replaced->isEmpty()) {
                QFile::rename(*replaced, m_target);
            }
            failWith(TaskError::FileSystem, QString::fromStdString(recorded.error().message));
            return;
        }
        // The version this one replaces goes once the new one is recorded.
        if (!replaced->isEmpty()) {
            removeTree(*replaced);
        }
        if (previous && *previous && (*previous)->folder != m_target) {
            // Deleting is quick next to unpacking; it runs here, after the record changed.
            BackgroundTask::Control control{[](qint64, qint64) {}, m_neverCanceled};
            if (auto failed = removeInstalledFiles(**previous, control)) {
                qCWarning(lcInstall) << "the replaced version stays on disk:" << failed->message;
            }
        }
        QFile::remove(m_archive);
        QDir().rmdir(QFileInfo(m_archive).absolutePath());
        qCInfo(lcInstall) << "installed" << m_request.product << m_request.tool << m_request.version
                          << "in" << m_target;
        succeed();
    });
    m_finish->start();
}

void InstallTask::failWith(TaskError error, const QString &message)
{
    if (state() != State::Running) {
        return;
    }
    cleanUp();
    qCWarning(lcInstall) << "installing" << m_request.product << m_request.tool << m_request.version
                         << "failed:" << message;
    fail(error, message);
}

void InstallTask::abort()
{
    cleanUp();
}

void InstallTask::cleanUp()
{
    if (m_download && !m_download->isFinished()) {
        m_download->cancel(); // keeps the .part for a later attempt
    }
    if (m_extract && !m_extract->isFinished()) {
        m_extract->cancel(); // removes its staging folder
    } else if (!m_staging.isEmpty() && QFileInfo::exists(m_staging)) {
        removeTree(m_staging);
    }
    if (!m_target.isEmpty()) {
        // The tool's and the product's folders, made for this install: gone again if empty.
        const QString toolFolder = QFileInfo(m_target).absolutePath();
        if (QDir().rmdir(toolFolder)) {
            QDir().rmdir(QFileInfo(toolFolder).absolutePath());
        }
    }
}
