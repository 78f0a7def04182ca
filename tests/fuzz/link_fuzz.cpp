// libFuzzer target for the toolhub:// link grammar (shared/include/toolhub/link.h).
// On every accepted input it checks what the rest of the system relies on, and aborts (a
// finding) if any of it does not hold:
//   - the input was at most kMaxLinkLength bytes of printable ASCII without % # \ " ' `;
//   - every identifier matches [a-z0-9][a-z0-9._-]{0,63} and contains no "..";
//   - only the fields of the action are set;
//   - parseLink(toLink(r)) == r, and toLink is a fixed point;
// and on every refusal that the error is well formed (printable message, position in range).
#include "toolhub/link.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void violation(const char *what, std::string_view input)
{
    std::fprintf(stderr, "link_fuzz: invariant violated: %s (input of %zu bytes)\n", what,
                 input.size());
    std::abort();
}

bool isPrintableAscii(char c)
{
    return c >= 0x20 && c < 0x7F;
}

bool isIdentifier(std::string_view id)
{
    if (id.empty() || id.size() > toolhub::kMaxIdentifierLength) {
        return false;
    }
    const auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!start(id.front())) {
        return false;
    }
    for (const char c : id) {
        if (!start(c) && c != '.' && c != '_' && c != '-') {
            return false;
        }
    }
    return id.find("..") == std::string_view::npos;
}

bool isVersionText(std::string_view version)
{
    if (version.empty() || version.front() < '0' || version.front() > '9') {
        return false;
    }
    for (const char c : version) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                        (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+';
        if (!ok) {
            return false;
        }
    }
    return version.find("..") == std::string_view::npos;
}

void checkRefusal(const toolhub::LinkError &error, std::string_view input)
{
    if (error.message.empty()) {
        violation("empty error message", input);
    }
    for (const char c : error.message) {
        if (!isPrintableAscii(c)) {
            violation("error message contains a non-printable byte", input);
        }
    }
    if (error.position > input.size()) {
        violation("error position beyond the input", input);
    }
    if (toolhub::linkErrorCodeName(error.code) == "unknown") {
        violation("error code without a name", input);
    }
}

void checkAccepted(const toolhub::LinkRequest &request, std::string_view input)
{
    using toolhub::LinkAction;
    if (input.size() > toolhub::kMaxLinkLength) {
        violation("accepted an over-long link", input);
    }
    for (const char c : input) {
        if (!isPrintableAscii(c) || c == ' ' || c == '%' || c == '#' || c == '\\' || c == '"' ||
            c == '\'' || c == '`' || c == '@') {
            violation("accepted a forbidden byte", input);
        }
    }
    if (input.find("..") != std::string_view::npos) {
        violation("accepted '..'", input);
    }

    switch (request.action) {
    case LinkAction::Install:
        if (!isIdentifier(request.product) || !isIdentifier(request.tool) ||
            !request.projectId.empty()) {
            violation("install fields", input);
        }
        if (request.version && !isVersionText(*request.version)) {
            violation("install version", input);
        }
        break;
    case LinkAction::Open:
        if (!isIdentifier(request.product) || !request.tool.empty() || !request.projectId.empty() ||
            request.version || request.channel) {
            violation("open fields", input);
        }
        break;
    case LinkAction::Project:
    case LinkAction::ProjectInstall:
        if (!isIdentifier(request.projectId) || !request.product.empty() || !request.tool.empty() ||
            request.version || request.channel) {
            violation("project fields", input);
        }
        break;
    default:
        violation("action out of range", input);
    }

    const std::string link = toolhub::toLink(request);
    const auto again = toolhub::parseLink(link);
    if (!again.ok()) {
        violation("toLink produced a link parseLink refuses", input);
    }
    if (!(again.value() == request)) {
        violation("parseLink(toLink(r)) != r", input);
    }
    if (toolhub::toLink(again.value()) != link) {
        violation("toLink is not canonical", input);
    }
    if (toolhub::toJson(request).dump().empty()) {
        violation("empty JSON", input);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const auto result = toolhub::parseLink(input);
    if (result.ok()) {
        checkAccepted(result.value(), input);
    } else {
        checkRefusal(result.error(), input);
    }
    return 0;
}
