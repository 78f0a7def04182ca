#pragma once

#include <QFrame>
#include <QString>

class QHBoxLayout;
class QLabel;
class QPushButton;
class QToolButton;

// A strip across the top of a page that tells the user something without stopping them (offline,
// waiting for the browser, a sign-in the keychain cannot keep): an icon, a sentence, buttons for
// what can be done about it, and optionally a close button. Hidden until show()n.
class NoticeBar : public QFrame {
    Q_OBJECT

public:
    enum class Kind { Info, Warning, Error };

    NoticeBar(Kind kind, const QString &objectName, QWidget *parent = nullptr);

    void setKind(Kind kind);
    void setText(const QString &text);
    [[nodiscard]] QString text() const;
    // A button at the right end; its objectName is `objectName`.
    QPushButton *addButton(const QString &text, const QString &objectName);
    // Shows a close button that hides the bar and emits dismissed().
    void setDismissable(bool dismissable);

Q_SIGNALS:
    void dismissed();
    void linkActivated(const QString &link);

private:
    void applyKind();

    Kind m_kind;
    QLabel *m_icon;
    QLabel *m_text;
    QHBoxLayout *m_buttons;
    QToolButton *m_close;
};
