// AppCore against the real server, with a real keychain on a private session bus: the sign-in
// through the browser, kept in the keychain and pinning the server's key; the catalog, online and
// from the kept copy; install, update, roll back, verify, repair and remove through the queue,
// each reported to the server; refusals; a preset key that does not match; sign-out.

#include "core/api/api_client.h"
#include "core/app/app_core.h"
#include "core/install/tool_tasks.h"

#include "native_sign_in.h"
#include "server_process.h"
#include "test_browser.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace {

const QString fluxcad = QStringLiteral("fluxcad");
const QString fluxCli = QStringLiteral("flux-cli");

// How a task ended, recorded from its own signals.
struct Outcome {
    Task::State state = Task::State::Ready;
    TaskError error = TaskError::Internal;
    QString message;
};

} // namespace

class AppCoreTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void signInPinsTheKeyAndIsRemembered();
    void catalogOnlineAndFromTheKeptCopy();
    void installUpdateRollBackVerifyRepairRemove();
    void sameRequestTwiceIsOneTask();
    void requestsThatCannotBeDoneFailWithTheReason();
    void presetKeyThatDoesNotMatchInstallsNothing();
    void offlineShowsTheKeptCatalogAndInstallsNothing(); // stops the server
    void signOutForgetsTheSignIn();

private:
    // A core over the test's folders; `managed` holds what IT sets.
    std::unique_ptr<AppCore> makeCore(const QMap<QString, QVariant> &managed = {});
    Outcome run(Task *task, int timeoutMs = 120000);
    [[nodiscard]] std::optional<Installation> installed();
    [[nodiscard]] QString toolFolder() const;
    // The server's current installations of alice, as GET /api/v1/installations lists them.
    [[nodiscard]] QJsonArray reportedInstallations();

    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    QByteArray m_serverKey;
    QString m_keychainService;
    std::unique_ptr<AppCore> m_core;
    int m_managedFiles = 0;
};

void AppCoreTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_DEMO_DATA"), QStringLiteral("true"));
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_serverKey = m_server->signingKey();
    QCOMPARE(m_serverKey.size(), 32);
    m_keychainService = QStringLiteral("Toolhub test ") + QUuid::createUuid().toString();
    m_core = makeCore();
    QVERIFY(m_core);
}

void AppCoreTest::cleanupTestCase()
{
    m_core.reset();
    if (m_server && m_server->pid() > 0) {
        m_server->terminate();
    }
}

std::unique_ptr<AppCore> AppCoreTest::makeCore(const QMap<QString, QVariant> &managed)
{
    auto user = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("user.ini")),
                                            QSettings::IniFormat);
    user->setValue(QStringLiteral("server/url"), m_server->url(QString()).toString());
    user->setValue(QStringLiteral("install/root"), m_dir.filePath(QStringLiteral("tools")));
    user->sync();
    auto it = std::make_unique<QSettings>(
        m_dir.filePath(QStringLiteral("managed-%1.ini").arg(++m_managedFiles)),
        QSettings::IniFormat);
    for (auto value = managed.begin(); value != managed.end(); ++value) {
        it->setValue(value.key(), value.value());
    }
    AppCore::Options options;
    options.dataDir = m_dir.filePath(QStringLiteral("data"));
    options.cacheDir = m_dir.filePath(QStringLiteral("cache"));
    options.settings = std::make_unique<Settings>(std::move(user), std::move(it));
    options.keychainService = m_keychainService;
    auto core = AppCore::create(std::move(options));
    if (!core) {
        qWarning() << QString::fromStdString(core.error().message);
        return nullptr;
    }
    return std::move(core).value();
}

Outcome AppCoreTest::run(Task *task, int timeoutMs)
{
    auto outcome = std::make_shared<Outcome>();
    auto ended = std::make_shared<bool>(false);
    connect(task, &Task::succeeded, this, [outcome, ended] {
        outcome->state = Task::State::Succeeded;
        *ended = true;
    });
    connect(task, &Task::failed, this, [outcome, ended](TaskError error, const QString &message) {
        outcome->state = Task::State::Failed;
        outcome->error = error;
        outcome->message = message;
        *ended = true;
    });
    connect(task, &Task::canceled, this, [outcome, ended] {
        outcome->state = Task::State::Canceled;
        *ended = true;
    });
    if (task->state() == Task::State::Ready && !m_core->queue().tasks().contains(task)) {
        task->start();
    }
    // The loop also drains the server's output pipe.
    if (!QTest::qWaitFor([ended] { return *ended; }, timeoutMs)) {
        outcome->message = QStringLiteral("the task did not end in time");
    }
    return *outcome;
}

std::optional<Installation> AppCoreTest::installed()
{
    auto installation = m_core->registry().installation(fluxcad, fluxCli);
    return installation ? *installation : std::nullopt;
}

QString AppCoreTest::toolFolder() const
{
    return m_dir.filePath(QStringLiteral("tools/fluxcad/flux-cli"));
}

QJsonArray AppCoreTest::reportedInstallations()
{
    QJsonArray items;
    bool answered = false;
    m_core->api()->get(QStringLiteral("/api/v1/installations"), this, [&](const ApiReply &reply) {
        if (reply.ok()) {
            items = QJsonDocument::fromJson(reply.body)
                        .object()
                        .value(QLatin1String("items"))
                        .toArray();
        } else {
            qWarning() << "installations:" << reply.status << reply.body;
        }
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, 30000)) {
        qWarning() << "GET /api/v1/installations was not answered";
    }
    return items;
}

void AppCoreTest::signInPinsTheKeyAndIsRemembered()
{
    QVERIFY(!m_core->isSignedIn());
    QUrl opened;
    BrowserSignIn *signIn = m_core->signIn([&opened](const QUrl &url) {
        opened = url;
        return true;
    });
    QVERIFY(signIn);
    QSignalSpy signedIn(m_core.get(), &AppCore::signedInChanged);
    signIn->start();
    QVERIFY(opened.isValid());
    TestBrowser browser;
    const auto answer =
        browser.signIn(*m_server, opened, QStringLiteral("alice.archer@acme.example"),
                       QStringLiteral("acme-demo-1"));
    QCOMPARE(answer.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(m_core->isSignedIn(), 30000);
    QVERIFY(signedIn.count() >= 1);

    // The server's signing key is pinned (no key was preset).
    const QString origin = m_server->url(QString()).adjusted(QUrl::RemovePath).toString();
    QTRY_VERIFY_WITH_TIMEOUT(m_core->registry().pinnedKey(origin).ok() &&
                                 m_core->registry().pinnedKey(origin)->has_value(),
                             30000);
    QCOMPARE(**m_core->registry().pinnedKey(origin), m_serverKey);
    QVERIFY(m_core->canRememberSignIn());

    // A second start of the app signs in from the keychain. (Its first refresh rotates the
    // refresh token, so the first core's must be given up: it is the one that continues.)
    m_core.reset();
    m_core = makeCore();
    bool restored = false;
    bool answered = false;
    m_core->restoreSignIn([&](bool ok) {
        restored = ok;
        answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 30000);
    QVERIFY(restored);
    QVERIFY(m_core->isSignedIn());
}

void AppCoreTest::catalogOnlineAndFromTheKeptCopy()
{
    QSignalSpy changed(m_core.get(), &AppCore::catalogChanged);
    QCOMPARE(run(m_core->loadCatalog()).state, Task::State::Succeeded);
    QCOMPARE(changed.count(), 1);
    const Catalog &catalog = m_core->catalog();
    QVERIFY(!catalog.offline);
    const CatalogTool *tool = catalog.tool(fluxcad, fluxCli);
    QVERIFY(tool);
    QCOMPARE(QString::fromStdString(tool->newest(toolhub::Channel::Stable)->version.toString()),
             QStringLiteral("2.0.0"));
    QVERIFY(tool->releases.size() >= 3);
    const CatalogProduct *product = catalog.product(fluxcad);
    QVERIFY(!product->documents.empty() || !product->tutorials.empty());
    // ACME's serial numbers, and only ACME's.
    QCOMPARE(product->licenses.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(product->licenses.front().serial),
             QStringLiteral("FLX-ACME-2F7K-9QWD"));
    QVERIFY(catalog.product(QStringLiteral("meshlab-pro")));

    // The same catalog from the kept copy alone, without asking the server.
    auto *cached = m_core->loadCatalog(/*cachedOnly*/ true);
    QCOMPARE(run(cached).state, Task::State::Succeeded);
    QVERIFY(!m_core->catalog().offline);
    QVERIFY(m_core->catalog().tool(fluxcad, fluxCli));
    QCOMPARE(m_core->catalog().products.size(), catalog.products.size());
}

void AppCoreTest::installUpdateRollBackVerifyRepairRemove()
{
    QCOMPARE(run(m_core->loadCatalog()).state, Task::State::Succeeded);
    // Install without a version: the newest stable.
    QSignalSpy catalogChanged(m_core.get(), &AppCore::catalogChanged);
    auto outcome = run(m_core->install(fluxcad, fluxCli));
    QVERIFY2(outcome.state == Task::State::Succeeded, qPrintable(outcome.message));
    QCOMPARE(installed()->version, QStringLiteral("2.0.0"));
    QVERIFY(catalogChanged.count() >= 1);
    QCOMPARE(m_core->catalog().tool(fluxcad, fluxCli)->installed->version, QStringLiteral("2.0.0"));

    // Roll back to the previous offered version, then update to the newest again.
    outcome = run(m_core->rollBack(fluxcad, fluxCli));
    QVERIFY2(outcome.state == Task::State::Succeeded, qPrintable(outcome.message));
    QCOMPARE(installed()->version, QStringLiteral("1.0.1"));
    QVERIFY(!QFileInfo::exists(toolFolder() + QStringLiteral("/2.0.0")));
    outcome = run(m_core->update(fluxcad, fluxCli));
    QVERIFY2(outcome.state == Task::State::Succeeded, qPrintable(outcome.message));
    QCOMPARE(installed()->version, QStringLiteral("2.0.0"));

    // The server knows what is installed here.
    QJsonArray reported;
    QTRY_VERIFY_WITH_TIMEOUT((reported = reportedInstallations()).size() == 1, 30000);
    QCOMPARE(reported.first().toObject().value(QLatin1String("tool")).toString(), fluxCli);
    QCOMPARE(reported.first().toObject().value(QLatin1String("version")).toString(),
             QStringLiteral("2.0.0"));
    QCOMPARE(reported.first().toObject().value(QLatin1String("machine_id")).toString(),
             m_core->settings().clientId());

    // A changed file is found, and repaired to exactly what was installed.
    const Installation before = *installed();
    const InstalledFile &victim = before.files.front();
    const QString path = before.folder + QLatin1Char('/') + victim.path;
    QByteArray original;
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        original = file.readAll();
    }
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
        file.write("tampered");
    }
    auto *check = qobject_cast<VerifyTask *>(m_core->verify(fluxcad, fluxCli, false));
    QVERIFY(check);
    std::vector<DamagedFile> damaged;
    connect(check, &Task::succeeded, this, [&damaged, check] { damaged = check->damaged(); });
    QCOMPARE(run(check).state, Task::State::Succeeded);
    QCOMPARE(damaged.size(), std::size_t(1));
    QCOMPARE(damaged.front().path, victim.path);

    auto *repair = qobject_cast<VerifyTask *>(m_core->verify(fluxcad, fluxCli, true));
    bool repaired = false;
    connect(repair, &Task::succeeded, this, [&repaired, repair] { repaired = repair->repaired(); });
    outcome = run(repair);
    QVERIFY2(outcome.state == Task::State::Succeeded, qPrintable(outcome.message));
    QVERIFY(repaired);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), original);
    }
    QCOMPARE(installed()->files, before.files);

    // Remove: the files, the record, the server's entry.
    outcome = run(m_core->remove(fluxcad, fluxCli));
    QVERIFY2(outcome.state == Task::State::Succeeded, qPrintable(outcome.message));
    QVERIFY(!installed());
    QVERIFY(!QFileInfo::exists(before.folder));
    QVERIFY(!m_core->catalog().tool(fluxcad, fluxCli)->installed);
    QTRY_VERIFY_WITH_TIMEOUT(reportedInstallations().isEmpty(), 30000);
}

void AppCoreTest::sameRequestTwiceIsOneTask()
{
    Task *first = m_core->install(fluxcad, fluxCli, QStringLiteral("1.0.0"));
    Task *second = m_core->install(fluxcad, fluxCli, QStringLiteral("1.0.0"));
    QCOMPARE(first, second);
    Task *other = m_core->install(fluxcad, fluxCli, QStringLiteral("1.0.1"));
    QVERIFY(other != first);
    QCOMPARE(run(first).state, Task::State::Succeeded);
    QCOMPARE(run(other).state, Task::State::Succeeded); // after the first: one tool at a time
    QCOMPARE(installed()->version, QStringLiteral("1.0.1"));
    QCOMPARE(run(m_core->remove(fluxcad, fluxCli)).state, Task::State::Succeeded);
}

void AppCoreTest::requestsThatCannotBeDoneFailWithTheReason()
{
    QCOMPARE(run(m_core->loadCatalog()).state, Task::State::Succeeded);
    auto outcome = run(m_core->install(fluxcad, QStringLiteral("no-such-tool")));
    QCOMPARE(outcome.state, Task::State::Failed);
    QCOMPARE(outcome.error, TaskError::NotEntitled);
    QVERIFY(outcome.message.contains(QStringLiteral("no-such-tool")));

    // A release that is not offered: the server refuses the manifest.
    outcome = run(m_core->install(fluxcad, fluxCli, QStringLiteral("9.9.9")));
    QCOMPARE(outcome.state, Task::State::Failed);
    QCOMPARE(outcome.error, TaskError::NotEntitled);

    outcome = run(m_core->update(fluxcad, fluxCli));
    QCOMPARE(outcome.state, Task::State::Failed);
    QVERIFY(outcome.message.contains(QStringLiteral("not installed")));
    outcome = run(m_core->remove(fluxcad, fluxCli));
    QCOMPARE(outcome.state, Task::State::Failed);

    QCOMPARE(run(m_core->install(fluxcad, fluxCli, QStringLiteral("1.0.0"))).state,
             Task::State::Succeeded);
    outcome = run(m_core->rollBack(fluxcad, fluxCli));
    QCOMPARE(outcome.state, Task::State::Failed); // nothing older than 1.0.0
    outcome = run(m_core->rollBack(fluxcad, fluxCli, QStringLiteral("2.0.0")));
    QCOMPARE(outcome.state, Task::State::Failed); // not older
    QCOMPARE(installed()->version, QStringLiteral("1.0.0"));
    QCOMPARE(run(m_core->remove(fluxcad, fluxCli)).state, Task::State::Succeeded);
}

void AppCoreTest::presetKeyThatDoesNotMatchInstallsNothing()
{
    // IT preset a key the server does not sign with: no manifest verifies.
    QByteArray wrong(32, '\x11');
    auto core =
        makeCore({{QStringLiteral("server/public_key"), QString::fromLatin1(wrong.toBase64())}});
    std::swap(core, m_core);
    bool answered = false;
    m_core->restoreSignIn([&](bool) { answered = true; });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 30000);
    QVERIFY(m_core->isSignedIn());
    QCOMPARE(run(m_core->loadCatalog()).state, Task::State::Succeeded);
    const auto outcome = run(m_core->install(fluxcad, fluxCli));
    QCOMPARE(outcome.state, Task::State::Failed);
    QCOMPARE(outcome.error, TaskError::Signature);
    QVERIFY(!installed());
    QVERIFY(!QFileInfo::exists(toolFolder()) || QDir(toolFolder()).isEmpty());
    std::swap(core, m_core);
}

void AppCoreTest::offlineShowsTheKeptCatalogAndInstallsNothing()
{
    QCOMPARE(run(m_core->loadCatalog()).state, Task::State::Succeeded);
    QCOMPARE(run(m_core->install(fluxcad, fluxCli, QStringLiteral("1.0.1"))).state,
             Task::State::Succeeded);
    const std::size_t products = m_core->catalog().products.size();
    const QDateTime before = QDateTime::currentDateTimeUtc();

    QCOMPARE(m_server->terminate(), 0);
    QSignalSpy offline(m_core.get(), &AppCore::offlineChanged);
    QCOMPARE(run(m_core->loadCatalog()).state, Task::State::Succeeded);
    QVERIFY(m_core->catalog().offline);
    QVERIFY(m_core->isOffline());
    QCOMPARE(offline.count(), 1);
    QCOMPARE(m_core->catalog().products.size(), products);
    QVERIFY(m_core->catalog().fetchedAt <= before); // as old as the kept copy
    QCOMPARE(m_core->catalog().tool(fluxcad, fluxCli)->installed->version, QStringLiteral("1.0.1"));

    const auto outcome = run(m_core->update(fluxcad, fluxCli));
    QCOMPARE(outcome.state, Task::State::Failed);
    QCOMPARE(outcome.error, TaskError::Network);
    QCOMPARE(installed()->version, QStringLiteral("1.0.1"));
}

void AppCoreTest::signOutForgetsTheSignIn()
{
    // Signed in since the first test; the server is gone since the last one: signing out still
    // forgets everything here at once (the server cannot be told, which is logged).
    QVERIFY(m_core->isSignedIn());
    m_core->signOut();
    QVERIFY(!m_core->isSignedIn());
    // What is installed still shows; the catalog copy of the server is gone.
    QVERIFY(m_core->catalog().tool(fluxcad, fluxCli)->installed);
    QVERIFY(m_core->catalog().tool(fluxcad, fluxCli)->releases.empty());
    const QString origin = m_server->url(QString()).adjusted(QUrl::RemovePath).toString();
    auto copy =
        m_core->registry().cachedResponse(origin, QStringLiteral("/api/v1/products?limit=200"));
    QVERIFY(copy.ok() && !copy->has_value());

    // The keychain entry went with it. (The store runs its operations in order: this read
    // comes after the removal.)
    bool answered = false;
    bool restored = true;
    m_core->restoreSignIn([&](bool ok) {
        restored = ok;
        answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 30000);
    QVERIFY(!restored);
    // And so the next start is signed out.
    m_core.reset();
    m_core = makeCore();
    answered = false;
    restored = true;
    m_core->restoreSignIn([&](bool ok) {
        restored = ok;
        answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 30000);
    QVERIFY(!restored);
}

QTEST_GUILESS_MAIN(AppCoreTest)
#include "app_core_test.moc"
