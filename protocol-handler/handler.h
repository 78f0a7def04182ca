#pragma once

#include "toolhub/link.h"
#include "toolhub/result.h"

#include <QString>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::open {

// toolhub-open, the program the desktop registers for toolhub:// links. Every link is hostile
// until parseLink() accepted it; after that only its canonical form (toLink()) travels, either
// over the per-user local socket to the running toolhub or as the one argument after "--link"
// when toolhub has to be started.
//
//   parse arguments --(usage error)--------------------------------------------> exit 2
//        |
//   parseLink --(refused)--> stderr + notification (dry run: JSON on stdout) --> exit 2
//        |
//   dry run? --(yes)--> request as JSON on stdout --------------------------------> exit 0
//        |
//   forward over the socket --(OK)------------------------------------------------> exit 0
//        |            |--(ERR, no answer, other failure)--> stderr ---------------> exit 1
//        |(nothing listens)
//   start <own folder>/toolhub --link <canonical link> --(started)----------------> exit 0
//                                                      --(missing, failed)--------> exit 1

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the request could not be handed over
inline constexpr int kExitRefused = 2; // a refused link or a wrong command line

// How long the running app has to take a request, from connecting to its "OK".
inline constexpr std::chrono::milliseconds kForwardTimeout{5000};

// The command line after the program name: [--dry-run] [--] <url>.
struct Invocation {
    bool dryRun = false;
    std::string url; // the raw bytes, never decoded or changed before parseLink
};

[[nodiscard]] Result<Invocation> parseArguments(const std::vector<std::string_view> &arguments);
[[nodiscard]] std::string usageText();

// {"refused":{"code":"...","message":"...","position":N}}
[[nodiscard]] std::string refusalJson(const LinkError &error);

// What happened to a request handed to the running app.
enum class DeliveryStatus {
    Accepted,   // the app answered "OK"
    Rejected,   // the app answered "ERR <code>"
    NotRunning, // nothing listens on the socket
    Failed,     // no answer in time, a broken connection, or an answer that is neither
};

struct Delivery {
    DeliveryStatus status = DeliveryStatus::Failed;
    std::string detail; // the app's error code (sanitized), or what went wrong
};

// Sends encodeForwarded(request) to the app listening on socketName and waits for its answer,
// blocking for at most timeout in total.
[[nodiscard]] Delivery forwardToRunningApp(const QString &socketName, const LinkRequest &request,
                                           std::chrono::milliseconds timeout);

// The absolute path of the toolhub executable in applicationDir (no PATH lookup).
[[nodiscard]] QString appExecutablePath(const QString &applicationDir);

// Starts appExecutable detached, without a shell, with exactly {"--link", toLink(request)}.
[[nodiscard]] Result<void> startApp(const QString &appExecutable, const LinkRequest &request);

// The socket the running app listens on for this user (forwarding.h, instanceSocketName).
[[nodiscard]] QString socketNameForCurrentUser();

// True where a desktop notification can be seen (DISPLAY or WAYLAND_DISPLAY set).
[[nodiscard]] bool hasDisplay();

// Shows "this link was refused" through org.freedesktop.Notifications on the session bus.
// Returns false when no notification server took it; the caller has printed the message anyway.
bool notifyRefusal(const QString &message);

// What run() needs from its surroundings.
struct Environment {
    QString socketName;    // socketNameForCurrentUser()
    QString appExecutable; // appExecutablePath(QCoreApplication::applicationDirPath())
    std::chrono::milliseconds forwardTimeout = kForwardTimeout;
};

struct Outcome {
    int exitCode = kExitOk;
    std::string out; // for stdout
    std::string err; // for stderr
    // A refusal to show as a desktop notification (after err is printed); empty: none.
    std::string notification;
};

// The whole program after the Qt start-up: arguments are argv[1..].
[[nodiscard]] Outcome run(const std::vector<std::string_view> &arguments,
                          const Environment &environment);

} // namespace toolhub::open
