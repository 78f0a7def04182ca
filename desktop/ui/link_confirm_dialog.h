#pragma once

#include <QDialog>
#include <QString>

class QLabel;
class QPushButton;

// Asks before a toolhub:// link installs anything: what (product, tool, version), how much it
// downloads on this computer, and who offers it (the server, the organization). Install
// accepts, Cancel rejects. Window-modal to the main window.
class LinkConfirmDialog : public QDialog {
    Q_OBJECT

public:
    struct Details {
        QString productName;
        QString toolName;
        QString version;
        QString publisher; // "toolhub.example.com, for acme"
    };

    LinkConfirmDialog(const Details &details, QWidget *parent);

    // The size of this computer's download, once the release manifest said it.
    void setDownloadSize(qint64 bytes);
    // The size could not be read (the install checks it anyway): why, for a person.
    void setDownloadSizeUnknown(const QString &why);

    [[nodiscard]] QString productText() const;
    [[nodiscard]] QString toolText() const;
    [[nodiscard]] QString versionText() const;
    [[nodiscard]] QString sizeText() const;
    [[nodiscard]] QString publisherText() const;

private:
    QLabel *m_product;
    QLabel *m_tool;
    QLabel *m_version;
    QLabel *m_size;
    QLabel *m_publisher;
};
