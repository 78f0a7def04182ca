// toolhub-bench-start: how fast the desktop app's main window opens on the catalog kept from an
// earlier run, and how much memory it then holds, for bench-start.sh; and the same for a bare
// QApplication with an empty QWidget as the reference.
//
//   toolhub-bench-start prepare FOLDER SERVER_URL
//       Reads the whole catalog from the server as the app does (kept in FOLDER/data for
//       offline use) and writes FOLDER/settings/user.ini naming the server.
//       TOOLHUB_BENCH_TOKEN: the access token.
//   toolhub-bench-start window FOLDER
//       Opens MainWindow over an AppCore on FOLDER as the app does at start-up; once the product
//       list has painted the kept catalog, prints "MS RSS_KB PRODUCTS" and quits.
//   toolhub-bench-start reference
//       Shows an empty QWidget of the window's size; once painted, prints "MS RSS_KB 0".
//
// MS counts from the start of main(); RSS_KB is VmRSS of /proc/self/status at that moment.

#include "core/api/api_client.h"
#include "core/app/app_core.h"
#include "core/catalog/catalog_loader.h"
#include "ui/main_window.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEvent>
#include <QFile>
#include <QListView>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <memory>

namespace {

constexpr int giveUpMs = 20000;

qint64 residentKilobytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

// Calls `painted` once, after the first paint of `widget` for which `ready` holds has ended.
class PaintWatch : public QObject {
public:
    PaintWatch(QWidget *widget, std::function<bool()> ready, std::function<void()> painted)
        : QObject(widget), m_ready(std::move(ready)), m_painted(std::move(painted))
    {
        widget->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_seen && m_ready()) {
            m_seen = true;
            // The filter runs before the widget paints: report once this paint is done.
            QTimer::singleShot(0, this, m_painted);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<bool()> m_ready;
    std::function<void()> m_painted;
    bool m_seen = false;
};

std::unique_ptr<Settings> settingsIn(const QString &folder)
{
    return std::make_unique<Settings>(
        std::make_unique<QSettings>(folder + QStringLiteral("/settings/user.ini"),
                                    QSettings::IniFormat),
        std::make_unique<QSettings>(folder + QStringLiteral("/settings/managed.ini"),
                                    QSettings::IniFormat));
}

int prepare(const QString &folder, const QUrl &server)
{
    auto settings = settingsIn(folder);
    if (const QString refused = settings->setServerUrl(server); !refused.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(refused));
        return 1;
    }
    if (!QDir().mkpath(folder + QStringLiteral("/data"))) {
        std::fprintf(stderr, "cannot create %s/data\n", qPrintable(folder));
        return 1;
    }
    auto registry = Registry::open(folder + QStringLiteral("/data/toolhub.db"));
    if (!registry) {
        std::fprintf(stderr, "%s\n", registry.error().message.c_str());
        return 1;
    }
    const QByteArray token = qgetenv("TOOLHUB_BENCH_TOKEN");
    QNetworkAccessManager network;
    ApiClient api(
        network, settings->serverUrl(), [&token] { return token; }, **registry);
    CatalogLoader loader(api, **registry);
    int status = 1;
    QObject::connect(&loader, &Task::succeeded, [&] {
        std::printf("%zu\n", loader.catalog().products.size());
        status = loader.catalog().products.empty() || loader.catalog().offline ? 1 : 0;
        QCoreApplication::quit();
    });
    QObject::connect(&loader, &Task::failed, [](TaskError, const QString &message) {
        std::fprintf(stderr, "reading the catalog failed: %s\n", qPrintable(message));
        QCoreApplication::quit();
    });
    loader.start();
    QCoreApplication::exec();
    return status;
}

// Prints what was measured and quits.
void report(const QElapsedTimer &clock, qsizetype products)
{
    std::printf("%lld %lld %lld\n", static_cast<long long>(clock.elapsed()),
                static_cast<long long>(residentKilobytes()), static_cast<long long>(products));
    std::fflush(stdout);
    QCoreApplication::quit();
}

int window(const QElapsedTimer &clock, const QString &folder)
{
    AppCore::Options options;
    options.dataDir = folder + QStringLiteral("/data");
    options.cacheDir = folder + QStringLiteral("/cache");
    options.settings = settingsIn(folder);
    options.keychainService = QStringLiteral("ToolhubBench");
    auto core = AppCore::create(std::move(options));
    if (!core) {
        std::fprintf(stderr, "%s\n", core.error().message.c_str());
        return 1;
    }
    MainWindow main(**core);
    auto *list = main.findChild<QListView *>(QStringLiteral("productList"));
    if (!list) {
        std::fprintf(stderr, "the window has no product list\n");
        return 1;
    }
    new PaintWatch(
        list->viewport(), [list] { return list->model()->rowCount() > 0; },
        [&clock, list] { report(clock, list->model()->rowCount()); });
    main.show();
    main.start();
    int status = 0;
    QTimer::singleShot(giveUpMs, &main, [&status] {
        std::fprintf(stderr, "the window did not show the kept catalog\n");
        status = 1;
        QCoreApplication::quit();
    });
    QApplication::exec();
    return status;
}

int reference(const QElapsedTimer &clock)
{
    QWidget widget;
    widget.resize(1100, 700);
    new PaintWatch(
        &widget, [] { return true; }, [&clock] { report(clock, 0); });
    widget.show();
    return QApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QElapsedTimer clock;
    clock.start();
    const QString mode = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (mode == QLatin1String("prepare") && argc == 4) {
        QCoreApplication app(argc, argv);
        return prepare(QString::fromLocal8Bit(argv[2]),
                       QUrl(QString::fromLocal8Bit(argv[3]), QUrl::StrictMode));
    }
    if (mode == QLatin1String("window") && argc == 3) {
        QCoreApplication::setOrganizationName(QStringLiteral("Toolhub"));
        QCoreApplication::setApplicationName(QStringLiteral("toolhub"));
        QApplication app(argc, argv);
        return window(clock, QString::fromLocal8Bit(argv[2]));
    }
    if (mode == QLatin1String("reference") && argc == 2) {
        QApplication app(argc, argv);
        return reference(clock);
    }
    std::fprintf(stderr, "usage: toolhub-bench-start prepare FOLDER SERVER_URL\n"
                         "       toolhub-bench-start window FOLDER\n"
                         "       toolhub-bench-start reference\n");
    return 2;
}
