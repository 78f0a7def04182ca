#include "ui/product_list_model.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace {

QString text(const std::string &value)
{
    return QString::fromStdString(value);
}

int installedCount(const CatalogProduct &product)
{
    return int(std::count_if(product.tools.begin(), product.tools.end(),
                             [](const CatalogTool &tool) { return tool.installed.has_value(); }));
}

int updateCount(const CatalogProduct &product)
{
    return int(std::count_if(product.tools.begin(), product.tools.end(),
                             [](const CatalogTool &tool) { return tool.update() != nullptr; }));
}

constexpr int padding = 8;
constexpr int avatarSize = 32;

} // namespace

bool matchesSearch(const QString &text, const QStringList &texts)
{
    const QString wanted = text.trimmed();
    if (wanted.isEmpty()) {
        return true;
    }
    return std::any_of(texts.begin(), texts.end(), [&wanted](const QString &candidate) {
        return candidate.contains(wanted, Qt::CaseInsensitive);
    });
}

ProductListModel::ProductListModel(QObject *parent) : QAbstractListModel(parent)
{}

void ProductListModel::setCatalog(const Catalog &catalog)
{
    beginResetModel();
    m_products = catalog.products;
    endResetModel();
}

const CatalogProduct *ProductListModel::productAt(int row) const
{
    return row >= 0 && row < int(m_products.size()) ? &m_products[std::size_t(row)] : nullptr;
}

int ProductListModel::rowOf(const QString &slug) const
{
    for (std::size_t row = 0; row < m_products.size(); ++row) {
        if (text(m_products[row].product.slug) == slug) {
            return int(row);
        }
    }
    return -1;
}

int ProductListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_products.size());
}

QVariant ProductListModel::data(const QModelIndex &index, int role) const
{
    const CatalogProduct *entry = productAt(index.row());
    if (!entry || index.column() != 0) {
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
        return text(entry->product.name);
    case Qt::ToolTipRole:
        return entry->product.summary.empty() ? text(entry->product.name)
                                              : text(entry->product.summary);
    case SlugRole:
        return text(entry->product.slug);
    case SummaryRole:
        return text(entry->product.summary);
    case SearchTextsRole: {
        QStringList texts{text(entry->product.name), text(entry->product.slug)};
        for (const auto &tool : entry->tools) {
            texts << text(tool.tool.name) << text(tool.tool.slug);
        }
        return texts;
    }
    case InstalledCountRole:
        return installedCount(*entry);
    case UpdateCountRole:
        return updateCount(*entry);
    default:
        return {};
    }
}

ProductFilterModel::ProductFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{}

void ProductFilterModel::setSearch(const QString &text)
{
    if (text == m_search) {
        return;
    }
    m_search = text;
    invalidateRowsFilter();
}

void ProductFilterModel::setMode(Mode mode)
{
    if (mode == m_mode) {
        return;
    }
    m_mode = mode;
    invalidateRowsFilter();
}

bool ProductFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    switch (m_mode) {
    case Mode::All:
        break;
    case Mode::Installed:
        if (index.data(ProductListModel::InstalledCountRole).toInt() == 0) {
            return false;
        }
        break;
    case Mode::Updates:
        if (index.data(ProductListModel::UpdateCountRole).toInt() == 0) {
            return false;
        }
        break;
    }
    return matchesSearch(m_search, index.data(ProductListModel::SearchTextsRole).toStringList());
}

void ProductDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString name = opt.text;
    opt.text.clear();
    opt.icon = QIcon();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group =
        opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QColor textColor =
        opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dimColor = textColor;
    dimColor.setAlphaF(0.65F);

    // A rounded square with the product's initial, tinted from its slug: a stable "logo".
    const QRect avatar(opt.rect.left() + padding,
                       opt.rect.top() + (opt.rect.height() - avatarSize) / 2, avatarSize,
                       avatarSize);
    const QString slug = index.data(ProductListModel::SlugRole).toString();
    const QColor tint = QColor::fromHsv(int(qHash(slug) % 360), 140, 200);
    QPainterPath path;
    path.addRoundedRect(avatar, 6, 6);
    painter->fillPath(path, tint);
    QFont initialFont = opt.font;
    initialFont.setBold(true);
    initialFont.setPointSizeF(initialFont.pointSizeF() * 1.2);
    painter->setFont(initialFont);
    painter->setPen(Qt::white);
    painter->drawText(avatar, Qt::AlignCenter, name.left(1).toUpper());

    // The badge: how many updates.
    const int updates = index.data(ProductListModel::UpdateCountRole).toInt();
    int right = opt.rect.right() - padding;
    if (updates > 0) {
        QFont badgeFont = opt.font;
        badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.85);
        badgeFont.setBold(true);
        const QString label = QString::number(updates);
        const QFontMetrics metrics(badgeFont);
        const int width = std::max(metrics.height(), metrics.horizontalAdvance(label) + 10);
        const QRect badge(right - width,
                          opt.rect.top() + (opt.rect.height() - metrics.height()) / 2, width,
                          metrics.height());
        QPainterPath pill;
        pill.addRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
        painter->fillPath(pill, QColor(0x2f, 0x9e, 0x5b));
        painter->setFont(badgeFont);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, label);
        right = badge.left() - padding;
    }

    // Two lines of text.
    const int left = avatar.right() + padding + 2;
    QFont nameFont = opt.font;
    nameFont.setBold(true);
    const QFontMetrics nameMetrics(nameFont);
    const QFontMetrics smallMetrics(opt.font);
    const int top =
        opt.rect.top() + (opt.rect.height() - nameMetrics.height() - smallMetrics.height()) / 2;
    painter->setFont(nameFont);
    painter->setPen(textColor);
    painter->drawText(QRect(left, top, right - left, nameMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      nameMetrics.elidedText(name, Qt::ElideRight, right - left));

    const int installed = index.data(ProductListModel::InstalledCountRole).toInt();
    QString detail;
    if (updates > 0) {
        detail = updates == 1 ? tr("1 update available") : tr("%1 updates available").arg(updates);
    } else if (installed > 0) {
        detail = installed == 1 ? tr("1 tool installed") : tr("%1 tools installed").arg(installed);
    } else {
        detail = index.data(ProductListModel::SummaryRole).toString();
    }
    painter->setFont(opt.font);
    painter->setPen(dimColor);
    painter->drawText(QRect(left, top + nameMetrics.height(), right - left, smallMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      smallMetrics.elidedText(detail, Qt::ElideRight, right - left));
    painter->restore();
}

QSize ProductDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics metrics(option.font);
    return {220, std::max(avatarSize, metrics.height() * 2) + 2 * padding + 2};
}
