#pragma once

// What the SecretStore tests share: the situation the wrapper script made, a record of what a
// store reported, a capture of everything logged, and a search of files for a secret's bytes.

#include "core/secrets/secret_store.h"

#include <QByteArray>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUuid>
#include <QtGlobal>

inline char *toString(const SecretStatus &status)
{
    switch (status) {
    case SecretStatus::Ok:
        return qstrdup("Ok");
    case SecretStatus::NotFound:
        return qstrdup("NotFound");
    case SecretStatus::Unavailable:
        return qstrdup("Unavailable");
    case SecretStatus::Failed:
        break;
    }
    return qstrdup("Failed");
}

namespace keychaintest {

// The situation tests/support/with-keyring.sh made ("keyring", "bus-only", "no-bus"); empty
// when the test was started without it.
inline QByteArray situation()
{
    return qgetenv("TOOLHUB_KEYCHAIN");
}

// The temporary folder the script made; HOME and the XDG folders are inside it.
inline QString root()
{
    return QString::fromLocal8Bit(qgetenv("TOOLHUB_KEYCHAIN_ROOT"));
}

// Whether HOME is the script's fresh folder, not a real one.
inline bool homeIsFresh()
{
    const QString folder = root();
    return !folder.isEmpty() && QDir::homePath().startsWith(folder + QLatin1Char('/'));
}

// A secret no run has used before, so finding it anywhere means this run put it there: 64
// random hex digits, like a token.
inline QString newSecret()
{
    return QUuid::createUuid().toString(QUuid::Id128) + QUuid::createUuid().toString(QUuid::Id128);
}

// How much of a secret is a leak: 10 hex digits (40 random bits) never turn up by chance.
constexpr qsizetype leakLength = 10;

// The context object of a test's requests, keeping every result in the order reported.
class Outcomes : public QObject {
public:
    [[nodiscard]] SecretStore::Done record()
    {
        return [this](const SecretResult &result) { results.append(result); };
    }
    QList<SecretResult> results;
};

// Everything Qt's logging sees while it exists (also what the store logs at debug level),
// passed on to the handler before it.
class LogCapture {
public:
    LogCapture()
    {
        s_lines.clear();
        s_previous = qInstallMessageHandler(&LogCapture::handle);
    }
    ~LogCapture() { qInstallMessageHandler(s_previous); }
    LogCapture(const LogCapture &) = delete;
    LogCapture &operator=(const LogCapture &) = delete;

    [[nodiscard]] static QStringList lines() { return s_lines; }
    // Lines that contain the text.
    [[nodiscard]] static QStringList linesWith(const QString &text)
    {
        QStringList found;
        for (const QString &line : s_lines) {
            if (line.contains(text)) {
                found.append(line);
            }
        }
        return found;
    }
    // Lines that contain any leakLength characters of the secret in a row.
    [[nodiscard]] static QStringList linesWithPartOf(const QString &secret)
    {
        QStringList found;
        for (const QString &line : s_lines) {
            for (qsizetype at = 0; at + leakLength <= secret.size(); ++at) {
                if (line.contains(QStringView(secret).mid(at, leakLength))) {
                    found.append(line);
                    break;
                }
            }
        }
        return found;
    }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        s_lines.append(QString::fromLatin1(context.category ? context.category : "default") +
                       QStringLiteral(": ") + message);
        if (s_previous) {
            s_previous(type, context, message);
        }
    }

    static inline QStringList s_lines;
    static inline QtMessageHandler s_previous = nullptr;
};

// Every file under a folder that holds the secret as UTF-8, UTF-16 or base64 bytes, and every
// file that could not be read (and so could hold it).
inline QStringList filesHolding(const QString &folder, const QString &secret)
{
    const QByteArray utf8 = secret.toUtf8();
    const QByteArray utf16(reinterpret_cast<const char *>(secret.utf16()),
                           secret.size() * qsizetype(sizeof(char16_t)));
    const QList<QByteArray> forms{utf8, utf16, utf8.toBase64()};
    QStringList found;
    QDirIterator files(folder, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                       QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        if (!file.open(QIODevice::ReadOnly)) {
            found.append(file.fileName() + QStringLiteral(" (unreadable)"));
            continue;
        }
        const QByteArray bytes = file.readAll();
        for (const QByteArray &form : forms) {
            if (bytes.contains(form)) {
                found.append(file.fileName());
                break;
            }
        }
    }
    return found;
}

// Whether filesHolding() finds the secret in a file put under the folder for the purpose, so a
// search that finds nothing means something.
inline bool searchFindsPlantedCopy(const QString &folder, const QString &secret)
{
    const QString path = folder + QStringLiteral("/planted");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(secret.toUtf8()) < 0) {
        return false;
    }
    file.close();
    const bool found = filesHolding(folder, secret) == QStringList{path};
    return QFile::remove(path) && found;
}

} // namespace keychaintest
