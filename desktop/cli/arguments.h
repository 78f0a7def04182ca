#pragma once

#include "toolhub/result.h"

#include <QString>
#include <QStringList>

#include <optional>

// The commands of `toolhub <command>`.
enum class Command {
    Help,
    Version,
    List,
    Install,
    Update,
    RollBack,
    Remove,
    Verify,
    SignIn,
    SignOut,
    Status
};

// A tool as the user named it: "<product>/<tool>[@<version>]", or "<tool>[@<version>]" when only
// one product has a tool of that name. Identifiers and the version are well formed.
struct ToolReference {
    QString product; // empty: the product is found by the tool's name
    QString tool;
    QString version; // empty: the command's default

    // "fluxcad/flux-cli" or "flux-cli", without the version.
    [[nodiscard]] QString name() const;
};

// One command line, validated: the command and what it was given.
struct Invocation {
    Command command = Command::Help;
    bool json = false;          // --json: one JSON document on stdout
    bool installedOnly = false; // list --installed
    bool all = false;           // update --all
    bool repair = false;        // verify --repair
    std::optional<ToolReference> tool;
    QString server; // sign-in --server <url>
};

// A command line that cannot be run as written; `message` is one sentence for a person.
struct UsageError {
    QString message;
    bool json = false; // --json was among the arguments: say it in JSON too
};

// Reads QCoreApplication::arguments() (the program first); Qt's own options are skipped.
[[nodiscard]] toolhub::Result<Invocation, UsageError> parseArguments(const QStringList &arguments);

// Whether `arguments` (the program first) hold anything but Qt's window options ("-platform
// xcb", "-style=fusion", ...): a command, an option of the command line, or an unknown word.
// "--link <toolhub:// link>" alone asks for the window.
[[nodiscard]] bool asksForCommandLine(const QStringList &arguments);

// The command's name as typed ("rollback", "sign-in").
[[nodiscard]] QString commandName(Command command);

// What --help prints, the exit codes included.
[[nodiscard]] QString usageText();
