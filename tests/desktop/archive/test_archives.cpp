#include "test_archives.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QtDebug>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>

namespace archive_test {

namespace {

using Mode = decltype(archive_entry_perm(nullptr));

la_ssize_t appendTo(archive *, void *client, const void *buffer, size_t length)
{
    static_cast<QByteArray *>(client)->append(static_cast<const char *>(buffer),
                                              static_cast<qsizetype>(length));
    return static_cast<la_ssize_t>(length);
}

bool setFormat(archive *a, Format format)
{
    if (format == Format::Zip) {
        return archive_write_set_format_zip(a) == ARCHIVE_OK;
    }
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK) {
        return false;
    }
    switch (format) {
    case Format::Tar:
        return archive_write_add_filter_none(a) == ARCHIVE_OK;
    case Format::TarGz:
        return archive_write_add_filter_gzip(a) == ARCHIVE_OK;
    case Format::TarBz2:
        return archive_write_add_filter_bzip2(a) == ARCHIVE_OK;
    case Format::TarXz:
        return archive_write_add_filter_xz(a) == ARCHIVE_OK;
    case Format::TarZstd:
        // No zero padding after the last frame: zstd would read it as a broken frame.
        return archive_write_add_filter_zstd(a) == ARCHIVE_OK &&
               archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK;
    case Format::Zip:
        break;
    }
    return false;
}

bool writeEntry(archive *a, const Entry &entry)
{
    const std::unique_ptr<archive_entry, decltype(&archive_entry_free)> header(archive_entry_new(),
                                                                               archive_entry_free);
    archive_entry *e = header.get();
    archive_entry_set_pathname(e, entry.path.constData());
    archive_entry_set_mtime(e, 1700000000, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    switch (entry.type) {
    case Entry::Type::File:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, static_cast<Mode>(entry.perm));
        if (entry.sizeInHeader) {
            archive_entry_set_size(e, entry.data.size() + entry.zeros);
        } else {
            archive_entry_unset_size(e);
        }
        break;
    case Entry::Type::Folder:
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, static_cast<Mode>(entry.perm));
        break;
    case Entry::Type::Symlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_perm(e, 0777);
        archive_entry_set_symlink(e, entry.target.constData());
        break;
    case Entry::Type::Hardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_hardlink(e, entry.target.constData());
        archive_entry_set_size(e, 0);
        break;
    case Entry::Type::CharDevice:
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_perm(e, 0666);
        archive_entry_set_rdevmajor(e, 1);
        archive_entry_set_rdevminor(e, 3);
        break;
    case Entry::Type::Fifo:
        archive_entry_set_filetype(e, AE_IFIFO);
        archive_entry_set_perm(e, 0644);
        break;
    }
    if (archive_write_header(a, e) != ARCHIVE_OK) {
        qWarning() << "cannot write header" << entry.path << archive_error_string(a);
        return false;
    }
    if (entry.type != Entry::Type::File) {
        return true;
    }
    if (!entry.data.isEmpty() &&
        archive_write_data(a, entry.data.constData(), static_cast<size_t>(entry.data.size())) < 0) {
        return false;
    }
    const QByteArray zeroBlock(1024 * 1024, '\0');
    for (qint64 left = entry.zeros; left > 0;) {
        const qint64 chunk = std::min<qint64>(left, zeroBlock.size());
        if (archive_write_data(a, zeroBlock.constData(), static_cast<size_t>(chunk)) < 0) {
            return false;
        }
        left -= chunk;
    }
    return true;
}

} // namespace

Entry file(const QByteArray &path, const QByteArray &data, int perm)
{
    Entry entry;
    entry.path = path;
    entry.data = data;
    entry.perm = perm;
    return entry;
}

Entry zeros(const QByteArray &path, qint64 count, bool sizeInHeader)
{
    Entry entry;
    entry.path = path;
    entry.zeros = count;
    entry.sizeInHeader = sizeInHeader;
    return entry;
}

Entry folder(const QByteArray &path)
{
    Entry entry;
    entry.type = Entry::Type::Folder;
    entry.path = path;
    entry.perm = 0755;
    return entry;
}

Entry softLink(const QByteArray &path, const QByteArray &target)
{
    Entry entry;
    entry.type = Entry::Type::Symlink;
    entry.path = path;
    entry.target = target;
    return entry;
}

Entry hardLink(const QByteArray &path, const QByteArray &target)
{
    Entry entry;
    entry.type = Entry::Type::Hardlink;
    entry.path = path;
    entry.target = target;
    return entry;
}

Entry charDevice(const QByteArray &path)
{
    Entry entry;
    entry.type = Entry::Type::CharDevice;
    entry.path = path;
    return entry;
}

Entry fifo(const QByteArray &path)
{
    Entry entry;
    entry.type = Entry::Type::Fifo;
    entry.path = path;
    return entry;
}

QByteArray buildArchive(Format format, const QList<Entry> &entries)
{
    const std::unique_ptr<archive, decltype(&archive_write_free)> writer(archive_write_new(),
                                                                         archive_write_free);
    archive *a = writer.get();
    QByteArray bytes;
    if (!setFormat(a, format) ||
        archive_write_open(a, &bytes, nullptr, &appendTo, nullptr) != ARCHIVE_OK) {
        qWarning() << "cannot start the archive:" << archive_error_string(a);
        return {};
    }
    for (const Entry &entry : entries) {
        if (!writeEntry(a, entry)) {
            return {};
        }
    }
    if (archive_write_close(a) != ARCHIVE_OK) {
        qWarning() << "cannot finish the archive:" << archive_error_string(a);
        return {};
    }
    return bytes;
}

QByteArray noise(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray bytes(size, '\0');
    for (char &byte : bytes) {
        byte = static_cast<char>(generator.bounded(256));
    }
    return bytes;
}

QStringList snapshot(const QString &root)
{
    QStringList lines;
    const QDir base(root);
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        QString line = base.relativeFilePath(it.filePath());
        if (info.isSymLink()) {
            line += QStringLiteral(" link to ") + info.symLinkTarget();
        } else if (info.isDir()) {
            line += QStringLiteral(" folder"); // its times change as entries come and go
        } else {
            line += QStringLiteral(" file %1 bytes, changed %2")
                        .arg(info.size())
                        .arg(info.lastModified().toMSecsSinceEpoch());
        }
        lines.append(line);
    }
    lines.sort();
    return lines;
}

qint64 treeSize(const QString &root)
{
    qint64 total = 0;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        if (!info.isSymLink()) {
            total += info.size();
        }
    }
    return total;
}

MemorySource::MemorySource(QByteArray data, qint64 pieceSize, bool seekable)
    : m_data(std::move(data)), m_pieceSize(pieceSize), m_seekable(seekable)
{}

qint64 MemorySource::read(char *buffer, qint64 max)
{
    if (onRead) {
        onRead();
    }
    if (m_failAt >= 0 && m_position >= m_failAt) {
        return -1;
    }
    qint64 count = std::min({max, m_pieceSize, m_data.size() - m_position});
    if (m_failAt >= 0) {
        count = std::min(count, m_failAt - m_position);
    }
    std::memcpy(buffer, m_data.constData() + m_position, static_cast<size_t>(count));
    m_position += count;
    m_delivered += count;
    return count;
}

qint64 MemorySource::seek(qint64 offset)
{
    if (!m_seekable || offset < 0 || offset > m_data.size()) {
        return -1;
    }
    m_position = offset;
    return offset;
}

void MemorySource::failAt(qint64 offset, const QString &error)
{
    m_failAt = offset;
    m_error = error;
}

qint64 GrowingSource::read(char *buffer, qint64 max)
{
    std::unique_lock lock(m_mutex);
    const auto ready = [this] { return m_position < m_data.size() || m_finished || m_interrupted; };
    if (!ready()) {
        ++m_readWaiters;
        ++m_waits;
        m_changed.notify_all();
        m_changed.wait(lock, ready);
        --m_readWaiters;
    }
    if (m_interrupted) {
        return -1;
    }
    const qint64 count = std::min<qint64>(max, m_data.size() - m_position);
    std::memcpy(buffer, m_data.constData() + m_position, static_cast<size_t>(count));
    m_position += count;
    return count;
}

qint64 GrowingSource::seek(qint64 offset)
{
    std::unique_lock lock(m_mutex);
    if (!m_seekable || offset < 0 || offset > m_expectedSize) {
        return -1;
    }
    const auto ready = [this, offset] {
        return offset <= m_data.size() || m_finished || m_interrupted;
    };
    if (!ready()) {
        ++m_seekWaiters;
        ++m_waits;
        m_changed.notify_all();
        m_changed.wait(lock, ready);
        --m_seekWaiters;
    }
    if (m_interrupted || offset > m_data.size()) {
        return -1;
    }
    m_position = offset;
    return offset;
}

QString GrowingSource::errorString() const
{
    const std::lock_guard lock(m_mutex);
    return m_interrupted ? QStringLiteral("interrupted") : QStringLiteral("not there");
}

void GrowingSource::interrupt()
{
    const std::lock_guard lock(m_mutex);
    m_interrupted = true;
    m_changed.notify_all();
}

void GrowingSource::append(const QByteArray &bytes)
{
    const std::lock_guard lock(m_mutex);
    m_data.append(bytes);
    m_changed.notify_all();
}

void GrowingSource::finish()
{
    const std::lock_guard lock(m_mutex);
    m_finished = true;
    m_changed.notify_all();
}

void GrowingSource::closeReader()
{
    const std::lock_guard lock(m_mutex);
    m_readerClosed = true;
    m_changed.notify_all();
}

bool GrowingSource::waitUntilReaderWaits()
{
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, std::chrono::seconds(30), [this] {
        return (m_readWaiters > 0 && m_position == m_data.size()) || m_seekWaiters > 0 ||
               m_readerClosed;
    });
}

bool GrowingSource::wasInterrupted() const
{
    const std::lock_guard lock(m_mutex);
    return m_interrupted;
}

int GrowingSource::waits() const
{
    const std::lock_guard lock(m_mutex);
    return m_waits;
}

} // namespace archive_test
