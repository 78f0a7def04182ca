// The server's manifest signing key file: created private, reloaded identically, refused when
// others can read it or when it is not a key.

#include "core/signing/signing_key.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

using namespace toolhub;
using namespace toolhub::server;

namespace {

unsigned modeOf(const std::filesystem::path &file)
{
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
        return 0;
    }
    return info.st_mode & 07777U;
}

void writeFile(const std::filesystem::path &file, const std::string &text, unsigned mode)
{
    std::ofstream(file) << text;
    ::chmod(file.c_str(), mode);
}

} // namespace

class SigningKeyTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createsAPrivateFileOnFirstUse();
    void reloadsTheSameKey();
    void refusesAFileOthersCanRead_data();
    void refusesAFileOthersCanRead();
    void corruptFileIsAClearError_data();
    void corruptFileIsAClearError();
    void missingFileIsNotFoundForLoad();
    void signsManifestsThatVerify();
    void noTemporaryFilesAreLeft();

private:
    QTemporaryDir m_dir;
};

void SigningKeyTest::createsAPrivateFileOnFirstUse()
{
    const std::filesystem::path file =
        m_dir.filePath(QStringLiteral("new/keys/signing-key")).toStdString();
    const auto key = SigningKey::loadOrCreate(file);
    QVERIFY2(key.ok(), key ? "" : key.error().message.c_str());
    QVERIFY(key->created());
    QVERIFY(std::filesystem::is_regular_file(file));
    QCOMPARE(modeOf(file), 0600U);
    QCOMPARE(key->keyId().size(), std::size_t{16});
    QCOMPARE(key->publicKeyBase64().size(), std::size_t{44});
    // The file names its public key for people, and holds the seed.
    std::ifstream in(file);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    QVERIFY(text.find("# public key: " + key->publicKeyBase64()) != std::string::npos);
    QVERIFY(text.find("ed25519-seed: ") != std::string::npos);
}

void SigningKeyTest::reloadsTheSameKey()
{
    const std::filesystem::path file = m_dir.filePath(QStringLiteral("reload-key")).toStdString();
    const auto first = SigningKey::loadOrCreate(file);
    QVERIFY(first.ok());
    const auto second = SigningKey::loadOrCreate(file);
    QVERIFY(second.ok());
    QVERIFY(!second->created());
    QCOMPARE(second->publicKeyBase64(), first->publicKeyBase64());
    QCOMPARE(second->keyId(), first->keyId());
    const auto loaded = SigningKey::load(file);
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->publicKeyBase64(), first->publicKeyBase64());
}

void SigningKeyTest::refusesAFileOthersCanRead_data()
{
    QTest::addColumn<unsigned>("mode");
    QTest::newRow("0644") << 0644U;
    QTest::newRow("0640") << 0640U;
    QTest::newRow("0604") << 0604U;
    QTest::newRow("0620") << 0620U;
}

void SigningKeyTest::refusesAFileOthersCanRead()
{
    QFETCH(unsigned, mode);
    const std::filesystem::path file =
        m_dir.filePath(QStringLiteral("open-key-%1").arg(mode, 0, 8)).toStdString();
    QVERIFY(SigningKey::loadOrCreate(file).ok());
    ::chmod(file.c_str(), mode);
    const auto key = SigningKey::loadOrCreate(file);
    QVERIFY(!key.ok());
    QCOMPARE(key.error().code, ErrorCode::FailedPrecondition);
    const auto &message = key.error().message;
    QVERIFY2(message.find(file.string()) != std::string::npos, message.c_str());
    QVERIFY2(message.find("chmod 600") != std::string::npos, message.c_str());
    // The secret is not in the message.
    QVERIFY(message.find("ed25519-seed") == std::string::npos);
    // Nothing was replaced: fixing the mode brings the same key back.
    ::chmod(file.c_str(), 0600);
    QVERIFY(SigningKey::loadOrCreate(file).ok());
}

void SigningKeyTest::corruptFileIsAClearError_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("garbage") << QByteArray("hello\n");
    QTest::newRow("short seed") << QByteArray("ed25519-seed: AAAA\n");
    QTest::newRow("bad base64") << QByteArray("ed25519-seed: ####\n");
    QTest::newRow("two seeds") << QByteArray(
        "ed25519-seed: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        "ed25519-seed: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
}

void SigningKeyTest::corruptFileIsAClearError()
{
    QFETCH(QByteArray, contents);
    const std::filesystem::path file =
        m_dir
            .filePath(
                QStringLiteral("corrupt-%1").arg(QString::fromLatin1(QTest::currentDataTag())))
            .toStdString();
    writeFile(file, contents.toStdString(), 0600);
    const auto key = SigningKey::loadOrCreate(file);
    QVERIFY(!key.ok());
    QCOMPARE(key.error().code, ErrorCode::FailedPrecondition);
    QVERIFY2(key.error().message.find("is not a toolhub signing key") != std::string::npos,
             key.error().message.c_str());
    // A corrupt key is never silently replaced by a new one.
    std::ifstream in(file);
    QCOMPARE(std::string(std::istreambuf_iterator<char>(in), {}), contents.toStdString());
}

void SigningKeyTest::missingFileIsNotFoundForLoad()
{
    const auto key = SigningKey::load(m_dir.filePath(QStringLiteral("absent")).toStdString());
    QVERIFY(!key.ok());
    QCOMPARE(key.error().code, ErrorCode::NotFound);
}

void SigningKeyTest::signsManifestsThatVerify()
{
    const auto key =
        SigningKey::loadOrCreate(m_dir.filePath(QStringLiteral("sign-key")).toStdString());
    QVERIFY(key.ok());
    ReleaseManifest manifest;
    manifest.manifestVersion = 1;
    manifest.product = "p";
    manifest.tool = "t";
    manifest.version = *parseSemVer("1.0.0");
    manifest.issuedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    manifest.expiresAt = manifest.issuedAt + std::chrono::hours{1};
    const auto signedManifest = key->sign(manifest);
    QVERIFY(signedManifest.ok());
    QCOMPARE(signedManifest->keyId, key->keyId());
    QVERIFY(verifyManifest(*signedManifest, key->publicKey()).ok());
}

void SigningKeyTest::noTemporaryFilesAreLeft()
{
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath(QStringLiteral("signing-key")).toStdString();
    QVERIFY(SigningKey::loadOrCreate(file).ok());
    std::size_t entries = 0;
    for (const auto &entry : std::filesystem::directory_iterator(file.parent_path())) {
        QCOMPARE(entry.path().filename().string(), std::string{"signing-key"});
        ++entries;
    }
    QCOMPARE(entries, std::size_t{1});
}

QTEST_GUILESS_MAIN(SigningKeyTest)
#include "signing_key_test.moc"
