#pragma once

#include "toolhub/link.h"
#include "toolhub/result.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace toolhub {

// What a second start hands to the running toolhub over the per-user local socket, one line each
// way (printable ASCII, '\n'-terminated, at most kMaxForwardedLineLength bytes with the '\n'):
//
//   toolhub-open, a second toolhub   ->  "LINK <canonical link>\n"   (a toolhub:// request)
//                                    ->  "SHOW\n"                    (bring the window up)
//   the running toolhub              <-  "OK\n" once it took the request
//                                    <-  "ERR <code>\n" when it refused the line
//
// Only toolhub-open's parsed and re-written link travels (toLink()), and the app parses it again
// with parseLink(): it trusts nothing a socket says.
inline constexpr std::size_t kMaxForwardedLineLength = 8 + kMaxLinkLength;

struct ShowWindow {
    friend bool operator==(const ShowWindow &, const ShowWindow &) = default;
};
using ForwardedMessage = std::variant<ShowWindow, LinkRequest>;

// "LINK toolhub://...\n" for a link, "SHOW\n" to show the window.
[[nodiscard]] std::string encodeForwarded(const ForwardedMessage &message);

// Decodes one line, with or without its '\n'. Refused: an empty or over-long line, bytes outside
// printable ASCII, an unknown verb, SHOW with anything after it, LINK without exactly one space
// before a link that parseLink() accepts. The error says why (for the app's log and its "ERR"
// answer), never echoing the input.
[[nodiscard]] Result<ForwardedMessage> decodeForwarded(std::string_view line);

// The per-user socket's path: "<runtimeDir>/toolhub.sock" for the user's private runtime
// folder ($XDG_RUNTIME_DIR on Linux); empty runtimeDir: "toolhub-<user>" (a name Qt places in
// its own folder, for systems without one; the server side then limits access to the user).
[[nodiscard]] std::string instanceSocketName(std::string_view runtimeDir, std::string_view user);

} // namespace toolhub
