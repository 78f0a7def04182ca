// Which starts of toolhub open the window and which run the command line.

#include "cli/arguments.h"

#include <QTest>

class ArgumentsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void windowOrCommandLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("commandLine");
        const QString exe = QStringLiteral("toolhub");
        QTest::newRow("nothing") << QStringList{exe} << false;
        QTest::newRow("Qt options")
            << QStringList{exe, QStringLiteral("-platform"), QStringLiteral("offscreen")} << false;
        QTest::newRow("a link") << QStringList{exe, QStringLiteral("--link"),
                                               QStringLiteral("toolhub://open/fluxcad")}
                                << false;
        QTest::newRow("a link, one word")
            << QStringList{exe, QStringLiteral("--link=toolhub://open/fluxcad")} << false;
        QTest::newRow("a link and Qt options")
            << QStringList{exe, QStringLiteral("-style"), QStringLiteral("fusion"),
                           QStringLiteral("--link"), QStringLiteral("toolhub://open/fluxcad")}
            << false;
        QTest::newRow("a command") << QStringList{exe, QStringLiteral("list")} << true;
        QTest::newRow("help") << QStringList{exe, QStringLiteral("--help")} << true;
        QTest::newRow("version") << QStringList{exe, QStringLiteral("--version")} << true;
        QTest::newRow("unknown word") << QStringList{exe, QStringLiteral("frobnicate")} << true;
        // A bare link is no command and no option: a usage error, never the window acting on it.
        QTest::newRow("a bare link")
            << QStringList{exe, QStringLiteral("toolhub://install/fluxcad/flux-cli")} << true;
        QTest::newRow("--link without a link")
            << QStringList{exe, QStringLiteral("--link")} << true;
        QTest::newRow("a link and a command")
            << QStringList{exe, QStringLiteral("--link"), QStringLiteral("toolhub://open/fluxcad"),
                           QStringLiteral("remove"), QStringLiteral("fluxcad/flux-cli")}
            << true;
    }
    void windowOrCommandLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, commandLine);
        QCOMPARE(asksForCommandLine(arguments), commandLine);
    }
};

QTEST_GUILESS_MAIN(ArgumentsTest)
#include "arguments_test.moc"
