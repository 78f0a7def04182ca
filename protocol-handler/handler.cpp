#include "handler.h"

#include "toolhub/forwarding.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalSocket>
#include <QProcess>
#include <QStringList>

#ifdef TOOLHUB_OPEN_DBUS
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusReply>
#include <QVariantMap>
#endif

#include <nlohmann/json.hpp>

namespace toolhub::open {

namespace {

constexpr std::string_view dryRunOption = "--dry-run";
constexpr std::string_view endOfOptions = "--";

// The longest answer line read from the app ("OK" or "ERR <code>"), with its '\n'.
constexpr qsizetype maxAnswerLength = 256;

std::string dumpJson(const nlohmann::json &value)
{
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int remainingMs(const QDeadlineTimer &deadline)
{
    return int(std::max<qint64>(deadline.remainingTime(), 0));
}

// Keeps what an error code may hold, so that the app's answer cannot paint the terminal.
std::string sanitizedCode(const QByteArray &code)
{
    std::string result;
    for (const char c : code.left(64)) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        result += allowed ? c : '?';
    }
    return result.empty() ? std::string{"(no code)"} : result;
}

Delivery failed(std::string detail)
{
    return {DeliveryStatus::Failed, std::move(detail)};
}

} // namespace

Result<Invocation> parseArguments(const std::vector<std::string_view> &arguments)
{
    Invocation invocation;
    bool haveUrl = false;
    bool optionsEnded = false;
    for (const std::string_view argument : arguments) {
        if (haveUrl) {
            return fail(ErrorCode::InvalidArgument, "exactly one link is expected");
        }
        if (!optionsEnded && argument == endOfOptions) {
            optionsEnded = true;
            continue;
        }
        if (!optionsEnded && argument == dryRunOption) {
            if (invocation.dryRun) {
                return fail(ErrorCode::InvalidArgument, "--dry-run is given twice");
            }
            invocation.dryRun = true;
            continue;
        }
        // The option itself is not echoed: it may be a crafted link.
        if (!optionsEnded && argument.starts_with('-')) {
            return fail(ErrorCode::InvalidArgument, "unknown option");
        }
        invocation.url = std::string{argument};
        haveUrl = true;
    }
    if (!haveUrl) {
        return fail(ErrorCode::InvalidArgument, "no link is given");
    }
    return invocation;
}

std::string usageText()
{
    return "usage: toolhub-open [--dry-run] [--] <toolhub:// link>\n"
           "  --dry-run  print the parsed link as JSON and do nothing else\n";
}

std::string refusalJson(const LinkError &error)
{
    return dumpJson({{"refused",
                      {{"code", linkErrorCodeName(error.code)},
                       {"message", error.message},
                       {"position", error.position}}}});
}

Delivery forwardToRunningApp(const QString &socketName, const LinkRequest &request,
                             std::chrono::milliseconds timeout)
{
    const QDeadlineTimer deadline(timeout);
    QLocalSocket socket;
    socket.connectToServer(socketName, QIODevice::ReadWrite);
    if (!socket.waitForConnected(remainingMs(deadline))) {
        switch (socket.error()) {
        case QLocalSocket::ServerNotFoundError:
        case QLocalSocket::ConnectionRefusedError:
            return {DeliveryStatus::NotRunning, {}};
        case QLocalSocket::SocketTimeoutError:
            return failed("toolhub did not take the connection in time");
        default:
            return failed("cannot connect to toolhub: " + socket.errorString().toStdString());
        }
    }

    const std::string line = encodeForwarded(request);
    socket.write(line.data(), qint64(line.size()));
    while (socket.bytesToWrite() > 0) {
        if (!socket.waitForBytesWritten(remainingMs(deadline))) {
            return failed("cannot send the link to toolhub: " + socket.errorString().toStdString());
        }
    }

    QByteArray answer;
    for (;;) {
        answer += socket.read(maxAnswerLength - answer.size());
        if (answer.contains('\n')) {
            break;
        }
        if (answer.size() >= maxAnswerLength) {
            return failed("toolhub gave an answer that is too long");
        }
        if (!socket.waitForReadyRead(remainingMs(deadline))) {
            if (socket.bytesAvailable() > 0) {
                continue;
            }
            if (deadline.hasExpired()) {
                return failed("toolhub did not answer within " +
                              std::to_string(timeout.count() / 1000) + " s");
            }
            return failed("toolhub closed the connection without an answer");
        }
    }
    socket.abort();

    const QByteArray reply = answer.left(answer.indexOf('\n'));
    if (reply == "OK") {
        return {DeliveryStatus::Accepted, {}};
    }
    if (reply.startsWith("ERR ")) {
        return {DeliveryStatus::Rejected, sanitizedCode(reply.mid(4))};
    }
    return failed("toolhub gave an answer toolhub-open does not understand");
}

QString appExecutablePath(const QString &applicationDir)
{
#ifdef Q_OS_WIN
    const QString name = QStringLiteral("toolhub.exe");
#else
    const QString name = QStringLiteral("toolhub");
#endif
    return QDir(applicationDir).absoluteFilePath(name);
}

Result<void> startApp(const QString &appExecutable, const LinkRequest &request)
{
    const QFileInfo info(appExecutable);
    if (!info.exists()) {
        return fail(ErrorCode::NotFound,
                    "toolhub is not installed next to toolhub-open (looked for " +
                        appExecutable.toStdString() + ")");
    }
    if (!info.isFile() || !info.isExecutable()) {
        return fail(ErrorCode::FailedPrecondition,
                    appExecutable.toStdString() + " is not an executable file");
    }
    // An absolute program and an argument list: no shell, no PATH lookup, and the only text of
    // the link that travels is its canonical form.
    const QStringList arguments{QStringLiteral("--link"), QString::fromStdString(toLink(request))};
    if (!QProcess::startDetached(appExecutable, arguments)) {
        return fail(ErrorCode::Internal, "cannot start " + appExecutable.toStdString());
    }
    return {};
}

QString socketNameForCurrentUser()
{
    // The same user name as the app's InstanceServer takes: USER, else USERNAME (Windows).
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        user = qEnvironmentVariable("USERNAME");
    }
    return QString::fromStdString(instanceSocketName(
        qEnvironmentVariable("XDG_RUNTIME_DIR").toStdString(), user.toStdString()));
}

bool hasDisplay()
{
#ifdef TOOLHUB_OPEN_DBUS
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
#else
    return false;
#endif
}

#ifdef TOOLHUB_OPEN_DBUS
namespace {

// A D-Bus server address for a socket path: bytes outside [-0-9A-Za-z_/.] are %-escaped.
QString unixBusAddress(const QString &path)
{
    QString address = QStringLiteral("unix:path=");
    for (const char c : QFile::encodeName(path)) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/' || c == '.';
        if (plain) {
            address += QLatin1Char(c);
        } else {
            address += QStringLiteral("%%1").arg(uint(uchar(c)), 2, 16, QLatin1Char('0'));
        }
    }
    return address;
}

// The session bus address, without libdbus' "autolaunch:" fallback, which would run a program.
QString sessionBusAddress()
{
    const QString fromEnvironment = qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
    if (!fromEnvironment.isEmpty()) {
        return fromEnvironment;
    }
    const QString runtimeDir = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtimeDir.isEmpty() && QFileInfo::exists(runtimeDir + QStringLiteral("/bus"))) {
        return unixBusAddress(runtimeDir + QStringLiteral("/bus"));
    }
    return {};
}

} // namespace
#endif

bool notifyRefusal(const QString &message)
{
#ifdef TOOLHUB_OPEN_DBUS
    const QString address = sessionBusAddress();
    if (address.isEmpty()) {
        return false;
    }
    const QString connectionName = QStringLiteral("toolhub-open");
    bool shown = false;
    {
        QDBusConnection bus = QDBusConnection::connectToBus(address, connectionName);
        if (bus.isConnected()) {
            // Bounds each call; a notification server answers in milliseconds.
            constexpr int callTimeoutMs = 2000;
            const QString service = QStringLiteral("org.freedesktop.Notifications");
            const QString path = QStringLiteral("/org/freedesktop/Notifications");
            // The message quotes part of the link: servers that read markup get it escaped.
            QString body = message;
            const QDBusReply<QStringList> capabilities =
                bus.call(QDBusMessage::createMethodCall(service, path, service,
                                                        QStringLiteral("GetCapabilities")),
                         QDBus::Block, callTimeoutMs);
            if (capabilities.isValid() &&
                capabilities.value().contains(QStringLiteral("body-markup"))) {
                body = body.toHtmlEscaped();
            }
            QDBusMessage notify =
                QDBusMessage::createMethodCall(service, path, service, QStringLiteral("Notify"));
            notify << QStringLiteral("Toolhub") << uint(0) << QStringLiteral("toolhub")
                   << QStringLiteral("This link was refused") << body << QStringList{}
                   << QVariantMap{} << int(-1);
            const QDBusReply<uint> reply = bus.call(notify, QDBus::Block, callTimeoutMs);
            shown = reply.isValid();
        }
    }
    QDBusConnection::disconnectFromBus(connectionName);
    return shown;
#else
    Q_UNUSED(message);
    return false;
#endif
}

Outcome run(const std::vector<std::string_view> &arguments, const Environment &environment)
{
    auto invocation = parseArguments(arguments);
    if (!invocation) {
        return {kExitRefused,
                {},
                "toolhub-open: " + invocation.error().message + '\n' + usageText(),
                {}};
    }
    auto request = parseLink(invocation->url);
    if (!request) {
        if (invocation->dryRun) {
            return {kExitRefused, refusalJson(request.error()) + '\n', {}, {}};
        }
        const std::string &message = request.error().message;
        return {
            kExitRefused, {}, "toolhub-open: this link was refused: " + message + '\n', message};
    }
    if (invocation->dryRun) {
        return {kExitOk, dumpJson(toJson(*request)) + '\n', {}, {}};
    }

    const Delivery delivery =
        forwardToRunningApp(environment.socketName, *request, environment.forwardTimeout);
    switch (delivery.status) {
    case DeliveryStatus::Accepted:
        return {kExitOk, {}, {}, {}};
    case DeliveryStatus::Rejected:
        return {kExitFailed,
                {},
                "toolhub-open: toolhub refused the link: " + delivery.detail + '\n',
                {}};
    case DeliveryStatus::Failed:
        return {kExitFailed,
                {},
                "toolhub-open: could not hand the link to toolhub: " + delivery.detail + '\n',
                {}};
    case DeliveryStatus::NotRunning:
        break;
    }
    auto started = startApp(environment.appExecutable, *request);
    if (!started) {
        return {kExitFailed, {}, "toolhub-open: " + started.error().message + '\n', {}};
    }
    return {kExitOk, {}, {}, {}};
}

} // namespace toolhub::open
