#include "cli/arguments.h"

#include "toolhub/api_types.h"
#include "toolhub/semver.h"

#include <QCoreApplication>

#include <array>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("CommandLine", text);
}

UsageError usage(const QString &message, bool json)
{
    return UsageError{message + QLatin1Char(' ') + tr("Run toolhub --help to see the commands."),
                      json};
}

// Qt's options for a window (QGuiApplication, QApplication, the xcb platform), with one or two
// leading dashes; those in the first list take a value, as the next argument or after '='.
constexpr std::array qtOptionsWithValue{
    "platform",
    "platformpluginpath",
    "platformtheme",
    "plugin",
    "qwindowgeometry",
    "qwindowtitle",
    "qwindowicon",
    "display",
    "geometry",
    "title",
    "name",
    "style",
    "stylesheet",
    "session",
};
constexpr std::array qtFlags{"reverse", "widgetcount", "nograb", "dograb", "sync", "testability"};

// How many arguments the Qt option at `index` takes up (0: it is not one of Qt's).
qsizetype qtOptionLength(const QStringList &arguments, qsizetype index)
{
    QString word = arguments.at(index);
    if (!word.startsWith(QLatin1Char('-')) || word == QLatin1String("-") ||
        word == QLatin1String("--")) {
        return 0;
    }
    word.remove(0, word.startsWith(QLatin1String("--")) ? 2 : 1);
    if (word.startsWith(QLatin1String("psn_")) ||
        word.startsWith(QLatin1String("qmljsdebugger="))) {
        return 1; // macOS's process serial number; the QML debugger's settings
    }
    const qsizetype equals = word.indexOf(QLatin1Char('='));
    const QString name = equals < 0 ? word : word.left(equals);
    for (const char *option : qtOptionsWithValue) {
        if (name == QLatin1String(option)) {
            return equals >= 0 || index + 1 >= arguments.size() ? 1 : 2;
        }
    }
    for (const char *flag : qtFlags) {
        if (equals < 0 && name == QLatin1String(flag)) {
            return 1;
        }
    }
    return 0;
}

// The arguments after the program, without Qt's options.
QStringList ownArguments(const QStringList &arguments)
{
    QStringList own;
    for (qsizetype index = 1; index < arguments.size();) {
        const qsizetype length = qtOptionLength(arguments, index);
        if (length > 0) {
            index += length;
            continue;
        }
        own.append(arguments.at(index));
        ++index;
    }
    return own;
}

struct CommandName {
    const char *name;
    Command command;
};
constexpr std::array commandNames{
    CommandName{"list", Command::List},      CommandName{"install", Command::Install},
    CommandName{"update", Command::Update},  CommandName{"rollback", Command::RollBack},
    CommandName{"remove", Command::Remove},  CommandName{"verify", Command::Verify},
    CommandName{"sign-in", Command::SignIn}, CommandName{"sign-out", Command::SignOut},
    CommandName{"status", Command::Status},  CommandName{"help", Command::Help},
};

std::optional<Command> commandNamed(const QString &word)
{
    for (const auto &entry : commandNames) {
        if (word == QLatin1String(entry.name)) {
            return entry.command;
        }
    }
    return std::nullopt;
}

bool isIdentifier(const QString &text)
{
    return toolhub::isValidIdentifier(text.toStdString());
}

// "<product>/<tool>[@<version>]" or "<tool>[@<version>]".
toolhub::Result<ToolReference, QString> parseTool(const QString &text, bool versionAllowed)
{
    ToolReference reference;
    QString name = text;
    const qsizetype at = text.indexOf(QLatin1Char('@'));
    if (at >= 0) {
        name = text.left(at);
        reference.version = text.mid(at + 1);
        if (!versionAllowed) {
            return toolhub::fail(tr("This command takes no version: name the tool as "
                                    "<product>/<tool>, without @%1.")
                                     .arg(reference.version));
        }
        if (!toolhub::parseSemVer(reference.version.toStdString())) {
            return toolhub::fail(tr("\"%1\" is not a version: write it as @1.2.3 (a semantic "
                                    "version).")
                                     .arg(reference.version));
        }
    }
    const QStringList parts = name.split(QLatin1Char('/'));
    const bool wellFormed = (parts.size() == 1 || parts.size() == 2) &&
                            std::all_of(parts.begin(), parts.end(), isIdentifier);
    if (!wellFormed) {
        return toolhub::fail(tr("\"%1\" does not name a tool: write <product>/<tool>, such as "
                                "fluxcad/flux-cli.")
                                 .arg(name));
    }
    if (parts.size() == 2) {
        reference.product = parts.at(0);
    }
    reference.tool = parts.last();
    return reference;
}

// What each command accepts besides --json.
struct Grammar {
    QStringList flags;         // "--installed"
    bool serverOption = false; // --server <url>
    int minTools = 0;
    int maxTools = 0;
    bool versionAllowed = false;
};

Grammar grammarOf(Command command)
{
    switch (command) {
    case Command::List:
        return {{QStringLiteral("--installed")}, false, 0, 0, false};
    case Command::Install:
    case Command::RollBack:
        return {{}, false, 1, 1, true};
    case Command::Update:
        return {{QStringLiteral("--all")}, false, 0, 1, false};
    case Command::Remove:
        return {{}, false, 1, 1, false};
    case Command::Verify:
        return {{QStringLiteral("--repair")}, false, 0, 1, false};
    case Command::SignIn:
        return {{}, true, 0, 0, false};
    case Command::Help:
        return {{}, false, 0, 1, false}; // "help <command>" shows the same help
    case Command::Version:
    case Command::SignOut:
    case Command::Status:
        break;
    }
    return {};
}

} // namespace

QString ToolReference::name() const
{
    return product.isEmpty() ? tool : product + QLatin1Char('/') + tool;
}

QString commandName(Command command)
{
    for (const auto &entry : commandNames) {
        if (entry.command == command) {
            return QLatin1String(entry.name);
        }
    }
    return QStringLiteral("--version");
}

bool asksForCommandLine(const QStringList &arguments)
{
    const QStringList own = ownArguments(arguments);
    // "--link <url>" (toolhub-open starting the app for a toolhub:// link) means the window.
    const bool link = (own.size() == 2 && own.first() == QLatin1String("--link")) ||
                      (own.size() == 1 && own.first().startsWith(QLatin1String("--link=")));
    return !own.isEmpty() && !link;
}

toolhub::Result<Invocation, UsageError> parseArguments(const QStringList &arguments)
{
    QStringList words = ownArguments(arguments);
    Invocation invocation;
    invocation.json = words.removeAll(QStringLiteral("--json")) > 0;
    const bool json = invocation.json;
    if (words.contains(QStringLiteral("--help")) || words.contains(QStringLiteral("-h"))) {
        invocation.command = Command::Help;
        return invocation;
    }
    if (words.contains(QStringLiteral("--version"))) {
        invocation.command = Command::Version;
        return invocation;
    }
    if (words.isEmpty()) {
        return toolhub::fail(usage(tr("No command given."), json));
    }
    const QString first = words.takeFirst();
    const auto command = commandNamed(first);
    if (!command) {
        return toolhub::fail(usage(first.startsWith(QLatin1Char('-'))
                                       ? tr("Unknown option \"%1\".").arg(first)
                                       : tr("Unknown command \"%1\".").arg(first),
                                   json));
    }
    invocation.command = *command;
    const Grammar grammar = grammarOf(*command);
    QStringList tools;
    bool serverGiven = false;
    for (qsizetype index = 0; index < words.size(); ++index) {
        const QString &word = words.at(index);
        if (grammar.serverOption && word == QLatin1String("--server")) {
            if (index + 1 >= words.size()) {
                return toolhub::fail(usage(tr("--server needs the server's address."), json));
            }
            invocation.server = words.at(++index);
            serverGiven = true;
            continue;
        }
        if (grammar.serverOption && word.startsWith(QLatin1String("--server="))) {
            invocation.server = word.mid(QLatin1String("--server=").size());
            serverGiven = true;
            continue;
        }
        if (grammar.flags.contains(word)) {
            invocation.installedOnly |= word == QLatin1String("--installed");
            invocation.all |= word == QLatin1String("--all");
            invocation.repair |= word == QLatin1String("--repair");
            continue;
        }
        if (word.startsWith(QLatin1Char('-'))) {
            return toolhub::fail(
                usage(tr("%1 has no option \"%2\".").arg(commandName(*command), word), json));
        }
        tools.append(word);
    }
    if (*command == Command::Help) {
        return invocation;
    }
    if (serverGiven && invocation.server.isEmpty()) {
        return toolhub::fail(usage(tr("--server needs the server's address."), json));
    }
    if (*command == Command::Update && invocation.all == !tools.isEmpty()) {
        return toolhub::fail(
            usage(tr("update needs either a tool (<product>/<tool>) or --all."), json));
    }
    if (tools.size() < grammar.minTools) {
        return toolhub::fail(
            usage(tr("%1 needs a tool: <product>/<tool>, such as fluxcad/flux-cli.")
                      .arg(commandName(*command)),
                  json));
    }
    if (tools.size() > grammar.maxTools) {
        return toolhub::fail(
            usage(grammar.maxTools == 0
                      ? tr("%1 takes no \"%2\".").arg(commandName(*command), tools.first())
                      : tr("%1 takes one tool at a time.").arg(commandName(*command)),
                  json));
    }
    if (!tools.isEmpty()) {
        auto tool = parseTool(tools.first(), grammar.versionAllowed);
        if (!tool) {
            return toolhub::fail(usage(tool.error(), json));
        }
        invocation.tool = std::move(tool).value();
    }
    return invocation;
}

QString usageText()
{
    return tr(R"(Usage: toolhub [--json] <command> [arguments]

Installs, updates and removes the tools your organization licenses. Without a command, toolhub
opens its window.

Commands:
  list [--installed]                     The tools you may install: installed version, newest
                                         release, its channel, whether an update is available
                                         (--installed: only installed tools)
  install <product>/<tool>[@<version>]   Installs a tool (default: the newest stable release)
  update <product>/<tool> | --all        Updates to the newest release on the installed channel
  rollback <product>/<tool>[@<version>]  Goes back to an earlier release (default: the one
                                         before the installed version)
  remove <product>/<tool>                Removes an installed tool
  verify [<product>/<tool>] [--repair]   Checks the files of a tool (default: of every installed
                                         tool); --repair installs damaged tools again
  sign-in [--server <url>]               Signs in with your browser (--server: sets the server
                                         first, e.g. https://toolhub.example.com)
  sign-out                               Signs out on this computer
  status                                 Server, sign-in, install folder and settings

A tool may be named without its product when only one product has a tool of that name.

Options:
  --json         Prints exactly one JSON document on standard output: for list an array of
                 tools, for status an object, for the other commands (and for any failure) an
                 object {"ok": true|false, "action": ..., ...} that on failure holds "error" (a
                 code name) and "message". Progress, notes and errors go to standard error.
  -h, --help     Shows this help.
  --version      Shows the version.

Exit codes:
  0  Success.
  1  The operation failed (or verify found damaged files).
  2  Usage error: unknown command or option, a missing or malformed argument.
  3  Not signed in, or the sign-in has ended: run toolhub sign-in.
  4  The server cannot be reached.
  5  Not licensed, not offered to you, not installed, or not found.
)");
}
