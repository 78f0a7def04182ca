#include "core/instance/instance.h"

#include "core/logging/logger.h"
#include "core/storage/ids.h"

namespace toolhub::server {

Result<std::string> ensureInstanceId(Database &db)
{
    return db.withSession([](soci::session &session) -> Result<std::string> {
        const std::string candidate = newId();
        const std::string createdAt = utcTimestamp();
        session << "INSERT INTO server_instance (id, instance_id, created_at) "
                   "VALUES (1, :instance_id, :created_at) ON CONFLICT (id) DO NOTHING",
            soci::use(candidate), soci::use(createdAt);
        std::string id;
        soci::indicator indicator = soci::i_null;
        session << "SELECT instance_id FROM server_instance WHERE id = 1",
            soci::into(id, indicator);
        if (indicator != soci::i_ok || id.empty()) {
            return fail(ErrorCode::Internal, "server_instance holds no instance id");
        }
        return id;
    });
}

} // namespace toolhub::server
