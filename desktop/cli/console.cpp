#include "cli/console.h"

#include "core/task.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <cstdio>
#include <memory>

#if defined(Q_OS_WIN)
#include <io.h>
#else
#include <unistd.h>
#endif

namespace {

// A status line longer than the terminal wraps, and then '\r' cannot take all of it back.
constexpr qsizetype statusWidth = 79;
// Progress redraws at most this often: enough to look alive, little to write.
constexpr qint64 redrawIntervalMs = 100;

bool stderrIsTerminal()
{
#if defined(Q_OS_WIN)
    return _isatty(_fileno(stderr)) != 0;
#else
    return isatty(fileno(stderr)) != 0;
#endif
}

void write(std::FILE *stream, const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

} // namespace

Console::Console() : m_terminal(stderrIsTerminal())
{}

void Console::print(const QString &line)
{
    write(stdout, (line + QLatin1Char('\n')).toLocal8Bit());
}

void Console::printJson(const QJsonValue &document)
{
    const QJsonDocument json =
        document.isArray() ? QJsonDocument(document.toArray()) : QJsonDocument(document.toObject());
    write(stdout, json.toJson(QJsonDocument::Indented));
}

void Console::note(const QString &line)
{
    clearStatus();
    write(stderr, (line + QLatin1Char('\n')).toLocal8Bit());
}

void Console::status(const QString &line)
{
    if (!m_terminal) {
        note(line);
        return;
    }
    const QString shown = line.size() > statusWidth
                              ? line.left(statusWidth - 1) + QChar(0x2026) // …
                              : line;
    write(stderr, (QLatin1Char('\r') + shown + QStringLiteral("\x1b[K")).toLocal8Bit());
    m_statusShown = true;
}

void Console::clearStatus()
{
    if (m_statusShown) {
        write(stderr, QByteArrayLiteral("\r\x1b[K"));
        m_statusShown = false;
    }
}

void showProgress(Task *task, const QString &label, Console &console)
{
    if (!console.isTerminal()) {
        QObject::connect(task, &Task::statusTextChanged, task,
                         [&console, label](const QString &text) {
                             if (!text.isEmpty()) {
                                 console.note(label + QStringLiteral(": ") + text);
                             }
                         });
        return;
    }
    auto clock = std::make_shared<QElapsedTimer>();
    const auto draw = [task, label, &console, clock](bool always) {
        if (!always && clock->isValid() && clock->elapsed() < redrawIntervalMs) {
            return;
        }
        clock->start();
        QString line = label + QStringLiteral(": ") + task->statusText();
        if (task->total() > 0) {
            const QLocale locale;
            line += QStringLiteral(" %1% (%2 of %3)")
                        .arg(task->done() * 100 / task->total())
                        .arg(locale.formattedDataSize(task->done()),
                             locale.formattedDataSize(task->total()));
        }
        console.status(line);
    };
    QObject::connect(task, &Task::statusTextChanged, task, [draw] { draw(true); });
    QObject::connect(task, &Task::progress, task, [draw] { draw(false); });
    QObject::connect(task, &Task::stateChanged, task, [task, &console] {
        if (task->isFinished()) {
            console.clearStatus();
        }
    });
}
