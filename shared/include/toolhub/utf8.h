#pragma once

#include <cstddef>
#include <string_view>

namespace toolhub {

// Length of the well-formed UTF-8 sequence at text[pos] (1-4) and its code point, or 0 when it is
// not well formed: overlong forms, surrogates and values above U+10FFFF are not. pos < size.
[[nodiscard]] std::size_t utf8Sequence(std::string_view text, std::size_t pos,
                                       char32_t &codePoint) noexcept;

} // namespace toolhub
