#include "web/assets.h"

#include "toolhub/sha256.h"

#include <algorithm>
#include <utility>

namespace toolhub::server::web {

namespace detail {
// Generated from the files listed in server/web/CMakeLists.txt (cmake/EmbedFiles.cmake).
std::vector<std::pair<std::string_view, std::string_view>> embeddedWebAssetFiles();
} // namespace detail

namespace {

constexpr std::size_t hashLengthInPath = 16; // 64 bits of the SHA-256

std::string contentTypeOf(std::string_view name)
{
    if (name.ends_with(".css")) {
        return "text/css; charset=utf-8";
    }
    if (name.ends_with(".js")) {
        return "text/javascript; charset=utf-8";
    }
    return "application/octet-stream";
}

// "bootstrap.min.css" -> "/assets/bootstrap.min.<hash>.css"
std::string hashedPath(std::string_view name, std::string_view sha256)
{
    const auto dot = name.rfind('.');
    const auto stem = name.substr(0, dot);
    const auto extension = dot == std::string_view::npos ? std::string_view{} : name.substr(dot);
    return "/assets/" + std::string{stem} + "." + std::string{sha256.substr(0, hashLengthInPath)} +
           std::string{extension};
}

} // namespace

std::vector<Asset> bundledAssets()
{
    std::vector<Asset> assets;
    for (const auto &[name, bytes] : detail::embeddedWebAssetFiles()) {
        Asset asset;
        asset.name = std::string{name};
        asset.sha256 = sha256Hex(bytes);
        asset.path = hashedPath(name, asset.sha256);
        asset.contentType = contentTypeOf(name);
        asset.bytes = bytes;
        assets.push_back(std::move(asset));
    }
    return assets;
}

const Asset *findAsset(const std::vector<Asset> &assets, std::string_view name)
{
    const auto it = std::find_if(assets.begin(), assets.end(),
                                 [name](const Asset &asset) { return asset.name == name; });
    return it == assets.end() ? nullptr : &*it;
}

} // namespace toolhub::server::web
