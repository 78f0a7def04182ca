#pragma once

#include "http/message.h"
#include "toolhub/error.h"

#include <string_view>

namespace toolhub::server::http {

// The one place typed errors become HTTP: the status for each ErrorCode, and RFC 9457
// application/problem+json bodies carrying the request id. Nothing internal is revealed:
// Internal errors say only that something went wrong and quote the request id.
[[nodiscard]] unsigned httpStatusFor(ErrorCode code) noexcept;
[[nodiscard]] Response problemResponse(const Error &error, const Request &request);
[[nodiscard]] Response problemResponse(unsigned status, std::string_view code,
                                       std::string_view detail, const Request &request);

} // namespace toolhub::server::http
