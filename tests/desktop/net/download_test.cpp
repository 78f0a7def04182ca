// DownloadTask and GrowingFileReader against the real toolhub-server process on the demo data,
// plus a large artifact this test registers: whole files, resumes after a killed server and
// after a cancel, integrity failures, sign-in and entitlement errors, disk space, and reading
// the bytes while they arrive. What the real server cannot be made to do on demand (answer 503
// or 429, cut a body short, send more than it announced) comes from a small scripted peer.

#include "core/net/download.h"
#include "core/net/growing_file_reader.h"

#include "core/catalog/catalog.h"
#include "core/identity/identity.h"
#include "core/licensing/licensing.h"
#include "http_client.h"
#include "native_sign_in.h"
#include "result_text.h"
#include "server_process.h"
#include "test_database.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/types.h>

using toolhub::test::messageOf;

namespace {

constexpr qint64 MiB = qint64{1} << 20;
constexpr qint64 bigSize = 64 * MiB + 4321; // larger than any socket buffers in between
constexpr auto bigStorageKey = "test/download-test/big-1.0.0-linux-x86_64.bin";

// One artifact as the manifest describes it, and the bytes the test expects.
struct Artifact {
    QString path; // the download_url: a path on whichever server runs
    QByteArray sha256;
    qint64 size = 0;
    QByteArray bytes;
};

QByteArray sha256Hex(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Short waits between attempts, so failures after retries come quickly.
DownloadOptions quickRetries()
{
    DownloadOptions options;
    options.maxAttempts = 3;
    options.firstRetryDelay = std::chrono::milliseconds{20};
    options.connectTimeout = std::chrono::seconds{5};
    return options;
}

// An HTTP/1.1 peer on 127.0.0.1 that answers each request with the next scripted response
// (the last one repeats) and closes the connection; it records the requests and when they came.
class ScriptedHttpServer : public QObject {
    Q_OBJECT

public:
    struct Received {
        QByteArray head; // request line and header fields
        qint64 atMs = 0;
    };

    explicit ScriptedHttpServer(QList<QByteArray> responses) : m_responses(std::move(responses))
    {
        connect(&m_server, &QTcpServer::newConnection, this, &ScriptedHttpServer::accept);
        m_clock.start();
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    [[nodiscard]] QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/artifact").arg(m_server.serverPort()));
    }
    [[nodiscard]] const QList<Received> &received() const { return m_received; }

    static QByteArray response(const QByteArray &statusLine, const QList<QByteArray> &fields,
                               const QByteArray &body)
    {
        QByteArray out = "HTTP/1.1 " + statusLine + "\r\nConnection: close\r\n";
        for (const auto &field : fields) {
            out += field + "\r\n";
        }
        return out + "\r\n" + body;
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                m_buffers[socket] += socket->readAll();
                const qsizetype end = m_buffers[socket].indexOf("\r\n\r\n");
                if (end < 0) {
                    return;
                }
                m_received.append({m_buffers[socket].left(end), m_clock.elapsed()});
                m_buffers.remove(socket);
                const qsizetype index = std::min(m_received.size(), m_responses.size()) - 1;
                socket->write(m_responses.at(index));
                socket->disconnectFromHost(); // after the bytes are written
            });
        }
    }

    QTcpServer m_server;
    QList<QByteArray> m_responses;
    QList<Received> m_received;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QElapsedTimer m_clock;
};

} // namespace

class DownloadTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void wholeDownloadEqualsTheFile();
    void readerFollowsARunningDownload();
    void wrongSha256IsRefusedAndDeleted();
    void smallerExpectedSizeAbortsEarly();
    void badTokenIsNotSignedInWithoutRetries();
    void otherOrganizationsArtifactIsNotEntitled();
    void notEnoughDiskSpace();
    void cancelKeepsThePartAndALaterTaskResumes();
    void partWithStaleValidatorStartsOver();
    void killedServerFailsThenRestartedServerResumes();
    void serverErrorsAreRetriedHonouringRetryAfter();
    void serverErrorsEndAfterTheLastAttempt();
    void shortBodyIsResumedWithRangeAndIfRange();
    void partLongerThanTheFileStartsOver();
    void moreBytesThanExpectedAbortAtOnce();
    void systemProxyIsUsed();

private:
    ServerProcess &server() { return *m_servers.back(); }
    bool startServer(const QString &dataDir, QString *error);
    bool signIn(QString *error);
    QString fresh(const QString &name);
    void verifyServerSurvived();
    DownloadRequest requestFor(const Artifact &artifact, const QString &destination,
                               const QByteArray &token) const;
    Artifact manifestArtifact(const QByteArray &token, const QString &tool, const QString &version);
    void seedBigArtifact();

    std::vector<std::unique_ptr<ServerProcess>> m_servers; // the last one runs
    QTemporaryDir m_cache;
    QNetworkAccessManager m_network;
    QByteArray m_acme;
    QByteArray m_globex;
    Artifact m_demo;    // fluxcad 2.0.0, licensed to ACME
    Artifact m_foreign; // meshlab-pro 3.2.0: ACME's, not Globex's
    Artifact m_big;
};

bool DownloadTest::startServer(const QString &dataDir, QString *error)
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    if (!dataDir.isEmpty()) {
        environment.insert(QStringLiteral("TOOLHUB_DATA_DIR"), dataDir); // a restart
    }
    m_servers.push_back(std::make_unique<ServerProcess>(environment));
    if (!server().start()) {
        *error = server().errorString();
        return false;
    }
    return true;
}

bool DownloadTest::signIn(QString *error)
{
    m_acme = signInNative(server(), QStringLiteral("alice.archer@acme.example"),
                          QStringLiteral("acme-demo-1"), error)
                 .value(QLatin1String("access_token"))
                 .toString()
                 .toLatin1();
    m_globex = signInNative(server(), QStringLiteral("dana.diaz@globex.example"),
                            QStringLiteral("globex-demo-1"), error)
                   .value(QLatin1String("access_token"))
                   .toString()
                   .toLatin1();
    return !m_acme.isEmpty() && !m_globex.isEmpty();
}

QString DownloadTest::fresh(const QString &name)
{
    return m_cache.filePath(
        QStringLiteral("%1/%2").arg(QString::fromLatin1(QTest::currentTestFunction()), name));
}

// A client that stops reading a download (a cancel, a refused length) closes its connection
// with bytes unread; the server must go on serving others.
void DownloadTest::verifyServerSurvived()
{
    const auto reply = httpRequest(m_network, "GET", server().url(QStringLiteral("/livez")));
    QVERIFY2(reply.status == 200,
             qPrintable(QStringLiteral("toolhub-server stopped answering after a client closed "
                                       "a download early (%1):\n%2")
                            .arg(reply.error, QString::fromUtf8(server().standardError()))));
}

DownloadRequest DownloadTest::requestFor(const Artifact &artifact, const QString &destination,
                                         const QByteArray &token) const
{
    DownloadRequest request;
    request.url = m_servers.back()->url(artifact.path);
    request.bearerToken = token;
    request.expectedSize = artifact.size;
    request.expectedSha256Hex = artifact.sha256;
    request.destination = destination;
    return request;
}

Artifact DownloadTest::manifestArtifact(const QByteArray &token, const QString &tool,
                                        const QString &version)
{
    const auto reply = httpRequest(
        m_network, "GET",
        server().url(QStringLiteral("/api/v1/tools/%1/releases/%2/manifest").arg(tool, version)),
        {{"Authorization", "Bearer " + token}});
    const auto payload =
        QJsonDocument::fromJson(reply.json().value(QLatin1String("payload")).toString().toUtf8())
            .object();
    const auto artifact = payload.value(QLatin1String("artifacts")).toArray().first().toObject();
    Artifact out;
    out.path = artifact.value(QLatin1String("download_url")).toString();
    out.sha256 = artifact.value(QLatin1String("sha256")).toString().toLatin1();
    out.size = artifact.value(QLatin1String("size")).toInteger();
    if (!out.path.isEmpty()) {
        out.bytes = httpRequest(m_network, "GET", server().url(out.path),
                                {{"Authorization", "Bearer " + token}})
                        .body;
    }
    return out;
}

// A release with one 64 MiB artifact of random bytes, licensed to ACME, written into the running
// server's database and artifact store the way an administrator's tools do.
void DownloadTest::seedBigArtifact()
{
    m_big.bytes.resize(bigSize);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(m_big.bytes.data()),
                                          bigSize / 4);
    m_big.size = bigSize;
    m_big.sha256 = sha256Hex(m_big.bytes);
    const QString file =
        server().dataDir() + QStringLiteral("/artifacts/") + QString::fromLatin1(bigStorageKey);
    QVERIFY(QDir().mkpath(QFileInfo(file).absolutePath()));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QCOMPARE(out.write(m_big.bytes), bigSize);
    out.close();

    QString error;
    auto db = toolhub::test::openDatabase(
        "sqlite://" + (server().dataDir() + QStringLiteral("/toolhub.db")).toStdString(), 1,
        &error);
    QVERIFY2(db, qPrintable(error));
    const auto now = [] { return QDateTime::currentSecsSinceEpoch(); };
    toolhub::server::IdentityStore identity(*db, now);
    toolhub::server::Licensing licensing(*db);
    toolhub::server::Catalog catalog(*db, licensing);
    const auto acme = identity.findOrganizationBySlug("acme");
    QVERIFY2(acme.ok(), messageOf(acme));
    const auto product = catalog.createProduct(
        {"download-test", "Download Test", "A large artifact for the download tests", ""}, now());
    QVERIFY2(product.ok(), messageOf(product));
    const auto tool = catalog.createTool({*product, "big", "Big", "One large file"}, now());
    QVERIFY2(tool.ok(), messageOf(tool));
    const auto release = catalog.createRelease(
        {*tool, "1.0.0", toolhub::Channel::Stable, toolhub::ReleaseStatus::Draft, std::nullopt, ""},
        now());
    QVERIFY2(release.ok(), messageOf(release));
    const auto artifact =
        catalog.addArtifact({*release, toolhub::Platform::Linux, toolhub::Arch::X86_64,
                             static_cast<std::uint64_t>(bigSize), m_big.sha256.toStdString(),
                             "big-1.0.0-linux-x86_64.bin", bigStorageKey},
                            now());
    QVERIFY2(artifact.ok(), messageOf(artifact));
    const auto published =
        catalog.setReleaseStatus(*release, toolhub::ReleaseStatus::Published, now());
    QVERIFY2(published.ok(), messageOf(published));
    toolhub::server::NewLicense license;
    license.serial = "DOWNLOAD-TEST-0001";
    license.productId = *product;
    license.organizationId = acme->id;
    license.orderRef = "DOWNLOAD-TEST";
    const auto licensed = licensing.createLicense(license, now());
    QVERIFY2(licensed.ok(), messageOf(licensed));
    m_big.path =
        QStringLiteral("/api/v1/artifacts/%1/download").arg(QString::fromStdString(*artifact));
}

void DownloadTest::initTestCase()
{
    QVERIFY(m_cache.isValid());
    QString error;
    QVERIFY2(startServer({}, &error), qPrintable(error));
    QVERIFY2(signIn(&error), qPrintable(error));

    m_demo = manifestArtifact(m_acme, QStringLiteral("fluxcad"), QStringLiteral("2.0.0"));
    QVERIFY(!m_demo.path.isEmpty());
    QCOMPARE(m_demo.bytes.size(), m_demo.size);
    QCOMPARE(sha256Hex(m_demo.bytes), m_demo.sha256);
    m_foreign = manifestArtifact(m_acme, QStringLiteral("meshlab-pro"), QStringLiteral("3.2.0"));
    QVERIFY(!m_foreign.path.isEmpty());

    seedBigArtifact();
    // The server sees the new artifact (writes of other processes reach it within a moment).
    QTRY_COMPARE_WITH_TIMEOUT(
        httpRequest(m_network, "GET", server().url(m_big.path),
                    {{"Authorization", "Bearer " + m_acme}, {"Range", "bytes=0-9"}})
            .status,
        206, 10000);
}

void DownloadTest::cleanupTestCase()
{
    if (!m_servers.empty()) {
        const int exitCode = server().terminate();
        QVERIFY2(exitCode == 0,
                 qPrintable(QString::fromUtf8(server().standardOutput().right(4000) +
                                              server().standardError().right(4000))));
    }
    // Newest first: a restarted server used the data folder of the one before it.
    while (!m_servers.empty()) {
        m_servers.pop_back();
    }
}

void DownloadTest::wholeDownloadEqualsTheFile()
{
    const QString destination = fresh(QStringLiteral("fluxcad.tar.gz"));
    DownloadTask task(requestFor(m_demo, destination, m_acme));
    QSignalSpy succeeded(&task, &Task::succeeded);
    QSignalSpy progress(&task, &Task::progress);
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QVERIFY2(task.state() == Task::State::Succeeded, qPrintable(task.errorMessage()));
    QCOMPARE(succeeded.count(), 1);
    const QByteArray bytes = readAll(destination);
    QCOMPARE(bytes.size(), m_demo.size);
    QCOMPARE(sha256Hex(bytes), m_demo.sha256);
    QVERIFY(bytes == m_demo.bytes);
    QCOMPARE(task.done(), m_demo.size);
    QCOMPARE(task.total(), m_demo.size);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(task.attempts(), 1);
    QCOMPARE(task.resumedFrom(), 0);
    QCOMPARE(task.bytesReceived(), m_demo.size);
    QVERIFY(!QFile::exists(DownloadTask::partPathFor(destination)));
    QVERIFY(!QFile::exists(DownloadTask::metaPathFor(destination)));
}

void DownloadTest::readerFollowsARunningDownload()
{
    const QString destination = fresh(QStringLiteral("big.bin"));
    DownloadOptions options;
    options.maxBytesPerSecond = 32 * MiB; // about two seconds: the reader runs alongside
    DownloadTask task(requestFor(m_big, destination, m_acme), options);
    std::unique_ptr<GrowingFileReader> reader = task.openReader();

    QByteArray consumed;
    qint64 lastResult = 1;
    QString readerError;
    std::atomic<qint64> consumedSoFar{0};
    std::atomic<bool> consumerDone{false};
    std::thread consumer([&] {
        QByteArray buffer(qsizetype{64} * 1024, Qt::Uninitialized);
        for (;;) {
            lastResult = reader->read(buffer.data(), buffer.size());
            if (lastResult <= 0) {
                break;
            }
            consumed.append(buffer.constData(), lastResult);
            consumedSoFar.store(consumed.size());
        }
        readerError = reader->errorString();
        consumerDone.store(true);
    });
    qint64 consumedAtSuccess = -1;
    connect(&task, &Task::succeeded, this, [&] { consumedAtSuccess = consumedSoFar.load(); });

    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(consumerDone.load(), 30000);
    consumer.join();
    QVERIFY2(task.state() == Task::State::Succeeded, qPrintable(task.errorMessage()));
    QVERIFY2(lastResult == 0, qPrintable(readerError));
    // The consumer had bytes before the download ended (it took two seconds at least), not
    // only afterwards.
    QVERIFY2(consumedAtSuccess > 0, "nothing was read before the download ended");
    QCOMPARE(consumed.size(), bigSize);
    QCOMPARE(sha256Hex(consumed), m_big.sha256);
    QVERIFY(consumed == m_big.bytes);
    QVERIFY(readAll(destination) == m_big.bytes);
}

void DownloadTest::wrongSha256IsRefusedAndDeleted()
{
    const QString destination = fresh(QStringLiteral("fluxcad.tar.gz"));
    DownloadRequest request = requestFor(m_demo, destination, m_acme);
    request.expectedSha256Hex = QByteArray(64, 'a');
    DownloadTask task(request);
    std::unique_ptr<GrowingFileReader> reader = task.openReader();
    QSignalSpy failed(&task, &Task::failed);
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QCOMPARE(task.state(), Task::State::Failed);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(task.error(), TaskError::Integrity);
    QVERIFY2(task.errorMessage().contains(QString::fromLatin1(m_demo.sha256)),
             qPrintable(task.errorMessage()));
    QCOMPARE(task.attempts(), 1); // bad bytes are not fetched again
    QVERIFY(!QFile::exists(destination));
    QVERIFY(!QFile::exists(DownloadTask::partPathFor(destination)));
    QVERIFY(!QFile::exists(DownloadTask::metaPathFor(destination)));
    // A consumer of the bytes learns that they are not to be used.
    QByteArray buffer(qsizetype{64} * 1024, Qt::Uninitialized);
    qint64 got = 0;
    while ((got = reader->read(buffer.data(), buffer.size())) > 0) {
    }
    QCOMPARE(got, qint64{-1});
    QVERIFY(!reader->errorString().isEmpty());
}

void DownloadTest::smallerExpectedSizeAbortsEarly()
{
    const QString destination = fresh(QStringLiteral("big.bin"));
    DownloadRequest request = requestFor(m_big, destination, m_acme);
    request.expectedSize = bigSize / 2;
    DownloadTask task(request);
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QCOMPARE(task.state(), Task::State::Failed);
    QCOMPARE(task.error(), TaskError::Integrity);
    QCOMPARE(task.attempts(), 1);
    // Refused on the length the server announced, before the body.
    QCOMPARE(task.bytesReceived(), 0);
    QVERIFY(!QFile::exists(destination));
    QVERIFY(!QFile::exists(DownloadTask::partPathFor(destination)));
    QVERIFY(!QFile::exists(DownloadTask::metaPathFor(destination)));
    verifyServerSurvived();
}

void DownloadTest::badTokenIsNotSignedInWithoutRetries()
{
    const QString destination = fresh(QStringLiteral("fluxcad.tar.gz"));
    DownloadTask task(requestFor(m_demo, destination, "not-a-valid-token"));
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QCOMPARE(task.state(), Task::State::Failed);
    QCOMPARE(task.error(), TaskError::NotSignedIn);
    QVERIFY2(task.errorMessage().contains(QLatin1String("401")), qPrintable(task.errorMessage()));
    QCOMPARE(task.attempts(), 1);
    QCOMPARE(task.bytesReceived(), 0);
    QVERIFY(!QFile::exists(destination));
}

void DownloadTest::otherOrganizationsArtifactIsNotEntitled()
{
    const QString destination = fresh(QStringLiteral("meshlab.tar.gz"));
    DownloadTask task(requestFor(m_foreign, destination, m_globex));
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QCOMPARE(task.state(), Task::State::Failed);
    QCOMPARE(task.error(), TaskError::NotEntitled);
    QCOMPARE(task.attempts(), 1);
    QVERIFY(!QFile::exists(destination));
}

void DownloadTest::notEnoughDiskSpace()
{
    const QString destination = fresh(QStringLiteral("huge.bin"));
    DownloadRequest request = requestFor(m_big, destination, m_acme);
    request.expectedSize = qint64{1} << 50; // 1 PiB
    DownloadTask task(request);
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QCOMPARE(task.state(), Task::State::Failed);
    QCOMPARE(task.error(), TaskError::DiskSpace);
    QCOMPARE(task.attempts(), 0); // checked before any request
    QVERIFY(!QFile::exists(destination));
    QVERIFY(!QFile::exists(DownloadTask::partPathFor(destination)));
}

void DownloadTest::cancelKeepsThePartAndALaterTaskResumes()
{
    const QString destination = fresh(QStringLiteral("big.bin"));
    const QString part = DownloadTask::partPathFor(destination);
    qint64 kept = 0;
    {
        DownloadOptions options;
        options.maxBytesPerSecond = 8 * MiB;
        DownloadTask task(requestFor(m_big, destination, m_acme), options);
        std::unique_ptr<GrowingFileReader> reader = task.openReader();
        QSignalSpy canceled(&task, &Task::canceled);
        task.start();
        QTRY_VERIFY_WITH_TIMEOUT(task.done() >= 2 * MiB, 30000);
        task.cancel();
        QCOMPARE(task.state(), Task::State::Canceled);
        QCOMPARE(canceled.count(), 1);
        kept = QFileInfo(part).size();
        QVERIFY2(kept >= 2 * MiB && kept < bigSize, qPrintable(QString::number(kept)));
        QVERIFY(QFile::exists(DownloadTask::metaPathFor(destination)));
        QVERIFY(!QFile::exists(destination));
        QByteArray buffer(qsizetype{1024} * 1024, Qt::Uninitialized);
        qint64 got = 0;
        while ((got = reader->read(buffer.data(), buffer.size())) > 0) {
        }
        QCOMPARE(got, qint64{-1}); // canceled: not the end of the file
        QCOMPARE(reader->position(), kept);
    }
    QCOMPARE(QFileInfo(part).size(), kept); // nothing wrote to it after canceled()
    verifyServerSurvived();

    DownloadTask again(requestFor(m_big, destination, m_acme));
    again.start();
    QTRY_VERIFY_WITH_TIMEOUT(again.isFinished(), 60000);
    QVERIFY2(again.state() == Task::State::Succeeded, qPrintable(again.errorMessage()));
    QCOMPARE(again.resumedFrom(), kept);
    QCOMPARE(again.bytesReceived(), bigSize - kept);
    QVERIFY(readAll(destination) == m_big.bytes);
    QVERIFY(!QFile::exists(part));
    QVERIFY(!QFile::exists(DownloadTask::metaPathFor(destination)));
}

void DownloadTest::partWithStaleValidatorStartsOver()
{
    // A .part of the same artifact whose validator the server no longer knows (the file changed
    // since): If-Range makes the server send the whole file, and the task starts over from 0.
    const QString destination = fresh(QStringLiteral("big.bin"));
    QVERIFY(QDir().mkpath(QFileInfo(destination).absolutePath()));
    QFile part(DownloadTask::partPathFor(destination));
    QVERIFY(part.open(QIODevice::WriteOnly));
    QVERIFY(part.write(QByteArray(100000, 'x')) == 100000);
    part.close();
    QJsonObject meta;
    meta.insert(QLatin1String("url"), server().url(m_big.path).toString());
    meta.insert(QLatin1String("sha256"), QString::fromLatin1(m_big.sha256));
    meta.insert(QLatin1String("size"), bigSize);
    meta.insert(QLatin1String("validator"), QStringLiteral("\"stale\""));
    QFile metaFile(DownloadTask::metaPathFor(destination));
    QVERIFY(metaFile.open(QIODevice::WriteOnly));
    metaFile.write(QJsonDocument(meta).toJson());
    metaFile.close();

    DownloadTask task(requestFor(m_big, destination, m_acme));
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 60000);
    QVERIFY2(task.state() == Task::State::Succeeded, qPrintable(task.errorMessage()));
    QCOMPARE(task.resumedFrom(), 100000);
    QCOMPARE(task.bytesReceived(), bigSize);
    QCOMPARE(task.attempts(), 1);
    QVERIFY(readAll(destination) == m_big.bytes);
}

void DownloadTest::killedServerFailsThenRestartedServerResumes()
{
    const QString destination = fresh(QStringLiteral("big.bin"));
    const QString part = DownloadTask::partPathFor(destination);
    const QString dataDir = server().dataDir();
    qint64 kept = 0;
    {
        DownloadOptions options = quickRetries();
        options.maxBytesPerSecond = 8 * MiB;
        DownloadTask task(requestFor(m_big, destination, m_acme), options);
        QSignalSpy failed(&task, &Task::failed);
        task.start();
        QTRY_VERIFY_WITH_TIMEOUT(task.done() >= 4 * MiB, 30000);

        QCOMPARE(::kill(static_cast<pid_t>(server().pid()), SIGKILL), 0);
        QCOMPARE(server().waitForExit(), -1); // killed, not exited

        QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 60000);
        QCOMPARE(task.state(), Task::State::Failed);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(task.error() == TaskError::Network, qPrintable(task.errorMessage()));
        // The broken transfer, then two refused connections.
        QCOMPARE(task.attempts(), 3);
        kept = QFileInfo(part).size();
        QCOMPARE(task.done(), kept);
        QVERIFY2(kept >= 4 * MiB && kept < bigSize, qPrintable(QString::number(kept)));
        QVERIFY(QFile::exists(DownloadTask::metaPathFor(destination)));
        QVERIFY(!QFile::exists(destination));
    }

    // The server again, on the same data (its new port: a new base address).
    QString error;
    QVERIFY2(startServer(dataDir, &error), qPrintable(error));
    QVERIFY2(signIn(&error), qPrintable(error));

    DownloadTask resumed(requestFor(m_big, destination, m_acme));
    resumed.start();
    QTRY_VERIFY_WITH_TIMEOUT(resumed.isFinished(), 60000);
    QVERIFY2(resumed.state() == Task::State::Succeeded, qPrintable(resumed.errorMessage()));
    QCOMPARE(resumed.resumedFrom(), kept);
    // Only the rest came over the network: the request carried a Range.
    QCOMPARE(resumed.bytesReceived(), bigSize - kept);
    QVERIFY(resumed.bytesReceived() < bigSize);
    const QByteArray bytes = readAll(destination);
    QCOMPARE(bytes.size(), bigSize);
    QCOMPARE(sha256Hex(bytes), m_big.sha256);
    QVERIFY(bytes == m_big.bytes);
    QVERIFY(!QFile::exists(part));
    QVERIFY(!QFile::exists(DownloadTask::metaPathFor(destination)));
}

namespace {

QByteArray scriptedBody()
{
    QByteArray body(300 * 1000 + 7, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i) {
        body[i] = static_cast<char>((i * 7919) % 251);
    }
    return body;
}

DownloadRequest scriptedRequest(const ScriptedHttpServer &peer, const QByteArray &body,
                                const QString &destination)
{
    DownloadRequest request;
    request.url = peer.url();
    request.bearerToken = "scripted-token";
    request.expectedSize = body.size();
    request.expectedSha256Hex = sha256Hex(body);
    request.destination = destination;
    return request;
}

} // namespace

void DownloadTest::serverErrorsAreRetriedHonouringRetryAfter()
{
    const QByteArray body = scriptedBody();
    ScriptedHttpServer peer(
        {ScriptedHttpServer::response("503 Service Unavailable",
                                      {"Retry-After: 1", "Content-Length: 0"}, {}),
         ScriptedHttpServer::response("429 Too Many Requests", {"Content-Length: 0"}, {}),
         ScriptedHttpServer::response(
             "200 OK", {"Content-Length: " + QByteArray::number(body.size())}, body)});
    QVERIFY(peer.listen());
    const QString destination = fresh(QStringLiteral("scripted.bin"));
    DownloadTask task(scriptedRequest(peer, body, destination), quickRetries());
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QVERIFY2(task.state() == Task::State::Succeeded, qPrintable(task.errorMessage()));
    QCOMPARE(task.attempts(), 3);
    QCOMPARE(peer.received().size(), 3);
    // The server asked for a second; the backoff alone would have been 20 ms.
    QVERIFY(peer.received().at(1).atMs - peer.received().at(0).atMs >= 1000);
    QVERIFY(peer.received().at(0).head.contains("\r\nAuthorization: Bearer scripted-token"));
    QVERIFY(readAll(destination) == body);
}

void DownloadTest::serverErrorsEndAfterTheLastAttempt()
{
    const QByteArray body = scriptedBody();
    ScriptedHttpServer peer({ScriptedHttpServer::response(
        "502 Bad Gateway", {"Content-Type: application/problem+json", "Content-Length: 43"},
        R"({"title":"Bad Gateway","detail":"upstream"})")});
    QVERIFY(peer.listen());
    const QString destination = fresh(QStringLiteral("scripted.bin"));
    DownloadTask task(scriptedRequest(peer, body, destination), quickRetries());
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QCOMPARE(task.state(), Task::State::Failed);
    QCOMPARE(task.error(), TaskError::Server);
    QVERIFY2(task.errorMessage().contains(QLatin1String("502")) &&
                 task.errorMessage().contains(QLatin1String("upstream")),
             qPrintable(task.errorMessage()));
    QCOMPARE(task.attempts(), 3);
    QCOMPARE(peer.received().size(), 3);
    QVERIFY(!QFile::exists(destination));
}

void DownloadTest::shortBodyIsResumedWithRangeAndIfRange()
{
    const QByteArray body = scriptedBody();
    const qint64 half = body.size() / 2;
    const QByteArray size = QByteArray::number(body.size());
    ScriptedHttpServer peer(
        {// Announces the whole file, sends half of it, closes.
         ScriptedHttpServer::response("200 OK", {"Content-Length: " + size, "ETag: \"v1\""},
                                      body.left(half)),
         ScriptedHttpServer::response("206 Partial Content",
                                      {"Content-Length: " + QByteArray::number(body.size() - half),
                                       "Content-Range: bytes " + QByteArray::number(half) + "-" +
                                           QByteArray::number(body.size() - 1) + "/" + size,
                                       "ETag: \"v1\""},
                                      body.mid(half))});
    QVERIFY(peer.listen());
    const QString destination = fresh(QStringLiteral("scripted.bin"));
    DownloadTask task(scriptedRequest(peer, body, destination), quickRetries());
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QVERIFY2(task.state() == Task::State::Succeeded, qPrintable(task.errorMessage()));
    QCOMPARE(task.attempts(), 2);
    QCOMPARE(task.bytesReceived(), body.size());
    const QByteArray second = peer.received().at(1).head;
    QVERIFY2(second.contains("\r\nRange: bytes=" + QByteArray::number(half) + "-\r\n"),
             second.constData());
    QVERIFY2(second.contains("\r\nIf-Range: \"v1\""), second.constData());
    QVERIFY(!peer.received().at(0).head.contains("Range:"));
    QVERIFY(readAll(destination) == body);
}

void DownloadTest::partLongerThanTheFileStartsOver()
{
    // The .part from an earlier run does not fit the file any more: 416, then the whole file.
    const QByteArray body = scriptedBody();
    ScriptedHttpServer peer(
        {ScriptedHttpServer::response("416 Range Not Satisfiable",
                                      {"Content-Range: bytes */1000", "Content-Length: 0"}, {}),
         ScriptedHttpServer::response(
             "200 OK", {"Content-Length: " + QByteArray::number(body.size())}, body)});
    QVERIFY(peer.listen());
    const QString destination = fresh(QStringLiteral("scripted.bin"));
    const DownloadRequest request = scriptedRequest(peer, body, destination);
    QVERIFY(QDir().mkpath(QFileInfo(destination).absolutePath()));
    QFile part(DownloadTask::partPathFor(destination));
    QVERIFY(part.open(QIODevice::WriteOnly));
    QCOMPARE(part.write(QByteArray(2000, 'x')), 2000);
    part.close();
    QJsonObject meta;
    meta.insert(QLatin1String("url"), request.url.toString());
    meta.insert(QLatin1String("sha256"), QString::fromLatin1(request.expectedSha256Hex));
    meta.insert(QLatin1String("size"), request.expectedSize);
    QFile metaFile(DownloadTask::metaPathFor(destination));
    QVERIFY(metaFile.open(QIODevice::WriteOnly));
    metaFile.write(QJsonDocument(meta).toJson());
    metaFile.close();

    DownloadTask task(request, quickRetries());
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QVERIFY2(task.state() == Task::State::Succeeded, qPrintable(task.errorMessage()));
    QCOMPARE(task.resumedFrom(), 2000);
    QCOMPARE(task.attempts(), 2);
    QVERIFY(peer.received().at(0).head.contains("\r\nRange: bytes=2000-"));
    QVERIFY(!peer.received().at(1).head.contains("Range:"));
    QVERIFY(readAll(destination) == body);
}

void DownloadTest::moreBytesThanExpectedAbortAtOnce()
{
    // No Content-Length to refuse early: the bytes themselves overflow the expected size.
    const QByteArray body = scriptedBody();
    ScriptedHttpServer peer(
        {ScriptedHttpServer::response("200 OK", {}, body + QByteArray(100000, 'y'))});
    QVERIFY(peer.listen());
    const QString destination = fresh(QStringLiteral("scripted.bin"));
    DownloadTask task(scriptedRequest(peer, body, destination), quickRetries());
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QCOMPARE(task.state(), Task::State::Failed);
    QCOMPARE(task.error(), TaskError::Integrity);
    QCOMPARE(task.attempts(), 1);
    QVERIFY(task.bytesReceived() <= body.size());
    QVERIFY(!QFile::exists(destination));
    QVERIFY(!QFile::exists(DownloadTask::partPathFor(destination)));
}

void DownloadTest::systemProxyIsUsed()
{
    // The proxy a user set for their session (here the http_proxy variable, which Qt's system
    // proxy query and libcurl both read); the artifact's host does not even resolve.
    const QByteArray body = scriptedBody();
    ScriptedHttpServer proxy({ScriptedHttpServer::response(
        "200 OK", {"Content-Length: " + QByteArray::number(body.size())}, body)});
    QVERIFY(proxy.listen());
    struct ProxyVariable {
        explicit ProxyVariable(const QByteArray &value) { qputenv("http_proxy", value); }
        ~ProxyVariable() { qunsetenv("http_proxy"); }
    } variable("http://127.0.0.1:" + QByteArray::number(proxy.url().port()));

    const QString destination = fresh(QStringLiteral("proxied.bin"));
    DownloadRequest request = scriptedRequest(proxy, body, destination);
    request.url = QUrl(QStringLiteral("http://artifacts.invalid/tool.bin"));
    DownloadTask task(request, quickRetries());
    task.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.isFinished(), 30000);
    QVERIFY2(task.state() == Task::State::Succeeded, qPrintable(task.errorMessage()));
    QCOMPARE(proxy.received().size(), 1);
    const QByteArray head = proxy.received().at(0).head;
    QVERIFY2(head.startsWith("GET http://artifacts.invalid/tool.bin HTTP/1.1\r\n"),
             head.constData());
    QVERIFY(readAll(destination) == body);
}

QTEST_GUILESS_MAIN(DownloadTest)
#include "download_test.moc"
