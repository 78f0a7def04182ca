#include "cli/command_line.h"

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "core/app/app_core.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QLoggingCategory>

namespace {

void print(Console &console, const Invocation &invocation, const Outcome &outcome)
{
    if (invocation.json) {
        console.printJson(outcome.json);
    } else {
        for (const QString &line : outcome.text) {
            console.print(line);
        }
    }
    for (const QString &error : outcome.errors) {
        console.note(QStringLiteral("toolhub: ") + error);
    }
}

} // namespace

bool isCommandLine(int argc, char *argv[])
{
    QStringList arguments;
    for (int index = 0; index < argc; ++index) {
        arguments.append(QString::fromLocal8Bit(argv[index]));
    }
    return asksForCommandLine(arguments);
}

int runCommandLine(const QStringList &arguments)
{
    Console console;
    auto parsed = parseArguments(arguments);
    if (!parsed) {
        const UsageError &error = parsed.error();
        Outcome outcome;
        outcome.exitCode = ExitCode::usage;
        outcome.json = QJsonObject{{QStringLiteral("ok"), false},
                                   {QStringLiteral("error"), QStringLiteral("usage")},
                                   {QStringLiteral("message"), error.message}};
        outcome.errors = {error.message};
        Invocation invocation;
        invocation.json = error.json;
        print(console, invocation, outcome);
        return outcome.exitCode;
    }
    const Invocation &invocation = *parsed;
    if (invocation.command == Command::Help) {
        console.print(usageText().trimmed());
        return ExitCode::success;
    }
    const QString version = QCoreApplication::applicationVersion();
    if (invocation.command == Command::Version) {
        if (invocation.json) {
            console.printJson(
                QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("version"), version}});
        } else {
            console.print(QStringLiteral("toolhub %1").arg(version));
        }
        return ExitCode::success;
    }

    // The core's log lines are for developers; a person gets each command's own sentences.
    // QT_LOGGING_RULES, read after these rules, still turns them on.
    QLoggingCategory::setFilterRules(QStringLiteral("toolhub.*.debug=false\n"
                                                    "toolhub.*.info=false\n"
                                                    "toolhub.*.warning=false"));

    auto core = AppCore::create({});
    if (!core) {
        Outcome outcome;
        outcome.exitCode = ExitCode::failed;
        const QString message = describe(TaskError::FileSystem) + QLatin1Char(' ') +
                                QString::fromStdString(core.error().message);
        outcome.json = QJsonObject{{QStringLiteral("ok"), false},
                                   {QStringLiteral("action"), commandName(invocation.command)},
                                   {QStringLiteral("error"), QStringLiteral("file_system")},
                                   {QStringLiteral("message"), message}};
        outcome.errors = {message};
        print(console, invocation, outcome);
        return outcome.exitCode;
    }
    CommandRunner runner(**core, console);
    const Outcome outcome = runner.run(invocation);
    print(console, invocation, outcome);
    return outcome.exitCode;
}
