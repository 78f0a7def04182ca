// What an installation put on disk: its inventory, verifying it, and removing exactly it.

#include "core/install/installed_files.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

QByteArray sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

// Runs `work` as a BackgroundTask and waits for it to end.
std::optional<BackgroundTask::Failure> runTask(BackgroundTask::Work work)
{
    BackgroundTask task(std::move(work));
    QSignalSpy succeeded(&task, &Task::succeeded);
    QSignalSpy failed(&task, &Task::failed);
    task.start();
    if (!QTest::qWaitFor([&] { return task.isFinished(); }, 10000)) {
        return BackgroundTask::Failure{TaskError::Internal, QStringLiteral("timed out")};
    }
    if (task.state() == Task::State::Failed) {
        return BackgroundTask::Failure{task.error(), task.errorMessage()};
    }
    return std::nullopt;
}

} // namespace

class InstalledFilesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_folder = m_dir->filePath(QStringLiteral("fluxcad/flux-cli/2.0.0"));
        writeFile(m_folder + QStringLiteral("/bin/flux"), "#!/bin/sh\necho flux\n");
        writeFile(m_folder + QStringLiteral("/share/doc/README"), "read me");
        writeFile(m_folder + QStringLiteral("/share/data.bin"), QByteArray(300'000, '\x5a'));
        QVERIFY(QFile::link(QStringLiteral("flux"), m_folder + QStringLiteral("/bin/fx")));
    }

    void inventoryListsFilesAndLinks()
    {
        std::vector<InstalledFile> files;
        QVERIFY(!runTask(
            [&](BackgroundTask::Control &c) { return takeInventory(m_folder, files, c); }));
        QCOMPARE(files.size(), std::size_t{4});
        QCOMPARE(files[0].path, QStringLiteral("bin/flux"));
        QCOMPARE(files[0].size, 20);
        QCOMPARE(files[0].sha256Hex, sha256Hex("#!/bin/sh\necho flux\n"));
        QCOMPARE(files[1].path, QStringLiteral("bin/fx"));
        QCOMPARE(files[1].sha256Hex, sha256Hex("flux")); // the link's text
        QCOMPARE(files[2].path, QStringLiteral("share/data.bin"));
        QCOMPARE(files[2].sha256Hex, sha256Hex(QByteArray(300'000, '\x5a')));
        QCOMPARE(files[3].path, QStringLiteral("share/doc/README"));
    }

    void aFifoIsNoInstallableFile()
    {
        QVERIFY(::mkfifo(QFile::encodeName(m_folder + QStringLiteral("/bin/pipe")).constData(),
                         0600) == 0);
        std::vector<InstalledFile> files;
        const auto failure =
            runTask([&](BackgroundTask::Control &c) { return takeInventory(m_folder, files, c); });
        QVERIFY(failure);
        QCOMPARE(failure->error, TaskError::UnsafeArchive);
        QVERIFY(failure->message.contains(QLatin1String("bin/pipe")));
    }

    void verifyFindsMissingAndChangedFiles()
    {
        const Installation installation = recorded();
        std::vector<DamagedFile> damaged;
        QVERIFY(!runTask([&](BackgroundTask::Control &c) {
            return verifyInstallation(installation, damaged, c);
        }));
        QVERIFY(damaged.empty());

        writeFile(m_folder + QStringLiteral("/share/doc/README"), "READ ME"); // same size
        QVERIFY(QFile::remove(m_folder + QStringLiteral("/bin/flux")));
        QVERIFY(QFile::remove(m_folder + QStringLiteral("/bin/fx")));
        QVERIFY(QFile::link(QStringLiteral("/bin/sh"), m_folder + QStringLiteral("/bin/fx")));
        QVERIFY(!runTask([&](BackgroundTask::Control &c) {
            return verifyInstallation(installation, damaged, c);
        }));
        QCOMPARE(damaged.size(), std::size_t{3});
        QCOMPARE(damaged[0].path, QStringLiteral("bin/flux"));
        QCOMPARE(damaged[0].problem, DamagedFile::Problem::Missing);
        QCOMPARE(damaged[1].path, QStringLiteral("bin/fx"));
        QCOMPARE(damaged[1].problem, DamagedFile::Problem::Changed);
        QCOMPARE(damaged[2].path, QStringLiteral("share/doc/README"));
        QCOMPARE(damaged[2].problem, DamagedFile::Problem::Changed);
    }

    void removeDeletesExactlyTheRecordedFiles()
    {
        const Installation installation = recorded();
        writeFile(m_folder + QStringLiteral("/share/notes/mine.txt"), "the user's own");
        QVERIFY(!runTask(
            [&](BackgroundTask::Control &c) { return removeInstalledFiles(installation, c); }));
        for (const char *gone : {"/bin/flux", "/bin/fx", "/bin", "/share/doc/README", "/share/doc",
                                 "/share/data.bin"}) {
            QVERIFY2(!QFileInfo(m_folder + QLatin1String(gone)).exists() &&
                         !QFileInfo(m_folder + QLatin1String(gone)).isSymLink(),
                     gone);
        }
        QVERIFY(QFileInfo::exists(m_folder + QStringLiteral("/share/notes/mine.txt")));

        // Without a user file the folder itself goes too.
        init();
        const Installation fresh = recorded();
        QVERIFY(
            !runTask([&](BackgroundTask::Control &c) { return removeInstalledFiles(fresh, c); }));
        QVERIFY(!QFileInfo::exists(m_folder));
        QVERIFY(QFileInfo::exists(m_dir->filePath(QStringLiteral("fluxcad/flux-cli"))));
    }

    void anUnsafeRecordRemovesNothing()
    {
        writeFile(m_dir->filePath(QStringLiteral("fluxcad/precious")), "keep");
        Installation installation = recorded();
        installation.files.push_back({QStringLiteral("../../precious"), 4, sha256Hex("keep")});
        const auto failure = runTask(
            [&](BackgroundTask::Control &c) { return removeInstalledFiles(installation, c); });
        QVERIFY(failure);
        QVERIFY(QFileInfo::exists(m_dir->filePath(QStringLiteral("fluxcad/precious"))));
        QVERIFY(QFileInfo::exists(m_folder + QStringLiteral("/bin/flux")));
    }

    void cancelStopsHashing()
    {
        writeFile(m_folder + QStringLiteral("/big.bin"), QByteArray(64 * 1024 * 1024, '\x01'));
        std::vector<InstalledFile> files;
        std::atomic<bool> stoppedEarly{false};
        {
            BackgroundTask task([&](BackgroundTask::Control &c) {
                auto failure = takeInventory(m_folder, files, c);
                stoppedEarly = failure.has_value() && c.canceled;
                return failure;
            });
            QSignalSpy canceled(&task, &Task::canceled);
            QSignalSpy progress(&task, &Task::progress);
            task.start();
            QVERIFY(progress.wait(10000)); // hashing has begun
            task.cancel();
            QCOMPARE(canceled.count(), 1);
            QCOMPARE(task.state(), Task::State::Canceled);
        } // the destructor waits for the thread
        QVERIFY(stoppedEarly);
        QVERIFY(files.size() < 5);
    }

private:
    Installation recorded()
    {
        Installation installation;
        installation.product = QStringLiteral("fluxcad");
        installation.tool = QStringLiteral("flux-cli");
        installation.version = QStringLiteral("2.0.0");
        installation.folder = m_folder;
        std::optional<BackgroundTask::Failure> failure = runTask([&](BackgroundTask::Control &c) {
            return takeInventory(m_folder, installation.files, c);
        });
        if (failure) {
            qWarning("%s", qPrintable(failure->message));
        }
        return installation;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_folder;
};

QTEST_GUILESS_MAIN(InstalledFilesTest)
#include "installed_files_test.moc"
