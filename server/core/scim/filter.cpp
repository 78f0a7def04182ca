#include "core/scim/filter.h"

#include "toolhub/ascii.h"

#include <algorithm>
#include <array>

namespace toolhub::server::scim {

namespace {

constexpr std::size_t maxFilterLength = 4096;
constexpr int maxDepth = 32;

// The schemas whose attributes sit at the top level of a resource.
constexpr std::array<std::string_view, 2> coreSchemas{userSchema, groupSchema};
// Every schema this server knows; longer URNs first so that a prefix never hides one.
constexpr std::array<std::string_view, 3> knownSchemas{enterpriseUserSchema, userSchema,
                                                       groupSchema};

bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && sameName(text.substr(0, prefix.size()), prefix);
}

bool isNameChar(char c, bool first)
{
    return ascii::isAlpha(c) || (!first && (ascii::isDigit(c) || c == '_' || c == '-')) || c == '$';
}

// ATTRNAME = ALPHA *(nameChar), plus "$ref".
bool isAttributeName(std::string_view name)
{
    if (name.empty() || name.size() > 128 || !isNameChar(name.front(), true)) {
        return false;
    }
    return std::all_of(name.begin() + 1, name.end(), [](char c) { return isNameChar(c, false); });
}

bool isCaseExact(const AttributePath &path)
{
    return path.subAttribute.empty() &&
           (sameName(path.attribute, "id") || sameName(path.attribute, "externalId"));
}

struct Token {
    enum class Kind { End, Word, String, LeftParen, RightParen, LeftBracket, RightBracket };
    Kind kind = Kind::End;
    std::string text; // Word: as written; String: decoded
    std::size_t position = 0;
};

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    ScimResult<Filter> parseAll()
    {
        if (m_text.size() > maxFilterLength) {
            return error("the filter is longer than " + std::to_string(maxFilterLength) +
                         " characters");
        }
        auto filter = parseOr(0);
        if (!filter) {
            return filter;
        }
        auto next = peek();
        if (!next) {
            return fail(std::move(next).error());
        }
        if (next->kind != Token::Kind::End) {
            return unexpected(*next, "\"and\", \"or\" or the end of the filter");
        }
        return filter;
    }

private:
    Failure<ScimError> error(std::string detail) const
    {
        return scimFail(400, "invalidFilter", "filter: " + std::move(detail));
    }
    Failure<ScimError> unexpected(const Token &token, std::string_view expected) const
    {
        const std::string found = token.kind == Token::Kind::End
                                      ? std::string{"the end of the filter"}
                                      : "\"" + std::string{describe(token)} + "\"";
        return error("expected " + std::string{expected} + " at position " +
                     std::to_string(token.position + 1) + ", found " + found);
    }
    static std::string describe(const Token &token)
    {
        switch (token.kind) {
        case Token::Kind::LeftParen:
            return "(";
        case Token::Kind::RightParen:
            return ")";
        case Token::Kind::LeftBracket:
            return "[";
        case Token::Kind::RightBracket:
            return "]";
        default:
            return token.text;
        }
    }

    ScimResult<Token> lex()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t')) {
            ++m_pos;
        }
        Token token;
        token.position = m_pos;
        if (m_pos == m_text.size()) {
            return token;
        }
        const char c = m_text[m_pos];
        switch (c) {
        case '(':
            token.kind = Token::Kind::LeftParen;
            ++m_pos;
            return token;
        case ')':
            token.kind = Token::Kind::RightParen;
            ++m_pos;
            return token;
        case '[':
            token.kind = Token::Kind::LeftBracket;
            ++m_pos;
            return token;
        case ']':
            token.kind = Token::Kind::RightBracket;
            ++m_pos;
            return token;
        case '"': {
            std::size_t end = m_pos + 1;
            while (end < m_text.size() && m_text[end] != '"') {
                end += m_text[end] == '\\' ? std::size_t{2} : std::size_t{1};
            }
            if (end >= m_text.size()) {
                return error("the string starting at position " + std::to_string(m_pos + 1) +
                             " has no closing quote");
            }
            const auto literal = m_text.substr(m_pos, end - m_pos + 1);
            const auto decoded = nlohmann::json::parse(literal, nullptr, false);
            if (decoded.is_discarded() || !decoded.is_string()) {
                return error("the string starting at position " + std::to_string(m_pos + 1) +
                             " is not a valid JSON string");
            }
            token.kind = Token::Kind::String;
            token.text = decoded.get<std::string>();
            m_pos = end + 1;
            return token;
        }
        default:
            break;
        }
        std::size_t end = m_pos;
        while (end < m_text.size() &&
               (ascii::isAlnum(m_text[end]) ||
                std::string_view{"_-.:$+"}.find(m_text[end]) != std::string_view::npos)) {
            ++end;
        }
        if (end == m_pos) {
            return error("unexpected character '" + std::string(1, c) + "' at position " +
                         std::to_string(m_pos + 1));
        }
        token.kind = Token::Kind::Word;
        token.text = std::string{m_text.substr(m_pos, end - m_pos)};
        m_pos = end;
        return token;
    }

    ScimResult<Token> peek()
    {
        if (!m_peeked) {
            auto token = lex();
            if (!token) {
                return token;
            }
            m_peeked = std::move(token).value();
        }
        return *m_peeked;
    }

    ScimResult<Token> next()
    {
        auto token = peek();
        m_peeked.reset();
        return token;
    }

    bool isKeyword(const Token &token, std::string_view keyword) const
    {
        return token.kind == Token::Kind::Word && sameName(token.text, keyword);
    }

    ScimResult<Filter> parseOr(int depth)
    {
        auto left = parseAnd(depth);
        if (!left) {
            return left;
        }
        for (;;) {
            auto token = peek();
            if (!token) {
                return fail(std::move(token).error());
            }
            if (!isKeyword(*token, "or")) {
                return left;
            }
            (void)next();
            auto right = parseAnd(depth);
            if (!right) {
                return right;
            }
            Filter both;
            both.kind = Filter::Kind::Or;
            both.operands.push_back(std::move(left).value());
            both.operands.push_back(std::move(right).value());
            left = std::move(both);
        }
    }

    ScimResult<Filter> parseAnd(int depth)
    {
        auto left = parseUnary(depth);
        if (!left) {
            return left;
        }
        for (;;) {
            auto token = peek();
            if (!token) {
                return fail(std::move(token).error());
            }
            if (!isKeyword(*token, "and")) {
                return left;
            }
            (void)next();
            auto right = parseUnary(depth);
            if (!right) {
                return right;
            }
            Filter both;
            both.kind = Filter::Kind::And;
            both.operands.push_back(std::move(left).value());
            both.operands.push_back(std::move(right).value());
            left = std::move(both);
        }
    }

    ScimResult<Filter> parseParenthesized(int depth)
    {
        auto open = next();
        if (!open) {
            return fail(std::move(open).error());
        }
        if (open->kind != Token::Kind::LeftParen) {
            return unexpected(*open, "\"(\"");
        }
        auto inner = parseOr(depth + 1);
        if (!inner) {
            return inner;
        }
        auto close = next();
        if (!close) {
            return fail(std::move(close).error());
        }
        if (close->kind != Token::Kind::RightParen) {
            return unexpected(*close, "\")\"");
        }
        return inner;
    }

    ScimResult<Filter> parseUnary(int depth)
    {
        if (depth > maxDepth) {
            return error("nested more than " + std::to_string(maxDepth) + " levels deep");
        }
        auto token = peek();
        if (!token) {
            return fail(std::move(token).error());
        }
        if (token->kind == Token::Kind::LeftParen) {
            return parseParenthesized(depth);
        }
        if (isKeyword(*token, "not")) {
            (void)next();
            auto inner = parseParenthesized(depth);
            if (!inner) {
                return inner;
            }
            Filter negated;
            negated.kind = Filter::Kind::Not;
            negated.operands.push_back(std::move(inner).value());
            return negated;
        }
        if (token->kind != Token::Kind::Word) {
            return unexpected(*token, "an attribute name, \"not\" or \"(\"");
        }
        (void)next();
        auto path = parseAttributePath(token->text, "invalidFilter");
        if (!path) {
            return fail(std::move(path).error());
        }
        auto op = next();
        if (!op) {
            return fail(std::move(op).error());
        }
        Filter filter;
        filter.path = std::move(path).value();
        if (op->kind == Token::Kind::LeftBracket) {
            if (!filter.path.subAttribute.empty()) {
                return error("a value filter follows an attribute, not a sub-attribute (at "
                             "position " +
                             std::to_string(op->position + 1) + ")");
            }
            auto inner = parseOr(depth + 1);
            if (!inner) {
                return inner;
            }
            auto close = next();
            if (!close) {
                return fail(std::move(close).error());
            }
            if (close->kind != Token::Kind::RightBracket) {
                return unexpected(*close, "\"]\"");
            }
            filter.kind = Filter::Kind::ValuePath;
            filter.operands.push_back(std::move(inner).value());
            return filter;
        }
        if (isKeyword(*op, "pr")) {
            filter.kind = Filter::Kind::Present;
            return filter;
        }
        static constexpr std::array<std::pair<std::string_view, CompareOp>, 9> operators{{
            {"eq", CompareOp::Eq},
            {"ne", CompareOp::Ne},
            {"co", CompareOp::Co},
            {"sw", CompareOp::Sw},
            {"ew", CompareOp::Ew},
            {"gt", CompareOp::Gt},
            {"ge", CompareOp::Ge},
            {"lt", CompareOp::Lt},
            {"le", CompareOp::Le},
        }};
        const auto found = std::find_if(operators.begin(), operators.end(), [&](const auto &entry) {
            return isKeyword(*op, entry.first);
        });
        if (found == operators.end()) {
            return unexpected(*op, "an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or \"[\"");
        }
        filter.kind = Filter::Kind::Compare;
        filter.op = found->second;
        auto value = next();
        if (!value) {
            return fail(std::move(value).error());
        }
        if (value->kind == Token::Kind::String) {
            filter.value = value->text;
        } else if (value->kind == Token::Kind::Word) {
            if (sameName(value->text, "true") || sameName(value->text, "false")) {
                filter.value = sameName(value->text, "true");
            } else if (sameName(value->text, "null")) {
                filter.value = nullptr;
            } else {
                auto number = nlohmann::json::parse(value->text, nullptr, false);
                if (number.is_discarded() || !number.is_number()) {
                    return unexpected(*value, "a quoted string, a number, true, false or null");
                }
                filter.value = std::move(number);
            }
        } else {
            return unexpected(*value, "a quoted string, a number, true, false or null");
        }
        const bool ordering = filter.op == CompareOp::Gt || filter.op == CompareOp::Ge ||
                              filter.op == CompareOp::Lt || filter.op == CompareOp::Le;
        const bool substring =
            filter.op == CompareOp::Co || filter.op == CompareOp::Sw || filter.op == CompareOp::Ew;
        if ((ordering && (filter.value.is_boolean() || filter.value.is_null())) ||
            (substring && !filter.value.is_string())) {
            return error("the operator \"" + op->text + "\" at position " +
                         std::to_string(op->position + 1) + " cannot compare " +
                         filter.value.dump());
        }
        return filter;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::optional<Token> m_peeked;
};

// The values an attribute path reaches in `resource`: each element of a multi-valued attribute
// (its "value" sub-attribute when the elements are complex and no sub-attribute is named).
std::vector<const nlohmann::json *> valuesAt(const nlohmann::json &resource,
                                             const AttributePath &path)
{
    std::vector<const nlohmann::json *> out;
    const auto *base = attributeBase(resource, path);
    if (base == nullptr) {
        return out;
    }
    const auto *attribute = member(*base, path.attribute);
    if (attribute == nullptr) {
        return out;
    }
    const auto take = [&](const nlohmann::json &value) {
        if (!path.subAttribute.empty()) {
            if (const auto *sub = member(value, path.subAttribute)) {
                out.push_back(sub);
            }
        } else if (value.is_object()) {
            if (const auto *sub = member(value, "value")) {
                out.push_back(sub);
            }
        } else {
            out.push_back(&value);
        }
    };
    if (attribute->is_array()) {
        for (const auto &element : *attribute) {
            take(element);
        }
    } else if (!path.subAttribute.empty() || !attribute->is_object()) {
        take(*attribute);
    }
    return out;
}

bool compare(const nlohmann::json &actual, CompareOp op, const nlohmann::json &expected,
             bool caseExact)
{
    if (expected.is_null()) {
        // "eq null": no value; handled by the caller through presence.
        return false;
    }
    if (actual.is_string() && expected.is_string()) {
        std::string a = actual.get<std::string>();
        std::string b = expected.get<std::string>();
        if (!caseExact) {
            a = ascii::toLower(a);
            b = ascii::toLower(b);
        }
        switch (op) {
        case CompareOp::Eq:
            return a == b;
        case CompareOp::Ne:
            return a != b;
        case CompareOp::Co:
            return a.find(b) != std::string::npos;
        case CompareOp::Sw:
            return a.starts_with(b);
        case CompareOp::Ew:
            return a.ends_with(b);
        case CompareOp::Gt:
            return a > b;
        case CompareOp::Ge:
            return a >= b;
        case CompareOp::Lt:
            return a < b;
        case CompareOp::Le:
            return a <= b;
        }
        return false;
    }
    if (actual.is_number() && expected.is_number()) {
        const double a = actual.get<double>();
        const double b = expected.get<double>();
        switch (op) {
        case CompareOp::Eq:
            return a == b;
        case CompareOp::Ne:
            return a != b;
        case CompareOp::Gt:
            return a > b;
        case CompareOp::Ge:
            return a >= b;
        case CompareOp::Lt:
            return a < b;
        case CompareOp::Le:
            return a <= b;
        default:
            return false;
        }
    }
    if (actual.is_boolean() && expected.is_boolean()) {
        if (op == CompareOp::Eq) {
            return actual == expected;
        }
        if (op == CompareOp::Ne) {
            return actual != expected;
        }
    }
    // Values of different types never compare equal.
    return op == CompareOp::Ne;
}

bool isPresent(const nlohmann::json &value)
{
    return !value.is_null() &&
           !(value.is_string() && value.get_ref<const std::string &>().empty()) &&
           !((value.is_array() || value.is_object()) && value.empty());
}

} // namespace

ScimResult<AttributePath> parseAttributePath(std::string_view text, std::string_view scimType)
{
    const auto bad = [&](std::string detail) -> Failure<ScimError> {
        return scimFail(400, std::string{scimType},
                        "\"" + std::string{text} + "\" is not an attribute path: " + detail);
    };
    AttributePath path;
    std::string_view rest = text;
    if (startsWithNoCase(text, "urn:")) {
        const auto known = std::find_if(knownSchemas.begin(), knownSchemas.end(), [&](auto urn) {
            return startsWithNoCase(text, urn) &&
                   (text.size() == urn.size() || text[urn.size()] == ':');
        });
        if (known != knownSchemas.end() && text.size() == known->size()) {
            // The whole extension, e.g. in a PATCH value without a path.
            path.attribute = std::string{*known};
            return path;
        }
        std::size_t split = 0;
        if (known != knownSchemas.end()) {
            split = known->size();
        } else {
            split = text.rfind(':');
        }
        path.schema = std::string{text.substr(0, split)};
        rest = text.substr(split + 1);
    }
    const auto dot = rest.find('.');
    path.attribute = std::string{rest.substr(0, dot)};
    if (dot != std::string_view::npos) {
        path.subAttribute = std::string{rest.substr(dot + 1)};
        if (!isAttributeName(path.subAttribute)) {
            return bad("a sub-attribute is a name of letters, digits, '_' and '-'");
        }
    }
    if (!isAttributeName(path.attribute)) {
        return bad("an attribute is a name of letters, digits, '_' and '-' starting with a "
                   "letter");
    }
    return path;
}

const nlohmann::json *attributeBase(const nlohmann::json &resource, const AttributePath &path)
{
    if (path.schema.empty() || std::any_of(coreSchemas.begin(), coreSchemas.end(),
                                           [&](auto urn) { return sameName(path.schema, urn); })) {
        return &resource;
    }
    return member(resource, path.schema);
}

nlohmann::json *attributeBase(nlohmann::json &resource, const AttributePath &path, bool create)
{
    if (auto *base = const_cast<nlohmann::json *>(attributeBase(std::as_const(resource), path))) {
        return base;
    }
    if (!create || !resource.is_object()) {
        return nullptr;
    }
    // Extensions are keyed by their URN in its registered spelling when this server knows it.
    std::string key = path.schema;
    for (const auto urn : knownSchemas) {
        if (sameName(urn, key)) {
            key = std::string{urn};
        }
    }
    auto &extension = resource[key];
    extension = nlohmann::json::object();
    return &extension;
}

ScimResult<Filter> parseFilter(std::string_view text)
{
    return Parser{text}.parseAll();
}

bool matches(const Filter &filter, const nlohmann::json &resource)
{
    switch (filter.kind) {
    case Filter::Kind::And:
        return matches(filter.operands[0], resource) && matches(filter.operands[1], resource);
    case Filter::Kind::Or:
        return matches(filter.operands[0], resource) || matches(filter.operands[1], resource);
    case Filter::Kind::Not:
        return !matches(filter.operands[0], resource);
    case Filter::Kind::Present: {
        const auto values = valuesAt(resource, filter.path);
        return std::any_of(values.begin(), values.end(),
                           [](const nlohmann::json *value) { return isPresent(*value); });
    }
    case Filter::Kind::ValuePath: {
        const auto *base = attributeBase(resource, filter.path);
        const auto *attribute = base != nullptr ? member(*base, filter.path.attribute) : nullptr;
        if (attribute == nullptr) {
            return false;
        }
        if (attribute->is_array()) {
            return std::any_of(attribute->begin(), attribute->end(), [&](const auto &element) {
                return matches(filter.operands[0], element);
            });
        }
        return matches(filter.operands[0], *attribute);
    }
    case Filter::Kind::Compare: {
        const auto values = valuesAt(resource, filter.path);
        const bool present =
            std::any_of(values.begin(), values.end(),
                        [](const nlohmann::json *value) { return isPresent(*value); });
        if (filter.value.is_null()) {
            return filter.op == CompareOp::Eq ? !present : filter.op == CompareOp::Ne && present;
        }
        if (filter.op == CompareOp::Ne) {
            return std::none_of(values.begin(), values.end(), [&](const nlohmann::json *value) {
                return compare(*value, CompareOp::Eq, filter.value, isCaseExact(filter.path));
            });
        }
        return std::any_of(values.begin(), values.end(), [&](const nlohmann::json *value) {
            return compare(*value, filter.op, filter.value, isCaseExact(filter.path));
        });
    }
    }
    return false;
}

std::optional<std::string> equalityValue(const Filter &filter, std::string_view attribute)
{
    if (filter.kind != Filter::Kind::Compare || filter.op != CompareOp::Eq ||
        !filter.value.is_string() || !filter.path.subAttribute.empty() ||
        !sameName(filter.path.attribute, attribute)) {
        return std::nullopt;
    }
    if (!filter.path.schema.empty() &&
        std::none_of(coreSchemas.begin(), coreSchemas.end(),
                     [&](auto urn) { return sameName(filter.path.schema, urn); })) {
        return std::nullopt;
    }
    return filter.value.get<std::string>();
}

} // namespace toolhub::server::scim
