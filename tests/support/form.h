#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

// HTML forms as a browser fills them in, for tests that sign in through the server's pages.

// application/x-www-form-urlencoded: name=value pairs, percent-encoded, joined by '&'.
QByteArray formEncode(const QList<QPair<QString, QString>> &fields);

// The value of the hidden input `name` in `html` (with &amp; decoded); empty when absent.
QString hiddenField(const QByteArray &html, const QString &name);
