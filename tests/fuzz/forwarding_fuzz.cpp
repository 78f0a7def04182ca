// libFuzzer target for the lines the running app reads from its local socket
// (shared/include/toolhub/forwarding.h). On every accepted line it checks what the app relies
// on, and aborts (a finding) if any of it does not hold:
//   - the line was at most kMaxForwardedLineLength bytes of printable ASCII (and its '\n');
//   - a LINK decodes to a request that encodes to the canonical line, which decodes to the same
//     request again (the app acts only on what parseLink accepts);
//   - SHOW is exactly "SHOW";
// and on every refusal that the message is printable and short (it never echoes the input).
#include "toolhub/forwarding.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

[[noreturn]] void violation(const char *what, std::string_view input)
{
    std::fprintf(stderr, "forwarding_fuzz: invariant violated: %s (input of %zu bytes)\n", what,
                 input.size());
    std::abort();
}

bool isPrintableLine(std::string_view line)
{
    if (!line.empty() && line.back() == '\n') {
        line.remove_suffix(1);
    }
    for (const char c : line) {
        if (c < 0x20 || c > 0x7e) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    auto decoded = toolhub::decodeForwarded(input);
    if (!decoded) {
        for (const char c : decoded.error().message) {
            if (c < 0x20 || c > 0x7e) {
                violation("a refusal message is not printable", input);
            }
        }
        // Its own words only: short, whatever came in.
        if (decoded.error().message.size() > 80) {
            violation("a refusal message is long enough to echo the input", input);
        }
        return 0;
    }
    if (input.size() > toolhub::kMaxForwardedLineLength || !isPrintableLine(input)) {
        violation("accepted a line that is too long or not printable ASCII", input);
    }
    const std::string encoded = toolhub::encodeForwarded(*decoded);
    auto again = toolhub::decodeForwarded(encoded);
    if (!again || *again != *decoded) {
        violation("the canonical line does not decode to the same message", input);
    }
    if (toolhub::encodeForwarded(*again) != encoded) {
        violation("encoding is not a fixed point", input);
    }
    if (std::holds_alternative<toolhub::ShowWindow>(*decoded)) {
        std::string_view line = input;
        if (!line.empty() && line.back() == '\n') {
            line.remove_suffix(1);
        }
        if (line != "SHOW") {
            violation("accepted something other than SHOW as SHOW", input);
        }
    }
    return 0;
}
