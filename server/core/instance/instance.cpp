#include "core/instance/instance.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <random>

namespace toolhub::server {

namespace {

std::string randomHexId()
{
    static constexpr std::string_view digits = "0123456789abcdef";
    std::random_device device;
    std::string id;
    for (int i = 0; i < 4; ++i) {
        std::uint32_t word = device();
        for (int j = 0; j < 8; ++j) {
            id.push_back(digits[word & 0xFU]);
            word >>= 4U;
        }
    }
    return id;
}

std::string utcNow()
{
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::array<char, 32> text{};
    const std::size_t size = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(text.data(), size);
}

} // namespace

Result<std::string> ensureInstanceId(Database &db)
{
    return db.withSession([](soci::session &session) -> Result<std::string> {
        const std::string candidate = randomHexId();
        const std::string createdAt = utcNow();
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
