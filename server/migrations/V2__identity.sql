-- Customer organizations and the people who sign in (identity module).
-- Ids are 32 lower-case hex characters made by the server (storage/ids.h); times are Unix
-- seconds (UTC). Users from an identity provider are keyed by (idp_issuer, idp_subject), never by
-- e-mail; local accounts sign in with `login` and an Argon2id `password_hash`.
CREATE TABLE organizations (
    id VARCHAR(32) PRIMARY KEY,
    slug VARCHAR(64) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id VARCHAR(32) PRIMARY KEY,
    organization_id VARCHAR(32) REFERENCES organizations (id),
    email VARCHAR(320) NOT NULL,
    display_name VARCHAR(200) NOT NULL,
    login VARCHAR(320) UNIQUE,
    password_hash VARCHAR(256),
    idp_issuer VARCHAR(500),
    idp_subject VARCHAR(255),
    disabled SMALLINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (idp_issuer, idp_subject)
);

CREATE INDEX users_organization_idx ON users (organization_id);
