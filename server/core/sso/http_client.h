#pragma once

#include "toolhub/result.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace toolhub::server::sso {

struct HttpReply {
    long status = 0;
    std::string contentType;
    std::string body;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The calls a relying party makes to its identity providers: discovery, keys, the token
// endpoint. Unavailable when the provider cannot be reached; any HTTP status is a reply.
class HttpClient {
public:
    virtual ~HttpClient() = default;
    [[nodiscard]] virtual Result<HttpReply> get(const std::string &url) = 0;
    // POSTs an application/x-www-form-urlencoded body.
    [[nodiscard]] virtual Result<HttpReply>
    postForm(const std::string &url, const std::string &body, const HttpHeaders &headers) = 0;
};

// HttpClient over libcurl: TLS verified against the system's trust store, no redirects
// followed, http and https only, replies limited to 1 MiB, each call limited to `timeout`.
class CurlHttpClient final : public HttpClient {
public:
    explicit CurlHttpClient(std::chrono::seconds timeout = std::chrono::seconds{10});
    [[nodiscard]] Result<HttpReply> get(const std::string &url) override;
    [[nodiscard]] Result<HttpReply> postForm(const std::string &url, const std::string &body,
                                             const HttpHeaders &headers) override;

private:
    [[nodiscard]] Result<HttpReply> perform(const std::string &url, const std::string *body,
                                            const HttpHeaders &headers);
    std::chrono::seconds m_timeout;
};

// application/x-www-form-urlencoded value encoding (RFC 6749 Appendix B).
[[nodiscard]] std::string formEncode(std::string_view value);

} // namespace toolhub::server::sso
