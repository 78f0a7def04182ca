#include "ui/window_app.h"

#include "core/app/app_core.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QMessageBox>

int runWindow()
{
    QApplication::setApplicationDisplayName(QObject::tr("Toolhub"));
    auto core = AppCore::create({});
    if (!core) {
        QMessageBox::critical(nullptr, QObject::tr("Toolhub cannot start"),
                              QObject::tr("Toolhub cannot open its data on this computer: %1")
                                  .arg(QString::fromStdString(core.error().message)));
        return 1;
    }
    MainWindow window(**core);
    window.show();
    window.start();
    return QApplication::exec();
}
