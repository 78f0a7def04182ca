#pragma once

#include "core/app/task_queue.h"
#include "core/auth/browser_sign_in.h"
#include "core/catalog/catalog_loader.h"
#include "core/install/install_task.h"
#include "core/registry/registry.h"
#include "core/settings/settings.h"
#include "toolhub/result.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class ApiClient;
class AuthSession;
class QLockFile;
class SecretStore;

// Everything the window and the command line share: the settings, the registry, the sign-in
// (session, keychain, the server's signing key), the catalog and the queue of work on tools.
// One per process, used from the main thread.
//
//   create() --restoreSignIn()--> signed in from the keychain, or not
//            --signIn(opener)---> BrowserSignIn; on success the session begins, the server's
//                                 signing key is pinned (unless IT preset one), the refresh
//                                 token goes to the keychain
//   loadCatalog() --> Catalog (from the server, or the copy kept for offline use)
//   install/update/rollBack/remove/verify --> a Task in the queue (one that fails at once when
//                                             the request cannot be done, with the reason)
//
// Every install, update, roll-back, repair and removal that succeeded is reported to the
// server (POST /api/v1/installations); a report that cannot be sent is logged and dropped.
// Work on tools holds a lock file in the data folder, so two toolhub processes take turns; at
// creation, when no other process holds it, what an interrupted install left in the install
// root is put back in order (recoverInstallRoot()).
class AppCore : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool signedIn READ isSignedIn NOTIFY signedInChanged)
    Q_PROPERTY(bool offline READ isOffline NOTIFY offlineChanged)

public:
    struct Options {
        QString dataDir;                    // the registry; default: AppLocalDataLocation
        QString cacheDir;                   // downloads; default: CacheLocation
        std::unique_ptr<Settings> settings; // default: Settings::forThisMachine()
        QString keychainService = QStringLiteral("Toolhub");
    };

    // Opens the registry and reads the settings; Unavailable when the registry cannot be used.
    [[nodiscard]] static toolhub::Result<std::unique_ptr<AppCore>> create(Options options);
    ~AppCore() override;

    [[nodiscard]] Settings &settings() { return *m_settings; }
    [[nodiscard]] Registry &registry() { return *m_registry; }
    [[nodiscard]] QNetworkAccessManager &network() { return m_network; }
    [[nodiscard]] TaskQueue &queue() { return m_queue; }
    // The server in the settings; empty while none is set.
    [[nodiscard]] QUrl serverUrl() const { return m_server; }
    // Null while no server is set.
    [[nodiscard]] ApiClient *api() { return m_api.get(); }
    // Takes a changed server address from the settings: signs out of the old one.
    void reloadSettings();

    // ---- sign-in ----
    [[nodiscard]] bool isSignedIn() const;
    // False once the keychain said it cannot keep the sign-in (no Secret Service, locked).
    [[nodiscard]] bool canRememberSignIn() const { return m_canRemember; }
    // Resumes the sign-in kept in the keychain; `done(true)` once signed in (also while the
    // server cannot be reached to renew it: it is renewed once it can), false when there is none
    // or the server refused it (then the user must sign in).
    void restoreSignIn(std::function<void(bool)> done);
    // A browser sign-in to start (null while no server is set). The task is this object's;
    // connect to it, then start() it; it is deleted after it ended.
    [[nodiscard]] BrowserSignIn *signIn(BrowserSignIn::UrlOpener openUrl);
    // Signs out: revokes on the server, deletes the keychain entry and the catalog copy; also a
    // sign-in kept in the keychain that this process never resumed.
    void signOut();

    // Calls `done` (from the event loop) once nothing the core started on its own is under way:
    // reports to the server, keychain writes, a revocation, a token refresh, the fetch of the
    // server's key. A process that exits before may lose them (and with a refreshed token not
    // kept, the sign-in: the server takes the old one's reuse for theft). Queued tasks are not
    // waited for: they are the caller's.
    void whenSettled(std::function<void()> done);
    [[nodiscard]] bool isSettled() const;

    // ---- catalog ----
    // Reads the catalog (from the server, or offline from the kept copy); on success catalog()
    // is it and catalogChanged() is emitted. `cachedOnly`: from the kept copy only, no network
    // (what the window shows at once when it opens).
    [[nodiscard]] CatalogLoader *loadCatalog(bool cachedOnly = false);
    [[nodiscard]] const Catalog &catalog() const { return m_catalog; }
    [[nodiscard]] bool isOffline() const;

    // ---- work on tools (each returns the queued task; the queue owns it) ----
    // `version` empty: the newest stable release (of the last loaded catalog).
    Task *install(const QString &product, const QString &tool, const QString &version = {});
    // To the newest release on the installed one's channel; fails when there is none newer.
    Task *update(const QString &product, const QString &tool);
    // Every installed tool with an update.
    QList<Task *> updateAll();
    // `version` empty: the newest offered release older than the installed one.
    Task *rollBack(const QString &product, const QString &tool, const QString &version = {});
    Task *remove(const QString &product, const QString &tool);
    // Checks the files; with `repair`, installs the same version again when some changed.
    Task *verify(const QString &product, const QString &tool, bool repair);

    // What an install needs; public for tests. Fails without a known server key.
    [[nodiscard]] toolhub::Result<InstallEnvironment> installEnvironment();

Q_SIGNALS:
    void signedInChanged(bool signedIn);
    // The keychain cannot keep the sign-in: it lasts only while the app runs. `why` for people.
    void signInNotRemembered(const QString &why);
    // The server refused the sign-in (ended, revoked): sign in again.
    void signInRequired();
    void offlineChanged(bool offline);
    void catalogChanged();
    // A problem the user should hear about that ends no task (the server's key changed).
    void warning(const QString &text);

private:
    explicit AppCore(Options options, std::unique_ptr<Registry> registry);
    void connectServer();
    void pinServerKey();
    void revokeSignIn();
    void beginWork();
    void endWork();
    void checkSettled();
    void keepRefreshToken(const QString &token);
    Task *enqueue(const QString &product, const QString &tool, const QString &kind, Task *task);
    Task *refused(const QString &product, const QString &tool, TaskError error,
                  const QString &message);
    Task *installVersion(const QString &product, const QString &tool, const QString &version,
                         const QString &action);
    void report(const QString &product, const QString &tool, const QString &version,
                const QString &action);

    std::unique_ptr<Settings> m_settings;
    std::unique_ptr<Registry> m_registry;
    // Held while this process works on tools: another toolhub (the window and the command line
    // at once) waits, and the start-up repair of interrupted installs runs only without it.
    std::unique_ptr<QLockFile> m_installLock;
    QString m_cacheDir;
    QNetworkAccessManager m_network;
    std::unique_ptr<SecretStore> m_secrets;
    QUrl m_server;
    std::unique_ptr<AuthSession> m_auth;
    std::unique_ptr<ApiClient> m_api;
    TaskQueue m_queue;
    Catalog m_catalog;
    bool m_canRemember = true;
    int m_work = 0; // requests and keychain operations under way (whenSettled())
    std::vector<std::function<void()>> m_settledWaiters;
};
