// SecretStore where no keychain answers, in a fresh HOME made by tests/support/with-keyring.sh:
// with --no-bus there is no session bus at all, with --bus-only a session bus without a Secret
// Service (a Linux desktop without gnome-keyring or KWallet), with --locked a keyring that stays
// locked. The sign-in cannot be remembered; the store says so quickly and keeps the secret nowhere
// else.

#include "core/secrets/secret_store.h"

#include "keychain_test_support.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

using keychaintest::LogCapture;
using keychaintest::Outcomes;

namespace {

QString serviceName()
{
    return QStringLiteral("toolhub-test");
}
// "Within a few seconds": what a person waits before the app tells them.
constexpr int answerMs = 5000;

} // namespace

class SecretStoreWithoutKeychainTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const QByteArray situation = keychaintest::situation();
        QVERIFY2(
            situation == "no-bus" || situation == "bus-only" || situation == "locked",
            "Run through tests/support/with-keyring.sh --no-bus, --bus-only or --locked (ctest "
            "does).");
        QVERIFY2(keychaintest::homeIsFresh(), qPrintable(QDir::homePath()));
        QStandardPaths::setTestModeEnabled(true);
        QLoggingCategory::setFilterRules(QStringLiteral("toolhub.secrets.debug=true"));
    }

    void saysUnavailableAndKeepsNothing()
    {
        LogCapture log;
        SecretStore store(serviceName());
        QSignalSpy availability(&store, &SecretStore::availabilityChanged);
        const QString key =
            SecretStore::refreshTokenKey(QUrl(QStringLiteral("https://toolhub.example.com")));
        const QString secret = keychaintest::newSecret();
        Outcomes got;
        QVERIFY(store.isAvailable()); // nothing has said otherwise yet

        QElapsedTimer clock;
        clock.start();
        store.write(key, secret, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 1, answerMs);
        QCOMPARE(got.results.at(0).status, SecretStatus::Unavailable);
        QVERIFY(!got.results.at(0).message.isEmpty());
        QVERIFY(!store.isAvailable());
        QCOMPARE(availability.count(), 1);
        QCOMPARE(availability.at(0).at(0).toBool(), false);

        store.read(key, &got, got.record());
        store.remove(key, &got, got.record());
        QTRY_COMPARE_WITH_TIMEOUT(got.results.size(), 3, answerMs);
        const SecretResult &read = got.results.at(1);
        if (keychaintest::situation() == "locked") {
            // libsecret answers a lookup in a keyring it could not unlock with "nothing there".
            QCOMPARE(read.status, SecretStatus::NotFound);
        } else {
            QCOMPARE(read.status, SecretStatus::Unavailable);
        }
        QVERIFY(read.secret.isEmpty());
        // A sign-out must not believe the entry is gone.
        QCOMPARE(got.results.at(2).status, SecretStatus::Unavailable);
        QVERIFY2(clock.elapsed() < answerMs, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!store.isAvailable());
        QCOMPARE(availability.count(), 1); // told once, not on every answer

        // What the window shows.
        QVERIFY(describe(SecretStatus::Unavailable).contains(QStringLiteral("cannot remember")));

        // No plain-text stand-in anywhere in the fresh HOME (or the rest of the script's folder).
        QVERIFY(keychaintest::searchFindsPlantedCopy(keychaintest::root(), secret));
        const QStringList holding = keychaintest::filesHolding(keychaintest::root(), secret);
        QVERIFY2(holding.isEmpty(), qPrintable(holding.join(u'\n')));

        QVERIFY2(!LogCapture::linesWith(key).isEmpty(), "the store logged its steps");
        QVERIFY2(LogCapture::linesWithPartOf(secret).isEmpty(),
                 qPrintable(LogCapture::lines().join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(SecretStoreWithoutKeychainTest)
#include "secret_store_without_keychain_test.moc"
