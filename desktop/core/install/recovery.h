#pragma once

#include <QString>
#include <QStringList>

// What putting the install root back in order did, for the log.
struct RecoveryReport {
    QStringList removed;  // staging folders, versions moved aside and replaced
    QStringList restored; // a version moved aside for a reinstall, renamed back
};

// Puts <root>/<product>/<tool>/ back in order after a run that ended in the middle of an install
// (killed, power lost), following the steps of InstallTask's commit:
//   ".<version>.staging-*"                 unpacking never finished: removed
//   "<version>.old-*" without "<version>"  moved aside, the new one never arrived: renamed back
//   "<version>.old-*" beside "<version>"   the new one is in place: removed
// then folders of tools and products left empty. Nothing else is touched: a root may hold other
// things, and a replaced version's folder may keep files the user added. (A version committed
// but never recorded stays until it is installed again, which replaces it.) Only for a root no
// other process is installing into (AppCore holds a lock file while it works on tools). Blocks:
// a few directory listings.
[[nodiscard]] RecoveryReport recoverInstallRoot(const QString &root);
