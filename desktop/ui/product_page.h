#pragma once

#include "core/catalog/catalog_loader.h"
#include "ui/product_list_model.h"

#include <QWidget>

#include <vector>

class QLabel;
class QMenu;
class QPushButton;
class QTabWidget;
class QTableView;
class QTableWidget;
class QTextBrowser;
class QToolButton;
class QTreeWidget;
class ToolFilterModel;
class ToolsTableModel;

// One product as the window's right side shows it: its tools with what can be done to them,
// its documents and tutorials, the organization's serial numbers for it and its description.
// It only asks (the signals); the window does the work through AppCore.
class ProductPage : public QWidget {
    Q_OBJECT

public:
    explicit ProductPage(QWidget *parent = nullptr);

    // Shows `product` (copied), keeping the selected tool when it is still there.
    void setProduct(const CatalogProduct &product);
    [[nodiscard]] QString productSlug() const;
    void setSearch(const QString &text);
    void setMode(ProductFilterModel::Mode mode);

    // The selected tool (null when none).
    [[nodiscard]] const CatalogTool *selectedTool() const;
    // Selects the tool with this slug; false when the table does not show it.
    bool selectTool(const QString &slug);

    // "••••-••••-9QWD": all but the last four characters hidden.
    [[nodiscard]] static QString maskSerial(const QString &serial);

Q_SIGNALS:
    // `version` empty: the newest stable release.
    void installRequested(const QString &product, const QString &tool, const QString &version);
    void updateRequested(const QString &product, const QString &tool);
    void rollBackRequested(const QString &product, const QString &tool);
    void removeRequested(const QString &product, const QString &tool);
    void verifyRequested(const QString &product, const QString &tool);
    void openResourceRequested(const toolhub::Resource &resource);
    // A serial number went to the clipboard.
    void serialCopied(const QString &serial);

private:
    QWidget *makeToolsTab();
    QTreeWidget *makeResourceList(const QString &objectName);
    QWidget *makeSerialsTab();
    void fillResources(QTreeWidget *list, const std::vector<toolhub::Resource> &resources);
    void fillSerials();
    void updateActions();
    void showToolMenu(const QPoint &position);
    [[nodiscard]] QString selectedSlug() const;

    CatalogProduct m_product;
    QLabel *m_title;
    QLabel *m_summary;
    QTabWidget *m_tabs;
    ToolsTableModel *m_tools;
    ToolFilterModel *m_toolFilter;
    QTableView *m_toolTable;
    QLabel *m_toolDetails;
    QPushButton *m_install;
    QToolButton *m_installVersion;
    QMenu *m_versionMenu;
    QPushButton *m_update;
    QPushButton *m_rollBack;
    QPushButton *m_remove;
    QPushButton *m_verify;
    QTreeWidget *m_documents;
    QTreeWidget *m_tutorials;
    QTableWidget *m_serials;
    QLabel *m_noSerials;
    QTextBrowser *m_description;
};
