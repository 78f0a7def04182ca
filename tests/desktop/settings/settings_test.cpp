// The user's settings under IT's managed values: managed wins and is locked; addresses and
// numbers are validated.

#include "core/settings/settings.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

std::unique_ptr<QSettings> iniFile(const QString &path)
{
    return std::make_unique<QSettings>(path, QSettings::IniFormat);
}

void writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

} // namespace

class SettingsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Where this machine's managed file is looked up on Linux: $XDG_CONFIG_DIRS.
        qputenv("XDG_CONFIG_DIRS", QFile::encodeName(m_dir.filePath(QStringLiteral("xdg"))));
        QStandardPaths::setTestModeEnabled(true);
    }

    void init()
    {
        QFile::remove(userFile());
        QFile::remove(managedFile());
    }

    void defaultsWithNothingSet()
    {
        Settings settings(iniFile(userFile()), nullptr);
        QVERIFY(settings.serverUrl().isEmpty());
        QCOMPARE(settings.parallelDownloads(), 3);
        QVERIFY(settings.installRoot().endsWith(QLatin1String("/tools")));
        QVERIFY(QDir::isAbsolutePath(settings.installRoot()));
        QVERIFY(!settings.trustsPortal());
        QVERIFY(!settings.presetServerKey());
        QVERIFY(!settings.isLocked(Settings::Key::ServerUrl));
    }

    void userValuesAreKept()
    {
        {
            Settings settings(iniFile(userFile()), nullptr);
            QCOMPARE(settings.setServerUrl(QUrl(QStringLiteral("https://toolhub.example.com/"))),
                     QString());
            QCOMPARE(settings.setParallelDownloads(5), QString());
            QCOMPARE(settings.setInstallRoot(QStringLiteral("/opt/tools/")), QString());
        }
        Settings reopened(iniFile(userFile()), nullptr);
        QCOMPARE(reopened.serverUrl(), QUrl(QStringLiteral("https://toolhub.example.com")));
        QCOMPARE(reopened.parallelDownloads(), 5);
        QCOMPARE(reopened.installRoot(), QStringLiteral("/opt/tools"));
    }

    void serverAddressesAreChecked_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("https") << "https://toolhub.example.com" << true;
        QTest::newRow("https with port and path") << "https://example.com:8443/toolhub" << true;
        QTest::newRow("http loopback v4") << "http://127.0.0.1:8080" << true;
        QTest::newRow("http loopback v6") << "http://[::1]:8080" << true;
        QTest::newRow("http localhost") << "http://localhost:8080" << true;
        QTest::newRow("http remote") << "http://toolhub.example.com" << false;
        QTest::newRow("ftp") << "ftp://toolhub.example.com" << false;
        QTest::newRow("file") << "file:///etc/passwd" << false;
        QTest::newRow("credentials") << "https://user:secret@toolhub.example.com" << false;
        QTest::newRow("query") << "https://toolhub.example.com/?next=x" << false;
        QTest::newRow("fragment") << "https://toolhub.example.com/#x" << false;
        QTest::newRow("no host") << "https://" << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("toolhub link") << "toolhub://install/a/b" << false;
    }
    void serverAddressesAreChecked()
    {
        QFETCH(QString, url);
        QFETCH(bool, accepted);
        Settings settings(iniFile(userFile()), nullptr);
        const QString refusal = settings.setServerUrl(QUrl(url));
        QCOMPARE(refusal.isEmpty(), accepted);
        QCOMPARE(settings.serverUrl().isEmpty(), !accepted);
    }

    void aHandEditedBadAddressIsNotUsed()
    {
        writeFile(userFile(), "[server]\nurl=http://evil.example.com\n");
        Settings settings(iniFile(userFile()), nullptr);
        QVERIFY(settings.serverUrl().isEmpty());
    }

    void outOfRangeNumbersAreRefused()
    {
        Settings settings(iniFile(userFile()), nullptr);
        QVERIFY(!settings.setParallelDownloads(0).isEmpty());
        QVERIFY(!settings.setParallelDownloads(9).isEmpty());
        QVERIFY(!settings.setInstallRoot(QStringLiteral("relative/tools")).isEmpty());
        writeFile(userFile(), "[downloads]\nparallel=64\n");
        Settings edited(iniFile(userFile()), nullptr);
        QCOMPARE(edited.parallelDownloads(), Settings::defaultParallelDownloads);
    }

    void managedValuesWinAndAreLocked()
    {
        const QByteArray key(32, '\x07');
        writeFile(managedFile(),
                  "[server]\nurl=https://toolhub.corp.example\npublic_key=" + key.toBase64() +
                      "\n[downloads]\nparallel=2\n[links]\ntrusted_portal=true\n");
        writeFile(userFile(), "[server]\nurl=https://mine.example.com\n[downloads]\nparallel=6\n"
                              "[install]\nroot=/home/me/tools\n");
        Settings settings(iniFile(userFile()), iniFile(managedFile()));
        QCOMPARE(settings.serverUrl(), QUrl(QStringLiteral("https://toolhub.corp.example")));
        QCOMPARE(settings.parallelDownloads(), 2);
        QCOMPARE(settings.installRoot(), QStringLiteral("/home/me/tools")); // not managed
        QVERIFY(settings.trustsPortal());
        QCOMPARE(settings.presetServerKey(), std::optional<QByteArray>(key));
        QVERIFY(settings.isLocked(Settings::Key::ServerUrl));
        QVERIFY(settings.isLocked(Settings::Key::ParallelDownloads));
        QVERIFY(!settings.isLocked(Settings::Key::InstallRoot));

        QVERIFY(
            !settings.setServerUrl(QUrl(QStringLiteral("https://other.example.com"))).isEmpty());
        QVERIFY(!settings.setParallelDownloads(4).isEmpty());
        QCOMPARE(settings.setInstallRoot(QStringLiteral("/srv/tools")), QString());
        QCOMPARE(settings.serverUrl(), QUrl(QStringLiteral("https://toolhub.corp.example")));
        QCOMPARE(settings.parallelDownloads(), 2);
    }

    void onlyItCanTrustThePortal()
    {
        writeFile(userFile(), "[links]\ntrusted_portal=true\n[server]\npublic_key=" +
                                  QByteArray(32, 'k').toBase64() + "\n");
        Settings settings(iniFile(userFile()), nullptr);
        QVERIFY(!settings.trustsPortal());
        QVERIFY(!settings.presetServerKey());
    }

    void aMalformedPresetKeyIsIgnored()
    {
        writeFile(managedFile(), "[server]\npublic_key=" + QByteArray(31, 'k').toBase64() + "\n");
        Settings shortKey(iniFile(userFile()), iniFile(managedFile()));
        QVERIFY(!shortKey.presetServerKey());
        writeFile(managedFile(), "[server]\npublic_key=not*base64\n");
        Settings garbage(iniFile(userFile()), iniFile(managedFile()));
        QVERIFY(!garbage.presetServerKey());
    }

    void thisMachineReadsTheSystemWideFile()
    {
        writeFile(m_dir.filePath(QStringLiteral("xdg/Toolhub/toolhub.conf")),
                  "[server]\nurl=https://it.example.org\n");
        const auto settings = Settings::forThisMachine();
        QCOMPARE(settings->serverUrl(), QUrl(QStringLiteral("https://it.example.org")));
        QVERIFY(settings->isLocked(Settings::Key::ServerUrl));
        QVERIFY(!settings->isLocked(Settings::Key::InstallRoot));
    }

private:
    [[nodiscard]] QString userFile() const { return m_dir.filePath(QStringLiteral("user.ini")); }
    [[nodiscard]] QString managedFile() const
    {
        return m_dir.filePath(QStringLiteral("managed.ini"));
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(SettingsTest)
#include "settings_test.moc"
