#include "toolhub/forwarding.h"

#include <algorithm>

namespace toolhub {

namespace {

constexpr std::string_view linkVerb = "LINK ";
constexpr std::string_view showVerb = "SHOW";

bool isPrintableAscii(std::string_view text) noexcept
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

} // namespace

std::string encodeForwarded(const ForwardedMessage &message)
{
    if (const auto *request = std::get_if<LinkRequest>(&message)) {
        return std::string{linkVerb} + toLink(*request) + '\n';
    }
    return std::string{showVerb} + '\n';
}

Result<ForwardedMessage> decodeForwarded(std::string_view line)
{
    if (line.size() > kMaxForwardedLineLength) {
        return fail(ErrorCode::InvalidArgument, "the line is too long");
    }
    if (!line.empty() && line.back() == '\n') {
        line.remove_suffix(1);
    }
    if (line.empty()) {
        return fail(ErrorCode::InvalidArgument, "the line is empty");
    }
    if (!isPrintableAscii(line)) {
        return fail(ErrorCode::InvalidArgument, "the line holds bytes other than printable ASCII");
    }
    if (line == showVerb) {
        return ForwardedMessage{ShowWindow{}};
    }
    if (!line.starts_with(linkVerb)) {
        return fail(ErrorCode::InvalidArgument, "the line is neither LINK nor SHOW");
    }
    auto request = parseLink(line.substr(linkVerb.size()));
    if (!request) {
        return fail(ErrorCode::InvalidArgument,
                    "the link is refused: " + std::string{linkErrorCodeName(request.error().code)});
    }
    return ForwardedMessage{std::move(request).value()};
}

std::string instanceSocketName(std::string_view runtimeDir, std::string_view user)
{
    if (runtimeDir.empty()) {
        return "toolhub-" + std::string{user};
    }
    std::string path{runtimeDir};
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path + "/toolhub.sock";
}

} // namespace toolhub
