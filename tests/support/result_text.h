#pragma once

#include "toolhub/result.h"

#include <QString>

#include <string>

// Small conversions for test messages.
namespace toolhub::test {

[[nodiscard]] inline QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

// The error message of a failed result ("" for a success), for QVERIFY2.
template <class T, class E>
[[nodiscard]] const char *messageOf(const Result<T, E> &result)
{
    return result.ok() ? "" : result.error().message.c_str();
}

} // namespace toolhub::test
