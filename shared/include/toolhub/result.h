#pragma once

#include "toolhub/error.h"

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace toolhub {

// A value or an error: the one error channel of core functions (a small std::expected until
// C++23 is available). Construct a failure with `fail(error)` or from an error value directly.
template <class E>
struct Failure {
    E error;
};

template <class E>
[[nodiscard]] Failure<std::decay_t<E>> fail(E &&error)
{
    return {std::forward<E>(error)};
}

[[nodiscard]] inline Failure<Error> fail(ErrorCode code, std::string message)
{
    return {Error{code, std::move(message)}};
}

template <class T, class E = Error>
class [[nodiscard]] Result {
public:
    using value_type = T;
    using error_type = E;

    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    template <class U>
    requires std::is_constructible_v<E, U &&> Result(Failure<U> failure)
        : m_state(std::in_place_index<1>, std::move(failure.error))
    {}

    [[nodiscard]] bool ok() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T &value() &
    {
        assert(ok());
        return std::get<0>(m_state);
    }
    [[nodiscard]] const T &value() const &
    {
        assert(ok());
        return std::get<0>(m_state);
    }
    [[nodiscard]] T &&value() &&
    {
        assert(ok());
        return std::get<0>(std::move(m_state));
    }
    [[nodiscard]] const E &error() const &
    {
        assert(!ok());
        return std::get<1>(m_state);
    }
    [[nodiscard]] E &&error() &&
    {
        assert(!ok());
        return std::get<1>(std::move(m_state));
    }

    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

private:
    std::variant<T, E> m_state;
};

template <class E>
class [[nodiscard]] Result<void, E> {
public:
    using value_type = void;
    using error_type = E;

    Result() = default;
    template <class U>
    requires std::is_constructible_v<E, U &&> Result(Failure<U> failure)
        : m_error(std::move(failure.error)), m_ok(false)
    {}

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    explicit operator bool() const noexcept { return m_ok; }
    [[nodiscard]] const E &error() const &
    {
        assert(!m_ok);
        return m_error;
    }
    [[nodiscard]] E &&error() &&
    {
        assert(!m_ok);
        return std::move(m_error);
    }

private:
    E m_error{};
    bool m_ok = true;
};

} // namespace toolhub
