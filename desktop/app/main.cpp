// toolhub: the window without arguments, the command line with a command.

#include "cli/command_line.h"
#include "ui/window_app.h"

#include <QApplication>
#include <QCoreApplication>

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
    return runWindow();
}
