#include "core/storage/postgres_driver.h"
#include "result_text.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <dlfcn.h>

#include <filesystem>

using toolhub::ErrorCode;
using toolhub::server::kPostgresModuleFile;
using toolhub::server::loadPostgresDriver;
using toolhub::server::postgresDriver;
using toolhub::server::postgresModuleCandidates;

namespace fs = std::filesystem;

namespace {

using toolhub::test::q;

QString messageOf(const toolhub::Result<const toolhub::server::PostgresDriver *> &loaded)
{
    return loaded ? QString() : q(loaded.error().message);
}

} // namespace

// Loading toolhub-postgresql.so, the module that holds the server's PostgreSQL support.
class PostgresModuleTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void missingModuleNamesEveryFileTried()
    {
        QTemporaryDir dir;
        const fs::path first =
            fs::path(dir.path().toStdString()) / "lib/toolhub" / kPostgresModuleFile;
        const fs::path second = fs::path(dir.path().toStdString()) / "build" / kPostgresModuleFile;
        const auto loaded = loadPostgresDriver({first, second});
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, ErrorCode::Unavailable);
        const QString message = messageOf(loaded);
        QVERIFY2(message.startsWith(QStringLiteral("PostgreSQL support is not installed: ")),
                 qPrintable(message));
        QVERIFY2(message.contains(q(first.string())), qPrintable(message));
        QVERIFY2(message.contains(q(second.string())), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("No such file")), qPrintable(message));
    }

    void fileThatIsNoLibraryIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QString::fromLatin1(kPostgresModuleFile));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        const auto loaded = loadPostgresDriver({fs::path(path.toStdString())});
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, ErrorCode::Unavailable);
        QVERIFY2(messageOf(loaded).contains(path), qPrintable(messageOf(loaded)));
    }

    void libraryWithoutEntryPointIsRefused()
    {
        // A real shared library that is no Toolhub module: the one holding Qt Core.
        Dl_info info{};
        QVERIFY(dladdr(reinterpret_cast<const void *>(&qVersion), &info) != 0);
        QVERIFY(info.dli_fname != nullptr);
        const auto loaded = loadPostgresDriver({fs::path(info.dli_fname)});
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, ErrorCode::Unavailable);
        QVERIFY2(messageOf(loaded).contains(QStringLiteral("toolhub_postgres_driver")),
                 qPrintable(messageOf(loaded)));
    }

    void candidatesAreTheInstallLayoutThenTheBuildTree()
    {
        const auto candidates = postgresModuleCandidates();
        QCOMPARE(candidates.size(), std::size_t{2});
        const fs::path exeDir(QCoreApplication::applicationDirPath().toStdString());
        // Relative to this executable's folder, as an installed server would look.
        QCOMPARE(q(candidates.front().lexically_relative(exeDir).filename().string()),
                 QString::fromLatin1(kPostgresModuleFile));
        QVERIFY(candidates.front().lexically_relative(exeDir).begin()->string() == "..");
        // This test lives in the build tree, so it also knows the build tree's module.
        QCOMPARE(q(candidates.back().filename().string()),
                 QString::fromLatin1(kPostgresModuleFile));
        QVERIFY2(fs::exists(candidates.back()), candidates.back().c_str());
    }

    void builtModuleLoadsOncePerProcess()
    {
        const auto &first = postgresDriver();
        QVERIFY2(first.ok(), qPrintable(messageOf(first)));
        QVERIFY(*first != nullptr);
        QCOMPARE(*postgresDriver(), *first);
        // Loading it again through the loader gives the same, already loaded, driver.
        const auto again = loadPostgresDriver(postgresModuleCandidates());
        QVERIFY2(again.ok(), qPrintable(messageOf(again)));
        QCOMPARE(*again, *first);
        // Not a PostgreSQL error: no SQLSTATE.
        QVERIFY(!(*first)->sqlstate(soci::soci_error("not from PostgreSQL")).has_value());
    }
};

QTEST_GUILESS_MAIN(PostgresModuleTest)
#include "postgres_module_test.moc"
