#include "toolhub/link.h"
#include "toolhub/ascii.h"

#include "toolhub/semver.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub {

namespace {

using namespace toolhub::ascii;

constexpr std::string_view kScheme = "toolhub";
constexpr std::string_view kSchemePrefix = "toolhub://";
// Input quoted back in a message is cut to this many bytes.
constexpr std::size_t kQuoteLimit = 40;

bool isIdentifierStart(char c) noexcept
{
    return isLower(c) || isDigit(c);
}
bool isIdentifierChar(char c) noexcept
{
    return isIdentifierStart(c) || c == '.' || c == '_' || c == '-';
}

char toLowerAscii(char c) noexcept
{
    return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (toLowerAscii(a[i]) != toLowerAscii(b[i])) {
            return false;
        }
    }
    return true;
}

std::string hexByte(unsigned char byte)
{
    constexpr std::string_view digits = "0123456789ABCDEF";
    std::string out = "0x";
    out += digits[byte >> 4U];
    out += digits[byte & 0x0FU];
    return out;
}

// Input shown back to the user: single-quoted, shortened, and with anything that is not
// printable ASCII replaced (defensive: the byte scan refuses such input before any quoting).
std::string quoted(std::string_view text)
{
    std::string out = "'";
    const bool cut = text.size() > kQuoteLimit;
    for (char c : text.substr(0, kQuoteLimit)) {
        out += isPrintable(c) ? c : '?';
    }
    if (cut) {
        out += "...";
    }
    out += '\'';
    return out;
}

Failure<LinkError> refuse(LinkErrorCode code, std::size_t position, std::string message)
{
    return fail(LinkError{code, std::move(message), position});
}

std::string_view encodedName(int value)
{
    switch (value) {
    case '/':
        return "'/'";
    case '\\':
        return "'\\'";
    case '.':
        return "'.'";
    case '?':
        return "'?'";
    case '#':
        return "'#'";
    case '&':
        return "'&'";
    case '=':
        return "'='";
    case ':':
        return "':'";
    case '@':
        return "'@'";
    default:
        return {};
    }
}

// Refuses any byte that is never part of a valid link, at the first one found.
std::optional<Failure<LinkError>> scanBytes(std::string_view text)
{
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '\0':
            return refuse(LinkErrorCode::ControlCharacter, i,
                          "The link contains a NUL byte (0x00). Links never contain control "
                          "characters.");
        case ' ':
            return refuse(LinkErrorCode::Whitespace, i,
                          "The link contains a space. Links never contain spaces; extra "
                          "command-line arguments are not accepted.");
        case '\t':
            return refuse(LinkErrorCode::Whitespace, i,
                          "The link contains a tab. Links never contain blank characters.");
        case '\n':
        case '\r':
            return refuse(LinkErrorCode::Whitespace, i,
                          "The link contains a line break. Links are a single line.");
        case '\v':
        case '\f':
            return refuse(LinkErrorCode::Whitespace, i,
                          "The link contains a vertical tab or form feed (" + hexByte(byte) +
                              "). Links never contain blank characters.");
        case '"':
        case '\'':
        case '`':
            return refuse(LinkErrorCode::Quote, i,
                          "The link contains a quotation mark. Links never contain quotes; "
                          "extra command-line arguments are not accepted.");
        case '\\':
            return refuse(LinkErrorCode::Backslash, i,
                          "The link contains a backslash. Links use '/' only and never "
                          "contain file paths.");
        case '#':
            return refuse(LinkErrorCode::Fragment, i,
                          "The link contains '#'. Links never have a fragment.");
        case '%': {
            const int hi = i + 1 < n ? hexValue(text[i + 1]) : -1;
            const int lo = i + 2 < n ? hexValue(text[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                return refuse(LinkErrorCode::PercentEncoded, i,
                              "The link contains '%'. Percent-encoding is not allowed in "
                              "links.");
            }
            const int value = hi * 16 + lo;
            const std::string escape{text.substr(i, 3)};
            if (value == 0) {
                return refuse(LinkErrorCode::EncodedNul, i,
                              "The link contains an encoded NUL byte (" + escape +
                                  "). Percent-encoding is not allowed in links.");
            }
            if (const auto name = encodedName(value); !name.empty()) {
                return refuse(LinkErrorCode::EncodedSeparator, i,
                              "The link contains an encoded " + std::string(name) + " (" + escape +
                                  "). Percent-encoding is not allowed in links.");
            }
            return refuse(LinkErrorCode::PercentEncoded, i,
                          "The link contains percent-encoding (" + escape +
                              "). Percent-encoding is not allowed in links.");
        }
        case '.':
            if (i + 1 < n && text[i + 1] == '.') {
                return refuse(LinkErrorCode::DotDot, i,
                              "The link contains '..'. Links never refer to parent folders.");
            }
            break;
        default:
            if (byte >= 0x80) {
                return refuse(LinkErrorCode::NonAscii, i,
                              "The link contains a non-ASCII byte (" + hexByte(byte) +
                                  "). Links use plain ASCII only; letters from other "
                                  "alphabets that look like Latin ones are refused.");
            }
            if (byte < 0x20 || byte == 0x7F) {
                return refuse(LinkErrorCode::ControlCharacter, i,
                              "The link contains a control character (" + hexByte(byte) +
                                  "). Links never contain control characters.");
            }
            break;
        }
    }
    return std::nullopt;
}

std::optional<Failure<LinkError>> checkIdentifier(std::string_view id, std::size_t position,
                                                  std::string_view what)
{
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (i == kMaxIdentifierLength) {
            return refuse(LinkErrorCode::IdentifierTooLong, position + i,
                          "The " + std::string(what) + " is longer than " +
                              std::to_string(kMaxIdentifierLength) + " characters.");
        }
        const char c = id[i];
        if (i == 0 && (c == '.' || c == '_' || c == '-')) {
            return refuse(LinkErrorCode::InvalidIdentifier, position,
                          "The " + std::string(what) + " " + quoted(id) +
                              " must start with a lower-case letter or a digit.");
        }
        if (isUpper(c)) {
            return refuse(LinkErrorCode::InvalidIdentifier, position + i,
                          "The " + std::string(what) + " " + quoted(id) +
                              " contains an upper-case letter; identifiers are lower case.");
        }
        if (!isIdentifierChar(c)) {
            return refuse(LinkErrorCode::InvalidIdentifier, position + i,
                          "The " + std::string(what) + " " + quoted(id) + " contains " +
                              quoted(std::string_view(&id[i], 1)) +
                              "; identifiers use lower-case letters, digits, '.', '_' and "
                              "'-' only.");
        }
    }
    return std::nullopt;
}

struct Segment {
    std::string_view text;
    std::size_t position;
};

std::optional<Failure<LinkError>> parseQuery(std::string_view text, std::size_t queryStart,
                                             LinkRequest &request)
{
    // queryStart is the position just after the '?'.
    const std::string_view query = text.substr(queryStart);
    if (query.empty()) {
        return refuse(LinkErrorCode::EmptyParameter, queryStart,
                      "The link has a '?' with no parameter after it.");
    }
    bool seenVersion = false;
    bool seenChannel = false;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t amp = query.find('&', pos);
        const std::size_t end = amp == std::string_view::npos ? query.size() : amp;
        const std::string_view pair = query.substr(pos, end - pos);
        const std::size_t at = queryStart + pos;
        if (pair.empty()) {
            return refuse(LinkErrorCode::EmptyParameter, at,
                          "The link has an empty parameter (a stray '&' or '?&').");
        }
        const std::size_t eq = pair.find('=');
        const std::string_view name = pair.substr(0, eq);
        const bool isVersion = name == "version";
        const bool isChannel = name == "channel";
        if (name.empty()) {
            return refuse(LinkErrorCode::UnknownParameter, at,
                          "The link has a parameter without a name.");
        }
        if (!isVersion && !isChannel) {
            return refuse(LinkErrorCode::UnknownParameter, at,
                          "The link has an unknown parameter " + quoted(name) +
                              ". Install links accept 'version' and 'channel' only.");
        }
        if (eq == std::string_view::npos) {
            return refuse(LinkErrorCode::MissingParameterValue, at + name.size(),
                          "The parameter " + quoted(name) + " has no value (expected " +
                              std::string(name) + "=...).");
        }
        if ((isVersion && seenVersion) || (isChannel && seenChannel)) {
            return refuse(LinkErrorCode::DuplicateParameter, at,
                          "The parameter " + quoted(name) + " appears more than once.");
        }
        const std::string_view value = pair.substr(eq + 1);
        const std::size_t valueAt = at + eq + 1;
        if (value.empty()) {
            return refuse(LinkErrorCode::EmptyParameterValue, valueAt,
                          "The parameter " + quoted(name) + " has an empty value.");
        }
        if (isVersion) {
            seenVersion = true;
            if (value != "latest") {
                if (const auto version = parseSemVer(value); !version) {
                    return refuse(LinkErrorCode::InvalidVersion, valueAt,
                                  "The version " + quoted(value) +
                                      " is not valid: " + version.error().message +
                                      ". Use a version such as 1.4.2 or 2.0.0-beta.1, or "
                                      "'latest'.");
                }
                request.version = std::string(value);
            }
        } else {
            seenChannel = true;
            if (value == "stable") {
                request.channel = LinkChannel::Stable;
            } else if (value == "beta") {
                request.channel = LinkChannel::Beta;
            } else {
                return refuse(LinkErrorCode::InvalidChannel, valueAt,
                              "The channel " + quoted(value) +
                                  " is unknown. Use 'stable' or 'beta'.");
            }
        }
        if (amp == std::string_view::npos) {
            return std::nullopt;
        }
        pos = amp + 1;
    }
}

} // namespace

Result<LinkRequest, LinkError> parseLink(std::string_view text)
{
    if (text.empty()) {
        return refuse(LinkErrorCode::Empty, 0, "The link is empty.");
    }
    if (text.size() > kMaxLinkLength) {
        return refuse(LinkErrorCode::TooLong, kMaxLinkLength,
                      "The link is longer than " + std::to_string(kMaxLinkLength) + " characters.");
    }
    if (auto failure = scanBytes(text)) {
        return std::move(*failure);
    }
    const std::size_t n = text.size();

    // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986), case-insensitive.
    std::size_t schemeEnd = 0;
    if (isAlpha(text[0])) {
        schemeEnd = 1;
        while (schemeEnd < n &&
               (isAlpha(text[schemeEnd]) || isDigit(text[schemeEnd]) || text[schemeEnd] == '+' ||
                text[schemeEnd] == '-' || text[schemeEnd] == '.')) {
            ++schemeEnd;
        }
    }
    if (schemeEnd == 0 || schemeEnd >= n || text[schemeEnd] != ':') {
        return refuse(LinkErrorCode::MissingScheme, 0, "The link does not start with toolhub://.");
    }
    if (!equalsIgnoringCase(text.substr(0, schemeEnd), kScheme)) {
        return refuse(LinkErrorCode::WrongScheme, 0,
                      "Only toolhub:// links are accepted, not " +
                          quoted(text.substr(0, schemeEnd + 1)) + " links.");
    }
    if (text.substr(schemeEnd + 1, 2) != "//") {
        return refuse(LinkErrorCode::MalformedScheme, schemeEnd + 1,
                      "The link must start with toolhub:// (two slashes after the colon).");
    }
    const std::size_t start = kSchemePrefix.size();

    const std::size_t question = text.find('?', start);
    const std::size_t pathEnd = question == std::string_view::npos ? n : question;
    const std::string_view path = text.substr(start, pathEnd - start);

    // The authority part is the action; it is never a server, a user or a port.
    const std::size_t slash = path.find('/');
    const std::string_view authority = path.substr(0, slash);
    if (authority.empty()) {
        return refuse(LinkErrorCode::MissingAction, start,
                      "The link has no action after toolhub:// (expected install, open or "
                      "project).");
    }
    if (const auto at = authority.find('@'); at != std::string_view::npos) {
        return refuse(LinkErrorCode::UserInfo, start + at,
                      "The link contains a user name ('@'). Links never carry credentials "
                      "and never pick a server.");
    }
    if (const auto bracket = authority.find('['); bracket != std::string_view::npos) {
        return refuse(LinkErrorCode::ServerAddress, start + bracket,
                      "The link names a server address. Links never pick a server.");
    }
    if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        return refuse(LinkErrorCode::Port, start + colon,
                      "The link contains a port (':'). Links never pick a server.");
    }
    if (authority.find('.') != std::string_view::npos) {
        return refuse(LinkErrorCode::ServerAddress, start,
                      "The link names a server (" + quoted(authority) +
                          "). Links never pick a server; the app uses the one it is set up "
                          "for.");
    }
    LinkRequest request;
    if (authority == "install") {
        request.action = LinkAction::Install;
    } else if (authority == "open") {
        request.action = LinkAction::Open;
    } else if (authority == "project") {
        request.action = LinkAction::Project;
    } else if (equalsIgnoringCase(authority, "install") || equalsIgnoringCase(authority, "open") ||
               equalsIgnoringCase(authority, "project")) {
        return refuse(LinkErrorCode::UnknownAction, start,
                      "The action " + quoted(authority) +
                          " must be written in lower case (install, open or project).");
    } else {
        return refuse(LinkErrorCode::UnknownAction, start,
                      "The action " + quoted(authority) +
                          " is unknown (expected install, open or project).");
    }

    // Path segments after the action.
    std::vector<Segment> segments;
    if (slash != std::string_view::npos) {
        std::size_t pos = slash + 1;
        for (;;) {
            const std::size_t next = path.find('/', pos);
            const std::size_t end = next == std::string_view::npos ? path.size() : next;
            segments.push_back(Segment{path.substr(pos, end - pos), start + pos});
            if (next == std::string_view::npos) {
                break;
            }
            pos = next + 1;
        }
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const Segment &segment = segments[i];
        if (segment.text.empty()) {
            if (i + 1 == segments.size()) {
                return refuse(LinkErrorCode::TrailingSlash, segment.position - 1,
                              "The link ends with '/'. Remove the trailing slash.");
            }
            return refuse(LinkErrorCode::EmptySegment, segment.position,
                          "The link contains an empty path part ('//').");
        }
        if (segment.text == ".") {
            return refuse(LinkErrorCode::DotSegment, segment.position,
                          "The link contains a '.' path part.");
        }
        if (const auto colon = segment.text.find(':'); colon != std::string_view::npos) {
            return refuse(LinkErrorCode::EmbeddedUrl, segment.position + colon,
                          "The link contains ':' in its path. Links never carry URLs or "
                          "server addresses.");
        }
    }

    const auto needAtLeast = [&](std::size_t count,
                                 std::string_view usage) -> std::optional<Failure<LinkError>> {
        if (segments.size() < count) {
            return refuse(LinkErrorCode::MissingSegment, pathEnd,
                          "The link is incomplete; expected " + std::string(usage) + ".");
        }
        return std::nullopt;
    };
    const auto allowAtMost = [&](std::size_t count,
                                 std::string_view usage) -> std::optional<Failure<LinkError>> {
        if (segments.size() > count) {
            return refuse(LinkErrorCode::ExtraSegment, segments[count].position - 1,
                          "The link has more path parts than expected; expected " +
                              std::string(usage) + ".");
        }
        return std::nullopt;
    };

    switch (request.action) {
    case LinkAction::Install: {
        constexpr std::string_view usage = "toolhub://install/<product>/<tool>";
        if (auto failure = needAtLeast(2, usage)) {
            return std::move(*failure);
        }
        if (auto failure = allowAtMost(2, usage)) {
            return std::move(*failure);
        }
        if (auto failure = checkIdentifier(segments[0].text, segments[0].position, "product")) {
            return std::move(*failure);
        }
        if (auto failure = checkIdentifier(segments[1].text, segments[1].position, "tool")) {
            return std::move(*failure);
        }
        request.product = std::string(segments[0].text);
        request.tool = std::string(segments[1].text);
        break;
    }
    case LinkAction::Open: {
        constexpr std::string_view usage = "toolhub://open/<product>";
        if (auto failure = needAtLeast(1, usage)) {
            return std::move(*failure);
        }
        if (auto failure = allowAtMost(1, usage)) {
            return std::move(*failure);
        }
        if (auto failure = checkIdentifier(segments[0].text, segments[0].position, "product")) {
            return std::move(*failure);
        }
        request.product = std::string(segments[0].text);
        break;
    }
    case LinkAction::Project:
    case LinkAction::ProjectInstall: {
        constexpr std::string_view usage = "toolhub://project/<project-id>[/install]";
        if (auto failure = needAtLeast(1, usage)) {
            return std::move(*failure);
        }
        if (segments.size() >= 2 && segments[1].text != "install") {
            return refuse(LinkErrorCode::UnknownAction, segments[1].position,
                          "The project action " + quoted(segments[1].text) +
                              " is unknown; only 'install' may follow the project id.");
        }
        if (auto failure = allowAtMost(2, usage)) {
            return std::move(*failure);
        }
        if (auto failure = checkIdentifier(segments[0].text, segments[0].position, "project id")) {
            return std::move(*failure);
        }
        request.projectId = std::string(segments[0].text);
        if (segments.size() == 2) {
            request.action = LinkAction::ProjectInstall;
        }
        break;
    }
    }

    if (question != std::string_view::npos) {
        if (request.action != LinkAction::Install) {
            return refuse(LinkErrorCode::ParametersNotAllowed, question,
                          "This kind of link takes no parameters ('?'); only install links "
                          "accept version and channel.");
        }
        if (const auto second = text.find('?', question + 1); second != std::string_view::npos) {
            return refuse(LinkErrorCode::SecondQuestionMark, second,
                          "The link contains a second '?'. Separate parameters with '&'.");
        }
        if (auto failure = parseQuery(text, question + 1, request)) {
            return std::move(*failure);
        }
    }
    return request;
}

std::string toLink(const LinkRequest &request)
{
    std::string link{kSchemePrefix};
    switch (request.action) {
    case LinkAction::Install:
        link += "install/" + request.product + '/' + request.tool;
        if (request.version || request.channel) {
            char separator = '?';
            if (request.version) {
                link += separator;
                link += "version=" + *request.version;
                separator = '&';
            }
            if (request.channel) {
                link += separator;
                link += "channel=";
                link += linkChannelName(*request.channel);
            }
        }
        break;
    case LinkAction::Open:
        link += "open/" + request.product;
        break;
    case LinkAction::Project:
        link += "project/" + request.projectId;
        break;
    case LinkAction::ProjectInstall:
        link += "project/" + request.projectId + "/install";
        break;
    }
    return link;
}

std::string_view linkActionName(LinkAction action) noexcept
{
    switch (action) {
    case LinkAction::Install:
        return "install";
    case LinkAction::Open:
        return "open";
    case LinkAction::Project:
        return "project";
    case LinkAction::ProjectInstall:
        return "project_install";
    }
    return "unknown";
}

std::string_view linkChannelName(LinkChannel channel) noexcept
{
    switch (channel) {
    case LinkChannel::Stable:
        return "stable";
    case LinkChannel::Beta:
        return "beta";
    }
    return "unknown";
}

std::string_view linkErrorCodeName(LinkErrorCode code) noexcept
{
    switch (code) {
    case LinkErrorCode::Empty:
        return "empty";
    case LinkErrorCode::TooLong:
        return "too_long";
    case LinkErrorCode::ControlCharacter:
        return "control_character";
    case LinkErrorCode::Whitespace:
        return "whitespace";
    case LinkErrorCode::NonAscii:
        return "non_ascii";
    case LinkErrorCode::Quote:
        return "quote";
    case LinkErrorCode::Backslash:
        return "backslash";
    case LinkErrorCode::PercentEncoded:
        return "percent_encoded";
    case LinkErrorCode::EncodedSeparator:
        return "encoded_separator";
    case LinkErrorCode::EncodedNul:
        return "encoded_nul";
    case LinkErrorCode::Fragment:
        return "fragment";
    case LinkErrorCode::DotDot:
        return "dot_dot";
    case LinkErrorCode::MissingScheme:
        return "missing_scheme";
    case LinkErrorCode::WrongScheme:
        return "wrong_scheme";
    case LinkErrorCode::MalformedScheme:
        return "malformed_scheme";
    case LinkErrorCode::UserInfo:
        return "user_info";
    case LinkErrorCode::Port:
        return "port";
    case LinkErrorCode::ServerAddress:
        return "server_address";
    case LinkErrorCode::MissingAction:
        return "missing_action";
    case LinkErrorCode::UnknownAction:
        return "unknown_action";
    case LinkErrorCode::EmptySegment:
        return "empty_segment";
    case LinkErrorCode::TrailingSlash:
        return "trailing_slash";
    case LinkErrorCode::DotSegment:
        return "dot_segment";
    case LinkErrorCode::EmbeddedUrl:
        return "embedded_url";
    case LinkErrorCode::MissingSegment:
        return "missing_segment";
    case LinkErrorCode::ExtraSegment:
        return "extra_segment";
    case LinkErrorCode::InvalidIdentifier:
        return "invalid_identifier";
    case LinkErrorCode::IdentifierTooLong:
        return "identifier_too_long";
    case LinkErrorCode::SecondQuestionMark:
        return "second_question_mark";
    case LinkErrorCode::ParametersNotAllowed:
        return "parameters_not_allowed";
    case LinkErrorCode::EmptyParameter:
        return "empty_parameter";
    case LinkErrorCode::MissingParameterValue:
        return "missing_parameter_value";
    case LinkErrorCode::EmptyParameterValue:
        return "empty_parameter_value";
    case LinkErrorCode::UnknownParameter:
        return "unknown_parameter";
    case LinkErrorCode::DuplicateParameter:
        return "duplicate_parameter";
    case LinkErrorCode::InvalidVersion:
        return "invalid_version";
    case LinkErrorCode::InvalidChannel:
        return "invalid_channel";
    }
    return "unknown";
}

nlohmann::json toJson(const LinkRequest &request)
{
    nlohmann::json json = nlohmann::json::object();
    json["action"] = linkActionName(request.action);
    switch (request.action) {
    case LinkAction::Install:
        json["product"] = request.product;
        json["tool"] = request.tool;
        json["version"] = request.version ? nlohmann::json(*request.version) : nlohmann::json();
        json["channel"] =
            request.channel ? nlohmann::json(linkChannelName(*request.channel)) : nlohmann::json();
        break;
    case LinkAction::Open:
        json["product"] = request.product;
        break;
    case LinkAction::Project:
    case LinkAction::ProjectInstall:
        json["project_id"] = request.projectId;
        break;
    }
    json["link"] = toLink(request);
    return json;
}

} // namespace toolhub
