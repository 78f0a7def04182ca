#include "http/scim_routes.h"

#include "core/scim/filter.h"
#include "toolhub/ascii.h"
#include "toolhub/utf8.h"

#include <algorithm>
#include <charconv>
#include <memory>

namespace toolhub::server::http {

namespace {

using scim::ScimError;
using scim::ScimResult;

constexpr std::string_view scimMediaType = "application/scim+json";
constexpr std::size_t defaultCount = 100;
constexpr std::size_t maxCount = 200;

constexpr std::string_view serviceProviderConfigSchema =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
constexpr std::string_view resourceTypeSchema =
    "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
constexpr std::string_view schemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema";

Response scimJson(unsigned status, const nlohmann::json &body)
{
    Response response;
    response.status = status;
    response.headers.set("Content-Type", std::string{scimMediaType});
    response.headers.set("Cache-Control", "no-store");
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

// The protocol's base URL: public_url + /scim/v2, else http://, the request's Host (when it
// is a plain host[:port]) and /scim/v2; relative when there is no usable Host.
std::string baseUrl(const Request &request, const std::string &publicUrl)
{
    if (!publicUrl.empty()) {
        return publicUrl + "/scim/v2";
    }
    const auto host = request.headers.get("Host");
    const bool usable =
        host && !host->empty() && host->size() <= 255 &&
        std::all_of(host->begin(), host->end(), [](char c) {
            return ascii::isAlnum(c) || std::string_view{".-:[]"}.find(c) != std::string_view::npos;
        });
    if (!usable) {
        return "/scim/v2";
    }
    return "http://" + std::string{*host} + "/scim/v2";
}

// Whether the body is declared as SCIM or plain JSON (parameters such as charset allowed).
bool isJsonMediaType(std::string_view type)
{
    auto mediaType = type.substr(0, type.find(';'));
    while (!mediaType.empty() && (mediaType.back() == ' ' || mediaType.back() == '\t')) {
        mediaType.remove_suffix(1);
    }
    return scim::sameName(mediaType, scimMediaType) ||
           scim::sameName(mediaType, "application/json");
}

ScimResult<nlohmann::json> jsonBody(const Request &request)
{
    if (const auto type = request.headers.get("Content-Type"); type && !isJsonMediaType(*type)) {
        return scim::scimFail(415, "",
                              "the body must be application/scim+json (or application/json)");
    }
    if (!jsonNestingWithin(request.body, maxJsonDepth)) {
        return scim::invalidSyntax("the body nests deeper than 32 levels");
    }
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
        return scim::invalidSyntax("the body is not valid JSON");
    }
    if (!body.is_object()) {
        return scim::invalidSyntax("the body must be a JSON object");
    }
    return body;
}

// A non-negative integer query parameter; none when absent.
ScimResult<std::optional<long long>> integerParameter(const Request &request, const char *name)
{
    const auto text = request.queryValue(name);
    if (!text) {
        return std::optional<long long>{};
    }
    long long value = 0;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || ptr != text->data() + text->size()) {
        return scim::invalidValue(std::string{name} + " must be an integer");
    }
    return std::optional<long long>{value};
}

ScimResult<scim::ListQuery> listQuery(const Request &request)
{
    scim::ListQuery query;
    if (const auto filter = request.queryValue("filter")) {
        auto parsed = scim::parseFilter(*filter);
        if (!parsed) {
            return fail(std::move(parsed).error());
        }
        query.filter = std::move(parsed).value();
    }
    auto startIndex = integerParameter(request, "startIndex");
    if (!startIndex) {
        return fail(std::move(startIndex).error());
    }
    // RFC 7644 3.4.2.4: below 1 counts as 1; a negative count as 0; more than the maximum is
    // the maximum.
    query.startIndex = static_cast<std::size_t>(std::max(1LL, startIndex->value_or(1)));
    auto count = integerParameter(request, "count");
    if (!count) {
        return fail(std::move(count).error());
    }
    query.count =
        static_cast<std::size_t>(std::clamp(count->value_or(static_cast<long long>(defaultCount)),
                                            0LL, static_cast<long long>(maxCount)));
    return query;
}

// Attribute names of a comma-separated `attributes` / `excludedAttributes` parameter.
ScimResult<std::vector<scim::AttributePath>> attributeList(const Request &request, const char *name)
{
    std::vector<scim::AttributePath> out;
    const auto text = request.queryValue(name);
    if (!text) {
        return out;
    }
    std::string_view rest = *text;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        auto item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (item.empty()) {
            continue;
        }
        auto path = scim::parseAttributePath(item, "invalidValue");
        if (!path) {
            return fail(std::move(path).error());
        }
        out.push_back(std::move(path).value());
    }
    return out;
}

bool alwaysReturned(std::string_view name)
{
    return scim::sameName(name, "id") || scim::sameName(name, "schemas") ||
           scim::sameName(name, "meta");
}

// Applies `attributes` (keep only these, plus id, schemas and meta) or `excludedAttributes`
// (drop these) to a resource (RFC 7644 3.9).
void project(nlohmann::json &resource, const std::vector<scim::AttributePath> &keep,
             const std::vector<scim::AttributePath> &drop)
{
    const auto erase = [](nlohmann::json &object, std::string_view name) {
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (scim::sameName(it.key(), name)) {
                object.erase(it);
                return;
            }
        }
    };
    for (const auto &path : drop) {
        auto *base = scim::attributeBase(resource, path, false);
        if (base == nullptr || (base == &resource && alwaysReturned(path.attribute))) {
            continue;
        }
        if (path.subAttribute.empty()) {
            erase(*base, path.attribute);
        } else if (auto *complex = scim::member(*base, path.attribute)) {
            erase(*complex, path.subAttribute);
        }
    }
    if (keep.empty()) {
        return;
    }
    nlohmann::json kept = nlohmann::json::object();
    for (auto it = resource.begin(); it != resource.end(); ++it) {
        const bool wanted =
            alwaysReturned(it.key()) ||
            std::any_of(keep.begin(), keep.end(), [&](const scim::AttributePath &path) {
                const auto *base = scim::attributeBase(std::as_const(resource), path);
                // An attribute of the resource, or a whole extension one of whose attributes
                // is asked for.
                return (base == &resource && scim::sameName(path.attribute, it.key())) ||
                       (base == &it.value() && base != &resource);
            });
        if (wanted) {
            kept[it.key()] = it.value();
        }
    }
    resource = std::move(kept);
}

nlohmann::json attribute(std::string_view name, std::string_view type, std::string_view description,
                         bool multiValued = false, bool required = false,
                         std::string_view mutability = "readWrite",
                         std::string_view uniqueness = "none")
{
    return {{"name", name},
            {"type", type},
            {"multiValued", multiValued},
            {"description", description},
            {"required", required},
            {"caseExact", false},
            {"mutability", mutability},
            {"returned", "default"},
            {"uniqueness", uniqueness}};
}

nlohmann::json schemaResource(std::string_view id, std::string_view name,
                              std::string_view description, nlohmann::json attributes,
                              const std::string &base)
{
    return {
        {"schemas", {schemaSchema}},
        {"id", id},
        {"name", name},
        {"description", description},
        {"attributes", std::move(attributes)},
        {"meta", {{"resourceType", "Schema"}, {"location", base + "/Schemas/" + std::string{id}}}}};
}

std::vector<nlohmann::json> schemas(const std::string &base)
{
    auto name = attribute("name", "complex", "The components of the user's name.");
    name["subAttributes"] = nlohmann::json::array();
    for (const auto part : {"formatted", "familyName", "givenName", "middleName", "honorificPrefix",
                            "honorificSuffix"}) {
        name["subAttributes"].push_back(attribute(part, "string", "A part of the name."));
    }
    auto emails = attribute("emails", "complex",
                            "E-mail addresses; the primary one (else the first) is the one "
                            "Toolhub uses.",
                            true);
    emails["subAttributes"] = {attribute("value", "string", "The address."),
                               attribute("type", "string", "work, home or other."),
                               attribute("primary", "boolean", "The address Toolhub uses.")};
    auto groups = attribute("groups", "complex", "The groups the user is a member of.", true, false,
                            "readOnly");
    groups["subAttributes"] = {
        attribute("value", "string", "The group's id.", false, false, "readOnly"),
        attribute("display", "string", "The group's name.", false, false, "readOnly"),
        attribute("type", "string", "direct", false, false, "readOnly")};
    auto userName = attribute("userName", "string",
                              "Unique. For users of the identity provider, the subject (sub) it "
                              "signs them in with.",
                              false, true, "readWrite", "server");
    nlohmann::json user = nlohmann::json::array(
        {userName, name, attribute("displayName", "string", "The name shown for the user."), emails,
         attribute("active", "boolean", "false disables the user and ends their sessions at once."),
         groups});

    auto members = attribute("members", "complex", "The users in the group.", true);
    members["subAttributes"] = {
        attribute("value", "string", "The user's id.", false, false, "immutable"),
        attribute("type", "string", "User", false, false, "immutable")};
    nlohmann::json group =
        nlohmann::json::array({attribute("displayName", "string", "The group's name.", false, true,
                                         "readWrite", "server"),
                               members});

    nlohmann::json enterprise = nlohmann::json::array({attribute(
        "organization", "string", "The slug of the Toolhub organization the user belongs to.")});

    return {schemaResource(scim::userSchema, "User", "User Account", std::move(user), base),
            schemaResource(scim::groupSchema, "Group", "Group", std::move(group), base),
            schemaResource(scim::enterpriseUserSchema, "EnterpriseUser", "Enterprise User",
                           std::move(enterprise), base)};
}

std::vector<nlohmann::json> resourceTypes(const std::string &base)
{
    return {
        {{"schemas", {resourceTypeSchema}},
         {"id", "User"},
         {"name", "User"},
         {"endpoint", "/Users"},
         {"description", "User Account"},
         {"schema", scim::userSchema},
         {"schemaExtensions", {{{"schema", scim::enterpriseUserSchema}, {"required", false}}}},
         {"meta", {{"resourceType", "ResourceType"}, {"location", base + "/ResourceTypes/User"}}}},
        {{"schemas", {resourceTypeSchema}},
         {"id", "Group"},
         {"name", "Group"},
         {"endpoint", "/Groups"},
         {"description", "Group"},
         {"schema", scim::groupSchema},
         {"schemaExtensions", nlohmann::json::array()},
         {"meta", {{"resourceType", "ResourceType"}, {"location", base + "/ResourceTypes/Group"}}}},
    };
}

nlohmann::json listResponse(const std::vector<nlohmann::json> &resources, std::size_t total,
                            std::size_t startIndex)
{
    return {{"schemas", {scim::listResponseSchema}},
            {"totalResults", total},
            {"itemsPerPage", resources.size()},
            {"startIndex", startIndex},
            {"Resources", resources}};
}

struct Shared {
    ScimRoutesContext context;

    Response error(const ScimError &failure, const Request &request) const
    {
        if (failure.status >= 500) {
            context.logger.error(failure.cause.empty() ? failure.detail : failure.cause,
                                 request.context.logFields({{"error.code", "scim"}}));
        }
        auto response = scimJson(failure.status, scim::errorJson(failure));
        if (failure.status == 401) {
            response.headers.set("WWW-Authenticate", "Bearer realm=\"toolhub-scim\"");
        }
        return response;
    }

    // The caller may provision, or the 401/403 answer.
    std::optional<Response> deny(const Request &request) const
    {
        auto caller = context.guard.require(request, permission::scimProvision, Scope::global());
        if (caller) {
            return std::nullopt;
        }
        return error(scim::toScimError(caller.error()), request);
    }

    // A single resource with meta.location, ETag, and 304 for a matching If-None-Match.
    Response resource(const Request &request, nlohmann::json body, std::string_view collection,
                      unsigned status = 200) const
    {
        const std::string location = baseUrl(request, context.publicUrl) + "/" +
                                     std::string{collection} + "/" + body["id"].get<std::string>();
        body["meta"]["location"] = location;
        const std::string version = body["meta"].value("version", "");
        if (status == 200 && request.method != "HEAD" && !version.empty() &&
            request.headers.get("If-None-Match") == std::optional<std::string_view>{version}) {
            Response notModified;
            notModified.status = 304;
            notModified.headers.set("ETag", version);
            return notModified;
        }
        auto response = scimJson(status, body);
        if (!version.empty()) {
            response.headers.set("ETag", version);
        }
        if (status == 201) {
            response.headers.set("Location", location);
        }
        return response;
    }

    // 412 when If-Match names another version than `current`'s.
    std::optional<Response> precondition(const Request &request,
                                         const ScimResult<nlohmann::json> &current) const
    {
        const auto ifMatch = request.headers.get("If-Match");
        if (!ifMatch || *ifMatch == "*") {
            return std::nullopt;
        }
        if (!current) {
            return error(current.error(), request);
        }
        if (current->at("meta").value("version", "") != *ifMatch) {
            return error({412, "", "the resource has changed since the version in If-Match", {}},
                         request);
        }
        return std::nullopt;
    }
};

std::string_view idOf(const Request &request)
{
    return request.pathParams.at("id");
}

// The routes of one resource type (Users or Groups) over the directory's functions for it.
struct Operations {
    std::string collection; // "Users", "Groups"
    ScimResult<nlohmann::json> (scim::Directory::*create)(const nlohmann::json &);
    ScimResult<nlohmann::json> (scim::Directory::*find)(std::string_view);
    ScimResult<scim::ListPage> (scim::Directory::*list)(const scim::ListQuery &);
    ScimResult<nlohmann::json> (scim::Directory::*replace)(std::string_view,
                                                           const nlohmann::json &);
    ScimResult<nlohmann::json> (scim::Directory::*patch)(std::string_view, const nlohmann::json &);
    ScimResult<void> (scim::Directory::*remove)(std::string_view);
};

void addResourceRoutes(Router &router, const std::shared_ptr<const Shared> &shared,
                       const Operations &ops)
{
    const std::string collection = "/scim/v2/" + ops.collection;
    const std::string item = collection + "/{id}";
    auto &directory = shared->context.directory;

    router.add("GET", collection, [shared, ops, &directory](Request &request) -> Result<Response> {
        if (auto denied = shared->deny(request)) {
            return std::move(*denied);
        }
        auto query = listQuery(request);
        if (!query) {
            return shared->error(query.error(), request);
        }
        auto keep = attributeList(request, "attributes");
        auto drop = attributeList(request, "excludedAttributes");
        if (!keep || !drop) {
            return shared->error(!keep ? keep.error() : drop.error(), request);
        }
        auto page = (directory.*ops.list)(*query);
        if (!page) {
            return shared->error(page.error(), request);
        }
        const auto base = baseUrl(request, shared->context.publicUrl);
        for (auto &resource : page->resources) {
            resource["meta"]["location"] =
                base + "/" + ops.collection + "/" + resource["id"].get<std::string>();
            project(resource, *keep, *drop);
        }
        return scimJson(200, listResponse(page->resources, page->totalResults, page->startIndex));
    });

    router.add("POST", collection, [shared, ops, &directory](Request &request) -> Result<Response> {
        if (auto denied = shared->deny(request)) {
            return std::move(*denied);
        }
        auto body = jsonBody(request);
        if (!body) {
            return shared->error(body.error(), request);
        }
        auto created = (directory.*ops.create)(*body);
        if (!created) {
            return shared->error(created.error(), request);
        }
        return shared->resource(request, std::move(created).value(), ops.collection, 201);
    });

    router.add("GET", item, [shared, ops, &directory](Request &request) -> Result<Response> {
        if (auto denied = shared->deny(request)) {
            return std::move(*denied);
        }
        auto keep = attributeList(request, "attributes");
        auto drop = attributeList(request, "excludedAttributes");
        if (!keep || !drop) {
            return shared->error(!keep ? keep.error() : drop.error(), request);
        }
        auto found = (directory.*ops.find)(idOf(request));
        if (!found) {
            return shared->error(found.error(), request);
        }
        auto response = shared->resource(request, std::move(found).value(), ops.collection);
        if ((keep->empty() && drop->empty()) || response.status != 200) {
            return response;
        }
        auto body = nlohmann::json::parse(response.body);
        project(body, *keep, *drop);
        response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return response;
    });

    // PUT and PATCH: the same checks and answer around the directory's replace or patch.
    const auto write = [shared, ops, &directory](auto operation) -> Handler {
        return [shared, ops, &directory, operation](Request &request) -> Result<Response> {
            if (auto denied = shared->deny(request)) {
                return std::move(*denied);
            }
            auto body = jsonBody(request);
            if (!body) {
                return shared->error(body.error(), request);
            }
            if (request.headers.get("If-Match")) {
                if (auto failed =
                        shared->precondition(request, (directory.*ops.find)(idOf(request)))) {
                    return std::move(*failed);
                }
            }
            auto written = (directory.*operation)(idOf(request), *body);
            if (!written) {
                return shared->error(written.error(), request);
            }
            return shared->resource(request, std::move(written).value(), ops.collection);
        };
    };
    router.add("PUT", item, write(ops.replace));
    router.add("PATCH", item, write(ops.patch));

    router.add("DELETE", item, [shared, ops, &directory](Request &request) -> Result<Response> {
        if (auto denied = shared->deny(request)) {
            return std::move(*denied);
        }
        if (request.headers.get("If-Match")) {
            if (auto failed = shared->precondition(request, (directory.*ops.find)(idOf(request)))) {
                return std::move(*failed);
            }
        }
        auto removed = (directory.*ops.remove)(idOf(request));
        if (!removed) {
            return shared->error(removed.error(), request);
        }
        Response response;
        response.status = 204;
        return response;
    });
}

} // namespace

void addScimRoutes(Router &router, ScimRoutesContext context)
{
    auto shared = std::make_shared<const Shared>(Shared{context});

    addResourceRoutes(router, shared,
                      {"Users", &scim::Directory::createUser, &scim::Directory::user,
                       &scim::Directory::users, &scim::Directory::replaceUser,
                       &scim::Directory::patchUser, &scim::Directory::deleteUser});
    addResourceRoutes(router, shared,
                      {"Groups", &scim::Directory::createGroup, &scim::Directory::group,
                       &scim::Directory::groups, &scim::Directory::replaceGroup,
                       &scim::Directory::patchGroup, &scim::Directory::deleteGroup});

    // Discovery (RFC 7644 4): public, so that a client can be configured before it has a token.
    router.add(
        "GET", "/scim/v2/ServiceProviderConfig", [shared](Request &request) -> Result<Response> {
            const auto base = baseUrl(request, shared->context.publicUrl);
            const nlohmann::json body{
                {"schemas", {serviceProviderConfigSchema}},
                {"patch", {{"supported", true}}},
                {"bulk",
                 {{"supported", false},
                  {"maxOperations", 0},
                  {"maxPayloadSize", shared->context.maxBodyBytes}}},
                {"filter", {{"supported", true}, {"maxResults", maxCount}}},
                {"changePassword", {{"supported", false}}},
                {"sort", {{"supported", false}}},
                {"etag", {{"supported", true}}},
                {"authenticationSchemes",
                 {{{"type", "oauthbearertoken"},
                   {"name", "OAuth Bearer Token"},
                   {"description", "A Toolhub service account token with the scim.provision scope, "
                                   "sent as Authorization: Bearer <token>."},
                   {"primary", true}}}},
                {"meta",
                 {{"resourceType", "ServiceProviderConfig"},
                  {"location", base + "/ServiceProviderConfig"}}}};
            return scimJson(200, body);
        });

    const auto discovery = [shared,
                            &router](const std::string &path,
                                     std::vector<nlohmann::json> (*make)(const std::string &)) {
        router.add("GET", path, [shared, make](Request &request) -> Result<Response> {
            const auto all = make(baseUrl(request, shared->context.publicUrl));
            return scimJson(200, listResponse(all, all.size(), 1));
        });
        router.add("GET", path + "/{id}", [shared, make](Request &request) -> Result<Response> {
            const auto all = make(baseUrl(request, shared->context.publicUrl));
            for (const auto &item : all) {
                if (item["id"].get<std::string>() == idOf(request)) {
                    return scimJson(200, item);
                }
            }
            return shared->error({404, "", "no such resource", {}}, request);
        });
    };
    discovery("/scim/v2/ResourceTypes", resourceTypes);
    discovery("/scim/v2/Schemas", schemas);
}

} // namespace toolhub::server::http
