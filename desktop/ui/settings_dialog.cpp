#include "ui/settings_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

QUrl serverUrlFromInput(const QString &input)
{
    QString text = input.trimmed();
    if (text.isEmpty()) {
        return {};
    }
    if (!text.contains(QLatin1String("://"))) {
        text.prepend(QStringLiteral("https://"));
    }
    return QUrl(text, QUrl::StrictMode);
}

SettingsDialog::SettingsDialog(Settings &settings, QWidget *parent)
    : QDialog(parent), m_settings(settings), m_welcome(new QLabel(this)),
      m_server(new QLineEdit(this)), m_installRoot(new QLineEdit(this)),
      m_chooseFolder(new QToolButton(this)), m_parallel(new QSpinBox(this)),
      m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Toolhub Settings"));
    setMinimumWidth(520);

    m_welcome->setObjectName(QStringLiteral("settingsWelcome"));
    m_welcome->setWordWrap(true);
    m_welcome->setText(tr("<h3>Welcome to Toolhub</h3><p>Enter the address of your company's "
                          "Toolhub server to begin. Your IT department can tell you what it "
                          "is.</p>"));
    m_welcome->setVisible(false);

    m_server->setObjectName(QStringLiteral("serverUrlEdit"));
    m_server->setPlaceholderText(QStringLiteral("https://toolhub.example.com"));
    m_server->setText(settings.serverUrl().toString());
    m_server->setClearButtonEnabled(true);

    m_installRoot->setObjectName(QStringLiteral("installRootEdit"));
    m_installRoot->setText(QDir::toNativeSeparators(settings.installRoot()));
    m_chooseFolder->setObjectName(QStringLiteral("chooseFolderButton"));
    m_chooseFolder->setText(tr("Choose…"));
    m_chooseFolder->setToolTip(tr("Choose the folder tools are installed into"));
    connect(m_chooseFolder, &QToolButton::clicked, this, &SettingsDialog::chooseFolder);

    m_parallel->setObjectName(QStringLiteral("parallelDownloadsSpin"));
    m_parallel->setRange(1, Settings::maxParallelDownloads);
    m_parallel->setValue(settings.parallelDownloads());
    m_parallel->setToolTip(tr("How many tools download at the same time"));

    m_error->setObjectName(QStringLiteral("settingsError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c93a3a;"));
    m_error->setVisible(false);

    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_installRoot, 1);
    folderRow->addWidget(m_chooseFolder);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    const auto addRow = [&](const QString &label, QWidget *field, QLayout *fieldLayout,
                            Settings::Key key, const QString &lockName) {
        auto *column = new QVBoxLayout;
        column->setSpacing(2);
        if (fieldLayout) {
            column->addLayout(fieldLayout);
        } else {
            column->addWidget(field);
        }
        if (QLabel *note = lockNote(key, lockName)) {
            column->addWidget(note);
        }
        auto *title = new QLabel(label, this);
        title->setBuddy(field);
        form->addRow(title, column);
    };
    addRow(tr("&Server address:"), m_server, nullptr, Settings::Key::ServerUrl,
           QStringLiteral("serverUrlLock"));
    addRow(tr("&Install tools in:"), m_installRoot, folderRow, Settings::Key::InstallRoot,
           QStringLiteral("installRootLock"));
    addRow(tr("&Parallel downloads:"), m_parallel, nullptr, Settings::Key::ParallelDownloads,
           QStringLiteral("parallelDownloadsLock"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->setObjectName(QStringLiteral("settingsButtons"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_welcome);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addStretch();
    layout->addWidget(buttons);
}

QLabel *SettingsDialog::lockNote(Settings::Key key, const QString &objectName)
{
    if (!m_settings.isLocked(key)) {
        return nullptr;
    }
    QWidget *field = nullptr;
    switch (key) {
    case Settings::Key::ServerUrl:
        m_server->setReadOnly(true);
        m_server->setClearButtonEnabled(false);
        field = m_server;
        break;
    case Settings::Key::InstallRoot:
        m_installRoot->setReadOnly(true);
        m_chooseFolder->setEnabled(false);
        field = m_installRoot;
        break;
    case Settings::Key::ParallelDownloads:
        m_parallel->setReadOnly(true);
        m_parallel->setButtonSymbols(QAbstractSpinBox::NoButtons);
        field = m_parallel;
        break;
    default:
        break;
    }
    if (field) {
        // Read-only looks it: the window's colour instead of the editable field's.
        QPalette shade = field->palette();
        shade.setColor(QPalette::Base, shade.color(QPalette::Window));
        field->setPalette(shade);
    }
    auto *note = new QLabel(tr("Set by your administrator"), this);
    note->setObjectName(objectName);
    note->setToolTip(tr("Your IT department manages this setting on this computer."));
    QFont italic = note->font();
    italic.setItalic(true);
    note->setFont(italic);
    QPalette dim = note->palette();
    dim.setColor(QPalette::WindowText, dim.color(QPalette::Disabled, QPalette::WindowText));
    note->setPalette(dim);
    return note;
}

void SettingsDialog::setFirstRun(bool firstRun)
{
    m_welcome->setVisible(firstRun);
    if (firstRun) {
        setWindowTitle(tr("Welcome to Toolhub"));
        m_server->setFocus();
    }
}

void SettingsDialog::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Install tools in"), QDir::fromNativeSeparators(m_installRoot->text()));
    if (!folder.isEmpty()) {
        m_installRoot->setText(QDir::toNativeSeparators(folder));
    }
}

void SettingsDialog::accept()
{
    QStringList refusals;
    if (!m_settings.isLocked(Settings::Key::ServerUrl)) {
        const QUrl url = serverUrlFromInput(m_server->text());
        if (url != m_settings.serverUrl()) {
            if (const QString refused = m_settings.setServerUrl(url); !refused.isEmpty()) {
                refusals << refused;
                m_server->setFocus();
            }
        }
    }
    if (!m_settings.isLocked(Settings::Key::InstallRoot)) {
        const QString folder = QDir::fromNativeSeparators(m_installRoot->text().trimmed());
        if (QDir::cleanPath(folder) != m_settings.installRoot()) {
            if (const QString refused = m_settings.setInstallRoot(folder); !refused.isEmpty()) {
                refusals << refused;
            }
        }
    }
    if (!m_settings.isLocked(Settings::Key::ParallelDownloads) &&
        m_parallel->value() != m_settings.parallelDownloads()) {
        if (const QString refused = m_settings.setParallelDownloads(m_parallel->value());
            !refused.isEmpty()) {
            refusals << refused;
        }
    }
    if (!refusals.isEmpty()) {
        m_error->setText(refusals.join(u'\n'));
        m_error->setVisible(true);
        return;
    }
    QDialog::accept();
}
