#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QUrl;

// How one keychain operation ended.
enum class SecretStatus {
    Ok,          // read: found, the result holds the secret; write and remove: done
    NotFound,    // read: the keychain holds nothing under the key (or a locked one would not say)
    Unavailable, // no keychain answered, or it is locked or refused access; nothing was kept
    Failed,      // the keychain answered with another error, or the request was unusable
};

// One sentence for a person ("Toolhub cannot remember your sign-in on this computer: no
// keychain is available.").
[[nodiscard]] QString describe(SecretStatus status);

struct SecretResult {
    SecretStatus status = SecretStatus::Failed;
    QString secret;  // a read that found its entry; empty otherwise
    QString message; // Unavailable and Failed: the keychain's own words
};

// The one place the desktop app keeps secrets (the refresh token of each server): the OS keychain
// through QtKeychain (Secret Service, macOS Keychain, Windows Credential Manager), under one
// service name. Never a file: QtKeychain's plain-text fallback stays off, and secrets are never
// logged.
//
// Every operation reports once, later, from the event loop, to a callback that is dropped if its
// context object (not null, in the store's thread) is destroyed first, or the store is.
// Operations run in the order they were asked for. Whether a keychain is there is known only from
// answers: isAvailable() turns false when an operation found none, and true again when one
// succeeds.
class SecretStore : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool available READ isAvailable NOTIFY availabilityChanged)

public:
    using Done = std::function<void(const SecretResult &result)>;

    explicit SecretStore(const QString &service, QObject *parent = nullptr);
    ~SecretStore() override;

    // The key of a server's refresh token: the origin of its URL and "refresh-token"
    // ("https://toolhub.example.com refresh-token"). Empty for a URL that is not http(s) with a
    // host.
    [[nodiscard]] static QString refreshTokenKey(const QUrl &server);

    // The result holds the secret when found.
    void read(const QString &key, const QObject *context, Done done);
    // Replaces what the key held. An empty secret is refused: remove() the key instead.
    void write(const QString &key, const QString &secret, const QObject *context, Done done);
    // Ok also when the key held nothing. A locked keychain is unlocked for it (the desktop may
    // ask the person), as for write(): a remove that could not happen is never reported Ok.
    void remove(const QString &key, const QObject *context, Done done);

    [[nodiscard]] QString service() const { return m_service; }
    // False since an operation found no keychain, until one succeeds again.
    [[nodiscard]] bool isAvailable() const { return m_available; }

Q_SIGNALS:
    void availabilityChanged(bool available);

private:
    enum class Operation { Read, Write, Remove };
    struct Pending;

    static const char *nameOf(Operation operation);
    void run(Operation operation, const QString &key, const QString &secret, const QObject *context,
             Done done);
    void refuse(Operation operation, const QString &message, const QObject *context, Done done);
    void complete(std::shared_ptr<const Pending> pending);

    QString m_service;
    bool m_available = true;
};
