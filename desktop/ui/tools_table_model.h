#pragma once

#include "core/catalog/catalog_loader.h"
#include "ui/product_list_model.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <vector>

// The tools of one product as a table: name, installed version, the newest version offered on
// the channel that applies, that channel, and whether an update waits.
class ToolsTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        InstalledColumn,
        NewestColumn,
        ChannelColumn,
        StatusColumn,
        ColumnCount
    };
    enum Role {
        SlugRole = Qt::UserRole + 1,
        SearchTextsRole,
        InstalledRole, // bool
        UpdateRole,    // bool
    };

    explicit ToolsTableModel(QObject *parent = nullptr);

    // Copies the tools of `product` (none when null).
    void setProduct(const CatalogProduct *product);
    [[nodiscard]] QString productSlug() const { return m_product; }
    [[nodiscard]] const CatalogTool *toolAt(int row) const;
    [[nodiscard]] int rowOf(const QString &slug) const;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    QString m_product;
    std::vector<CatalogTool> m_tools;
};

// The channel a tool follows: that of its installed release (stable unless a beta is
// installed), else stable.
[[nodiscard]] toolhub::Channel channelOf(const CatalogTool &tool);
// "stable", "beta".
[[nodiscard]] QString channelName(toolhub::Channel channel);
// The tool's name, or its slug when the catalog has no name for it.
[[nodiscard]] QString displayName(const CatalogTool &tool);

// The rows of the tools table that the search field and the filter leave: every tool when the
// product itself matches the search, else the tools whose name or slug does; and of those the
// installed ones or the ones with an update when the filter says so.
class ToolFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit ToolFilterModel(QObject *parent = nullptr);

    // The product's own name and slug: when the search matches them, all its tools show.
    void setProductTexts(const QStringList &texts);
    void setSearch(const QString &text);
    void setMode(ProductFilterModel::Mode mode);

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow,
                                        const QModelIndex &sourceParent) const override;

private:
    QStringList m_productTexts;
    QString m_search;
    ProductFilterModel::Mode m_mode = ProductFilterModel::Mode::All;
};
