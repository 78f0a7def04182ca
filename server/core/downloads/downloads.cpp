#include "core/downloads/downloads.h"

#include "core/storage/ids.h"

#include <algorithm>
#include <limits>

namespace toolhub::server {

namespace {

constexpr std::size_t kMaxRangeLength = 256;
constexpr std::size_t kMaxClientIpLength = 64;

long long toBigint(std::uint64_t value)
{
    return static_cast<long long>(
        std::min<std::uint64_t>(value, std::numeric_limits<long long>::max()));
}

} // namespace

Downloads::Downloads(Database &db) : m_db(db)
{}

Result<std::string> Downloads::recordDownload(const DownloadEvent &event)
{
    if (event.artifactId.empty() || event.organizationId.empty()) {
        return fail(ErrorCode::InvalidArgument, "download: artifact and organization are required");
    }
    const std::string id = newId();
    const std::string empty;
    soci::indicator userIndicator = event.userId ? soci::i_ok : soci::i_null;
    const long long requested = toBigint(event.bytesRequested);
    const long long served = toBigint(event.bytesServed);
    const std::string range = event.range.substr(0, kMaxRangeLength);
    const std::string clientIp = event.clientIp.substr(0, kMaxClientIpLength);
    const long long at = event.at;
    return m_db.withSession([&](soci::session &session) -> Result<std::string> {
        session << "INSERT INTO download_events (id, artifact_id, user_id, organization_id, "
                   "bytes_requested, bytes_served, range_spec, client_ip, occurred_at) VALUES "
                   "(:id, :artifact_id, :user_id, :organization_id, :bytes_requested, "
                   ":bytes_served, :range_spec, :client_ip, :occurred_at)",
            soci::use(id, "id"), soci::use(event.artifactId, "artifact_id"),
            soci::use(event.userId ? *event.userId : empty, userIndicator, "user_id"),
            soci::use(event.organizationId, "organization_id"),
            soci::use(requested, "bytes_requested"), soci::use(served, "bytes_served"),
            soci::use(range, "range_spec"), soci::use(clientIp, "client_ip"),
            soci::use(at, "occurred_at");
        return id;
    });
}

Result<std::vector<DownloadRecord>> Downloads::recentDownloads(const std::string &organizationId,
                                                               std::size_t limit)
{
    const long long rowLimit = static_cast<long long>(
        std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<int>::max())));
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<DownloadRecord>> {
        DownloadRecord row;
        std::string userId;
        soci::indicator userIndicator = soci::i_null;
        long long requested = 0;
        long long served = 0;
        long long at = 0;
        soci::statement statement =
            (session.prepare << "SELECT id, artifact_id, user_id, organization_id, "
                                "bytes_requested, bytes_served, range_spec, client_ip, "
                                "occurred_at FROM download_events "
                                "WHERE organization_id = :organization_id "
                                "ORDER BY occurred_at DESC, id LIMIT :row_limit",
             soci::use(organizationId, "organization_id"), soci::use(rowLimit, "row_limit"),
             soci::into(row.id), soci::into(row.event.artifactId),
             soci::into(userId, userIndicator), soci::into(row.event.organizationId),
             soci::into(requested), soci::into(served), soci::into(row.event.range),
             soci::into(row.event.clientIp), soci::into(at));
        statement.execute(false);
        std::vector<DownloadRecord> out;
        while (statement.fetch()) {
            DownloadRecord record = row;
            record.event.userId =
                userIndicator == soci::i_ok ? std::optional<std::string>(userId) : std::nullopt;
            record.event.bytesRequested = static_cast<std::uint64_t>(requested);
            record.event.bytesServed = static_cast<std::uint64_t>(served);
            record.event.at = at;
            out.push_back(std::move(record));
        }
        return out;
    });
}

} // namespace toolhub::server
