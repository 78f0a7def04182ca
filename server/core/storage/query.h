#pragma once

#include <soci/soci.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace toolhub::server {

// Named string parameters of a query: {"id", value} fills `:id`.
using QueryBinds = std::vector<std::pair<std::string, std::string>>;

// Runs `sql` with `row`'s intos and the named string `binds`, and collects `take(row)` for every
// row it returns. `row` has `void bind(soci::statement &)` exchanging one soci::into per column,
// in the order of the SELECT list; `take` turns the row just fetched into a value.
//
//     struct CountRow {
//         long long count = 0;
//         void bind(soci::statement &statement) { statement.exchange(soci::into(count)); }
//     } row;
//     auto counts = fetchRows(session, "SELECT count(*) FROM t WHERE k = :k", {{"k", key}}, row,
//                             [](CountRow &r) { return r.count; });
template <class Row, class Take>
auto fetchRows(soci::session &session, const std::string &sql, const QueryBinds &binds, Row &row,
               Take take) -> std::vector<std::invoke_result_t<Take &, Row &>>
{
    std::vector<std::invoke_result_t<Take &, Row &>> out;
    soci::statement statement(session);
    row.bind(statement);
    for (const auto &[name, value] : binds) {
        statement.exchange(soci::use(value, name));
    }
    statement.alloc();
    statement.prepare(sql);
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
        out.push_back(take(row));
    }
    return out;
}

} // namespace toolhub::server
