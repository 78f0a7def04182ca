#pragma once

#include <QStringList>

// Whether these arguments ask for the command line (a command, --help or --version) rather
// than the window. Looks at argv only: no QCoreApplication exists yet.
[[nodiscard]] bool isCommandLine(int argc, char *argv[]);

// Runs one command of `toolhub <command> [options]` (QCoreApplication::arguments()) to its end
// and returns the process exit code. Needs a QCoreApplication.
[[nodiscard]] int runCommandLine(const QStringList &arguments);
