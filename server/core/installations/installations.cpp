#include "core/installations/installations.h"

#include "core/storage/ids.h"
#include "core/storage/query.h"
#include "toolhub/ascii.h"
#include "toolhub/utf8.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace toolhub::server {

namespace {

constexpr std::size_t kMinMachineIdLength = 8;
constexpr std::size_t kMaxMachineIdLength = 64;
constexpr std::size_t kMaxClientIpLength = 64;

constexpr std::array<std::pair<InstallAction, std::string_view>, 5> kActions{{
    {InstallAction::Install, "install"},
    {InstallAction::Update, "update"},
    {InstallAction::Rollback, "rollback"},
    {InstallAction::Repair, "repair"},
    {InstallAction::Remove, "remove"},
}};

// One row of the installations table, in the column order of kInstallationColumns.
constexpr std::string_view kInstallationColumns =
    "machine_id, machine_name, product, tool, version, platform, arch, updated_at";

struct InstallationRow {
    std::string machineId;
    std::string machineName;
    soci::indicator machineNameIndicator = soci::i_null;
    std::string product;
    std::string tool;
    std::string version;
    std::string platform;
    std::string arch;
    long long updatedAt = 0;

    void bind(soci::statement &statement)
    {
        statement.exchange(soci::into(machineId));
        statement.exchange(soci::into(machineName, machineNameIndicator));
        statement.exchange(soci::into(product));
        statement.exchange(soci::into(tool));
        statement.exchange(soci::into(version));
        statement.exchange(soci::into(platform));
        statement.exchange(soci::into(arch));
        statement.exchange(soci::into(updatedAt));
    }
};

Result<Installation> toInstallation(const InstallationRow &row)
{
    auto platform = parsePlatform(row.platform);
    auto arch = parseArch(row.arch);
    if (!platform || !arch) {
        return fail(ErrorCode::Internal, "installations: unknown platform '" + row.platform +
                                             "' or arch '" + row.arch + "' stored");
    }
    Installation out;
    out.machineId = row.machineId;
    if (row.machineNameIndicator == soci::i_ok) {
        out.machineName = row.machineName;
    }
    out.product = row.product;
    out.tool = row.tool;
    out.version = row.version;
    out.platform = *platform;
    out.arch = *arch;
    out.updatedAt = row.updatedAt;
    return out;
}

} // namespace

std::string_view toString(InstallAction value) noexcept
{
    const auto it = std::find_if(kActions.begin(), kActions.end(),
                                 [value](const auto &entry) { return entry.first == value; });
    return it != kActions.end() ? it->second : std::string_view{};
}

Result<InstallAction> parseInstallAction(std::string_view text)
{
    for (const auto &[action, name] : kActions) {
        if (name == text) {
            return action;
        }
    }
    return fail(ErrorCode::InvalidArgument,
                R"(expected "install", "update", "rollback", "repair" or "remove")");
}

bool isValidMachineId(std::string_view text) noexcept
{
    return text.size() >= kMinMachineIdLength && text.size() <= kMaxMachineIdLength &&
           std::all_of(text.begin(), text.end(),
                       [](char c) { return ascii::isAlnum(c) || c == '-'; });
}

bool isValidMachineName(std::string_view text) noexcept
{
    return isPrintableUtf8(text, kMaxNameLength);
}

Installations::Installations(Database &db) : m_db(db)
{}

Result<std::optional<Installation>>
Installations::recordInstallationEvent(const InstallationEvent &event)
{
    if (event.userId.empty() || event.organizationId.empty() || event.machineId.empty() ||
        event.product.empty() || event.tool.empty() || event.version.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "installation: user, organization, machine, product, tool and version are "
                    "required");
    }
    const std::string id = newId();
    const std::string empty;
    soci::indicator nameIndicator = event.machineName ? soci::i_ok : soci::i_null;
    const std::string &machineName = event.machineName ? *event.machineName : empty;
    const std::string platform{toString(event.platform)};
    const std::string arch{toString(event.arch)};
    const std::string action{toString(event.action)};
    const std::string clientIp = event.clientIp.substr(0, kMaxClientIpLength);
    const long long at = event.at;
    return m_db.withSession([&](soci::session &session) -> Result<std::optional<Installation>> {
        soci::transaction transaction(session);
        session << "INSERT INTO installation_events (id, user_id, organization_id, "
                   "machine_id, machine_name, product, tool, version, platform, arch, action, "
                   "client_ip, occurred_at) VALUES (:id, :user_id, :organization_id, "
                   ":machine_id, :machine_name, :product, :tool, :version, :platform, :arch, "
                   ":action, :client_ip, :occurred_at)",
            soci::use(id, "id"), soci::use(event.userId, "user_id"),
            soci::use(event.organizationId, "organization_id"),
            soci::use(event.machineId, "machine_id"),
            soci::use(machineName, nameIndicator, "machine_name"),
            soci::use(event.product, "product"), soci::use(event.tool, "tool"),
            soci::use(event.version, "version"), soci::use(platform, "platform"),
            soci::use(arch, "arch"), soci::use(action, "action"), soci::use(clientIp, "client_ip"),
            soci::use(at, "occurred_at");
        if (event.action == InstallAction::Remove) {
            session << "DELETE FROM installations WHERE user_id = :user_id AND "
                       "machine_id = :machine_id AND product = :product AND tool = :tool",
                soci::use(event.userId, "user_id"), soci::use(event.machineId, "machine_id"),
                soci::use(event.product, "product"), soci::use(event.tool, "tool");
            transaction.commit();
            return std::optional<Installation>{};
        }
        // One statement, so that concurrent reports for the same key cannot both insert.
        // A report without a machine name keeps the name stored before.
        session << "INSERT INTO installations (user_id, machine_id, product, tool, version, "
                   "platform, arch, machine_name, updated_at) VALUES (:user_id, :machine_id, "
                   ":product, :tool, :version, :platform, :arch, :machine_name, :updated_at) "
                   "ON CONFLICT (user_id, machine_id, product, tool) DO UPDATE SET "
                   "version = excluded.version, platform = excluded.platform, "
                   "arch = excluded.arch, "
                   "machine_name = COALESCE(excluded.machine_name, installations.machine_name), "
                   "updated_at = excluded.updated_at",
            soci::use(event.userId, "user_id"), soci::use(event.machineId, "machine_id"),
            soci::use(event.product, "product"), soci::use(event.tool, "tool"),
            soci::use(event.version, "version"), soci::use(platform, "platform"),
            soci::use(arch, "arch"), soci::use(machineName, nameIndicator, "machine_name"),
            soci::use(at, "updated_at");
        InstallationRow row;
        const auto stored = fetchRows(
            session,
            "SELECT " + std::string(kInstallationColumns) +
                " FROM installations WHERE user_id = :user_id AND machine_id = :machine_id "
                "AND product = :product AND tool = :tool",
            {{"user_id", event.userId},
             {"machine_id", event.machineId},
             {"product", event.product},
             {"tool", event.tool}},
            row, [](InstallationRow &r) { return toInstallation(r); });
        if (stored.size() != 1) {
            return fail(ErrorCode::Internal, "installations: the stored row is missing");
        }
        if (!stored.front()) {
            return fail(stored.front().error());
        }
        transaction.commit();
        return std::optional<Installation>{*stored.front()};
    });
}

Result<std::vector<Installation>> Installations::installationsOf(const std::string &userId)
{
    return m_db.withSession([&](soci::session &session) -> Result<std::vector<Installation>> {
        InstallationRow row;
        const auto rows = fetchRows(session,
                                    "SELECT " + std::string(kInstallationColumns) +
                                        " FROM installations WHERE user_id = :user_id "
                                        "ORDER BY machine_id, product, tool",
                                    {{"user_id", userId}}, row,
                                    [](InstallationRow &r) { return toInstallation(r); });
        std::vector<Installation> out;
        out.reserve(rows.size());
        for (const auto &installation : rows) {
            if (!installation) {
                return fail(installation.error());
            }
            out.push_back(*installation);
        }
        return out;
    });
}

Result<std::vector<InstallationEventRecord>>
Installations::recentEvents(const std::string &organizationId, std::size_t limit)
{
    const long long rowLimit = static_cast<long long>(
        std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<int>::max())));
    return m_db.withSession(
        [&](soci::session &session) -> Result<std::vector<InstallationEventRecord>> {
            InstallationEventRecord record;
            InstallationEvent &event = record.event;
            std::string machineName;
            soci::indicator nameIndicator = soci::i_null;
            std::string platform;
            std::string arch;
            std::string action;
            long long at = 0;
            soci::statement statement =
                (session.prepare << "SELECT id, user_id, organization_id, machine_id, "
                                    "machine_name, product, tool, version, platform, arch, "
                                    "action, client_ip, occurred_at FROM installation_events "
                                    "WHERE organization_id = :organization_id "
                                    "ORDER BY occurred_at DESC, id LIMIT :row_limit",
                 soci::use(organizationId, "organization_id"), soci::use(rowLimit, "row_limit"),
                 soci::into(record.id), soci::into(event.userId), soci::into(event.organizationId),
                 soci::into(event.machineId), soci::into(machineName, nameIndicator),
                 soci::into(event.product), soci::into(event.tool), soci::into(event.version),
                 soci::into(platform), soci::into(arch), soci::into(action),
                 soci::into(event.clientIp), soci::into(at));
            statement.execute(false);
            std::vector<InstallationEventRecord> out;
            while (statement.fetch()) {
                auto parsedPlatform = parsePlatform(platform);
                auto parsedArch = parseArch(arch);
                auto parsedAction = parseInstallAction(action);
                if (!parsedPlatform || !parsedArch || !parsedAction) {
                    return fail(ErrorCode::Internal,
                                "installation_events: unknown platform, arch or action stored");
                }
                InstallationEventRecord copy = record;
                copy.event.machineName = nameIndicator == soci::i_ok
                                             ? std::optional<std::string>(machineName)
                                             : std::nullopt;
                copy.event.platform = *parsedPlatform;
                copy.event.arch = *parsedArch;
                copy.event.action = *parsedAction;
                copy.event.at = at;
                out.push_back(std::move(copy));
            }
            return out;
        });
}

} // namespace toolhub::server
