// toolhub-postgresql.so: the PostgreSQL driver behind storage/postgres_driver.h, and the only
// code that links libpq and SOCI's postgresql backend.
#include "core/storage/postgres_driver.h"

#include <soci/postgresql/soci-postgresql.h>

namespace toolhub::server {

namespace {

PGconn *connectionOf(soci::session &session)
{
    auto *backend = static_cast<soci::postgresql_session_backend *>(session.get_backend());
    return backend != nullptr ? backend->conn_ : nullptr;
}

void ignoreNotice(void * /*arg*/, const char * /*message*/)
{}

class LibpqDriver final : public PostgresDriver {
public:
    [[nodiscard]] const soci::backend_factory &backend() const override { return soci::postgresql; }

    void silenceNotices(soci::session &session) const override
    {
        if (PGconn *conn = connectionOf(session)) {
            PQsetNoticeProcessor(conn, &ignoreNotice, nullptr);
        }
    }

    [[nodiscard]] bool connectionBroken(soci::session &session) const override
    {
        PGconn *conn = connectionOf(session);
        return conn == nullptr || PQstatus(conn) != CONNECTION_OK;
    }

    [[nodiscard]] std::optional<std::string> sqlstate(const soci::soci_error &e) const override
    {
        if (const auto *pg = dynamic_cast<const soci::postgresql_soci_error *>(&e)) {
            return pg->sqlstate();
        }
        return std::nullopt;
    }

    [[nodiscard]] Result<void> executeVerbatim(soci::session &session,
                                               const std::string &sql) const override
    {
        PGconn *conn = connectionOf(session); // libpq answers a null one with an error
        PGresult *result = PQexec(conn, sql.c_str());
        const ExecStatusType status = PQresultStatus(result);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
            status == PGRES_EMPTY_QUERY) {
            PQclear(result);
            return {};
        }
        std::string text = result != nullptr ? PQresultErrorMessage(result) : "";
        if (text.empty()) {
            text = PQerrorMessage(conn);
        }
        PQclear(result);
        const ErrorCode code =
            PQstatus(conn) == CONNECTION_OK ? ErrorCode::Internal : ErrorCode::Unavailable;
        return fail(code, std::move(text));
    }
};

} // namespace

} // namespace toolhub::server

extern "C" __attribute__((visibility("default"))) const toolhub::server::PostgresDriver *
toolhub_postgres_driver(int interfaceVersion)
{
    if (interfaceVersion != toolhub::server::PostgresDriver::kInterfaceVersion) {
        return nullptr;
    }
    static const toolhub::server::LibpqDriver driver;
    return &driver;
}
