#pragma once

#include "core/storage/database.h"
#include "toolhub/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace toolhub::server {

// One artifact download as served. Times are Unix seconds (UTC).
struct DownloadEvent {
    std::string artifactId;
    std::optional<std::string> userId; // none for service accounts
    std::string organizationId;
    std::uint64_t bytesRequested = 0; // what the (range) request asked for
    std::uint64_t bytesServed = 0;    // what was actually sent
    std::string range;                // the Range header as received, "" for the whole file
    std::string clientIp;
    std::int64_t at = 0;
};

struct DownloadRecord {
    std::string id;
    DownloadEvent event;
};

// The downloads module: owns download_events, an append-only history of served artifacts.
class Downloads {
public:
    explicit Downloads(Database &db);

    // Stores the event and returns its id. Over-long range or client address text is cut to
    // the column sizes (256 and 64 bytes) rather than losing the event.
    [[nodiscard]] Result<std::string> recordDownload(const DownloadEvent &event);

    // The organization's most recent downloads, newest first, at most `limit`.
    [[nodiscard]] Result<std::vector<DownloadRecord>>
    recentDownloads(const std::string &organizationId, std::size_t limit);

private:
    Database &m_db;
};

} // namespace toolhub::server
