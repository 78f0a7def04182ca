// Which downloaded files the window hands to the desktop to open: documents, never something
// that could run.

#include "ui/documents.h"

#include <QTest>

class DocumentsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readableDocuments_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<bool>("readable");
        QTest::newRow("pdf") << "FluxCAD User Guide.pdf" << true;
        QTest::newRow("upper case") << "GUIDE.PDF" << true;
        QTest::newRow("markdown") << "notes.md" << true;
        QTest::newRow("office") << "licenses.xlsx" << true;
        QTest::newRow("picture") << "diagram.png" << true;
        QTest::newRow("video") << "tutorial.mp4" << true;
        QTest::newRow("shell script") << "setup.sh" << false;
        QTest::newRow("desktop launcher") << "guide.desktop" << false;
        QTest::newRow("executable") << "viewer.exe" << false;
        QTest::newRow("windows script") << "open.bat" << false;
        QTest::newRow("installer") << "tool.msi" << false;
        QTest::newRow("disk image") << "tool.dmg" << false;
        QTest::newRow("jar") << "viewer.jar" << false;
        QTest::newRow("double extension") << "guide.pdf.sh" << false;
        QTest::newRow("no extension") << "README" << false;
        QTest::newRow("only an extension") << ".pdf" << false;
        QTest::newRow("trailing dot") << "guide.pdf." << false;
    }
    void readableDocuments()
    {
        QFETCH(QString, fileName);
        QFETCH(bool, readable);
        QCOMPARE(isReadableDocument(fileName), readable);
    }
};

QTEST_GUILESS_MAIN(DocumentsTest)
#include "documents_test.moc"
