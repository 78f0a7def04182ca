#include "ui/tasks_panel.h"

#include "core/app/task_queue.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QVBoxLayout>

namespace {

constexpr int progressScale = 1000; // the bar counts per mille: bytes may exceed int

QString errorStyle()
{
    return QStringLiteral("color: #c93a3a;");
}

} // namespace

QString formatBytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString formatDuration(qint64 seconds)
{
    if (seconds < 60) {
        return QObject::tr("%1 s").arg(std::max<qint64>(seconds, 1));
    }
    if (seconds < 3600) {
        return QObject::tr("%1 min").arg((seconds + 30) / 60);
    }
    return QObject::tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
}

TaskRow::TaskRow(Task *task, QWidget *parent)
    : QWidget(parent), m_task(task), m_title(new QLabel(this)), m_status(new QLabel(this)),
      m_bar(new QProgressBar(this)), m_detail(new QLabel(this)),
      m_cancel(new QPushButton(tr("Cancel"), this)), m_dismiss(new QPushButton(tr("Dismiss"), this))
{
    setObjectName(QStringLiteral("taskRow"));
    m_title->setObjectName(QStringLiteral("taskTitle"));
    m_status->setObjectName(QStringLiteral("taskStatus"));
    m_bar->setObjectName(QStringLiteral("taskProgress"));
    m_detail->setObjectName(QStringLiteral("taskDetail"));
    m_cancel->setObjectName(QStringLiteral("taskCancel"));
    m_dismiss->setObjectName(QStringLiteral("taskDismiss"));

    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setText(task->statusText().isEmpty() ? tr("Working") : task->statusText());
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setWordWrap(true);
    QPalette dim = m_detail->palette();
    dim.setColor(QPalette::WindowText, dim.color(QPalette::Disabled, QPalette::WindowText));
    m_detail->setPalette(dim);
    m_bar->setTextVisible(false);
    m_bar->setMaximumHeight(8);
    m_bar->setRange(0, progressScale);
    m_bar->setValue(0);
    m_dismiss->setVisible(false);

    auto *text = new QVBoxLayout;
    text->setSpacing(2);
    auto *top = new QHBoxLayout;
    top->addWidget(m_title);
    top->addStretch();
    top->addWidget(m_status);
    text->addLayout(top);
    text->addWidget(m_bar);
    text->addWidget(m_detail);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addLayout(text, 1);
    layout->addWidget(m_cancel, 0, Qt::AlignVCenter);
    layout->addWidget(m_dismiss, 0, Qt::AlignVCenter);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_task) {
            m_task->cancel();
        }
    });
    connect(m_dismiss, &QPushButton::clicked, this, &TaskRow::dismissRequested);
    connect(task, &Task::progress, this, &TaskRow::showProgress);
    connect(task, &Task::statusTextChanged, this, [this] { showState(); });
    connect(task, &Task::cancelableChanged, this, [this] { showState(); });
    connect(task, &Task::stateChanged, this, [this] { showState(); });
    connect(task, &Task::failed, this, [this](TaskError error, const QString &message) {
        m_status->setText(tr("Failed"));
        m_status->setStyleSheet(errorStyle());
        m_detail->setPalette(palette());
        m_detail->setStyleSheet(errorStyle());
        m_detail->setText(message.isEmpty() ? describe(error) : describe(error) + u' ' + message);
        m_detail->setToolTip(message);
        finish(true);
    });
    connect(task, &Task::succeeded, this, [this] {
        m_bar->setRange(0, progressScale);
        m_bar->setValue(progressScale);
        m_status->setText(tr("Done"));
        m_detail->setText(m_task && m_task->total() > 0 ? formatBytes(m_task->total()) : QString());
        finish(false);
    });
    connect(task, &Task::canceled, this, [this] {
        m_status->setText(tr("Canceled"));
        m_detail->clear();
        finish(false);
    });
    showState();
    showProgress(task->done(), task->total());
}

void TaskRow::setTitle(const QString &title)
{
    m_title->setText(title);
}

QString TaskRow::title() const
{
    return m_title->text();
}

void TaskRow::showProgress(qint64 done, qint64 total)
{
    if (m_finished || !m_task) {
        return;
    }
    const bool running = m_task->state() == Task::State::Running;
    if (total > 0) {
        m_bar->setRange(0, progressScale);
        m_bar->setValue(int(std::clamp<qint64>(done * progressScale / total, 0, progressScale)));
    } else if (running) {
        m_bar->setRange(0, 0); // busy: how much is left is not known
    }
    QStringList parts;
    if (total > 0) {
        parts << tr("%1 of %2").arg(formatBytes(done), formatBytes(total));
    } else if (done > 0) {
        parts << formatBytes(done);
    }
    if (running && m_task->bytesPerSecond() > 0 && done > 0) {
        parts << tr("%1/s").arg(formatBytes(qint64(m_task->bytesPerSecond())));
    }
    if (running && m_task->secondsLeft() >= 0 && total > 0 && done < total) {
        parts << tr("%1 left").arg(formatDuration(m_task->secondsLeft()));
    }
    m_detail->setText(parts.join(QStringLiteral(" · ")));
}

void TaskRow::showState()
{
    if (m_finished || !m_task) {
        return;
    }
    switch (m_task->state()) {
    case Task::State::Ready:
        m_status->setText(tr("Waiting"));
        break;
    case Task::State::Running:
        m_status->setText(m_task->statusText().isEmpty() ? tr("Working") : m_task->statusText());
        if (m_task->total() <= 0) {
            m_bar->setRange(0, 0);
        }
        break;
    default:
        break; // the end signals say it
    }
    m_cancel->setEnabled(m_task->isCancelable());
    m_cancel->setVisible(true);
}

void TaskRow::finish(bool failed)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_failed = failed;
    m_cancel->setVisible(false);
    m_dismiss->setVisible(failed);
    if (m_bar->maximum() == 0) {
        m_bar->setRange(0, progressScale);
        m_bar->setValue(failed ? 0 : progressScale);
    }
    Q_EMIT settled();
    if (!failed) {
        Q_EMIT ended();
    }
}

TasksPanel::TasksPanel(TaskQueue &queue, QWidget *parent)
    : QWidget(parent), m_list(new QVBoxLayout), m_summary(new QLabel(this)),
      m_empty(new QLabel(tr("Installs, updates and checks show here while they run."), this)),
      m_clear(new QPushButton(tr("Clear finished"), this))
{
    setObjectName(QStringLiteral("tasksPanel"));
    m_summary->setObjectName(QStringLiteral("tasksSummary"));
    m_clear->setObjectName(QStringLiteral("clearFinishedButton"));
    m_empty->setObjectName(QStringLiteral("tasksEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setEnabled(false);

    auto *header = new QHBoxLayout;
    header->addWidget(m_summary, 1);
    header->addWidget(m_clear);

    auto *content = new QWidget;
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->setSpacing(0);
    m_list->setSpacing(0);
    contentLayout->addLayout(m_list);
    contentLayout->addWidget(m_empty);
    contentLayout->addStretch();
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addLayout(header);
    layout->addWidget(scroll, 1);

    connect(m_clear, &QPushButton::clicked, this, [this] {
        for (TaskRow *row : rows()) {
            if (row->isFinished()) {
                removeRow(row);
            }
        }
    });
    connect(&queue, &TaskQueue::added, this, &TasksPanel::add);
    for (Task *task : queue.tasks()) {
        add(task);
    }
    updateSummary();
}

QList<TaskRow *> TasksPanel::rows() const
{
    QList<TaskRow *> list;
    for (int i = 0; i < m_list->count(); ++i) {
        if (auto *row = qobject_cast<TaskRow *>(m_list->itemAt(i)->widget())) {
            list.append(row);
        }
    }
    return list;
}

void TasksPanel::setTitle(Task *task, const QString &title)
{
    if (TaskRow *row = m_rows.value(task)) {
        row->setTitle(title);
    }
}

void TasksPanel::add(Task *task)
{
    if (m_rows.contains(task)) {
        return;
    }
    auto *row = new TaskRow(task, this);
    m_rows.insert(task, row);
    // The key goes with the task, so that a new task at the same address is a new row.
    connect(task, &QObject::destroyed, this, [this, task] { m_rows.remove(task); });
    connect(task, &Task::stateChanged, this, &TasksPanel::updateSummary);
    connect(row, &TaskRow::settled, this, &TasksPanel::updateSummary);
    connect(row, &TaskRow::dismissRequested, this, [this, row] { removeRow(row); });
    connect(row, &TaskRow::ended, this,
            [this, row] { QTimer::singleShot(m_linger, row, [this, row] { removeRow(row); }); });
    m_list->addWidget(row);
    updateSummary();
    Q_EMIT taskShown(task);
    Q_EMIT rowCountChanged(int(rows().size()));
}

void TasksPanel::removeRow(TaskRow *row)
{
    if (m_list->indexOf(row) < 0) {
        return; // removed already (dismissed, then its linger ran out)
    }
    for (auto it = m_rows.begin(); it != m_rows.end(); ++it) {
        if (it.value() == row) {
            m_rows.erase(it);
            break;
        }
    }
    m_list->removeWidget(row);
    row->hide();
    row->deleteLater();
    updateSummary();
    Q_EMIT rowCountChanged(int(rows().size()));
}

void TasksPanel::updateSummary()
{
    int running = 0;
    int waiting = 0;
    int failed = 0;
    int finished = 0;
    for (const TaskRow *row : rows()) {
        if (row->hasFailed()) {
            ++failed;
        }
        if (row->isFinished()) {
            ++finished;
        }
    }
    for (auto it = m_rows.cbegin(); it != m_rows.cend(); ++it) {
        if (it.value()->isFinished()) {
            continue;
        }
        if (it.key()->state() == Task::State::Running) {
            ++running;
        } else if (it.key()->state() == Task::State::Ready) {
            ++waiting;
        }
    }
    QStringList parts;
    if (running > 0) {
        parts << tr("%1 running").arg(running);
    }
    if (waiting > 0) {
        parts << tr("%1 waiting").arg(waiting);
    }
    if (failed > 0) {
        parts << tr("%1 failed").arg(failed);
    }
    m_summary->setText(parts.isEmpty() ? tr("Nothing running") : parts.join(QStringLiteral(", ")));
    m_empty->setVisible(rows().isEmpty());
    m_clear->setEnabled(finished > 0);
}
