#include "http/health_routes.h"

namespace toolhub::server::http {

void addHealthRoutes(Router &router, std::vector<ReadinessCheck> checks,
                     std::function<bool()> stopping, const Logger &logger)
{
    router.add("GET", "/livez", [](Request &) -> Result<Response> {
        return Response::json(200, {{"status", "alive"}});
    });
    router.add("GET", "/readyz",
               [checks = std::move(checks), stopping = std::move(stopping),
                &logger](Request &request) -> Result<Response> {
                   if (stopping && stopping()) {
                       return fail(ErrorCode::Unavailable, "The server is shutting down.");
                   }
                   nlohmann::json results = nlohmann::json::object();
                   for (const auto &[name, check] : checks) {
                       if (auto ok = check(); !ok) {
                           logger.warn("not ready", request.context.logFields(
                                                        {{"readiness.check", name},
                                                         {"error.message", ok.error().message}}));
                           return fail(ErrorCode::Unavailable, "Not ready: " + name + ".");
                       }
                       results[name] = "ok";
                   }
                   auto response = Response::json(200, {{"status", "ready"}, {"checks", results}});
                   response.headers.set("Cache-Control", "no-store");
                   return response;
               });
}

} // namespace toolhub::server::http
