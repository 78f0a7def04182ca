// toolhub-file-bench-server: serves one file through the server's real HTTP stack (Router,
// Pipeline, HttpServer, serveFile with sendfile), for bench-download.sh until the catalog's
// artifact route exists. Prints "listening <port>" once ready; SIGTERM stops it.
//
//   toolhub-file-bench-server FILE [PORT] [THREADS]

#include "http/file_response.h"
#include "http/middleware.h"
#include "http/router.h"
#include "http/server.h"

#include <charconv>
#include <iostream>
#include <string>
#include <string_view>

using namespace toolhub;
using namespace toolhub::server;

namespace {

template <class Int>
bool parseNumber(std::string_view text, Int &value)
{
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        std::cerr << "usage: toolhub-file-bench-server FILE [PORT] [THREADS]\n";
        return 2;
    }
    const std::string path = argv[1];
    std::uint16_t port = 0;
    unsigned threads = 1;
    if ((argc > 2 && !parseNumber(std::string_view{argv[2]}, port)) ||
        (argc > 3 && (!parseNumber(std::string_view{argv[3]}, threads) || threads == 0))) {
        std::cerr << "toolhub-file-bench-server: bad PORT or THREADS\n";
        return 2;
    }
    const Logger logger(std::cerr, LogFormat::Text, LogLevel::Warn);
    http::Router router;
    router.add("GET", "/file", [&path](http::Request &request) {
        http::FileToServe file;
        file.path = path;
        file.downloadName = "artifact.bin";
        file.etag = "\"bench\"";
        return http::serveFile(request, file);
    });
    http::Pipeline pipeline;
    pipeline.use(http::requestContext());
    pipeline.use(http::accessLog(logger));
    pipeline.use(http::errorMapping(logger));
    http::HttpServerOptions options;
    options.port = port;
    options.threads = threads;
    http::HttpServer server(
        options, pipeline, [&router](http::Request &request) { return router.dispatch(request); },
        logger);
    const auto bound = server.listen();
    if (!bound) {
        std::cerr << "toolhub-file-bench-server: " << bound.error().message << "\n";
        return 1;
    }
    std::cout << "listening " << *bound << std::endl;
    return server.run() ? 0 : 1;
}
