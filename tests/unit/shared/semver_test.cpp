#include "toolhub/semver.h"

#include <QTest>

#include <iterator>
#include <string>

using toolhub::parseSemVer;
using toolhub::SemVer;
using toolhub::VersionConstraint;

namespace {

SemVer v(const char *text)
{
    auto parsed = parseSemVer(text);
    if (!parsed) {
        qFatal("test version %s does not parse: %s", text, parsed.error().message.c_str());
    }
    return std::move(parsed).value();
}

} // namespace

class SemverTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesValidVersions_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<quint64>("major");
        QTest::addColumn<quint64>("minor");
        QTest::addColumn<quint64>("patch");
        QTest::addColumn<int>("prereleaseCount");
        QTest::addColumn<int>("buildCount");

        QTest::newRow("zeros") << QByteArray("0.0.0") << 0ULL << 0ULL << 0ULL << 0 << 0;
        QTest::newRow("plain") << QByteArray("1.2.3") << 1ULL << 2ULL << 3ULL << 0 << 0;
        QTest::newRow("prerelease")
            << QByteArray("1.2.3-alpha.1") << 1ULL << 2ULL << 3ULL << 2 << 0;
        QTest::newRow("prerelease zero") << QByteArray("1.2.3-0") << 1ULL << 2ULL << 3ULL << 1 << 0;
        QTest::newRow("alnum with leading zero")
            << QByteArray("1.2.3-0a") << 1ULL << 2ULL << 3ULL << 1 << 0;
        QTest::newRow("hyphens") << QByteArray("1.0.0-x-y-z.--") << 1ULL << 0ULL << 0ULL << 2 << 0;
        QTest::newRow("build with leading zeros")
            << QByteArray("1.2.3+001") << 1ULL << 2ULL << 3ULL << 0 << 1;
        QTest::newRow("both") << QByteArray("10.20.30-rc.1+build.5") << 10ULL << 20ULL << 30ULL << 2
                              << 2;
        QTest::newRow("largest number") << QByteArray("18446744073709551615.0.0")
                                        << 18446744073709551615ULL << 0ULL << 0ULL << 0 << 0;
        QTest::newRow("256 characters")
            << (QByteArray("1.2.3-") + QByteArray(250, 'a')) << 1ULL << 2ULL << 3ULL << 1 << 0;
    }

    void parsesValidVersions()
    {
        QFETCH(QByteArray, text);
        QFETCH(quint64, major);
        QFETCH(quint64, minor);
        QFETCH(quint64, patch);
        QFETCH(int, prereleaseCount);
        QFETCH(int, buildCount);

        const auto parsed = parseSemVer(text.toStdString());
        QVERIFY2(parsed.ok(), parsed ? "" : parsed.error().message.c_str());
        QCOMPARE(static_cast<quint64>(parsed->major), major);
        QCOMPARE(static_cast<quint64>(parsed->minor), minor);
        QCOMPARE(static_cast<quint64>(parsed->patch), patch);
        QCOMPARE(parsed->prerelease.size(), static_cast<std::size_t>(prereleaseCount));
        QCOMPARE(parsed->build.size(), static_cast<std::size_t>(buildCount));
        QCOMPARE(QByteArray::fromStdString(parsed->toString()), text);
    }

    void refusesInvalidVersions_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("reason");

        QTest::newRow("empty") << QByteArray("") << QByteArray("empty");
        QTest::newRow("major only") << QByteArray("1") << QByteArray("MAJOR.MINOR.PATCH");
        QTest::newRow("two parts") << QByteArray("1.2") << QByteArray("MAJOR.MINOR.PATCH");
        QTest::newRow("four parts") << QByteArray("1.2.3.4") << QByteArray("MAJOR.MINOR.PATCH");
        QTest::newRow("v prefix") << QByteArray("v1.2.3") << QByteArray("prefix");
        QTest::newRow("leading zero major") << QByteArray("01.2.3") << QByteArray("leading zero");
        QTest::newRow("leading zero minor") << QByteArray("1.02.3") << QByteArray("leading zero");
        QTest::newRow("leading zero patch") << QByteArray("1.2.03") << QByteArray("leading zero");
        QTest::newRow("leading zero prerelease")
            << QByteArray("1.2.3-01") << QByteArray("leading zero");
        QTest::newRow("empty prerelease") << QByteArray("1.2.3-") << QByteArray("empty");
        QTest::newRow("empty build") << QByteArray("1.2.3+") << QByteArray("empty");
        QTest::newRow("empty prerelease identifier")
            << QByteArray("1.2.3-a..b") << QByteArray("empty");
        QTest::newRow("empty build identifier") << QByteArray("1.2.3+a..b") << QByteArray("empty");
        QTest::newRow("bad character") << QByteArray("1.2.3-beta!") << QByteArray("[0-9A-Za-z-]");
        QTest::newRow("non-ascii") << QByteArray("1.2.3-b\xc3\xa9ta") << QByteArray("[0-9A-Za-z-]");
        QTest::newRow("leading space") << QByteArray(" 1.2.3") << QByteArray("not a number");
        QTest::newRow("trailing space") << QByteArray("1.2.3 ") << QByteArray("not a number");
        QTest::newRow("negative") << QByteArray("-1.2.3") << QByteArray("");
        QTest::newRow("letters") << QByteArray("a.b.c") << QByteArray("not a number");
        QTest::newRow("overflow") << QByteArray("18446744073709551616.0.0")
                                  << QByteArray("too large");
        QTest::newRow("huge") << QByteArray("1.99999999999999999999999.0")
                              << QByteArray("too large");
        QTest::newRow("257 characters")
            << (QByteArray("1.2.3-") + QByteArray(251, 'a')) << QByteArray("longer than 256");
    }

    void refusesInvalidVersions()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, reason);

        const auto parsed = parseSemVer(text.toStdString());
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, toolhub::ErrorCode::InvalidArgument);
        QVERIFY2(parsed.error().message.find(reason.toStdString()) != std::string::npos,
                 parsed.error().message.c_str());
    }

    void precedenceFollowsSpecExample()
    {
        // SemVer 2.0.0 §11.4
        const char *chain[] = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
                               "1.0.1",        "1.1.0",         "2.0.0-0",          "2.0.0"};
        for (std::size_t i = 0; i + 1 < std::size(chain); ++i) {
            const SemVer lower = v(chain[i]);
            const SemVer higher = v(chain[i + 1]);
            QVERIFY2(lower < higher, chain[i]);
            QVERIFY2(higher > lower, chain[i]);
            QVERIFY2(lower != higher, chain[i]);
        }
        // Transitivity over the whole chain.
        QVERIFY(v(chain[0]) < v("2.0.0"));
    }

    void numbersCompareNumerically()
    {
        QVERIFY(v("1.0.0-2") < v("1.0.0-10"));
        QVERIFY(v("1.0.0-99999999999999999999999") > v("1.0.0-9999"));
        QVERIFY(v("1.0.0-999") < v("1.0.0-a")); // numeric below alphanumeric
        QVERIFY(v("1.0.0-B") < v("1.0.0-a"));   // ASCII order
        QVERIFY(v("2.0.0") < v("10.0.0"));
        QVERIFY(v("1.9.0") < v("1.10.0"));
        QVERIFY(v("18446744073709551614.0.0") < v("18446744073709551615.0.0"));
    }

    void buildMetadataIsIgnoredInPrecedence()
    {
        const SemVer a = v("1.0.0+build.1");
        const SemVer b = v("1.0.0+build.2");
        QVERIFY(a == b);
        QVERIFY(std::is_eq(a <=> b));
        QVERIFY(!a.identical(b));
        QVERIFY(a.identical(v("1.0.0+build.1")));
        QVERIFY(v("1.0.0-rc.1+x") < v("1.0.0"));
    }

    void constraintMatches_data()
    {
        QTest::addColumn<QByteArray>("constraint");
        QTest::addColumn<QByteArray>("version");
        QTest::addColumn<bool>("matches");

        const auto row = [](const char *c, const char *ver, bool m) {
            QTest::addRow("%s ? %s", c, ver) << QByteArray(c) << QByteArray(ver) << m;
        };
        // AND of partial comparators
        row(">=2.1 <3", "2.1.0", true);
        row(">=2.1 <3", "2.0.9", false);
        row(">=2.1 <3", "2.99.99", true);
        row(">=2.1 <3", "3.0.0", false);
        row(">=2.1 <3", "3.0.0-beta", false);
        row(">=2.1 <3", "2.5.0-beta", false); // prerelease rule
        row(">= 2.1  < 3", "2.4.0", true);    // operators apart from versions
        row(">=2.1\t<3", "2.4.0", true);
        // plain comparators
        row("1.2.3", "1.2.3", true);
        row("1.2.3", "1.2.3+build", true);
        row("1.2.3", "1.2.4", false);
        row("=1.2.3", "1.2.3", true);
        row(">1.2.3", "1.2.4", true);
        row(">1.2.3", "1.2.3", false);
        row(">=1.2.3", "1.2.3", true);
        row("<1.2.3", "1.2.2", true);
        row("<1.2.3", "1.2.3-beta", false); // prerelease rule
        row("<=1.2.3", "1.2.3", true);
        row("<=1.2.3", "1.2.4", false);
        // partial comparators
        row(">1.2", "1.3.0", true);
        row(">1.2", "1.2.9", false);
        row(">1", "2.0.0", true);
        row(">1", "1.9.9", false);
        row("<=1.2", "1.2.9", true);
        row("<=1.2", "1.3.0", false);
        row("<1.2", "1.1.9", true);
        row("<1.2", "1.2.0", false);
        // x-ranges
        row("2.1", "2.1.7", true);
        row("2.1", "2.2.0", false);
        row("2.1", "2.0.9", false);
        row("2.1.x", "2.1.0", true);
        row("2.1.X", "2.1.99", true);
        row("2.x", "2.9.0", true);
        row("2.*", "3.0.0", false);
        row("2", "2.3.4", true);
        row("*", "0.0.0", true);
        row("*", "99.1.2", true);
        row("*", "1.0.0-beta", false);
        row("x", "1.0.0", true);
        row(">*", "1.0.0", false);
        row("<*", "1.0.0", false);
        // caret
        row("^1.2.3", "1.2.3", true);
        row("^1.2.3", "1.9.0", true);
        row("^1.2.3", "1.2.2", false);
        row("^1.2.3", "2.0.0", false);
        row("^1.2.3", "2.0.0-alpha", false);
        row("^0.2.3", "0.2.9", true);
        row("^0.2.3", "0.3.0", false);
        row("^0.0.3", "0.0.3", true);
        row("^0.0.3", "0.0.4", false);
        row("^0.0", "0.0.9", true);
        row("^0.0", "0.1.0", false);
        row("^0.x", "0.9.0", true);
        row("^0", "1.0.0", false);
        row("^1.2", "1.9.0", true);
        row("^1.2", "1.1.0", false);
        row("^1.2.3-beta.2", "1.2.3-beta.2", true);
        row("^1.2.3-beta.2", "1.2.3-beta.10", true);
        row("^1.2.3-beta.2", "1.2.3-beta.1", false);
        row("^1.2.3-beta.2", "1.2.3", true);
        row("^1.2.3-beta.2", "1.3.0", true);
        row("^1.2.3-beta.2", "1.2.4-beta", false); // prerelease of another M.m.p
        row("^18446744073709551615.0.0", "18446744073709551615.7.0", true);
        // tilde
        row("~1.2.3", "1.2.3", true);
        row("~1.2.3", "1.2.9", true);
        row("~1.2.3", "1.3.0", false);
        row("~1.2", "1.2.0", true);
        row("~1.2", "1.3.0", false);
        row("~1", "1.9.9", true);
        row("~1", "2.0.0", false);
        row("~0.2.3", "0.2.5", true);
        row("~0.2.3", "0.3.0", false);
        row("~1.2.3-rc.1", "1.2.3-rc.2", true);
        row("~1.2.3-rc.1", "1.2.5", true);
        // OR
        row("1.2.7 || >=1.2.9 <2.0.0", "1.2.7", true);
        row("1.2.7 || >=1.2.9 <2.0.0", "1.2.8", false);
        row("1.2.7 || >=1.2.9 <2.0.0", "1.2.9", true);
        row("1.2.7 || >=1.2.9 <2.0.0", "2.0.0", false);
        row("1.x||3.x", "3.1.0", true);
        // prerelease opt-in within the same set only
        row(">=1.0.0-beta.1 <1.0.0 || >=2", "1.0.0-beta.2", true);
        row(">=1.0.0-beta.1 <1.0.0 || >=2", "1.0.0-rc.1", true);
        row(">=1.0.0-beta.1 <1.0.0 || >=2", "1.0.0-alpha", false);
        row(">=1.0.0-beta.1 <1.0.0 || >=2", "2.0.0-beta", false);
        row(">=1.0.0-beta.1 <1.0.0 || >=2", "2.0.0", true);
        row(">1.0.0-alpha", "1.0.0-beta", true);
        row(">1.0.0-alpha", "1.0.1-beta", false);
        // build metadata in a constraint is ignored
        row("=1.2.3+abc", "1.2.3+def", true);
    }

    void constraintMatches()
    {
        QFETCH(QByteArray, constraint);
        QFETCH(QByteArray, version);
        QFETCH(bool, matches);

        const auto parsed = VersionConstraint::parse(constraint.toStdString());
        QVERIFY2(parsed.ok(), parsed ? "" : parsed.error().message.c_str());
        QCOMPARE(parsed->matches(v(version.constData())), matches);

        // The expanded form means the same.
        const auto again = VersionConstraint::parse(parsed->toString());
        QVERIFY2(again.ok(), parsed->toString().c_str());
        QCOMPARE(again->matches(v(version.constData())), matches);
        QVERIFY(*again == *parsed);
    }

    void constraintToString_data()
    {
        QTest::addColumn<QByteArray>("constraint");
        QTest::addColumn<QByteArray>("expanded");

        QTest::newRow("range") << QByteArray(">=2.1 <3") << QByteArray(">=2.1.0 <3.0.0-0");
        QTest::newRow("caret") << QByteArray("^1.2.3") << QByteArray(">=1.2.3 <2.0.0-0");
        QTest::newRow("caret zero") << QByteArray("^0.0.3") << QByteArray(">=0.0.3 <0.0.4-0");
        QTest::newRow("tilde") << QByteArray("~1.2") << QByteArray(">=1.2.0 <1.3.0-0");
        QTest::newRow("any") << QByteArray("*") << QByteArray("*");
        QTest::newRow("or") << QByteArray("1.2.3 ||  2.x")
                            << QByteArray("=1.2.3 || >=2.0.0 <3.0.0-0");
        QTest::newRow("greater partial") << QByteArray(">1.2") << QByteArray(">=1.3.0");
        QTest::newRow("nothing") << QByteArray(">*") << QByteArray("<0.0.0-0");
        QTest::newRow("unbounded caret")
            << QByteArray("^18446744073709551615") << QByteArray(">=18446744073709551615.0.0");
    }

    void constraintToString()
    {
        QFETCH(QByteArray, constraint);
        QFETCH(QByteArray, expanded);

        const auto parsed = VersionConstraint::parse(constraint.toStdString());
        QVERIFY2(parsed.ok(), parsed ? "" : parsed.error().message.c_str());
        QCOMPARE(QByteArray::fromStdString(parsed->toString()), expanded);
    }

    void refusesBadConstraints_data()
    {
        QTest::addColumn<QByteArray>("constraint");
        QTest::addColumn<QByteArray>("reason");

        QTest::newRow("empty") << QByteArray("") << QByteArray("empty comparator set");
        QTest::newRow("blank") << QByteArray("   ") << QByteArray("empty comparator set");
        QTest::newRow("empty alternative") << QByteArray("1.2 ||") << QByteArray("empty");
        QTest::newRow("leading or") << QByteArray("|| 1.2") << QByteArray("empty");
        QTest::newRow("single bar") << QByteArray("1 | 2") << QByteArray("\"||\"");
        QTest::newRow("v prefix") << QByteArray("v1.2.3") << QByteArray("prefix");
        QTest::newRow("v prefix after operator") << QByteArray(">=v1") << QByteArray("prefix");
        QTest::newRow("four parts") << QByteArray("1.2.3.4") << QByteArray("MAJOR.MINOR.PATCH");
        QTest::newRow("leading zero") << QByteArray("^01.2") << QByteArray("leading zero");
        QTest::newRow("number after wildcard") << QByteArray("1.x.3") << QByteArray("wildcard");
        QTest::newRow("double operator") << QByteArray(">>1") << QByteArray("operator");
        QTest::newRow("ruby tilde") << QByteArray("~>1.2") << QByteArray("operator");
        QTest::newRow("hyphen range") << QByteArray("1 - 2") << QByteArray("hyphen");
        QTest::newRow("dangling operator")
            << QByteArray(">=1.2.3 <") << QByteArray("without a version");
        QTest::newRow("prerelease on partial")
            << QByteArray("1.2.x-beta") << QByteArray("invalid version");
        QTest::newRow("empty prerelease") << QByteArray("1.2.3-") << QByteArray("empty");
        QTest::newRow("overflow") << QByteArray(">=99999999999999999999")
                                  << QByteArray("too large");
        QTest::newRow("comma") << QByteArray("^1,2") << QByteArray("unexpected character");
        QTest::newRow("letters") << QByteArray("latest") << QByteArray("not a number");
        QTest::newRow("too long") << (QByteArray(">=1.0.0 ").repeated(128) + "1")
                                  << QByteArray("longer than 1024");
    }

    void refusesBadConstraints()
    {
        QFETCH(QByteArray, constraint);
        QFETCH(QByteArray, reason);

        const auto parsed = VersionConstraint::parse(constraint.toStdString());
        QVERIFY2(!parsed.ok(), parsed ? parsed->toString().c_str() : "");
        QCOMPARE(parsed.error().code, toolhub::ErrorCode::InvalidArgument);
        QVERIFY2(parsed.error().message.starts_with("invalid version constraint"),
                 parsed.error().message.c_str());
        QVERIFY2(parsed.error().message.find(reason.toStdString()) != std::string::npos,
                 parsed.error().message.c_str());
    }
};

QTEST_APPLESS_MAIN(SemverTest)
#include "semver_test.moc"
