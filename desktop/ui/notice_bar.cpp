#include "ui/notice_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

NoticeBar::NoticeBar(Kind kind, const QString &objectName, QWidget *parent)
    : QFrame(parent), m_kind(kind), m_icon(new QLabel(this)), m_text(new QLabel(this)),
      m_buttons(new QHBoxLayout), m_close(new QToolButton(this))
{
    setObjectName(objectName);
    setFrameShape(QFrame::StyledPanel);

    m_text->setObjectName(objectName + QStringLiteral("Text"));
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    m_text->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    connect(m_text, &QLabel::linkActivated, this, &NoticeBar::linkActivated);

    m_close->setObjectName(objectName + QStringLiteral("Close"));
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    m_close->setVisible(false);
    connect(m_close, &QToolButton::clicked, this, [this] {
        hide();
        Q_EMIT dismissed();
    });

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->setSpacing(8);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    m_buttons->setSpacing(6);
    layout->addLayout(m_buttons);
    layout->addWidget(m_close, 0, Qt::AlignTop);

    applyKind();
    hide();
}

void NoticeBar::setKind(Kind kind)
{
    m_kind = kind;
    applyKind();
}

void NoticeBar::setText(const QString &text)
{
    m_text->setText(text);
}

QString NoticeBar::text() const
{
    return m_text->text();
}

QPushButton *NoticeBar::addButton(const QString &text, const QString &objectName)
{
    auto *button = new QPushButton(text, this);
    button->setObjectName(objectName);
    m_buttons->addWidget(button, 0, Qt::AlignVCenter);
    return button;
}

void NoticeBar::setDismissable(bool dismissable)
{
    m_close->setVisible(dismissable);
}

void NoticeBar::applyKind()
{
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    QColor tint(0x2f, 0x6f, 0xd6); // a calm blue
    switch (m_kind) {
    case Kind::Info:
        break;
    case Kind::Warning:
        icon = QStyle::SP_MessageBoxWarning;
        tint = QColor(0xd8, 0x9b, 0x1a);
        break;
    case Kind::Error:
        icon = QStyle::SP_MessageBoxCritical;
        tint = QColor(0xc9, 0x3a, 0x3a);
        break;
    }
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(icon, nullptr, this).pixmap(size, size));

    // A light wash of the kind's colour over the window colour, and a border in the colour
    // itself: readable in light and dark palettes alike.
    const QColor base = palette().color(QPalette::Window);
    const auto mix = [](int a, int b) { return (a * 85 + b * 15) / 100; };
    const QColor wash(mix(base.red(), tint.red()), mix(base.green(), tint.green()),
                      mix(base.blue(), tint.blue()));
    setStyleSheet(QStringLiteral("NoticeBar { background: %1; border: 1px solid %2;"
                                 " border-radius: 4px; }")
                      .arg(wash.name(), tint.name()));
}
