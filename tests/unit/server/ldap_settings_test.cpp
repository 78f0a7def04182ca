// The LDAP settings: filter escaping, DN normalization, mapping rules, URLs, the checks made at
// start, and the ldap_* keys in config files and the environment.

#include "core/access/mapping_rule.h"
#include "core/config/config.h"
#include "core/ldap/ldap_settings.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace toolhub;
using namespace toolhub::server;

class LdapSettingsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void escapesFilterValuesPerRfc4515();
    void normalizesDistinguishedNames();
    void parsesRuleTargets();
    void refusesBadRuleTargets_data();
    void refusesBadRuleTargets();
    void parsesRules();
    void parsesUrls();
    void checksSettingsAsAWhole();
    void readsTheBindPasswordFile();
    void readsKeysFromFileAndEnvironment();
    void refusesBadKeys_data();
    void refusesBadKeys();
};

void LdapSettingsTest::escapesFilterValuesPerRfc4515()
{
    QCOMPARE(escapeFilterValue("alice"), std::string{"alice"});
    QCOMPARE(escapeFilterValue(std::string_view{"*()\\\0x", 6}),
             std::string{"\\2a\\28\\29\\5c\\00x"});
    QCOMPARE(escapeFilterValue("*)(|(uid=alice"), std::string{"\\2a\\29\\28|\\28uid=alice"});
    QCOMPARE(escapeFilterValue("j\xc3\xbcrgen"), std::string{"j\xc3\xbcrgen"}); // UTF-8 as is
}

void LdapSettingsTest::normalizesDistinguishedNames()
{
    auto dn = normalizeDn("CN=Acme-Users, OU=groups,DC=Example, DC=org");
    QVERIFY(dn);
    QCOMPARE(*dn, std::string{"cn=acme-users,ou=groups,dc=example,dc=org"});
    QVERIFY(!normalizeDn("not a dn"));
    QVERIFY(!normalizeDn(""));
}

void LdapSettingsTest::parsesRuleTargets()
{
    auto target = parseRuleTarget(" organization=acme  role=customer_admin role=admin@global ");
    QVERIFY(target);
    QCOMPARE(target->organization, std::string{"acme"});
    QCOMPARE(target->roles.size(), std::size_t{2});
    QCOMPARE(target->roles[0], (RuleRole{"customer_admin", false}));
    QCOMPARE(target->roles[1], (RuleRole{"admin", true}));

    // A role within an organization needs none in the rule: it is the user's.
    target = parseRuleTarget("role=support@organization");
    QVERIFY(target);
    QVERIFY(target->organization.empty());
    QCOMPARE(target->roles[0], (RuleRole{"support", false}));
}

void LdapSettingsTest::refusesBadRuleTargets_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("unknown part") << QStringLiteral("colour=red");
    QTest::newRow("bad slug") << QStringLiteral("organization=Acme!");
    QTest::newRow("two organizations") << QStringLiteral("organization=a organization=b");
    QTest::newRow("bad role") << QStringLiteral("role=Admin");
    QTest::newRow("bad scope") << QStringLiteral("role=admin@planet");
    QTest::newRow("no value") << QStringLiteral("organization=");
}

void LdapSettingsTest::refusesBadRuleTargets()
{
    QFETCH(QString, text);
    const auto target = parseRuleTarget(text.toStdString());
    QVERIFY(!target);
    QCOMPARE(target.error().code, ErrorCode::InvalidArgument);
}

void LdapSettingsTest::parsesRules()
{
    auto rule = parseLdapRule("CN=Acme-Admins,OU=Groups,DC=example,DC=org -> organization=acme");
    QVERIFY(rule);
    QCOMPARE(rule->group, std::string{"cn=acme-admins,ou=groups,dc=example,dc=org"});
    QCOMPARE(rule->target.organization, std::string{"acme"});
    rule = parseLdapRule("* -> role=catalog_manager@global");
    QVERIFY(rule);
    QCOMPARE(rule->group, std::string{"*"});
    QVERIFY(!parseLdapRule("cn=x,dc=org organization=acme")); // no arrow
    QVERIFY(!parseLdapRule("cn=x,dc=org ->"));                // no target
    QVERIFY(!parseLdapRule("not a dn -> organization=acme")); // no DN
}

void LdapSettingsTest::parsesUrls()
{
    auto urls = parseLdapUrls(" ldap://ldap1.example.org  ldaps://ldap2.example.org:636 ");
    QVERIFY(urls);
    QCOMPARE(*urls, (std::vector<std::string>{"ldap://ldap1.example.org",
                                              "ldaps://ldap2.example.org:636"}));
    QVERIFY(!parseLdapUrls(""));
    QVERIFY(!parseLdapUrls("https://ldap.example.org"));
    QVERIFY(!parseLdapUrls("ldap://"));
    QVERIFY(!parseLdapUrls("ldap://ldap.example.org/dc=example,dc=org"));
}

void LdapSettingsTest::checksSettingsAsAWhole()
{
    LdapSettings settings;
    QVERIFY(completeLdapSettings(settings)); // off: nothing to check
    settings.urls = {"ldap://ldap.example.org"};
    settings.userBase = "ou=people,dc=example,dc=org";
    QVERIFY(completeLdapSettings(settings));
    QCOMPARE(settings.issuer(), std::string{"ldap://ldap.example.org"});
    settings.id = "corp-directory";
    QCOMPARE(settings.issuer(), std::string{"corp-directory"});

    // Plain LDAP without StartTLS only when allowed explicitly; ldaps needs no StartTLS.
    settings.startTls = false;
    QVERIFY(!completeLdapSettings(settings));
    settings.allowPlaintext = true;
    QVERIFY(completeLdapSettings(settings));
    settings.allowPlaintext = false;
    settings.urls = {"ldaps://ldap.example.org"};
    QVERIFY(completeLdapSettings(settings));

    auto broken = settings;
    broken.userBase.clear();
    QVERIFY(!completeLdapSettings(broken));
    broken = settings;
    broken.userFilter = "(uid=alice)";
    QVERIFY(!completeLdapSettings(broken));
    broken = settings;
    broken.bindDn = "cn=toolhub,dc=example,dc=org"; // without a password
    QVERIFY(!completeLdapSettings(broken));
    broken = settings;
    broken.groupBase = "ou=groups,dc=example,dc=org";
    broken.groupFilter = "(objectClass=groupOfNames)";
    QVERIFY(!completeLdapSettings(broken));
    broken = settings;
    broken.caFile = "/nonexistent/ca.pem";
    QVERIFY(!completeLdapSettings(broken));
}

void LdapSettingsTest::readsTheBindPasswordFile()
{
    QTemporaryDir dir;
    const std::string file = dir.filePath(QStringLiteral("password")).toStdString();
    std::ofstream(file) << "s3cret with spaces\n";
    LdapSettings settings;
    settings.urls = {"ldaps://ldap.example.org"};
    settings.userBase = "ou=people,dc=example,dc=org";
    settings.bindDn = "cn=toolhub,dc=example,dc=org";
    settings.bindPasswordFile = file;
    auto completed = completeLdapSettings(settings);
    QVERIFY(completed);
    QCOMPARE(completed->bindPassword, std::string{"s3cret with spaces"});
    settings.bindPassword = "another";
    QVERIFY(!completeLdapSettings(settings)); // both
}

void LdapSettingsTest::readsKeysFromFileAndEnvironment()
{
    QTemporaryDir dir;
    const std::string file = dir.filePath(QStringLiteral("toolhub.conf")).toStdString();
    std::ofstream(file) << "ldap_url = ldap://a.example.org ldap://b.example.org\n"
                           "ldap_user_base = ou=people,dc=example,dc=org\n"
                           "ldap_timeout = 3s\n"
                           "ldap_rule.20 = cn=b,dc=example,dc=org -> role=support@global\n"
                           "ldap_rule.3 = cn=a,dc=example,dc=org -> organization=acme\n";
    auto config = loadConfig(file, {{"TOOLHUB_LDAP_RULE_7", "* -> organization=other"},
                                    {"TOOLHUB_LDAP_STARTTLS", "false"},
                                    {"TOOLHUB_LDAP_ALLOW_PLAINTEXT", "true"}});
    QVERIFY2(config, config ? "" : config.error().message.c_str());
    const auto &ldap = config->ldap;
    QCOMPARE(ldap.urls.size(), std::size_t{2});
    QCOMPARE(ldap.userBase, std::string{"ou=people,dc=example,dc=org"});
    QCOMPARE(ldap.timeout, std::chrono::seconds{3});
    QVERIFY(!ldap.startTls);
    QVERIFY(ldap.allowPlaintext);
    std::vector<unsigned> order;
    for (const auto &[number, rule] : ldap.rules) {
        order.push_back(number);
    }
    QCOMPARE(order, (std::vector<unsigned>{3, 7, 20}));
    QCOMPARE(ldap.rules.at(7).group, std::string{"*"});
    QCOMPARE(ldap.rules.at(20).target.roles.at(0), (RuleRole{"support", true}));
}

void LdapSettingsTest::refusesBadKeys_data()
{
    QTest::addColumn<QString>("line");
    QTest::newRow("not an LDAP URL") << QStringLiteral("ldap_url = https://ldap.example.org");
    QTest::newRow("unnumbered rule") << QStringLiteral("ldap_rule.<n> = * -> organization=a");
    QTest::newRow("rule number") << QStringLiteral("ldap_rule.first = * -> organization=a");
    QTest::newRow("rule syntax") << QStringLiteral("ldap_rule.1 = * -> organisation=a");
    QTest::newRow("zero timeout") << QStringLiteral("ldap_timeout = 0s");
    QTest::newRow("long timeout") << QStringLiteral("ldap_timeout = 5m");
    QTest::newRow("flag") << QStringLiteral("ldap_starttls = yes");
    QTest::newRow("empty base") << QStringLiteral("ldap_user_base =");
}

void LdapSettingsTest::refusesBadKeys()
{
    QFETCH(QString, line);
    ServerConfig config;
    const auto applied = applyConfigText(config, line.toStdString(), "test.conf");
    QVERIFY(!applied);
    QVERIFY2(applied.error().message.find("test.conf:1") != std::string::npos,
             applied.error().message.c_str());
}

QTEST_APPLESS_MAIN(LdapSettingsTest)

#include "ldap_settings_test.moc"
