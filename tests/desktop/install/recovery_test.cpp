// Putting the install root back in order after an install was cut short: staging folders go,
// a version moved aside comes back when its replacement never arrived, and nothing else is
// touched.

#include "core/install/recovery.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        return false;
    }
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class RecoveryTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void unfinishedStagingIsRemoved()
    {
        const QString tool = m_dir->filePath(QStringLiteral("fluxcad/flux-cli"));
        QVERIFY(writeFile(tool + QStringLiteral("/1.0.0/bin/flux"), "installed"));
        QVERIFY(
            writeFile(tool + QStringLiteral("/.2.0.0.staging-9f3a0c77d1e2b4a5/bin/flux"), "half"));
        const auto report = recoverInstallRoot(m_dir->path());
        QCOMPARE(report.removed.size(), 1);
        QVERIFY(!QFileInfo::exists(tool + QStringLiteral("/.2.0.0.staging-9f3a0c77d1e2b4a5")));
        QCOMPARE(readFile(tool + QStringLiteral("/1.0.0/bin/flux")), QByteArray("installed"));
    }

    void versionMovedAsideComesBackWhenItsReplacementNeverArrived()
    {
        // A reinstall of 2.0.0 was killed between moving the old folder aside and renaming the
        // new one in: the installed version is the one aside.
        const QString tool = m_dir->filePath(QStringLiteral("fluxcad/flux-cli"));
        QVERIFY(writeFile(tool + QStringLiteral("/2.0.0.old-0123456789ab/bin/flux"), "installed"));
        QVERIFY(writeFile(tool + QStringLiteral("/.2.0.0.staging-77/bin/flux"), "new"));
        const auto report = recoverInstallRoot(m_dir->path());
        QCOMPARE(report.restored, QStringList{tool + QStringLiteral("/2.0.0")});
        QCOMPARE(readFile(tool + QStringLiteral("/2.0.0/bin/flux")), QByteArray("installed"));
        QCOMPARE(QDir(tool).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("2.0.0")});
    }

    void versionAsideBesideItsReplacementIsRemoved()
    {
        // Killed after the new 2.0.0 was in place, before the old one was deleted.
        const QString tool = m_dir->filePath(QStringLiteral("fluxcad/flux-cli"));
        QVERIFY(writeFile(tool + QStringLiteral("/2.0.0/bin/flux"), "new"));
        QVERIFY(writeFile(tool + QStringLiteral("/2.0.0.old-ba9876543210/bin/flux"), "old"));
        const auto report = recoverInstallRoot(m_dir->path());
        QCOMPARE(report.removed.size(), 1);
        QCOMPARE(report.restored.size(), 0);
        QCOMPARE(readFile(tool + QStringLiteral("/2.0.0/bin/flux")), QByteArray("new"));
        QVERIFY(!QFileInfo::exists(tool + QStringLiteral("/2.0.0.old-ba9876543210")));
    }

    void emptyToolAndProductFoldersGo()
    {
        QVERIFY(
            writeFile(m_dir->filePath(QStringLiteral("fluxcad/flux-cli/.1.0.0.staging-1/f")), "x"));
        QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("meshlab-pro/meshlab-pro"))));
        (void)recoverInstallRoot(m_dir->path());
        QVERIFY(QDir(m_dir->path()).isEmpty());
    }

    void nothingElseIsTouched()
    {
        // The install root may be a folder with other things in it: names that merely look
        // similar, files, folders at other depths, and whatever a user put beside a version.
        const QStringList kept{
            QStringLiteral("notes.txt"),
            QStringLiteral("projects/backup.old-2024/file"),
            QStringLiteral("projects/site/.cache.staging-area/file"),
            QStringLiteral("projects/site/release.old-0123456789abc/file"), // 13 digits
            QStringLiteral("projects/site/release.old-0123456789ag/file"),  // not hex
            QStringLiteral("projects/site/.staging-0123/file"),
            QStringLiteral("projects/site/deep/.v.staging-12/file"), // below a tool's folder
            QStringLiteral("fluxcad/flux-cli/1.0.0/my-notes.txt"),
            QStringLiteral("fluxcad/flux-cli/1.5.0/left-by-user"),
        };
        for (const QString &path : kept) {
            QVERIFY(writeFile(m_dir->filePath(path), "keep"));
        }
        const auto report = recoverInstallRoot(m_dir->path());
        QVERIFY2(report.removed.isEmpty(), qPrintable(report.removed.join(QLatin1Char(' '))));
        QVERIFY(report.restored.isEmpty());
        for (const QString &path : kept) {
            QCOMPARE(readFile(m_dir->filePath(path)), QByteArray("keep"));
        }
    }

    void symbolicLinksAreNeverFollowed()
    {
        // A staging-looking link to a folder elsewhere: neither it nor its target is touched.
        QTemporaryDir elsewhere;
        QVERIFY(writeFile(elsewhere.filePath(QStringLiteral("precious")), "keep"));
        const QString tool = m_dir->filePath(QStringLiteral("fluxcad/flux-cli"));
        QVERIFY(QDir().mkpath(tool));
        QVERIFY(QFile::link(elsewhere.path(), tool + QStringLiteral("/.1.0.0.staging-5")));
        QVERIFY(QFile::link(elsewhere.path(), tool + QStringLiteral("/1.0.0.old-0123456789ab")));
        (void)recoverInstallRoot(m_dir->path());
        QCOMPARE(readFile(elsewhere.filePath(QStringLiteral("precious"))), QByteArray("keep"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(RecoveryTest)
#include "recovery_test.moc"
