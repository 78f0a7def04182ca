#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace toolhub {

// Length of the well-formed UTF-8 sequence at text[pos] (1-4) and its code point, or 0 when it is
// not well formed: overlong forms, surrogates and values above U+10FFFF are not. pos < size.
[[nodiscard]] std::size_t utf8Sequence(std::string_view text, std::size_t pos,
                                       char32_t &codePoint) noexcept;

// True for well-formed UTF-8 of 1..maxBytes bytes without C0 or C1 control characters (nor
// DEL): a name a person typed, fit to show and to log.
[[nodiscard]] bool isPrintableUtf8(std::string_view text, std::size_t maxBytes) noexcept;

// True when the JSON text nests arrays and objects at most `maxDepth` deep (strings and escapes
// are skipped; the text need not be valid). Checked before parsing a request body: a document
// nested hundreds of thousands deep parses, but copying or walking it recursively would not.
[[nodiscard]] bool jsonNestingWithin(std::string_view text, std::size_t maxDepth) noexcept;
// The nesting request bodies may have.
inline constexpr std::size_t maxJsonDepth = 32;

// Percent-encodes every byte but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~): a
// query or form value.
[[nodiscard]] std::string percentEncode(std::string_view text);

} // namespace toolhub
