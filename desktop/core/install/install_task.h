#pragma once

#include "core/archive/extractor.h"
#include "core/registry/registry.h"
#include "core/task.h"
#include "toolhub/api_types.h"

#include <QByteArray>
#include <QPointer>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class ApiClient;
class DownloadByteSource;
class DownloadTask;
class ExtractTask;
class BackgroundTask;

// Which release to install: an exact version (resolving "latest" is the catalog's job).
struct InstallRequest {
    QString product;
    QString tool;
    QString version;
};

// What an install needs from the app.
struct InstallEnvironment {
    ApiClient *api = nullptr; // the server and the user's access token
    Registry *registry = nullptr;
    QByteArray serverKey; // Ed25519 public key: pinned at sign-in or preset by IT
    QString installRoot;  // tools go to <root>/<product>/<tool>/<version>
    QString cacheDir;     // downloads are kept here until installed
    std::function<QByteArray()> accessToken;
    toolhub::Platform platform = toolhub::Platform::Linux;
    toolhub::Arch arch = toolhub::Arch::X86_64;
    ExtractLimits limits;
};

// This machine's platform and architecture, as the catalog names them.
[[nodiscard]] toolhub::Platform currentPlatform();
[[nodiscard]] toolhub::Arch currentArch();

// Installs one release of a tool, start to end:
//
//   manifest: fetch, check (signature, release, expiry, rollback) -> pick this platform's artifact
//   -> download into the cache ----------------------------\   (tar: extraction reads the bytes
//   -> extract into a staging folder beside the target ----/    while they arrive; zip: after)
//   -> both succeeded (length and SHA-256 verified): inventory of the staging folder
//   -> rename into <root>/<product>/<tool>/<version> (a reinstall swaps the old folder away)
//   -> record in the registry -> delete the version it replaces
//
// Nothing is committed before the download's hash matched; any failure before the rename leaves
// the installed version, the registry and the install root as they were, and removes staging.
class InstallTask : public Task {
    Q_OBJECT

public:
    InstallTask(InstallRequest request, InstallEnvironment environment, QObject *parent = nullptr);
    ~InstallTask() override;

    [[nodiscard]] const InstallRequest &request() const { return m_request; }
    // After succeeded(): what was installed.
    [[nodiscard]] const Installation &installation() const { return m_installation; }

protected:
    void run() override;
    void abort() override;

private:
    void manifestArrived(const QByteArray &body);
    void startExtraction();
    void partDone();
    void commit();
    void failWith(TaskError error, const QString &message);
    void cleanUp();

    InstallRequest m_request;
    InstallEnvironment m_env;
    toolhub::Artifact m_artifact;
    QString m_archive; // the downloaded file in the cache
    QString m_staging; // the extraction's folder, a hidden sibling of m_target
    QString m_target;  // <root>/<product>/<tool>/<version>
    Installation m_installation;
    QPointer<DownloadTask> m_download;
    QPointer<ExtractTask> m_extract;
    QPointer<BackgroundTask> m_finish;
    std::shared_ptr<DownloadByteSource> m_stream; // extraction reading the download as it comes
    bool m_downloaded = false;
    bool m_extracted = false;
    const std::atomic<bool> m_neverCanceled{false}; // for work run here, in this thread
};
