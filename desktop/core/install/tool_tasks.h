#pragma once

#include "core/install/install_task.h"
#include "core/install/installed_files.h"
#include "core/task.h"

#include <QPointer>
#include <QString>

#include <vector>

// Removes an installed tool: exactly the files the registry recorded (files the user added stay),
// then the record. When deleting fails part-way the record stays, so verify shows what is
// missing and remove can be tried again.
class RemoveTask : public Task {
    Q_OBJECT

public:
    RemoveTask(QString product, QString tool, Registry &registry, QObject *parent = nullptr);

    [[nodiscard]] const QString &product() const { return m_product; }
    [[nodiscard]] const QString &tool() const { return m_tool; }
    // After succeeded(): the version that was removed.
    [[nodiscard]] const QString &removedVersion() const { return m_version; }

protected:
    void run() override;
    void abort() override;

private:
    QString m_product;
    QString m_tool;
    QString m_version;
    Registry &m_registry;
    QPointer<BackgroundTask> m_work;
};

// Re-hashes every recorded file of an installed tool. With `repair`, a damaged installation is
// installed again at the same version (through InstallTask: a verified download, then swapped
// in whole), and succeeds once it is whole again.
class VerifyTask : public Task {
    Q_OBJECT

public:
    VerifyTask(QString product, QString tool, bool repair, InstallEnvironment environment,
               QObject *parent = nullptr);

    [[nodiscard]] const QString &product() const { return m_product; }
    [[nodiscard]] const QString &tool() const { return m_tool; }
    [[nodiscard]] const QString &version() const { return m_version; }
    // After succeeded(): what was found damaged (before any repair), by path.
    [[nodiscard]] const std::vector<DamagedFile> &damaged() const { return m_damaged; }
    [[nodiscard]] bool repaired() const { return m_repaired; }

protected:
    void run() override;
    void abort() override;

private:
    void verified();

    QString m_product;
    QString m_tool;
    QString m_version;
    bool m_repair;
    InstallEnvironment m_env;
    std::vector<DamagedFile> m_damaged;
    bool m_repaired = false;
    QPointer<BackgroundTask> m_check;
    QPointer<InstallTask> m_reinstall;
};
