#include "core/archive/extractor.h"

#include "core/archive/byte_source.h"
#include "core/archive/staging.h"
#include "core/logging.h"

#include <QByteArrayList>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLocale>

#include <archive.h>
#include <archive_entry.h>

#include "toolhub/sha256.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

namespace {

using Mode = decltype(archive_entry_perm(nullptr));

constexpr qint64 kReadBlockSize = 256 * 1024;
constexpr int kMaxLinkHops = 40;
// Whatever the archive says: executable bits are kept, the rest is fixed.
constexpr Mode kFileMode = 0644;
constexpr Mode kExecutableBits = 0111;
constexpr Mode kFolderMode = 0755;

bool isSeparator(char c)
{
    return c == '/' || c == '\\';
}

// "/x", "\x" and Windows drive paths ("C:x", "C:\x").
bool looksAbsolute(const QByteArray &path)
{
    if (path.isEmpty()) {
        return false;
    }
    if (isSeparator(path.front())) {
        return true;
    }
    const char first = path.front();
    const bool letter = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z');
    return letter && path.size() >= 2 && path.at(1) == ':';
}

// The components of a relative path, split at '/' and '\' (a separator on Windows, and never
// part of a safe name), without empty and "." components.
QByteArrayList components(const QByteArray &path)
{
    QByteArrayList parts;
    qsizetype begin = 0;
    for (qsizetype i = 0; i <= path.size(); ++i) {
        if (i == path.size() || isSeparator(path.at(i))) {
            const QByteArray part = path.mid(begin, i - begin);
            if (!part.isEmpty() && part != ".") {
                parts.append(part);
            }
            begin = i + 1;
        }
    }
    return parts;
}

// Whether target, read relative to the folder with the given components, stays inside the
// root by its spelling alone.
bool staysInsideLexically(qsizetype folderDepth, const QByteArray &target)
{
    qsizetype depth = folderDepth;
    for (const QByteArray &part : components(target)) {
        if (part == "..") {
            if (depth == 0) {
                return false;
            }
            --depth;
        } else {
            ++depth;
        }
    }
    return true;
}

std::filesystem::path pathOf(const QByteArray &bytes)
{
    return std::filesystem::path(bytes.toStdString());
}

// Resolves the symbolic link at linkPath (components below root) as the operating system
// would, following links it meets on the way, and answers whether every step stays below
// root. Missing components are taken by their spelling.
bool linkStaysInside(const QByteArray &root, const QByteArrayList &linkPath)
{
    std::vector<QByteArray> where(linkPath.begin(), linkPath.end() - 1);
    std::deque<QByteArray> pending{linkPath.back()};
    int hops = 0;
    while (!pending.empty()) {
        const QByteArray part = pending.front();
        pending.pop_front();
        if (part == "..") {
            if (where.empty()) {
                return false;
            }
            where.pop_back();
            continue;
        }
        where.push_back(part);
        std::filesystem::path onDisk = pathOf(root);
        for (const QByteArray &step : where) {
            onDisk /= pathOf(step);
        }
        std::error_code error;
        if (!std::filesystem::is_symlink(std::filesystem::symlink_status(onDisk, error))) {
            continue;
        }
        if (++hops > kMaxLinkHops) {
            return false;
        }
        const std::filesystem::path target = std::filesystem::read_symlink(onDisk, error);
        const QByteArray targetBytes = QByteArray::fromStdString(target.string());
        if (error || looksAbsolute(targetBytes)) {
            return false;
        }
        where.pop_back();
        const QByteArrayList targetParts = components(targetBytes);
        pending.insert(pending.begin(), targetParts.begin(), targetParts.end());
    }
    return true;
}

struct ReaderDeleter {
    void operator()(archive *a) const { archive_read_free(a); }
};
struct WriterDeleter {
    // Closing applies the deferred folder times; on failure the folder is removed after.
    void operator()(archive *a) const { archive_write_free(a); }
};

// How an extraction ended early.
struct Stop {
    ExtractResult::Status status = ExtractResult::Status::Failed;
    TaskError error = TaskError::Internal;
    QString message;
};

Stop failure(TaskError error, QString message)
{
    return {ExtractResult::Status::Failed, error, std::move(message)};
}

Stop unsafe(QString message)
{
    return failure(TaskError::UnsafeArchive, std::move(message));
}

// One run of extractArchive().
class Extraction {
    Q_DECLARE_TR_FUNCTIONS(Extraction)

public:
    Extraction(ByteSource &source, const ExtractLimits &limits, const std::atomic<bool> &cancel,
               const ExtractProgressFn &onProgress)
        : m_source(source), m_limits(limits), m_cancel(cancel), m_onProgress(onProgress),
          m_buffer(static_cast<size_t>(kReadBlockSize))
    {}

    ExtractResult run(const QString &stagingDir);

private:
    enum class Kind { Folder, File, Link };
    struct Link {
        QByteArrayList path;
        QString name;
    };

    std::optional<Stop> extract(const QString &stagingDir);
    std::optional<Stop> createRoot(const QString &stagingDir);
    std::optional<Stop> writeEntry(archive *in, archive *out, archive_entry *entry);
    std::optional<Stop> copyData(archive *in, archive *out, const QString &name, qint64 &size,
                                 QByteArray &sha256Hex);
    std::optional<Stop> verifyLinksOnDisk() const;
    Stop readFailure(archive *in, const QString &name) const;
    Stop tooLarge(const QString &name) const;
    static Stop writeFailure(archive *out, const QString &name);
    void reportProgress() const;
    static la_ssize_t readCallback(archive *a, void *self, const void **buffer);
    static la_int64_t seekCallback(archive *a, void *self, la_int64_t offset, int whence);

    ByteSource &m_source;
    const ExtractLimits &m_limits;
    const std::atomic<bool> &m_cancel;
    const ExtractProgressFn &m_onProgress;
    std::vector<char> m_buffer;

    QString m_rootPath; // set once this run created (or took over) the staging folder
    QByteArray m_root;  // its canonical path, as bytes for libarchive
    QHash<QByteArray, Kind> m_kinds;
    QHash<QByteArray, qint64> m_fileSizes;
    QHash<QByteArray, QByteArray> m_fileHashes;
    QList<QPair<QString, QByteArray>> m_linkTargets;
    std::vector<Link> m_links;
    QList<ExtractedFile> m_files;
    qint64 m_entries = 0;
    qint64 m_bytesWritten = 0;
    qint64 m_sourceBytes = 0; // read in all, a zip's central directory perhaps twice
    qint64 m_position = 0;
    QByteArray m_head; // the first bytes of the source
    bool m_sourceFailed = false;
    bool m_canceledInRead = false;
};

ExtractResult Extraction::run(const QString &stagingDir)
{
    const std::optional<Stop> stop = extract(stagingDir);
    ExtractResult result;
    result.entries = m_entries;
    result.bytesWritten = m_bytesWritten;
    result.sourceBytes = m_sourceBytes;
    if (!stop) {
        result.status = ExtractResult::Status::Succeeded;
        result.files = std::move(m_files);
        result.links = std::move(m_linkTargets);
        qCInfo(lcArchive).noquote() << "unpacked" << m_entries << "entries," << m_bytesWritten
                                    << "bytes into" << m_rootPath;
        return result;
    }
    result.status = stop->status;
    result.error = stop->error;
    result.message = stop->message;
    if (stop->status == ExtractResult::Status::Canceled) {
        qCInfo(lcArchive).noquote() << "extraction into" << stagingDir << "canceled";
    } else {
        qCWarning(lcArchive).noquote()
            << "extraction into" << stagingDir << "failed:" << stop->message;
    }
    if (!m_rootPath.isEmpty()) {
        removeTree(m_rootPath);
    }
    return result;
}

std::optional<Stop> Extraction::extract(const QString &stagingDir)
{
    if (auto stop = createRoot(stagingDir)) {
        return stop;
    }
    const std::unique_ptr<archive, ReaderDeleter> in(archive_read_new());
    const std::unique_ptr<archive, WriterDeleter> out(archive_write_disk_new());
    if (!in || !out) {
        return failure(TaskError::Internal, tr("The archive reader could not be created."));
    }
    // No filter_all: that would also run external programs (lrzip, lzop, grzip) on the input.
    archive_read_support_filter_gzip(in.get());
    archive_read_support_filter_bzip2(in.get());
    archive_read_support_filter_xz(in.get());
    archive_read_support_filter_zstd(in.get());
    archive_read_support_format_tar(in.get());
    archive_read_set_callback_data(in.get(), this);
    archive_read_set_read_callback(in.get(), &Extraction::readCallback);
    if (m_source.isSeekable()) {
        // Read as a stream, a zip has no symbolic links and no permissions: those live only
        // in its central directory.
        archive_read_support_format_zip_seekable(in.get());
        archive_read_set_seek_callback(in.get(), &Extraction::seekCallback);
    }
    // No ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS: every path handed over is the absolute
    // (canonical) staging folder plus a checked relative path. No OWNER, ACL, XATTR, FFLAGS.
    archive_write_disk_set_options(
        out.get(), ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                       ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME);

    if (archive_read_open1(in.get()) != ARCHIVE_OK) {
        return readFailure(in.get(), {});
    }
    for (;;) {
        if (m_cancel.load()) {
            return Stop{ExtractResult::Status::Canceled, TaskError::Internal, {}};
        }
        archive_entry *entry = nullptr;
        const int status = archive_read_next_header(in.get(), &entry);
        if (status == ARCHIVE_EOF) {
            break;
        }
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
            return readFailure(in.get(), {});
        }
        if (status == ARCHIVE_WARN) {
            qCWarning(lcArchive) << "archive header:" << archive_error_string(in.get());
        }
        if (auto stop = writeEntry(in.get(), out.get(), entry)) {
            return stop;
        }
    }
    if (m_sourceBytes == 0) {
        return failure(TaskError::CorruptArchive, tr("The archive is empty."));
    }
    const int closed = archive_write_close(out.get());
    if (closed != ARCHIVE_OK && closed != ARCHIVE_WARN) {
        return writeFailure(out.get(), {});
    }
    return verifyLinksOnDisk();
}

std::optional<Stop> Extraction::createRoot(const QString &stagingDir)
{
    if (stagingDir.isEmpty()) {
        return failure(TaskError::Internal, tr("No staging folder was given."));
    }
    const QFileInfo info(stagingDir);
    if (info.isSymLink() || info.exists()) {
        const bool emptyFolder =
            !info.isSymLink() && info.isDir() &&
            QDir(stagingDir)
                .isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        if (!emptyFolder) {
            return failure(TaskError::FileSystem,
                           tr("The staging folder %1 exists already and is not empty.")
                               .arg(QDir::toNativeSeparators(stagingDir)));
        }
    } else if (!QDir().mkdir(stagingDir)) {
        return failure(TaskError::FileSystem, tr("The staging folder %1 cannot be created.")
                                                  .arg(QDir::toNativeSeparators(stagingDir)));
    }
    m_rootPath = stagingDir;
    std::error_code modeError;
    std::filesystem::permissions(pathOf(QFile::encodeName(stagingDir)),
                                 std::filesystem::perms(kFolderMode), modeError);
    // libarchive's SECURE_SYMLINKS refuses paths through any symbolic link, so the folders
    // above the staging folder (/tmp -> /private/tmp) are resolved once here.
    const QString canonical = QFileInfo(stagingDir).canonicalFilePath();
    if (canonical.isEmpty()) {
        return failure(TaskError::FileSystem, tr("The staging folder %1 cannot be resolved.")
                                                  .arg(QDir::toNativeSeparators(stagingDir)));
    }
    m_rootPath = canonical;
    m_root = QFile::encodeName(canonical);
    return std::nullopt;
}

std::optional<Stop> Extraction::writeEntry(archive *in, archive *out, archive_entry *entry)
{
    ++m_entries;
    if (m_entries > m_limits.maxEntries) {
        return failure(TaskError::ArchiveTooLarge,
                       tr("The archive has more than %1 entries.").arg(m_limits.maxEntries));
    }
    const char *rawName = archive_entry_pathname(entry);
    if (rawName == nullptr) {
        rawName = archive_entry_pathname_utf8(entry);
    }
    if (rawName == nullptr) {
        return failure(TaskError::CorruptArchive, tr("An entry of the archive has no name."));
    }
    const QByteArray raw(rawName);
    const QString name = QFile::decodeName(raw);
    if (looksAbsolute(raw)) {
        return unsafe(tr("The entry “%1” has an absolute path.").arg(name));
    }
    const QByteArrayList parts = components(raw);
    if (parts.contains("..")) {
        return unsafe(tr("The entry “%1” leads out of its folder with “..”.").arg(name));
    }
    const QByteArray rel = parts.join('/');

    const char *rawHardlink = archive_entry_hardlink(entry);
    const auto type = archive_entry_filetype(entry);
    Kind kind = Kind::File;
    if (rawHardlink != nullptr || type == AE_IFREG) {
        kind = Kind::File;
    } else if (type == AE_IFDIR) {
        kind = Kind::Folder;
    } else if (type == AE_IFLNK) {
        kind = Kind::Link;
    } else {
        return unsafe(
            tr("The entry “%1” is a device, FIFO, socket or of an unknown type.").arg(name));
    }
    if (rel.isEmpty()) {
        if (kind == Kind::Folder && rawHardlink == nullptr) {
            return std::nullopt; // "./", the staging folder itself
        }
        return unsafe(tr("The entry “%1” has no name inside its folder.").arg(name));
    }

    // Every folder on the way must be one: never a link (to write through) or a file.
    for (qsizetype depth = 1; depth < parts.size(); ++depth) {
        const QByteArray above = parts.mid(0, depth).join('/');
        const auto found = m_kinds.constFind(above);
        if (found == m_kinds.cend() || *found == Kind::Folder) {
            continue;
        }
        if (*found == Kind::Link) {
            return unsafe(tr("The entry “%1” would be written through the symbolic link “%2”.")
                              .arg(name, QFile::decodeName(above)));
        }
        return failure(TaskError::CorruptArchive,
                       tr("The entry “%1” lies inside “%2”, which is a file.")
                           .arg(name, QFile::decodeName(above)));
    }
    if (const auto found = m_kinds.constFind(rel); found != m_kinds.cend()) {
        if (*found != Kind::Folder || kind != Kind::Folder) {
            return unsafe(tr("The entry “%1” appears more than once.").arg(name));
        }
    }

    QByteArray hardlinkRel;
    if (rawHardlink != nullptr) {
        const QByteArray target(rawHardlink);
        const QByteArrayList targetParts = components(target);
        if (looksAbsolute(target) || targetParts.contains("..")) {
            return unsafe(tr("The entry “%1” is a hard link to “%2”, outside its folder.")
                              .arg(name, QFile::decodeName(target)));
        }
        hardlinkRel = targetParts.join('/');
        if (m_kinds.value(hardlinkRel, Kind::Folder) != Kind::File) {
            return unsafe(
                tr("The entry “%1” is a hard link to “%2”, which is not a file unpacked before it.")
                    .arg(name, QFile::decodeName(target)));
        }
    }
    if (kind == Kind::Link) {
        const char *rawTarget = archive_entry_symlink(entry);
        const QByteArray target(rawTarget == nullptr ? "" : rawTarget);
        if (target.isEmpty()) {
            return failure(TaskError::CorruptArchive,
                           tr("The entry “%1” is a symbolic link without a target.").arg(name));
        }
        if (looksAbsolute(target)) {
            return unsafe(tr("The entry “%1” is a symbolic link to the absolute path “%2”.")
                              .arg(name, QFile::decodeName(target)));
        }
        // The checks split at '\' too, so "a\b/../.." would look one level deeper than it
        // is where '\' is an ordinary character.
        if (target.contains('\\')) {
            return unsafe(tr("The entry “%1” is a symbolic link to “%2”, with a backslash.")
                              .arg(name, QFile::decodeName(target)));
        }
        if (!staysInsideLexically(parts.size() - 1, target)) {
            return unsafe(tr("The entry “%1” is a symbolic link to “%2”, outside its folder.")
                              .arg(name, QFile::decodeName(target)));
        }
    }
    if (kind == Kind::File && archive_entry_size_is_set(entry) != 0 &&
        archive_entry_size(entry) > m_limits.maxBytes - m_bytesWritten) {
        return tooLarge(name);
    }

    if (kind == Kind::Folder) {
        archive_entry_set_perm(entry, kFolderMode);
    } else if (kind == Kind::File) {
        archive_entry_set_perm(entry, kFileMode | (archive_entry_perm(entry) & kExecutableBits));
    }
    archive_entry_set_pathname(entry, QByteArray(m_root + '/' + rel).constData());
    if (rawHardlink != nullptr) {
        archive_entry_set_hardlink(entry, QByteArray(m_root + '/' + hardlinkRel).constData());
    }

    const int written = archive_write_header(out, entry);
    if (written != ARCHIVE_OK && written != ARCHIVE_WARN) {
        return writeFailure(out, name);
    }
    for (qsizetype depth = 1; depth < parts.size(); ++depth) {
        m_kinds.insert(parts.mid(0, depth).join('/'), Kind::Folder);
    }
    m_kinds.insert(rel, kind);

    qint64 size = 0;
    QByteArray sha256Hex;
    if (kind == Kind::File) {
        if (auto stop = copyData(in, out, name, size, sha256Hex)) {
            return stop;
        }
    }
    const int finished = archive_write_finish_entry(out);
    if (finished != ARCHIVE_OK && finished != ARCHIVE_WARN) {
        return writeFailure(out, name);
    }
    if (kind == Kind::File) {
        if (rawHardlink != nullptr && size == 0) {
            // A hard link without data of its own is the file it names.
            size = m_fileSizes.value(hardlinkRel);
            sha256Hex = m_fileHashes.value(hardlinkRel);
        }
        m_fileSizes.insert(rel, size);
        m_fileHashes.insert(rel, sha256Hex);
        m_files.append({QFile::decodeName(rel), size, sha256Hex});
    } else if (kind == Kind::Link) {
        m_links.push_back({parts, name});
        const char *rawTarget = archive_entry_symlink(entry);
        m_linkTargets.append({QFile::decodeName(rel), QByteArray(rawTarget)});
    }
    reportProgress();
    return std::nullopt;
}

std::optional<Stop> Extraction::copyData(archive *in, archive *out, const QString &name,
                                         qint64 &size, QByteArray &sha256Hex)
{
    qint64 end = 0; // of the file so far; a hole counts as written
    toolhub::Sha256 hash;
    static const std::array<char, 64 * 1024> zeros{};
    for (;;) {
        if (m_cancel.load()) {
            return Stop{ExtractResult::Status::Canceled, TaskError::Internal, {}};
        }
        const void *block = nullptr;
        size_t blockSize = 0;
        la_int64_t offset = 0;
        const int status = archive_read_data_block(in, &block, &blockSize, &offset);
        if (status == ARCHIVE_EOF) {
            break;
        }
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
            return readFailure(in, name);
        }
        const qint64 blockEnd = offset + static_cast<qint64>(blockSize);
        const qint64 growth = std::max<qint64>(0, blockEnd - end);
        if (growth > m_limits.maxBytes - m_bytesWritten) {
            return tooLarge(name);
        }
        const la_ssize_t written = archive_write_data_block(out, block, blockSize, offset);
        if (written == ARCHIVE_WARN) {
            return failure(TaskError::CorruptArchive,
                           tr("The entry “%1” holds more data than its header says.").arg(name));
        }
        if (written < ARCHIVE_OK) {
            return writeFailure(out, name);
        }
        // The content's hash as the file will read: holes are zeros. Blocks come in order.
        for (qint64 hole = offset - end; hole > 0;) {
            const qint64 chunk = std::min<qint64>(hole, qint64(zeros.size()));
            hash.update(std::string_view(zeros.data(), std::size_t(chunk)));
            hole -= chunk;
        }
        if (blockEnd > end) {
            const qint64 skip = std::max<qint64>(0, end - offset);
            hash.update(std::string_view(static_cast<const char *>(block) + skip,
                                         std::size_t(blockEnd - std::max<qint64>(end, offset))));
        }
        m_bytesWritten += growth;
        end = std::max(end, blockEnd);
        reportProgress();
    }
    size = end;
    const auto digest = hash.finish();
    sha256Hex = QByteArray::fromStdString(toolhub::toHex(digest));
    return std::nullopt;
}

std::optional<Stop> Extraction::verifyLinksOnDisk() const
{
    // The check as each link arrived went by spelling; links through links can still lead
    // out ("a/up -> ..", then "b -> a/up/.."), so now that every entry is on disk each link is
    // followed the way the system will follow it.
    for (const Link &link : m_links) {
        if (!linkStaysInside(m_root, link.path)) {
            return unsafe(tr("The entry “%1” is a symbolic link that leads outside its folder.")
                              .arg(link.name));
        }
    }
    return std::nullopt;
}

Stop Extraction::readFailure(archive *in, const QString &name) const
{
    if (m_canceledInRead || m_cancel.load()) {
        return Stop{ExtractResult::Status::Canceled, TaskError::Internal, {}};
    }
    if (m_sourceFailed) {
        return failure(m_source.errorCode(), m_source.errorString());
    }
    if (m_entries == 0 && !m_source.isSeekable() && m_head.startsWith("PK\x03\x04")) {
        return failure(TaskError::Internal,
                       tr("A zip archive can only be unpacked from a source that can seek."));
    }
    const char *detail = archive_error_string(in);
    const QString reason = QString::fromLocal8Bit(detail == nullptr ? "unknown error" : detail);
    if (name.isEmpty()) {
        return failure(TaskError::CorruptArchive,
                       tr("The archive cannot be read: %1.").arg(reason));
    }
    return failure(TaskError::CorruptArchive,
                   tr("The archive cannot be read at “%1”: %2.").arg(name, reason));
}

Stop Extraction::tooLarge(const QString &name) const
{
    return failure(TaskError::ArchiveTooLarge,
                   tr("The archive unpacks to more than %1 (at “%2”).")
                       .arg(QLocale::system().formattedDataSize(m_limits.maxBytes), name));
}

Stop Extraction::writeFailure(archive *out, const QString &name)
{
    const int error = archive_errno(out);
    const char *detail = archive_error_string(out);
    const QString reason = QString::fromLocal8Bit(detail == nullptr ? "unknown error" : detail);
#ifdef EDQUOT
    const bool quota = error == EDQUOT;
#else
    const bool quota = false;
#endif
    if (error == ENOSPC || quota) {
        return failure(TaskError::DiskSpace,
                       tr("There is not enough disk space to unpack “%1”.").arg(name));
    }
    if (error <= 0 && !name.isEmpty()) {
        // libarchive's own path checks (through a link, "..") set no errno. The checks above
        // should have refused the entry first; this is the second line.
        return unsafe(tr("The entry “%1” was refused: %2.").arg(name, reason));
    }
    if (name.isEmpty()) {
        return failure(TaskError::FileSystem, tr("Unpacking failed: %1.").arg(reason));
    }
    return failure(TaskError::FileSystem, tr("“%1” could not be written: %2.").arg(name, reason));
}

void Extraction::reportProgress() const
{
    if (m_onProgress) {
        m_onProgress(ExtractProgress{m_sourceBytes, m_bytesWritten, m_entries});
    }
}

la_ssize_t Extraction::readCallback(archive *a, void *self, const void **buffer)
{
    auto *extraction = static_cast<Extraction *>(self);
    if (extraction->m_cancel.load()) {
        extraction->m_canceledInRead = true;
        archive_set_error(a, ECANCELED, "canceled");
        return -1;
    }
    const qint64 count = extraction->m_source.read(extraction->m_buffer.data(), kReadBlockSize);
    if (count < 0 || count > kReadBlockSize) {
        if (extraction->m_cancel.load()) {
            extraction->m_canceledInRead = true;
        } else {
            extraction->m_sourceFailed = true;
        }
        archive_set_error(a, EIO, "the source failed");
        return -1;
    }
    QByteArray &head = extraction->m_head;
    if (head.size() < 4 && extraction->m_position == head.size()) {
        head.append(extraction->m_buffer.data(), std::min<qint64>(count, 4 - head.size()));
    }
    extraction->m_sourceBytes += count;
    extraction->m_position += count;
    *buffer = extraction->m_buffer.data();
    return static_cast<la_ssize_t>(count);
}

la_int64_t Extraction::seekCallback(archive *a, void *self, la_int64_t offset, int whence)
{
    auto *extraction = static_cast<Extraction *>(self);
    if (extraction->m_cancel.load()) {
        extraction->m_canceledInRead = true;
        archive_set_error(a, ECANCELED, "canceled");
        return ARCHIVE_FATAL;
    }
    qint64 target = offset;
    if (whence == SEEK_CUR) {
        target += extraction->m_position;
    } else if (whence == SEEK_END) {
        target += extraction->m_source.size();
    }
    if (target < 0 || target > extraction->m_source.size()) {
        archive_set_error(a, EINVAL, "seek outside the archive");
        return ARCHIVE_FATAL;
    }
    const qint64 reached = extraction->m_source.seek(target);
    if (reached < 0) {
        extraction->m_sourceFailed = !extraction->m_cancel.load();
        extraction->m_canceledInRead = extraction->m_cancel.load();
        archive_set_error(a, EIO, "the source failed");
        return ARCHIVE_FATAL;
    }
    extraction->m_position = reached;
    return reached;
}

} // namespace

ExtractResult extractArchive(ByteSource &source, const QString &stagingDir,
                             const ExtractLimits &limits, const std::atomic<bool> &cancel,
                             const ExtractProgressFn &onProgress)
{
    Extraction extraction(source, limits, cancel, onProgress);
    return extraction.run(stagingDir);
}
