#pragma once

#include "core/app/app_core.h"

#include <QMainWindow>
#include <QPair>
#include <QPointer>
#include <QTimer>

class LinkController;
class NoticeBar;
class ProductFilterModel;
class ProductListModel;
class ProductPage;
class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QListView;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QVBoxLayout;
class SettingsDialog;
class TasksPanel;

// Toolhub's main window over AppCore: the licensed products on the left (search, filter), the
// selected product on the right (tools and what can be done to them, documents, tutorials,
// serial numbers), the tasks panel at the bottom, sign-in and settings in the toolbar, and
// strips across the top for what the user should know (offline, waiting for the browser, a
// sign-in the keychain cannot keep, a damaged installation).
//
//   start() --no server--> first-run settings
//           --otherwise--> kept catalog at once --restoreSignIn--> signed in: refresh()
//                                                              \-> not: "Sign in" on the page
//   refresh() --online--> catalog shown
//             --no connection--> the kept copy, "Offline — showing what Toolhub knew at ..."
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(AppCore &core, QWidget *parent = nullptr);
    ~MainWindow() override;

    // What the app does when the window opens (see above).
    void start();
    // Reads the catalog from the server (served from the kept copy when it cannot be reached).
    void refresh();
    // Opens the browser to sign in; shows "Waiting for the browser…" with Cancel meanwhile.
    void signIn();
    void signOut();
    // The settings dialog (non-modal to the app, modal to the window); `firstRun` welcomes.
    void openSettings(bool firstRun = false);

    [[nodiscard]] TasksPanel *tasksPanel() const { return m_tasks; }
    [[nodiscard]] bool isLoadingCatalog() const { return !m_loader.isNull(); }

    // ---- toolhub:// links ----
    // What acts on links in this window.
    [[nodiscard]] LinkController *links() const { return m_links; }
    // Whether the window is on its way to a catalog it can act on: resuming the sign-in kept in
    // the keychain, waiting for the browser, or reading the catalog. settled() follows.
    [[nodiscard]] bool isSettling() const;
    // Selects `slug` in the product list (clearing a search or filter that hides it) and brings
    // the window up; false when the catalog has no such product.
    bool showProduct(const QString &slug);
    // Shows, raises and activates the window (also when minimized).
    void bringToFront();
    // A strip across the top saying what became of a link.
    void showLinkNotice(const QString &text);

Q_SIGNALS:
    // The list shows the catalog anew (after each AppCore::catalogChanged()).
    void catalogShown();
    // Resuming the sign-in, a sign-in through the browser, or a catalog read has ended.
    void settled();

private:
    void buildToolBar();
    QWidget *buildProductColumn();
    QWidget *buildEmptyState();
    void buildNotices(QVBoxLayout *layout);

    void loadCatalog(bool cachedOnly);
    void showCatalog();
    void selectProduct(const QString &slug);
    void currentProductChanged();
    void applyFilter();
    void updateAccount();
    void updateContent();
    void updateOfflineBanner();
    void showError(const QString &what, const QString &details);

    void install(const QString &product, const QString &tool, const QString &version);
    void update(const QString &product, const QString &tool);
    void rollBack(const QString &product, const QString &tool);
    void confirmRemove(const QString &product, const QString &tool);
    void verify(const QString &product, const QString &tool, bool repair);
    void updateAll();
    void openResource(const toolhub::Resource &resource);
    // "Flux CLI", from the catalog.
    [[nodiscard]] QString toolName(const QString &product, const QString &tool) const;
    [[nodiscard]] QString installedVersion(const QString &product, const QString &tool) const;
    void titled(Task *task, const QString &title);

    AppCore &m_core;
    ProductListModel *m_products;
    ProductFilterModel *m_productFilter;
    QString m_currentProduct;

    QAction *m_refreshAction = nullptr;
    QAction *m_updateAllAction = nullptr;
    QAction *m_signInAction = nullptr;
    QAction *m_signOutAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QLabel *m_account = nullptr;

    NoticeBar *m_offline = nullptr;
    NoticeBar *m_waiting = nullptr;
    NoticeBar *m_signInRequired = nullptr;
    NoticeBar *m_keychain = nullptr;
    NoticeBar *m_warning = nullptr;
    NoticeBar *m_error = nullptr;
    NoticeBar *m_damage = nullptr;
    NoticeBar *m_linkNotice = nullptr;
    QPair<QString, QString> m_damaged; // product and tool the damage notice is about

    QLineEdit *m_search = nullptr;
    QComboBox *m_filter = nullptr;
    QListView *m_productList = nullptr;
    QStackedWidget *m_content = nullptr;
    QLabel *m_emptyText = nullptr;
    QPushButton *m_emptyButton = nullptr;
    ProductPage *m_page = nullptr;
    TasksPanel *m_tasks = nullptr;
    QDockWidget *m_tasksDock = nullptr;
    QLabel *m_catalogStatus = nullptr;
    QProgressBar *m_busy = nullptr;

    QPointer<CatalogLoader> m_loader;
    QPointer<BrowserSignIn> m_signIn;
    QPointer<SettingsDialog> m_settings;
    // Set once a catalog read from the server has ended: before, a kept copy is not "offline".
    bool m_triedServer = false;
    // Between start() and the end of resuming the sign-in kept in the keychain.
    bool m_restoring = false;
    LinkController *m_links = nullptr;
    // While offline, the catalog is read again now and then.
    QTimer m_retry;
};
