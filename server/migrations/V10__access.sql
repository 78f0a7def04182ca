-- Roles, grants and groups (access module), and service accounts. Times are Unix seconds (UTC).

-- How many times every sign-in of the user was ended (disabled, signed out by the identity
-- provider). Access tokens carry the number they were issued under; older ones are refused, even
-- after the account is enabled again.
ALTER TABLE users ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;

-- Built-in roles live in code; `roles` holds the ones administrators define. A grant names its
-- role by name and its scope as a kind ('global', 'organization', 'project') and an id (empty
-- for global), so one primary key covers every scope.
CREATE TABLE roles (
    name VARCHAR(64) PRIMARY KEY,
    description VARCHAR(500) NOT NULL DEFAULT '',
    permissions VARCHAR(2000) NOT NULL,
    created_at BIGINT NOT NULL
);

-- `source` says who made a grant: 'manual' (an administrator), 'oidc:<provider>' or 'ldap'
-- (mapping rules, replaced at every sign-in).
CREATE TABLE role_grants (
    user_id VARCHAR(32) NOT NULL REFERENCES users (id),
    role VARCHAR(64) NOT NULL,
    scope_kind VARCHAR(16) NOT NULL CHECK (scope_kind IN ('global', 'organization', 'project')),
    scope_id VARCHAR(64) NOT NULL DEFAULT '',
    source VARCHAR(80) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, role, scope_kind, scope_id, source)
);
CREATE INDEX role_grants_role_idx ON role_grants (role);

-- Groups of users (provisioned by SCIM or made by administrators); every member holds the
-- group's grants. display_key is the lower-cased display name, unique.
CREATE TABLE user_groups (
    id VARCHAR(32) PRIMARY KEY,
    display_name VARCHAR(200) NOT NULL,
    display_key VARCHAR(200) NOT NULL UNIQUE,
    external_id VARCHAR(255) NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE group_members (
    group_id VARCHAR(32) NOT NULL REFERENCES user_groups (id),
    user_id VARCHAR(32) NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE group_grants (
    group_id VARCHAR(32) NOT NULL REFERENCES user_groups (id),
    role VARCHAR(64) NOT NULL,
    scope_kind VARCHAR(16) NOT NULL CHECK (scope_kind IN ('global', 'organization', 'project')),
    scope_id VARCHAR(64) NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, role, scope_kind, scope_id)
);

-- Internal applications and their bearer tokens. A token is stored as its SHA-256 only;
-- `scopes` is the space-separated list of permissions it carries.
CREATE TABLE service_accounts (
    id VARCHAR(32) PRIMARY KEY,
    name VARCHAR(64) NOT NULL UNIQUE,
    description VARCHAR(500) NOT NULL DEFAULT '',
    disabled SMALLINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE service_tokens (
    id VARCHAR(32) PRIMARY KEY,
    account_id VARCHAR(32) NOT NULL REFERENCES service_accounts (id),
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    name VARCHAR(100) NOT NULL,
    scopes VARCHAR(500) NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX service_tokens_account_idx ON service_tokens (account_id);

-- Readers cache what a user may do under the data revision (storage module): every write to
-- users' state, grants, groups and roles bumps this counter.
INSERT INTO data_revisions (name, revision) VALUES ('access', 0);
