#include "core/secrets/secret_store.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QPointer>
#include <QUrl>

#include <qt6keychain/keychain.h>

#include <memory>
#include <utility>

namespace {

const char *statusName(SecretStatus status)
{
    switch (status) {
    case SecretStatus::Ok:
        return "ok";
    case SecretStatus::NotFound:
        return "not found";
    case SecretStatus::Unavailable:
        return "unavailable";
    case SecretStatus::Failed:
        break;
    }
    return "failed";
}

// Whether a failure QtKeychain could not name means that no keychain service could be reached.
// Its Secret Service backend passes GLib's errors on as OtherError: a session bus that cannot be
// reached, or the bus's answer that no one serves (or could start) org.freedesktop.secrets. The
// bus's own texts name the service and are never translated; the GLib texts checked are those of
// an unreachable or silent bus.
bool unreachable(const QString &message)
{
    static const QLatin1String markers[] = {
        QLatin1String("org.freedesktop.secrets"),     // not provided by any .service files...
        QLatin1String("org.freedesktop.DBus.Error."), // a D-Bus error GLib did not strip
        QLatin1String("Could not connect"),
        QLatin1String("Cannot autolaunch D-Bus"),
        QLatin1String("Cannot spawn a message bus"),
        QLatin1String("Cannot determine session bus address"),
        QLatin1String("Timeout was reached"),
    };
    for (const auto &marker : markers) {
        if (message.contains(marker, Qt::CaseInsensitive)) {
            return true;
        }
    }
    return false;
}

SecretStatus classify(QKeychain::Error error, const QString &message)
{
    switch (error) {
    case QKeychain::NoError:
        return SecretStatus::Ok;
    case QKeychain::EntryNotFound:
        return SecretStatus::NotFound;
    case QKeychain::NoBackendAvailable:
    case QKeychain::AccessDenied:       // locked, or access refused
    case QKeychain::AccessDeniedByUser: // the user said no
    case QKeychain::NotImplemented:
        return SecretStatus::Unavailable;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    return unreachable(message) ? SecretStatus::Unavailable : SecretStatus::Failed;
}

// What one finished job came to.
SecretResult outcomeOf(const QKeychain::Job &job, bool deleting,
                       const QKeychain::ReadPasswordJob *reading)
{
    SecretResult result;
    result.status = classify(job.error(), job.errorString());
    if (result.status == SecretStatus::NotFound && deleting) {
        result.status = SecretStatus::Ok;
    }
    if (result.status == SecretStatus::Unavailable || result.status == SecretStatus::Failed) {
        result.message = job.errorString();
    }
    if (reading && result.status == SecretStatus::Ok) {
        result.secret = reading->textData();
        if (result.secret.isEmpty()) { // the blank remove() leaves if its delete did not happen
            result.status = SecretStatus::NotFound;
        }
    }
    return result;
}

} // namespace

QString describe(SecretStatus status)
{
    switch (status) {
    case SecretStatus::Ok:
        return QCoreApplication::translate("SecretStore", "The keychain did what was asked.");
    case SecretStatus::NotFound:
        return QCoreApplication::translate("SecretStore", "No sign-in is kept on this computer.");
    case SecretStatus::Unavailable:
        return QCoreApplication::translate(
            "SecretStore",
            "Toolhub cannot remember your sign-in on this computer: no keychain is available.");
    case SecretStatus::Failed:
        break;
    }
    return QCoreApplication::translate("SecretStore",
                                       "The keychain could not keep or give back the sign-in.");
}

const char *SecretStore::nameOf(Operation operation)
{
    switch (operation) {
    case Operation::Read:
        return "read";
    case Operation::Write:
        return "write";
    case Operation::Remove:
        break;
    }
    return "remove";
}

SecretStore::SecretStore(const QString &service, QObject *parent)
    : QObject(parent), m_service(service)
{}

SecretStore::~SecretStore()
{
    // QtKeychain's backends call back into a job that has started, so a job must not be deleted
    // before it finishes: let go of the running ones, each deletes itself once done.
    const auto jobs = findChildren<QKeychain::Job *>(Qt::FindDirectChildrenOnly);
    for (QKeychain::Job *job : jobs) {
        disconnect(job, nullptr, this, nullptr);
        job->setParent(nullptr);
    }
}

QString SecretStore::refreshTokenKey(const QUrl &server)
{
    const QString scheme = server.scheme();
    if (!server.isValid() || server.host().isEmpty() || (scheme != u"https" && scheme != u"http")) {
        return {};
    }
    QUrl origin = server.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery |
                                  QUrl::RemoveFragment);
    if (origin.port() == (scheme == u"https" ? 443 : 80)) {
        origin.setPort(-1);
    }
    return origin.toString(QUrl::FullyEncoded) + QStringLiteral(" refresh-token");
}

void SecretStore::read(const QString &key, const QObject *context, Done done)
{
    run(Operation::Read, key, {}, context, std::move(done));
}

void SecretStore::write(const QString &key, const QString &secret, const QObject *context,
                        Done done)
{
    if (secret.isEmpty()) {
        refuse(Operation::Write, QStringLiteral("An empty secret is not stored."), context,
               std::move(done));
        return;
    }
    run(Operation::Write, key, secret, context, std::move(done));
}

void SecretStore::remove(const QString &key, const QObject *context, Done done)
{
    run(Operation::Remove, key, {}, context, std::move(done));
}

// One operation of the store: one keychain job, or two for remove().
struct SecretStore::Pending {
    Operation operation = Operation::Read;
    QString key;
    SecretResult result{SecretStatus::Ok, {}, {}}; // the first job that did not succeed decides
    int jobsLeft = 0;
    QPointer<const QObject> context;
    Done done;
};

void SecretStore::run(Operation operation, const QString &key, const QString &secret,
                      const QObject *context, Done done)
{
    Q_ASSERT(context && context->thread() == thread());
    if (key.isEmpty()) {
        refuse(operation, QStringLiteral("No key given."), context, std::move(done));
        return;
    }
    qCDebug(lcSecrets) << nameOf(operation) << key;

    auto pending = std::make_shared<Pending>();
    pending->operation = operation;
    pending->key = key;
    pending->context = context;
    pending->done = std::move(done);

    // Jobs are children of the store until they finish; QtKeychain runs them one after another
    // in the order started, across all stores.
    const auto start = [this, &pending](QKeychain::Job *job, bool deleting,
                                        const QKeychain::ReadPasswordJob *reading) {
        job->setKey(pending->key);
        job->setInsecureFallback(false);
        job->setAutoDelete(true);
        ++pending->jobsLeft;
        connect(job, &QKeychain::Job::finished, this,
                [this, pending, deleting, reading](QKeychain::Job *finished) {
                    if (pending->result.status == SecretStatus::Ok) {
                        pending->result = outcomeOf(*finished, deleting, reading);
                    }
                    if (--pending->jobsLeft == 0) {
                        complete(pending);
                    }
                });
        job->start();
    };

    switch (operation) {
    case Operation::Read: {
        auto *job = new QKeychain::ReadPasswordJob(m_service, this);
        start(job, false, job);
        break;
    }
    case Operation::Write: {
        auto *job = new QKeychain::WritePasswordJob(m_service, this);
        job->setTextData(secret);
        start(job, false, nullptr);
        break;
    }
    case Operation::Remove: {
        // Blank the entry, then delete it. libsecret neither unlocks a locked keyring to delete
        // from it nor says that it deleted nothing; a write unlocks it (asking the person if the
        // desktop can) or fails saying why. The blank reads as "not found" should the delete
        // not happen.
        auto *blank = new QKeychain::WritePasswordJob(m_service, this);
        blank->setTextData(QString());
        start(blank, false, nullptr);
        start(new QKeychain::DeletePasswordJob(m_service, this), true, nullptr);
        break;
    }
    }
}

void SecretStore::refuse(Operation operation, const QString &message, const QObject *context,
                         Done done)
{
    qCWarning(lcSecrets).noquote() << nameOf(operation) << "refused:" << message;
    QMetaObject::invokeMethod(
        this,
        [guard = QPointer<const QObject>(context), message, done = std::move(done)] {
            if (guard) {
                done(SecretResult{SecretStatus::Failed, {}, message});
            }
        },
        Qt::QueuedConnection);
}

void SecretStore::complete(std::shared_ptr<const Pending> pending)
{
    // Held here, not only by the connection this is called from: the callback may end both.
    const SecretResult &result = pending->result;
    const char *name = nameOf(pending->operation);
    switch (result.status) {
    case SecretStatus::Ok:
    case SecretStatus::NotFound:
        qCDebug(lcSecrets) << name << pending->key << statusName(result.status);
        break;
    case SecretStatus::Unavailable:
        qCWarning(lcSecrets).noquote()
            << name << pending->key << "found no keychain:" << result.message;
        break;
    case SecretStatus::Failed:
        qCWarning(lcSecrets).noquote() << name << pending->key << "failed:" << result.message;
        break;
    }

    // "Not found" leaves it as it was: a locked keyring whose unlock prompt was dismissed (or
    // cannot be shown) answers a read so.
    bool available = m_available;
    if (result.status == SecretStatus::Unavailable) {
        available = false;
    } else if (result.status == SecretStatus::Ok) {
        available = true;
    }
    if (available != m_available) {
        m_available = available;
        Q_EMIT availabilityChanged(available);
    }

    // Last: the callback may destroy this store.
    if (pending->context) {
        pending->done(result);
    }
}
