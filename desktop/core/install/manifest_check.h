#pragma once

#include "core/registry/registry.h"
#include "core/task.h"
#include "toolhub/manifest.h"
#include "toolhub/result.h"

#include <QByteArray>
#include <QString>

#include <chrono>

// Why a manifest was refused: the TaskError the install reports, and the specifics.
struct ManifestRefusal {
    TaskError error = TaskError::Signature;
    QString message;
};

// What the manifest must describe: the release the user asked for, from this server.
struct ManifestExpectation {
    QString server; // the server's origin, as the registry keys it
    QString product;
    QString tool;
    QString version; // the exact SemVer text asked for, or empty for "any version of the tool"
};

// The one gate a release manifest passes before anything is downloaded: the Ed25519 signature
// with the server's pinned key, that it describes the release asked for, its expiry, and its
// version against the highest accepted before for that release, which it then raises. `body` is
// the server's answer to GET .../manifest (a signed manifest as JSON).
[[nodiscard]] toolhub::Result<toolhub::ReleaseManifest, ManifestRefusal>
checkManifest(const QByteArray &body, const QByteArray &publicKey,
              const ManifestExpectation &expected, Registry &registry,
              std::chrono::system_clock::time_point now);
