#include "ui/link_confirm_dialog.h"

#include "ui/tasks_panel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

QLabel *valueLabel(const QString &objectName, const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setTextFormat(Qt::PlainText);
    return label;
}

} // namespace

LinkConfirmDialog::LinkConfirmDialog(const Details &details, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("linkConfirmDialog"));
    setWindowTitle(tr("Install %1?").arg(details.toolName));
    setWindowModality(Qt::WindowModal);

    auto *intro = new QLabel(tr("A link asks Toolhub to install %1 %2 on this computer.")
                                 .arg(details.toolName, details.version),
                             this);
    intro->setObjectName(QStringLiteral("linkIntro"));
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::PlainText);

    m_product = valueLabel(QStringLiteral("linkProduct"), details.productName, this);
    m_tool = valueLabel(QStringLiteral("linkTool"), details.toolName, this);
    m_version = valueLabel(QStringLiteral("linkVersion"), details.version, this);
    m_size = valueLabel(QStringLiteral("linkSize"), tr("Checking…"), this);
    m_publisher = valueLabel(QStringLiteral("linkPublisher"), details.publisher, this);

    auto *form = new QFormLayout;
    form->addRow(tr("Product:"), m_product);
    form->addRow(tr("Tool:"), m_tool);
    form->addRow(tr("Version:"), m_version);
    form->addRow(tr("Download:"), m_size);
    form->addRow(tr("Offered by:"), m_publisher);

    auto *buttons = new QDialogButtonBox(this);
    QPushButton *install = buttons->addButton(tr("Install"), QDialogButtonBox::AcceptRole);
    install->setObjectName(QStringLiteral("linkInstallButton"));
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("linkCancelButton"));
    // Nothing is installed by pressing Enter by accident.
    cancel->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

void LinkConfirmDialog::setDownloadSize(qint64 bytes)
{
    m_size->setText(formatBytes(bytes));
}

void LinkConfirmDialog::setDownloadSizeUnknown(const QString &why)
{
    m_size->setText(tr("Not known yet (%1)").arg(why));
}

QString LinkConfirmDialog::productText() const
{
    return m_product->text();
}

QString LinkConfirmDialog::toolText() const
{
    return m_tool->text();
}

QString LinkConfirmDialog::versionText() const
{
    return m_version->text();
}

QString LinkConfirmDialog::sizeText() const
{
    return m_size->text();
}

QString LinkConfirmDialog::publisherText() const
{
    return m_publisher->text();
}
