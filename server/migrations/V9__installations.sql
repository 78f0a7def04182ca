-- What the desktop app reports installing, updating, rolling back, repairing and removing
-- (installations module). Times are Unix seconds (UTC). Like download_events, both tables name
-- users and organizations by id, and products and tools by slug, without foreign keys, so they
-- outlive what they name.

-- Every report as received: an append-only history for the vendor's reporting. `version` is the
-- SemVer text; machine_name is what the machine calls itself (NULL: not given).
CREATE TABLE installation_events (
    id VARCHAR(32) PRIMARY KEY,
    user_id VARCHAR(32) NOT NULL,
    organization_id VARCHAR(32) NOT NULL,
    machine_id VARCHAR(64) NOT NULL,
    machine_name VARCHAR(200),
    product VARCHAR(64) NOT NULL,
    tool VARCHAR(64) NOT NULL,
    version VARCHAR(256) NOT NULL,
    platform VARCHAR(16) NOT NULL CHECK (platform IN ('linux', 'windows', 'macos')),
    arch VARCHAR(16) NOT NULL CHECK (arch IN ('x86_64', 'arm64')),
    action VARCHAR(16) NOT NULL
        CHECK (action IN ('install', 'update', 'rollback', 'repair', 'remove')),
    client_ip VARCHAR(64) NOT NULL DEFAULT '',
    occurred_at BIGINT NOT NULL
);

CREATE INDEX installation_events_organization_idx
    ON installation_events (organization_id, occurred_at);
CREATE INDEX installation_events_user_idx ON installation_events (user_id, occurred_at);

-- What is installed now, one row per user, machine and tool (tool slugs are unique within their
-- product only, so the product is part of the key): install, update, rollback and repair store
-- the row, remove deletes it, in the same transaction as the event.
CREATE TABLE installations (
    user_id VARCHAR(32) NOT NULL,
    machine_id VARCHAR(64) NOT NULL,
    product VARCHAR(64) NOT NULL,
    tool VARCHAR(64) NOT NULL,
    version VARCHAR(256) NOT NULL,
    platform VARCHAR(16) NOT NULL CHECK (platform IN ('linux', 'windows', 'macos')),
    arch VARCHAR(16) NOT NULL CHECK (arch IN ('x86_64', 'arm64')),
    machine_name VARCHAR(200),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, machine_id, product, tool)
);
