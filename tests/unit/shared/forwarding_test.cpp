// The lines a second start hands to the running app: encoding, decoding, and every refusal.

#include "toolhub/forwarding.h"

#include <QTest>

using namespace toolhub;

class ForwardingTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void linksTravelInCanonicalForm()
    {
        auto request = parseLink("TOOLHUB://install/fluxcad/flux-cli?channel=beta&version=2.0.0");
        QVERIFY(request.ok());
        const std::string line = encodeForwarded(*request);
        QCOMPARE(line, std::string(
                           "LINK toolhub://install/fluxcad/flux-cli?version=2.0.0&channel=beta\n"));
        auto decoded = decodeForwarded(line);
        QVERIFY(decoded.ok());
        QVERIFY(std::get<LinkRequest>(*decoded) == *request);
        // Without its newline, too.
        QVERIFY(decodeForwarded(line.substr(0, line.size() - 1)).ok());
    }

    void showWindow()
    {
        QCOMPARE(encodeForwarded(ShowWindow{}), std::string("SHOW\n"));
        auto decoded = decodeForwarded("SHOW\n");
        QVERIFY(decoded.ok());
        QVERIFY(std::holds_alternative<ShowWindow>(*decoded));
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("only a newline") << QByteArray("\n");
        QTest::newRow("unknown verb") << QByteArray("RUN /bin/sh\n");
        QTest::newRow("lower-case verb") << QByteArray("link toolhub://open/fluxcad\n");
        QTest::newRow("show with more") << QByteArray("SHOW please\n");
        QTest::newRow("two spaces") << QByteArray("LINK  toolhub://open/fluxcad\n");
        QTest::newRow("no space") << QByteArray("LINKtoolhub://open/fluxcad\n");
        QTest::newRow("not a toolhub link") << QByteArray("LINK https://evil.example/x\n");
        QTest::newRow("hostile link") << QByteArray("LINK toolhub://install/../etc/passwd\n");
        QTest::newRow("server in link") << QByteArray("LINK toolhub://evil.example/install/a/b\n");
        QTest::newRow("second line")
            << QByteArray("LINK toolhub://open/a\nLINK toolhub://open/b\n");
        QTest::newRow("carriage return") << QByteArray("LINK toolhub://open/a\r\n");
        QTest::newRow("nul") << QByteArray("LINK toolhub://open/a\0b\n", 25);
        QTest::newRow("non-ascii") << QByteArray("LINK toolhub://open/\xd0\xb0\n");
        QTest::newRow("too long") << (QByteArray("LINK toolhub://open/") + QByteArray(600, 'a') +
                                      '\n');
    }
    void refusals()
    {
        QFETCH(QByteArray, line);
        auto decoded =
            decodeForwarded(std::string_view(line.constData(), std::size_t(line.size())));
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.error().code, ErrorCode::InvalidArgument);
        QVERIFY(!decoded.error().message.empty());
        for (const char c : decoded.error().message) {
            QVERIFY(c >= 0x20 && c <= 0x7e);
        }
    }

    void socketName()
    {
        QCOMPARE(instanceSocketName("/run/user/1000", "alice"),
                 std::string("/run/user/1000/toolhub.sock"));
        QCOMPARE(instanceSocketName("/run/user/1000/", "alice"),
                 std::string("/run/user/1000/toolhub.sock"));
        QCOMPARE(instanceSocketName("", "alice"), std::string("toolhub-alice"));
    }
};

QTEST_GUILESS_MAIN(ForwardingTest)
#include "forwarding_test.moc"
