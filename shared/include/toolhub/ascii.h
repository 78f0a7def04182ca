#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// `text` with A-Z lower-cased and every other byte kept.
[[nodiscard]] inline std::string toLower(std::string_view text)
{
    std::string out{text};
    for (char &c : out) {
        c = toLower(c);
    }
    return out;
}

// `text` without leading and trailing spaces and tabs.
[[nodiscard]] constexpr std::string_view trim(std::string_view text) noexcept
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The words of `text`, separated by runs of spaces and tabs (config values, stored lists).
[[nodiscard]] inline std::vector<std::string_view> words(std::string_view text)
{
    std::vector<std::string_view> out;
    while (!(text = trim(text)).empty()) {
        const auto end = text.find_first_of(" \t");
        out.push_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    }
    return out;
}

// `items` joined by single spaces.
[[nodiscard]] inline std::string joinWords(const std::vector<std::string> &items)
{
    std::string out;
    for (const auto &item : items) {
        out += out.empty() ? item : " " + item;
    }
    return out;
}

} // namespace toolhub::ascii
