// InstanceServer and forwardToRunningInstance over a real local socket in a temporary folder
// standing in for XDG_RUNTIME_DIR: links and SHOW are handed over; garbage, over-long and slow
// lines and refused links are answered "ERR" and never emitted; a live name is never taken over,
// a stale socket file is.

#include "core/app/instance.h"

#include <QFile>
#include <QLocalSocket>
#include <QLockFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <future>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#endif

using namespace std::chrono_literals;

namespace {

// Sends `bytes` on a fresh connection and returns the answer line ("" when none came).
QByteArray exchange(const QString &name, const QByteArray &bytes)
{
    QLocalSocket socket;
    socket.connectToServer(name);
    if (!socket.waitForConnected(5000)) {
        qWarning() << "cannot connect:" << socket.errorString();
        return {};
    }
    socket.write(bytes);
    // The server answers from the event loop of this thread: let it run while waiting.
    if (!QTest::qWaitFor([&socket] { return socket.canReadLine(); }, 10000)) {
        return {};
    }
    return socket.readLine();
}

// forwardToRunningInstance blocks; it runs on a thread of its own while this one serves.
bool forwardInBackground(const QString &name, const toolhub::ForwardedMessage &message)
{
    auto forwarded = std::async(std::launch::async, [name, message] {
        return forwardToRunningInstance(name, message, 5s);
    });
    if (!QTest::qWaitFor(
            [&forwarded] { return forwarded.wait_for(0s) == std::future_status::ready; }, 10000)) {
        qWarning() << "the forward did not end";
    }
    return forwarded.get();
}

toolhub::LinkRequest fluxLink()
{
    auto parsed = toolhub::parseLink("toolhub://install/fluxcad/flux-cli?version=2.1.0");
    Q_ASSERT(parsed.ok());
    return *parsed;
}

} // namespace

class InstanceTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();

    void forwardsALink();
    void forwardsShow();
    void forwardFailsWhenNothingListens();
    void refusesGarbage_data();
    void refusesGarbage();
    void refusesAnOverlongLine();
    void refusesASlowLine();
    void secondServerCannotTakeALiveName();
    void takesOverAStaleSocketFile();
    void aStartThatIsNotListeningYetIsNotOvertaken();
    void defaultNameLiesInTheRuntimeFolder();

private:
    std::unique_ptr<QTemporaryDir> m_runtime;
    QString m_name;
};

void InstanceTest::init()
{
    m_runtime = std::make_unique<QTemporaryDir>();
    QVERIFY(m_runtime->isValid());
    m_name = QString::fromStdString(
        toolhub::instanceSocketName(m_runtime->path().toStdString(), "tester"));
}

void InstanceTest::forwardsALink()
{
    InstanceServer server(m_name);
    QVERIFY(server.listen().ok());
    QSignalSpy links(&server, &InstanceServer::linkRequested);
    QSignalSpy shows(&server, &InstanceServer::showRequested);

    QVERIFY(forwardInBackground(m_name, fluxLink()));
    QTRY_COMPARE(links.size(), 1);
    QCOMPARE(links.first().first().value<toolhub::LinkRequest>(), fluxLink());
    QCOMPARE(shows.size(), 0);

    // The raw line, as toolhub-open writes it.
    QCOMPARE(exchange(m_name, "LINK toolhub://open/fluxcad\n"), QByteArray("OK\n"));
    QTRY_COMPARE(links.size(), 2);
    const auto open = links.at(1).first().value<toolhub::LinkRequest>();
    QCOMPARE(open.action, toolhub::LinkAction::Open);
    QCOMPARE(open.product, std::string("fluxcad"));
}

void InstanceTest::forwardsShow()
{
    InstanceServer server(m_name);
    QVERIFY(server.listen().ok());
    QSignalSpy links(&server, &InstanceServer::linkRequested);
    QSignalSpy shows(&server, &InstanceServer::showRequested);

    QVERIFY(forwardInBackground(m_name, toolhub::ShowWindow{}));
    QTRY_COMPARE(shows.size(), 1);
    QCOMPARE(links.size(), 0);
}

void InstanceTest::forwardFailsWhenNothingListens()
{
    QVERIFY(!forwardToRunningInstance(m_name, toolhub::ShowWindow{}, 2s));
}

void InstanceTest::refusesGarbage_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::newRow("unknown verb") << QByteArray("HELLO\n");
    QTest::newRow("empty line") << QByteArray("\n");
    QTest::newRow("show with more") << QByteArray("SHOW now\n");
    QTest::newRow("server in the link") << QByteArray("LINK toolhub://evil.example/install/a/b\n");
    QTest::newRow("url of another scheme") << QByteArray("LINK https://example.com/\n");
    QTest::newRow("dot dot") << QByteArray("LINK toolhub://install/../etc\n");
    QTest::newRow("two spaces") << QByteArray("LINK  toolhub://open/fluxcad\n");
    QTest::newRow("nul byte") << QByteArray("LINK toolhub://open/flux\0cad\n", 29);
    QTest::newRow("binary") << QByteArray("\xff\xfe\x01\n");
}

void InstanceTest::refusesGarbage()
{
    QFETCH(QByteArray, line);
    InstanceServer server(m_name);
    QVERIFY(server.listen().ok());
    QSignalSpy links(&server, &InstanceServer::linkRequested);
    QSignalSpy shows(&server, &InstanceServer::showRequested);
    QSignalSpy refused(&server, &InstanceServer::refused);

    const QByteArray answer = exchange(m_name, line);
    QVERIFY2(answer.startsWith("ERR ") && answer.endsWith('\n'), answer.constData());
    QCOMPARE(refused.size(), 1);
    QCOMPARE(links.size(), 0);
    QCOMPARE(shows.size(), 0);

    // The server goes on serving others.
    QCOMPARE(exchange(m_name, "SHOW\n"), QByteArray("OK\n"));
    QCOMPARE(shows.size(), 1);
}

void InstanceTest::refusesAnOverlongLine()
{
    InstanceServer server(m_name);
    QVERIFY(server.listen().ok());
    QSignalSpy links(&server, &InstanceServer::linkRequested);

    // A valid start, then more than the protocol's longest line, without a newline...
    QByteArray longLine = "LINK toolhub://open/" + QByteArray(4 * 1024, 'a');
    QCOMPARE(exchange(m_name, longLine), QByteArray("ERR too_long\n"));
    // ...and with one.
    QCOMPARE(exchange(m_name, longLine + '\n'), QByteArray("ERR too_long\n"));
    // One byte over the limit, the newline included.
    const QByteArray justOver = "LINK toolhub://open/" +
                                QByteArray(qsizetype(toolhub::kMaxForwardedLineLength) - 20, 'a') +
                                '\n';
    QCOMPARE(justOver.size(), qsizetype(toolhub::kMaxForwardedLineLength) + 1);
    QCOMPARE(exchange(m_name, justOver), QByteArray("ERR too_long\n"));
    QCOMPARE(links.size(), 0);
}

void InstanceTest::refusesASlowLine()
{
    InstanceServer server(m_name);
    server.setLineTimeout(300ms);
    QVERIFY(server.listen().ok());
    QSignalSpy links(&server, &InstanceServer::linkRequested);

    QLocalSocket socket;
    socket.connectToServer(m_name);
    QVERIFY(socket.waitForConnected(5000));
    socket.write("LINK toolhub://open/flux"); // and then nothing more in time
    QVERIFY(socket.waitForBytesWritten(5000));
    QTRY_VERIFY_WITH_TIMEOUT(socket.canReadLine(), 5000);
    QCOMPARE(socket.readLine(), QByteArray("ERR timeout\n"));
    // The rest of the line, too late, is not taken.
    socket.write("cad\n");
    QTRY_COMPARE(socket.state(), QLocalSocket::UnconnectedState);
    QCOMPARE(links.size(), 0);
}

void InstanceTest::secondServerCannotTakeALiveName()
{
    InstanceServer first(m_name);
    QVERIFY(first.listen().ok());
    InstanceServer second(m_name);
    const auto taken = second.listen();
    QVERIFY(!taken.ok());
    QCOMPARE(taken.error().code, toolhub::ErrorCode::Conflict);
    QVERIFY(!second.isListening());

    // The first still gets what is handed over.
    QSignalSpy shows(&first, &InstanceServer::showRequested);
    QCOMPARE(exchange(m_name, "SHOW\n"), QByteArray("OK\n"));
    QCOMPARE(shows.size(), 1);
}

void InstanceTest::aStartThatIsNotListeningYetIsNotOvertaken()
{
    // Another start holds the instance lock and is about to listen: nothing answers yet, but the
    // socket is not this start's to take.
    QLockFile other(m_name + QStringLiteral(".lock"));
    QVERIFY(other.tryLock(0));
    InstanceServer late(m_name);
    const auto taken = late.listen();
    QVERIFY(!taken.ok());
    QCOMPARE(taken.error().code, toolhub::ErrorCode::Conflict);
    QVERIFY(!late.isListening());

    // Once that start is gone, the name is free again.
    other.unlock();
    InstanceServer next(m_name);
    QVERIFY(next.listen().ok());
}

void InstanceTest::takesOverAStaleSocketFile()
{
#ifdef Q_OS_UNIX
    // A socket file that no one listens on, as a toolhub that crashed leaves it.
    const QByteArray path = QFile::encodeName(m_name);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    QVERIFY(std::size_t(path.size()) < sizeof(address.sun_path));
    std::memcpy(address.sun_path, path.constData(), std::size_t(path.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
    ::close(fd);
    QVERIFY(QFile::exists(m_name));
    QVERIFY(!forwardToRunningInstance(m_name, toolhub::ShowWindow{}, 2s));

    InstanceServer server(m_name);
    const auto listened = server.listen();
    QVERIFY2(listened.ok(), listened.ok() ? "" : listened.error().message.c_str());
    QSignalSpy shows(&server, &InstanceServer::showRequested);
    QVERIFY(forwardInBackground(m_name, toolhub::ShowWindow{}));
    QTRY_COMPARE(shows.size(), 1);
#else
    QFAIL("needs Unix domain sockets");
#endif
}

void InstanceTest::defaultNameLiesInTheRuntimeFolder()
{
    const QByteArray before = qgetenv("XDG_RUNTIME_DIR");
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime->path()));
    const QString name = defaultInstanceName();
    qputenv("XDG_RUNTIME_DIR", before);
    QCOMPARE(name, m_runtime->filePath(QStringLiteral("toolhub.sock")));
}

QTEST_GUILESS_MAIN(InstanceTest)
#include "instance_test.moc"
