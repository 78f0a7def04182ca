// toolhub: the window without arguments or with --link <toolhub:// link>, the command line with a
// command. One window per user: a second start hands its link (or "show the window") to the
// running one over the per-user local socket and ends.

#include "cli/command_line.h"
#include "core/app/app_core.h"
#include "core/app/instance.h"
#include "toolhub/link.h"
#include "ui/link_controller.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFileOpenEvent>
#include <QMessageBox>
#include <QPointer>

#include <chrono>
#include <cstdio>
#include <optional>

namespace {

using namespace std::chrono_literals;

// How long a second start waits for the running window to take its request.
constexpr auto forwardTimeout = 5s;

// The text after --link (or --link=), as given; nullopt without --link.
std::optional<QString> linkArgument(const QStringList &arguments)
{
    for (qsizetype index = 1; index < arguments.size(); ++index) {
        const QString &word = arguments.at(index);
        if (word == QLatin1String("--link") && index + 1 < arguments.size()) {
            return arguments.at(index + 1);
        }
        if (word.startsWith(QLatin1String("--link="))) {
            return word.mid(QLatin1String("--link=").size());
        }
    }
    return std::nullopt;
}

// macOS hands a toolhub:// link to the running app as a QFileOpenEvent; elsewhere none comes.
class LinkOpenFilter : public QObject {
public:
    LinkOpenFilter(LinkController &links, QObject *parent) : QObject(parent), m_links(&links) {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::FileOpen || !m_links) {
            return QObject::eventFilter(watched, event);
        }
        const QUrl url = static_cast<QFileOpenEvent *>(event)->url();
        if (url.scheme().compare(QLatin1String("toolhub"), Qt::CaseInsensitive) != 0) {
            return QObject::eventFilter(watched, event);
        }
        auto parsed = toolhub::parseLink(url.toString(QUrl::FullyEncoded).toStdString());
        if (parsed) {
            m_links->handle(*parsed);
        } else {
            m_links->refuse(QString::fromStdString(parsed.error().message));
        }
        return true;
    }

private:
    QPointer<LinkController> m_links;
};

int runWindowApp()
{
    QApplication::setApplicationDisplayName(QObject::tr("Toolhub"));
    const std::optional<QString> link = linkArgument(QCoreApplication::arguments());
    std::optional<toolhub::Result<toolhub::LinkRequest, toolhub::LinkError>> parsed;
    if (link) {
        parsed.emplace(toolhub::parseLink(link->toStdString()));
    }

    const QString instanceName = defaultInstanceName();
    const bool refusedLink = parsed && !parsed->ok();
    if (!refusedLink) {
        const toolhub::ForwardedMessage message =
            parsed ? toolhub::ForwardedMessage(parsed->value())
                   : toolhub::ForwardedMessage(toolhub::ShowWindow{});
        if (forwardToRunningInstance(instanceName, message, forwardTimeout)) {
            return 0;
        }
    }

    InstanceServer instance(instanceName);
    if (auto listened = instance.listen(); !listened) {
        if (listened.error().code == toolhub::ErrorCode::Conflict && refusedLink) {
            // A window runs already; this start only has a refused link to tell about.
            QMessageBox::warning(nullptr, QObject::tr("Toolhub did not open the link"),
                                 QString::fromStdString(parsed->error().message));
            return 2;
        }
        // Still a window, only one that links cannot reach.
        std::fprintf(stderr, "toolhub: %s\n", listened.error().message.c_str());
    }

    auto core = AppCore::create({});
    if (!core) {
        QMessageBox::critical(nullptr, QObject::tr("Toolhub cannot start"),
                              QObject::tr("Toolhub cannot open its data on this computer: %1")
                                  .arg(QString::fromStdString(core.error().message)));
        return 1;
    }
    MainWindow window(**core);
    LinkController *links = window.links();
    QObject::connect(&instance, &InstanceServer::linkRequested, links, &LinkController::handle);
    QObject::connect(&instance, &InstanceServer::showRequested, links, &LinkController::show);
    qApp->installEventFilter(new LinkOpenFilter(*links, qApp));
    window.show();
    window.start();
    if (parsed) {
        if (parsed->ok()) {
            links->handle(parsed->value());
        } else {
            links->refuse(QString::fromStdString(parsed->error().message));
        }
    }
    return QApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setOrganizationName(QStringLiteral("Toolhub"));
    QCoreApplication::setApplicationName(QStringLiteral("toolhub"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOOLHUB_VERSION));
    if (isCommandLine(argc, argv)) {
        QCoreApplication app(argc, argv);
        return runCommandLine(QCoreApplication::arguments());
    }
    QApplication app(argc, argv);
    return runWindowApp();
}
