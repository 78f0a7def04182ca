#include "http/access_routes.h"

#include "http/catalog_routes.h"
#include "http/problem.h"
#include "toolhub/utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>

namespace toolhub::server::http {

namespace {

using json = nlohmann::json;

constexpr std::string_view notFound = "There is nothing at this address.";
constexpr std::size_t maxSerial = 128;

struct Context {
    AccessRoutesContext routes;
    [[nodiscard]] IdentityStore &identity() const { return routes.guard.auth().identity(); }
    [[nodiscard]] AccessControl &access() const { return routes.guard.access(); }
    [[nodiscard]] ServiceAccounts &services() const { return routes.guard.services(); }
};

std::string_view param(const Request &request, const char *name)
{
    return request.pathParams.at(name);
}

Error deniedError(std::string_view permission)
{
    return {ErrorCode::PermissionDenied,
            "this needs the permission " + std::string{permission} + ", which you do not hold"};
}

// The JSON object of a request body: 415 unless declared application/json, 400 unless an object.
Result<json> jsonBody(const Request &request)
{
    const auto type = request.headers.get("Content-Type");
    std::string_view mediaType = type ? type->substr(0, type->find(';')) : std::string_view{};
    while (!mediaType.empty() && (mediaType.back() == ' ' || mediaType.back() == '\t')) {
        mediaType.remove_suffix(1);
    }
    if (mediaType != "application/json") {
        return fail(ErrorCode::InvalidArgument, "the body must be application/json");
    }
    if (!jsonNestingWithin(request.body, maxJsonDepth)) {
        return fail(ErrorCode::InvalidArgument, "the body nests deeper than 32 levels");
    }
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return fail(ErrorCode::InvalidArgument, "the body must be a JSON object");
    }
    return body;
}

Result<std::string> stringMember(const json &body, const char *key, bool required = true)
{
    const auto it = body.find(key);
    if (it == body.end() || it->is_null()) {
        if (required) {
            return fail(ErrorCode::InvalidArgument, std::string{key} + " is required");
        }
        return std::string{};
    }
    if (!it->is_string()) {
        return fail(ErrorCode::InvalidArgument, std::string{key} + " must be a string");
    }
    return it->get<std::string>();
}

Result<std::vector<std::string>> stringArray(const json &body, const char *key)
{
    const auto it = body.find(key);
    if (it == body.end() || !it->is_array()) {
        return fail(ErrorCode::InvalidArgument, std::string{key} + " must be an array of strings");
    }
    std::vector<std::string> values;
    for (const auto &value : *it) {
        if (!value.is_string()) {
            return fail(ErrorCode::InvalidArgument,
                        std::string{key} + " must be an array of strings");
        }
        values.push_back(value.get<std::string>());
    }
    return values;
}

json userJson(const User &user, const std::optional<Organization> &organization)
{
    json body{{"id", user.id},
              {"login", user.login.empty() ? json(nullptr) : json(user.login)},
              {"display_name", user.displayName},
              {"email", user.email},
              {"disabled", user.disabled},
              {"organization", nullptr}};
    if (organization) {
        body["organization"] = {
            {"id", organization->id}, {"slug", organization->slug}, {"name", organization->name}};
    }
    return body;
}

json roleJson(const Role &role)
{
    return {{"name", role.name},
            {"description", role.description},
            {"permissions", role.permissions},
            {"built_in", role.builtIn}};
}

// The scope of a grant in the API: {"scope": "global"} or {"scope": "organization",
// "organization": "<slug>"} or {"scope": "project", "project": "<id>"}.
Result<json> scopeJson(const Context &c, const Scope &scope)
{
    json body{{"scope", scopeKindName(scope.kind)}};
    if (scope.kind == ScopeKind::Organization) {
        auto org = c.identity().findOrganization(scope.id);
        if (!org && org.error().code != ErrorCode::NotFound) {
            return fail(std::move(org).error());
        }
        body["organization"] = org ? json(org->slug) : json(scope.id);
    } else if (scope.kind == ScopeKind::Project) {
        body["project"] = scope.id;
    }
    return body;
}

Result<RoleGrant> grantFromJson(const Context &c, const json &body)
{
    auto role = stringMember(body, "role");
    auto kindText = stringMember(body, "scope");
    if (!role || !kindText) {
        return fail(!role ? role.error() : kindText.error());
    }
    const auto kind = parseScopeKind(*kindText);
    if (!kind) {
        return fail(ErrorCode::InvalidArgument,
                    R"(scope must be "global", "organization" or "project")");
    }
    RoleGrant grant{*role, {*kind, {}}};
    if (*kind == ScopeKind::Organization) {
        auto slug = stringMember(body, "organization");
        if (!slug) {
            return fail(std::move(slug).error());
        }
        auto org = c.identity().findOrganizationBySlug(*slug);
        if (!org) {
            return fail(org.error().code == ErrorCode::NotFound
                            ? Error{ErrorCode::InvalidArgument, "no organization \"" + *slug + "\""}
                            : org.error());
        }
        grant.scope.id = org->id;
    } else if (*kind == ScopeKind::Project) {
        auto project = stringMember(body, "project");
        if (!project) {
            return fail(std::move(project).error());
        }
        if (project->empty() || project->size() > 64) {
            return fail(ErrorCode::InvalidArgument, "a project id is 1 to 64 characters");
        }
        grant.scope.id = *project;
    }
    return grant;
}

Result<json> grantsJson(const Context &c, const User &user)
{
    auto grants = c.access().grantsOf(user);
    if (!grants) {
        return fail(std::move(grants).error());
    }
    json items = json::array();
    for (const auto &held : *grants) {
        auto item = scopeJson(c, held.grant.scope);
        if (!item) {
            return fail(std::move(item).error());
        }
        (*item)["role"] = held.grant.role;
        (*item)["source"] = held.source;
        if (!held.groupId.empty()) {
            (*item)["group"] = held.groupId;
        }
        items.push_back(std::move(*item));
    }
    return items;
}

// The caller holds `permission` somewhere (else 403), and for an object in `scope` (else the
// object answers 404, as a missing one).
Result<Caller> requireFor(const Context &c, const Request &request, std::string_view permission,
                          const std::optional<Scope> &scope)
{
    auto caller = c.routes.guard.requireAnywhere(request, permission);
    if (!caller) {
        return caller;
    }
    if (!scope || !caller->authorization.allows(permission, *scope)) {
        return fail(ErrorCode::NotFound, std::string{notFound});
    }
    return caller;
}

// The scope a user belongs to: their organization, or global for the vendor's staff.
Scope scopeOfUser(const User &user)
{
    return user.organizationId.empty() ? Scope::global() : Scope::organization(user.organizationId);
}

// Wraps a handler: failures of the check become 401 (with WWW-Authenticate) or 403 responses.
Handler checked(std::function<Result<Response>(Request &)> handler)
{
    return [handler = std::move(handler)](Request &request) -> Result<Response> {
        auto response = handler(request);
        if (!response && (response.error().code == ErrorCode::Unauthenticated ||
                          response.error().code == ErrorCode::PermissionDenied)) {
            return deniedResponse(response.error(), request);
        }
        return response;
    };
}

// The user named in the path, visible to a caller holding `permission` in the user's scope.
Result<std::pair<Caller, User>> visibleUser(const Context &c, const Request &request,
                                            std::string_view permission)
{
    auto caller = c.routes.guard.requireAnywhere(request, permission);
    if (!caller) {
        return fail(std::move(caller).error());
    }
    auto user = c.identity().findUser(param(request, "user"));
    if (!user) {
        return fail(user.error().code == ErrorCode::NotFound
                        ? Error{ErrorCode::NotFound, std::string{notFound}}
                        : user.error());
    }
    if (!caller->authorization.allows(permission, scopeOfUser(*user))) {
        return fail(ErrorCode::NotFound, std::string{notFound});
    }
    return std::pair{std::move(caller).value(), std::move(user).value()};
}

// Nobody hands out a permission they do not hold in that scope themselves: not through a grant,
// a group's grants, a role's definition or a service token's scopes.
Result<void> holdsAll(const Caller &caller, const std::vector<std::string> &permissions,
                      const Scope &scope, std::string_view what)
{
    for (const auto &p : permissions) {
        // An unknown name is the module's to refuse (400), not a permission held or not.
        if (isPermission(p) && !caller.authorization.allows(p, scope)) {
            return fail(ErrorCode::PermissionDenied,
                        std::string{what} + " carries " + p + ", which you do not hold there");
        }
    }
    return {};
}

Result<void> holdsRole(const Context &c, const Caller &caller, const RoleGrant &grant)
{
    auto role = c.access().findRole(grant.role);
    if (!role) {
        return fail(std::move(role).error());
    }
    return holdsAll(caller, role->permissions, grant.scope, "the role " + role->name);
}

// May the caller give or take `grant` of `user`? users.manage globally may do anything; within
// an organization, org.users.manage there for a member of it, and only roles whose permissions
// the caller holds there too (no one grants more than they have).
Result<void> mayChangeGrant(const Context &c, const Caller &caller, const User &user,
                            const RoleGrant &grant)
{
    if (!caller.authorization.allowsGlobally(permission::usersManage) &&
        (grant.scope.kind != ScopeKind::Organization || user.organizationId != grant.scope.id ||
         !caller.authorization.allows(permission::orgUsersManage, grant.scope))) {
        return fail(ErrorCode::PermissionDenied,
                    "you may change roles only within your organization, for its members");
    }
    return holdsRole(c, caller, grant);
}

json tokenJson(const ServiceToken &token)
{
    const auto orNull = [](std::int64_t t) { return t == 0 ? json(nullptr) : json(t); };
    return {{"id", token.id},
            {"name", token.name},
            {"scopes", token.scopes},
            {"created_at", token.createdAt},
            {"expires_at", token.expiresAt},
            {"revoked_at", orNull(token.revokedAt)},
            {"last_used_at", orNull(token.lastUsedAt)}};
}

json accountJson(const ServiceAccount &account)
{
    return {{"id", account.id},
            {"name", account.name},
            {"description", account.description},
            {"disabled", account.disabled},
            {"created_at", account.createdAt}};
}

Response noStore(Response response)
{
    response.headers.set("Cache-Control", "no-store");
    return response;
}

// One page of `values`, each made JSON by `toItem`: with a strong ETag when `cacheable`, and
// `no-store` otherwise (lists of people and credentials).
template <class T, class ToItem>
Result<Response> pageOf(const Request &request, const std::vector<T> &values, ToItem toItem,
                        bool cacheable)
{
    std::vector<json> items;
    items.reserve(values.size());
    for (const auto &value : values) {
        items.push_back(toItem(value));
    }
    auto body = page(request, items);
    if (!body) {
        return fail(std::move(body).error());
    }
    return cacheable ? jsonWithETag(request, *body) : noStore(Response::json(200, *body));
}

Response noContent()
{
    Response response;
    response.status = 204;
    return response;
}

} // namespace

void addAccessRoutes(Router &router, AccessRoutesContext context)
{
    auto c = std::make_shared<Context>(Context{std::move(context)});

    // ---- internal read API ----

    router.add(
        "GET", "/api/v1/serials/{serial}", checked([c](Request &request) -> Result<Response> {
            auto caller =
                c->routes.guard.require(request, permission::serialsValidate, Scope::global());
            if (!caller) {
                return fail(std::move(caller).error());
            }
            const std::string serial{param(request, "serial")};
            if (serial.size() > maxSerial) {
                return fail(ErrorCode::InvalidArgument,
                            "a serial number is at most 128 characters");
            }
            json body{{"serial", serial}};
            auto status = c->routes.licensing.checkSerial(serial, c->routes.now());
            if (!status) {
                if (status.error().code != ErrorCode::NotFound) {
                    return fail(std::move(status).error());
                }
                body["status"] = "unknown";
                return noStore(Response::json(200, body));
            }
            auto product = c->routes.catalog.productById(status->license.productId);
            auto org = c->identity().findOrganization(status->license.organizationId);
            if (!product || !org) {
                return fail(!product ? product.error() : org.error());
            }
            const License license = status->license.toApi(product->slug, org->slug);
            body["status"] = status->inForce ? "valid" : "expired";
            body["product"] = {{"slug", product->slug}, {"name", product->name}};
            body["organization"] = {{"slug", org->slug}, {"name", org->name}};
            body["seats"] = license.seats;
            body["expires_at"] = license.expiresAt ? json(*license.expiresAt) : json(nullptr);
            body["maintenance_end"] =
                license.maintenanceEnd ? json(*license.maintenanceEnd) : json(nullptr);
            return noStore(Response::json(200, body));
        }));

    router.add(
        "GET", "/api/v1/catalog/products", checked([c](Request &request) -> Result<Response> {
            auto caller =
                c->routes.guard.require(request, permission::catalogRead, Scope::global());
            if (!caller) {
                return fail(std::move(caller).error());
            }
            auto products = c->routes.catalog.allProducts();
            if (!products) {
                return fail(std::move(products).error());
            }
            return pageOf(
                request, *products, [&](const auto &product) { return toJson(product); }, true);
        }));

    // The organization named in the path, in the scope the caller must hold `permission` for.
    const auto organizationFor =
        [c](const Request &request,
            std::string_view permission) -> Result<std::pair<Caller, Organization>> {
        auto org = c->identity().findOrganizationBySlug(param(request, "organization"));
        if (!org && org.error().code != ErrorCode::NotFound) {
            return fail(std::move(org).error());
        }
        auto caller = requireFor(*c, request, permission,
                                 org ? std::optional{Scope::organization(org->id)} : std::nullopt);
        if (!caller) {
            return fail(std::move(caller).error());
        }
        return std::pair{std::move(caller).value(), std::move(org).value()};
    };

    router.add("GET", "/api/v1/organizations/{organization}/licenses",
               checked([c, organizationFor](Request &request) -> Result<Response> {
                   auto found = organizationFor(request, permission::licensesRead);
                   if (!found) {
                       return fail(std::move(found).error());
                   }
                   const auto &org = found->second;
                   auto licenses = c->routes.catalog.licenses(org.id, org.slug);
                   if (!licenses) {
                       return fail(std::move(licenses).error());
                   }
                   return pageOf(
                       request, *licenses, [&](const auto &license) { return toJson(license); },
                       true);
               }));

    // ---- people and roles ----

    router.add("GET", "/api/v1/organizations/{organization}/users",
               checked([c, organizationFor](Request &request) -> Result<Response> {
                   auto found = organizationFor(request, permission::usersRead);
                   if (!found) {
                       return fail(std::move(found).error());
                   }
                   auto users = c->identity().usersOf(found->second.id);
                   if (!users) {
                       return fail(std::move(users).error());
                   }
                   return pageOf(
                       request, *users,
                       [&](const auto &user) { return userJson(user, found->second); }, false);
               }));

    const auto userBody = [c](const User &user) -> Result<json> {
        std::optional<Organization> org;
        if (!user.organizationId.empty()) {
            auto found = c->identity().findOrganization(user.organizationId);
            if (!found) {
                return fail(std::move(found).error());
            }
            org = std::move(found).value();
        }
        auto body = userJson(user, org);
        auto grants = grantsJson(*c, user);
        if (!grants) {
            return fail(std::move(grants).error());
        }
        body["grants"] = std::move(*grants);
        return body;
    };

    router.add("GET", "/api/v1/users/{user}",
               checked([c, userBody](Request &request) -> Result<Response> {
                   auto found = visibleUser(*c, request, permission::usersRead);
                   if (!found) {
                       return fail(std::move(found).error());
                   }
                   auto body = userBody(found->second);
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   return noStore(Response::json(200, *body));
               }));

    router.add("GET", "/api/v1/users/{user}/grants",
               checked([c](Request &request) -> Result<Response> {
                   auto found = visibleUser(*c, request, permission::usersRead);
                   if (!found) {
                       return fail(std::move(found).error());
                   }
                   auto grants = grantsJson(*c, found->second);
                   if (!grants) {
                       return fail(std::move(grants).error());
                   }
                   return noStore(Response::json(200, {{"items", std::move(*grants)}}));
               }));

    // A grant from the body (POST) or the query (DELETE), checked against what the caller may
    // change for the user.
    const auto changeGrant = [c](Request &request, bool give) -> Result<Response> {
        auto caller = c->routes.guard.authenticate(request);
        if (!caller) {
            return fail(std::move(caller).error());
        }
        const bool mayAnywhere = caller->authorization.allowsGlobally(permission::usersManage) ||
                                 caller->authorization.allowsAnywhere(permission::orgUsersManage);
        if (!mayAnywhere) {
            return fail(deniedError(permission::orgUsersManage));
        }
        auto user = c->identity().findUser(param(request, "user"));
        if (!user) {
            return fail(user.error().code == ErrorCode::NotFound
                            ? Error{ErrorCode::NotFound, std::string{notFound}}
                            : user.error());
        }
        if (!caller->authorization.allowsGlobally(permission::usersManage) &&
            !caller->authorization.allows(permission::orgUsersManage, scopeOfUser(*user))) {
            return fail(ErrorCode::NotFound, std::string{notFound});
        }
        json input;
        if (give) {
            auto body = jsonBody(request);
            if (!body) {
                return fail(std::move(body).error());
            }
            input = std::move(*body);
        } else {
            for (const char *key : {"role", "scope", "organization", "project"}) {
                if (const auto value = request.queryValue(key)) {
                    input[key] = std::string{*value};
                }
            }
        }
        auto grant = grantFromJson(*c, input);
        if (!grant) {
            return fail(std::move(grant).error());
        }
        if (auto allowed = mayChangeGrant(*c, *caller, *user, *grant); !allowed) {
            return fail(std::move(allowed).error());
        }
        auto changed =
            give ? c->access().grant(user->id, *grant) : c->access().revoke(user->id, *grant);
        if (!changed) {
            return fail(std::move(changed).error());
        }
        if (!give) {
            return noContent();
        }
        auto grants = grantsJson(*c, *user);
        if (!grants) {
            return fail(std::move(grants).error());
        }
        return noStore(Response::json(201, {{"items", std::move(*grants)}}));
    };
    router.add("POST", "/api/v1/users/{user}/grants",
               checked([changeGrant](Request &request) { return changeGrant(request, true); }));
    router.add("DELETE", "/api/v1/users/{user}/grants",
               checked([changeGrant](Request &request) { return changeGrant(request, false); }));

    const auto setDisabled = [c, userBody](Request &request, bool disable) -> Result<Response> {
        auto caller = c->routes.guard.authenticate(request);
        if (!caller) {
            return fail(std::move(caller).error());
        }
        if (!caller->authorization.allowsGlobally(permission::usersManage) &&
            !caller->authorization.allowsAnywhere(permission::orgUsersManage)) {
            return fail(deniedError(permission::orgUsersManage));
        }
        auto user = c->identity().findUser(param(request, "user"));
        if (!user) {
            return fail(user.error().code == ErrorCode::NotFound
                            ? Error{ErrorCode::NotFound, std::string{notFound}}
                            : user.error());
        }
        const bool inScope =
            caller->authorization.allowsGlobally(permission::usersManage) ||
            (!user->organizationId.empty() &&
             caller->authorization.allows(permission::orgUsersManage,
                                          Scope::organization(user->organizationId)));
        if (!inScope) {
            return fail(ErrorCode::NotFound, std::string{notFound});
        }
        if (!caller->authorization.allowsGlobally(permission::usersManage)) {
            // An organization's admin acts on its members only as far as they are members: not
            // on someone who also holds grants elsewhere (vendor staff, another organization).
            auto grants = c->access().grantsOf(*user);
            if (!grants) {
                return fail(std::move(grants).error());
            }
            const Scope own = Scope::organization(user->organizationId);
            for (const auto &held : *grants) {
                if (!(held.grant.scope == own)) {
                    return fail(ErrorCode::PermissionDenied,
                                "this user holds roles beyond your organization: ask an "
                                "administrator");
                }
            }
        }
        if (caller->user && caller->user->id == user->id) {
            return fail(ErrorCode::Conflict, "you cannot disable or enable your own account");
        }
        auto changed = disable ? c->routes.guard.auth().disableUser(user->id)
                               : c->identity().enableUser(user->id);
        if (!changed) {
            return fail(std::move(changed).error());
        }
        auto updated = c->identity().findUser(user->id);
        if (!updated) {
            return fail(std::move(updated).error());
        }
        auto body = userBody(*updated);
        if (!body) {
            return fail(std::move(body).error());
        }
        return noStore(Response::json(200, *body));
    };
    router.add("POST", "/api/v1/users/{user}/disable",
               checked([setDisabled](Request &request) { return setDisabled(request, true); }));
    router.add("POST", "/api/v1/users/{user}/enable",
               checked([setDisabled](Request &request) { return setDisabled(request, false); }));

    router.add("GET", "/api/v1/roles", checked([c](Request &request) -> Result<Response> {
                   auto caller =
                       c->routes.guard.requireAnywhere(request, permission::orgUsersManage);
                   if (!caller) {
                       return fail(std::move(caller).error());
                   }
                   auto roles = c->access().roles();
                   if (!roles) {
                       return fail(std::move(roles).error());
                   }
                   json items = json::array();
                   for (const auto &role : *roles) {
                       items.push_back(roleJson(role));
                   }
                   return jsonWithETag(
                       request, {{"items", std::move(items)}, {"permissions", allPermissions()}});
               }));

    router.add("POST", "/api/v1/roles", checked([c](Request &request) -> Result<Response> {
                   auto caller =
                       c->routes.guard.require(request, permission::rolesManage, Scope::global());
                   if (!caller) {
                       return fail(std::move(caller).error());
                   }
                   auto body = jsonBody(request);
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   auto name = stringMember(*body, "name");
                   auto description = stringMember(*body, "description", false);
                   auto permissions = stringArray(*body, "permissions");
                   if (!name || !description || !permissions) {
                       return fail(!name          ? name.error()
                                   : !description ? description.error()
                                                  : permissions.error());
                   }
                   if (auto held = holdsAll(*caller, *permissions, Scope::global(), "the role");
                       !held) {
                       return fail(std::move(held).error());
                   }
                   auto role = c->access().createRole({*name, *description, *permissions, false});
                   if (!role) {
                       return fail(std::move(role).error());
                   }
                   auto response = Response::json(201, roleJson(*role));
                   response.headers.set("Location", "/api/v1/roles/" + role->name);
                   return response;
               }));

    router.add(
        "PUT", "/api/v1/roles/{role}", checked([c](Request &request) -> Result<Response> {
            auto caller =
                c->routes.guard.require(request, permission::rolesManage, Scope::global());
            if (!caller) {
                return fail(std::move(caller).error());
            }
            auto body = jsonBody(request);
            if (!body) {
                return fail(std::move(body).error());
            }
            auto description = stringMember(*body, "description", false);
            auto permissions = stringArray(*body, "permissions");
            if (!description || !permissions) {
                return fail(!description ? description.error() : permissions.error());
            }
            if (auto held = holdsAll(*caller, *permissions, Scope::global(), "the role"); !held) {
                return fail(std::move(held).error());
            }
            auto role = c->access().updateRole(param(request, "role"), *description, *permissions);
            if (!role) {
                if (role.error().code == ErrorCode::FailedPrecondition) {
                    return fail(ErrorCode::Conflict, role.error().message);
                }
                return fail(std::move(role).error());
            }
            return Response::json(200, roleJson(*role));
        }));

    router.add("DELETE", "/api/v1/roles/{role}", checked([c](Request &request) -> Result<Response> {
                   auto caller =
                       c->routes.guard.require(request, permission::rolesManage, Scope::global());
                   if (!caller) {
                       return fail(std::move(caller).error());
                   }
                   auto deleted = c->access().deleteRole(param(request, "role"));
                   if (!deleted) {
                       if (deleted.error().code == ErrorCode::FailedPrecondition) {
                           return fail(ErrorCode::Conflict, deleted.error().message);
                       }
                       return fail(std::move(deleted).error());
                   }
                   return noContent();
               }));

    const auto groupJson = [c](const Group &group) -> Result<json> {
        json grants = json::array();
        for (const auto &grant : group.grants) {
            auto item = scopeJson(*c, grant.scope);
            if (!item) {
                return fail(std::move(item).error());
            }
            (*item)["role"] = grant.role;
            grants.push_back(std::move(*item));
        }
        return json{{"id", group.id},
                    {"display_name", group.displayName},
                    {"external_id", group.externalId},
                    {"members", group.memberIds},
                    {"grants", std::move(grants)}};
    };

    router.add("GET", "/api/v1/groups",
               checked([c, groupJson](Request &request) -> Result<Response> {
                   auto caller =
                       c->routes.guard.require(request, permission::rolesManage, Scope::global());
                   if (!caller) {
                       return fail(std::move(caller).error());
                   }
                   auto groups = c->access().groups();
                   if (!groups) {
                       return fail(std::move(groups).error());
                   }
                   std::vector<json> items;
                   for (const auto &group : *groups) {
                       auto item = groupJson(group);
                       if (!item) {
                           return fail(std::move(item).error());
                       }
                       items.push_back(std::move(*item));
                   }
                   auto body = page(request, items);
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   return noStore(Response::json(200, *body));
               }));

    router.add("PUT", "/api/v1/groups/{group}/grants",
               checked([c, groupJson](Request &request) -> Result<Response> {
                   auto caller =
                       c->routes.guard.require(request, permission::rolesManage, Scope::global());
                   if (!caller) {
                       return fail(std::move(caller).error());
                   }
                   auto body = jsonBody(request);
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   const auto list = body->find("grants");
                   if (list == body->end() || !list->is_array()) {
                       return fail(ErrorCode::InvalidArgument, "grants must be an array");
                   }
                   std::vector<RoleGrant> grants;
                   for (const auto &item : *list) {
                       if (!item.is_object()) {
                           return fail(ErrorCode::InvalidArgument,
                                       "each grant is an object with role and scope");
                       }
                       auto grant = grantFromJson(*c, item);
                       if (!grant) {
                           return fail(std::move(grant).error());
                       }
                       grants.push_back(std::move(*grant));
                   }
                   for (const auto &grant : grants) {
                       if (auto held = holdsRole(*c, *caller, grant); !held) {
                           return fail(std::move(held).error());
                       }
                   }
                   auto set = c->access().setGroupGrants(param(request, "group"), grants);
                   if (!set) {
                       return fail(std::move(set).error());
                   }
                   auto group = c->access().findGroup(param(request, "group"));
                   if (!group) {
                       return fail(std::move(group).error());
                   }
                   auto result = groupJson(*group);
                   if (!result) {
                       return fail(std::move(result).error());
                   }
                   return noStore(Response::json(200, *result));
               }));

    // ---- service accounts ----

    const auto manageServices = [c](const Request &request) {
        return c->routes.guard.require(request, permission::serviceAccountsManage, Scope::global());
    };

    router.add("GET", "/api/v1/service-accounts",
               checked([c, manageServices](Request &request) -> Result<Response> {
                   if (auto caller = manageServices(request); !caller) {
                       return fail(std::move(caller).error());
                   }
                   auto accounts = c->services().accounts();
                   if (!accounts) {
                       return fail(std::move(accounts).error());
                   }
                   return pageOf(
                       request, *accounts,
                       [&](const auto &account) { return accountJson(account); }, false);
               }));

    router.add("POST", "/api/v1/service-accounts",
               checked([c, manageServices](Request &request) -> Result<Response> {
                   if (auto caller = manageServices(request); !caller) {
                       return fail(std::move(caller).error());
                   }
                   auto body = jsonBody(request);
                   if (!body) {
                       return fail(std::move(body).error());
                   }
                   auto name = stringMember(*body, "name");
                   auto description = stringMember(*body, "description", false);
                   if (!name || !description) {
                       return fail(!name ? name.error() : description.error());
                   }
                   auto account = c->services().create(*name, *description);
                   if (!account) {
                       return fail(std::move(account).error());
                   }
                   auto response = noStore(Response::json(201, accountJson(*account)));
                   response.headers.set("Location", "/api/v1/service-accounts/" + account->id);
                   return response;
               }));

    router.add("GET", "/api/v1/service-accounts/{account}/tokens",
               checked([c, manageServices](Request &request) -> Result<Response> {
                   if (auto caller = manageServices(request); !caller) {
                       return fail(std::move(caller).error());
                   }
                   auto tokens = c->services().tokens(param(request, "account"));
                   if (!tokens) {
                       return fail(std::move(tokens).error());
                   }
                   return pageOf(
                       request, *tokens, [&](const auto &token) { return tokenJson(token); },
                       false);
               }));

    router.add(
        "POST", "/api/v1/service-accounts/{account}/tokens",
        checked([c, manageServices](Request &request) -> Result<Response> {
            auto caller = manageServices(request);
            if (!caller) {
                return fail(std::move(caller).error());
            }
            auto body = jsonBody(request);
            if (!body) {
                return fail(std::move(body).error());
            }
            auto name = stringMember(*body, "name");
            auto scopes = stringArray(*body, "scopes");
            if (!name || !scopes) {
                return fail(!name ? name.error() : scopes.error());
            }
            std::int64_t days = ServiceAccounts::defaultTokenLifetime / 86400;
            if (const auto it = body->find("lifetime_days"); it != body->end()) {
                if (!it->is_number_integer()) {
                    return fail(ErrorCode::InvalidArgument, "lifetime_days must be a whole number");
                }
                days = it->get<std::int64_t>();
                if (days < 1 || days > ServiceAccounts::maxTokenLifetime / 86400) {
                    return fail(ErrorCode::InvalidArgument, "lifetime_days is 1 to 366");
                }
            }
            if (auto held = holdsAll(*caller, *scopes, Scope::global(), "the token"); !held) {
                return fail(std::move(held).error());
            }
            auto issued =
                c->services().issueToken(param(request, "account"), *name, *scopes, days * 86400);
            if (!issued) {
                return fail(std::move(issued).error());
            }
            auto result = tokenJson(issued->token);
            result["token"] = issued->secret;
            return noStore(Response::json(201, result));
        }));

    router.add("DELETE", "/api/v1/service-accounts/{account}/tokens/{token}",
               checked([c, manageServices](Request &request) -> Result<Response> {
                   if (auto caller = manageServices(request); !caller) {
                       return fail(std::move(caller).error());
                   }
                   auto revoked = c->services().revokeToken(param(request, "account"),
                                                            param(request, "token"));
                   if (!revoked) {
                       return fail(std::move(revoked).error());
                   }
                   return noContent();
               }));
}

} // namespace toolhub::server::http
