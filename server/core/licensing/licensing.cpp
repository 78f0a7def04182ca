#include "core/licensing/licensing.h"

#include "core/storage/ids.h"
#include "core/storage/query.h"

#include <array>
#include <chrono>
#include <ctime>
#include <limits>
#include <utility>

namespace toolhub::server {

namespace {

// The data_revisions counter every licensing write bumps (Database::dataRevision).
constexpr std::string_view kRevisionCounter = "licensing";

// Unix seconds -> "2026-03-01T12:00:00Z", or "2026-03-01" with dateOnly.
std::string formatUtc(std::int64_t unixSeconds, bool dateOnly)
{
    const auto time = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&time, &tm);
    std::array<char, 40> text{};
    const std::size_t size =
        dateOnly ? std::strftime(text.data(), text.size(), "%Y-%m-%d", &tm)
                 : std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(text.data(), size);
}

bool isValidSerial(std::string_view serial)
{
    if (serial.empty() || serial.size() > kMaxReferenceLength) {
        return false;
    }
    for (const char c : serial) {
        if (c <= ' ' || c > '~') {
            return false;
        }
    }
    return true;
}

std::optional<std::int64_t> optionalValue(long long value, soci::indicator indicator)
{
    if (indicator != soci::i_ok) {
        return std::nullopt;
    }
    return std::int64_t{value};
}

using Violation = Database::Violation;

constexpr const char *kLicenseColumns =
    "id, serial, product_id, organization_id, seats, expires_at, maintenance_end, order_ref, "
    "created_at";

// Binds one row of kLicenseColumns.
struct LicenseRow {
    LicenseRecord record;
    long long seats = 0;
    long long expiresAt = 0;
    long long maintenanceEnd = 0;
    long long createdAt = 0;
    soci::indicator expiresIndicator = soci::i_null;
    soci::indicator maintenanceIndicator = soci::i_null;

    template <class Statement>
    void bind(Statement &statement)
    {
        statement.exchange(soci::into(record.id));
        statement.exchange(soci::into(record.serial));
        statement.exchange(soci::into(record.productId));
        statement.exchange(soci::into(record.organizationId));
        statement.exchange(soci::into(seats));
        statement.exchange(soci::into(expiresAt, expiresIndicator));
        statement.exchange(soci::into(maintenanceEnd, maintenanceIndicator));
        statement.exchange(soci::into(record.orderRef));
        statement.exchange(soci::into(createdAt));
    }

    [[nodiscard]] LicenseRecord take() const
    {
        LicenseRecord out = record;
        out.seats = static_cast<std::uint32_t>(seats);
        out.expiresAt = optionalValue(expiresAt, expiresIndicator);
        out.maintenanceEnd = optionalValue(maintenanceEnd, maintenanceIndicator);
        out.createdAt = createdAt;
        return out;
    }
};

// Runs `sql` (selecting kLicenseColumns) with the given string binds and collects the rows.
std::vector<LicenseRecord> queryLicenses(soci::session &session, const std::string &sql,
                                         const QueryBinds &binds)
{
    LicenseRow row;
    return fetchRows(session, sql, binds, row, [](const LicenseRow &r) { return r.take(); });
}

} // namespace

License LicenseRecord::toApi(std::string productSlug, std::string organizationSlug) const
{
    License out;
    out.serial = serial;
    out.product = std::move(productSlug);
    out.organization = std::move(organizationSlug);
    out.seats = seats;
    if (expiresAt) {
        out.expiresAt = formatUtc(*expiresAt, false);
    }
    if (maintenanceEnd) {
        out.maintenanceEnd = formatUtc(*maintenanceEnd - 1, true);
    }
    out.orderRef = orderRef;
    return out;
}

Result<std::int64_t> maintenanceEndFromDate(std::string_view date)
{
    if (!isValidDate(date)) {
        return fail(ErrorCode::InvalidArgument,
                    "maintenance end: expected a date like 2026-03-01, got '" + std::string(date) +
                        "'");
    }
    const auto number = [&](std::size_t at, std::size_t length) {
        int value = 0;
        for (std::size_t i = at; i < at + length; ++i) {
            value = value * 10 + (date[i] - '0');
        }
        return value;
    };
    const std::chrono::year_month_day day{std::chrono::year{number(0, 4)},
                                          std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                          std::chrono::day{static_cast<unsigned>(number(8, 2))}};
    const std::chrono::sys_days next = std::chrono::sys_days{day} + std::chrono::days{1};
    return std::int64_t{
        std::chrono::duration_cast<std::chrono::seconds>(next.time_since_epoch()).count()};
}

Licensing::Licensing(Database &db) : m_db(db)
{}

Result<LicenseRecord> Licensing::createLicense(const NewLicense &license, std::int64_t nowUnix)
{
    if (!isValidSerial(license.serial)) {
        return fail(ErrorCode::InvalidArgument,
                    "license.serial: expected 1-128 printable characters without spaces");
    }
    if (license.productId.empty() || license.organizationId.empty()) {
        return fail(ErrorCode::InvalidArgument, "license: product and organization are required");
    }
    if (license.seats < 1) {
        return fail(ErrorCode::InvalidArgument, "license.seats: expected at least 1");
    }
    if (license.orderRef.size() > kMaxReferenceLength) {
        return fail(ErrorCode::InvalidArgument, "license.order_ref: longer than 128 bytes");
    }
    if ((license.expiresAt && *license.expiresAt <= 0) ||
        (license.maintenanceEnd && *license.maintenanceEnd <= 0)) {
        return fail(ErrorCode::InvalidArgument,
                    "license: expiry and maintenance end must be after 1970-01-01");
    }
    LicenseRecord record;
    record.id = newId();
    record.serial = license.serial;
    record.productId = license.productId;
    record.organizationId = license.organizationId;
    record.seats = license.seats;
    record.expiresAt = license.expiresAt;
    record.maintenanceEnd = license.maintenanceEnd;
    record.orderRef = license.orderRef;
    record.createdAt = nowUnix;

    return m_db.withSession([&](soci::session &session) -> Result<LicenseRecord> {
        const long long seats = record.seats;
        const long long expiresAt = record.expiresAt.value_or(0);
        const long long maintenanceEnd = record.maintenanceEnd.value_or(0);
        const long long createdAt = record.createdAt;
        soci::indicator expiresIndicator = record.expiresAt ? soci::i_ok : soci::i_null;
        soci::indicator maintenanceIndicator = record.maintenanceEnd ? soci::i_ok : soci::i_null;
        soci::transaction transaction(session);
        try {
            session << "INSERT INTO licenses (id, serial, product_id, organization_id, seats, "
                       "expires_at, maintenance_end, order_ref, created_at) VALUES (:id, "
                       ":serial, :product_id, :organization_id, :seats, :expires_at, "
                       ":maintenance_end, :order_ref, :created_at)",
                soci::use(record.id, "id"), soci::use(record.serial, "serial"),
                soci::use(record.productId, "product_id"),
                soci::use(record.organizationId, "organization_id"), soci::use(seats, "seats"),
                soci::use(expiresAt, expiresIndicator, "expires_at"),
                soci::use(maintenanceEnd, maintenanceIndicator, "maintenance_end"),
                soci::use(record.orderRef, "order_ref"), soci::use(createdAt, "created_at");
        } catch (const soci::soci_error &e) {
            switch (m_db.constraintViolation(e)) {
            case Violation::Unique:
                return fail(ErrorCode::AlreadyExists,
                            "a license with serial '" + record.serial + "' exists already");
            case Violation::ForeignKey:
                return fail(ErrorCode::NotFound, "license: no such product or organization");
            case Violation::None:
                break;
            }
            throw;
        }
        m_db.bumpRevision(session, kRevisionCounter);
        transaction.commit();
        return record;
    });
}

Result<std::vector<LicenseRecord>> Licensing::licensesFor(const std::string &organizationId)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<LicenseRecord>> {
        return queryLicenses(session,
                             std::string("SELECT ") + kLicenseColumns +
                                 " FROM licenses WHERE organization_id = :organization_id "
                                 "ORDER BY serial",
                             {{"organization_id", organizationId}});
    });
}

Result<std::vector<Entitlement>> Licensing::entitlementsFor(const std::string &organizationId,
                                                            std::int64_t nowUnix)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<Entitlement>> {
        // Per product: any unlimited license in force makes the entitlement unlimited, else the
        // latest maintenance end. Both aggregates skip NULLs, so count them separately.
        const long long now = nowUnix;
        std::string productId;
        long long unlimited = 0;
        long long latest = 0;
        soci::indicator latestIndicator = soci::i_null;
        soci::statement statement =
            (session.prepare << "SELECT product_id, "
                                "SUM(CASE WHEN maintenance_end IS NULL THEN 1 ELSE 0 END), "
                                "MAX(maintenance_end) FROM licenses "
                                "WHERE organization_id = :organization_id "
                                "AND (expires_at IS NULL OR expires_at > :now) "
                                "GROUP BY product_id ORDER BY product_id",
             soci::use(organizationId, "organization_id"), soci::use(now, "now"),
             soci::into(productId), soci::into(unlimited), soci::into(latest, latestIndicator));
        statement.execute(false);
        std::vector<Entitlement> out;
        while (statement.fetch()) {
            Entitlement entitlement{productId, std::nullopt};
            if (unlimited == 0 && latestIndicator == soci::i_ok) {
                entitlement.maintenanceEnd = std::int64_t{latest};
            }
            out.push_back(std::move(entitlement));
        }
        return out;
    });
}

Result<std::optional<std::int64_t>> Licensing::nextExpiry(const std::string &organizationId,
                                                          std::int64_t nowUnix)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::optional<std::int64_t>> {
        const long long now = nowUnix;
        long long next = 0;
        soci::indicator indicator = soci::i_null;
        session << "SELECT MIN(expires_at) FROM licenses WHERE organization_id = :organization_id "
                   "AND expires_at > :now",
            soci::use(organizationId, "organization_id"), soci::use(now, "now"),
            soci::into(next, indicator);
        return optionalValue(next, indicator);
    });
}

Result<std::optional<Entitlement>> Licensing::entitlementFor(const std::string &organizationId,
                                                             const std::string &productId,
                                                             std::int64_t nowUnix)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::optional<Entitlement>> {
        const long long now = nowUnix;
        long long count = 0;
        long long unlimited = 0;
        long long latest = 0;
        soci::indicator unlimitedIndicator = soci::i_null;
        soci::indicator latestIndicator = soci::i_null;
        session << "SELECT COUNT(*), "
                   "SUM(CASE WHEN maintenance_end IS NULL THEN 1 ELSE 0 END), "
                   "MAX(maintenance_end) FROM licenses "
                   "WHERE organization_id = :organization_id AND product_id = :product_id "
                   "AND (expires_at IS NULL OR expires_at > :now)",
            soci::use(organizationId, "organization_id"), soci::use(productId, "product_id"),
            soci::use(now, "now"), soci::into(count), soci::into(unlimited, unlimitedIndicator),
            soci::into(latest, latestIndicator);
        if (count == 0) {
            return std::optional<Entitlement>{};
        }
        Entitlement entitlement{productId, std::nullopt};
        if ((unlimitedIndicator != soci::i_ok || unlimited == 0) && latestIndicator == soci::i_ok) {
            entitlement.maintenanceEnd = std::int64_t{latest};
        }
        return std::optional<Entitlement>{std::move(entitlement)};
    });
}

Result<SerialStatus> Licensing::checkSerial(const std::string &serial, std::int64_t nowUnix)
{
    if (!isValidSerial(serial)) {
        return fail(ErrorCode::NotFound, "no license with this serial");
    }
    auto found =
        m_db.withSession([&](soci::session &session) -> Result<std::vector<LicenseRecord>> {
            return queryLicenses(session,
                                 std::string("SELECT ") + kLicenseColumns +
                                     " FROM licenses WHERE serial = :serial",
                                 {{"serial", serial}});
        });
    if (!found) {
        return fail(std::move(found).error());
    }
    if (found->empty()) {
        return fail(ErrorCode::NotFound, "no license with this serial");
    }
    SerialStatus status;
    status.license = std::move(found->front());
    status.inForce = status.license.inForce(nowUnix);
    return status;
}

} // namespace toolhub::server
