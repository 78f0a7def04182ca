#include "ui/tools_table_model.h"

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace {

QString text(const std::string &value)
{
    return QString::fromStdString(value);
}

QString versionText(const toolhub::Release *release)
{
    return release ? QString::fromStdString(release->version.toString()) : QString();
}

} // namespace

toolhub::Channel channelOf(const CatalogTool &tool)
{
    if (!tool.installed) {
        return toolhub::Channel::Stable;
    }
    if (const toolhub::Release *installed = tool.release(tool.installed->version)) {
        return installed->channel;
    }
    const auto version = toolhub::parseSemVer(tool.installed->version.toStdString());
    return version && version->isPrerelease() ? toolhub::Channel::Beta : toolhub::Channel::Stable;
}

QString channelName(toolhub::Channel channel)
{
    return channel == toolhub::Channel::Beta ? QObject::tr("beta") : QObject::tr("stable");
}

QString displayName(const CatalogTool &tool)
{
    return tool.tool.name.empty() ? text(tool.tool.slug) : text(tool.tool.name);
}

ToolsTableModel::ToolsTableModel(QObject *parent) : QAbstractTableModel(parent)
{}

void ToolsTableModel::setProduct(const CatalogProduct *product)
{
    beginResetModel();
    m_product = product ? text(product->product.slug) : QString();
    m_tools = product ? product->tools : std::vector<CatalogTool>{};
    std::sort(m_tools.begin(), m_tools.end(), [](const CatalogTool &a, const CatalogTool &b) {
        return QString::localeAwareCompare(displayName(a), displayName(b)) < 0;
    });
    endResetModel();
}

const CatalogTool *ToolsTableModel::toolAt(int row) const
{
    return row >= 0 && row < int(m_tools.size()) ? &m_tools[std::size_t(row)] : nullptr;
}

int ToolsTableModel::rowOf(const QString &slug) const
{
    for (std::size_t row = 0; row < m_tools.size(); ++row) {
        if (text(m_tools[row].tool.slug) == slug) {
            return int(row);
        }
    }
    return -1;
}

int ToolsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tools.size());
}

int ToolsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ToolsTableModel::data(const QModelIndex &index, int role) const
{
    const CatalogTool *tool = toolAt(index.row());
    if (!tool) {
        return {};
    }
    const toolhub::Channel channel = channelOf(*tool);
    const toolhub::Release *newest = tool->newest(channel);
    const toolhub::Release *update = tool->update();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return displayName(*tool);
        case InstalledColumn:
            return tool->installed ? tool->installed->version : tr("—");
        case NewestColumn:
            return newest ? versionText(newest) : tr("—");
        case ChannelColumn:
            return channelName(channel);
        case StatusColumn:
            if (update) {
                return tr("Update to %1 available").arg(versionText(update));
            }
            if (tool->installed) {
                return tool->releases.empty() ? tr("Installed (no longer offered)")
                                              : tr("Up to date");
            }
            return newest ? tr("Not installed") : tr("No release for you yet");
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == NameColumn) {
            return tool->tool.summary.empty() ? text(tool->tool.slug) : text(tool->tool.summary);
        }
        if (index.column() == InstalledColumn && tool->installed) {
            return tr("In %1").arg(tool->installed->folder);
        }
        return {};
    case Qt::FontRole:
        if (index.column() == NameColumn || (index.column() == StatusColumn && update)) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && update) {
            return QColor(0x2f, 0x9e, 0x5b);
        }
        if ((index.column() == InstalledColumn && !tool->installed) ||
            (index.column() == StatusColumn && !tool->installed)) {
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        }
        return {};
    case SlugRole:
        return text(tool->tool.slug);
    case SearchTextsRole:
        return QStringList{displayName(*tool), text(tool->tool.slug)};
    case InstalledRole:
        return tool->installed.has_value();
    case UpdateRole:
        return update != nullptr;
    default:
        return {};
    }
}

QVariant ToolsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case NameColumn:
        return tr("Tool");
    case InstalledColumn:
        return tr("Installed");
    case NewestColumn:
        return tr("Newest");
    case ChannelColumn:
        return tr("Channel");
    case StatusColumn:
        return tr("Status");
    default:
        return {};
    }
}

ToolFilterModel::ToolFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{}

void ToolFilterModel::setProductTexts(const QStringList &texts)
{
    m_productTexts = texts;
    invalidateRowsFilter();
}

void ToolFilterModel::setSearch(const QString &text)
{
    m_search = text;
    invalidateRowsFilter();
}

void ToolFilterModel::setMode(ProductFilterModel::Mode mode)
{
    m_mode = mode;
    invalidateRowsFilter();
}

bool ToolFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_mode == ProductFilterModel::Mode::Installed &&
        !index.data(ToolsTableModel::InstalledRole).toBool()) {
        return false;
    }
    if (m_mode == ProductFilterModel::Mode::Updates &&
        !index.data(ToolsTableModel::UpdateRole).toBool()) {
        return false;
    }
    return matchesSearch(m_search, m_productTexts) ||
           matchesSearch(m_search, index.data(ToolsTableModel::SearchTextsRole).toStringList());
}
