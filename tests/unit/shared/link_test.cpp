#include "toolhub/link.h"

#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QSet>
#include <QString>
#include <QTest>

#include <cstddef>
#include <string>
#include <string_view>

using toolhub::LinkAction;
using toolhub::LinkChannel;
using toolhub::LinkErrorCode;
using toolhub::LinkRequest;

namespace {

// A byte string with its exact length, so embedded NUL bytes survive.
template <std::size_t N>
QByteArray raw(const char (&text)[N])
{
    return QByteArray(text, static_cast<qsizetype>(N - 1));
}

std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

QString codeName(LinkErrorCode code)
{
    return QString::fromStdString(std::string(toolhub::linkErrorCodeName(code)));
}

constexpr int kNoChannel = -1;

QByteArray repeated(char c, qsizetype count)
{
    return QByteArray(count, c);
}

// A valid install link of exactly `length` bytes (length >= 48), using a long pre-release.
QByteArray validLinkOfLength(qsizetype length)
{
    QByteArray link = "toolhub://install/p/t?version=1.0.0-";
    link += repeated('a', length - link.size());
    return link;
}

} // namespace

// The toolhub:// link grammar: every accepted form, canonical round-trips and the refusal of
// hostile links, each with its specific error code.
class LinkTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
    void reportsPositions_data();
    void reportsPositions();
    void lengthLimitIsExact();
    void identifierLengthLimitIsExact();
    void roundTripsBuiltRequests();
    void errorCodeNamesAreStableAndDistinct();
    void messagesNeverEchoLongInput();
    void convertsToJson();
};

void LinkTest::accepts_data()
{
    QTest::addColumn<QByteArray>("link");
    QTest::addColumn<int>("action");
    QTest::addColumn<QString>("product");
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("projectId");
    QTest::addColumn<QString>("version"); // empty = latest (nullopt)
    QTest::addColumn<int>("channel");     // kNoChannel = not given
    QTest::addColumn<QByteArray>("canonical");

    const auto install = static_cast<int>(LinkAction::Install);
    const auto open = static_cast<int>(LinkAction::Open);
    const auto project = static_cast<int>(LinkAction::Project);
    const auto projectInstall = static_cast<int>(LinkAction::ProjectInstall);
    const auto stable = static_cast<int>(LinkChannel::Stable);
    const auto beta = static_cast<int>(LinkChannel::Beta);
    const QString none;

    QTest::newRow("install") << QByteArray("toolhub://install/acme/cad") << install << "acme"
                             << "cad" << none << none << kNoChannel
                             << QByteArray("toolhub://install/acme/cad");
    QTest::newRow("install identifier punctuation")
        << QByteArray("toolhub://install/acme.tools/cad_x-2.v1") << install << "acme.tools"
        << "cad_x-2.v1" << none << none << kNoChannel
        << QByteArray("toolhub://install/acme.tools/cad_x-2.v1");
    QTest::newRow("install leading digits")
        << QByteArray("toolhub://install/3d-viewer/0") << install << "3d-viewer"
        << "0" << none << none << kNoChannel << QByteArray("toolhub://install/3d-viewer/0");
    QTest::newRow("version x.y.z")
        << QByteArray("toolhub://install/acme/cad?version=1.2.3") << install << "acme"
        << "cad" << none << "1.2.3" << kNoChannel
        << QByteArray("toolhub://install/acme/cad?version=1.2.3");
    QTest::newRow("version 0.0.0")
        << QByteArray("toolhub://install/acme/cad?version=0.0.0") << install << "acme"
        << "cad" << none << "0.0.0" << kNoChannel
        << QByteArray("toolhub://install/acme/cad?version=0.0.0");
    QTest::newRow("version large numbers")
        << QByteArray("toolhub://install/a/b?version=10.200.3000") << install << "a"
        << "b" << none << "10.200.3000" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=10.200.3000");
    QTest::newRow("version prerelease")
        << QByteArray("toolhub://install/a/b?version=1.0.0-alpha.1") << install << "a"
        << "b" << none << "1.0.0-alpha.1" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=1.0.0-alpha.1");
    QTest::newRow("version numeric prerelease")
        << QByteArray("toolhub://install/a/b?version=1.0.0-0.3.7") << install << "a"
        << "b" << none << "1.0.0-0.3.7" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=1.0.0-0.3.7");
    QTest::newRow("version upper-case prerelease")
        << QByteArray("toolhub://install/a/b?version=2.1.0-RC1") << install << "a"
        << "b" << none << "2.1.0-RC1" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=2.1.0-RC1");
    QTest::newRow("version build")
        << QByteArray("toolhub://install/a/b?version=1.0.0+20130313144700") << install << "a"
        << "b" << none << "1.0.0+20130313144700" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=1.0.0+20130313144700");
    QTest::newRow("version build leading zero")
        << QByteArray("toolhub://install/a/b?version=1.0.0+001") << install << "a"
        << "b" << none << "1.0.0+001" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=1.0.0+001");
    QTest::newRow("version prerelease and build")
        << QByteArray("toolhub://install/a/b?version=1.0.0-rc.1+exp.sha.5114f85") << install << "a"
        << "b" << none << "1.0.0-rc.1+exp.sha.5114f85" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=1.0.0-rc.1+exp.sha.5114f85");
    QTest::newRow("version hyphens everywhere")
        << QByteArray("toolhub://install/a/b?version=1.0.0-alpha-a.b-c--x+build.1-aef.1-ok")
        << install << "a"
        << "b" << none << "1.0.0-alpha-a.b-c--x+build.1-aef.1-ok" << kNoChannel
        << QByteArray("toolhub://install/a/b?version=1.0.0-alpha-a.b-c--x+build.1-aef.1-ok");
    QTest::newRow("version latest")
        << QByteArray("toolhub://install/a/b?version=latest") << install << "a"
        << "b" << none << none << kNoChannel << QByteArray("toolhub://install/a/b");
    QTest::newRow("channel stable")
        << QByteArray("toolhub://install/a/b?channel=stable") << install << "a"
        << "b" << none << none << stable << QByteArray("toolhub://install/a/b?channel=stable");
    QTest::newRow("channel beta") << QByteArray("toolhub://install/a/b?channel=beta") << install
                                  << "a"
                                  << "b" << none << none << beta
                                  << QByteArray("toolhub://install/a/b?channel=beta");
    QTest::newRow("version then channel")
        << QByteArray("toolhub://install/a/b?version=2.0.0&channel=beta") << install << "a"
        << "b" << none << "2.0.0" << beta
        << QByteArray("toolhub://install/a/b?version=2.0.0&channel=beta");
    QTest::newRow("channel then version")
        << QByteArray("toolhub://install/a/b?channel=beta&version=2.0.0") << install << "a"
        << "b" << none << "2.0.0" << beta
        << QByteArray("toolhub://install/a/b?version=2.0.0&channel=beta");
    QTest::newRow("latest and channel")
        << QByteArray("toolhub://install/a/b?version=latest&channel=stable") << install << "a"
        << "b" << none << none << stable << QByteArray("toolhub://install/a/b?channel=stable");
    QTest::newRow("channel then latest")
        << QByteArray("toolhub://install/a/b?channel=stable&version=latest") << install << "a"
        << "b" << none << none << stable << QByteArray("toolhub://install/a/b?channel=stable");
    QTest::newRow("upper-case scheme")
        << QByteArray("TOOLHUB://install/a/b") << install << "a"
        << "b" << none << none << kNoChannel << QByteArray("toolhub://install/a/b");
    QTest::newRow("mixed-case scheme")
        << QByteArray("ToolHub://open/acme") << open << "acme" << none << none << none << kNoChannel
        << QByteArray("toolhub://open/acme");
    QTest::newRow("open") << QByteArray("toolhub://open/acme") << open << "acme" << none << none
                          << none << kNoChannel << QByteArray("toolhub://open/acme");
    QTest::newRow("project") << QByteArray("toolhub://project/proj-42") << project << none << none
                             << "proj-42" << none << kNoChannel
                             << QByteArray("toolhub://project/proj-42");
    QTest::newRow("project install")
        << QByteArray("toolhub://project/proj-42/install") << projectInstall << none << none
        << "proj-42" << none << kNoChannel << QByteArray("toolhub://project/proj-42/install");
    QTest::newRow("project id looks like an action")
        << QByteArray("toolhub://project/install/install") << projectInstall << none << none
        << "install" << none << kNoChannel << QByteArray("toolhub://project/install/install");

    const QByteArray id64 = repeated('a', 64);
    QTest::newRow("64-char identifiers")
        << (QByteArray("toolhub://install/") + id64 + '/' + id64) << install
        << QString::fromLatin1(id64) << QString::fromLatin1(id64) << none << none << kNoChannel
        << (QByteArray("toolhub://install/") + id64 + '/' + id64);
    QTest::newRow("64-char project id")
        << (QByteArray("toolhub://project/") + id64 + "/install") << projectInstall << none << none
        << QString::fromLatin1(id64) << none << kNoChannel
        << (QByteArray("toolhub://project/") + id64 + "/install");
}

void LinkTest::accepts()
{
    QFETCH(QByteArray, link);
    QFETCH(int, action);
    QFETCH(QString, product);
    QFETCH(QString, tool);
    QFETCH(QString, projectId);
    QFETCH(QString, version);
    QFETCH(int, channel);
    QFETCH(QByteArray, canonical);

    const auto result = toolhub::parseLink(view(link));
    if (!result) {
        QFAIL(qPrintable(codeName(result.error().code) + QStringLiteral(": ") +
                         QString::fromStdString(result.error().message)));
    }
    const LinkRequest &request = result.value();
    QCOMPARE(static_cast<int>(request.action), action);
    QCOMPARE(QString::fromStdString(request.product), product);
    QCOMPARE(QString::fromStdString(request.tool), tool);
    QCOMPARE(QString::fromStdString(request.projectId), projectId);
    QCOMPARE(request.version.has_value(), !version.isEmpty());
    if (request.version) {
        QCOMPARE(QString::fromStdString(*request.version), version);
    }
    QCOMPARE(request.channel.has_value(), channel != kNoChannel);
    if (request.channel) {
        QCOMPARE(static_cast<int>(*request.channel), channel);
    }

    // The canonical form, and it parses back to the same request.
    const std::string printed = toolhub::toLink(request);
    QCOMPARE(QByteArray::fromStdString(printed), canonical);
    const auto reparsed = toolhub::parseLink(printed);
    QVERIFY(reparsed.ok());
    QVERIFY(reparsed.value() == request);
}

void LinkTest::refuses_data()
{
    QTest::addColumn<QByteArray>("link");
    QTest::addColumn<int>("code");

    const auto add = [](const char *tag, const QByteArray &link, LinkErrorCode code) {
        QTest::newRow(tag) << link << static_cast<int>(code);
    };
    using C = LinkErrorCode;

    // Empty and over-long input.
    add("empty", QByteArray(), C::Empty);
    add("10 KB link", QByteArray("toolhub://install/a/") + repeated('b', 10 * 1024), C::TooLong);
    add("513 bytes", validLinkOfLength(513), C::TooLong);
    add("1 MB of slashes", repeated('/', 1024 * 1024), C::TooLong);

    // Whitespace and control characters anywhere.
    add("trailing tab", raw("toolhub://install/a/b\t"), C::Whitespace);
    add("trailing newline", raw("toolhub://install/a/b\n"), C::Whitespace);
    add("leading tab", raw("\ttoolhub://install/a/b"), C::Whitespace);
    add("leading space", raw(" toolhub://install/a/b"), C::Whitespace);
    add("trailing space", raw("toolhub://install/a/b "), C::Whitespace);
    add("crlf inside", raw("toolhub://install/a\r\n/b"), C::Whitespace);
    add("vertical tab", raw("toolhub://install/a/b\v"), C::Whitespace);
    add("form feed", raw("toolhub://install/a\f/b"), C::Whitespace);
    add("space then flag", raw("toolhub://install/a/b --flag"), C::Whitespace);
    add("space after version", raw("toolhub://install/a/b?version=1.0.0 --x"), C::Whitespace);
    add("DEL", raw("toolhub://install/a/b\x7f"), C::ControlCharacter);
    add("NUL inside", raw("toolhub://install/a\0/b"), C::ControlCharacter);
    add("NUL at end", raw("toolhub://install/a/b\0"), C::ControlCharacter);
    add("NUL at start", raw("\0toolhub://install/a/b"), C::ControlCharacter);
    add("NUL then junk", raw("toolhub://open/p\0/../../etc"), C::ControlCharacter);
    add("escape sequence", raw("toolhub://install/a/b\x1b[31m"), C::ControlCharacter);
    add("bell", raw("toolhub://install/a/\x07"), C::ControlCharacter);

    // Non-ASCII bytes, including look-alikes.
    add("cyrillic a",
        raw("toolhub://install/\xd0\xb0"
            "cme/cad"),
        C::NonAscii);
    add("fullwidth solidus",
        raw("toolhub://install/a\xef\xbc\x8f"
            "b"),
        C::NonAscii);
    add("fullwidth colon", raw("toolhub\xef\xbc\x9a//install/a/b"), C::NonAscii);
    add("division slash",
        raw("toolhub://install/a\xe2\x88\x95"
            "b"),
        C::NonAscii);
    add("latin-1 e acute", raw("toolhub://install/caf\xe9/b"), C::NonAscii);
    add("zero-width space", raw("toolhub://install/a/b\xe2\x80\x8b"), C::NonAscii);
    add("byte order mark", raw("\xef\xbb\xbftoolhub://install/a/b"), C::NonAscii);
    add("overlong slash",
        raw("toolhub://install/a\xc0\xaf"
            "b"),
        C::NonAscii);

    // Quotes and backslashes: Windows-style argument injection.
    add("double quote flag", raw("toolhub://install/a/b\" --no-sandbox"), C::Quote);
    add("single quote", raw("toolhub://install/a/b' --x"), C::Quote);
    add("backtick", raw("toolhub://install/a/b`calc`"), C::Quote);
    add("quoted link", raw("\"toolhub://install/a/b\""), C::Quote);
    add("backslash", raw("toolhub://install/a\\b/c"), C::Backslash);
    add("backslash separator", raw("toolhub://install\\a\\b"), C::Backslash);

    // Percent-encoding: refused everywhere, with specific codes for separators and NUL.
    add("encoded slash", raw("toolhub://install/a%2Fb/c"), C::EncodedSeparator);
    add("encoded slash lower", raw("toolhub://install/a%2fb/c"), C::EncodedSeparator);
    add("encoded dot dot", raw("toolhub://install/%2e%2e/x"), C::EncodedSeparator);
    add("encoded backslash", raw("toolhub://install/a%5Cb/c"), C::EncodedSeparator);
    add("encoded question", raw("toolhub://install/a/b%3Fversion=1.0.0"), C::EncodedSeparator);
    add("encoded hash", raw("toolhub://install/a/b%23x"), C::EncodedSeparator);
    add("encoded colon", raw("toolhub://install/http%3A//evil/x"), C::EncodedSeparator);
    add("encoded at", raw("toolhub://user%40install/a/b"), C::EncodedSeparator);
    add("encoded ampersand", raw("toolhub://install/a/b?version=1.0.0%26x=1"), C::EncodedSeparator);
    add("encoded NUL", raw("toolhub://install/a/b%00"), C::EncodedNul);
    add("encoded NUL in scheme", raw("toolhub%00://install/a/b"), C::EncodedNul);
    add("encoded letter", raw("toolhub://install/%61/b"), C::PercentEncoded);
    add("encoded space", raw("toolhub://install/a/b%20--flag"), C::PercentEncoded);
    add("double encoding", raw("toolhub://install/a/b%252F"), C::PercentEncoded);
    add("lone percent", raw("toolhub://install/a/b%"), C::PercentEncoded);
    add("bad hex", raw("toolhub://install/a/b%zz"), C::PercentEncoded);
    add("half escape", raw("toolhub://install/a/b%2"), C::PercentEncoded);

    // Fragments and dot-dot.
    add("fragment", raw("toolhub://install/a/b#frag"), C::Fragment);
    add("fragment after query", raw("toolhub://install/a/b?version=1.0.0#x"), C::Fragment);
    add("empty fragment", raw("toolhub://open/p#"), C::Fragment);
    add("dot dot segment", raw("toolhub://install/../etc/x"), C::DotDot);
    add("dot dot in identifier", raw("toolhub://install/a..b/c"), C::DotDot);
    add("dot dot at end", raw("toolhub://open/.."), C::DotDot);
    add("dot dot backslash", raw("toolhub://install/..\\..\\x/y"), C::DotDot);
    add("dot dot in version", raw("toolhub://install/a/b?version=1..0"), C::DotDot);
    add("dot segment", raw("toolhub://install/./b"), C::DotSegment);

    // Schemes.
    add("https scheme", raw("https://evil.example.com/x"), C::WrongScheme);
    add("http toolhub host", raw("http://toolhub/install/a/b"), C::WrongScheme);
    add("file scheme", raw("file:///etc/passwd"), C::WrongScheme);
    add("javascript scheme", raw("javascript:alert(1)"), C::WrongScheme);
    add("scheme look-alike", raw("toolhubx://install/a/b"), C::WrongScheme);
    add("no slashes", raw("toolhub:install/a/b"), C::MalformedScheme);
    add("one slash", raw("toolhub:/install/a/b"), C::MalformedScheme);
    add("scheme only", raw("toolhub:"), C::MalformedScheme);
    add("no scheme", raw("install/a/b"), C::MissingScheme);
    add("scheme-relative", raw("//install/a/b"), C::MissingScheme);
    add("scheme name without colon", raw("toolhub"), C::MissingScheme);

    // Authority: only the action is allowed there.
    add("nothing after scheme", raw("toolhub://"), C::MissingAction);
    add("three slashes", raw("toolhub:///install/a/b"), C::MissingAction);
    add("query without action", raw("toolhub://?version=1.0.0"), C::MissingAction);
    add("user info", raw("toolhub://user@install/a/b"), C::UserInfo);
    add("user and password", raw("toolhub://user:secret@install/a/b"), C::UserInfo);
    add("port", raw("toolhub://install:80/a/b"), C::Port);
    add("empty port", raw("toolhub://install:/a/b"), C::Port);
    add("server name", raw("toolhub://evil.example.com/install/a/b"), C::ServerAddress);
    add("server name only", raw("toolhub://evil.example.com"), C::ServerAddress);
    add("ipv4 address", raw("toolhub://127.0.0.1/install/a/b"), C::ServerAddress);
    add("ipv6 address", raw("toolhub://[::1]/install/a/b"), C::ServerAddress);
    add("unknown action", raw("toolhub://uninstall/a/b"), C::UnknownAction);
    add("upper-case action", raw("toolhub://INSTALL/a/b"), C::UnknownAction);
    add("capitalised action", raw("toolhub://Open/acme"), C::UnknownAction);
    add("host-like action", raw("toolhub://localhost/install/a/b"), C::UnknownAction);
    add("unknown project action", raw("toolhub://project/p/uninstall"), C::UnknownAction);
    add("upper-case project action", raw("toolhub://project/p/INSTALL"), C::UnknownAction);

    // Path segments.
    add("empty product", raw("toolhub://install//b"), C::EmptySegment);
    add("double slash inside", raw("toolhub://open//acme"), C::EmptySegment);
    add("trailing slash", raw("toolhub://install/a/b/"), C::TrailingSlash);
    add("trailing slash open", raw("toolhub://open/acme/"), C::TrailingSlash);
    add("trailing slash project install", raw("toolhub://project/p/install/"), C::TrailingSlash);
    add("trailing slash before query", raw("toolhub://install/a/b/?version=1.0.0"),
        C::TrailingSlash);
    add("action with slash only", raw("toolhub://install/"), C::TrailingSlash);
    add("embedded url", raw("toolhub://install/http://evil/x"), C::EmbeddedUrl);
    add("embedded url in open", raw("toolhub://open/https:/x"), C::EmbeddedUrl);
    add("embedded javascript", raw("toolhub://install/a/javascript:alert(1)"), C::EmbeddedUrl);
    add("embedded drive letter", raw("toolhub://install/c:/windows"), C::EmbeddedUrl);
    add("missing tool", raw("toolhub://install/a"), C::MissingSegment);
    add("missing product and tool", raw("toolhub://install"), C::MissingSegment);
    add("missing tool before query", raw("toolhub://install/a?version=1.0.0"), C::MissingSegment);
    add("missing product", raw("toolhub://open"), C::MissingSegment);
    add("missing project id", raw("toolhub://project"), C::MissingSegment);
    add("extra install segment", raw("toolhub://install/a/b/c"), C::ExtraSegment);
    add("extra open segment", raw("toolhub://open/acme/cad"), C::ExtraSegment);
    add("extra project segment", raw("toolhub://project/p/install/x"), C::ExtraSegment);

    // Identifiers.
    add("upper-case product", raw("toolhub://install/Acme/cad"), C::InvalidIdentifier);
    add("upper-case tool", raw("toolhub://install/acme/caD"), C::InvalidIdentifier);
    add("upper-case project id", raw("toolhub://project/P1"), C::InvalidIdentifier);
    add("leading dot", raw("toolhub://install/.a/b"), C::InvalidIdentifier);
    add("leading hyphen", raw("toolhub://install/a/-rf"), C::InvalidIdentifier);
    add("leading underscore", raw("toolhub://open/_acme"), C::InvalidIdentifier);
    add("tilde", raw("toolhub://install/a/b~1"), C::InvalidIdentifier);
    add("semicolon", raw("toolhub://install/a/b;rm"), C::InvalidIdentifier);
    add("angle brackets", raw("toolhub://install/a/<script>"), C::InvalidIdentifier);
    add("pipe", raw("toolhub://install/a/b|calc"), C::InvalidIdentifier);
    add("dollar", raw("toolhub://open/p$HOME"), C::InvalidIdentifier);
    add("plus", raw("toolhub://install/a+b/c"), C::InvalidIdentifier);
    add("ampersand in path", raw("toolhub://install/a/b&calc"), C::InvalidIdentifier);
    add("at in path", raw("toolhub://install/user@evil/x"), C::InvalidIdentifier);
    add("equals in path", raw("toolhub://install/a/version=1.0.0"), C::InvalidIdentifier);
    add("65-char product", QByteArray("toolhub://install/") + repeated('a', 65) + "/b",
        C::IdentifierTooLong);
    add("65-char tool", QByteArray("toolhub://install/a/") + repeated('b', 65),
        C::IdentifierTooLong);
    add("65-char project id", QByteArray("toolhub://project/") + repeated('p', 65),
        C::IdentifierTooLong);

    // Parameters.
    add("second question mark", raw("toolhub://install/a/b?version=1.0.0?x=1"),
        C::SecondQuestionMark);
    add("double question mark", raw("toolhub://install/a/b??version=1.0.0"), C::SecondQuestionMark);
    add("parameters on open", raw("toolhub://open/prod?version=1.0.0"), C::ParametersNotAllowed);
    add("parameters on project", raw("toolhub://project/p?channel=beta"), C::ParametersNotAllowed);
    add("parameters on project install", raw("toolhub://project/p/install?version=1.0.0"),
        C::ParametersNotAllowed);
    add("empty query on open", raw("toolhub://open/p?"), C::ParametersNotAllowed);
    add("empty query", raw("toolhub://install/a/b?"), C::EmptyParameter);
    add("leading ampersand", raw("toolhub://install/a/b?&version=1.0.0"), C::EmptyParameter);
    add("double ampersand", raw("toolhub://install/a/b?version=1.0.0&&channel=beta"),
        C::EmptyParameter);
    add("trailing ampersand", raw("toolhub://install/a/b?version=1.0.0&"), C::EmptyParameter);
    add("version without value", raw("toolhub://install/a/b?version"), C::MissingParameterValue);
    add("channel without value", raw("toolhub://install/a/b?version=1.0.0&channel"),
        C::MissingParameterValue);
    add("empty version", raw("toolhub://install/a/b?version="), C::EmptyParameterValue);
    add("empty channel", raw("toolhub://install/a/b?channel="), C::EmptyParameterValue);
    add("unknown parameter", raw("toolhub://install/a/b?foo=1"), C::UnknownParameter);
    add("server parameter", raw("toolhub://install/a/b?server=evil.example.com"),
        C::UnknownParameter);
    add("upper-case parameter", raw("toolhub://install/a/b?Version=1.0.0"), C::UnknownParameter);
    add("nameless parameter", raw("toolhub://install/a/b?=1.0.0"), C::UnknownParameter);
    add("unknown after known", raw("toolhub://install/a/b?version=1.0.0&token=abc"),
        C::UnknownParameter);
    add("duplicate version", raw("toolhub://install/a/b?version=1.0.0&version=2.0.0"),
        C::DuplicateParameter);
    add("duplicate channel", raw("toolhub://install/a/b?channel=beta&channel=stable"),
        C::DuplicateParameter);
    add("duplicate latest", raw("toolhub://install/a/b?version=latest&version=1.0.0"),
        C::DuplicateParameter);

    // Versions (SemVer 2.0.0 or latest) and channels.
    add("version leading zero", raw("toolhub://install/a/b?version=01.0.0"), C::InvalidVersion);
    add("version minor leading zero", raw("toolhub://install/a/b?version=1.00.0"),
        C::InvalidVersion);
    add("version two parts", raw("toolhub://install/a/b?version=1.0"), C::InvalidVersion);
    add("version one part", raw("toolhub://install/a/b?version=1"), C::InvalidVersion);
    add("version four parts", raw("toolhub://install/a/b?version=1.0.0.0"), C::InvalidVersion);
    add("version v prefix", raw("toolhub://install/a/b?version=v1.0.0"), C::InvalidVersion);
    add("version negative", raw("toolhub://install/a/b?version=-1.0.0"), C::InvalidVersion);
    add("version empty prerelease", raw("toolhub://install/a/b?version=1.0.0-"), C::InvalidVersion);
    add("version empty prerelease part", raw("toolhub://install/a/b?version=1.0.0-beta."),
        C::InvalidVersion);
    add("version prerelease leading zero", raw("toolhub://install/a/b?version=1.0.0-01"),
        C::InvalidVersion);
    add("version empty build", raw("toolhub://install/a/b?version=1.0.0+"), C::InvalidVersion);
    add("version underscore", raw("toolhub://install/a/b?version=1.0.0-alpha_1"),
        C::InvalidVersion);
    add("version equals", raw("toolhub://install/a/b?version=1.0.0=x"), C::InvalidVersion);
    add("version Latest", raw("toolhub://install/a/b?version=Latest"), C::InvalidVersion);
    add("version path", raw("toolhub://install/a/b?version=1.0.0/evil"), C::InvalidVersion);
    add("unknown channel", raw("toolhub://install/a/b?channel=nightly"), C::InvalidChannel);
    add("upper-case channel", raw("toolhub://install/a/b?channel=Beta"), C::InvalidChannel);
    add("two channels", raw("toolhub://install/a/b?channel=stable,beta"), C::InvalidChannel);
}

void LinkTest::refuses()
{
    QFETCH(QByteArray, link);
    QFETCH(int, code);

    const auto result = toolhub::parseLink(view(link));
    if (result) {
        QFAIL(qPrintable(QStringLiteral("accepted as ") +
                         QString::fromStdString(toolhub::toLink(result.value()))));
    }
    const toolhub::LinkError &error = result.error();
    QCOMPARE(codeName(error.code), codeName(static_cast<LinkErrorCode>(code)));

    // The message is for a person: present, short, printable ASCII only.
    QVERIFY(!error.message.empty());
    QVERIFY2(error.message.size() < 300, error.message.c_str());
    for (const char c : error.message) {
        const auto byte = static_cast<unsigned char>(c);
        QVERIFY2(byte >= 0x20 && byte < 0x7F, "message contains a control or non-ASCII byte");
    }
    QVERIFY(error.position <= static_cast<std::size_t>(link.size()));
}

void LinkTest::reportsPositions_data()
{
    QTest::addColumn<QByteArray>("link");
    QTest::addColumn<int>("position");

    QTest::newRow("empty") << QByteArray() << 0;
    QTest::newRow("too long") << validLinkOfLength(600) << 512;
    QTest::newRow("NUL") << raw("toolhub://install/a\0/b") << 19;
    QTest::newRow("space") << raw("toolhub://install/a/b --flag") << 21;
    QTest::newRow("first bad byte wins") << raw("toolhub://install/a\t/b\0") << 19;
    QTest::newRow("percent") << raw("toolhub://install/a%2Fb/c") << 19;
    QTest::newRow("dot dot") << raw("toolhub://install/../x") << 18;
    QTest::newRow("wrong scheme") << raw("https://x") << 0;
    QTest::newRow("malformed scheme") << raw("toolhub:install/a/b") << 8;
    QTest::newRow("missing action") << raw("toolhub:///install") << 10;
    QTest::newRow("user info") << raw("toolhub://user@install/a/b") << 14;
    QTest::newRow("port") << raw("toolhub://install:80/a/b") << 17;
    QTest::newRow("empty segment") << raw("toolhub://install//b") << 18;
    QTest::newRow("trailing slash") << raw("toolhub://install/a/b/") << 21;
    QTest::newRow("extra segment") << raw("toolhub://install/a/b/c") << 21;
    QTest::newRow("missing segment") << raw("toolhub://install/a?channel=beta") << 19;
    QTest::newRow("embedded url") << raw("toolhub://install/http://evil/x") << 22;
    QTest::newRow("upper-case letter") << raw("toolhub://install/abC/d") << 20;
    QTest::newRow("identifier too long")
        << (QByteArray("toolhub://install/") + repeated('a', 70) + "/b") << 18 + 64;
    QTest::newRow("second question mark") << raw("toolhub://install/a/b?version=1.0.0?x") << 35;
    QTest::newRow("parameters not allowed") << raw("toolhub://open/p?x=1") << 16;
    QTest::newRow("empty parameter") << raw("toolhub://install/a/b?channel=beta&&x") << 35;
    QTest::newRow("unknown parameter") << raw("toolhub://install/a/b?channel=beta&x=1") << 35;
    QTest::newRow("invalid version") << raw("toolhub://install/a/b?version=1.0") << 30;
}

void LinkTest::reportsPositions()
{
    QFETCH(QByteArray, link);
    QFETCH(int, position);

    const auto result = toolhub::parseLink(view(link));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().position, static_cast<std::size_t>(position));
}

void LinkTest::lengthLimitIsExact()
{
    QCOMPARE(toolhub::kMaxLinkLength, std::size_t{512});
    // 512 bytes pass the length check (this one is then refused for its 482-byte version,
    // beyond SemVer's 256-byte limit); 513 bytes do not.
    const auto atLimit = toolhub::parseLink(view(validLinkOfLength(512)));
    QVERIFY(!atLimit.ok());
    QCOMPARE(codeName(atLimit.error().code), codeName(LinkErrorCode::InvalidVersion));

    const QByteArray longest = validLinkOfLength(30 + 256); // a 256-byte version, the longest
    const auto accepted = toolhub::parseLink(view(longest));
    QVERIFY(accepted.ok());
    QCOMPARE(QByteArray::fromStdString(toolhub::toLink(accepted.value())), longest);

    const auto refused = toolhub::parseLink(view(validLinkOfLength(513)));
    QVERIFY(!refused.ok());
    QCOMPARE(codeName(refused.error().code), codeName(LinkErrorCode::TooLong));
}

void LinkTest::identifierLengthLimitIsExact()
{
    for (qsizetype length = 1; length <= 66; ++length) {
        const QByteArray link = QByteArray("toolhub://open/") + repeated('x', length);
        const auto result = toolhub::parseLink(view(link));
        QCOMPARE(result.ok(), length <= 64);
    }
}

void LinkTest::roundTripsBuiltRequests()
{
    const auto check = [](const LinkRequest &request, std::string_view expected) {
        const std::string link = toolhub::toLink(request);
        QCOMPARE(QString::fromStdString(link),
                 QString::fromUtf8(expected.data(), static_cast<qsizetype>(expected.size())));
        const auto parsed = toolhub::parseLink(link);
        QVERIFY(parsed.ok());
        QVERIFY(parsed.value() == request);
    };

    LinkRequest install;
    install.action = LinkAction::Install;
    install.product = "acme";
    install.tool = "cad";
    check(install, "toolhub://install/acme/cad");
    install.channel = LinkChannel::Beta;
    check(install, "toolhub://install/acme/cad?channel=beta");
    install.version = "3.1.4-rc.2+build.7";
    check(install, "toolhub://install/acme/cad?version=3.1.4-rc.2+build.7&channel=beta");
    install.channel.reset();
    check(install, "toolhub://install/acme/cad?version=3.1.4-rc.2+build.7");

    LinkRequest open;
    open.action = LinkAction::Open;
    open.product = "acme";
    check(open, "toolhub://open/acme");

    LinkRequest project;
    project.action = LinkAction::Project;
    project.projectId = "p-1";
    check(project, "toolhub://project/p-1");
    project.action = LinkAction::ProjectInstall;
    check(project, "toolhub://project/p-1/install");
}

void LinkTest::errorCodeNamesAreStableAndDistinct()
{
    QSet<QString> names;
    const int last = static_cast<int>(LinkErrorCode::InvalidChannel);
    for (int i = 0; i <= last; ++i) {
        const QString name = codeName(static_cast<LinkErrorCode>(i));
        QVERIFY2(name != QStringLiteral("unknown"), qPrintable(QString::number(i)));
        QVERIFY2(!names.contains(name), qPrintable(name));
        names.insert(name);
    }
    QCOMPARE(codeName(LinkErrorCode::EncodedSeparator), QStringLiteral("encoded_separator"));
    QCOMPARE(codeName(LinkErrorCode::TooLong), QStringLiteral("too_long"));
}

void LinkTest::messagesNeverEchoLongInput()
{
    const QByteArray link = QByteArray("toolhub://") + repeated('z', 400) + "/a/b";
    const auto result = toolhub::parseLink(view(link));
    QVERIFY(!result.ok());
    QCOMPARE(codeName(result.error().code), codeName(LinkErrorCode::UnknownAction));
    QVERIFY(result.error().message.size() < 150);
    QVERIFY(result.error().message.find(std::string(41, 'z')) == std::string::npos);
}

void LinkTest::convertsToJson()
{
    const auto install =
        toolhub::parseLink("toolhub://install/acme/cad?channel=beta&version=1.2.3-rc.1");
    QVERIFY(install.ok());
    const nlohmann::json expected = {
        {"action", "install"},
        {"product", "acme"},
        {"tool", "cad"},
        {"version", "1.2.3-rc.1"},
        {"channel", "beta"},
        {"link", "toolhub://install/acme/cad?version=1.2.3-rc.1&channel=beta"},
    };
    QCOMPARE(QString::fromStdString(toolhub::toJson(install.value()).dump()),
             QString::fromStdString(expected.dump()));

    const auto latest = toolhub::parseLink("toolhub://install/acme/cad");
    QVERIFY(latest.ok());
    const nlohmann::json latestJson = toolhub::toJson(latest.value());
    QVERIFY(latestJson.at("version").is_null());
    QVERIFY(latestJson.at("channel").is_null());

    const auto project = toolhub::parseLink("toolhub://project/p-1/install");
    QVERIFY(project.ok());
    const nlohmann::json projectJson = toolhub::toJson(project.value());
    QCOMPARE(QString::fromStdString(projectJson.at("action").get<std::string>()),
             QStringLiteral("project_install"));
    QCOMPARE(QString::fromStdString(projectJson.at("project_id").get<std::string>()),
             QStringLiteral("p-1"));
    QVERIFY(!projectJson.contains("product"));

    const auto open = toolhub::parseLink("toolhub://open/acme");
    QVERIFY(open.ok());
    QCOMPARE(QString::fromStdString(toolhub::toJson(open.value()).dump()),
             QStringLiteral(
                 "{\"action\":\"open\",\"link\":\"toolhub://open/acme\",\"product\":\"acme\"}"));
}

QTEST_APPLESS_MAIN(LinkTest)

#include "link_test.moc"
