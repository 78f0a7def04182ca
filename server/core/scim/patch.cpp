#include "core/scim/patch.h"

#include <algorithm>

namespace toolhub::server::scim {

namespace {

constexpr std::size_t maxOperations = 1000;

Failure<ScimError> invalidPath(std::string detail)
{
    return scimFail(400, "invalidPath", std::move(detail));
}

bool sameElement(const nlohmann::json &a, const nlohmann::json &b)
{
    const auto *aValue = member(a, "value");
    const auto *bValue = member(b, "value");
    if (aValue != nullptr && bValue != nullptr) {
        return *aValue == *bValue;
    }
    return a == b;
}

void eraseMember(nlohmann::json &object, std::string_view name)
{
    if (!object.is_object()) {
        return;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (sameName(it.key(), name)) {
            object.erase(it);
            return;
        }
    }
}

// Sets `name` in `object` per add or replace (see applyPatch()).
void setMember(nlohmann::json &object, std::string_view name, const nlohmann::json &value,
               PatchOp op)
{
    auto *existing = member(object, name);
    if (existing == nullptr) {
        object[std::string{name}] = value;
        return;
    }
    if (existing->is_null()) {
        *existing = value;
        return;
    }
    if (existing->is_array() || value.is_array()) {
        const nlohmann::json values = value.is_array() ? value : nlohmann::json::array({value});
        if (op == PatchOp::Replace) {
            *existing = values;
            return;
        }
        if (!existing->is_array()) {
            *existing = nlohmann::json::array({*existing});
        }
        for (const auto &element : values) {
            const bool present =
                std::any_of(existing->begin(), existing->end(),
                            [&](const nlohmann::json &have) { return sameElement(have, element); });
            if (!present) {
                existing->push_back(element);
            }
        }
        return;
    }
    if (existing->is_object() && value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            setMember(*existing, it.key(), it.value(), op);
        }
        return;
    }
    *existing = value;
}

// An element to create when a value filter `attr eq <value>` selects nothing.
std::optional<nlohmann::json> elementFor(const Filter &filter)
{
    if (filter.kind != Filter::Kind::Compare || filter.op != CompareOp::Eq ||
        filter.value.is_null() || !filter.path.subAttribute.empty() ||
        !filter.path.schema.empty()) {
        return std::nullopt;
    }
    return nlohmann::json{{filter.path.attribute, filter.value}};
}

ScimResult<void> applyOne(nlohmann::json &resource, PatchOp op, const PatchPath &path,
                          const nlohmann::json &value)
{
    auto *base = attributeBase(resource, path.attribute, op != PatchOp::Remove);
    if (base == nullptr) {
        return {};
    }
    const std::string &name = path.attribute.attribute;
    if (!path.filter) {
        if (!path.attribute.subAttribute.empty()) {
            auto *complex = member(*base, name);
            if (op == PatchOp::Remove) {
                if (complex != nullptr) {
                    eraseMember(*complex, path.attribute.subAttribute);
                }
                return {};
            }
            if (complex == nullptr) {
                (*base)[name] = nlohmann::json::object();
                complex = member(*base, name);
            }
            if (complex->is_array()) {
                return invalidPath("\"" + name +
                                   "\" has several values: select them with a filter, as in " +
                                   name + "[type eq \"work\"]." + path.attribute.subAttribute);
            }
            if (!complex->is_object()) {
                *complex = nlohmann::json::object();
            }
            setMember(*complex, path.attribute.subAttribute, value, op);
            return {};
        }
        if (op == PatchOp::Remove) {
            auto *existing = member(*base, name);
            if (existing != nullptr && existing->is_array() && !value.is_null()) {
                const nlohmann::json values =
                    value.is_array() ? value : nlohmann::json::array({value});
                auto &elements = *existing;
                elements.erase(std::remove_if(elements.begin(), elements.end(),
                                              [&](const nlohmann::json &element) {
                                                  return std::any_of(
                                                      values.begin(), values.end(),
                                                      [&](const nlohmann::json &gone) {
                                                          return sameElement(element, gone);
                                                      });
                                              }),
                               elements.end());
            } else {
                eraseMember(*base, name);
            }
            return {};
        }
        setMember(*base, name, value, op);
        return {};
    }

    auto *target = member(*base, name);
    if (op == PatchOp::Remove) {
        if (target == nullptr || !target->is_array()) {
            return {};
        }
        auto &elements = *target;
        if (path.subAttribute.empty()) {
            elements.erase(std::remove_if(elements.begin(), elements.end(),
                                          [&](const nlohmann::json &element) {
                                              return matches(*path.filter, element);
                                          }),
                           elements.end());
        } else {
            for (auto &element : elements) {
                if (matches(*path.filter, element)) {
                    eraseMember(element, path.subAttribute);
                }
            }
        }
        return {};
    }
    if (target == nullptr || target->is_null()) {
        (*base)[name] = nlohmann::json::array();
        target = member(*base, name);
    }
    if (!target->is_array()) {
        return invalidPath("\"" + name + "\" has a single value: it takes no filter");
    }
    bool matched = std::any_of(target->begin(), target->end(), [&](const nlohmann::json &element) {
        return matches(*path.filter, element);
    });
    if (!matched) {
        auto element = elementFor(*path.filter);
        if (!element) {
            return scimFail(400, "noTarget",
                            "no value of \"" + name + "\" matches the filter of the path");
        }
        target->push_back(std::move(*element));
    }
    for (auto &element : *target) {
        if (!matches(*path.filter, element)) {
            continue;
        }
        if (!path.subAttribute.empty()) {
            if (!element.is_object()) {
                element = nlohmann::json::object();
            }
            setMember(element, path.subAttribute, value, op);
        } else if (op == PatchOp::Replace || !element.is_object() || !value.is_object()) {
            element = value;
        } else {
            for (auto it = value.begin(); it != value.end(); ++it) {
                setMember(element, it.key(), it.value(), op);
            }
        }
    }
    return {};
}

} // namespace

ScimResult<PatchPath> parsePatchPath(std::string_view text)
{
    if (text.empty()) {
        return invalidPath("the path is empty");
    }
    PatchPath path;
    const auto open = text.find('[');
    if (open == std::string_view::npos) {
        auto attribute = parseAttributePath(text, "invalidPath");
        if (!attribute) {
            return fail(std::move(attribute).error());
        }
        path.attribute = std::move(attribute).value();
        return path;
    }
    auto attribute = parseAttributePath(text.substr(0, open), "invalidPath");
    if (!attribute) {
        return fail(std::move(attribute).error());
    }
    if (!attribute->subAttribute.empty()) {
        return invalidPath("\"" + std::string{text} +
                           "\": a value filter follows an attribute, not a sub-attribute");
    }
    path.attribute = std::move(attribute).value();
    std::size_t close = open + 1;
    bool quoted = false;
    for (; close < text.size(); ++close) {
        const char c = text[close];
        if (quoted && c == '\\') {
            ++close;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == ']') {
            break;
        }
    }
    if (close >= text.size()) {
        return invalidPath("\"" + std::string{text} + "\": the value filter has no closing ']'");
    }
    auto filter = parseFilter(text.substr(open + 1, close - open - 1));
    if (!filter) {
        return invalidPath("\"" + std::string{text} + "\": " + filter.error().detail);
    }
    path.filter = std::move(filter).value();
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
        auto sub = rest.front() == '.' ? parseAttributePath(rest.substr(1), "invalidPath")
                                       : ScimResult<AttributePath>(invalidPath(""));
        if (!sub || !sub->schema.empty() || !sub->subAttribute.empty()) {
            return invalidPath("\"" + std::string{text} +
                               "\": after the value filter only \".<sub-attribute>\" may follow");
        }
        path.subAttribute = sub->attribute;
    }
    return path;
}

ScimResult<std::vector<PatchOperation>> parsePatchRequest(const nlohmann::json &body)
{
    if (!body.is_object()) {
        return invalidSyntax("a PATCH body is a JSON object");
    }
    if (const auto *schemas = member(body, "schemas")) {
        const bool named = schemas->is_array() &&
                           std::any_of(schemas->begin(), schemas->end(), [](const auto &schema) {
                               return schema.is_string() &&
                                      sameName(schema.template get<std::string>(), patchOpSchema);
                           });
        if (!named) {
            return invalidSyntax("schemas must contain \"" + std::string{patchOpSchema} + "\"");
        }
    }
    const auto *operations = member(body, "Operations");
    if (operations == nullptr || !operations->is_array() || operations->empty()) {
        return invalidSyntax("Operations must be a non-empty array of operations");
    }
    if (operations->size() > maxOperations) {
        return invalidSyntax("at most " + std::to_string(maxOperations) +
                             " operations are accepted in one request");
    }
    std::vector<PatchOperation> out;
    for (std::size_t i = 0; i < operations->size(); ++i) {
        const auto &item = (*operations)[i];
        const std::string where = "Operations[" + std::to_string(i) + "]";
        if (!item.is_object()) {
            return invalidSyntax(where + " is not an object");
        }
        PatchOperation operation;
        const auto *op = member(item, "op");
        if (op == nullptr || !op->is_string()) {
            return invalidSyntax(where + ": op is required (add, remove or replace)");
        }
        const auto name = op->get<std::string>();
        if (sameName(name, "add")) {
            operation.op = PatchOp::Add;
        } else if (sameName(name, "remove")) {
            operation.op = PatchOp::Remove;
        } else if (sameName(name, "replace")) {
            operation.op = PatchOp::Replace;
        } else {
            return invalidSyntax(where + ": op \"" + name + "\" is not add, remove or replace");
        }
        if (const auto *path = member(item, "path"); path != nullptr && !path->is_null()) {
            if (!path->is_string()) {
                return invalidSyntax(where + ": path must be a string");
            }
            auto parsed = parsePatchPath(path->get<std::string>());
            if (!parsed) {
                auto error = std::move(parsed).error();
                error.detail = where + ": " + error.detail;
                return fail(std::move(error));
            }
            operation.path = std::move(parsed).value();
        }
        if (const auto *value = member(item, "value")) {
            operation.value = *value;
        }
        if (operation.op == PatchOp::Remove && !operation.path) {
            return scimFail(400, "noTarget", where + ": remove needs a path");
        }
        if (operation.op != PatchOp::Remove && !operation.path && !operation.value.is_object()) {
            return invalidSyntax(where + ": without a path, value must be an object of attributes");
        }
        if (operation.op != PatchOp::Remove && member(item, "value") == nullptr) {
            return invalidSyntax(where + ": " + name + " needs a value");
        }
        out.push_back(std::move(operation));
    }
    return out;
}

ScimResult<void> applyPatch(nlohmann::json &resource, const std::vector<PatchOperation> &operations)
{
    for (const auto &operation : operations) {
        if (operation.path) {
            if (auto applied = applyOne(resource, operation.op, *operation.path, operation.value);
                !applied) {
                return applied;
            }
            continue;
        }
        for (auto it = operation.value.begin(); it != operation.value.end(); ++it) {
            auto path = parsePatchPath(it.key());
            if (!path) {
                return fail(std::move(path).error());
            }
            if (auto applied = applyOne(resource, operation.op, *path, it.value()); !applied) {
                return applied;
            }
        }
    }
    return {};
}

} // namespace toolhub::server::scim
