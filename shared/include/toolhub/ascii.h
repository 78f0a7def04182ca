#pragma once

// Locale-independent ASCII character classes, for parsers of wire formats (links, versions,
// URLs, hex). Unlike <cctype>, these never depend on the C locale and take a plain char.
namespace toolhub::ascii {

[[nodiscard]] constexpr bool isDigit(char c) noexcept
{
    return c >= '0' && c <= '9';
}
[[nodiscard]] constexpr bool isLower(char c) noexcept
{
    return c >= 'a' && c <= 'z';
}
[[nodiscard]] constexpr bool isUpper(char c) noexcept
{
    return c >= 'A' && c <= 'Z';
}
[[nodiscard]] constexpr bool isAlpha(char c) noexcept
{
    return isLower(c) || isUpper(c);
}
[[nodiscard]] constexpr bool isAlnum(char c) noexcept
{
    return isAlpha(c) || isDigit(c);
}
[[nodiscard]] constexpr bool isHexDigit(char c) noexcept
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// Space to tilde: printable, no control characters, no DEL, nothing beyond ASCII.
[[nodiscard]] constexpr bool isPrintable(char c) noexcept
{
    return c >= 0x20 && c < 0x7F;
}
// The value of a hex digit, or -1.
[[nodiscard]] constexpr int hexValue(char c) noexcept
{
    if (isDigit(c)) {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
[[nodiscard]] constexpr char toLower(char c) noexcept
{
    return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace toolhub::ascii
