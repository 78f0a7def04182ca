#pragma once

#include "http/message.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace toolhub::server::http {

// A JSON response body as sent, with its strong ETag (a digest of exactly these bytes).
struct Representation {
    std::string body;
    std::string etag;
};

[[nodiscard]] Representation represent(const nlohmann::json &body);

// 200 with the representation and `Cache-Control: private, no-cache`, or 304 without a body when
// the request's If-None-Match matches its ETag (weak comparison, RFC 9110 13.1.2).
[[nodiscard]] Response respond(const Request &request, const Representation &representation);

// Representations of reads that many callers repeat (an organization's product list), kept
// while what they were made from holds: an entry answers for one data revision
// (Database::dataRevision) and, when it has one, until a moment (Unix seconds, exclusive).
// Thread-safe. Holds at most `capacity` entries and drops the longest-held first.
class RepresentationCache {
public:
    struct Entry {
        Representation representation;
        std::int64_t revision = 0;
        std::optional<std::int64_t> validUntil;
    };

    explicit RepresentationCache(std::size_t capacity) : m_capacity(capacity) {}

    // The entry stored under `key` if it was made at `revision` and still holds at `now`.
    [[nodiscard]] std::shared_ptr<const Entry> find(const std::string &key, std::int64_t revision,
                                                    std::int64_t now) const;
    void store(const std::string &key, Entry entry);
    [[nodiscard]] std::size_t size() const;

private:
    mutable std::mutex m_mutex;
    std::size_t m_capacity;
    std::unordered_map<std::string, std::shared_ptr<const Entry>> m_entries;
    std::deque<std::string> m_order; // keys, longest-held first
};

} // namespace toolhub::server::http
