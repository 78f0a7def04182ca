// shared/toolhub/utf8.h: the UTF-8 decoder's callers, percent-encoding and the JSON nesting
// limit checked before request bodies are parsed.

#include "toolhub/utf8.h"

#include <QTest>

#include <string>

using namespace toolhub;

class Utf8Test : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void printableText()
    {
        QVERIFY(isPrintableUtf8("Grüße, 東京", 64));
        QVERIFY(!isPrintableUtf8("", 64));
        QVERIFY(!isPrintableUtf8("abc", 2));
        QVERIFY(!isPrintableUtf8("line\nbreak", 64));
        QVERIFY(!isPrintableUtf8("del\x7f", 64));
        QVERIFY(!isPrintableUtf8("c1\xc2\x85", 64));   // NEL, a C1 control
        QVERIFY(!isPrintableUtf8("\xc0\xaf", 64));     // overlong '/'
        QVERIFY(!isPrintableUtf8("\xed\xa0\x80", 64)); // a surrogate
        QVERIFY(!isPrintableUtf8("cut \xe6\x9d", 64)); // truncated sequence
    }

    void percentEncoding()
    {
        QCOMPARE(percentEncode("AZaz09-._~"), std::string{"AZaz09-._~"});
        QCOMPARE(percentEncode("a b&c=d/é"), std::string{"a%20b%26c%3Dd%2F%C3%A9"});
        QCOMPARE(percentEncode(std::string("\0\xff", 2)), std::string{"%00%FF"});
    }

    void jsonNesting()
    {
        const std::string nested = "{\"a\": [1, {\"b\": [2]}]}";
        QVERIFY(jsonNestingWithin(nested, 4));
        QVERIFY(!jsonNestingWithin(nested, 3));
        // Brackets inside strings, escaped quotes included, do not count.
        const std::string quoted = "{\"a\": \"[[[[\\\"{{{{\"}";
        QVERIFY(jsonNestingWithin(quoted, 1));
        QVERIFY(jsonNestingWithin("", 0));
        const std::string deep = std::string(100000, '[') + std::string(100000, ']');
        QVERIFY(!jsonNestingWithin(deep, maxJsonDepth));
        QVERIFY(jsonNestingWithin(std::string(32, '[') + std::string(32, ']'), maxJsonDepth));
        QVERIFY(!jsonNestingWithin(std::string(33, '{'), maxJsonDepth));
    }
};

QTEST_GUILESS_MAIN(Utf8Test)
#include "utf8_test.moc"
