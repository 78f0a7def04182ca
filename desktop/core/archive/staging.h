#pragma once

#include "core/task.h"
#include "toolhub/result.h"

#include <QString>

// Why a step on a staging folder failed: a code for the program, a sentence for the person.
struct StagingError {
    TaskError code = TaskError::Internal;
    QString message;
};

// A fresh path for the staging folder of finalDir: a hidden sibling
// ("<parent>/.<name>.staging-<random>"), so it lies on the same file system and
// commitStaging() is one rename. The folder is not created.
[[nodiscard]] QString stagingPathFor(const QString &finalDir);

// Moves the finished stagingDir to finalDir with one rename(2): finalDir appears complete or not
// at all, and nothing is ever copied. It fails, moving nothing, when finalDir exists (even as an
// empty folder, which a plain rename(2) would replace), when stagingDir is not a folder, or when
// the two are on different file systems.
//
// An update does not replace finalDir here; the caller swaps with renames, each atomic:
//   1. rename finalDir to a sibling "<final>.old-<random>"   the old version stays whole
//   2. commitStaging(staging, finalDir)                      on failure, rename the old one back
//   3. removeTree(old) once the new version is recorded
// finalDir is missing only between 1 and 2; a start-up check that finds "<final>.old-*" without
// "<final>" renames it back. (Linux's renameat2(RENAME_EXCHANGE) could swap in one step.)
[[nodiscard]] toolhub::Result<void, StagingError> commitStaging(const QString &stagingDir,
                                                                const QString &finalDir);

// Removes path and everything below it without following symbolic links (a link is removed,
// never what it points to). True when nothing is left at path.
bool removeTree(const QString &path);
