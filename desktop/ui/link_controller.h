#pragma once

#include "toolhub/link.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <vector>

class AppCore;
class LinkConfirmDialog;
class MainWindow;
class Task;

// What the window does with a toolhub:// link, handed over by toolhub-open or a second start
// (InstanceServer) or given with --link. Links wait while the window resumes the sign-in, waits
// for the browser or reads the catalog; then:
//
//   install  --signed out--> sign in through the browser --did not work--> notice, dropped
//            --product or tool not in the catalog--> notice: not licensed
//            --version (given, else newest on the link's channel, else stable)--+
//            +--portal trusted by IT--> queued at once (the tasks panel says so)
//            \--otherwise--> LinkConfirmDialog --Install--> queued
//                                              \--Cancel--> nothing
//   open     --> the product selected, the window raised (not in the catalog: notice)
//   project  --> notice: project toolsets are not available yet
//
// The same install asked again while one is pending (waiting, its dialog open, or queued and not
// finished) is merged into it: the dialog or the window is raised, nothing is queued twice.
class LinkController : public QObject {
    Q_OBJECT

public:
    LinkController(AppCore &core, MainWindow &window);
    ~LinkController() override;

    // Acts on a parsed, validated link (see above).
    void handle(const toolhub::LinkRequest &request);
    // A link that was refused before it got here (a malformed --link): says so, does nothing.
    void refuse(const QString &reason);
    // Brings the window up: shown, raised, activated.
    void show();

Q_SIGNALS:
    // A confirmation dialog was shown (for the tests' timing).
    void confirmationShown(LinkConfirmDialog *dialog);

private:
    void scheduleAdvance();
    void advance();
    void act(const toolhub::LinkRequest &request);
    void install(const toolhub::LinkRequest &request);
    void open(const toolhub::LinkRequest &request);
    void confirm(const QString &product, const QString &tool, const QString &version);
    void queue(const QString &product, const QString &tool, const QString &version, bool trusted);
    void readDownloadSize(LinkConfirmDialog *dialog, const QString &tool, const QString &version);
    [[nodiscard]] QString publisher(const QString &product) const;

    AppCore &m_core;
    MainWindow &m_window;
    std::vector<toolhub::LinkRequest> m_waiting; // until signed in with a catalog
    bool m_signInStarted = false;                // for the links waiting now
    bool m_advanceScheduled = false;
    // "product/tool/version" -> what is pending for it.
    QHash<QString, QPointer<LinkConfirmDialog>> m_dialogs;
    QHash<QString, QPointer<Task>> m_queued;
};
