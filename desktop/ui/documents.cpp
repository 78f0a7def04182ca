#include "ui/documents.h"

#include <QStringList>

bool isReadableDocument(const QString &fileName)
{
    static const QStringList extensions{
        QStringLiteral("pdf"),  QStringLiteral("txt"),  QStringLiteral("md"),
        QStringLiteral("html"), QStringLiteral("htm"),  QStringLiteral("rtf"),
        QStringLiteral("odt"),  QStringLiteral("ods"),  QStringLiteral("odp"),
        QStringLiteral("doc"),  QStringLiteral("docx"), QStringLiteral("xls"),
        QStringLiteral("xlsx"), QStringLiteral("ppt"),  QStringLiteral("pptx"),
        QStringLiteral("csv"),  QStringLiteral("epub"), QStringLiteral("png"),
        QStringLiteral("jpg"),  QStringLiteral("jpeg"), QStringLiteral("gif"),
        QStringLiteral("webp"), QStringLiteral("mp4"),  QStringLiteral("webm"),
        QStringLiteral("mp3"),
    };
    const qsizetype dot = fileName.lastIndexOf(u'.');
    return dot > 0 && extensions.contains(fileName.mid(dot + 1).toLower());
}
