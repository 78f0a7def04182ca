#pragma once

#include "toolhub/result.h"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub {

// A semantic version as defined by SemVer 2.0.0 (https://semver.org).
//
// Ordering is the spec's precedence (§11): build metadata is ignored, so 1.0.0+a and 1.0.0+b
// compare equal and `==` says they are equal too (== is consistent with <=>). The ordering is
// therefore weak, not strong: use `identical()` where build metadata must also match.
struct SemVer {
    std::uint64_t major = 0;
    std::uint64_t minor = 0;
    std::uint64_t patch = 0;
    std::vector<std::string> prerelease; // dot-separated identifiers after '-'
    std::vector<std::string> build;      // dot-separated identifiers after '+'

    // "1.2.3-beta.1+build.5"; parseSemVer(toString()) gives back an identical version.
    [[nodiscard]] std::string toString() const;
    [[nodiscard]] bool isPrerelease() const noexcept { return !prerelease.empty(); }
    // Same precedence and the same build metadata.
    [[nodiscard]] bool identical(const SemVer &other) const;

    friend std::weak_ordering operator<=>(const SemVer &a, const SemVer &b);
    friend bool operator==(const SemVer &a, const SemVer &b);
};

// Longest accepted version string.
inline constexpr std::size_t kMaxSemVerLength = 256;

// Parses a version strictly per SemVer 2.0.0: exactly MAJOR.MINOR.PATCH, no leading zeros in
// numeric identifiers, no "v" prefix, no surrounding whitespace, numbers that fit 64 bits, at
// most kMaxSemVerLength characters. Fails with ErrorCode::InvalidArgument.
[[nodiscard]] Result<SemVer> parseSemVer(std::string_view text);

// A set of versions described npm-style, e.g. ">=2.1 <3", "^1.4.0", "~2.3", "2.x", "*",
// "1.2.3 || >=2.0.0-beta.1 <2.1".
//
//   constraint := set ( "||" set )*          any set matching is enough
//   set        := comparator ( ws comparator )*   all comparators must match
//   comparator := [ "=" | ">" | ">=" | "<" | "<=" | "^" | "~" ] partial
//   partial    := full version | N | N.N | with "x", "X" or "*" for any trailing part
//
// Partial versions and ^ / ~ expand as npm does: ">=2.1" is >=2.1.0, "<3" is <3.0.0-0 (no 3.0.0
// prerelease), "2.1" / "2.1.x" is >=2.1.0 <2.2.0-0, "^1.2.3" is >=1.2.3 <2.0.0-0, "^0.2.3" is
// >=0.2.3 <0.3.0-0, "^0.0.3" is >=0.0.3 <0.0.4-0, "~1.2.3" is >=1.2.3 <1.3.0-0, "~1" is
// >=1.0.0 <2.0.0-0. An operator may be separated from its version by whitespace (">= 2.1").
//
// Prerelease rule (npm): a prerelease version matches a set only if some comparator of that set
// names a prerelease of the same MAJOR.MINOR.PATCH, so ">=1.0.0" does not match 2.0.0-beta but
// ">=2.0.0-alpha" does. Build metadata in a constraint is ignored. Empty sets, hyphen ranges
// ("1 - 2") and "~>" are refused.
// A default-constructed constraint has no sets and matches nothing; parse() never yields one.
class VersionConstraint {
public:
    enum class Op { Equal, Less, LessEqual, Greater, GreaterEqual };
    struct Comparator {
        Op op = Op::Equal;
        SemVer version;

        [[nodiscard]] bool matches(const SemVer &v) const;
        [[nodiscard]] std::string toString() const;
        friend bool operator==(const Comparator &a, const Comparator &b)
        {
            return a.op == b.op && a.version.identical(b.version);
        }
    };
    // All comparators must match; an empty set is "*" (any release version).
    using ComparatorSet = std::vector<Comparator>;

    // Longest accepted constraint string.
    static constexpr std::size_t kMaxLength = 1024;

    [[nodiscard]] static Result<VersionConstraint> parse(std::string_view text);

    [[nodiscard]] bool matches(const SemVer &version) const;

    // The expanded form, e.g. ">=2.1.0 <3.0.0-0 || =4.0.0"; parses back to the same constraint.
    [[nodiscard]] std::string toString() const;

    [[nodiscard]] const std::vector<ComparatorSet> &sets() const noexcept { return m_sets; }

    friend bool operator==(const VersionConstraint &, const VersionConstraint &) = default;

private:
    std::vector<ComparatorSet> m_sets; // ORed
};

} // namespace toolhub
