#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

// The app's settings: what the user chose, under what IT manages. A value IT sets wins and is
// locked (the settings dialog shows it read-only, setters refuse it). Where the values live:
//
//                 user (QSettings, user scope)         managed (read only)
//   Linux         ~/.config/Toolhub/toolhub.conf       /etc/xdg/Toolhub/toolhub.conf
//   Windows       HKCU\Software\Toolhub\toolhub        HKLM\Software\Policies\Toolhub\toolhub
//   macOS         ~/Library/Preferences/com.toolhub... /Library/Managed
//   Preferences/com.toolhub.toolhub.plist
//
// Keys (the same in both): server/url, server/public_key (base64 Ed25519, IT's preset pin),
// downloads/parallel (1-8, default 3), install/root, links/trusted_portal (true: links from the
// portal install without asking).
class Settings {
public:
    enum class Key { ServerUrl, ServerPublicKey, ParallelDownloads, InstallRoot, TrustedPortal };

    // Reads and writes `user`; reads `managed` (may be null: nothing managed).
    Settings(std::unique_ptr<QSettings> user, std::unique_ptr<QSettings> managed);
    ~Settings();
    Settings(const Settings &) = delete;
    Settings &operator=(const Settings &) = delete;

    // This machine's settings, in the places above.
    [[nodiscard]] static std::unique_ptr<Settings> forThisMachine();

    [[nodiscard]] bool isLocked(Key key) const;

    // Empty when none is set. Only https, or http to a loopback address, is ever returned.
    [[nodiscard]] QUrl serverUrl() const;
    // The Ed25519 public key IT preset for the server (32 bytes), or nullopt.
    [[nodiscard]] std::optional<QByteArray> presetServerKey() const;
    [[nodiscard]] int parallelDownloads() const;
    // Default: <AppLocalDataLocation>/tools.
    [[nodiscard]] QString installRoot() const;
    [[nodiscard]] bool trustsPortal() const;
    // A random id for this app on this computer (created at first use, kept in the user's
    // settings): how installations are told apart in what the app reports to the server. It
    // says nothing about the computer or the user.
    [[nodiscard]] QString clientId();

    // Each returns an empty string on success, else why not (locked, or not a valid value).
    [[nodiscard]] QString setServerUrl(const QUrl &url);
    [[nodiscard]] QString setParallelDownloads(int count);
    [[nodiscard]] QString setInstallRoot(const QString &folder);

    // Whether `url` may be a server address: https with a host and no credentials, query or
    // fragment; or http to localhost / 127.0.0.1 / [::1]. Empty when fine, else why not.
    [[nodiscard]] static QString checkServerUrl(const QUrl &url);

    static constexpr int defaultParallelDownloads = 3;
    static constexpr int maxParallelDownloads = 8;

private:
    [[nodiscard]] QVariant value(Key key) const;
    [[nodiscard]] QString refuseLocked(Key key) const;

    std::unique_ptr<QSettings> m_user;
    std::unique_ptr<QSettings> m_managed;
};
