#include "core/install/recovery.h"

#include "core/archive/staging.h"
#include "core/logging.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace {

constexpr QDir::Filters allFolders =
    QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot | QDir::NoSymLinks;
constexpr QDir::Filters visibleFolders = QDir::Dirs | QDir::NoDotAndDotDot | QDir::NoSymLinks;

void recoverToolFolder(const QDir &folder, RecoveryReport &report)
{
    // The exact shapes stagingPathFor() and InstallTask give these names.
    static const QRegularExpression staging(QStringLiteral("^\\..+\\.staging-[0-9a-f]{1,16}$"));
    static const QRegularExpression aside(QStringLiteral("^(.+)\\.old-[0-9a-f]{12}$"));
    for (const QString &name : folder.entryList(allFolders, QDir::Name)) {
        const QString path = folder.filePath(name);
        if (staging.match(name).hasMatch()) {
            removeTree(path);
            report.removed << path;
            continue;
        }
        if (const auto old = aside.match(name); old.hasMatch()) {
            const QString version = folder.filePath(old.captured(1));
            if (!QFileInfo::exists(version) && QFile::rename(path, version)) {
                report.restored << version;
            } else {
                removeTree(path);
                report.removed << path;
            }
        }
    }
}

} // namespace

RecoveryReport recoverInstallRoot(const QString &root)
{
    RecoveryReport report;
    const QDir rootDir(root);
    for (const QString &product : rootDir.entryList(visibleFolders, QDir::Name)) {
        QDir productDir(rootDir.filePath(product));
        for (const QString &tool : productDir.entryList(visibleFolders, QDir::Name)) {
            recoverToolFolder(QDir(productDir.filePath(tool)), report);
            productDir.rmdir(tool); // only when empty
        }
        rootDir.rmdir(product); // only when empty
    }
    for (const QString &path : std::as_const(report.restored)) {
        qCWarning(lcInstall) << "an interrupted install moved" << path << "aside; it is back";
    }
    for (const QString &path : std::as_const(report.removed)) {
        qCInfo(lcInstall) << "removed what an interrupted install left:" << path;
    }
    return report;
}
