#include "toolhub/api_types.h"

#include <QTest>

#include <string>

using nlohmann::json;
using namespace toolhub;

namespace {

const char *const kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// A complete, valid object of each shape.
json validJson(const QByteArray &shape)
{
    if (shape == "product") {
        return {{"slug", "cad-suite"},
                {"name", "CAD Suite"},
                {"summary", "Design tools"},
                {"description", "# CAD Suite\n\nEverything\tfor drawings."}};
    }
    if (shape == "tool") {
        return {{"slug", "cli"}, {"product", "cad-suite"}, {"name", "CAD CLI"}, {"summary", "CLI"}};
    }
    if (shape == "release") {
        return {{"tool", "cli"},
                {"version", "1.2.3-beta.1+build.7"},
                {"channel", "beta"},
                {"status", "published"},
                {"published_at", "2026-03-01T12:00:00Z"},
                {"notes", "Fixed the exporter.\n"}};
    }
    if (shape == "artifact") {
        return {{"platform", "linux"},
                {"arch", "x86_64"},
                {"size", 1048576},
                {"sha256", kSha},
                {"file_name", "cli-1.2.3-linux-x86_64.tar.gz"},
                {"download_url", "/api/v1/artifacts/42/download"}};
    }
    if (shape == "resource") {
        return {{"id", "doc-1"},
                {"product", "cad-suite"},
                {"release", "1.2.0"},
                {"kind", "document"},
                {"title", "Benutzerhandbuch"},
                {"locale", "de-DE"},
                {"file_name", "Benutzerhandbuch (Übersicht).pdf"},
                {"size", 12345}};
    }
    if (shape == "license") {
        return {{"serial", "ABCD-1234-EFGH"},
                {"product", "cad-suite"},
                {"organization", "acme"},
                {"seats", 25},
                {"expires_at", "2027-01-01T00:00:00.5Z"},
                {"maintenance_end", "2028-02-29"},
                {"order_ref", "SO 2026/0042"}};
    }
    qFatal("unknown shape %s", shape.constData());
}

template <class T>
std::string errorOf(const json &j)
{
    const auto parsed = fromJson<T>(j);
    return parsed ? std::string("(accepted)") : parsed.error().message;
}

std::string errorOf(const QByteArray &shape, const json &j)
{
    if (shape == "product") {
        return errorOf<Product>(j);
    }
    if (shape == "tool") {
        return errorOf<Tool>(j);
    }
    if (shape == "release") {
        return errorOf<Release>(j);
    }
    if (shape == "artifact") {
        return errorOf<Artifact>(j);
    }
    if (shape == "resource") {
        return errorOf<Resource>(j);
    }
    return errorOf<License>(j);
}

// JSON -> value -> JSON gives the same JSON, and value -> JSON -> value the same value.
template <class T>
void checkRoundTrip(const json &j)
{
    const auto parsed = fromJson<T>(j);
    QVERIFY2(parsed.ok(), parsed ? "" : parsed.error().message.c_str());
    const json written = toJson(*parsed);
    QVERIFY2(written == j, written.dump().c_str());
    const auto again = fromJson<T>(written);
    QVERIFY(again.ok());
    QVERIFY(*again == *parsed);
}

void checkRoundTrip(const QByteArray &shape, const json &j)
{
    if (shape == "product") {
        checkRoundTrip<Product>(j);
    } else if (shape == "tool") {
        checkRoundTrip<Tool>(j);
    } else if (shape == "release") {
        checkRoundTrip<Release>(j);
    } else if (shape == "artifact") {
        checkRoundTrip<Artifact>(j);
    } else if (shape == "resource") {
        checkRoundTrip<Resource>(j);
    } else {
        checkRoundTrip<License>(j);
    }
}

} // namespace

class ApiTypesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrips_data()
    {
        QTest::addColumn<QByteArray>("shape");
        QTest::addColumn<QByteArray>("withoutMembers"); // comma-separated optional members

        for (const char *shape :
             {"product", "tool", "release", "artifact", "resource", "license"}) {
            QTest::addRow("%s complete", shape) << QByteArray(shape) << QByteArray();
        }
        QTest::newRow("product minimal")
            << QByteArray("product") << QByteArray("summary,description");
        QTest::newRow("tool minimal") << QByteArray("tool") << QByteArray("summary");
        QTest::newRow("release minimal")
            << QByteArray("release") << QByteArray("published_at,notes");
        QTest::newRow("resource minimal") << QByteArray("resource") << QByteArray("release");
        QTest::newRow("license minimal")
            << QByteArray("license") << QByteArray("expires_at,maintenance_end");
    }

    void roundTrips()
    {
        QFETCH(QByteArray, shape);
        QFETCH(QByteArray, withoutMembers);

        json j = validJson(shape);
        for (const QByteArray &member : withoutMembers.split(',')) {
            if (!member.isEmpty()) {
                QVERIFY(j.erase(member.toStdString()) == 1);
            }
        }
        checkRoundTrip(shape, j);
    }

    void resourceWithUrlRoundTrips()
    {
        json j = validJson("resource");
        j.erase("file_name");
        j.erase("size");
        j["url"] = "https://docs.example.com/cad/intro?lang=de";
        j["kind"] = "tutorial";
        checkRoundTrip<Resource>(j);
    }

    void valuesComeThrough()
    {
        const auto release = releaseFromJson(validJson("release"));
        QVERIFY(release.ok());
        QCOMPARE(release->tool, std::string("cli"));
        QCOMPARE(release->version.toString(), std::string("1.2.3-beta.1+build.7"));
        QVERIFY(release->channel == Channel::Beta);
        QVERIFY(release->status == ReleaseStatus::Published);
        QCOMPARE(release->publishedAt.value_or(""), std::string("2026-03-01T12:00:00Z"));

        const auto artifact = artifactFromJson(validJson("artifact"));
        QVERIFY(artifact.ok());
        QCOMPARE(artifact->size, std::uint64_t{1048576});
        QVERIFY(artifact->platform == Platform::Linux);
        QVERIFY(artifact->arch == Arch::X86_64);

        const auto license = licenseFromJson(validJson("license"));
        QVERIFY(license.ok());
        QCOMPARE(license->seats, std::uint32_t{25});
        QCOMPARE(license->maintenanceEnd.value_or(""), std::string("2028-02-29"));

        // Built in code, written, read back.
        Artifact big;
        big.platform = Platform::Macos;
        big.arch = Arch::Arm64;
        big.size = 18446744073709551615ULL;
        big.sha256 = kSha;
        big.fileName = "cli.pkg";
        big.downloadUrl = "/downloads/cad-suite/cli/2.0.0/cli.pkg";
        const auto back = artifactFromJson(json::parse(toJson(big).dump()));
        QVERIFY2(back.ok(), back ? "" : back.error().message.c_str());
        QVERIFY(*back == big);
    }

    void emptyOptionalsAreOmitted()
    {
        Release release;
        release.tool = "cli";
        release.version = parseSemVer("2.0.0").value();
        const json j = toJson(release);
        QVERIFY(!j.contains("published_at"));
        QVERIFY(!j.contains("notes"));
        QCOMPARE(j.at("status").get<std::string>(), std::string("draft"));
        QCOMPARE(j.at("channel").get<std::string>(), std::string("stable"));

        Product product{"cad-suite", "CAD Suite", "", ""};
        QCOMPARE(toJson(product).size(), std::size_t{2});
    }

    void unknownMembersAndNullOptionalsAreAccepted()
    {
        json j = validJson("release");
        j["future_member"] = {{"anything", 1}};
        j["published_at"] = nullptr;
        const auto release = releaseFromJson(j);
        QVERIFY2(release.ok(), release ? "" : release.error().message.c_str());
        QVERIFY(!release->publishedAt);
    }

    void vectorsSerialize()
    {
        const std::vector<Tool> tools = {{"a", "p", "A", ""}, {"b", "p", "B", "second"}};
        const json j = tools;
        QVERIFY(j.is_array());
        QCOMPARE(j.size(), std::size_t{2});
        QCOMPARE(j[1].at("summary").get<std::string>(), std::string("second"));
    }

    void pathNamesTheElement()
    {
        json j = validJson("release");
        j["channel"] = "nightly";
        const auto release = releaseFromJson(j, "releases[3]");
        QVERIFY(!release.ok());
        QCOMPARE(release.error().message,
                 std::string(R"(releases[3].channel: expected "stable" or "beta")"));
    }

    void reportsInvalidMembers_data()
    {
        QTest::addColumn<QByteArray>("shape");
        QTest::addColumn<QByteArray>("member");
        QTest::addColumn<QByteArray>("value"); // JSON text; empty: remove the member
        QTest::addColumn<QByteArray>("message");

        const auto row = [](const char *name, const char *shape, const char *member,
                            const char *value, const char *message) {
            QTest::newRow(name) << QByteArray(shape) << QByteArray(member) << QByteArray(value)
                                << QByteArray(message);
        };
        // Product
        row("product.slug missing", "product", "slug", "", "product.slug: required");
        row("product.slug uppercase", "product", "slug", R"("CAD")",
            "product.slug: expected an identifier matching [a-z0-9][a-z0-9._-]{0,63}");
        row("product.slug leading dash", "product", "slug", R"("-cad")",
            "product.slug: expected an identifier matching [a-z0-9][a-z0-9._-]{0,63}");
        row("product.slug too long", "product", "slug",
            ("\"" + std::string(65, 'a') + "\"").c_str(),
            "product.slug: expected an identifier matching [a-z0-9][a-z0-9._-]{0,63}");
        row("product.slug number", "product", "slug", "42", "product.slug: expected a string");
        row("product.name empty", "product", "name", R"("")", "product.name: must not be empty");
        row("product.name null", "product", "name", "null", "product.name: expected a string");
        row("product.name newline", "product", "name", R"("a\nb")",
            "product.name: contains control characters");
        row("product.name too long", "product", "name",
            ("\"" + std::string(201, 'n') + "\"").c_str(), "product.name: longer than 200 bytes");
        row("product.summary array", "product", "summary", "[]",
            "product.summary: expected a string");
        // Tool
        row("tool.product missing", "tool", "product", "", "tool.product: required");
        row("tool.product bad", "tool", "product", R"("a/b")",
            "tool.product: expected an identifier matching [a-z0-9][a-z0-9._-]{0,63}");
        // Release
        row("release.tool missing", "release", "tool", "", "release.tool: required");
        row("release.version missing", "release", "version", "", "release.version: required");
        row("release.version v prefix", "release", "version", R"("v1.2.3")",
            R"(release.version: invalid version "v1.2.3": no "v" prefix allowed)");
        row("release.version partial", "release", "version", R"("1.2")",
            R"(release.version: invalid version "1.2": expected MAJOR.MINOR.PATCH)");
        row("release.channel unknown", "release", "channel", R"("nightly")",
            R"(release.channel: expected "stable" or "beta")");
        row("release.channel case", "release", "channel", R"("Stable")",
            R"(release.channel: expected "stable" or "beta")");
        row("release.status unknown", "release", "status", R"("deleted")",
            R"(release.status: expected "draft", "published" or "yanked")");
        row("release.status missing", "release", "status", "", "release.status: required");
        row("release.published_at offset", "release", "published_at",
            R"("2026-03-01T12:00:00+01:00")",
            R"(release.published_at: expected an RFC 3339 UTC timestamp like "2026-03-01T12:00:00Z")");
        row("release.published_at bad day", "release", "published_at", R"("2026-02-30T12:00:00Z")",
            R"(release.published_at: expected an RFC 3339 UTC timestamp like "2026-03-01T12:00:00Z")");
        row("release.published_at hour", "release", "published_at", R"("2026-02-01T24:00:00Z")",
            R"(release.published_at: expected an RFC 3339 UTC timestamp like "2026-03-01T12:00:00Z")");
        row("release.published_at number", "release", "published_at", "1767225600",
            "release.published_at: expected a string");
        // Artifact
        row("artifact.platform unknown", "artifact", "platform", R"("freebsd")",
            R"(artifact.platform: expected "linux", "windows" or "macos")");
        row("artifact.arch unknown", "artifact", "arch", R"("amd64")",
            R"(artifact.arch: expected "x86_64" or "arm64")");
        row("artifact.size negative", "artifact", "size", "-1",
            "artifact.size: must not be negative");
        row("artifact.size fraction", "artifact", "size", "1.5",
            "artifact.size: expected a non-negative integer");
        row("artifact.size string", "artifact", "size", R"("12")",
            "artifact.size: expected a non-negative integer");
        row("artifact.size too big", "artifact", "size", "18446744073709551616",
            "artifact.size: expected a non-negative integer");
        row("artifact.size missing", "artifact", "size", "", "artifact.size: required");
        row("artifact.sha256 uppercase", "artifact", "sha256",
            R"("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")",
            "artifact.sha256: expected 64 lowercase hex digits");
        row("artifact.sha256 short", "artifact", "sha256", R"("9f86d081")",
            "artifact.sha256: expected 64 lowercase hex digits");
        row("artifact.file_name path", "artifact", "file_name", R"("../etc/passwd")",
            "artifact.file_name: expected a plain file name");
        row("artifact.file_name backslash", "artifact", "file_name", R"("a\\b.zip")",
            "artifact.file_name: expected a plain file name");
        row("artifact.file_name empty", "artifact", "file_name", R"("")",
            "artifact.file_name: expected a plain file name");
        row("artifact.download_url absolute", "artifact", "download_url",
            R"("https://evil.example/x")",
            R"(artifact.download_url: expected a server-relative path like "/api/v1/...")");
        row("artifact.download_url protocol-relative", "artifact", "download_url",
            R"("//evil.example/x")",
            R"(artifact.download_url: expected a server-relative path like "/api/v1/...")");
        row("artifact.download_url dot-dot", "artifact", "download_url", R"("/a/../b")",
            R"(artifact.download_url: expected a server-relative path like "/api/v1/...")");
        row("artifact.download_url encoded dot", "artifact", "download_url", R"("/a/%2e%2e/b")",
            R"(artifact.download_url: expected a server-relative path like "/api/v1/...")");
        row("artifact.download_url space", "artifact", "download_url", R"("/a b")",
            R"(artifact.download_url: expected a server-relative path like "/api/v1/...")");
        // Resource
        row("resource.id bad", "resource", "id", R"("Doc 1")",
            "resource.id: expected an identifier matching [a-z0-9][a-z0-9._-]{0,63}");
        row("resource.release bad", "resource", "release", R"("1.2.x")",
            R"(resource.release: invalid version "1.2.x": "x" is not a number)");
        row("resource.kind unknown", "resource", "kind", R"("video")",
            R"(resource.kind: expected "document" or "tutorial")");
        row("resource.title missing", "resource", "title", "", "resource.title: required");
        row("resource.locale underscore", "resource", "locale", R"("de_DE")",
            R"(resource.locale: expected a language tag like "en" or "de-DE")");
        row("resource.locale region case", "resource", "locale", R"("de-de")",
            R"(resource.locale: expected a language tag like "en" or "de-DE")");
        row("resource.url javascript", "resource", "url", R"j("javascript:alert(1)")j",
            "resource.url: expected an absolute http(s) URL");
        row("resource.url with file", "resource", "url", R"("https://docs.example.com/a")",
            "resource.file_name: not allowed together with url");
        row("resource.file_name without size", "resource", "size", "",
            "resource.size: required with file_name");
        row("resource.file_name hidden", "resource", "file_name", R"(".profile")",
            "resource.file_name: expected a plain file name");
        row("resource.size negative", "resource", "size", "-5",
            "resource.size: must not be negative");
        row("resource.file_name missing", "resource", "file_name", "",
            "resource.url: required unless file_name is given");
        // License
        row("license.serial missing", "license", "serial", "", "license.serial: required");
        row("license.serial space", "license", "serial", R"("ABCD 1234")",
            "license.serial: expected 1 to 128 printable ASCII characters without spaces");
        row("license.organization bad", "license", "organization", R"("ACME Corp")",
            "license.organization: expected an identifier matching [a-z0-9][a-z0-9._-]{0,63}");
        row("license.seats negative", "license", "seats", "-3",
            "license.seats: must not be negative");
        row("license.seats too many", "license", "seats", "4294967296",
            "license.seats: larger than 4294967295");
        row("license.seats float", "license", "seats", "2.0",
            "license.seats: expected a non-negative integer");
        row("license.expires_at date only", "license", "expires_at", R"("2027-01-01")",
            R"(license.expires_at: expected an RFC 3339 UTC timestamp like "2026-03-01T12:00:00Z")");
        row("license.maintenance_end not leap", "license", "maintenance_end", R"("2027-02-29")",
            R"(license.maintenance_end: expected a date like "2026-12-31")");
        row("license.maintenance_end timestamp", "license", "maintenance_end",
            R"("2026-12-31T00:00:00Z")",
            R"(license.maintenance_end: expected a date like "2026-12-31")");
        row("license.order_ref missing", "license", "order_ref", "", "license.order_ref: required");
        row("license.order_ref empty", "license", "order_ref", R"("")",
            "license.order_ref: must not be empty");
    }

    void reportsInvalidMembers()
    {
        QFETCH(QByteArray, shape);
        QFETCH(QByteArray, member);
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, message);

        json j = validJson(shape);
        if (value.isEmpty()) {
            QVERIFY(j.erase(member.toStdString()) == 1);
        } else {
            j[member.toStdString()] = json::parse(value.toStdString());
        }
        QCOMPARE(QByteArray::fromStdString(errorOf(shape, j)), message);
    }

    void refusesNonObjects_data()
    {
        QTest::addColumn<QByteArray>("shape");
        QTest::addColumn<QByteArray>("text");

        for (const char *shape :
             {"product", "tool", "release", "artifact", "resource", "license"}) {
            QTest::addRow("%s array", shape) << QByteArray(shape) << QByteArray("[]");
            QTest::addRow("%s null", shape) << QByteArray(shape) << QByteArray("null");
            QTest::addRow("%s string", shape) << QByteArray(shape) << QByteArray(R"("x")");
        }
    }

    void refusesNonObjects()
    {
        QFETCH(QByteArray, shape);
        QFETCH(QByteArray, text);

        QCOMPARE(QByteArray::fromStdString(errorOf(shape, json::parse(text.toStdString()))),
                 shape + ": expected an object");
    }

    void valueChecks()
    {
        QVERIFY(isValidIdentifier("a"));
        QVERIFY(isValidIdentifier("0.9_beta-x"));
        QVERIFY(isValidIdentifier(std::string(64, 'a')));
        QVERIFY(!isValidIdentifier(""));
        QVERIFY(!isValidIdentifier("_a"));
        QVERIFY(!isValidIdentifier(std::string(65, 'a')));

        QVERIFY(isValidLocale("en"));
        QVERIFY(isValidLocale("de-DE"));
        QVERIFY(isValidLocale("zh-Hans-CN"));
        QVERIFY(isValidLocale("zh-Hant"));
        QVERIFY(isValidLocale("es-419"));
        QVERIFY(!isValidLocale("en-"));
        QVERIFY(!isValidLocale("EN"));
        QVERIFY(!isValidLocale("en-US-x"));
        QVERIFY(!isValidLocale(""));

        QVERIFY(isValidTimestamp("2024-02-29T23:59:60Z"));
        QVERIFY(isValidTimestamp("2024-02-29T23:59:59.123456789Z"));
        QVERIFY(!isValidTimestamp("2024-02-29T23:59:59.Z"));
        QVERIFY(!isValidTimestamp("2024-02-29t23:59:59z"));
        QVERIFY(!isValidTimestamp("2024-02-29 23:59:59Z"));
        QVERIFY(!isValidTimestamp("2023-02-29T00:00:00Z"));
        QVERIFY(isValidDate("2000-02-29"));
        QVERIFY(!isValidDate("1900-02-29"));
        QVERIFY(!isValidDate("2026-13-01"));
        QVERIFY(!isValidDate("2026-1-01"));

        QVERIFY(isValidRelativeUrl("/"));
        QVERIFY(isValidRelativeUrl("/api/v1/artifacts/42/download?token=abc&x=%20"));
        QVERIFY(!isValidRelativeUrl("/a/."));
        QVERIFY(!isValidRelativeUrl("/a%2Fb"));
        QVERIFY(!isValidRelativeUrl("/a%zz"));
        QVERIFY(!isValidRelativeUrl("/a#frag"));
        QVERIFY(!isValidRelativeUrl("/a\\b"));
        QVERIFY(!isValidRelativeUrl("a/b"));

        QVERIFY(isValidExternalUrl("http://example.com"));
        QVERIFY(!isValidExternalUrl("https://"));
        QVERIFY(!isValidExternalUrl("https:///path"));
        QVERIFY(!isValidExternalUrl("ftp://example.com/a"));
        QVERIFY(!isValidExternalUrl("https://example.com/a\"onmouseover=\"x"));

        QVERIFY(isValidFileName("Benutzerhandbuch (2026).pdf"));
        QVERIFY(!isValidFileName(".."));
        QVERIFY(!isValidFileName("name."));
        QVERIFY(!isValidFileName("a:b"));
        QVERIFY(!isValidFileName(std::string(256, 'a')));
    }

    void enumNames()
    {
        QCOMPARE(toString(Channel::Beta), std::string_view("beta"));
        QCOMPARE(toString(ReleaseStatus::Yanked), std::string_view("yanked"));
        QCOMPARE(toString(Platform::Windows), std::string_view("windows"));
        QCOMPARE(toString(Arch::Arm64), std::string_view("arm64"));
        QCOMPARE(toString(ResourceKind::Tutorial), std::string_view("tutorial"));
        QVERIFY(parsePlatform("macos").value() == Platform::Macos);
        const auto unknown = parseChannel("nightly");
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(unknown.error().message, std::string(R"(expected "stable" or "beta")"));
    }
};

QTEST_APPLESS_MAIN(ApiTypesTest)
#include "api_types_test.moc"
