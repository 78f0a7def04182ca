#include "core/logging.h"

Q_LOGGING_CATEGORY(lcSecrets, "toolhub.secrets")
Q_LOGGING_CATEGORY(lcDownload, "toolhub.net.download")
Q_LOGGING_CATEGORY(lcApi, "toolhub.net.api")
Q_LOGGING_CATEGORY(lcArchive, "toolhub.archive")
Q_LOGGING_CATEGORY(lcAuth, "toolhub.auth")
Q_LOGGING_CATEGORY(lcRegistry, "toolhub.registry")
Q_LOGGING_CATEGORY(lcInstall, "toolhub.install")
