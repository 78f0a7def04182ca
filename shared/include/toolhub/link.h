#pragma once

#include "toolhub/result.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace toolhub {

// The toolhub:// link grammar (DESIGN.md, "toolhub:// links"):
//
//   toolhub://install/<product>/<tool>[?version=<semver>|latest][&channel=stable|beta]
//   toolhub://open/<product>
//   toolhub://project/<project-id>[/install]
//
// Identifiers match [a-z0-9][a-z0-9._-]{0,63}. The scheme is matched case-insensitively
// (RFC 3986); everything after "toolhub://" is case-sensitive. The two parameters may come in
// either order, each at most once, and only on install.
//
// parseLink() is deliberately stricter than RFC 3986. It refuses, with a precise code, the
// position of the first offending byte and a message in plain words:
//   - input longer than kMaxLinkLength (512) bytes, or empty;
//   - any byte outside printable ASCII (controls, NUL, DEL, whitespace, UTF-8 look-alikes);
//   - quotes of any kind and backslashes (argument injection on Windows command lines);
//   - every '%' (no percent-encoding at all), every '#' (fragments), every "..";
//   - user info ('@'), ports (':'), server names or any other authority than an action;
//   - empty, missing, extra or trailing path segments, and URLs embedded in segments;
//   - unknown, repeated, empty or value-less parameters, a second '?', empty '&' pairs.
// Error messages never echo control or non-ASCII bytes; quoted input is shortened.

// The longest link accepted, in bytes (the longest valid install link without parameters is
// 10 + 8 + 64 + 1 + 64 = 147 bytes; the rest leaves room for a long SemVer).
inline constexpr std::size_t kMaxLinkLength = 512;
// The longest identifier (product, tool or project id) accepted, in bytes.
inline constexpr std::size_t kMaxIdentifierLength = 64;

enum class LinkAction {
    Install,        // toolhub://install/<product>/<tool>[?...]
    Open,           // toolhub://open/<product>
    Project,        // toolhub://project/<project-id>
    ProjectInstall, // toolhub://project/<project-id>/install
};

enum class LinkChannel {
    Stable,
    Beta,
};

// A parsed, validated link. Only the fields of its action are set; the others stay empty.
struct LinkRequest {
    LinkAction action = LinkAction::Open;
    std::string product;   // Install, Open
    std::string tool;      // Install
    std::string projectId; // Project, ProjectInstall
    // A valid SemVer 2.0.0 string as written in the link; nullopt = latest (Install only).
    std::optional<std::string> version;
    // nullopt = not given, the app's default applies (Install only).
    std::optional<LinkChannel> channel;

    friend bool operator==(const LinkRequest &, const LinkRequest &) = default;
};

// One code per kind of refusal. Names (linkErrorCodeName) are stable snake_case.
enum class LinkErrorCode {
    Empty,                 // nothing at all
    TooLong,               // more than kMaxLinkLength bytes
    ControlCharacter,      // NUL, other C0 controls or DEL
    Whitespace,            // space, tab, newline, carriage return, vertical tab, form feed
    NonAscii,              // any byte >= 0x80 (UTF-8 look-alikes, fullwidth slashes, ...)
    Quote,                 // " ' or `
    Backslash,             // '\'
    PercentEncoded,        // any other '%' (including a malformed one)
    EncodedSeparator,      // %2F %5C %2E %3F %23 %26 %3D %3A %40
    EncodedNul,            // %00
    Fragment,              // '#'
    DotDot,                // ".." anywhere
    MissingScheme,         // no "scheme:" at the start
    WrongScheme,           // a scheme other than toolhub (http, https, file, ...)
    MalformedScheme,       // "toolhub:" not followed by "//"
    UserInfo,              // '@' in the authority
    Port,                  // ':' in the authority
    ServerAddress,         // a host name or IP address where the action belongs
    MissingAction,         // nothing between "toolhub://" and the next '/' or '?'
    UnknownAction,         // not install/open/project (or not lower case), or project/<id>/<x>
    EmptySegment,          // "//" in the path
    TrailingSlash,         // the path ends with '/'
    DotSegment,            // a path segment "."
    EmbeddedUrl,           // a ':' in a path segment (e.g. http://...)
    MissingSegment,        // fewer path segments than the action needs
    ExtraSegment,          // more path segments than the action takes
    InvalidIdentifier,     // an identifier outside [a-z0-9][a-z0-9._-]*
    IdentifierTooLong,     // an identifier longer than kMaxIdentifierLength
    SecondQuestionMark,    // a second '?'
    ParametersNotAllowed,  // '?' on an action other than install
    EmptyParameter,        // "?", "?&", "&&" or a trailing '&'
    MissingParameterValue, // a parameter without '='
    EmptyParameterValue,   // "name=" with nothing after '='
    UnknownParameter,      // anything but version and channel
    DuplicateParameter,    // a parameter given twice
    InvalidVersion,        // not SemVer 2.0.0 and not "latest"
    InvalidChannel,        // not stable or beta
};

struct LinkError {
    LinkErrorCode code = LinkErrorCode::Empty;
    std::string message;      // plain words for a user; printable ASCII only
    std::size_t position = 0; // byte offset of the first offending byte in the input

    friend bool operator==(const LinkError &, const LinkError &) = default;
};

// Parses and validates a link. Never throws, never allocates more than O(input).
[[nodiscard]] Result<LinkRequest, LinkError> parseLink(std::string_view text);

// The canonical form of a request: lower-case scheme, version before channel, no
// "version=latest". For any request parseLink returned, parseLink(toLink(r)) == r.
// Precondition: the request satisfies the grammar (it came from parseLink or was built so).
[[nodiscard]] std::string toLink(const LinkRequest &request);

// Stable snake_case names: "install", "open", "project", "project_install"; "stable", "beta".
[[nodiscard]] std::string_view linkActionName(LinkAction action) noexcept;
[[nodiscard]] std::string_view linkChannelName(LinkChannel channel) noexcept;
// Stable snake_case name of an error code, e.g. "encoded_separator".
[[nodiscard]] std::string_view linkErrorCodeName(LinkErrorCode code) noexcept;

// The request as JSON (for toolhub-open --dry-run and logs), e.g.
//   {"action":"install","product":"p","tool":"t","version":null,"channel":"beta",
//    "link":"toolhub://install/p/t?channel=beta"}
// Only the fields of the action appear; an absent version or channel is null.
// Needs <nlohmann/json.hpp> at the call site.
[[nodiscard]] nlohmann::json toJson(const LinkRequest &request);

} // namespace toolhub
