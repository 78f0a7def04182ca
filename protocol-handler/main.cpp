// toolhub-open [--dry-run] [--] <toolhub:// link>: the program registered for toolhub:// links.

#include "handler.h"

#include <QCoreApplication>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

void write(std::FILE *stream, const std::string &text)
{
    if (!text.empty()) {
        std::fwrite(text.data(), 1, text.size(), stream);
        std::fflush(stream);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    // The arguments are read here as raw bytes; Qt gets only the program name, so that nothing
    // a link holds can reach Qt's own option handling.
    std::vector<std::string_view> arguments;
    for (int i = 1; i < argc; ++i) {
        arguments.emplace_back(argv[i]);
    }
    static char programName[] = "toolhub-open";
    int qtArgc = 1;
    char *qtArgv[] = {argc > 0 && argv[0] ? argv[0] : programName, nullptr};
    QCoreApplication app(qtArgc, qtArgv);

    using namespace toolhub::open;
    const Environment environment{
        socketNameForCurrentUser(),
        appExecutablePath(QCoreApplication::applicationDirPath()),
        kForwardTimeout,
    };
    const Outcome outcome = run(arguments, environment);
    write(stdout, outcome.out);
    write(stderr, outcome.err);
    if (!outcome.notification.empty() && hasDisplay()) {
        notifyRefusal(QString::fromStdString(outcome.notification));
    }
    return outcome.exitCode;
}
