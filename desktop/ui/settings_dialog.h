#pragma once

#include "core/settings/settings.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QSpinBox;
class QToolButton;

// The app's settings for people: the server address, the folder tools are installed into and
// how many downloads run at once. A value IT manages (Settings::isLocked) shows read-only with
// "Set by your administrator". OK writes what changed through the Settings setters and stays
// open with their refusal when one refuses; the caller reloads the app's settings after it.
class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    explicit SettingsDialog(Settings &settings, QWidget *parent = nullptr);

    // The first start, without a server: a welcome asking for the server's address.
    void setFirstRun(bool firstRun);

    void accept() override;

private:
    // A lock note for `key` under `field`, and the field made read-only; null when not locked.
    QLabel *lockNote(Settings::Key key, const QString &objectName);
    void chooseFolder();

    Settings &m_settings;
    QLabel *m_welcome;
    QLineEdit *m_server;
    QLineEdit *m_installRoot;
    QToolButton *m_chooseFolder;
    QSpinBox *m_parallel;
    QLabel *m_error;
};

// What the user typed as a server address, as a URL: "toolhub.example.com" means https.
[[nodiscard]] QUrl serverUrlFromInput(const QString &input);
