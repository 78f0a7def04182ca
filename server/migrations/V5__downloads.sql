-- Every artifact download (downloads module): an append-only history. It names artifacts,
-- users and organizations by id without foreign keys, so it outlives what it names.
-- range_spec is the request's Range header as received (empty: the whole file).
CREATE TABLE download_events (
    id VARCHAR(32) PRIMARY KEY,
    artifact_id VARCHAR(32) NOT NULL,
    user_id VARCHAR(32),
    organization_id VARCHAR(32) NOT NULL,
    bytes_requested BIGINT NOT NULL CHECK (bytes_requested >= 0),
    bytes_served BIGINT NOT NULL CHECK (bytes_served >= 0),
    range_spec VARCHAR(256) NOT NULL DEFAULT '',
    client_ip VARCHAR(64) NOT NULL DEFAULT '',
    occurred_at BIGINT NOT NULL
);

CREATE INDEX download_events_organization_idx ON download_events (organization_id, occurred_at);
CREATE INDEX download_events_artifact_idx ON download_events (artifact_id, occurred_at);
