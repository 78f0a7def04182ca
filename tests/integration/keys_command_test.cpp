// `toolhub-server keys show`: the real binary prints the public half of the key its key file
// holds, the same on every run, and the server logs the same key when it starts.

#include "server_process.h"

#include "toolhub/crypto.h"
#include "toolhub/manifest.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <sys/stat.h>

namespace {

// The public key (base64) derived from the seed line of a key file.
QString publicKeyOfFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    for (const auto &line : file.readAll().split('\n')) {
        if (line.startsWith("ed25519-seed: ")) {
            const auto seed = toolhub::fromBase64(line.mid(14).toStdString());
            if (!seed) {
                return {};
            }
            const auto keys = toolhub::ed25519KeyPairFromSeed(*seed);
            return keys ? QString::fromStdString(toolhub::toBase64(keys->publicKey)) : QString{};
        }
    }
    return {};
}

} // namespace

class KeysCommandTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showPrintsTheKeyTheFileHolds();
    void serverLogsTheSameKey();
    void insecureKeyFileStopsTheServer();
};

void KeysCommandTest::showPrintsTheKeyTheFileHolds()
{
    ServerProcess server;
    QCOMPARE(server.runToCompletion({QStringLiteral("keys"), QStringLiteral("show")}), 0);
    const auto first = server.standardOutput();
    QCOMPARE(server.runToCompletion({QStringLiteral("keys"), QStringLiteral("show")}), 0);
    const auto both = server.standardOutput();
    const auto keyFile = server.dataDir() + QStringLiteral("/signing-key");
    QVERIFY(QFile::exists(keyFile));

    static const QRegularExpression pattern(
        QStringLiteral("^public_key: ([A-Za-z0-9+/]{43}=)\nkey_id: ([0-9a-f]{16})\n$"));
    // standardOutput() accumulates: the second run's output follows the first's.
    QVERIFY2(both.size() == 2 * first.size() && both.startsWith(first) && both.endsWith(first),
             both.constData());
    const auto match = pattern.match(QString::fromLatin1(first));
    QVERIFY2(match.hasMatch(), first.constData());
    QCOMPARE(match.captured(1), publicKeyOfFile(keyFile));
    const auto publicKey = toolhub::fromBase64(match.captured(1).toStdString());
    QVERIFY(publicKey.ok());
    QCOMPARE(match.captured(2), QString::fromStdString(toolhub::manifestKeyId(*publicKey)));
}

void KeysCommandTest::serverLogsTheSameKey()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QString logged;
    for (const auto &record : server.logRecords()) {
        if (record.value(QLatin1String("message"))
                .toString()
                .contains(QLatin1String("manifest signing key"))) {
            logged = record.value(QLatin1String("key.public")).toString();
        }
    }
    QCOMPARE(server.terminate(), 0);
    QVERIFY(!logged.isEmpty());
    QCOMPARE(logged, publicKeyOfFile(server.dataDir() + QStringLiteral("/signing-key")));
    // No log line carries the secret seed.
    QVERIFY(!server.standardOutput().contains("ed25519-seed"));
}

void KeysCommandTest::insecureKeyFileStopsTheServer()
{
    ServerProcess server;
    QCOMPARE(server.runToCompletion({QStringLiteral("keys"), QStringLiteral("show")}), 0);
    const auto keyFile = server.dataDir() + QStringLiteral("/signing-key");
    QVERIFY(::chmod(keyFile.toLocal8Bit().constData(), 0644) == 0);
    QCOMPARE(server.runToCompletion({QStringLiteral("keys"), QStringLiteral("show")}), 1);
    QVERIFY(server.standardError().contains("chmod 600"));
    QVERIFY(!server.start());
    QVERIFY(server.errorString().contains(QLatin1String("chmod 600")));
}

QTEST_GUILESS_MAIN(KeysCommandTest)
#include "keys_command_test.moc"
