#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server::web {

// A static file of the portal, compiled into the server. Its URL path carries the start of its
// SHA-256, so a new version is a new URL and browsers may keep each one for good.
struct Asset {
    std::string name;        // as shipped, e.g. "bootstrap.min.css"
    std::string path;        // e.g. "/assets/bootstrap.min.3f9c04a1d2b7e865.css"
    std::string contentType; // e.g. "text/css; charset=utf-8"
    std::string sha256;      // of `bytes`, lowercase hex
    std::string_view bytes;  // the embedded file, valid for the life of the program
};

// The bundled files (Bootstrap's CSS), with their hashes computed.
[[nodiscard]] std::vector<Asset> bundledAssets();

// The asset shipped as `name` among `assets`; nullptr when there is none.
[[nodiscard]] const Asset *findAsset(const std::vector<Asset> &assets, std::string_view name);

} // namespace toolhub::server::web
