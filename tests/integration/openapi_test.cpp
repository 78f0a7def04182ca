// server/openapi.yaml against the real toolhub-server process: every documented path answers
// PROPFIND (a method no route uses) with 405 and an Allow header listing exactly the documented
// operations, and every route the server registers (logged at debug level at start-up) is
// documented with its method.

#include "http_client.h"
#include "server_process.h"

#include <QFile>
#include <QMap>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QSet>
#include <QStringList>
#include <QTest>

#include <memory>

namespace {

// The method no route uses; the router answers it with 405 on every registered path.
const QByteArray probeMethod = QByteArrayLiteral("PROPFIND");

// path -> upper-case methods, from the `paths:` section of the OpenAPI document. Paths are
// the 2-space-indented keys starting with "/", operations the 4-space-indented keys
// get/post/put/patch/delete under them.
QMap<QString, QStringList> documentedOperations(const QString &fileName, QString *error)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("cannot read %1: %2").arg(fileName, file.errorString());
        return {};
    }
    static const QRegularExpression pathKey(QStringLiteral(R"(^  (/[^:\s]*):\s*$)"));
    static const QRegularExpression operationKey(
        QStringLiteral(R"(^    (get|post|put|patch|delete):\s*$)"));
    QMap<QString, QStringList> operations;
    bool inPaths = false;
    QString currentPath;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).chopped(1);
        if (line.trimmed().isEmpty() || line.trimmed().startsWith(u'#')) {
            continue;
        }
        if (!line.startsWith(u' ')) { // a top-level key
            inPaths = line == QLatin1String("paths:");
            currentPath.clear();
            continue;
        }
        if (!inPaths) {
            continue;
        }
        if (const auto m = pathKey.match(line); m.hasMatch()) {
            currentPath = m.captured(1);
            if (operations.contains(currentPath)) {
                *error = QStringLiteral("path documented twice: %1").arg(currentPath);
                return {};
            }
            operations.insert(currentPath, {});
        } else if (const auto op = operationKey.match(line);
                   op.hasMatch() && !currentPath.isEmpty()) {
            operations[currentPath].append(op.captured(1).toUpper());
        }
    }
    return operations;
}

// "/api/v1/products/{product}" -> "/api/v1/products/x"
QString concretePath(QString pattern)
{
    static const QRegularExpression parameter(QStringLiteral(R"(\{[^/{}]+\})"));
    return pattern.replace(parameter, QStringLiteral("x"));
}

} // namespace

class OpenApiTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void documentIsReadable();
    void everyDocumentedOperationExists();
    void everyRegisteredRouteIsDocumented();

private:
    std::unique_ptr<ServerProcess> m_server;
    QMap<QString, QStringList> m_documented;
    QString m_documentError;
};

void OpenApiTest::initTestCase()
{
    m_documented = documentedOperations(QStringLiteral(TOOLHUB_OPENAPI_FILE), &m_documentError);
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TOOLHUB_LOG_LEVEL"), QStringLiteral("debug"));
    m_server = std::make_unique<ServerProcess>(environment);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void OpenApiTest::documentIsReadable()
{
    QVERIFY2(m_documentError.isEmpty(), qPrintable(m_documentError));
    QVERIFY2(m_documented.size() >= 10, "too few paths read from the OpenAPI document");
    for (auto it = m_documented.cbegin(); it != m_documented.cend(); ++it) {
        QVERIFY2(!it.value().isEmpty(),
                 qPrintable(QStringLiteral("%1 documents no operation").arg(it.key())));
        QVERIFY2(!it.value().contains(QString::fromLatin1(probeMethod)),
                 qPrintable(QStringLiteral("%1 documents %2, the method this test probes with: "
                                           "pick another unused one")
                                .arg(it.key(), QString::fromLatin1(probeMethod))));
    }
}

void OpenApiTest::everyDocumentedOperationExists()
{
    QNetworkAccessManager network;
    for (auto it = m_documented.cbegin(); it != m_documented.cend(); ++it) {
        const QString path = concretePath(it.key());
        const auto exchange = httpRequest(network, probeMethod, m_server->url(path));
        QVERIFY2(exchange.status == 405,
                 qPrintable(QStringLiteral("%1 %2 (documented as %3) answered %4 %5")
                                .arg(QString::fromLatin1(probeMethod), path, it.key())
                                .arg(exchange.status)
                                .arg(exchange.error)));
        QStringList expected = it.value();
        if (expected.contains(QLatin1String("GET"))) {
            expected.append(QStringLiteral("HEAD"));
        }
        expected.sort();
        QStringList allowed;
        for (const auto &method : QString::fromLatin1(exchange.header("Allow")).split(u',')) {
            if (!method.trimmed().isEmpty()) {
                allowed.append(method.trimmed());
            }
        }
        allowed.sort();
        QVERIFY2(allowed == expected,
                 qPrintable(QStringLiteral("%1: the server allows [%2], the document has [%3]")
                                .arg(it.key(), allowed.join(u' '), expected.join(u' '))));
    }
}

void OpenApiTest::everyRegisteredRouteIsDocumented()
{
    int routes = 0;
    for (const auto &record : m_server->logRecords()) {
        if (record.value(QLatin1String("message")).toString() != QLatin1String("route")) {
            continue;
        }
        ++routes;
        const QString method = record.value(QLatin1String("http.request.method")).toString();
        const QString pattern = record.value(QLatin1String("url.path")).toString();
        QVERIFY2(m_documented.contains(pattern),
                 qPrintable(QStringLiteral("%1 %2 is registered but not in server/openapi.yaml")
                                .arg(method, pattern)));
        QVERIFY2(m_documented.value(pattern).contains(method),
                 qPrintable(QStringLiteral("%1 %2 is registered but server/openapi.yaml documents "
                                           "only [%3] on that path")
                                .arg(method, pattern, m_documented.value(pattern).join(u' '))));
    }
    int documentedOperations = 0;
    for (const auto &methods : std::as_const(m_documented)) {
        documentedOperations += static_cast<int>(methods.size());
    }
    // Both directions hold and routes are unique per method and pattern: the counts agree.
    QCOMPARE(routes, documentedOperations);
}

QTEST_GUILESS_MAIN(OpenApiTest)
#include "openapi_test.moc"
