#pragma once

#include "core/background_task.h"
#include "core/registry/registry.h"

#include <QString>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

// What an installation put on disk, and checking and removing exactly that. All of these block
// (they read or delete whole trees): run them in a BackgroundTask.

// What the registry keeps as a symbolic link's SHA-256: that of what the link says (its target
// text as stored in the file system), never of what it points to.
[[nodiscard]] QByteArray linkDigest(const QByteArray &target);

// Every regular file and symbolic link under `folder` ('/'-separated relative paths, sorted),
// with size and SHA-256 (of a link: of its target text). Fails on anything else (devices,
// fifos) and when `canceled` becomes true.
[[nodiscard]] std::optional<BackgroundTask::Failure>
takeInventory(const QString &folder, std::vector<InstalledFile> &files,
              BackgroundTask::Control &control);

// A recorded file that is not as it was installed.
struct DamagedFile {
    enum class Problem { Missing, Changed };
    QString path;
    Problem problem = Problem::Changed;
};

// Re-hashes every recorded file of `installation`; the damaged ones, by path.
[[nodiscard]] std::optional<BackgroundTask::Failure>
verifyInstallation(const Installation &installation, std::vector<DamagedFile> &damaged,
                   BackgroundTask::Control &control);

// Deletes exactly the recorded files of `installation`, then the folders that became empty,
// up to and including its folder; files the user added stay (and so do their folders). A
// recorded path that is absolute or has ".." is refused before anything is deleted.
[[nodiscard]] std::optional<BackgroundTask::Failure>
removeInstalledFiles(const Installation &installation, BackgroundTask::Control &control);
