#include "http/middleware.h"
#include "http/router.h"

#include <QTest>

using namespace toolhub;
using namespace toolhub::server;
using namespace toolhub::server::http;

namespace {

Handler answer(std::string name)
{
    return [name = std::move(name)](Request &request) -> Result<Response> {
        nlohmann::json params = request.pathParams;
        return Response::json(200, {{"route", name}, {"params", params}});
    };
}

Request makeRequest(std::string method, std::string path)
{
    Request request;
    request.method = std::move(method);
    request.path = path;
    request.target = std::move(path);
    return request;
}

} // namespace

class RouterTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesLiteralsAndParameters()
    {
        Router router;
        router.add("GET", "/api/v1/tools/{tool}/releases/{version}", answer("release"));
        router.add("GET", "/api/v1/tools/{tool}/releases/latest", answer("latest"));
        router.add("GET", "/api/v1/tools/{tool}", answer("tool"));

        auto request = makeRequest("GET", "/api/v1/tools/cmake/releases/3.28.1");
        auto response = router.dispatch(request);
        QVERIFY(response.ok());
        auto body = nlohmann::json::parse(response->body);
        QCOMPARE(body["route"].get<std::string>(), std::string{"release"});
        QCOMPARE(body["params"]["tool"].get<std::string>(), std::string{"cmake"});
        QCOMPARE(body["params"]["version"].get<std::string>(), std::string{"3.28.1"});

        request = makeRequest("GET", "/api/v1/tools/cmake/releases/latest");
        body = nlohmann::json::parse(router.dispatch(request)->body);
        QCOMPARE(body["route"].get<std::string>(), std::string{"latest"});
    }

    void emptySegmentsAndTrailingSlashesDoNotMatch()
    {
        Router router;
        router.add("GET", "/api/v1/tools/{tool}", answer("tool"));
        for (const char *path : {"/api/v1/tools/", "/api/v1/tools", "/api/v1/tools/x/",
                                 "/api/v1/tools//", "/api/v1/tools/x/y"}) {
            auto request = makeRequest("GET", path);
            const auto result = router.dispatch(request);
            QVERIFY2(!result.ok(), path);
            QVERIFY(result.error().code == ErrorCode::NotFound);
        }
    }

    void wrongMethodListsAllowed()
    {
        Router router;
        router.add("GET", "/things/{id}", answer("get"));
        router.add("PUT", "/things/{id}", answer("put"));
        const auto match = router.match("DELETE", "/things/7");
        QVERIFY(match.kind == Router::Match::Kind::MethodNotAllowed);
        QCOMPARE(match.allowedMethods, (std::vector<std::string>{"GET", "HEAD", "PUT"}));

        auto request = makeRequest("DELETE", "/things/7");
        const auto response = router.dispatch(request);
        QVERIFY(response.ok());
        QCOMPARE(response->status, 405U);
        QCOMPARE(std::string{*response->headers.get("allow")}, std::string{"GET, HEAD, PUT"});
    }

    void headFallsBackToGet()
    {
        Router router;
        router.add("GET", "/livez", answer("live"));
        QVERIFY(router.match("HEAD", "/livez").kind == Router::Match::Kind::Found);
    }

    void duplicateRouteIsRefused()
    {
        Router router;
        router.add("GET", "/a/{x}", answer("a"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, router.add("GET", "/a/{x}", answer("b")));
    }
};

QTEST_GUILESS_MAIN(RouterTest)
#include "router_test.moc"
