#include "core/migrations/sql_splitter.h"

#include <algorithm>
#include <cctype>

namespace toolhub::server {

namespace {

bool isIdentStart(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return std::isalpha(u) != 0 || c == '_' || u >= 0x80;
}

bool isIdentChar(char c)
{
    return isIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$';
}

std::string upper(std::string_view word)
{
    std::string out(word);
    for (char &c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string trim(std::string_view text)
{
    const auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

class Splitter {
public:
    explicit Splitter(std::string_view sql) : m_sql(sql) {}

    std::vector<std::string> run()
    {
        while (m_pos < m_sql.size()) {
            const char c = m_sql[m_pos];
            const char next = m_pos + 1 < m_sql.size() ? m_sql[m_pos + 1] : '\0';
            if (c == '-' && next == '-') {
                skipLineComment();
            } else if (c == '/' && next == '*') {
                skipBlockComment();
            } else if (c == '\'') {
                skipQuoted('\'', backslashEscapes());
            } else if (c == '"' || c == '`') {
                skipQuoted(c, false);
            } else if (c == '$' && (m_pos == 0 || !isIdentChar(m_sql[m_pos - 1])) &&
                       skipDollarQuoted()) {
                // consumed
            } else if (isIdentStart(c)) {
                word();
            } else if (c == ';' && m_depth == 0) {
                finish();
                ++m_pos;
                m_start = m_pos;
            } else {
                if (std::isspace(static_cast<unsigned char>(c)) == 0) {
                    markCode();
                }
                ++m_pos;
            }
        }
        finish();
        return std::move(m_statements);
    }

private:
    void finish()
    {
        if (m_hasCode) {
            m_statements.push_back(trim(m_sql.substr(m_start, m_pos - m_start)));
        }
        m_hasCode = false;
        m_words = 0;
        m_create = false;
        m_blocks = false;
        m_depth = 0;
    }

    // Statements start at their first token: leading comments and spaces are left out.
    void markCode()
    {
        if (!m_hasCode) {
            m_start = m_pos;
            m_hasCode = true;
        }
    }

    void skipLineComment()
    {
        const std::size_t end = m_sql.find('\n', m_pos);
        m_pos = end == std::string_view::npos ? m_sql.size() : end + 1;
    }

    void skipBlockComment()
    {
        int nesting = 0;
        while (m_pos < m_sql.size()) {
            if (m_sql.compare(m_pos, 2, "/*") == 0) {
                ++nesting;
                m_pos += 2;
            } else if (m_sql.compare(m_pos, 2, "*/") == 0) {
                m_pos += 2;
                if (--nesting == 0) {
                    return;
                }
            } else {
                ++m_pos;
            }
        }
    }

    // A quote directly after E or e (not part of a longer word) starts an escape string.
    [[nodiscard]] bool backslashEscapes() const
    {
        if (m_pos == 0 || (m_sql[m_pos - 1] != 'E' && m_sql[m_pos - 1] != 'e')) {
            return false;
        }
        return m_pos == 1 || !isIdentChar(m_sql[m_pos - 2]);
    }

    void skipQuoted(char quote, bool backslash)
    {
        markCode();
        ++m_pos;
        while (m_pos < m_sql.size()) {
            const char c = m_sql[m_pos];
            if (backslash && c == '\\') {
                m_pos += 2;
            } else if (c == quote) {
                if (m_pos + 1 < m_sql.size() && m_sql[m_pos + 1] == quote) {
                    m_pos += 2; // doubled quote
                } else {
                    ++m_pos;
                    return;
                }
            } else {
                ++m_pos;
            }
        }
        m_pos = std::min(m_pos, m_sql.size());
    }

    // $tag$ ... $tag$ (tag empty or an identifier not starting with a digit). Returns false
    // when the '$' does not open a dollar quote (e.g. $1).
    bool skipDollarQuoted()
    {
        std::size_t end = m_pos + 1;
        if (end < m_sql.size() && m_sql[end] != '$') {
            if (!isIdentStart(m_sql[end])) {
                return false;
            }
            while (end < m_sql.size() && isIdentChar(m_sql[end]) && m_sql[end] != '$') {
                ++end;
            }
        }
        if (end >= m_sql.size() || m_sql[end] != '$') {
            return false;
        }
        const std::string_view tag = m_sql.substr(m_pos, end - m_pos + 1);
        const std::size_t close = m_sql.find(tag, end + 1);
        markCode();
        m_pos = close == std::string_view::npos ? m_sql.size() : close + tag.size();
        return true;
    }

    void word()
    {
        markCode();
        const std::size_t begin = m_pos;
        while (m_pos < m_sql.size() && isIdentChar(m_sql[m_pos])) {
            ++m_pos;
        }
        const std::string w = upper(m_sql.substr(begin, m_pos - begin));
        if (m_words++ == 0) {
            m_create = w == "CREATE";
            return;
        }
        if (m_create && !m_blocks && (w == "TRIGGER" || w == "FUNCTION" || w == "PROCEDURE")) {
            m_blocks = true;
        } else if (m_blocks && w == "BEGIN") {
            ++m_depth;
        } else if (m_blocks && w == "CASE" && m_depth > 0) {
            ++m_depth;
        } else if (m_blocks && w == "END" && m_depth > 0) {
            --m_depth;
        }
    }

    std::string_view m_sql;
    std::size_t m_pos = 0;
    std::size_t m_start = 0;
    bool m_hasCode = false;
    std::size_t m_words = 0;
    bool m_create = false; // the statement starts with CREATE
    bool m_blocks = false; // ... TRIGGER/FUNCTION/PROCEDURE: BEGIN ... END may hold semicolons
    int m_depth = 0;
    std::vector<std::string> m_statements;
};

} // namespace

std::vector<std::string> splitSqlStatements(std::string_view script)
{
    return Splitter(script).run();
}

} // namespace toolhub::server
