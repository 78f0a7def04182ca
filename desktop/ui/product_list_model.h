#pragma once

#include "core/catalog/catalog_loader.h"

#include <QAbstractListModel>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>

#include <vector>

// The licensed products of the catalog, one row each, by name: what the window's left column
// lists. Holds its own copy of the catalog's products, replaced by setCatalog().
class ProductListModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role {
        SlugRole = Qt::UserRole + 1,
        SummaryRole,
        // Names and slugs of the product and its tools, for the search field.
        SearchTextsRole,
        InstalledCountRole,
        UpdateCountRole,
    };

    explicit ProductListModel(QObject *parent = nullptr);

    void setCatalog(const Catalog &catalog);
    // Null when `row` is out of range.
    [[nodiscard]] const CatalogProduct *productAt(int row) const;
    [[nodiscard]] int rowOf(const QString &slug) const;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;

private:
    std::vector<CatalogProduct> m_products;
};

// What the left column shows: the search field matches a product by its name or slug or by one
// of its tools' names or slugs; the filter keeps every product, the ones with something
// installed, or the ones with an update.
class ProductFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    enum class Mode { All, Installed, Updates };

    explicit ProductFilterModel(QObject *parent = nullptr);

    void setSearch(const QString &text);
    [[nodiscard]] QString search() const { return m_search; }
    void setMode(Mode mode);
    [[nodiscard]] Mode mode() const { return m_mode; }

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow,
                                        const QModelIndex &sourceParent) const override;

private:
    QString m_search;
    Mode m_mode = Mode::All;
};

// Whether `text` (what the user typed, trimmed) is found in any of `texts`, ignoring case.
[[nodiscard]] bool matchesSearch(const QString &text, const QStringList &texts);

// Draws a product as two lines: its name, and below it its summary or what is installed, with a
// badge counting its updates.
class ProductDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const override;
};
