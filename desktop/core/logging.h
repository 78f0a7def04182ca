#pragma once

#include <QLoggingCategory>

// The app's logging categories, one per part: QT_LOGGING_RULES="toolhub.net.*=true" and the
// like select what is shown.
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)  // toolhub.secrets
Q_DECLARE_LOGGING_CATEGORY(lcDownload) // toolhub.net.download
Q_DECLARE_LOGGING_CATEGORY(lcApi)      // toolhub.net.api
Q_DECLARE_LOGGING_CATEGORY(lcArchive)  // toolhub.archive
Q_DECLARE_LOGGING_CATEGORY(lcAuth)     // toolhub.auth
Q_DECLARE_LOGGING_CATEGORY(lcRegistry) // toolhub.registry
Q_DECLARE_LOGGING_CATEGORY(lcInstall)  // toolhub.install
