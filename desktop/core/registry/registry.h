#pragma once

#include "toolhub/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

// A file an installation put on disk, relative to the installation's folder.
struct InstalledFile {
    QString path; // '/'-separated, no "..", never absolute
    qint64 size = 0;
    QByteArray sha256Hex;

    friend bool operator==(const InstalledFile &, const InstalledFile &) = default;
};

// One installed tool: which release, where, and exactly which files.
struct Installation {
    QString product;
    QString tool;
    QString version;
    QString folder; // absolute
    QDateTime installedAt;
    std::vector<InstalledFile> files; // by path
};

// A catalog answer as last seen, for offline use and If-None-Match.
struct CachedResponse {
    QByteArray etag;
    QByteArray body;
    QDateTime fetchedAt;
};

// The app's local database (SQLite through Qt SQL): what is installed, file by file; the highest
// manifest version accepted per release (rollback protection); the server key pinned at the
// first sign-in; the catalog as last seen. Every change is one transaction, so a crash leaves
// the previous state. Use it from the thread that opened it.
class Registry {
public:
    // Opens (creating it if needed) the database file and brings its schema up to date.
    // Unavailable when the file cannot be opened or is not a database this app can use.
    [[nodiscard]] static toolhub::Result<std::unique_ptr<Registry>> open(const QString &file);
    ~Registry();
    Registry(const Registry &) = delete;
    Registry &operator=(const Registry &) = delete;

    // The installation of product/tool; nullopt when it is not installed.
    [[nodiscard]] toolhub::Result<std::optional<Installation>> installation(const QString &product,
                                                                            const QString &tool);
    // All installations, by product then tool.
    [[nodiscard]] toolhub::Result<std::vector<Installation>> installations();
    // Records `installation` as the one installation of its product/tool, replacing any other.
    [[nodiscard]] toolhub::Result<void> recordInstallation(const Installation &installation);
    // Forgets the installation of product/tool (NotFound when there is none).
    [[nodiscard]] toolhub::Result<void> forgetInstallation(const QString &product,
                                                           const QString &tool);

    // The highest manifest version accepted for this release of this server (0: none yet).
    [[nodiscard]] toolhub::Result<std::uint64_t> highestManifestVersion(const QString &server,
                                                                        const QString &product,
                                                                        const QString &tool,
                                                                        const QString &version);
    // Remembers `manifestVersion` unless a higher one is remembered already.
    [[nodiscard]] toolhub::Result<void>
    acceptManifestVersion(const QString &server, const QString &product, const QString &tool,
                          const QString &version, std::uint64_t manifestVersion);

    // The server's Ed25519 public key pinned at the first sign-in; nullopt before.
    [[nodiscard]] toolhub::Result<std::optional<QByteArray>> pinnedKey(const QString &server);
    // Pins `key` for `server`; Conflict when a different key is pinned already (the server's
    // key changed: an administrator must confirm, the app never replaces a pin by itself).
    [[nodiscard]] toolhub::Result<void> pinKey(const QString &server, const QByteArray &key);

    [[nodiscard]] toolhub::Result<std::optional<CachedResponse>>
    cachedResponse(const QString &server, const QString &path);
    [[nodiscard]] toolhub::Result<void> storeResponse(const QString &server, const QString &path,
                                                      const CachedResponse &response);
    // Forgets the cached catalog of `server` (sign-out: another user may sign in next).
    [[nodiscard]] toolhub::Result<void> forgetResponses(const QString &server);

private:
    explicit Registry(QString connectionName);
    [[nodiscard]] QSqlDatabase db() const;

    QString m_connectionName;
};
