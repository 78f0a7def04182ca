#include "http/representation.h"

#include "toolhub/sha256.h"

namespace toolhub::server::http {

namespace {

// Does an If-None-Match value match `etag`? Weak comparison, as RFC 9110 13.1.2 asks.
bool noneMatchMatches(std::string_view header, std::string_view etag)
{
    const auto opaque = [](std::string_view tag) {
        return tag.starts_with("W/") ? tag.substr(2) : tag;
    };
    while (!header.empty()) {
        const auto comma = header.find(',');
        auto item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
            item.remove_prefix(1);
        }
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
            item.remove_suffix(1);
        }
        if (item == "*" || opaque(item) == opaque(etag)) {
            return true;
        }
    }
    return false;
}

} // namespace

Representation represent(const nlohmann::json &body)
{
    Representation representation;
    representation.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    representation.etag = "\"" + sha256Hex(representation.body).substr(0, 32) + "\"";
    return representation;
}

Response respond(const Request &request, const Representation &representation)
{
    Response response;
    response.headers.set("Content-Type", "application/json");
    response.headers.set("ETag", representation.etag);
    response.headers.set("Cache-Control", "private, no-cache");
    if (const auto ifNoneMatch = request.headers.get("If-None-Match");
        ifNoneMatch && noneMatchMatches(*ifNoneMatch, representation.etag)) {
        response.status = 304;
        return response;
    }
    response.status = 200;
    response.body = representation.body;
    return response;
}

std::shared_ptr<const RepresentationCache::Entry>
RepresentationCache::find(const std::string &key, std::int64_t revision, std::int64_t now) const
{
    std::shared_ptr<const Entry> entry;
    {
        const std::lock_guard lock(m_mutex);
        const auto it = m_entries.find(key);
        if (it == m_entries.end()) {
            return nullptr;
        }
        entry = it->second;
    }
    if (entry->revision != revision || (entry->validUntil && now >= *entry->validUntil)) {
        return nullptr;
    }
    return entry;
}

void RepresentationCache::store(const std::string &key, Entry entry)
{
    auto stored = std::make_shared<const Entry>(std::move(entry));
    const std::lock_guard lock(m_mutex);
    if (const auto it = m_entries.find(key); it != m_entries.end()) {
        it->second = std::move(stored);
        return;
    }
    while (!m_order.empty() && m_entries.size() >= m_capacity) {
        m_entries.erase(m_order.front());
        m_order.pop_front();
    }
    if (m_capacity == 0) {
        return;
    }
    m_entries.emplace(key, std::move(stored));
    m_order.push_back(key);
}

std::size_t RepresentationCache::size() const
{
    const std::lock_guard lock(m_mutex);
    return m_entries.size();
}

} // namespace toolhub::server::http
