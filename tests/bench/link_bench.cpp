// toolhub-bench-link: the running app's side of bench-link.sh. The window as toolhub runs it
// (AppCore, MainWindow, the per-user InstanceServer), signed in through the browser part the
// script plays, then for every toolhub:// install link a handler hands over: the moment its
// confirmation dialog is shown, after which the dialog is canceled.
//
//   toolhub-bench-link FOLDER SERVER_URL COUNT
//       Prints "authorize <url>" (the script signs in there), "ready" once signed in with the
//       catalog shown, then "shown <microseconds since the epoch>" for each of COUNT dialogs,
//       and quits.

#include "core/app/app_core.h"
#include "core/app/instance.h"
#include "ui/link_controller.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QDesktopServices>
#include <QDialog>
#include <QEvent>
#include <QSettings>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <cstdio>
#include <memory>

namespace {

constexpr int giveUpMs = 120000;

void say(const QByteArray &line)
{
    std::printf("%s\n", line.constData());
    std::fflush(stdout);
}

// Where the window's sign-in would open the browser: the script's part instead.
class BrowserStandIn : public QObject {
    Q_OBJECT

public Q_SLOTS:
    void open(const QUrl &url) { say("authorize " + url.toEncoded()); }
};

// Reports each confirmation dialog the moment it is shown, then cancels it.
class DialogWatch : public QObject {
public:
    DialogWatch(int count, QObject *parent) : QObject(parent), m_left(count) {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Show &&
            watched->objectName() == QLatin1String("linkConfirmDialog")) {
            const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch());
            say("shown " + QByteArray::number(static_cast<qint64>(now.count())));
            auto *dialog = qobject_cast<QDialog *>(watched);
            QTimer::singleShot(0, dialog, [dialog] { dialog->reject(); });
            if (--m_left == 0) {
                QTimer::singleShot(0, qApp, &QCoreApplication::quit);
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    int m_left;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Toolhub"));
    QCoreApplication::setApplicationName(QStringLiteral("toolhub"));
    QApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: toolhub-bench-link FOLDER SERVER_URL COUNT\n");
        return 2;
    }
    const QString folder = QString::fromLocal8Bit(argv[1]);
    const QString server = QString::fromLocal8Bit(argv[2]);
    const int count = QByteArray(argv[3]).toInt();

    auto user =
        std::make_unique<QSettings>(folder + QStringLiteral("/user.ini"), QSettings::IniFormat);
    user->setValue(QStringLiteral("server/url"), server);
    user->setValue(QStringLiteral("install/root"), folder + QStringLiteral("/tools"));
    AppCore::Options options;
    options.dataDir = folder + QStringLiteral("/data");
    options.cacheDir = folder + QStringLiteral("/cache");
    options.settings = std::make_unique<Settings>(
        std::move(user),
        std::make_unique<QSettings>(folder + QStringLiteral("/managed.ini"), QSettings::IniFormat));
    options.keychainService = QStringLiteral("ToolhubBench");
    auto core = AppCore::create(std::move(options));
    if (!core) {
        std::fprintf(stderr, "%s\n", core.error().message.c_str());
        return 1;
    }

    BrowserStandIn browser;
    QDesktopServices::setUrlHandler(QStringLiteral("http"), &browser, "open");
    MainWindow window(**core);
    InstanceServer instance(defaultInstanceName());
    if (auto listening = instance.listen(); !listening) {
        std::fprintf(stderr, "%s\n", listening.error().message.c_str());
        return 1;
    }
    QObject::connect(&instance, &InstanceServer::linkRequested, window.links(),
                     &LinkController::handle);
    app.installEventFilter(new DialogWatch(count, &app));

    bool signingIn = false;
    bool ready = false;
    const auto check = [&] {
        if (ready) {
            return;
        }
        if (!(*core)->isSignedIn()) {
            if (!signingIn && !window.isSettling()) {
                signingIn = true;
                window.signIn();
            }
            return;
        }
        if (!window.isSettling() && !(*core)->catalog().products.empty()) {
            ready = true;
            say("ready");
        }
    };
    QObject::connect(&window, &MainWindow::settled, &window, check);
    QObject::connect(&window, &MainWindow::catalogShown, &window, check);
    window.show();
    window.start();
    QTimer::singleShot(0, &window, check);

    int status = 0;
    QTimer::singleShot(giveUpMs, &window, [&status] {
        std::fprintf(stderr, "gave up waiting\n");
        status = 1;
        QCoreApplication::quit();
    });
    QApplication::exec();
    return status;
}

#include "link_bench.moc"
