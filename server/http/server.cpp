#include "http/server.h"

#include "http/problem.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

namespace toolhub::server::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// After an error response that ends the connection, unread request bytes are drained for a
// short while before closing, so the client reads the response instead of a reset.
constexpr auto lingerTime = std::chrono::seconds{2};
constexpr std::size_t lingerBytes = 64 * 1024 * 1024;

// File bodies: bytes per sendfile(2) call, and per turn before other connections on the same
// thread get theirs.
constexpr std::uint64_t sendfileChunk = std::uint64_t{1} << 30;
constexpr std::uint64_t sendfileTurn = std::uint64_t{16} << 20;

std::string httpDate()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    const auto n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return {buffer, n};
}

} // namespace

class Session;

struct HttpServer::Impl {
    HttpServerOptions options;
    const Pipeline &pipeline;
    Next terminal;
    const Logger &logger;

    // Declared before the io_context: handlers it destroys still release sessions into these.
    std::atomic<bool> isStopping{false};
    std::mutex mutex;
    std::condition_variable changed;
    std::unordered_map<Session *, std::weak_ptr<Session>> sessions;

    asio::io_context ioc;
    tcp::acceptor acceptor;
    asio::signal_set signals;

    Impl(HttpServerOptions o, const Pipeline &p, Next t, const Logger &l)
        : options(std::move(o)), pipeline(p), terminal(std::move(t)), logger(l),
          ioc(static_cast<int>(options.threads)), acceptor(asio::make_strand(ioc)),
          signals(ioc, SIGINT, SIGTERM)
    {}

    void accept();
    void beginShutdown();
    void forget(Session *session)
    {
        const std::scoped_lock lock(mutex);
        sessions.erase(session);
        changed.notify_all();
    }
};

// One TCP connection: reads requests one at a time, answers each through the pipeline.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket &&socket, HttpServer::Impl &server)
        : m_stream(std::move(socket)), m_server(server), m_fileTimer(m_stream.get_executor())
    {
        beast::error_code ec;
        const auto endpoint = m_stream.socket().remote_endpoint(ec);
        if (!ec) {
            m_clientAddress = endpoint.address().to_string();
        }
    }
    ~Session() { m_server.forget(this); }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    void start()
    {
        asio::dispatch(m_stream.get_executor(),
                       [self = shared_from_this()] { self->readHeader(); });
    }

    // Called on shutdown: an idle connection closes now, a busy one after its response.
    void serverStopping()
    {
        asio::dispatch(m_stream.get_executor(), [self = shared_from_this()] {
            self->m_closeAfterResponse = true;
            if (self->m_idle) {
                // Wakes the pending read: onHeader() closes if no byte of a request came.
                self->m_stream.cancel();
            }
        });
    }

    void forceClose()
    {
        asio::dispatch(m_stream.get_executor(),
                       [self = shared_from_this()] { self->m_stream.close(); });
    }

private:
    // True when bytes of a request have arrived, read into the buffer or not yet read: that
    // request is in flight and gets its answer even during shutdown.
    bool hasRequestBytes()
    {
        beast::error_code ec;
        const auto unread = m_stream.socket().available(ec);
        return m_buffer.size() != 0 || (!ec && unread != 0);
    }

    void readHeader()
    {
        if (m_closeAfterResponse && !hasRequestBytes()) {
            closeNow();
            return;
        }
        m_parser.emplace();
        m_parser->header_limit(static_cast<std::uint32_t>(m_server.options.maxHeaderBytes));
        m_parser->body_limit(m_server.options.maxBodyBytes);
        m_idle = m_buffer.size() == 0;
        m_stream.expires_after(m_idle ? m_server.options.idleTimeout
                                      : m_server.options.requestTimeout);
        bhttp::async_read_header(
            m_stream, m_buffer, *m_parser,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
    }

    void onHeader(beast::error_code ec)
    {
        if (ec == asio::error::operation_aborted && m_closeAfterResponse &&
            (m_parser->got_some() || hasRequestBytes())) {
            // Shutdown interrupted a request that had begun: finish reading it.
            m_stream.expires_after(m_server.options.requestTimeout);
            bhttp::async_read_header(
                m_stream, m_buffer, *m_parser,
                [self = shared_from_this()](beast::error_code again, std::size_t) {
                    self->onHeader(again);
                });
            return;
        }
        m_idle = false;
        m_started = std::chrono::steady_clock::now();
        if (ec) {
            onReadError(ec);
            return;
        }
        if (const auto length = m_parser->content_length();
            length && *length > m_server.options.maxBodyBytes) {
            reject(413, ErrorCode::PayloadTooLarge,
                   "The request body is larger than this server accepts.");
            return;
        }
        const auto expect = m_parser->get()[bhttp::field::expect];
        if (beast::iequals(expect, "100-continue") && !m_parser->is_done()) {
            // The client waits for this before sending the body (RFC 9110 10.1.1).
            auto interim =
                std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
            m_stream.expires_after(m_server.options.requestTimeout);
            bhttp::async_write(
                m_stream, *interim,
                [self = shared_from_this(), interim](beast::error_code writeEc, std::size_t) {
                    if (writeEc) {
                        self->closeNow();
                        return;
                    }
                    self->readBody();
                });
            return;
        }
        readBody();
    }

    void readBody()
    {
        m_stream.expires_after(m_server.options.requestTimeout);
        bhttp::async_read(m_stream, m_buffer, *m_parser,
                          [self = shared_from_this()](beast::error_code readEc, std::size_t) {
                              self->onBody(readEc);
                          });
    }

    void onBody(beast::error_code ec)
    {
        if (ec) {
            onReadError(ec);
            return;
        }
        Request request = toRequest();
        if (const auto problem = parseTarget(request.target, request.path, request.query)) {
            reject(400, ErrorCode::InvalidArgument, *problem);
            return;
        }
        Response response;
        try {
            response = m_server.pipeline.handle(request, m_server.terminal);
        } catch (const std::exception &e) {
            m_server.logger.error("request failed outside the error mapping",
                                  request.context.logFields({{"error.message", e.what()}}));
            response = problemResponse(Error{ErrorCode::Internal, {}}, request);
            m_closeAfterResponse = true;
        }
        const bool keepAlive =
            m_parser->get().keep_alive() && !m_closeAfterResponse && !m_server.isStopping.load();
        if (response.file) {
            m_fileLogFields = request.context.logFields({{"url.path", request.path}});
        }
        send(std::move(response), keepAlive, m_parser->get().method() == bhttp::verb::head);
    }

    void onReadError(beast::error_code ec)
    {
        if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset || ec == asio::error::eof) {
            closeNow();
        } else if (ec == beast::error::timeout) {
            // The stream closed the socket on timeout: nothing can be answered any more.
            if (m_parser && m_parser->got_some()) {
                m_server.logger.info("request not received in time; connection closed",
                                     {{"client.ip", m_clientAddress}});
            }
            closeNow();
        } else if (ec == bhttp::error::header_limit) {
            reject(431, ErrorCode::InvalidArgument, "The request headers are too large.");
        } else if (ec == bhttp::error::body_limit) {
            reject(413, ErrorCode::PayloadTooLarge,
                   "The request body is larger than this server accepts.");
        } else {
            reject(400, ErrorCode::InvalidArgument, "The request is not valid HTTP/1.1.");
        }
    }

    Request toRequest() const
    {
        const auto &message = m_parser->get();
        Request request;
        request.method = std::string{message.method_string()};
        request.target = std::string{message.target()};
        for (const auto &field : message) {
            request.headers.add(std::string{field.name_string()}, std::string{field.value()});
        }
        request.body = message.body();
        request.context.clientAddress = m_clientAddress;
        request.context.started = m_started;
        return request;
    }

    // Answers a request that could not be read whole, through the same pipeline (request id,
    // access log, problem+json), then ends the connection.
    void reject(unsigned status, ErrorCode code, std::string detail)
    {
        Request request;
        if (m_parser && m_parser->is_header_done()) {
            request = toRequest();
            request.body.clear();
            std::string path;
            std::multimap<std::string, std::string> query;
            if (!parseTarget(request.target, path, query)) {
                request.path = path;
            }
        }
        if (request.method.empty()) {
            request.method = "-";
        }
        request.context.clientAddress = m_clientAddress;
        request.context.started = m_started;
        const Next answer = [&](Request &r) -> Result<Response> {
            return problemResponse(status, errorCodeName(code), detail, r);
        };
        send(m_server.pipeline.handle(request, answer), false, request.method == "HEAD");
    }

    // Status line and header fields of `response` (throws for a status no handler may send).
    template <class Message>
    static void fillHeader(Message &message, const Response &response, bool keepAlive)
    {
        if (response.status < 200 || response.status > 599) {
            throw std::logic_error("handler answered with status " +
                                   std::to_string(response.status));
        }
        message.version(11);
        message.result(response.status);
        message.reason(statusReason(response.status));
        for (const auto &[name, value] : response.headers.all()) {
            message.insert(name, value);
        }
        message.set(bhttp::field::date, httpDate());
        message.keep_alive(keepAlive);
    }

    void send(Response response, bool keepAlive, bool headRequest)
    {
        const bool bodiless = response.status == 204 || response.status == 304;
        if (response.file && !headRequest && !bodiless) {
            sendFile(std::move(response), keepAlive);
            return;
        }
        auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
        try {
            fillHeader(*message, response, keepAlive);
            if (bodiless) {
                // No body and no Content-Length (RFC 9110 8.6): a 304's length would be taken
                // for the cached representation's.
                message->erase(bhttp::field::content_length);
            } else if (response.file) {
                // HEAD of a file: its length, no body.
                message->content_length(response.file->length);
            } else {
                const auto size = response.body.size();
                message->body() = std::move(response.body);
                message->prepare_payload();
                if (headRequest) {
                    message->body().clear();
                    message->content_length(size);
                }
            }
        } catch (const std::exception &e) {
            m_server.logger.error("cannot send a response", {{"error.message", e.what()}});
            closeNow();
            return;
        }
        m_stream.expires_after(m_server.options.requestTimeout);
        bhttp::async_write(
            m_stream, *message,
            [self = shared_from_this(), message, keepAlive](beast::error_code ec, std::size_t) {
                self->onWrite(ec, keepAlive);
            });
    }

    // A file body: the header through Beast, then the file with sendfile(2) straight from the
    // page cache to the socket, never through this process's memory.
    //
    //   header written -> pumpFile: sendfile until done / EAGAIN / a turn's worth
    //                        ^  EAGAIN: wait until writable (request_timeout per wait)
    //                        +--------------------------+
    //   done -> next request on this connection (keep-alive) or close; error/timeout -> close
    void sendFile(Response response, bool keepAlive)
    {
        auto header = std::make_shared<bhttp::response<bhttp::empty_body>>();
        try {
            fillHeader(*header, response, keepAlive);
            header->content_length(response.file->length);
        } catch (const std::exception &e) {
            m_server.logger.error("cannot send a response", {{"error.message", e.what()}});
            closeNow();
            return;
        }
        m_file = std::move(*response.file);
        m_fileSent = 0;
        m_fileKeepAlive = keepAlive;
        // Header and first file bytes leave in full segments (nginx's tcp_nopush).
        setCork(true);
        auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*header);
        m_stream.expires_after(m_server.options.requestTimeout);
        bhttp::async_write_header(
            m_stream, *serializer,
            [self = shared_from_this(), header, serializer](beast::error_code ec, std::size_t) {
                self->m_stream.expires_never();
                if (ec) {
                    self->endFile(ec.message());
                    return;
                }
                self->pumpFile();
            });
    }

    void pumpFile()
    {
        auto &socket = m_stream.socket();
        beast::error_code ec;
        socket.native_non_blocking(true, ec);
        if (ec) {
            endFile(ec.message());
            return;
        }
        std::uint64_t turn = 0;
        while (m_fileSent < m_file->length) {
            if (turn >= sendfileTurn) {
                asio::post(m_stream.get_executor(), [self = shared_from_this()] {
                    if (self->m_file) {
                        self->pumpFile();
                    }
                });
                return;
            }
            auto offset = static_cast<off_t>(m_file->offset + m_fileSent);
            const auto count =
                static_cast<std::size_t>(std::min(m_file->length - m_fileSent, sendfileChunk));
            const auto n = ::sendfile(socket.native_handle(), m_file->file->fd(), &offset, count);
            if (n > 0) {
                m_fileSent += static_cast<std::uint64_t>(n);
                turn += static_cast<std::uint64_t>(n);
                continue;
            }
            if (n == 0) {
                endFile("the file is shorter than its announced length");
                return;
            }
            const int error = errno;
            if (error == EINTR) {
                continue;
            }
            if (error == EAGAIN || error == EWOULDBLOCK) {
                waitWritable();
                return;
            }
            endFile(std::strerror(error));
            return;
        }
        endFile({});
    }

    void waitWritable()
    {
        const auto generation = ++m_fileWait;
        m_fileTimer.expires_after(m_server.options.requestTimeout);
        m_fileTimer.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
            if (ec || generation != self->m_fileWait || !self->m_file) {
                return;
            }
            self->m_fileTimedOut = true;
            beast::error_code ignored;
            self->m_stream.socket().cancel(ignored);
        });
        m_stream.socket().async_wait(
            tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
                self->m_fileTimer.cancel();
                if (!self->m_file) {
                    return;
                }
                if (ec) {
                    self->endFile(self->m_fileTimedOut ? "client stopped reading" : ec.message());
                    return;
                }
                self->pumpFile();
            });
    }

    // Ends a file body: on success the connection goes on; otherwise it closes, as the client
    // cannot tell where the body stopped.
    void endFile(const std::string &failure)
    {
        m_fileTimer.cancel();
        ++m_fileWait;
        setCork(false);
        const auto length = m_file ? m_file->length : 0;
        m_file.reset(); // closes the file
        if (!failure.empty()) {
            m_server.logger.info("response body not sent completely; connection closed", [&] {
                auto fields = m_fileLogFields;
                fields["http.response.body.bytes"] = m_fileSent;
                fields["file.size"] = length;
                fields["error.message"] = failure;
                return fields;
            }());
            m_fileTimedOut = false;
            closeNow();
            return;
        }
        onWrite({}, m_fileKeepAlive);
    }

    void setCork(bool on)
    {
        const int value = on ? 1 : 0;
        ::setsockopt(m_stream.socket().native_handle(), IPPROTO_TCP, TCP_CORK, &value,
                     sizeof value);
    }

    void onWrite(beast::error_code ec, bool keepAlive)
    {
        if (ec) {
            closeNow();
            return;
        }
        if (!keepAlive) {
            lingerThenClose();
            return;
        }
        readHeader();
    }

    void lingerThenClose()
    {
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) {
            closeNow();
            return;
        }
        m_lingerDeadline = std::chrono::steady_clock::now() + lingerTime;
        m_lingered = 0;
        drain();
    }

    void drain()
    {
        const auto left = m_lingerDeadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero() || m_lingered > lingerBytes) {
            closeNow();
            return;
        }
        m_stream.expires_after(left);
        m_stream.async_read_some(asio::buffer(m_scratch),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                     if (ec) {
                                         self->closeNow();
                                         return;
                                     }
                                     self->m_lingered += n;
                                     self->drain();
                                 });
    }

    void closeNow()
    {
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        m_stream.close();
    }

    beast::tcp_stream m_stream;
    HttpServer::Impl &m_server;
    beast::flat_buffer m_buffer;
    std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
    std::string m_clientAddress;
    std::chrono::steady_clock::time_point m_started{};
    bool m_idle = false;
    bool m_closeAfterResponse = false;
    std::chrono::steady_clock::time_point m_lingerDeadline{};
    std::size_t m_lingered = 0;
    std::array<char, 16 * 1024> m_scratch{};
    // The file body being sent, if any.
    asio::steady_timer m_fileTimer;
    std::optional<FileBody> m_file;
    std::uint64_t m_fileSent = 0;
    std::uint64_t m_fileWait = 0;
    bool m_fileKeepAlive = false;
    bool m_fileTimedOut = false;
    nlohmann::json m_fileLogFields;
};

void HttpServer::Impl::accept()
{
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec != asio::error::operation_aborted && acceptor.is_open()) {
                logger.warn("accept failed", {{"error.message", ec.message()}});
                accept();
            }
            return;
        }
        auto session = std::make_shared<Session>(std::move(socket), *this);
        {
            // Under the lock that beginShutdown() takes: a session is either seen by the
            // shutdown or never started.
            const std::scoped_lock lock(mutex);
            if (isStopping.load()) {
                return;
            }
            sessions.emplace(session.get(), session);
        }
        session->start();
        accept();
    });
}

void HttpServer::Impl::beginShutdown()
{
    {
        const std::scoped_lock lock(mutex);
        if (isStopping.exchange(true)) {
            return;
        }
    }
    asio::post(acceptor.get_executor(), [this] {
        beast::error_code ec;
        acceptor.close(ec);
    });
    beast::error_code ec;
    signals.cancel(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
        const std::scoped_lock lock(mutex);
        for (auto &[raw, weak] : sessions) {
            if (auto session = weak.lock()) {
                live.push_back(std::move(session));
            }
        }
        changed.notify_all();
    }
    for (auto &session : live) {
        session->serverStopping();
    }
}

HttpServer::HttpServer(HttpServerOptions options, const Pipeline &pipeline, Next terminal,
                       const Logger &logger)
    : m_impl(std::make_unique<Impl>(std::move(options), pipeline, std::move(terminal), logger))
{
    // Asio's own writes pass MSG_NOSIGNAL, but sendfile(2) has no such flag: a client that
    // resets the connection mid-file would raise SIGPIPE, whose default action ends the
    // process. Ignored, the call fails with EPIPE and only that connection ends.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, nullptr);
}

HttpServer::~HttpServer() = default;

Result<std::uint16_t> HttpServer::listen()
{
    auto &impl = *m_impl;
    beast::error_code ec;
    const auto address = asio::ip::make_address(impl.options.address, ec);
    if (ec) {
        return fail(ErrorCode::InvalidArgument,
                    "listen_address: not an IP address: " + impl.options.address);
    }
    const tcp::endpoint endpoint{address, impl.options.port};
    const auto where = impl.options.address + ":" + std::to_string(impl.options.port);
    impl.acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        impl.acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return fail(ErrorCode::Unavailable, "cannot listen on " + where + ": " + ec.message());
    }
    return impl.acceptor.local_endpoint().port();
}

bool HttpServer::run()
{
    auto &impl = *m_impl;
    impl.signals.async_wait([&impl](beast::error_code ec, int signal) {
        if (ec) {
            return;
        }
        impl.logger.info("shutting down",
                         {{"event.reason", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
        impl.beginShutdown();
    });
    impl.accept();

    std::vector<std::thread> threads;
    threads.reserve(impl.options.threads);
    for (unsigned i = 0; i < impl.options.threads; ++i) {
        threads.emplace_back([&impl] {
            // A handler that throws must not end the process: log it and keep serving.
            for (;;) {
                try {
                    impl.ioc.run();
                    return;
                } catch (const std::exception &e) {
                    impl.logger.error("uncaught exception in a connection",
                                      {{"error.message", e.what()}});
                } catch (...) {
                    impl.logger.error("uncaught exception in a connection");
                }
            }
        });
    }

    bool drained = true;
    {
        std::unique_lock lock(impl.mutex);
        impl.changed.wait(lock, [&impl] { return impl.isStopping.load(); });
        const auto deadline = std::chrono::steady_clock::now() + impl.options.shutdownGrace;
        drained =
            impl.changed.wait_until(lock, deadline, [&impl] { return impl.sessions.empty(); });
    }
    if (!drained) {
        std::vector<std::shared_ptr<Session>> live;
        {
            const std::scoped_lock lock(impl.mutex);
            for (auto &[raw, weak] : impl.sessions) {
                if (auto session = weak.lock()) {
                    live.push_back(std::move(session));
                }
            }
        }
        impl.logger.warn("shutdown grace expired; closing connections",
                         {{"connections", live.size()}});
        for (auto &session : live) {
            session->forceClose();
        }
        live.clear();
        std::unique_lock lock(impl.mutex);
        impl.changed.wait_for(lock, std::chrono::seconds{2},
                              [&impl] { return impl.sessions.empty(); });
    }
    impl.ioc.stop();
    for (auto &thread : threads) {
        thread.join();
    }
    return drained;
}

void HttpServer::stop()
{
    m_impl->beginShutdown();
}

bool HttpServer::stopping() const noexcept
{
    return m_impl->isStopping.load();
}

} // namespace toolhub::server::http
