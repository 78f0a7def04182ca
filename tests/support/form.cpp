#include "form.h"

#include <QRegularExpression>
#include <QUrl>

QByteArray formEncode(const QList<QPair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty()) {
            body += '&';
        }
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

QString hiddenField(const QByteArray &html, const QString &name)
{
    const QRegularExpression pattern(QStringLiteral("name=\"%1\" value=\"([^\"]*)\"").arg(name));
    const auto match = pattern.match(QString::fromUtf8(html));
    return match.hasMatch()
               ? match.captured(1).replace(QStringLiteral("&amp;"), QStringLiteral("&"))
               : QString();
}
