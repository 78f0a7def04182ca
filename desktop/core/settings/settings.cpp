#include "core/settings/settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QStandardPaths>
#include <QUuid>

namespace {

QString keyName(Settings::Key key)
{
    switch (key) {
    case Settings::Key::ServerUrl:
        return QStringLiteral("server/url");
    case Settings::Key::ServerPublicKey:
        return QStringLiteral("server/public_key");
    case Settings::Key::ParallelDownloads:
        return QStringLiteral("downloads/parallel");
    case Settings::Key::InstallRoot:
        return QStringLiteral("install/root");
    case Settings::Key::TrustedPortal:
        return QStringLiteral("links/trusted_portal");
    }
    return {};
}

#if !defined(Q_OS_WIN) && !defined(Q_OS_MACOS)
// Toolhub/toolhub.conf in the first folder of $XDG_CONFIG_DIRS (default /etc/xdg) that has it.
QString managedFileOnLinux()
{
    const QString variable = QFile::decodeName(qgetenv("XDG_CONFIG_DIRS"));
    QStringList folders = variable.split(QLatin1Char(':'), Qt::SkipEmptyParts);
    if (folders.isEmpty()) {
        folders << QStringLiteral("/etc/xdg");
    }
    const QString relative = QStringLiteral("/Toolhub/toolhub.conf");
    for (const QString &folder : folders) {
        if (QFileInfo::exists(folder + relative)) {
            return folder + relative;
        }
    }
    return folders.first() + relative;
}
#endif

// The one spelling of a server address: no trailing slash, not even the root's.
QUrl normalized(const QUrl &url)
{
    QUrl out = url.adjusted(QUrl::StripTrailingSlash);
    if (out.path() == QLatin1String("/")) {
        out.setPath(QString());
    }
    return out;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("Settings", text);
}

} // namespace

Settings::Settings(std::unique_ptr<QSettings> user, std::unique_ptr<QSettings> managed)
    : m_user(std::move(user)), m_managed(std::move(managed))
{}

Settings::~Settings() = default;

std::unique_ptr<Settings> Settings::forThisMachine()
{
    const QString organization = QStringLiteral("Toolhub");
    const QString application = QStringLiteral("toolhub");
    auto user = std::make_unique<QSettings>(QSettings::NativeFormat, QSettings::UserScope,
                                            organization, application);
#if defined(Q_OS_WIN)
    auto managed = std::make_unique<QSettings>(
        QStringLiteral("HKEY_LOCAL_MACHINE\\Software\\Policies\\Toolhub\\toolhub"),
        QSettings::NativeFormat);
#elif defined(Q_OS_MACOS)
    auto managed = std::make_unique<QSettings>(
        QStringLiteral("/Library/Managed Preferences/com.toolhub.toolhub.plist"),
        QSettings::NativeFormat);
#else
    auto managed = std::make_unique<QSettings>(managedFileOnLinux(), QSettings::IniFormat);
#endif
    user->setFallbacksEnabled(false); // the user's own values only, never the system-wide file
    return std::make_unique<Settings>(std::move(user), std::move(managed));
}

QVariant Settings::value(Key key) const
{
    const QString name = keyName(key);
    if (m_managed && m_managed->contains(name)) {
        return m_managed->value(name);
    }
    return m_user->value(name);
}

bool Settings::isLocked(Key key) const
{
    return m_managed && m_managed->contains(keyName(key));
}

QString Settings::refuseLocked(Key key) const
{
    return isLocked(key) ? tr("This setting is managed by your IT department.") : QString();
}

QString Settings::checkServerUrl(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty()) {
        return tr("Enter the server's address, such as https://toolhub.example.com.");
    }
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()) {
        return tr("The server's address must not contain a user name, a query or a fragment.");
    }
    const QString scheme = url.scheme();
    if (scheme == QLatin1String("https")) {
        return {};
    }
    if (scheme == QLatin1String("http")) {
        const QString host = url.host();
        if (host == QLatin1String("localhost") || QHostAddress(host).isLoopback()) {
            return {};
        }
        return tr("The server's address must start with https:// (http:// only for this "
                  "computer).");
    }
    return tr("The server's address must start with https://.");
}

QUrl Settings::serverUrl() const
{
    const QUrl url(value(Key::ServerUrl).toString(), QUrl::StrictMode);
    return checkServerUrl(url).isEmpty() ? normalized(url) : QUrl();
}

std::optional<QByteArray> Settings::presetServerKey() const
{
    if (!m_managed || !m_managed->contains(keyName(Key::ServerPublicKey))) {
        return std::nullopt;
    }
    const auto decoded = QByteArray::fromBase64Encoding(
        m_managed->value(keyName(Key::ServerPublicKey)).toString().toLatin1(),
        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 32) {
        return std::nullopt;
    }
    return decoded.decoded;
}

int Settings::parallelDownloads() const
{
    bool ok = false;
    const int count = value(Key::ParallelDownloads).toInt(&ok);
    return ok && count >= 1 && count <= maxParallelDownloads ? count : defaultParallelDownloads;
}

QString Settings::installRoot() const
{
    const QString folder = value(Key::InstallRoot).toString();
    if (!folder.isEmpty() && QDir::isAbsolutePath(folder)) {
        return QDir::cleanPath(folder);
    }
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           QStringLiteral("/tools");
}

QString Settings::clientId()
{
    const QString key = QStringLiteral("client/id");
    QString id = m_user->value(key).toString();
    if (id.size() != 32) {
        id = QUuid::createUuid().toString(QUuid::Id128);
        m_user->setValue(key, id);
    }
    return id;
}

bool Settings::trustsPortal() const
{
    return m_managed && m_managed->value(keyName(Key::TrustedPortal)).toBool();
}

QString Settings::setServerUrl(const QUrl &url)
{
    if (auto refused = refuseLocked(Key::ServerUrl); !refused.isEmpty()) {
        return refused;
    }
    if (auto invalid = checkServerUrl(url); !invalid.isEmpty()) {
        return invalid;
    }
    m_user->setValue(keyName(Key::ServerUrl), normalized(url).toString(QUrl::FullyEncoded));
    m_user->sync();
    return {};
}

QString Settings::setParallelDownloads(int count)
{
    if (auto refused = refuseLocked(Key::ParallelDownloads); !refused.isEmpty()) {
        return refused;
    }
    if (count < 1 || count > maxParallelDownloads) {
        return tr("Choose from 1 to %1 parallel downloads.").arg(maxParallelDownloads);
    }
    m_user->setValue(keyName(Key::ParallelDownloads), count);
    m_user->sync();
    return {};
}

QString Settings::setInstallRoot(const QString &folder)
{
    if (auto refused = refuseLocked(Key::InstallRoot); !refused.isEmpty()) {
        return refused;
    }
    if (!QDir::isAbsolutePath(folder)) {
        return tr("Choose a complete folder path.");
    }
    m_user->setValue(keyName(Key::InstallRoot), QDir::cleanPath(folder));
    m_user->sync();
    return {};
}
