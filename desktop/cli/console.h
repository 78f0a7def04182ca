#pragma once

#include <QJsonValue>
#include <QString>

class Task;

// Where the command line writes: results on stdout; notes, errors and progress on stderr. On a
// terminal, progress is one status line that rewrites itself; every other line first clears it.
class Console {
public:
    Console();

    // A line of the result on stdout.
    void print(const QString &line);
    // The one JSON document of --json on stdout.
    void printJson(const QJsonValue &document);
    // A line for the person on stderr.
    void note(const QString &line);
    // Progress on stderr: on a terminal it replaces the previous status line, elsewhere it is a
    // line of its own.
    void status(const QString &line);
    // Takes the status line away (on a terminal).
    void clearStatus();

    [[nodiscard]] bool isTerminal() const { return m_terminal; }

private:
    bool m_terminal;
    bool m_statusShown = false;
};

// Shows `task`'s progress on `console` until it ends, each line starting with `label`: on a
// terminal its status text with the share done, updated as it moves; elsewhere a line per change
// of the status text. `console` must outlive the task.
void showProgress(Task *task, const QString &label, Console &console);
