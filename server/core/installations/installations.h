#pragma once

#include "core/storage/database.h"
#include "toolhub/api_types.h"
#include "toolhub/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// What the desktop app did with a tool on a machine.
enum class InstallAction { Install, Update, Rollback, Repair, Remove };

// Wire names ("install", "update", "rollback", "repair", "remove") and their inverse
// (InvalidArgument for an unknown name).
[[nodiscard]] std::string_view toString(InstallAction value) noexcept;
[[nodiscard]] Result<InstallAction> parseInstallAction(std::string_view text);

// A machine's id as the desktop app makes it: 8 to 64 ASCII letters, digits and '-'.
[[nodiscard]] bool isValidMachineId(std::string_view text) noexcept;
// A machine's name: 1 to kMaxNameLength (200) bytes of well-formed UTF-8 without control
// characters (C0, DEL, C1).
[[nodiscard]] bool isValidMachineName(std::string_view text) noexcept;

// One report of the desktop app. Times are Unix seconds (UTC).
struct InstallationEvent {
    std::string userId;
    std::string organizationId;
    std::string machineId;
    std::optional<std::string> machineName;
    std::string product; // product slug
    std::string tool;    // tool slug
    std::string version; // SemVer text
    Platform platform = Platform::Linux;
    Arch arch = Arch::X86_64;
    InstallAction action = InstallAction::Install;
    std::string clientIp;
    std::int64_t at = 0;
};

struct InstallationEventRecord {
    std::string id;
    InstallationEvent event;
};

// What one user has installed on one machine now.
struct Installation {
    std::string machineId;
    std::optional<std::string> machineName;
    std::string product; // product slug
    std::string tool;    // tool slug
    std::string version; // SemVer text
    Platform platform = Platform::Linux;
    Arch arch = Arch::X86_64;
    std::int64_t updatedAt = 0; // Unix seconds (UTC)

    friend bool operator==(const Installation &, const Installation &) = default;
};

// The installations module: owns installation_events, the append-only history of what the
// desktop app reported, and installations, the current state per user, machine and tool.
// Callers validate reports at the edge (and check the release against the catalog); this
// module stores them.
class Installations {
public:
    explicit Installations(Database &db);

    // Stores the event and applies it to the current state, in one transaction: install,
    // update, rollback and repair store the row for (user, machine, product, tool), remove
    // deletes it. Returns the row as stored, none after a remove. InvalidArgument when a
    // required member is empty; an over-long client address is cut to its column (64 bytes).
    [[nodiscard]] Result<std::optional<Installation>>
    recordInstallationEvent(const InstallationEvent &event);

    // The user's current installations, by machine id, then product, then tool.
    [[nodiscard]] Result<std::vector<Installation>> installationsOf(const std::string &userId);

    // The organization's most recent reports, newest first, at most `limit`.
    [[nodiscard]] Result<std::vector<InstallationEventRecord>>
    recentEvents(const std::string &organizationId, std::size_t limit);

private:
    Database &m_db;
};

} // namespace toolhub::server
