// Representations with strong ETags, and the cache that keeps them while their data holds.

#include "http/representation.h"

#include <QTest>

using toolhub::server::http::represent;
using toolhub::server::http::Representation;
using toolhub::server::http::RepresentationCache;
using toolhub::server::http::Request;
using toolhub::server::http::respond;

namespace {

RepresentationCache::Entry entry(const char *body, std::int64_t revision,
                                 std::optional<std::int64_t> validUntil = std::nullopt)
{
    return {Representation{body, std::string("\"") + body + "\""}, revision, validUntil};
}

QByteArray bodyOf(const std::shared_ptr<const RepresentationCache::Entry> &found)
{
    return found ? QByteArray::fromStdString(found->representation.body) : QByteArray("(none)");
}

} // namespace

class RepresentationTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void etagIsADigestOfTheBytes()
    {
        const auto a = represent({{"items", {1, 2}}});
        QCOMPARE(QByteArray::fromStdString(a.body), QByteArray(R"({"items":[1,2]})"));
        QCOMPARE(a.etag.size(), std::size_t{34});
        QVERIFY(a.etag.front() == '"' && a.etag.back() == '"');
        QCOMPARE(represent({{"items", {1, 2}}}).etag, a.etag);
        QVERIFY(represent({{"items", {2, 1}}}).etag != a.etag);
    }

    void respondHonoursIfNoneMatch()
    {
        const auto representation = represent({{"x", 1}});
        Request request;
        auto full = respond(request, representation);
        QCOMPARE(full.status, 200U);
        QCOMPARE(full.body, representation.body);
        QCOMPARE(std::string(*full.headers.get("ETag")), representation.etag);
        QCOMPARE(std::string(*full.headers.get("Cache-Control")), std::string("private, no-cache"));

        for (const std::string &header : {representation.etag, "W/" + representation.etag,
                                          "\"other\", " + representation.etag, std::string("*")}) {
            request.headers.set("If-None-Match", header);
            const auto notModified = respond(request, representation);
            QVERIFY2(notModified.status == 304U, header.c_str());
            QVERIFY(notModified.body.empty());
            QCOMPARE(std::string(*notModified.headers.get("ETag")), representation.etag);
        }
        request.headers.set("If-None-Match", "\"other\"");
        QCOMPARE(respond(request, representation).status, 200U);
    }

    void entryHoldsForItsRevisionOnly()
    {
        RepresentationCache cache(8);
        QVERIFY(!cache.find("org-a", 1, 100));
        cache.store("org-a", entry("a1", 1));
        QCOMPARE(bodyOf(cache.find("org-a", 1, 100)), QByteArray("a1"));
        QVERIFY(!cache.find("org-a", 2, 100)); // the data changed since
        QVERIFY(!cache.find("org-b", 1, 100)); // another key never answers
        cache.store("org-a", entry("a2", 2));
        QCOMPARE(bodyOf(cache.find("org-a", 2, 100)), QByteArray("a2"));
        QVERIFY(!cache.find("org-a", 1, 100));
        QCOMPARE(cache.size(), std::size_t{1});
    }

    void entryEndsAtItsValidUntil()
    {
        RepresentationCache cache(8);
        cache.store("org-a", entry("a", 1, 200));
        QCOMPARE(bodyOf(cache.find("org-a", 1, 199)), QByteArray("a"));
        QVERIFY(!cache.find("org-a", 1, 200));
        QVERIFY(!cache.find("org-a", 1, 10'000));
    }

    void capacityDropsTheLongestHeld()
    {
        RepresentationCache cache(2);
        cache.store("a", entry("a", 1));
        cache.store("b", entry("b", 1));
        cache.store("a", entry("a'", 1)); // replacing does not count as a new entry
        cache.store("c", entry("c", 1));
        QCOMPARE(cache.size(), std::size_t{2});
        QVERIFY(!cache.find("a", 1, 0));
        QCOMPARE(bodyOf(cache.find("b", 1, 0)), QByteArray("b"));
        QCOMPARE(bodyOf(cache.find("c", 1, 0)), QByteArray("c"));

        RepresentationCache none(0);
        none.store("a", entry("a", 1));
        QCOMPARE(none.size(), std::size_t{0});
    }
};

QTEST_APPLESS_MAIN(RepresentationTest)
#include "representation_test.moc"
