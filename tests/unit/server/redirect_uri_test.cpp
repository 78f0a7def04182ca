// Which redirect URIs a native app may use (RFC 8252 §7.3 loopback redirects only).

#include "core/auth/redirect_uri.h"

#include <QTest>

using namespace toolhub::server;

class RedirectUriTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loopbackUrisAreAccepted_data()
    {
        QTest::addColumn<QByteArray>("uri");
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("ipv4") << QByteArray("http://127.0.0.1:51004/callback")
                              << QByteArray("127.0.0.1") << 51004 << QByteArray("/callback");
        QTest::newRow("ipv6") << QByteArray("http://[::1]:8000/cb") << QByteArray("[::1]") << 8000
                              << QByteArray("/cb");
        QTest::newRow("root path")
            << QByteArray("http://127.0.0.1:1/") << QByteArray("127.0.0.1") << 1 << QByteArray("/");
        QTest::newRow("max port") << QByteArray("http://127.0.0.1:65535/a/b")
                                  << QByteArray("127.0.0.1") << 65535 << QByteArray("/a/b");
        QTest::newRow("query") << QByteArray("http://127.0.0.1:5000/cb?x=1&y=%2F")
                               << QByteArray("127.0.0.1") << 5000 << QByteArray("/cb?x=1&y=%2F");
    }

    void loopbackUrisAreAccepted()
    {
        QFETCH(QByteArray, uri);
        QFETCH(QByteArray, host);
        QFETCH(int, port);
        QFETCH(QByteArray, path);
        const auto parsed = parseLoopbackRedirectUri(uri.toStdString());
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QCOMPARE(parsed->host, host.toStdString());
        QCOMPARE(int{parsed->port}, port);
        QCOMPARE(parsed->pathAndQuery, path.toStdString());
    }

    void everythingElseIsRefused_data()
    {
        QTest::addColumn<QByteArray>("uri");
        for (const char *uri : {
                 "",
                 "https://evil.example/cb",
                 "http://localhost.evil/cb",
                 "http://localhost:5000/cb", // RFC 8252 §8.3: not "localhost"
                 "http://127.0.0.1.evil.com/x",
                 "http://127.0.0.1.evil.com:5/x",
                 "http://user@127.0.0.1:5/x",
                 "http://127.0.0.1@evil.com:5/x",
                 "http://127.0.0.1:5@evil.com/x",
                 "https://127.0.0.1:5000/cb",
                 "HTTP://127.0.0.1:5000/cb",
                 "http://127.0.0.2:5000/cb",
                 "http://[::2]:5000/cb",
                 "http://[::1]/cb",
                 "http://127.0.0.1/cb",
                 "http://127.0.0.1:/cb",
                 "http://127.0.0.1:0/cb",
                 "http://127.0.0.1:05000/cb",
                 "http://127.0.0.1:65536/cb",
                 "http://127.0.0.1:123456/cb",
                 "http://127.0.0.1:5000",
                 "http://127.0.0.1:5000cb",
                 "http://127.0.0.1:5000/cb#frag",
                 "http://127.0.0.1:5000/cb\\..\\x",
                 "http://127.0.0.1:5000/c b",
                 "http://127.0.0.1:5000/cb%zz",
                 "http://127.0.0.1:5000/cb%4",
                 "http://127.0.0.1:5000/cb\r\nX: y",
                 "http://127.0.0.1:5000/caf\xc3\xa9",
                 "toolhub://install/x/y",
                 "//127.0.0.1:5000/cb",
                 " http://127.0.0.1:5000/cb",
             }) {
            QTest::newRow(uri) << QByteArray(uri);
        }
        QTest::newRow("too long") << QByteArray("http://127.0.0.1:5000/") + QByteArray(2000, 'a');
    }

    void everythingElseIsRefused()
    {
        QFETCH(QByteArray, uri);
        const auto parsed = parseLoopbackRedirectUri(uri.toStdString());
        QVERIFY2(!parsed.ok(), uri.constData());
        QCOMPARE(parsed.error().code, toolhub::ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(RedirectUriTest)
#include "redirect_uri_test.moc"
