// Installing tools end to end against the real server: manifest, download, extraction into
// staging, the rename into place, the registry; updates, rollbacks, reinstalls and refusals.

#include "core/api/api_client.h"
#include "core/install/install_task.h"
#include "core/install/installed_files.h"

#include "native_sign_in.h"
#include "server_process.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class InstallTaskTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
        m_server = std::make_unique<ServerProcess>(environment);
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_serverKey = m_server->signingKey();
        QCOMPARE(m_serverKey.size(), 32);
        QString error;
        m_token = signInNative(*m_server, QStringLiteral("alice.archer@acme.example"),
                               QStringLiteral("acme-demo-1"), &error)
                      .value(QLatin1String("access_token"))
                      .toString()
                      .toLatin1();
        QVERIFY2(!m_token.isEmpty(), qPrintable(error));
        auto registry = Registry::open(m_dir.filePath(QStringLiteral("toolhub.db")));
        QVERIFY(registry.ok());
        m_registry = std::move(registry).value();
        m_api = std::make_unique<ApiClient>(
            m_network, m_server->url(QString()), [this] { return m_token; }, *m_registry);
    }

    void installUpdateRollBackAndReinstall()
    {
        QVERIFY(install(QStringLiteral("1.0.1")));
        const QString v101 = toolFolder() + QStringLiteral("/1.0.1");
        auto installed =
            m_registry->installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
        QVERIFY(installed.ok() && installed->has_value());
        QCOMPARE((*installed)->version, QStringLiteral("1.0.1"));
        QCOMPARE((*installed)->folder, v101);
        QVERIFY(!(*installed)->files.empty());
        for (const auto &file : (*installed)->files) {
            QVERIFY2(QFileInfo::exists(v101 + QLatin1Char('/') + file.path), qPrintable(file.path));
        }
        QVERIFY(noDamage(**installed));
        QVERIFY(leftovers().isEmpty());

        // Update: the new version in its own folder, the old one gone once it is recorded.
        QVERIFY(install(QStringLiteral("2.0.0")));
        QVERIFY(QFileInfo::exists(toolFolder() + QStringLiteral("/2.0.0")));
        QVERIFY(!QFileInfo::exists(v101));
        QCOMPARE(version(), QStringLiteral("2.0.0"));

        // Roll back to an earlier release the organization is still entitled to.
        QVERIFY(install(QStringLiteral("1.0.0")));
        QCOMPARE(version(), QStringLiteral("1.0.0"));
        QVERIFY(!QFileInfo::exists(toolFolder() + QStringLiteral("/2.0.0")));

        // A repair of the same version swaps the folder; damage is gone afterwards.
        auto current =
            *m_registry->installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
        const QString damaged = current->folder + QLatin1Char('/') + current->files.front().path;
        QVERIFY(QFile::remove(damaged));
        QVERIFY(!noDamage(*current));
        QVERIFY(install(QStringLiteral("1.0.0")));
        current = *m_registry->installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
        QVERIFY(noDamage(*current));
        QVERIFY(leftovers().isEmpty());
    }

    void aZipInstallsOnceComplete()
    {
        InstallEnvironment windows = environment();
        windows.platform = toolhub::Platform::Windows;
        windows.installRoot = m_dir.filePath(QStringLiteral("windows-tools"));
        QVERIFY(install(QStringLiteral("2.0.0"), windows));
        QVERIFY(QFileInfo::exists(windows.installRoot + QStringLiteral("/fluxcad/flux-cli/2.0.0")));
    }

    void onlyVerifiedBytesAreInstalled()
    {
        // A download left over from before, complete in length and named by its metadata as the
        // right file, but holding another archive: extraction may begin on those bytes while the
        // download hashes them, finds them wrong and starts over. What gets installed must be
        // the verified artifact, never the leftover.
        const QString version = QStringLiteral("2.0.0");
        const auto artifact = linuxArtifact(version);
        QVERIFY(!artifact.sha256.isEmpty());
        InstallEnvironment env = environment();
        env.installRoot = m_dir.filePath(QStringLiteral("verified-tools"));
        env.cacheDir = m_dir.filePath(QStringLiteral("verified-cache"));
        const QString destination = env.cacheDir + QStringLiteral("/downloads/") +
                                    QString::fromLatin1(artifact.sha256) + QLatin1Char('/') +
                                    artifact.fileName;
        for (int round = 0; round < 5; ++round) {
            QVERIFY(QDir().mkpath(QFileInfo(destination).absolutePath()));
            QByteArray leftover = evilArchive();
            QVERIFY(leftover.size() <= artifact.size);
            leftover.append(QByteArray(artifact.size - leftover.size(), '\0'));
            writeFile(destination + QStringLiteral(".part"), leftover);
            writeFile(destination + QStringLiteral(".part.meta"),
                      QJsonDocument(QJsonObject{{QStringLiteral("url"), artifact.url.toString()},
                                                {QStringLiteral("sha256"),
                                                 QString::fromLatin1(artifact.sha256)},
                                                {QStringLiteral("size"), artifact.size}})
                          .toJson());
            QVERIFY(install(version, env));
            const QString folder = env.installRoot + QStringLiteral("/fluxcad/flux-cli/") + version;
            QVERIFY(!QFileInfo::exists(folder + QStringLiteral("/evil")));
            auto installed =
                m_registry->installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
            QVERIFY(installed.ok() && installed->has_value());
            for (const auto &file : (*installed)->files) {
                QVERIFY2(file.path != QLatin1String("evil"), "the leftover was installed");
            }
            QVERIFY(noDamage(**installed));
        }
    }

    void refusalsLeaveEverythingAsItWas_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("situation");
        QTest::addColumn<TaskError>("error");
        QTest::newRow("signed by another key") << "2.0.0"
                                               << "wrong key" << TaskError::Signature;
        QTest::newRow("no such release") << "9.9.9"
                                         << "" << TaskError::NotEntitled;
        // A higher manifest version of this release was accepted before: the server's is older.
        QTest::newRow("lower manifest version") << "1.0.1"
                                                << "seen higher" << TaskError::ManifestRollback;
        // The server's file is not what its manifest says.
        QTest::newRow("corrupted artifact") << "1.0.0"
                                            << "corrupt" << TaskError::Integrity;
    }
    void refusalsLeaveEverythingAsItWas()
    {
        QFETCH(QString, version);
        QFETCH(QString, situation);
        QFETCH(TaskError, error);
        const QString before = this->version();
        InstallEnvironment env = environment();
        if (situation == QLatin1String("wrong key")) {
            env.serverKey = QByteArray(32, '\x11');
        }
        if (situation == QLatin1String("seen higher")) {
            const QString origin = m_server->url(QString()).adjusted(QUrl::RemovePath).toString();
            QVERIFY(m_registry
                        ->acceptManifestVersion(origin, QStringLiteral("fluxcad"),
                                                QStringLiteral("flux-cli"), version,
                                                std::uint64_t{1} << 62)
                        .ok());
        }
        QString corrupted;
        QByteArray original;
        if (situation == QLatin1String("corrupt")) {
            // Same length, other bytes: only the hash can tell.
            const auto artifact = linuxArtifact(version);
            QDirIterator files(m_server->dataDir(), {artifact.fileName}, QDir::Files,
                               QDirIterator::Subdirectories);
            QVERIFY(files.hasNext());
            corrupted = files.next();
            QFile file(corrupted);
            QVERIFY(file.open(QIODevice::ReadWrite));
            original = file.readAll();
            QVERIFY(file.seek(original.size() / 2));
            QVERIFY(file.write("corrupt") == 7);
        }
        InstallTask task({QStringLiteral("fluxcad"), QStringLiteral("flux-cli"), version}, env);
        QSignalSpy failed(&task, &Task::failed);
        task.start();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 60000);
        if (!corrupted.isEmpty()) {
            writeFile(corrupted, original);
        }
        QCOMPARE(failed.at(0).at(0).value<TaskError>(), error);
        QCOMPARE(this->version(), before);
        QVERIFY(leftovers().isEmpty());
        QVERIFY(!QFileInfo::exists(toolFolder() + QLatin1Char('/') + version));
    }

private:
    struct Artifact {
        QUrl url;
        QByteArray sha256;
        qint64 size = 0;
        QString fileName;
    };

    // The linux/x86_64 artifact of flux-cli `version`, from its manifest.
    Artifact linuxArtifact(const QString &version)
    {
        std::optional<ApiReply> reply;
        m_api->get(QStringLiteral("/api/v1/tools/flux-cli/releases/%1/manifest").arg(version), this,
                   [&reply](const ApiReply &r) { reply = r; });
        if (!QTest::qWaitFor([&reply] { return reply.has_value(); }, 10000) || !reply->ok()) {
            return {};
        }
        const auto payload = QJsonDocument::fromJson(QJsonDocument::fromJson(reply->body)
                                                         .object()
                                                         .value(QLatin1String("payload"))
                                                         .toString()
                                                         .toUtf8());
        for (const auto &value : payload.object().value(QLatin1String("artifacts")).toArray()) {
            const auto a = value.toObject();
            if (a.value(QLatin1String("platform")).toString() == QLatin1String("linux")) {
                return {m_server->url(a.value(QLatin1String("download_url")).toString()),
                        a.value(QLatin1String("sha256")).toString().toLatin1(),
                        a.value(QLatin1String("size")).toInteger(),
                        a.value(QLatin1String("file_name")).toString()};
            }
        }
        return {};
    }

    // A small gzip'ed tar holding the file "evil".
    static QByteArray evilArchive()
    {
        QProcess python;
        python.start(
            QStringLiteral("python3"),
            {QStringLiteral("-c"),
             QStringLiteral("import io,sys,tarfile\n"
                            "b=io.BytesIO()\n"
                            "t=tarfile.open(fileobj=b,mode='w:gz',format=tarfile.USTAR_FORMAT)\n"
                            "i=tarfile.TarInfo('evil'); d=b'pwned'; i.size=len(d)\n"
                            "t.addfile(i,io.BytesIO(d)); t.close()\n"
                            "sys.stdout.buffer.write(b.getvalue())\n")});
        python.waitForFinished(10000);
        return python.readAllStandardOutput();
    }

    static void writeFile(const QString &path, const QByteArray &bytes)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(file.write(bytes), bytes.size());
    }

    InstallEnvironment environment()
    {
        InstallEnvironment env;
        env.api = m_api.get();
        env.registry = m_registry.get();
        env.serverKey = m_serverKey;
        env.installRoot = m_dir.filePath(QStringLiteral("tools"));
        env.cacheDir = m_dir.filePath(QStringLiteral("cache"));
        env.accessToken = [this] { return m_token; };
        env.platform = toolhub::Platform::Linux;
        env.arch = toolhub::Arch::X86_64;
        return env;
    }

    bool install(const QString &version, std::optional<InstallEnvironment> env = std::nullopt)
    {
        InstallTask task({QStringLiteral("fluxcad"), QStringLiteral("flux-cli"), version},
                         env ? *env : environment());
        QSignalSpy progress(&task, &Task::progress);
        task.start();
        if (!QTest::qWaitFor([&task] { return task.isFinished(); }, 60000)) {
            qWarning("install %s: timed out", qPrintable(version));
            return false;
        }
        if (task.state() != Task::State::Succeeded) {
            qWarning("install %s: %s", qPrintable(version), qPrintable(task.errorMessage()));
            return false;
        }
        if (progress.isEmpty() || task.done() != task.total()) {
            qWarning("install %s: no complete progress", qPrintable(version));
            return false;
        }
        return true;
    }

    QString version()
    {
        auto installed =
            m_registry->installation(QStringLiteral("fluxcad"), QStringLiteral("flux-cli"));
        return installed.ok() && installed->has_value() ? (*installed)->version : QString();
    }

    [[nodiscard]] QString toolFolder() const
    {
        return m_dir.filePath(QStringLiteral("tools/fluxcad/flux-cli"));
    }

    // Staging folders, swapped-away old versions and cached downloads left behind.
    QStringList leftovers() const
    {
        QStringList found;
        QDirIterator tools(m_dir.filePath(QStringLiteral("tools")),
                           QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                           QDirIterator::Subdirectories);
        while (tools.hasNext()) {
            const QString path = tools.next();
            if (path.contains(QLatin1String(".staging-")) ||
                path.contains(QLatin1String(".old-"))) {
                found << path;
            }
        }
        QDirIterator cache(m_dir.filePath(QStringLiteral("cache")), QDir::Files | QDir::Hidden,
                           QDirIterator::Subdirectories);
        while (cache.hasNext()) {
            found << cache.next();
        }
        return found;
    }

    bool noDamage(const Installation &installation)
    {
        std::vector<DamagedFile> damaged;
        std::atomic<bool> canceled{false};
        BackgroundTask::Control control{[](qint64, qint64) {}, canceled};
        return !verifyInstallation(installation, damaged, control) && damaged.empty();
    }

    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    QByteArray m_serverKey;
    QByteArray m_token;
    std::unique_ptr<Registry> m_registry;
    QNetworkAccessManager m_network;
    std::unique_ptr<ApiClient> m_api;
};

QTEST_GUILESS_MAIN(InstallTaskTest)
#include "install_task_test.moc"
