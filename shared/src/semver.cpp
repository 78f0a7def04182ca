#include "toolhub/semver.h"
#include "toolhub/ascii.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace toolhub {

namespace {

using namespace toolhub::ascii;

constexpr std::uint64_t kMaxNumber = std::numeric_limits<std::uint64_t>::max();

bool isIdentifierChar(char c) noexcept
{
    return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

bool allDigits(std::string_view s) noexcept
{
    return std::all_of(s.begin(), s.end(), isDigit);
}

// Input echoed in messages: printable ASCII only, and not too long.
std::string quoted(std::string_view text)
{
    constexpr std::size_t kMaxEcho = 64;
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < kMaxEcho; ++i) {
        const char c = text[i];
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    if (text.size() > kMaxEcho) {
        out += "...";
    }
    out += '"';
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = text.find(separator, start);
        if (pos == std::string_view::npos) {
            parts.push_back(text.substr(start));
            return parts;
        }
        parts.push_back(text.substr(start, pos - start));
        start = pos + 1;
    }
}

// A numeric identifier: "0" or digits without a leading zero, fitting 64 bits. On failure
// returns the reason.
Result<std::uint64_t, std::string> parseNumber(std::string_view text)
{
    if (text.empty()) {
        return fail(std::string("empty number"));
    }
    if (!allDigits(text)) {
        return fail(quoted(text) + " is not a number");
    }
    if (text.size() > 1 && text.front() == '0') {
        return fail(quoted(text) + " has a leading zero");
    }
    std::uint64_t value = 0;
    for (const char c : text) {
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (kMaxNumber - digit) / 10) {
            return fail(quoted(text) + " is too large");
        }
        value = value * 10 + digit;
    }
    return value;
}

// Dot-separated identifiers of a prerelease (numeric ones without leading zeros) or of build
// metadata (leading zeros allowed).
Result<std::vector<std::string>, std::string> parseIdentifiers(std::string_view text,
                                                               bool prerelease)
{
    const char *what = prerelease ? "prerelease" : "build metadata";
    std::vector<std::string> identifiers;
    for (const std::string_view part : split(text, '.')) {
        if (part.empty()) {
            return fail(std::string("empty ") + what + " identifier");
        }
        if (!std::all_of(part.begin(), part.end(), isIdentifierChar)) {
            return fail(std::string(what) + " identifier " + quoted(part) +
                        " may contain only [0-9A-Za-z-]");
        }
        if (prerelease && part.size() > 1 && part.front() == '0' && allDigits(part)) {
            return fail("numeric prerelease identifier " + quoted(part) + " has a leading zero");
        }
        identifiers.emplace_back(part);
    }
    return identifiers;
}

std::weak_ordering compareIdentifiers(const std::string &a, const std::string &b)
{
    const bool aNumeric = allDigits(a);
    const bool bNumeric = allDigits(b);
    if (aNumeric && bNumeric) {
        // No leading zeros, so the longer number is the larger one; no overflow possible.
        if (a.size() != b.size()) {
            return a.size() <=> b.size();
        }
        return a.compare(b) <=> 0;
    }
    if (aNumeric != bNumeric) {
        return aNumeric ? std::weak_ordering::less : std::weak_ordering::greater;
    }
    return a.compare(b) <=> 0;
}

std::string joinIdentifiers(const std::vector<std::string> &identifiers)
{
    std::string out;
    for (const auto &identifier : identifiers) {
        if (!out.empty()) {
            out += '.';
        }
        out += identifier;
    }
    return out;
}

} // namespace

std::string SemVer::toString() const
{
    std::string out =
        std::to_string(major) + '.' + std::to_string(minor) + '.' + std::to_string(patch);
    if (!prerelease.empty()) {
        out += '-' + joinIdentifiers(prerelease);
    }
    if (!build.empty()) {
        out += '+' + joinIdentifiers(build);
    }
    return out;
}

bool SemVer::identical(const SemVer &other) const
{
    return *this == other && build == other.build;
}

std::weak_ordering operator<=>(const SemVer &a, const SemVer &b)
{
    if (const auto c = a.major <=> b.major; std::is_neq(c)) {
        return c;
    }
    if (const auto c = a.minor <=> b.minor; std::is_neq(c)) {
        return c;
    }
    if (const auto c = a.patch <=> b.patch; std::is_neq(c)) {
        return c;
    }
    // A release has higher precedence than its prereleases.
    if (a.prerelease.empty() || b.prerelease.empty()) {
        return a.prerelease.empty() <=> b.prerelease.empty();
    }
    const std::size_t common = std::min(a.prerelease.size(), b.prerelease.size());
    for (std::size_t i = 0; i < common; ++i) {
        if (const auto c = compareIdentifiers(a.prerelease[i], b.prerelease[i]); std::is_neq(c)) {
            return c;
        }
    }
    return a.prerelease.size() <=> b.prerelease.size();
}

bool operator==(const SemVer &a, const SemVer &b)
{
    return a.major == b.major && a.minor == b.minor && a.patch == b.patch &&
           a.prerelease == b.prerelease;
}

Result<SemVer> parseSemVer(std::string_view text)
{
    auto invalid = [&](const std::string &reason) {
        return fail(ErrorCode::InvalidArgument, "invalid version " + quoted(text) + ": " + reason);
    };
    if (text.empty()) {
        return invalid("empty");
    }
    if (text.size() > kMaxSemVerLength) {
        return invalid("longer than " + std::to_string(kMaxSemVerLength) + " characters");
    }
    if (text.front() == 'v' || text.front() == 'V') {
        return invalid("no \"v\" prefix allowed");
    }

    SemVer version;
    std::string_view rest = text;
    if (const std::size_t plus = rest.find('+'); plus != std::string_view::npos) {
        auto build = parseIdentifiers(rest.substr(plus + 1), false);
        if (!build) {
            return invalid(build.error());
        }
        version.build = std::move(build).value();
        rest = rest.substr(0, plus);
    }
    if (const std::size_t dash = rest.find('-'); dash != std::string_view::npos) {
        auto prerelease = parseIdentifiers(rest.substr(dash + 1), true);
        if (!prerelease) {
            return invalid(prerelease.error());
        }
        version.prerelease = std::move(prerelease).value();
        rest = rest.substr(0, dash);
    }

    const auto core = split(rest, '.');
    if (core.size() != 3) {
        return invalid("expected MAJOR.MINOR.PATCH");
    }
    std::uint64_t *const fields[] = {&version.major, &version.minor, &version.patch};
    for (std::size_t i = 0; i < 3; ++i) {
        auto number = parseNumber(core[i]);
        if (!number) {
            return invalid(number.error());
        }
        *fields[i] = *number;
    }
    return version;
}

// ---------------------------------------------------------------------------------------------
// VersionConstraint

namespace {

using Op = VersionConstraint::Op;
using Comparator = VersionConstraint::Comparator;
using ComparatorSet = VersionConstraint::ComparatorSet;

// A version with 0 to 3 leading numeric parts given; the rest were omitted or wildcards.
struct Partial {
    int parts = 0;
    SemVer version; // unspecified parts are 0, build metadata dropped
};

bool isWildcard(std::string_view s) noexcept
{
    return s == "x" || s == "X" || s == "*";
}

Result<Partial, std::string> parsePartial(std::string_view text)
{
    if (text.empty()) {
        return fail(std::string("missing version"));
    }
    Partial partial;
    if (text.find_first_of("-+") != std::string_view::npos) {
        // Prerelease or build metadata: only on a full version.
        auto full = parseSemVer(text);
        if (!full) {
            return fail(full.error().message);
        }
        partial.parts = 3;
        partial.version = std::move(full).value();
        partial.version.build.clear();
        return partial;
    }
    if (text.front() == 'v' || text.front() == 'V') {
        return fail(quoted(text) + ": no \"v\" prefix allowed");
    }
    const auto components = split(text, '.');
    if (components.size() > 3) {
        return fail(quoted(text) + ": more than MAJOR.MINOR.PATCH");
    }
    std::uint64_t *const fields[] = {&partial.version.major, &partial.version.minor,
                                     &partial.version.patch};
    bool wildcardSeen = false;
    for (std::size_t i = 0; i < components.size(); ++i) {
        if (isWildcard(components[i])) {
            wildcardSeen = true;
            continue;
        }
        if (wildcardSeen) {
            return fail(quoted(text) + ": a number cannot follow a wildcard");
        }
        auto number = parseNumber(components[i]);
        if (!number) {
            return fail(quoted(text) + ": " + number.error());
        }
        *fields[i] = *number;
        ++partial.parts;
    }
    return partial;
}

SemVer makeVersion(std::uint64_t major, std::uint64_t minor, std::uint64_t patch)
{
    SemVer v;
    v.major = major;
    v.minor = minor;
    v.patch = patch;
    return v;
}

// M.m.p-0: the lowest version of the M.m.p tuple, below all its prereleases.
SemVer lowest(std::uint64_t major, std::uint64_t minor, std::uint64_t patch)
{
    SemVer v = makeVersion(major, minor, patch);
    v.prerelease = {"0"};
    return v;
}

// The lowest version above every M.x.x / M.m.x / M.m.p; none if the numbers are exhausted.
std::optional<SemVer> aboveMajor(std::uint64_t major)
{
    if (major == kMaxNumber) {
        return std::nullopt;
    }
    return lowest(major + 1, 0, 0);
}

std::optional<SemVer> aboveMinor(std::uint64_t major, std::uint64_t minor)
{
    if (minor == kMaxNumber) {
        return aboveMajor(major);
    }
    return lowest(major, minor + 1, 0);
}

std::optional<SemVer> abovePatch(std::uint64_t major, std::uint64_t minor, std::uint64_t patch)
{
    if (patch == kMaxNumber) {
        return aboveMinor(major, minor);
    }
    return lowest(major, minor, patch + 1);
}

// The comparator nothing satisfies: 0.0.0-0 is the lowest version there is.
Comparator matchNothing()
{
    return {Op::Less, lowest(0, 0, 0)};
}

void addBelow(ComparatorSet &set, const std::optional<SemVer> &upper)
{
    if (upper) {
        set.push_back({Op::Less, *upper});
    }
}

// The release version a lower bound starts from: M.0.0 / M.m.0 / the full version.
SemVer floorOf(const Partial &p)
{
    if (p.parts == 3) {
        return p.version;
    }
    return makeVersion(p.version.major, p.parts >= 2 ? p.version.minor : 0, 0);
}

// The exclusive upper end of an X-range "M" or "M.m"; none if unbounded.
std::optional<SemVer> aboveRange(const Partial &p)
{
    return p.parts == 1 ? aboveMajor(p.version.major)
                        : aboveMinor(p.version.major, p.version.minor);
}

// Expands one comparator token into plain comparators (npm semantics).
void expand(char op, bool orEqual, const Partial &p, ComparatorSet &set)
{
    const auto &v = p.version;
    const bool full = p.parts == 3;
    if (p.parts == 0) {
        // "*", ">=*", "<=*", "^*", "~*" match any version; ">*" and "<*" none.
        if ((op == '>' || op == '<') && !orEqual) {
            set.push_back(matchNothing());
        }
        return;
    }
    switch (op) {
    case '=':
        if (full) {
            set.push_back({Op::Equal, v});
        } else {
            set.push_back({Op::GreaterEqual, floorOf(p)});
            addBelow(set, aboveRange(p));
        }
        return;
    case '>':
        if (full) {
            set.push_back({orEqual ? Op::GreaterEqual : Op::Greater, v});
        } else if (orEqual) {
            set.push_back({Op::GreaterEqual, floorOf(p)});
        } else if (auto upper = aboveRange(p)) {
            upper->prerelease.clear(); // ">1" is >=2.0.0
            set.push_back({Op::GreaterEqual, *upper});
        } else {
            set.push_back(matchNothing());
        }
        return;
    case '<':
        if (full) {
            set.push_back({orEqual ? Op::LessEqual : Op::Less, v});
        } else if (orEqual) {
            addBelow(set, aboveRange(p));
        } else {
            set.push_back({Op::Less, lowest(v.major, p.parts >= 2 ? v.minor : 0, 0)});
        }
        return;
    case '~':
        set.push_back({Op::GreaterEqual, floorOf(p)});
        addBelow(set, p.parts == 1 ? aboveMajor(v.major) : aboveMinor(v.major, v.minor));
        return;
    case '^':
        set.push_back({Op::GreaterEqual, floorOf(p)});
        if (v.major != 0 || p.parts == 1) {
            addBelow(set, aboveMajor(v.major));
        } else if (v.minor != 0 || p.parts == 2) {
            addBelow(set, aboveMinor(v.major, v.minor));
        } else {
            addBelow(set, abovePatch(v.major, v.minor, v.patch));
        }
        return;
    default:
        return;
    }
}

bool isOperatorChar(char c) noexcept
{
    return c == '=' || c == '<' || c == '>' || c == '^' || c == '~';
}

bool isSpace(char c) noexcept
{
    return c == ' ' || c == '\t';
}

std::vector<std::string_view> splitWords(std::string_view text)
{
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && isSpace(text[i])) {
            ++i;
        }
        const std::size_t start = i;
        while (i < text.size() && !isSpace(text[i])) {
            ++i;
        }
        if (i > start) {
            words.push_back(text.substr(start, i - start));
        }
    }
    return words;
}

Result<ComparatorSet, std::string> parseSet(std::string_view text)
{
    const auto words = splitWords(text);
    if (words.empty()) {
        return fail(std::string("empty comparator set"));
    }
    ComparatorSet set;
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string token(words[i]);
        if (std::all_of(token.begin(), token.end(), isOperatorChar)) {
            // ">= 2.1": the operator stands apart from its version.
            if (i + 1 == words.size()) {
                return fail("operator " + quoted(token) + " without a version");
            }
            token += words[++i];
        }
        std::string_view rest = token;
        char op = '=';
        bool orEqual = false;
        if (rest.starts_with(">=") || rest.starts_with("<=")) {
            op = rest.front();
            orEqual = true;
            rest.remove_prefix(2);
        } else if (!rest.empty() && isOperatorChar(rest.front())) {
            op = rest.front();
            rest.remove_prefix(1);
        }
        if (!rest.empty() && isOperatorChar(rest.front())) {
            return fail(quoted(token) + ": unknown operator");
        }
        if (rest == "-") {
            return fail("hyphen ranges are not supported, use \">=A <=B\"");
        }
        auto partial = parsePartial(rest);
        if (!partial) {
            return fail(std::move(partial).error());
        }
        expand(op, orEqual, *partial, set);
    }
    return set;
}

} // namespace

bool VersionConstraint::Comparator::matches(const SemVer &v) const
{
    switch (op) {
    case Op::Equal:
        return v == version;
    case Op::Less:
        return v < version;
    case Op::LessEqual:
        return v <= version;
    case Op::Greater:
        return v > version;
    case Op::GreaterEqual:
        return v >= version;
    }
    return false;
}

std::string VersionConstraint::Comparator::toString() const
{
    const char *prefix = "=";
    switch (op) {
    case Op::Equal:
        prefix = "=";
        break;
    case Op::Less:
        prefix = "<";
        break;
    case Op::LessEqual:
        prefix = "<=";
        break;
    case Op::Greater:
        prefix = ">";
        break;
    case Op::GreaterEqual:
        prefix = ">=";
        break;
    }
    return prefix + version.toString();
}

Result<VersionConstraint> VersionConstraint::parse(std::string_view text)
{
    auto invalid = [&](const std::string &reason) {
        return fail(ErrorCode::InvalidArgument,
                    "invalid version constraint " + quoted(text) + ": " + reason);
    };
    if (text.size() > kMaxLength) {
        return invalid("longer than " + std::to_string(kMaxLength) + " characters");
    }
    for (const char c : text) {
        const bool allowed = isIdentifierChar(c) || isOperatorChar(c) || isSpace(c) || c == '.' ||
                             c == '+' || c == '*' || c == '|';
        if (!allowed) {
            return invalid("unexpected character " + quoted(std::string_view(&c, 1)));
        }
    }

    VersionConstraint constraint;
    std::size_t start = 0;
    while (true) {
        const std::size_t bar = text.find("||", start);
        const std::string_view part = text.substr(
            start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
        if (part.find('|') != std::string_view::npos) {
            return invalid("a single \"|\"; use \"||\" for alternatives");
        }
        auto set = parseSet(part);
        if (!set) {
            return invalid(set.error());
        }
        constraint.m_sets.push_back(std::move(set).value());
        if (bar == std::string_view::npos) {
            break;
        }
        start = bar + 2;
    }
    return constraint;
}

bool VersionConstraint::matches(const SemVer &version) const
{
    return std::any_of(m_sets.begin(), m_sets.end(), [&](const ComparatorSet &set) {
        const bool all = std::all_of(set.begin(), set.end(),
                                     [&](const Comparator &c) { return c.matches(version); });
        if (!all || !version.isPrerelease()) {
            return all;
        }
        // npm's prerelease rule: only if the set opts in to prereleases of this M.m.p.
        return std::any_of(set.begin(), set.end(), [&](const Comparator &c) {
            return c.version.isPrerelease() && c.version.major == version.major &&
                   c.version.minor == version.minor && c.version.patch == version.patch;
        });
    });
}

std::string VersionConstraint::toString() const
{
    std::string out;
    for (const auto &set : m_sets) {
        if (!out.empty()) {
            out += " || ";
        }
        if (set.empty()) {
            out += '*';
            continue;
        }
        for (std::size_t i = 0; i < set.size(); ++i) {
            if (i > 0) {
                out += ' ';
            }
            out += set[i].toString();
        }
    }
    return out;
}

} // namespace toolhub
