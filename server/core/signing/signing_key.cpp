#include "core/signing/signing_key.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace toolhub::server {

namespace {

constexpr std::string_view seedPrefix = "ed25519-seed: ";
constexpr std::size_t maxKeyFileSize = 4096;

std::string errnoText(int error)
{
    return std::strerror(error);
}

// Wipes a string that held secret material.
struct WipeOnExit {
    std::string &text;
    explicit WipeOnExit(std::string &t) : text(t) {}
    WipeOnExit(const WipeOnExit &) = delete;
    WipeOnExit &operator=(const WipeOnExit &) = delete;
    ~WipeOnExit() { secureZero(text.data(), text.size()); }
};

std::string modeText(mode_t mode)
{
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777U));
    return buffer;
}

Result<Ed25519KeyPair> parseKeyFile(const std::filesystem::path &file, std::string_view text)
{
    const auto corrupt = [&file](const std::string &why) {
        return fail(ErrorCode::FailedPrecondition,
                    "the signing key file " + file.string() + " is not a toolhub signing key (" +
                        why +
                        "). Restore it from a backup; deleting it makes a new key, and apps "
                        "that trust the old one will refuse manifests signed with the new one.");
    };
    std::optional<std::string_view> seedText;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (!line.starts_with(seedPrefix) || seedText) {
            return corrupt("expected one line \"ed25519-seed: <base64>\"");
        }
        seedText = line.substr(seedPrefix.size());
    }
    if (!seedText) {
        return corrupt("no \"ed25519-seed:\" line");
    }
    auto seed = fromBase64(*seedText);
    if (!seed || seed->size() != kEd25519SeedSize) {
        return corrupt("the seed is not 32 bytes of base64");
    }
    auto keys = ed25519KeyPairFromSeed(*seed);
    secureZero(seed->data(), seed->size());
    if (!keys) {
        return corrupt(keys.error().message);
    }
    return std::move(*keys);
}

// Reads the key file through one descriptor: the permission check and the contents are of the
// same file.
Result<Ed25519KeyPair> readKeyFile(const std::filesystem::path &file)
{
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT) {
            return fail(ErrorCode::NotFound,
                        "the signing key file " + file.string() + " does not exist");
        }
        return fail(ErrorCode::Unavailable,
                    "cannot open the signing key file " + file.string() + ": " + errnoText(error));
    }
    struct Closer {
        int fd;
        explicit Closer(int f) : fd(f) {}
        Closer(const Closer &) = delete;
        Closer &operator=(const Closer &) = delete;
        ~Closer() { ::close(fd); }
    } const closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        return fail(ErrorCode::Unavailable, "cannot inspect the signing key file " + file.string() +
                                                ": " + errnoText(errno));
    }
    if (!S_ISREG(info.st_mode)) {
        return fail(ErrorCode::FailedPrecondition,
                    "the signing key file " + file.string() + " is not a regular file");
    }
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return fail(ErrorCode::FailedPrecondition,
                    "the signing key file " + file.string() + " has mode " +
                        modeText(info.st_mode) +
                        ": group or others may access it. The key signs what apps install; "
                        "make it private with: chmod 600 " +
                        file.string());
    }
    if (info.st_size > static_cast<off_t>(maxKeyFileSize)) {
        return fail(ErrorCode::FailedPrecondition, "the signing key file " + file.string() +
                                                       " is not a toolhub signing key " +
                                                       "(too large)");
    }
    std::string text(maxKeyFileSize, '\0');
    const WipeOnExit wipe{text};
    std::size_t used = 0;
    for (;;) {
        const auto n = ::read(fd, text.data() + used, text.size() - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail(ErrorCode::Unavailable, "cannot read the signing key file " +
                                                    file.string() + ": " + errnoText(errno));
        }
        if (n == 0 || used + static_cast<std::size_t>(n) == text.size()) {
            used += static_cast<std::size_t>(n);
            break;
        }
        used += static_cast<std::size_t>(n);
    }
    return parseKeyFile(file, std::string_view{text}.substr(0, used));
}

// Writes a new key to a temporary sibling (0600), then links it into place unless a file is
// there already. Returns false in `placed` when another process created the file first.
Result<void> writeNewKey(const std::filesystem::path &file, const Ed25519KeyPair &keys,
                         bool &placed)
{
    std::error_code ec;
    const auto folder = file.parent_path();
    if (!folder.empty()) {
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            return fail(ErrorCode::Unavailable,
                        "cannot create the folder " + folder.string() + ": " + ec.message());
        }
    }
    const auto temporary = file.string() + ".tmp-" + randomToken(9);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return fail(ErrorCode::Unavailable, "cannot create " + temporary + ": " + errnoText(errno));
    }
    std::string text = "# toolhub-server release manifest signing key (Ed25519). Secret: mode "
                       "0600, back it up.\n# public key: " +
                       toBase64(keys.publicKey) + "\n" + std::string{seedPrefix} +
                       toBase64(keys.secretKey.bytes().first<kEd25519SeedSize>()) + "\n";
    const WipeOnExit wipe{text};
    bool ok = ::fchmod(fd, 0600) == 0;
    for (std::size_t written = 0; ok && written < text.size();) {
        const auto n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ok = n > 0;
        written += ok ? static_cast<std::size_t>(n) : 0;
    }
    ok = ok && ::fsync(fd) == 0;
    const int writeError = errno;
    ok = ::close(fd) == 0 && ok;
    if (!ok) {
        ::unlink(temporary.c_str());
        return fail(ErrorCode::Unavailable,
                    "cannot write " + temporary + ": " + errnoText(writeError));
    }
    // link(2) is a rename that never replaces: two servers starting at once keep one key.
    placed = ::link(temporary.c_str(), file.c_str()) == 0;
    const int linkError = errno;
    if (!placed && linkError != EEXIST) {
        // File systems without hard links: a plain rename.
        placed = ::rename(temporary.c_str(), file.c_str()) == 0;
        if (!placed) {
            const int renameError = errno;
            ::unlink(temporary.c_str());
            return fail(ErrorCode::Unavailable, "cannot create the signing key file " +
                                                    file.string() + ": " + errnoText(renameError));
        }
    }
    ::unlink(temporary.c_str());
    if (!folder.empty()) {
        if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
            ::fsync(dir);
            ::close(dir);
        }
    }
    return {};
}

} // namespace

SigningKey::SigningKey(Ed25519KeyPair keys, bool created)
    : m_keys(std::move(keys)), m_keyId(manifestKeyId(m_keys.publicKey)), m_created(created)
{}

Result<SigningKey> SigningKey::load(const std::filesystem::path &file)
{
    auto keys = readKeyFile(file);
    if (!keys) {
        return fail(std::move(keys).error());
    }
    return SigningKey{std::move(*keys), false};
}

Result<SigningKey> SigningKey::loadOrCreate(const std::filesystem::path &file)
{
    if (auto existing = load(file); existing || existing.error().code != ErrorCode::NotFound) {
        return existing;
    }
    if (auto ready = initCrypto(); !ready) {
        return fail(std::move(ready).error());
    }
    const auto keys = generateEd25519KeyPair();
    bool placed = false;
    if (auto written = writeNewKey(file, keys, placed); !written) {
        return fail(std::move(written).error());
    }
    // Read back what is on disk now (ours, or the one another process placed first), with the
    // same checks as on every start: the mode must be 0600.
    auto loaded = readKeyFile(file);
    if (!loaded) {
        return fail(std::move(loaded).error());
    }
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0 || (info.st_mode & 0777U) != 0600U) {
        return fail(ErrorCode::FailedPrecondition,
                    "the new signing key file " + file.string() + " does not have mode 0600");
    }
    return SigningKey{std::move(*loaded), placed && *loaded == keys};
}

std::string SigningKey::publicKeyBase64() const
{
    return toBase64(m_keys.publicKey);
}

ManifestResult<SignedManifest> SigningKey::sign(const ReleaseManifest &manifest) const
{
    return signManifest(manifest, m_keys.secretKey);
}

} // namespace toolhub::server
