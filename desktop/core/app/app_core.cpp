#include "core/app/app_core.h"

#include "core/api/api_client.h"
#include "core/auth/auth_session.h"
#include "core/install/recovery.h"
#include "core/install/tool_tasks.h"
#include "core/logging.h"
#include "core/secrets/secret_store.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QSysInfo>

namespace {

// A task that fails as soon as it starts: a request that cannot be done, told the way every
// other task's failure is.
class RefusedTask : public Task {
public:
    RefusedTask(TaskError error, QString message, QObject *parent)
        : Task(parent), m_error(error), m_message(std::move(message))
    {}

protected:
    void run() override { fail(m_error, m_message); }

private:
    TaskError m_error;
    QString m_message;
};

QString origin(const QUrl &server)
{
    return server.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
}

QString keyOf(const QString &product, const QString &tool)
{
    return product + QLatin1Char('/') + tool;
}

} // namespace

toolhub::Result<std::unique_ptr<AppCore>> AppCore::create(Options options)
{
    if (options.dataDir.isEmpty()) {
        options.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    }
    if (options.cacheDir.isEmpty()) {
        options.cacheDir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    }
    if (!options.settings) {
        options.settings = Settings::forThisMachine();
    }
    if (!QDir().mkpath(options.dataDir)) {
        return toolhub::fail(toolhub::ErrorCode::Unavailable,
                             "cannot create " + options.dataDir.toStdString());
    }
    auto registry = Registry::open(QDir(options.dataDir).filePath(QStringLiteral("toolhub.db")));
    if (!registry) {
        return toolhub::fail(std::move(registry).error());
    }
    return std::unique_ptr<AppCore>(new AppCore(std::move(options), std::move(registry).value()));
}

AppCore::AppCore(Options options, std::unique_ptr<Registry> registry)
    : m_settings(std::move(options.settings)), m_registry(std::move(registry)),
      m_cacheDir(std::move(options.cacheDir)),
      m_secrets(std::make_unique<SecretStore>(options.keychainService)),
      m_queue(m_settings->parallelDownloads())
{
    m_installLock =
        std::make_unique<QLockFile>(QDir(options.dataDir).filePath(QStringLiteral("install.lock")));
    // Stale only when the process that took it is gone, never for its age: an install may
    // take long.
    m_installLock->setStaleLockTime(0);
    if (m_installLock->tryLock(0)) {
        const auto report = recoverInstallRoot(m_settings->installRoot());
        Q_UNUSED(report) // logged by recoverInstallRoot()
        m_installLock->unlock();
    }
    m_queue.setGate([this] { return m_installLock->tryLock(0); },
                    [this] { m_installLock->unlock(); });
    connectServer();
}

AppCore::~AppCore()
{
    m_queue.cancelAll();
}

void AppCore::connectServer()
{
    m_api.reset();
    m_auth.reset();
    m_server = m_settings->serverUrl();
    if (m_server.isEmpty()) {
        return;
    }
    m_auth = std::make_unique<AuthSession>(m_network, m_server);
    m_api = std::make_unique<ApiClient>(
        m_network, m_server, [this] { return m_auth->accessToken().toLatin1(); }, *m_registry);
    m_api->setTokenRefresher([this](std::function<void(ApiClient::Refresh)> done) {
        m_auth->refreshNow([this, done = std::move(done)](bool refreshed) {
            // A refresh that failed without ending the sign-in (no connection): try later.
            done(refreshed              ? ApiClient::Refresh::Refreshed
                 : m_auth->isSignedIn() ? ApiClient::Refresh::Unreachable
                                        : ApiClient::Refresh::SignInRequired);
        });
    });
    connect(m_api.get(), &ApiClient::offlineChanged, this, &AppCore::offlineChanged);
    connect(m_api.get(), &ApiClient::signInRequired, this, &AppCore::signInRequired);
    connect(m_auth.get(), &AuthSession::signedInChanged, this, &AppCore::signedInChanged);
    connect(m_auth.get(), &AuthSession::refreshingChanged, this, [this](bool refreshing) {
        if (!refreshing) {
            checkSettled();
        }
    });
    connect(m_auth.get(), &AuthSession::refreshTokenChanged, this, &AppCore::keepRefreshToken);
    connect(m_auth.get(), &AuthSession::signedOut, this,
            [this](AuthSession::SignOutReason reason, const QString &message) {
                if (reason == AuthSession::SignOutReason::SessionEnded) {
                    qCInfo(lcAuth) << "the server ended the sign-in:" << message;
                    Q_EMIT signInRequired();
                }
            });
}

void AppCore::reloadSettings()
{
    m_queue.setLimit(m_settings->parallelDownloads());
    if (m_settings->serverUrl() == m_server) {
        return;
    }
    if (isSignedIn()) {
        signOut();
    }
    m_catalog = {};
    connectServer();
    Q_EMIT signedInChanged(false);
    Q_EMIT catalogChanged();
}

bool AppCore::isSignedIn() const
{
    return m_auth && m_auth->isSignedIn();
}

bool AppCore::isOffline() const
{
    return m_api && m_api->isOffline();
}

void AppCore::keepRefreshToken(const QString &token)
{
    const QString key = SecretStore::refreshTokenKey(m_server);
    const auto done = [this](const SecretResult &result) {
        if (result.status == SecretStatus::Ok) {
            m_canRemember = true;
            return;
        }
        if (result.status == SecretStatus::Unavailable) {
            m_canRemember = false;
            Q_EMIT signInNotRemembered(describe(result.status));
            return;
        }
        qCWarning(lcSecrets) << "the keychain refused the sign-in:" << result.message;
        Q_EMIT signInNotRemembered(describe(result.status));
    };
    beginWork();
    const auto settled = [this, done](const SecretResult &result) {
        done(result);
        endWork();
    };
    if (token.isEmpty()) {
        m_secrets->remove(key, this, settled);
    } else {
        m_secrets->write(key, token, this, settled);
    }
}

void AppCore::restoreSignIn(std::function<void(bool)> done)
{
    if (!m_auth) {
        done(false);
        return;
    }
    if (m_auth->isSignedIn()) {
        done(true);
        return;
    }
    m_secrets->read(SecretStore::refreshTokenKey(m_server), this,
                    [this, done = std::move(done)](const SecretResult &result) {
                        if (result.status != SecretStatus::Ok || !m_auth) {
                            if (result.status == SecretStatus::Unavailable) {
                                m_canRemember = false;
                            }
                            done(false);
                            return;
                        }
                        m_auth->restore(result.secret);
                        m_auth->refreshNow([this, done](bool refreshed) {
                            if (refreshed) {
                                pinServerKey();
                            }
                            // Not renewed but still held (the server cannot be reached):
                            // signed in, and renewed once it can.
                            done(refreshed || isSignedIn());
                        });
                    });
}

BrowserSignIn *AppCore::signIn(BrowserSignIn::UrlOpener openUrl)
{
    if (!m_auth) {
        return nullptr;
    }
    auto *task = new BrowserSignIn(m_network, m_server, std::move(openUrl), this);
    connect(task, &Task::succeeded, this, [this, task] {
        if (m_auth) {
            m_auth->begin(task->tokens());
            pinServerKey();
        }
    });
    connect(task, &Task::stateChanged, task, [task](Task::State state) {
        if (state != Task::State::Ready && state != Task::State::Running) {
            task->deleteLater();
        }
    });
    return task;
}

void AppCore::signOut()
{
    if (!m_auth) {
        return;
    }
    m_queue.cancelAll();
    if (m_auth->isSignedIn()) {
        revokeSignIn();
    } else {
        // Not resumed in this process (a command line's sign-out): the sign-in kept in the
        // keychain is revoked and deleted all the same.
        beginWork();
        m_secrets->read(
            SecretStore::refreshTokenKey(m_server), this, [this](const SecretResult &result) {
                if (result.status == SecretStatus::Ok && m_auth && !m_auth->isSignedIn()) {
                    m_auth->restore(result.secret);
                    revokeSignIn();
                }
                endWork();
            });
    }
    if (auto forgotten = m_registry->forgetResponses(origin(m_server)); !forgotten) {
        qCWarning(lcRegistry) << "cannot forget the catalog copy:"
                              << QString::fromStdString(forgotten.error().message);
    }
    m_catalog = {};
    if (auto installations = m_registry->installations()) {
        joinInstallations(m_catalog, *installations);
    }
    Q_EMIT catalogChanged();
}

void AppCore::revokeSignIn()
{
    // The session forgets its tokens at once (refreshTokenChanged with none: the keychain entry
    // goes) and says signedOut() once the server answered the revocation.
    beginWork();
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_auth.get(), &AuthSession::signedOut, this,
                          [this, connection](AuthSession::SignOutReason reason) {
                              if (reason == AuthSession::SignOutReason::UserSignedOut) {
                                  disconnect(*connection);
                                  endWork();
                              }
                          });
    m_auth->signOut();
}

void AppCore::whenSettled(std::function<void()> done)
{
    m_settledWaiters.push_back(std::move(done));
    checkSettled();
}

bool AppCore::isSettled() const
{
    return m_work == 0 && !(m_auth && m_auth->isRefreshing());
}

void AppCore::beginWork()
{
    ++m_work;
}

void AppCore::endWork()
{
    --m_work;
    checkSettled();
}

void AppCore::checkSettled()
{
    // From the event loop: what ends one piece of work may start the next (a refresh that ends
    // hands its new token to the keychain).
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!isSettled() || m_settledWaiters.empty()) {
                return;
            }
            const auto waiters = std::exchange(m_settledWaiters, {});
            for (const auto &waiter : waiters) {
                waiter();
            }
        },
        Qt::QueuedConnection);
}

void AppCore::pinServerKey()
{
    if (!m_api || m_settings->presetServerKey()) {
        return; // IT's preset is the key; nothing to pin
    }
    // Fetched also when a key is pinned: to say so when the server's key changed.
    beginWork();
    m_api->get(QStringLiteral("/api/v1/signing-key"), this, [this](const ApiReply &reply) {
        const auto finished = qScopeGuard([this] { endWork(); });
        if (!reply.ok()) {
            qCWarning(lcAuth) << "cannot read the server's signing key:" << reply.message;
            return;
        }
        const auto body = QJsonDocument::fromJson(reply.body).object();
        const QByteArray key =
            QByteArray::fromBase64(body.value(QLatin1String("public_key")).toString().toLatin1(),
                                   QByteArray::AbortOnBase64DecodingErrors);
        if (key.size() != 32) {
            qCWarning(lcAuth) << "the server's signing key is not an Ed25519 key";
            return;
        }
        auto pinnedNow = m_registry->pinKey(origin(m_server), key);
        if (!pinnedNow && pinnedNow.error().code == toolhub::ErrorCode::Conflict) {
            Q_EMIT warning(tr("The server %1 now signs its tools with a different key than when "
                              "you first signed in. Toolhub will not install from it until your "
                              "administrator confirms the new key.")
                               .arg(m_server.host()));
        } else if (!pinnedNow) {
            qCWarning(lcRegistry) << "cannot pin the server's key:"
                                  << QString::fromStdString(pinnedNow.error().message);
        }
    });
}

CatalogLoader *AppCore::loadCatalog(bool cachedOnly)
{
    if (!m_api) {
        return nullptr;
    }
    auto *loader = new CatalogLoader(*m_api, *m_registry, cachedOnly, this);
    connect(loader, &Task::succeeded, this, [this, loader] {
        m_catalog = loader->catalog();
        Q_EMIT catalogChanged();
    });
    connect(loader, &Task::stateChanged, loader, [loader](Task::State state) {
        if (state != Task::State::Ready && state != Task::State::Running) {
            loader->deleteLater();
        }
    });
    return loader;
}

toolhub::Result<InstallEnvironment> AppCore::installEnvironment()
{
    if (!m_api) {
        return toolhub::fail(toolhub::ErrorCode::Unavailable, "No server is set.");
    }
    QByteArray key;
    if (auto preset = m_settings->presetServerKey()) {
        key = *preset;
    } else if (auto pinned = m_registry->pinnedKey(origin(m_server)); pinned && *pinned) {
        key = **pinned;
    } else {
        return toolhub::fail(toolhub::ErrorCode::Unavailable,
                             "The server's signing key is not known yet: sign in first.");
    }
    InstallEnvironment environment;
    environment.api = m_api.get();
    environment.registry = m_registry.get();
    environment.serverKey = key;
    environment.installRoot = m_settings->installRoot();
    environment.cacheDir = m_cacheDir;
    environment.accessToken = [this] {
        return m_auth ? m_auth->accessToken().toLatin1() : QByteArray();
    };
    environment.platform = currentPlatform();
    environment.arch = currentArch();
    return environment;
}

Task *AppCore::refused(const QString &product, const QString &tool, TaskError error,
                       const QString &message)
{
    return enqueue(product, tool, QStringLiteral("refused"), new RefusedTask(error, message, this));
}

Task *AppCore::enqueue(const QString &product, const QString &tool, const QString &kind, Task *task)
{
    m_queue.enqueue(keyOf(product, tool), kind, task);
    return task;
}

Task *AppCore::installVersion(const QString &product, const QString &tool, const QString &version,
                              const QString &action)
{
    const QString kind = QStringLiteral("install ") + version;
    if (Task *same = m_queue.pending(keyOf(product, tool), kind)) {
        return same; // asked twice: one install
    }
    auto environment = installEnvironment();
    if (!environment) {
        return refused(product, tool, TaskError::NotSignedIn,
                       QString::fromStdString(environment.error().message));
    }
    auto *task = new InstallTask({product, tool, version}, std::move(environment).value(), this);
    connect(task, &Task::succeeded, this, [this, product, tool, version, action] {
        report(product, tool, version, action);
        if (auto installation = m_registry->installation(product, tool);
            installation && *installation) {
            joinInstallations(m_catalog, {**installation});
            Q_EMIT catalogChanged();
        }
    });
    return enqueue(product, tool, kind, task);
}

Task *AppCore::install(const QString &product, const QString &tool, const QString &version)
{
    const CatalogTool *entry = m_catalog.tool(product, tool);
    QString wanted = version;
    if (wanted.isEmpty()) {
        const toolhub::Release *newest = entry ? entry->newest(toolhub::Channel::Stable) : nullptr;
        if (!newest) {
            return refused(product, tool, TaskError::NotEntitled,
                           tr("%1/%2 has no release you can install.").arg(product, tool));
        }
        wanted = QString::fromStdString(newest->version.toString());
    }
    QString action = QStringLiteral("install");
    if (entry && entry->installed) {
        const auto current = toolhub::parseSemVer(entry->installed->version.toStdString());
        const auto next = toolhub::parseSemVer(wanted.toStdString());
        if (current && next) {
            action = *next > *current   ? QStringLiteral("update")
                     : *next < *current ? QStringLiteral("rollback")
                                        : QStringLiteral("repair");
        }
    }
    return installVersion(product, tool, wanted, action);
}

Task *AppCore::update(const QString &product, const QString &tool)
{
    const CatalogTool *entry = m_catalog.tool(product, tool);
    if (!entry || !entry->installed) {
        return refused(product, tool, TaskError::NotApplicable,
                       tr("%1 is not installed.").arg(tool));
    }
    const toolhub::Release *newer = entry->update();
    if (!newer) {
        return refused(product, tool, TaskError::NotApplicable,
                       tr("%1 %2 is the newest version.").arg(tool, entry->installed->version));
    }
    return installVersion(product, tool, QString::fromStdString(newer->version.toString()),
                          QStringLiteral("update"));
}

QList<Task *> AppCore::updateAll()
{
    QList<Task *> tasks;
    for (const auto &product : m_catalog.products) {
        for (const auto &tool : product.tools) {
            if (tool.installed && tool.update()) {
                tasks.append(update(tool.installed->product, tool.installed->tool));
            }
        }
    }
    return tasks;
}

Task *AppCore::rollBack(const QString &product, const QString &tool, const QString &version)
{
    const CatalogTool *entry = m_catalog.tool(product, tool);
    if (!entry || !entry->installed) {
        return refused(product, tool, TaskError::NotApplicable,
                       tr("%1 is not installed.").arg(tool));
    }
    const toolhub::Release *target =
        version.isEmpty() ? entry->previous() : entry->release(version);
    if (!target) {
        return refused(
            product, tool, version.isEmpty() ? TaskError::NotApplicable : TaskError::NotEntitled,
            version.isEmpty() ? tr("There is no earlier version of %1 to go back to.").arg(tool)
                              : tr("%1 %2 is not offered to you.").arg(tool, version));
    }
    const auto current = toolhub::parseSemVer(entry->installed->version.toStdString());
    if (current && !(target->version < *current)) {
        return refused(product, tool, TaskError::NotApplicable,
                       tr("%1 is not older than the installed %2.")
                           .arg(QString::fromStdString(target->version.toString()),
                                entry->installed->version));
    }
    return installVersion(product, tool, QString::fromStdString(target->version.toString()),
                          QStringLiteral("rollback"));
}

Task *AppCore::remove(const QString &product, const QString &tool)
{
    const QString kind = QStringLiteral("remove");
    if (Task *same = m_queue.pending(keyOf(product, tool), kind)) {
        return same;
    }
    auto *task = new RemoveTask(product, tool, *m_registry, this);
    connect(task, &Task::succeeded, this, [this, task, product, tool] {
        report(product, tool, task->removedVersion(), QStringLiteral("remove"));
        for (auto &entry : m_catalog.products) {
            for (auto &candidate : entry.tools) {
                if (candidate.installed && candidate.installed->product == product &&
                    candidate.installed->tool == tool) {
                    candidate.installed.reset();
                }
            }
        }
        Q_EMIT catalogChanged();
    });
    return enqueue(product, tool, kind, task);
}

Task *AppCore::verify(const QString &product, const QString &tool, bool repair)
{
    const QString kind = repair ? QStringLiteral("repair") : QStringLiteral("verify");
    if (Task *same = m_queue.pending(keyOf(product, tool), kind)) {
        return same;
    }
    InstallEnvironment environment;
    environment.registry = m_registry.get();
    if (repair) {
        auto full = installEnvironment();
        if (!full) {
            return refused(product, tool, TaskError::NotSignedIn,
                           QString::fromStdString(full.error().message));
        }
        environment = std::move(full).value();
    }
    auto *task = new VerifyTask(product, tool, repair, std::move(environment), this);
    connect(task, &Task::succeeded, this, [this, task] {
        if (task->repaired()) {
            report(task->product(), task->tool(), task->version(), QStringLiteral("repair"));
        }
    });
    return enqueue(product, tool, kind, task);
}

void AppCore::report(const QString &product, const QString &tool, const QString &version,
                     const QString &action)
{
    if (!m_api) {
        return;
    }
    QJsonObject body{
        {QStringLiteral("product"), product},
        {QStringLiteral("tool"), tool},
        {QStringLiteral("version"), version},
        {QStringLiteral("platform"), QString::fromUtf8(toolhub::toString(currentPlatform()))},
        {QStringLiteral("arch"), QString::fromUtf8(toolhub::toString(currentArch()))},
        {QStringLiteral("action"), action},
        {QStringLiteral("machine_id"), m_settings->clientId()},
        {QStringLiteral("machine_name"), QSysInfo::machineHostName().left(200)},
    };
    beginWork();
    m_api->post(QStringLiteral("/api/v1/installations"),
                QJsonDocument(body).toJson(QJsonDocument::Compact), this,
                [this, product, tool, action](const ApiReply &reply) {
                    endWork();
                    if (!reply.ok()) {
                        qCInfo(lcInstall) << "the server was not told of" << action << product
                                          << tool << ":" << reply.message;
                    }
                });
}
