#include "core/net/growing_file_reader.h"

#include "core/net/download_channel.h"

#include <QCoreApplication>

#include <algorithm>
#include <mutex>

GrowingFileReader::GrowingFileReader(std::shared_ptr<DownloadChannel> channel)
    : m_channel(std::move(channel))
{
    const std::lock_guard lock(m_channel->mutex);
    m_generation = m_channel->generation;
}

GrowingFileReader::~GrowingFileReader() = default;

qint64 GrowingFileReader::failWith(const QString &message)
{
    m_failed = true;
    m_error = message;
    m_file.close();
    return -1;
}

void GrowingFileReader::interrupt()
{
    {
        const std::lock_guard lock(m_channel->mutex);
        m_interrupted = true;
    }
    m_channel->changed.notify_all();
}

qint64 GrowingFileReader::read(char *buffer, qint64 max)
{
    if (m_failed) {
        return -1;
    }
    if (max <= 0) {
        return 0;
    }
    qint64 wanted = 0;
    {
        std::unique_lock lock(m_channel->mutex);
        for (;;) {
            if (m_interrupted) {
                return failWith(QCoreApplication::translate("GrowingFileReader",
                                                            "Reading the download was stopped."));
            }
            if (m_channel->generation != m_generation) {
                if (m_position > 0) {
                    return failWith(QCoreApplication::translate(
                        "GrowingFileReader",
                        "The server sent a different file, so the download started over."));
                }
                m_generation = m_channel->generation;
                m_file.close(); // reopened below, at byte 0
            }
            if (m_position < m_channel->available) {
                break;
            }
            switch (m_channel->end) {
            case DownloadChannel::End::Succeeded:
                return 0;
            case DownloadChannel::End::Failed:
                return failWith(m_channel->error);
            case DownloadChannel::End::Canceled:
                return failWith(
                    QCoreApplication::translate("GrowingFileReader", "The download was canceled."));
            case DownloadChannel::End::Running:
                break;
            }
            m_channel->changed.wait(lock);
        }
        wanted = std::min(max, m_channel->available - m_position);
        if (!m_file.isOpen()) {
            // Under the lock: the worker renames the file only while holding it, so `path` names
            // the file that holds these bytes. An open file stays readable across the rename.
            m_file.setFileName(m_channel->path);
            if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered) ||
                !m_file.seek(m_position)) {
                return failWith(
                    QCoreApplication::translate("GrowingFileReader", "Cannot read %1: %2")
                        .arg(m_channel->path, m_file.errorString()));
            }
        }
    }
    const qint64 got = m_file.read(buffer, wanted);
    if (got <= 0) {
        return failWith(QCoreApplication::translate("GrowingFileReader", "Cannot read %1: %2")
                            .arg(m_file.fileName(), m_file.errorString()));
    }
    m_position += got;
    return got;
}
