#pragma once

#include "toolhub/crypto.h"
#include "toolhub/manifest.h"
#include "toolhub/result.h"

#include <filesystem>
#include <string>

namespace toolhub::server {

// The server's Ed25519 key pair that signs release manifests, kept in one file readable only by
// its owner:
//
//   # toolhub-server release manifest signing key (Ed25519). Secret: mode 0600, back it up.
//   ed25519-seed: <base64 of the 32-byte seed>
//
// The secret never leaves this object except as signatures. Replicas must share one key file
// (signing_key_file): apps trust exactly one public key.
class SigningKey {
public:
    // Reads `file`, or creates a new key there when it does not exist: written to a temporary
    // sibling with mode 0600, synced, then moved into place without replacing a file another
    // process created meanwhile (that one is loaded instead). Refuses a file that group or
    // others can read or write, and a file that is not a key, with a message saying what to do.
    [[nodiscard]] static Result<SigningKey> loadOrCreate(const std::filesystem::path &file);
    // Reads an existing key file (same checks); NotFound when it does not exist.
    [[nodiscard]] static Result<SigningKey> load(const std::filesystem::path &file);

    [[nodiscard]] const Ed25519PublicKey &publicKey() const noexcept { return m_keys.publicKey; }
    // Standard base64 of the 32-byte public key: what `toolhub-server keys show` prints and
    // the desktop app is configured with.
    [[nodiscard]] std::string publicKeyBase64() const;
    // manifestKeyId(publicKey()).
    [[nodiscard]] const std::string &keyId() const noexcept { return m_keyId; }
    // True when loadOrCreate() made the key just now.
    [[nodiscard]] bool created() const noexcept { return m_created; }

    [[nodiscard]] ManifestResult<SignedManifest> sign(const ReleaseManifest &manifest) const;

private:
    explicit SigningKey(Ed25519KeyPair keys, bool created);

    Ed25519KeyPair m_keys;
    std::string m_keyId;
    bool m_created = false;
};

} // namespace toolhub::server
