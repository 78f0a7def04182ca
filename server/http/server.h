#pragma once

#include "core/logging/logger.h"
#include "http/middleware.h"
#include "toolhub/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace toolhub::server::http {

struct HttpServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080; // 0 picks a free port
    unsigned threads = 1;
    std::size_t maxHeaderBytes = 16 * 1024;
    std::size_t maxBodyBytes = 1024 * 1024;
    std::chrono::seconds idleTimeout{30};
    std::chrono::seconds requestTimeout{30};
    std::chrono::seconds shutdownGrace{20};
};

// The HTTP/1.1 server: keep-alive, limits on header size, body size and idle time, a pool of
// threads running the handlers, and graceful shutdown on SIGTERM/SIGINT.
//
//   listen() -> run() ------------------------------------------------> returns
//                 |  SIGTERM, SIGINT or stop()                             ^
//                 v                                                        |
//        stop accepting; idle connections close; in-flight requests   all closed, or
//        finish and their connections close after the response -----> grace expired
class HttpServer {
public:
    HttpServer(HttpServerOptions options, const Pipeline &pipeline, Next terminal,
               const Logger &logger);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Binds and listens; returns the bound port.
    [[nodiscard]] Result<std::uint16_t> listen();
    // Serves until a signal or stop(), then drains. Returns true when every connection closed
    // within the grace period.
    bool run();
    // Begins graceful shutdown; safe from any thread.
    void stop();
    [[nodiscard]] bool stopping() const noexcept;

    struct Impl; // opaque: keeps Boost.Beast out of this header

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace toolhub::server::http
