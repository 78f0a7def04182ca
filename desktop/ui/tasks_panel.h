#pragma once

#include "core/task.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <chrono>

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;
class TaskQueue;

// One task in the tasks panel: what it does, its status text, a progress bar, bytes, speed and
// time left, and Cancel while it can stop. The row outlives its task (the queue deletes tasks
// once they ended): a failure stays with describe(error) and the message until dismissed.
//
//   queued --started--> running --succeeded--> done      (the panel removes it after a while)
//                          |    \--canceled--> canceled  (likewise)
//                          \--failed---------> failed    (stays until Dismiss)
class TaskRow : public QWidget {
    Q_OBJECT

public:
    explicit TaskRow(Task *task, QWidget *parent = nullptr);

    void setTitle(const QString &title);
    [[nodiscard]] QString title() const;
    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] bool hasFailed() const { return m_failed; }

Q_SIGNALS:
    // Succeeded or canceled (failed() is not an end the user has seen yet).
    void ended();
    // Any end: succeeded, failed or canceled.
    void settled();
    void dismissRequested();

private:
    void showProgress(qint64 done, qint64 total);
    void showState();
    void finish(bool failed);

    QPointer<Task> m_task;
    QLabel *m_title;
    QLabel *m_status;
    QProgressBar *m_bar;
    QLabel *m_detail;
    QPushButton *m_cancel;
    QPushButton *m_dismiss;
    bool m_finished = false;
    bool m_failed = false;
};

// Every task of the queue, from the moment it is queued: running and waiting ones with their
// progress, and failures until the user dismisses them.
class TasksPanel : public QWidget {
    Q_OBJECT

public:
    explicit TasksPanel(TaskQueue &queue, QWidget *parent = nullptr);

    // What the task is for people ("Installing Flux CLI 2.0.0"); the window knows, the queue
    // does not. Ignored for a task the panel does not show.
    void setTitle(Task *task, const QString &title);
    [[nodiscard]] TaskRow *rowOf(Task *task) const { return m_rows.value(task); }
    [[nodiscard]] QList<TaskRow *> rows() const;

    // How long a row stays after its task succeeded or was canceled, so the user sees the end.
    void setLinger(std::chrono::milliseconds linger) { m_linger = linger; }

Q_SIGNALS:
    void taskShown(Task *task);
    // The number of rows changed.
    void rowCountChanged(int rows);

private:
    void add(Task *task);
    void removeRow(TaskRow *row);
    void updateSummary();

    QHash<const Task *, TaskRow *> m_rows;
    QVBoxLayout *m_list;
    QLabel *m_summary;
    QLabel *m_empty;
    QPushButton *m_clear;
    std::chrono::milliseconds m_linger{4000};
};

// "1.5 MB", for people.
[[nodiscard]] QString formatBytes(qint64 bytes);
// "45 s", "3 min", "1 h 5 min".
[[nodiscard]] QString formatDuration(qint64 seconds);
