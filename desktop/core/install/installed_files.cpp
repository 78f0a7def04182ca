#include "core/install/installed_files.h"

#include "core/logging.h"
#include "toolhub/sha256.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

namespace {

using Failure = BackgroundTask::Failure;

QString tr(const char *text)
{
    return QCoreApplication::translate("InstalledFiles", text);
}

Failure canceledFailure()
{
    return {TaskError::Internal, tr("Canceled.")};
}

// SHA-256 of a regular file as lowercase hex, or nullopt when it cannot be read.
std::optional<QByteArray> hashFile(const QString &path, qint64 &size,
                                   BackgroundTask::Control &control, qint64 &done, qint64 total)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return std::nullopt;
    }
    toolhub::Sha256 hash;
    std::array<char, 256 * 1024> buffer{};
    size = 0;
    while (true) {
        if (control.canceled) {
            return std::nullopt;
        }
        const qint64 got = file.read(buffer.data(), qint64(buffer.size()));
        if (got < 0) {
            return std::nullopt;
        }
        if (got == 0) {
            break;
        }
        hash.update(std::string_view(buffer.data(), std::size_t(got)));
        size += got;
        done += got;
        control.progress(done, total);
    }
    const auto digest = hash.finish();
    return QByteArray::fromStdString(toolhub::toHex(digest));
}

// linkDigest() of the symbolic link at `path`.
QByteArray hashLinkTarget(const QString &path)
{
    std::error_code error;
    const auto target = std::filesystem::read_symlink(QFile::encodeName(path).toStdString(), error);
    return linkDigest(error ? QByteArray() : QByteArray::fromStdString(target.string()));
}
bool isSafeRelative(const QString &path)
{
    if (path.isEmpty() || QDir::isAbsolutePath(path) || path.contains(QLatin1Char('\\'))) {
        return false;
    }
    const auto parts = path.split(QLatin1Char('/'));
    return std::none_of(parts.begin(), parts.end(), [](const QString &part) {
        return part.isEmpty() || part == QLatin1String("..") || part == QLatin1String(".");
    });
}

} // namespace

QByteArray linkDigest(const QByteArray &target)
{
    return QByteArray::fromStdString(toolhub::sha256Hex(target.toStdString()));
}

std::optional<Failure> takeInventory(const QString &folder, std::vector<InstalledFile> &files,
                                     BackgroundTask::Control &control)
{
    files.clear();
    const QDir root(folder);
    qint64 total = 0;
    std::vector<QFileInfo> entries;
    QDirIterator it(folder, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        if (info.isSymLink()) {
            entries.push_back(info);
        } else if (info.isDir()) {
            continue;
        } else if (info.isFile()) {
            total += info.size();
            entries.push_back(info);
        } else {
            return Failure{TaskError::UnsafeArchive,
                           tr("%1 is neither a file nor a folder.")
                               .arg(root.relativeFilePath(info.filePath()))};
        }
    }
    qint64 done = 0;
    for (const QFileInfo &info : entries) {
        if (control.canceled) {
            return canceledFailure();
        }
        InstalledFile file;
        file.path = root.relativeFilePath(info.filePath());
        if (info.isSymLink()) {
            file.sha256Hex = hashLinkTarget(info.filePath());
        } else {
            auto hash = hashFile(info.filePath(), file.size, control, done, total);
            if (!hash) {
                return control.canceled
                           ? canceledFailure()
                           : Failure{TaskError::FileSystem, tr("Cannot read %1.").arg(file.path)};
            }
            file.sha256Hex = *hash;
        }
        files.push_back(std::move(file));
    }
    std::sort(files.begin(), files.end(),
              [](const InstalledFile &a, const InstalledFile &b) { return a.path < b.path; });
    control.progress(total, total);
    return std::nullopt;
}

std::optional<Failure> verifyInstallation(const Installation &installation,
                                          std::vector<DamagedFile> &damaged,
                                          BackgroundTask::Control &control)
{
    damaged.clear();
    qint64 total = 0;
    for (const InstalledFile &file : installation.files) {
        total += file.size;
    }
    qint64 done = 0;
    const QDir root(installation.folder);
    for (const InstalledFile &file : installation.files) {
        if (control.canceled) {
            return canceledFailure();
        }
        if (!isSafeRelative(file.path)) {
            return Failure{TaskError::Internal,
                           tr("The record of %1 has an unsafe path.").arg(installation.tool)};
        }
        const QString path = root.filePath(file.path);
        const QFileInfo info(path);
        if (!info.exists() && !info.isSymLink()) {
            damaged.push_back({file.path, DamagedFile::Problem::Missing});
            done += file.size;
            continue;
        }
        QByteArray hash;
        qint64 size = 0;
        if (info.isSymLink()) {
            hash = hashLinkTarget(path);
        } else if (auto hashed = hashFile(path, size, control, done, total)) {
            hash = *hashed;
        } else if (control.canceled) {
            return canceledFailure();
        }
        if (hash != file.sha256Hex || (!info.isSymLink() && size != file.size)) {
            damaged.push_back({file.path, DamagedFile::Problem::Changed});
        }
    }
    control.progress(total, total);
    return std::nullopt;
}

std::optional<Failure> removeInstalledFiles(const Installation &installation,
                                            BackgroundTask::Control &control)
{
    for (const InstalledFile &file : installation.files) {
        if (!isSafeRelative(file.path)) {
            return Failure{TaskError::Internal,
                           tr("The record of %1 has an unsafe path; nothing was removed.")
                               .arg(installation.tool)};
        }
    }
    const QDir root(installation.folder);
    std::set<QString> folders; // relative, to try removing once empty
    qint64 done = 0;
    const auto total = qint64(installation.files.size());
    for (const InstalledFile &file : installation.files) {
        const QString path = root.filePath(file.path);
        const QFileInfo info(path);
        if ((info.exists() || info.isSymLink()) && !QFile::remove(path)) {
            return Failure{TaskError::FileSystem, tr("Cannot remove %1.").arg(path)};
        }
        for (QString parent = QFileInfo(file.path).path(); parent != QLatin1String(".");
             parent = QFileInfo(parent).path()) {
            folders.insert(parent);
        }
        control.progress(++done, total);
    }
    // Deepest first; rmdir() only removes empty folders, so the user's files keep theirs.
    std::vector<QString> ordered(folders.begin(), folders.end());
    std::sort(ordered.begin(), ordered.end(), [](const QString &a, const QString &b) {
        return a.count(QLatin1Char('/')) > b.count(QLatin1Char('/'));
    });
    for (const QString &folder : ordered) {
        QDir().rmdir(root.filePath(folder));
    }
    QDir().rmdir(installation.folder);
    qCInfo(lcInstall) << "removed" << installation.files.size() << "files of"
                      << installation.product << installation.tool << installation.version;
    return std::nullopt;
}
