// toolhub-bench-install: installs one release with the desktop app's InstallTask (manifest
// check, download with hashing, extraction into staging while the bytes arrive, rename,
// registry) and prints the milliseconds it took, for bench-install.sh.
//
//   toolhub-bench-install SERVER_URL PRODUCT TOOL VERSION FOLDER
//       TOOLHUB_BENCH_TOKEN: the access token; TOOLHUB_BENCH_SERVER_KEY: the server's public
//       key (base64). FOLDER gets tools/, cache/ and the registry.

#include "core/api/api_client.h"
#include "core/install/install_task.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QNetworkAccessManager>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 6) {
        std::fprintf(stderr,
                     "usage: toolhub-bench-install SERVER_URL PRODUCT TOOL VERSION FOLDER\n");
        return 2;
    }
    const QByteArray token = qgetenv("TOOLHUB_BENCH_TOKEN");
    const QByteArray key = QByteArray::fromBase64(qgetenv("TOOLHUB_BENCH_SERVER_KEY"));
    const QDir folder(args[5]);
    auto registry = Registry::open(folder.filePath(QStringLiteral("toolhub.db")));
    if (!registry) {
        std::fprintf(stderr, "%s\n", registry.error().message.c_str());
        return 1;
    }
    QNetworkAccessManager network;
    ApiClient api(
        network, QUrl(args[1]), [&token] { return token; }, **registry);
    InstallEnvironment environment;
    environment.api = &api;
    environment.registry = registry->get();
    environment.serverKey = key;
    environment.installRoot = folder.filePath(QStringLiteral("tools"));
    environment.cacheDir = folder.filePath(QStringLiteral("cache"));
    environment.accessToken = [&token] { return token; };
    environment.platform = currentPlatform();
    environment.arch = currentArch();
    InstallTask task({args[2], args[3], args[4]}, environment);
    QElapsedTimer clock;
    int status = 1;
    QObject::connect(&task, &Task::succeeded, &app, [&] {
        std::printf("%lld\n", static_cast<long long>(clock.elapsed()));
        status = 0;
        app.quit();
    });
    QObject::connect(&task, &Task::failed, &app, [&](TaskError, const QString &message) {
        std::fprintf(stderr, "install failed: %s\n", qPrintable(message));
        app.quit();
    });
    clock.start();
    task.start();
    app.exec();
    return status;
}
