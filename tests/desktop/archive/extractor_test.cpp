// extractArchive(): real archives built by the test, well-formed and hostile, unpacked into a
// staging folder inside a sandbox whose every other path is compared before and after.

#include "core/archive/extractor.h"
#include "test_archives.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace archive_test;

Q_DECLARE_METATYPE(archive_test::Format)
Q_DECLARE_METATYPE(QList<archive_test::Entry>)
Q_DECLARE_METATYPE(TaskError)

namespace {

constexpr qint64 kMiB = 1024 * 1024;

bool isTar(Format format)
{
    return format != Format::Zip;
}

QByteArray fileContents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::filesystem::path fsPath(const QString &path)
{
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

std::filesystem::perms permsOf(const QString &path)
{
    return std::filesystem::symlink_status(fsPath(path)).permissions();
}

QByteArray passwdHash()
{
    return QCryptographicHash::hash(fileContents(QStringLiteral("/etc/passwd")),
                                    QCryptographicHash::Sha256);
}

// A tree with what tools ship: nested folders, an executable, a library and a link to it.
QList<Entry> toolEntries(Format format)
{
    QList<Entry> entries;
    if (isTar(format)) {
        entries.append(folder("./"));
    }
    entries.append(folder("tool/"));
    entries.append(folder("tool/bin/"));
    entries.append(file("tool/bin/run", "#!/bin/sh\necho run\n", 0755));
    entries.append(file("tool/bin/setuid-run", "#!/bin/sh\necho root\n", 04755));
    entries.append(file("tool/lib/libx.so.1", noise(700 * 1024, 1)));
    entries.append(softLink("tool/lib/libx.so", "libx.so.1"));
    entries.append(softLink("tool/bin/lib", "../lib"));
    entries.append(file("tool/share/doc/deep/README.txt", "Read me.\n", 0664));
    entries.append(file("tool/empty", ""));
    if (isTar(format)) {
        entries.append(hardLink("tool/bin/run-again", "tool/bin/run"));
    }
    return entries;
}

} // namespace

// For QCOMPARE of file lists.
char *toString(const ExtractedFile &file)
{
    return QTest::toString(file.path + QLatin1Char(' ') + QString::number(file.size) +
                           QLatin1Char(' ') + QString::fromLatin1(file.sha256Hex));
}

static QByteArray sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

class ExtractorTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_sandbox; // <tmp>/sandbox: sentinel.txt, base/ (parent of staging)
    QString m_staging; // <sandbox>/base/staging
    int m_run = 0;

    // Replaces @ROOT@ in a path by the sandbox.
    QByteArray expand(const QByteArray &path) const
    {
        QByteArray expanded = path;
        return expanded.replace("@ROOT@", QFile::encodeName(m_sandbox));
    }

    ExtractResult extract(ByteSource &source, const ExtractLimits &limits = {},
                          const ExtractProgressFn &onProgress = {})
    {
        const std::atomic<bool> cancel{false};
        return extractArchive(source, m_staging, limits, cancel, onProgress);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
        qRegisterMetaType<TaskError>();
    }

    void init()
    {
        // A fresh sandbox per test function and data row.
        m_sandbox = m_tmp.filePath(QStringLiteral("sandbox-%1").arg(++m_run));
        QVERIFY(QDir().mkpath(m_sandbox + QStringLiteral("/base")));
        QFile sentinel(m_sandbox + QStringLiteral("/sentinel.txt"));
        QVERIFY(sentinel.open(QIODevice::WriteOnly));
        sentinel.write("original\n");
        sentinel.close();
        m_staging = m_sandbox + QStringLiteral("/base/staging");
    }

    void unpacksToolTree_data()
    {
        QTest::addColumn<Format>("format");
        QTest::newRow("tar") << Format::Tar;
        QTest::newRow("tar.gz") << Format::TarGz;
        QTest::newRow("tar.bz2") << Format::TarBz2;
        QTest::newRow("tar.xz") << Format::TarXz;
        QTest::newRow("tar.zst") << Format::TarZstd;
        QTest::newRow("zip") << Format::Zip;
    }

    void unpacksToolTree()
    {
        QFETCH(Format, format);
        const QList<Entry> entries = toolEntries(format);
        const QByteArray bytes = buildArchive(format, entries);
        QVERIFY(!bytes.isEmpty());
        MemorySource source(bytes);

        const ExtractResult result = extract(source);
        QVERIFY2(result.ok(), qPrintable(result.message));
        QCOMPARE(result.entries, entries.size());
        QVERIFY(result.sourceBytes > 0);
        if (isTar(format)) {
            QVERIFY(result.sourceBytes <= bytes.size()); // the end padding may stay unread
        }

        qint64 dataBytes = 0;
        QList<ExtractedFile> expectedFiles;
        QList<QPair<QString, QByteArray>> expectedLinks;
        for (const Entry &entry : entries) {
            const QString path = m_staging + QLatin1Char('/') + QFile::decodeName(entry.path);
            switch (entry.type) {
            case Entry::Type::File:
                QCOMPARE(fileContents(path), entry.data);
                dataBytes += entry.data.size();
                expectedFiles.append(
                    {QFile::decodeName(entry.path), entry.data.size(), sha256Hex(entry.data)});
                break;
            case Entry::Type::Folder:
                QVERIFY2(QFileInfo(path).isDir(), qPrintable(path));
                QCOMPARE(permsOf(path), std::filesystem::perms(0755));
                break;
            case Entry::Type::Symlink:
                QVERIFY2(QFileInfo(path).isSymLink(), qPrintable(path));
                QCOMPARE(QByteArray::fromStdString(std::filesystem::read_symlink(fsPath(path))),
                         entry.target);
                expectedLinks.append({QFile::decodeName(entry.path), entry.target});
                break;
            case Entry::Type::Hardlink: {
                const QString target =
                    m_staging + QLatin1Char('/') + QFile::decodeName(entry.target);
                QVERIFY(std::filesystem::equivalent(fsPath(path), fsPath(target)));
                expectedFiles.append({QFile::decodeName(entry.path), QFileInfo(target).size(),
                                      sha256Hex(fileContents(target))});
                break;
            }
            case Entry::Type::CharDevice:
            case Entry::Type::Fifo:
                QFAIL("not in a tool tree");
            }
        }
        QCOMPARE(result.files, expectedFiles);
        QCOMPARE(result.links, expectedLinks);
        QCOMPARE(result.bytesWritten, dataBytes);

        using std::filesystem::perms;
        const perms run = permsOf(m_staging + QStringLiteral("/tool/bin/run"));
        QCOMPARE(run, perms(0755));
        const perms setuid = permsOf(m_staging + QStringLiteral("/tool/bin/setuid-run"));
        QCOMPARE(setuid, perms(0755)); // executable, without the setuid bit
        const perms readme = permsOf(m_staging + QStringLiteral("/tool/share/doc/deep/README.txt"));
        QCOMPARE(readme, perms(0644)); // no group write, not executable
        // The links work inside the tree.
        QCOMPARE(fileContents(m_staging + QStringLiteral("/tool/lib/libx.so")),
                 noise(700 * 1024, 1));
        QCOMPARE(fileContents(m_staging + QStringLiteral("/tool/bin/lib/libx.so.1")),
                 fileContents(m_staging + QStringLiteral("/tool/lib/libx.so.1")));
        // Nothing but the staging folder appeared in the sandbox.
        QCOMPARE(QDir(m_sandbox + QStringLiteral("/base"))
                     .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("staging")});
    }

    void refusesHostileArchive_data()
    {
        QTest::addColumn<Format>("format");
        QTest::addColumn<QList<Entry>>("entries");
        QTest::addColumn<TaskError>("error");
        QTest::addColumn<QByteArray>("named");            // the message names this entry
        QTest::addColumn<QByteArrayList>("mustNotExist"); // @ROOT@ is the sandbox

        const auto row = [](const char *name, Format format, QList<Entry> hostile, TaskError error,
                            const char *named, QByteArrayList mustNotExist = {}) {
            // A good file first, so there is something to clean up.
            hostile.prepend(file("ok/fine.txt", "fine\n"));
            QTest::newRow(name) << format << hostile << error << QByteArray(named) << mustNotExist;
        };
        const TaskError unsafe = TaskError::UnsafeArchive;
        row("zip-slip tar", Format::TarGz, {file("../evil", "x")}, unsafe, "../evil",
            {"@ROOT@/base/evil"});
        row("zip-slip zip", Format::Zip, {file("../evil", "x")}, unsafe, "../evil",
            {"@ROOT@/base/evil"});
        row("dotdot inside path", Format::TarGz, {file("a/../../evil", "x")}, unsafe,
            "a/../../evil", {"@ROOT@/base/evil"});
        row("harmless dotdot", Format::Tar, {file("a/../b", "x")}, unsafe, "a/../b");
        row("backslash dotdot", Format::Tar, {file("..\\evil", "x")}, unsafe, "..\\evil",
            {"@ROOT@/base/evil"});
        row("absolute path tar", Format::Tar, {file("@ROOT@/abs-evil", "x")}, unsafe,
            "@ROOT@/abs-evil", {"@ROOT@/abs-evil"});
        row("absolute path zip", Format::Zip, {file("@ROOT@/abs-evil", "x")}, unsafe,
            "@ROOT@/abs-evil", {"@ROOT@/abs-evil"});
        row("symlink to /etc/passwd", Format::TarGz, {softLink("passwd", "/etc/passwd")}, unsafe,
            "passwd");
        row("symlink out, then written through", Format::TarGz,
            {softLink("secret", "@ROOT@/sentinel.txt"), file("secret", "pwned\n")}, unsafe,
            "secret");
        row("symlink ../../outside", Format::TarGz,
            {softLink("up", "../../outside"), file("up", "pwned\n")}, unsafe, "up",
            {"@ROOT@/outside"});
        row("nested symlink out", Format::Zip, {softLink("a/b/up", "../../../x")}, unsafe, "a/b/up",
            {"@ROOT@/base/x"});
        row("symlink to folder, then file through it", Format::TarGz,
            {softLink("link", ".."), file("link/evil", "pwned\n")}, unsafe, "link",
            {"@ROOT@/base/evil"});
        row("file through an inside link", Format::TarGz,
            {folder("sub/"), softLink("inner", "sub"), file("inner/evil", "x")}, unsafe,
            "inner/evil", {"@ROOT@/base/staging/sub/evil"});
        row("symlink with a backslash", Format::TarGz, {softLink("sneaky", "a\\b/../..")}, unsafe,
            "sneaky");
        row("link through link", Format::TarGz,
            {folder("a/"), softLink("a/up", ".."), softLink("escape", "a/up/..")}, unsafe,
            "escape");
        row("hardlink to /etc/passwd", Format::Tar, {hardLink("passwd", "/etc/passwd")}, unsafe,
            "passwd");
        row("hardlink to ../outside", Format::Tar, {hardLink("out", "../outside")}, unsafe, "out");
        row("hardlink to nothing unpacked", Format::Tar, {hardLink("ghost", "not/there")}, unsafe,
            "ghost");
        row("hardlink to a link", Format::Tar,
            {softLink("ok/link", "fine.txt"), hardLink("hard-to-link", "ok/link")}, unsafe,
            "hard-to-link");
        row("character device", Format::Tar, {charDevice("dev/null")}, unsafe, "dev/null");
        row("fifo", Format::TarGz, {fifo("pipe")}, unsafe, "pipe");
        row("entry twice", Format::TarGz, {file("twice", "1"), file("twice", "2")}, unsafe,
            "twice");
        row("link replaced by a file", Format::TarGz,
            {softLink("swapped", "ok/fine.txt"), file("swapped", "x")}, unsafe, "swapped");
    }

    void refusesHostileArchive()
    {
        QFETCH(Format, format);
        QFETCH(QList<Entry>, entries);
        QFETCH(TaskError, error);
        QFETCH(QByteArray, named);
        QFETCH(QByteArrayList, mustNotExist);
        for (Entry &entry : entries) {
            entry.path = expand(entry.path);
            entry.target = expand(entry.target);
        }
        const QByteArray bytes = buildArchive(format, entries);
        QVERIFY(!bytes.isEmpty());
        const QStringList before = snapshot(m_sandbox);
        const QByteArray passwd = passwdHash();

        MemorySource source(bytes, 1000);
        const ExtractResult result = extract(source);

        QCOMPARE(result.status, ExtractResult::Status::Failed);
        QCOMPARE(result.error, error);
        const QString quoted =
            QStringLiteral("“") + QFile::decodeName(expand(named)) + QStringLiteral("”");
        QVERIFY2(result.message.contains(quoted), qPrintable(result.message));
        QVERIFY(result.files.isEmpty());
        QVERIFY2(!QFileInfo::exists(m_staging) && !QFileInfo(m_staging).isSymLink(),
                 "the staging folder is left");
        QCOMPARE(snapshot(m_sandbox), before);
        for (const QByteArray &path : mustNotExist) {
            const QString resolved = QFile::decodeName(expand(path));
            QVERIFY2(!QFileInfo::exists(resolved) && !QFileInfo(resolved).isSymLink(),
                     qPrintable(resolved));
        }
        QCOMPARE(fileContents(m_sandbox + QStringLiteral("/sentinel.txt")),
                 QByteArray("original\n"));
        QCOMPARE(passwdHash(), passwd);
    }

    void stopsSizeBombAsItExpands_data()
    {
        QTest::addColumn<Format>("format");
        QTest::addColumn<QList<Entry>>("entries");
        QTest::addColumn<qint64>("written"); // before the entry that would cross the limit
        QTest::newRow("tar.gz, one 100 MB file")
            << Format::TarGz << QList<Entry>{zeros("zeros", 100 * kMiB)} << qint64{0};
        QTest::newRow("zip, one 100 MB file")
            << Format::Zip << QList<Entry>{zeros("zeros", 100 * kMiB, false)} << qint64{0};
        QList<Entry> parts;
        for (int i = 0; i < 20; ++i) {
            parts.append(zeros(QByteArray("part-") + QByteArray::number(i), 3 * kMiB));
        }
        QTest::newRow("tar.xz, 20 files of 3 MB") << Format::TarXz << parts << 9 * kMiB;
        QTest::newRow("zip, 20 files of 3 MB") << Format::Zip << parts << 9 * kMiB;
    }

    void stopsSizeBombAsItExpands()
    {
        QFETCH(Format, format);
        QFETCH(QList<Entry>, entries);
        QFETCH(qint64, written);
        const QByteArray bytes = buildArchive(format, entries);
        QVERIFY(!bytes.isEmpty());
        QVERIFY(bytes.size() < 2 * kMiB);
        const QStringList before = snapshot(m_sandbox);

        ExtractLimits limits;
        limits.maxBytes = 10 * kMiB;
        // Measures the staging folder on disk before every read and after every block.
        std::atomic<qint64> largestOnDisk{0};
        const auto measure = [this, &largestOnDisk] {
            const qint64 size = treeSize(m_staging);
            if (size > largestOnDisk.load()) {
                largestOnDisk.store(size);
            }
        };
        MemorySource source(bytes, 512);
        source.onRead = measure;
        const ExtractResult result =
            extract(source, limits, [&measure](const ExtractProgress &) { measure(); });

        QCOMPARE(result.status, ExtractResult::Status::Failed);
        QCOMPARE(result.error, TaskError::ArchiveTooLarge);
        QVERIFY(result.message.contains(QStringLiteral("10")));
        // The entry that would cross the limit was refused on its header, before any of it
        // was unpacked; the ones before it were written whole.
        QCOMPARE(result.bytesWritten, written);
        QCOMPARE(largestOnDisk.load(), written);
        // Most of the archive was never read.
        QVERIFY2(source.consumed() < bytes.size() * 2 / 3,
                 qPrintable(QStringLiteral("%1 of %2").arg(source.consumed()).arg(bytes.size())));
        QVERIFY(!QFileInfo::exists(m_staging));
        QCOMPARE(snapshot(m_sandbox), before);
    }

    void stopsBlockByBlockWhenSizesLie()
    {
        // A zip claims 50 bytes for an entry that inflates to 20 MB, after a file that leaves
        // 100 bytes of the limit: its header passes, and its data is refused as it expands,
        // before the first block is written. (Without that count, libarchive would write the
        // 50 bytes and fail on the rest as damage.)
        QByteArray bytes =
            buildArchive(Format::Zip, {zeros("fill", 10 * kMiB - 100), zeros("bomb", 20 * kMiB)});
        const QByteArray fifty("\x32\x00\x00\x00", 4);
        const qsizetype local = bytes.indexOf("PK\x03\x04", 4);
        QCOMPARE(bytes.mid(local + 30, 4), QByteArray("bomb"));
        bytes.replace(local + 22, 4, fifty);
        const qsizetype central = bytes.indexOf("PK\x01\x02", bytes.indexOf("PK\x01\x02") + 4);
        QCOMPARE(bytes.mid(central + 46, 4), QByteArray("bomb"));
        bytes.replace(central + 24, 4, fifty);

        ExtractLimits limits;
        limits.maxBytes = 10 * kMiB;
        std::atomic<qint64> largestOnDisk{0};
        MemorySource source(bytes, 512);
        const ExtractResult result = extract(source, limits, [&](const ExtractProgress &) {
            largestOnDisk.store(std::max(largestOnDisk.load(), treeSize(m_staging)));
        });
        QVERIFY2(result.error == TaskError::ArchiveTooLarge, qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("“bomb”")), qPrintable(result.message));
        QCOMPARE(result.bytesWritten, 10 * kMiB - 100);
        QCOMPARE(largestOnDisk.load(), 10 * kMiB - 100);
        QVERIFY(!QFileInfo::exists(m_staging));
    }

    void refusesTooManyEntries()
    {
        QList<Entry> entries;
        for (int i = 0; i < 20; ++i) {
            entries.append(file(QByteArray("f") + QByteArray::number(i), "x"));
        }
        MemorySource source(buildArchive(Format::TarGz, entries));
        ExtractLimits limits;
        limits.maxEntries = 10;
        const ExtractResult result = extract(source, limits);
        QCOMPARE(result.error, TaskError::ArchiveTooLarge);
        QCOMPARE(result.entries, 11);
        QCOMPARE(result.bytesWritten, 10); // the eleventh was refused before it was written
        QVERIFY(!QFileInfo::exists(m_staging));

        MemorySource exact(buildArchive(Format::TarGz, entries.mid(0, 10)));
        const ExtractResult fits = extract(exact, limits);
        QVERIFY2(fits.ok(), qPrintable(fits.message));
    }

    void refusesCorruptArchive_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QList<Entry> entries{file("a.bin", noise(300 * 1024, 2)), file("b.txt", "b")};
        const QByteArray tarGz = buildArchive(Format::TarGz, entries);
        const QByteArray zip = buildArchive(Format::Zip, entries);
        const QByteArray tar = buildArchive(Format::Tar, entries);
        QTest::newRow("truncated tar.gz") << tarGz.left(tarGz.size() / 2);
        QTest::newRow("truncated zip") << zip.left(zip.size() / 2);
        QTest::newRow("truncated tar") << tar.left(tar.size() / 2);
        const auto damaged = [](QByteArray bytes, qsizetype from) {
            for (qsizetype i = from; i < from + 64; ++i) {
                bytes[i] = static_cast<char>(~bytes.at(i));
            }
            return bytes;
        };
        // The second header's mode, owner, size, time and checksum.
        QTest::newRow("damaged tar header") << damaged(tar, tar.indexOf("b.txt") + 100);
        // Text compresses into Huffman codes, which damage breaks. (libarchive does not check
        // gzip's CRC, so damaged stored data only shows in the download's SHA-256.)
        QByteArray text;
        for (int i = 0; i < 20000; ++i) {
            text += "line " + QByteArray::number(i) + '\n';
        }
        const QByteArray textGz = buildArchive(Format::TarGz, {file("text.txt", text)});
        QTest::newRow("damaged gzip stream") << damaged(textGz, textGz.size() / 2);
        QTest::newRow("not an archive") << noise(100 * 1024, 3);
        QTest::newRow("a gzip file, no tar inside")
            << buildArchive(Format::TarGz, {}).left(10) + noise(100, 4);
        QTest::newRow("empty") << QByteArray();
    }

    void refusesCorruptArchive()
    {
        QFETCH(QByteArray, bytes);
        const QStringList before = snapshot(m_sandbox);
        MemorySource source(bytes, 4096);
        const ExtractResult result = extract(source);
        QCOMPARE(result.status, ExtractResult::Status::Failed);
        QVERIFY2(result.error == TaskError::CorruptArchive, qPrintable(result.message));
        QVERIFY(!result.message.isEmpty());
        QVERIFY(!QFileInfo::exists(m_staging));
        QCOMPARE(snapshot(m_sandbox), before);
    }

    void reportsSourceFailure()
    {
        const QByteArray bytes = buildArchive(Format::TarGz, {file("a.bin", noise(500 * 1024, 5))});
        MemorySource source(bytes, 4096);
        source.failAt(bytes.size() / 2, QStringLiteral("connection reset"));
        const ExtractResult result = extract(source);
        QCOMPARE(result.error, TaskError::FileSystem);
        QCOMPARE(result.message, QStringLiteral("connection reset"));
        QVERIFY(!QFileInfo::exists(m_staging));
    }

    void readsGrowingSource_data()
    {
        QTest::addColumn<Format>("format");
        QTest::addColumn<bool>("seekable");
        QTest::newRow("tar.gz, read as it arrives") << Format::TarGz << false;
        QTest::newRow("zip, read once complete") << Format::Zip << true;
    }

    void readsGrowingSource()
    {
        // A download in progress: the bytes arrive in small pieces from another thread while
        // extraction runs. A tar is unpacked as they come: every time, the extractor has taken
        // everything and waits for more. A zip waits for its central directory at the end.
        QFETCH(Format, format);
        QFETCH(bool, seekable);
        const QList<Entry> entries = toolEntries(format);
        const QByteArray bytes = buildArchive(format, entries);
        GrowingSource source(bytes.size(), seekable);
        std::atomic<bool> cancel{false};
        ExtractResult result;
        std::thread worker([&] {
            result = extractArchive(source, m_staging, ExtractLimits{}, cancel);
            source.closeReader();
        });
        int waited = 0;
        for (qsizetype offset = 0; offset < bytes.size(); offset += 700) {
            if (source.waitUntilReaderWaits()) {
                ++waited;
            }
            source.append(bytes.mid(offset, 700));
        }
        source.finish();
        worker.join();
        QVERIFY2(result.ok(), qPrintable(result.message));
        QVERIFY(waited > 100);
        if (!seekable) {
            QVERIFY2(source.waits() > 100, qPrintable(QString::number(source.waits())));
        }
        QCOMPARE(result.entries, entries.size());
        QCOMPARE(fileContents(m_staging + QStringLiteral("/tool/lib/libx.so.1")),
                 noise(700 * 1024, 1));
        QVERIFY(QFileInfo(m_staging + QStringLiteral("/tool/lib/libx.so")).isSymLink());
    }

    void refusesZipFromSourceThatCannotSeek()
    {
        MemorySource source(buildArchive(Format::Zip, toolEntries(Format::Zip)), 4096, false);
        const ExtractResult result = extract(source);
        QCOMPARE(result.error, TaskError::Internal);
        QVERIFY2(result.message.contains(QStringLiteral("seek")), qPrintable(result.message));
        QVERIFY(!QFileInfo::exists(m_staging));

        MemorySource tar(buildArchive(Format::TarGz, toolEntries(Format::TarGz)), 4096, false);
        const ExtractResult fine = extract(tar);
        QVERIFY2(fine.ok(), qPrintable(fine.message));
    }

    void stopsWhenCanceled()
    {
        const QByteArray bytes = buildArchive(Format::TarGz, toolEntries(Format::TarGz));
        MemorySource source(bytes, 1000);
        std::atomic<bool> cancel{false};
        int blocks = 0;
        const ExtractResult result = extractArchive(source, m_staging, ExtractLimits{}, cancel,
                                                    [&](const ExtractProgress &) {
                                                        if (++blocks == 3) {
                                                            cancel.store(true);
                                                        }
                                                    });
        QCOMPARE(result.status, ExtractResult::Status::Canceled);
        QVERIFY(source.consumed() < bytes.size());
        QVERIFY(!QFileInfo::exists(m_staging));
    }

    void takesOnlyFreshStagingFolder()
    {
        const QByteArray bytes = buildArchive(Format::TarGz, {file("a", "a")});
        // An existing folder with something in it is not touched.
        QVERIFY(QDir().mkpath(m_staging));
        QFile keep(m_staging + QStringLiteral("/.keep"));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.close();
        MemorySource first(bytes);
        const ExtractResult refused = extract(first);
        QCOMPARE(refused.error, TaskError::FileSystem);
        QVERIFY(QFileInfo::exists(m_staging + QStringLiteral("/.keep")));

        // An empty one is taken over.
        QVERIFY(QFile::remove(m_staging + QStringLiteral("/.keep")));
        MemorySource second(bytes);
        const ExtractResult taken = extract(second);
        QVERIFY2(taken.ok(), qPrintable(taken.message));
        QCOMPARE(fileContents(m_staging + QStringLiteral("/a")), QByteArray("a"));

        // A missing parent is not created.
        MemorySource third(bytes);
        const std::atomic<bool> cancel{false};
        const ExtractResult orphan = extractArchive(
            third, m_sandbox + QStringLiteral("/missing/staging"), ExtractLimits{}, cancel);
        QCOMPARE(orphan.error, TaskError::FileSystem);
        QVERIFY(!QFileInfo::exists(m_sandbox + QStringLiteral("/missing")));
    }

    void followsSymlinkedParentOfStaging()
    {
        // The staging folder's own path may pass through links (macOS' /tmp); only entries
        // inside it are judged.
        const QString real = m_sandbox + QStringLiteral("/real");
        QVERIFY(QDir().mkpath(real));
        QVERIFY(QFile::link(real, m_sandbox + QStringLiteral("/alias")));
        MemorySource source(buildArchive(Format::Zip, toolEntries(Format::Zip)));
        const std::atomic<bool> cancel{false};
        const ExtractResult result = extractArchive(
            source, m_sandbox + QStringLiteral("/alias/staging"), ExtractLimits{}, cancel);
        QVERIFY2(result.ok(), qPrintable(result.message));
        QVERIFY(QFileInfo(real + QStringLiteral("/staging/tool/bin/run")).isFile());
    }

    void readsCompleteFile()
    {
        const QByteArray bytes = buildArchive(Format::TarZstd, toolEntries(Format::TarZstd));
        const QString path = m_sandbox + QStringLiteral("/tool.tar.zst");
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(bytes), bytes.size());
        out.close();
        FileByteSource source(path);
        QCOMPARE(source.size(), bytes.size());
        const ExtractResult result = extract(source);
        QVERIFY2(result.ok(), qPrintable(result.message));
        QCOMPARE(result.sourceBytes, bytes.size());

        FileByteSource missing(m_sandbox + QStringLiteral("/missing.tar.gz"));
        QCOMPARE(missing.size(), -1);
        const std::atomic<bool> cancel{false};
        const ExtractResult failed = extractArchive(
            missing, m_sandbox + QStringLiteral("/base/other"), ExtractLimits{}, cancel);
        QCOMPARE(failed.error, TaskError::FileSystem);
        QVERIFY2(failed.message.contains(QStringLiteral("missing.tar.gz")),
                 qPrintable(failed.message));
        QVERIFY(!QFileInfo::exists(m_sandbox + QStringLiteral("/base/other")));
    }
};

QTEST_GUILESS_MAIN(ExtractorTest)
#include "extractor_test.moc"
