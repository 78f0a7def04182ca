#include "core/archive/staging.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#if defined(Q_OS_LINUX)
#include <fcntl.h>
#endif

namespace {

std::filesystem::path toFsPath(const QString &path)
{
#if defined(Q_OS_WIN)
    return std::filesystem::path(path.toStdWString());
#else
    return std::filesystem::path(QFile::encodeName(path).toStdString());
#endif
}

toolhub::Failure<StagingError> failure(TaskError code, QString message)
{
    qCWarning(lcArchive).noquote() << message;
    return toolhub::fail(StagingError{code, std::move(message)});
}

// rename(2) that refuses to replace an existing target; errno is set on failure.
bool renameNoReplace(const QString &from, const QString &to)
{
#if defined(Q_OS_LINUX)
    const QByteArray source = QFile::encodeName(from);
    const QByteArray target = QFile::encodeName(to);
    if (::renameat2(AT_FDCWD, source.constData(), AT_FDCWD, target.constData(), RENAME_NOREPLACE) ==
        0) {
        return true;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        return false;
    }
    // A file system without RENAME_NOREPLACE: the caller checked that the target is absent.
    return std::rename(source.constData(), target.constData()) == 0;
#elif defined(Q_OS_MACOS)
    return ::renamex_np(QFile::encodeName(from).constData(), QFile::encodeName(to).constData(),
                        RENAME_EXCL) == 0;
#else
    // Windows' MoveFile refuses an existing target and a move to another volume by itself.
    errno = 0;
    return QDir().rename(from, to);
#endif
}

} // namespace

QString stagingPathFor(const QString &finalDir)
{
    const QFileInfo info(QDir::cleanPath(finalDir));
    const QString suffix = QString::number(QRandomGenerator::global()->generate64(), 16);
    return info.absolutePath() + QStringLiteral("/.") + info.fileName() +
           QStringLiteral(".staging-") + suffix;
}

toolhub::Result<void, StagingError> commitStaging(const QString &stagingDir,
                                                  const QString &finalDir)
{
    const QFileInfo staging(stagingDir);
    if (staging.isSymLink() || !staging.isDir()) {
        return failure(
            TaskError::FileSystem,
            QCoreApplication::translate("commitStaging", "The staging folder %1 does not exist.")
                .arg(QDir::toNativeSeparators(stagingDir)));
    }
    const QFileInfo target(finalDir);
    if (target.exists() || target.isSymLink()) {
        return failure(TaskError::FileSystem,
                       QCoreApplication::translate("commitStaging", "%1 exists already.")
                           .arg(QDir::toNativeSeparators(finalDir)));
    }
    if (!target.dir().exists()) {
        return failure(TaskError::FileSystem,
                       QCoreApplication::translate("commitStaging", "The folder %1 does not exist.")
                           .arg(QDir::toNativeSeparators(target.absolutePath())));
    }
    if (!renameNoReplace(stagingDir, finalDir)) {
        const int error = errno;
        QString reason;
        if (error == EEXIST || error == ENOTEMPTY) {
            reason = QCoreApplication::translate("commitStaging", "it exists already");
        } else if (error == EXDEV) {
            reason = QCoreApplication::translate("commitStaging",
                                                 "the staging folder is on another file system");
        } else if (error != 0) {
            reason = QString::fromStdString(std::generic_category().message(error));
        } else {
            reason = QCoreApplication::translate("commitStaging", "the rename failed");
        }
        return failure(TaskError::FileSystem,
                       QCoreApplication::translate("commitStaging", "Cannot move %1 to %2: %3.")
                           .arg(QDir::toNativeSeparators(stagingDir),
                                QDir::toNativeSeparators(finalDir), reason));
    }
    qCInfo(lcArchive).noquote() << "committed" << stagingDir << "to" << finalDir;
    return {};
}

bool removeTree(const QString &path)
{
    const std::filesystem::path fsPath = toFsPath(path);
    std::error_code error;
    std::filesystem::remove_all(fsPath, error);
    if (error) {
        qCWarning(lcArchive).noquote()
            << "cannot remove" << path << ":" << QString::fromStdString(error.message());
    }
    return !std::filesystem::exists(std::filesystem::symlink_status(fsPath, error));
}
