// The SCIM filter grammar (RFC 7644 3.4.2.2) this server accepts, its error messages, and how
// filters match resources.

#include "core/scim/filter.h"

#include <QTest>

using namespace toolhub::server::scim;

namespace {

const nlohmann::json alice = nlohmann::json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "id": "0a1b",
    "externalId": "00uAbC",
    "userName": "Alice.Archer@acme.example",
    "displayName": "Alice Archer",
    "name": {"givenName": "Alice", "familyName": "Archer"},
    "active": true,
    "emails": [{"value": "alice@acme.example", "type": "work", "primary": true},
               {"value": "alice@home.example", "type": "home"}],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "acme"},
    "meta": {"lastModified": "2026-11-28T10:00:00Z"}
})");

bool matchesText(const char *filter, const nlohmann::json &resource = alice)
{
    auto parsed = parseFilter(filter);
    if (!parsed) {
        QTest::qFail(qPrintable(QStringLiteral("%1: %2").arg(
                         QLatin1String(filter), QString::fromStdString(parsed.error().detail))),
                     __FILE__, __LINE__);
        return false;
    }
    return matches(*parsed, resource);
}

} // namespace

class ScimFilterTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void equalityIgnoresCaseOfNamesAndValues()
    {
        QVERIFY(matchesText(R"(userName eq "alice.archer@acme.example")"));
        QVERIFY(matchesText(R"(USERNAME EQ "ALICE.ARCHER@ACME.EXAMPLE")"));
        QVERIFY(!matchesText(R"(userName eq "bob@acme.example")"));
        QVERIFY(matchesText(R"(userName ne "bob@acme.example")"));
    }

    void idAndExternalIdAreCaseExact()
    {
        QVERIFY(matchesText(R"(externalId eq "00uAbC")"));
        QVERIFY(!matchesText(R"(externalId eq "00uabc")"));
        QVERIFY(!matchesText(R"(id eq "0A1B")"));
    }

    void equalityValueFindsIndexableFilters()
    {
        auto filter = parseFilter(R"(userName eq "jane@corp.example")");
        QVERIFY(filter.ok());
        QCOMPARE(equalityValue(*filter, "username"),
                 std::optional<std::string>{"jane@corp.example"});
        QCOMPARE(equalityValue(*filter, "externalId"), std::nullopt);
        auto prefixed =
            parseFilter(R"(urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x")");
        QVERIFY(prefixed.ok());
        QCOMPARE(equalityValue(*prefixed, "userName"), std::optional<std::string>{"x"});
        auto combined = parseFilter(R"(userName eq "x" and active eq true)");
        QVERIFY(combined.ok());
        QCOMPARE(equalityValue(*combined, "userName"), std::nullopt);
        auto substring = parseFilter(R"(userName sw "x")");
        QVERIFY(substring.ok());
        QCOMPARE(equalityValue(*substring, "userName"), std::nullopt);
    }

    void substringAndOrderingOperators()
    {
        QVERIFY(matchesText(R"(userName sw "alice.")"));
        QVERIFY(matchesText(R"(userName ew "@ACME.example")"));
        QVERIFY(matchesText(R"(displayName co "ce Ar")"));
        QVERIFY(!matchesText(R"(displayName co "Bob")"));
        QVERIFY(matchesText(R"(meta.lastModified gt "2026-01-01T00:00:00Z")"));
        QVERIFY(!matchesText(R"(meta.lastModified lt "2026-01-01T00:00:00Z")"));
    }

    void booleansPresenceAndLogic()
    {
        QVERIFY(matchesText("active eq true"));
        QVERIFY(!matchesText("active eq false"));
        QVERIFY(matchesText("title pr or name.givenName pr"));
        QVERIFY(!matchesText("title pr"));
        QVERIFY(matchesText(R"(not (userName eq "bob") and (active eq true or title pr))"));
        QVERIFY(!matchesText(R"(userName eq "bob" or userName eq "carol")"));
        QVERIFY(matchesText("title eq null"));
    }

    void multiValuedAttributesAndValuePaths()
    {
        QVERIFY(matchesText(R"(emails co "home.example")"));
        QVERIFY(matchesText(R"(emails.value eq "alice@home.example")"));
        QVERIFY(matchesText(R"(emails[type eq "work" and value ew "acme.example"])"));
        QVERIFY(!matchesText(R"(emails[type eq "home" and value ew "acme.example"])"));
        QVERIFY(matchesText(R"(emails[primary eq true])"));
    }

    void extensionAttributes()
    {
        QVERIFY(matchesText(
            R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization eq "acme")"));
        QVERIFY(!matchesText(
            R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization eq "globex")"));
    }

    void escapedStrings()
    {
        const auto resource = nlohmann::json{{"displayName", "The \"Quoted\" Team"}};
        QVERIFY(matchesText("displayName eq \"the \\\"quoted\\\" team\"", resource));
    }

    void invalidFiltersNameTheProblem_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("message");
        QTest::newRow("no operator") << "userName"
                                     << "expected an operator";
        QTest::newRow("unknown operator") << R"(userName like "a")"
                                          << "\"like\"";
        QTest::newRow("unterminated string") << "userName eq \"abc"
                                             << "no closing quote";
        QTest::newRow("no value") << "userName eq"
                                  << "found the end of the filter";
        QTest::newRow("unquoted value") << "userName eq alice"
                                        << "a quoted string";
        QTest::newRow("dangling and") << R"(userName eq "a" and)"
                                      << "an attribute name";
        QTest::newRow("unbalanced") << R"((userName eq "a")"
                                    << "\")\"";
        QTest::newRow("trailing junk") << R"(userName eq "a" "b")"
                                       << "the end of the filter";
        QTest::newRow("bad character") << R"(userName eq "a" ; drop)"
                                       << "unexpected character";
        QTest::newRow("bad attribute") << R"(1name eq "a")"
                                       << "not an attribute path";
        QTest::newRow("substring of a number") << "age co 5"
                                               << "cannot compare";
        QTest::newRow("ordering of a boolean") << "active gt true"
                                               << "cannot compare";
        QTest::newRow("empty") << ""
                               << "an attribute name";
        QTest::newRow("not without parentheses") << R"(not userName eq "a")"
                                                 << "expected \"(\"";
        QTest::newRow("unclosed value path") << R"(emails[type eq "work")"
                                             << "\"]\"";
    }

    void invalidFiltersNameTheProblem()
    {
        QFETCH(QString, filter);
        QFETCH(QString, message);
        const auto parsed = parseFilter(filter.toStdString());
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().status, 400U);
        QCOMPARE(parsed.error().scimType, std::string{"invalidFilter"});
        QVERIFY2(QString::fromStdString(parsed.error().detail).contains(message),
                 parsed.error().detail.c_str());
    }

    void deepNestingIsRefused()
    {
        std::string filter;
        for (int i = 0; i < 100; ++i) {
            filter += "(";
        }
        filter += R"(userName eq "a")";
        for (int i = 0; i < 100; ++i) {
            filter += ")";
        }
        const auto parsed = parseFilter(filter);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().scimType, std::string{"invalidFilter"});
        QVERIFY(parseFilter(std::string(5000, 'a')).error().detail.find("longer") !=
                std::string::npos);
    }
};

QTEST_GUILESS_MAIN(ScimFilterTest)
#include "scim_filter_test.moc"
