#include "core/archive/byte_source.h"

#include <QCoreApplication>
#include <QFileInfo>

FileByteSource::FileByteSource(const QString &path) : m_file(path)
{
    const QFileInfo info(path);
    if (info.isFile()) {
        m_size = info.size();
    }
}

bool FileByteSource::ensureOpen()
{
    if (!m_error.isEmpty()) {
        return false;
    }
    if (!m_file.isOpen() && !m_file.open(QIODevice::ReadOnly)) {
        m_error = QCoreApplication::translate("FileByteSource", "Cannot open %1: %2")
                      .arg(m_file.fileName(), m_file.errorString());
        return false;
    }
    return true;
}

qint64 FileByteSource::read(char *buffer, qint64 max)
{
    if (!ensureOpen()) {
        return -1;
    }
    const qint64 count = m_file.read(buffer, max);
    if (count < 0) {
        m_error = QCoreApplication::translate("FileByteSource", "Cannot read %1: %2")
                      .arg(m_file.fileName(), m_file.errorString());
    }
    return count;
}

QString FileByteSource::errorString() const
{
    return m_error;
}

qint64 FileByteSource::size() const
{
    return m_size;
}

qint64 FileByteSource::seek(qint64 offset)
{
    if (!ensureOpen()) {
        return -1;
    }
    if (!m_file.seek(offset)) {
        m_error = QCoreApplication::translate("FileByteSource", "Cannot seek in %1: %2")
                      .arg(m_file.fileName(), m_file.errorString());
        return -1;
    }
    return offset;
}
