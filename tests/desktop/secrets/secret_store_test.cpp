// SecretStore against a real Secret Service: gnome-keyring-daemon with an unlocked login keyring
// on a private session bus, in a fresh HOME, all made by tests/support/with-keyring.sh --keyring.

#include "core/secrets/secret_store.h"

#include "keychain_test_support.h"

#include <QLoggingCategory>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

#include <qt6keychain/keychain.h>

#include <memory>

using keychaintest::LogCapture;
using keychaintest::Outcomes;

namespace {

QString serviceName()
{
    return QStringLiteral("toolhub-test");
}
constexpr int answerMs = 10000;

QString keyOf(const char *server)
{
    return SecretStore::refreshTokenKey(QUrl(QString::fromLatin1(server)));
}

} // namespace

class SecretStoreTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(keychaintest::situation() == "keyring",
                 "Run through tests/support/with-keyring.sh --keyring (ctest does).");
        QVERIFY2(keychaintest::homeIsFresh(), qPrintable(QDir::homePath()));
        QStandardPaths::setTestModeEnabled(true);
        // The store's own account of each step, so the log checks see everything it would say.
        QLoggingCategory::setFilterRules(QStringLiteral("toolhub.secrets.debug=true"));
    }

    void keysArePerServerOrigin()
    {
        QCOMPARE(keyOf("https://Toolhub.Example.com/api/v1?x=1#f"),
                 QStringLiteral("https://toolhub.example.com refresh-token"));
        QCOMPARE(keyOf("https://user:pw@toolhub.example.com:443/"),
                 QStringLiteral("https://toolhub.example.com refresh-token"));
        QCOMPARE(keyOf("https://toolhub.example.com:8443"),
                 QStringLiteral("https://toolhub.example.com:8443 refresh-token"));
        QCOMPARE(keyOf("http://127.0.0.1:8080/"),
                 QStringLiteral("http://127.0.0.1:8080 refresh-token"));
        QCOMPARE(keyOf("http://[::1]:80/x"), QStringLiteral("http://[::1] refresh-token"));
        QVERIFY(keyOf("ftp://toolhub.example.com").isEmpty());
        QVERIFY(keyOf("file:///etc/passwd").isEmpty());
        QVERIFY(keyOf("toolhub.example.com").isEmpty());
        QVERIFY(keyOf("").isEmpty());
    }

    void roundTrip()
    {
        LogCapture log;
        SecretStore store(serviceName());
        QSignalSpy availability(&store, &SecretStore::availabilityChanged);
        const QString key = keyOf("https://toolhub.example.com:8443");
        const QString first = keychaintest::newSecret();
        const QString second = keychaintest::newSecret();
        Outcomes got;

        store.read(key, &got, got.record());
        store.write(key, first, &got, got.record());
        store.read(key, &got, got.record());
        store.write(key, second, &got, got.record());
        store.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        store.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        QVERIFY(got.results.isEmpty()); // never reported from within the call
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 8, answerMs);

        const QList<SecretStatus> expected{
            SecretStatus::NotFound, SecretStatus::Ok, SecretStatus::Ok,       SecretStatus::Ok,
            SecretStatus::Ok,       SecretStatus::Ok, SecretStatus::NotFound, SecretStatus::Ok};
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(got.results.at(i).status, expected.at(i));
            QVERIFY(got.results.at(i).message.isEmpty());
        }
        QVERIFY(got.results.at(0).secret.isEmpty());
        QCOMPARE(got.results.at(2).secret, first);
        QCOMPARE(got.results.at(4).secret, second);
        QVERIFY(got.results.at(6).secret.isEmpty());

        QVERIFY(store.isAvailable());
        QCOMPARE(availability.count(), 0);

        QVERIFY2(!LogCapture::linesWith(key).isEmpty(), "the store logged its steps");
        QVERIFY2(LogCapture::linesWithPartOf(first).isEmpty(),
                 qPrintable(LogCapture::lines().join(u'\n')));
        QVERIFY2(LogCapture::linesWithPartOf(second).isEmpty(),
                 qPrintable(LogCapture::lines().join(u'\n')));
    }

    void serversKeepTheirOwnSecrets()
    {
        SecretStore store(serviceName());
        const QString keyA = keyOf("https://a.toolhub.example.com");
        const QString keyB = keyOf("https://b.toolhub.example.com");
        const QString secretA = keychaintest::newSecret();
        const QString secretB = keychaintest::newSecret();
        Outcomes got;

        store.write(keyA, secretA, &got, got.record());
        store.write(keyB, secretB, &got, got.record());
        store.remove(keyA, &got, got.record());
        store.read(keyA, &got, got.record());
        store.read(keyB, &got, got.record());
        store.remove(keyB, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 6, answerMs);

        QCOMPARE(got.results.at(3).status, SecretStatus::NotFound);
        QCOMPARE(got.results.at(4).status, SecretStatus::Ok);
        QCOMPARE(got.results.at(4).secret, secretB);
        QCOMPARE(got.results.at(5).status, SecretStatus::Ok);
    }

    // A second store, as after a restart of the app, finds what the first one kept.
    void anotherStoreFindsTheSecret()
    {
        const QString key = keyOf("https://restart.toolhub.example.com");
        const QString secret = keychaintest::newSecret();
        Outcomes got;
        {
            SecretStore store(serviceName());
            store.write(key, secret, &got, got.record());
            QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 1, answerMs);
            QCOMPARE(got.results.at(0).status, SecretStatus::Ok);
        }
        SecretStore store(serviceName());
        store.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 3, answerMs);
        QCOMPARE(got.results.at(1).status, SecretStatus::Ok);
        QCOMPARE(got.results.at(1).secret, secret);

        // Another service name is another place.
        SecretStore other(serviceName() + QStringLiteral("-other"));
        store.write(key, secret, &got, got.record());
        other.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 6, answerMs);
        QCOMPARE(got.results.at(4).status, SecretStatus::NotFound);
    }

    // QtKeychain's plain-text fallback would write secrets into a settings file when no keychain
    // answers; every job the store runs has it off.
    void insecureFallbackIsOff()
    {
        SecretStore store(serviceName());
        const QString key = keyOf("https://fallback.toolhub.example.com");
        Outcomes got;

        store.write(key, keychaintest::newSecret(), &got, got.record());
        store.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        const auto jobs = store.findChildren<QKeychain::Job *>();
        QCOMPARE(jobs.size(), 4); // remove() blanks, then deletes
        for (const QKeychain::Job *job : jobs) {
            QVERIFY(!job->insecureFallback());
            QCOMPARE(job->service(), serviceName());
            QCOMPARE(job->key(), key);
        }
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 3, answerMs);
        // Finished jobs delete themselves.
        QTRY_VERIFY(store.findChildren<QKeychain::Job *>().isEmpty());
    }

    // The keychain encrypts what it keeps; nothing under HOME holds the secret readable.
    void noSecretInFiles()
    {
        SecretStore store(serviceName());
        const QString key = keyOf("https://files.toolhub.example.com");
        const QString secret = keychaintest::newSecret();
        Outcomes got;

        store.write(key, secret, &got, got.record());
        store.read(key, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 2, answerMs);
        QCOMPARE(got.results.at(1).secret, secret);

        QVERIFY(keychaintest::searchFindsPlantedCopy(keychaintest::root(), secret));
        const QStringList holding = keychaintest::filesHolding(keychaintest::root(), secret);
        QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u'\n')));

        store.remove(key, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 3, answerMs);
    }

    void emptyKeyOrSecretIsRefused()
    {
        SecretStore store(serviceName());
        const QString key = keyOf("https://empty.toolhub.example.com");
        Outcomes got;

        store.read(QString(), &got, got.record());
        store.write(key, QString(), &got, got.record());
        store.remove(QString(), &got, got.record());
        QVERIFY(got.results.isEmpty());
        QTRY_COMPARE(got.results.size(), 3);
        for (const SecretResult &result : std::as_const(got.results)) {
            QCOMPARE(result.status, SecretStatus::Failed);
            QVERIFY(!result.message.isEmpty());
        }
        QVERIFY(store.isAvailable());
        QVERIFY(store.findChildren<QKeychain::Job *>().isEmpty());
    }

    // A callback whose context is gone is not called; the operation itself still happens.
    void callbackDroppedWithItsContext()
    {
        SecretStore store(serviceName());
        const QString key = keyOf("https://context.toolhub.example.com");
        const QString secret = keychaintest::newSecret();
        bool called = false;
        auto context = std::make_unique<QObject>();
        store.write(key, secret, context.get(), [&called](const SecretResult &) { called = true; });
        context.reset();

        Outcomes got;
        store.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 2, answerMs);
        QVERIFY(!called);
        QCOMPARE(got.results.at(0).status, SecretStatus::Ok);
        QCOMPARE(got.results.at(0).secret, secret);
    }

    // A store destroyed while its keychain work runs lets the work finish (QtKeychain calls back
    // into a running job) and calls no callback.
    void storeDestroyedWhileWorking()
    {
        const QString key = keyOf("https://gone.toolhub.example.com");
        const QString secret = keychaintest::newSecret();
        bool called = false;
        Outcomes got;
        {
            SecretStore store(serviceName());
            store.write(key, secret, &got, [&called](const SecretResult &) { called = true; });
            store.read(key, &got, [&called](const SecretResult &) { called = true; });
        }
        SecretStore store(serviceName());
        store.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 2, answerMs);
        QVERIFY(!called);
        QCOMPARE(got.results.at(0).status, SecretStatus::Ok);
        QCOMPARE(got.results.at(0).secret, secret);
    }

    // What a sign-out does when it is done: drop the store from within the callback.
    void storeDestroyedByItsCallback()
    {
        auto store = std::make_unique<SecretStore>(serviceName());
        const QString key = keyOf("https://callback.toolhub.example.com");
        Outcomes got;
        store->write(key, keychaintest::newSecret(), &got, got.record());
        store->remove(key, &got, [&](const SecretResult &result) {
            got.results.append(result);
            store.reset();
        });
        QTRY_VERIFY_WITH_TIMEOUT(!store, answerMs);
        QCOMPARE(got.results.size(), 2);
        QCOMPARE(got.results.at(1).status, SecretStatus::Ok);
    }
};

QTEST_GUILESS_MAIN(SecretStoreTest)
#include "secret_store_test.moc"
