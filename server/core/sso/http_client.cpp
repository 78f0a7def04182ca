#include "core/sso/http_client.h"

#include "toolhub/utf8.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace toolhub::server::sso {

namespace {

constexpr std::size_t maxReplySize = 1024 * 1024;

struct Sink {
    std::string body;
    bool overflow = false;
};

std::size_t collect(char *data, std::size_t size, std::size_t count, void *user)
{
    auto *sink = static_cast<Sink *>(user);
    const std::size_t bytes = size * count;
    if (sink->body.size() + bytes > maxReplySize) {
        sink->overflow = true;
        return 0;
    }
    sink->body.append(data, bytes);
    return bytes;
}

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

CurlHttpClient::CurlHttpClient(std::chrono::seconds timeout) : m_timeout(timeout)
{
    initCurlOnce();
}

Result<HttpReply> CurlHttpClient::get(const std::string &url)
{
    return perform(url, nullptr, {});
}

Result<HttpReply> CurlHttpClient::postForm(const std::string &url, const std::string &body,
                                           const HttpHeaders &headers)
{
    HttpHeaders all = headers;
    all.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return perform(url, &body, all);
}

Result<HttpReply> CurlHttpClient::perform(const std::string &url, const std::string *body,
                                          const HttpHeaders &headers)
{
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl{curl_easy_init(), &curl_easy_cleanup};
    if (!curl) {
        return fail(ErrorCode::Internal, "cannot create an HTTP client");
    }
    curl_slist *list = nullptr;
    list = curl_slist_append(list, "Accept: application/json");
    for (const auto &[name, value] : headers) {
        list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList{list,
                                                                           &curl_slist_free_all};
    Sink sink;
    CURL *h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(m_timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(m_timeout.count()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headerList.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "toolhub-server");
    if (body != nullptr) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    }
    const CURLcode code = curl_easy_perform(h);
    if (sink.overflow) {
        return fail(ErrorCode::Unavailable,
                    "the identity provider's reply from " + url + " is larger than 1 MiB");
    }
    if (code != CURLE_OK) {
        return fail(ErrorCode::Unavailable, "cannot reach the identity provider at " + url + ": " +
                                                curl_easy_strerror(code));
    }
    HttpReply reply;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    const char *type = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
        reply.contentType = type;
    }
    reply.body = std::move(sink.body);
    return reply;
}

std::string formEncode(std::string_view value)
{
    return percentEncode(value);
}

} // namespace toolhub::server::sso
