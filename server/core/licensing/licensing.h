#pragma once

#include "core/storage/database.h"
#include "toolhub/api_types.h"
#include "toolhub/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// What an importer or admin gives to create a license. Times are Unix seconds (UTC).
struct NewLicense {
    std::string serial; // 1-128 printable ASCII characters, no spaces; unique
    std::string productId;
    std::string organizationId;
    std::uint32_t seats = 1;                    // at least 1
    std::optional<std::int64_t> expiresAt;      // in force while now < expiresAt; none = perpetual
    std::optional<std::int64_t> maintenanceEnd; // exclusive bound; none = all releases covered
    std::string orderRef;                       // ERP order reference, up to 128 bytes
};

// One stored license. Products and organizations are named by id: turning them into the API's
// slugs is for the modules that own them (see toApi()).
struct LicenseRecord {
    std::string id;
    std::string serial;
    std::string productId;
    std::string organizationId;
    std::uint32_t seats = 0;
    std::optional<std::int64_t> expiresAt;
    std::optional<std::int64_t> maintenanceEnd; // exclusive bound
    std::string orderRef;
    std::int64_t createdAt = 0;

    [[nodiscard]] bool inForce(std::int64_t nowUnix) const noexcept
    {
        return !expiresAt || nowUnix < *expiresAt;
    }
    // The API shape: expiresAt as an RFC 3339 timestamp, maintenanceEnd as the last covered day
    // (the day of maintenanceEnd - 1 s).
    [[nodiscard]] License toApi(std::string productSlug, std::string organizationSlug) const;
};

// An organization's right to one product at some moment: the releases published before
// maintenanceEnd (none: every release).
struct Entitlement {
    std::string productId;
    std::optional<std::int64_t> maintenanceEnd;

    [[nodiscard]] bool covers(std::int64_t publishedAt) const noexcept
    {
        return !maintenanceEnd || publishedAt < *maintenanceEnd;
    }
};

// The answer to "is this serial valid?" for internal applications.
struct SerialStatus {
    LicenseRecord license;
    bool inForce = false; // not expired at the time asked
};

// The exclusive maintenance bound for an RFC 3339 full-date whose whole day is covered:
// "2026-03-01" -> 2026-03-02T00:00:00Z. InvalidArgument for anything else.
[[nodiscard]] Result<std::int64_t> maintenanceEndFromDate(std::string_view date);

// The licensing module: owns the licenses table and answers which products an organization is
// entitled to at a given time. Knows products and organizations only by id.
class Licensing {
public:
    explicit Licensing(Database &db);

    // InvalidArgument for a malformed serial, seats, order reference or times; AlreadyExists
    // for a serial in use; NotFound when the product or organization does not exist.
    [[nodiscard]] Result<LicenseRecord> createLicense(const NewLicense &license,
                                                      std::int64_t nowUnix);

    // All licenses of the organization (expired ones too), ordered by serial.
    [[nodiscard]] Result<std::vector<LicenseRecord>> licensesFor(const std::string &organizationId);

    // One entry per product with at least one license in force at nowUnix; several licenses for
    // one product give the latest maintenance end (an unlimited one wins). Ordered by product id.
    [[nodiscard]] Result<std::vector<Entitlement>>
    entitlementsFor(const std::string &organizationId, std::int64_t nowUnix);

    // The first moment after nowUnix at which one of the organization's licenses expires, and
    // so its entitlements change without any write; nullopt when none will.
    [[nodiscard]] Result<std::optional<std::int64_t>> nextExpiry(const std::string &organizationId,
                                                                 std::int64_t nowUnix);

    // The organization's entitlement to one product, or nullopt when it has none in force.
    [[nodiscard]] Result<std::optional<Entitlement>>
    entitlementFor(const std::string &organizationId, const std::string &productId,
                   std::int64_t nowUnix);

    // Looks a serial up across organizations (for service accounts); NotFound when unknown.
    [[nodiscard]] Result<SerialStatus> checkSerial(const std::string &serial, std::int64_t nowUnix);

private:
    Database &m_db;
};

} // namespace toolhub::server
