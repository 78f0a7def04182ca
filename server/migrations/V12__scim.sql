-- SCIM 2.0 provisioning (scim module): what a provisioning client (PingFederate, Okta, Entra ID)
-- knows about a user beyond the identity module's users row. Times are Unix seconds (UTC).
-- user_name_key is the lower-cased userName (unique: SCIM compares userName case-insensitively),
-- NULL once the user is deleted through SCIM (deleted_at set), so that the name is free again.
-- attributes is a JSON object with the SCIM "name" and "emails" as provisioned.
CREATE TABLE scim_users (
    user_id VARCHAR(32) PRIMARY KEY REFERENCES users (id),
    user_name VARCHAR(255) NOT NULL,
    user_name_key VARCHAR(255) UNIQUE,
    external_id VARCHAR(255),
    attributes TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);

CREATE INDEX scim_users_external_id_idx ON scim_users (external_id);
CREATE INDEX scim_users_created_idx ON scim_users (created_at, user_id);
