#include "core/install/manifest_check.h"

#include "core/logging.h"

#include <QCoreApplication>

#include <nlohmann/json.hpp>

#include <span>

using toolhub::fail;
using toolhub::ManifestErrorKind;
using toolhub::ReleaseManifest;

namespace {

ManifestRefusal refusal(TaskError error, const QString &message)
{
    return {error, message};
}

QString tr(const char *text)
{
    return QCoreApplication::translate("ManifestCheck", text);
}

} // namespace

toolhub::Result<ReleaseManifest, ManifestRefusal>
checkManifest(const QByteArray &body, const QByteArray &publicKey,
              const ManifestExpectation &expected, Registry &registry,
              std::chrono::system_clock::time_point now)
{
    if (static_cast<std::size_t>(body.size()) > 2 * toolhub::kMaxManifestPayload) {
        return fail(refusal(TaskError::Server, tr("The release information is too large.")));
    }
    const auto json = nlohmann::json::parse(body.cbegin(), body.cend(), nullptr, false);
    if (json.is_discarded()) {
        return fail(refusal(TaskError::Server, tr("The release information cannot be read.")));
    }
    auto signedManifest = toolhub::signedManifestFromJson(json);
    if (!signedManifest) {
        return fail(refusal(TaskError::Server,
                            tr("The release information cannot be read: %1")
                                .arg(QString::fromStdString(signedManifest.error().message))));
    }
    const auto key = std::as_bytes(std::span(publicKey.constData(), std::size_t(publicKey.size())));
    auto manifest = toolhub::verifyManifest(*signedManifest, key);
    if (!manifest) {
        const auto &error = manifest.error();
        const TaskError code =
            error.kind == ManifestErrorKind::Malformed ? TaskError::Server : TaskError::Signature;
        qCWarning(lcInstall) << "manifest refused:" << QString::fromStdString(error.message);
        return fail(refusal(code, QString::fromStdString(error.message)));
    }
    // A genuine manifest of another release (swapped in transit or by a confused server) must
    // not install instead of the one asked for.
    const QString version = QString::fromStdString(manifest->version.toString());
    if (QString::fromStdString(manifest->product) != expected.product ||
        QString::fromStdString(manifest->tool) != expected.tool ||
        (!expected.version.isEmpty() && version != expected.version)) {
        return fail(refusal(TaskError::Signature,
                            tr("The signed release information is for %1/%2 %3, not for the "
                               "release asked for.")
                                .arg(QString::fromStdString(manifest->product),
                                     QString::fromStdString(manifest->tool), version)));
    }
    auto highest =
        registry.highestManifestVersion(expected.server, expected.product, expected.tool, version);
    if (!highest) {
        return fail(
            refusal(TaskError::FileSystem, QString::fromStdString(highest.error().message)));
    }
    if (auto fresh = toolhub::checkFreshness(*manifest, now, *highest); !fresh) {
        const TaskError code = fresh.error().kind == ManifestErrorKind::Expired
                                   ? TaskError::ManifestExpired
                                   : TaskError::ManifestRollback;
        qCWarning(lcInstall) << "manifest refused:"
                             << QString::fromStdString(fresh.error().message);
        return fail(refusal(code, QString::fromStdString(fresh.error().message)));
    }
    if (auto accepted = registry.acceptManifestVersion(
            expected.server, expected.product, expected.tool, version, manifest->manifestVersion);
        !accepted) {
        return fail(
            refusal(TaskError::FileSystem, QString::fromStdString(accepted.error().message)));
    }
    return std::move(manifest).value();
}
