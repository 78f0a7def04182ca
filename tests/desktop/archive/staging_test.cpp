// commitStaging(), stagingPathFor() and removeTree(): moving a finished staging folder into
// place in one rename, or not at all.

#include "core/archive/staging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class StagingCommitTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_root; // per test: <tmp>/root-N
    QString m_staging;
    QString m_final;
    int m_run = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
    }

    void init()
    {
        m_root = m_tmp.filePath(QStringLiteral("root-%1").arg(++m_run));
        m_final = m_root + QStringLiteral("/tool-1.2.0");
        m_staging = stagingPathFor(m_final);
        QVERIFY(QDir().mkpath(m_staging + QStringLiteral("/bin")));
        QVERIFY(writeFile(m_staging + QStringLiteral("/bin/run"), "new\n"));
    }

    void namesHiddenSibling()
    {
        QCOMPARE(QFileInfo(m_staging).absolutePath(), QFileInfo(m_final).absolutePath());
        QVERIFY(QFileInfo(m_staging).fileName().startsWith(QStringLiteral(".tool-1.2.0.staging-")));
        QVERIFY(stagingPathFor(m_final) != stagingPathFor(m_final));
        QCOMPARE(stagingPathFor(m_final + QLatin1Char('/')).section(QLatin1Char('/'), 0, -2),
                 m_root);
    }

    void commitsByRename()
    {
        const auto committed = commitStaging(m_staging, m_final);
        QVERIFY2(committed.ok(),
                 qPrintable(committed.ok() ? QString() : committed.error().message));
        QCOMPARE(contentsOf(m_final + QStringLiteral("/bin/run")), QByteArray("new\n"));
        QVERIFY(!QFileInfo::exists(m_staging));
    }

    void refusesExistingFinal_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("folder with the old version") << QStringLiteral("old");
        QTest::newRow("empty folder") << QStringLiteral("empty");
        QTest::newRow("file") << QStringLiteral("file");
        QTest::newRow("dangling symbolic link") << QStringLiteral("link");
    }

    void refusesExistingFinal()
    {
        QFETCH(QString, kind);
        if (kind == QStringLiteral("old")) {
            QVERIFY(QDir().mkpath(m_final + QStringLiteral("/bin")));
            QVERIFY(writeFile(m_final + QStringLiteral("/bin/run"), "old\n"));
        } else if (kind == QStringLiteral("empty")) {
            QVERIFY(QDir().mkpath(m_final)); // a plain rename(2) would replace this one
        } else if (kind == QStringLiteral("file")) {
            QVERIFY(writeFile(m_final, "a file\n"));
        } else {
            QVERIFY(QFile::link(m_root + QStringLiteral("/nowhere"), m_final));
        }
        const auto committed = commitStaging(m_staging, m_final);
        QVERIFY(!committed.ok());
        QCOMPARE(committed.error().code, TaskError::FileSystem);
        QVERIFY(committed.error().message.contains(QStringLiteral("tool-1.2.0")));
        // Nothing moved.
        QCOMPARE(contentsOf(m_staging + QStringLiteral("/bin/run")), QByteArray("new\n"));
        if (kind == QStringLiteral("old")) {
            QCOMPARE(contentsOf(m_final + QStringLiteral("/bin/run")), QByteArray("old\n"));
        } else if (kind == QStringLiteral("empty")) {
            QVERIFY(QDir(m_final).isEmpty());
        } else if (kind == QStringLiteral("file")) {
            QCOMPARE(contentsOf(m_final), QByteArray("a file\n"));
        } else {
            QVERIFY(QFileInfo(m_final).isSymLink());
        }
    }

    void refusesMissingStagingOrParent()
    {
        const auto noStaging = commitStaging(m_staging + QStringLiteral("-gone"), m_final);
        QVERIFY(!noStaging.ok());
        QCOMPARE(noStaging.error().code, TaskError::FileSystem);
        QVERIFY(!QFileInfo::exists(m_final));

        const QString orphan = m_root + QStringLiteral("/missing/tool");
        const auto noParent = commitStaging(m_staging, orphan);
        QVERIFY(!noParent.ok());
        QVERIFY(!QFileInfo::exists(orphan));
        QCOMPARE(contentsOf(m_staging + QStringLiteral("/bin/run")), QByteArray("new\n"));

        // A link to a folder is not a staging folder.
        const QString alias = m_root + QStringLiteral("/alias");
        QVERIFY(QFile::link(m_staging, alias));
        QVERIFY(!commitStaging(alias, m_final).ok());
        QVERIFY(!QFileInfo::exists(m_final));
    }

    void removesTreeWithoutFollowingLinks()
    {
        const QString outside = m_root + QStringLiteral("/outside");
        QVERIFY(QDir().mkpath(outside));
        QVERIFY(writeFile(outside + QStringLiteral("/keep.txt"), "keep\n"));
        QVERIFY(QFile::link(outside, m_staging + QStringLiteral("/bin/out")));
        QVERIFY(QFile::link(outside + QStringLiteral("/keep.txt"),
                            m_staging + QStringLiteral("/keep-link")));
        QVERIFY(removeTree(m_staging));
        QVERIFY(!QFileInfo::exists(m_staging));
        QCOMPARE(contentsOf(outside + QStringLiteral("/keep.txt")), QByteArray("keep\n"));
        QVERIFY(removeTree(m_staging)); // nothing there: nothing to do
    }
};

QTEST_GUILESS_MAIN(StagingCommitTest)
#include "staging_test.moc"
