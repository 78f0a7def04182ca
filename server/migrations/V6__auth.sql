-- Sign-in (auth module): shared secrets, browser sessions, failed sign-ins, OAuth codes and
-- refresh tokens. Every credential is stored as its SHA-256 (64 hex characters), never as
-- itself. Times are Unix seconds (UTC).

-- Secrets every replica shares, created race-safely by the first to start
-- (INSERT .. ON CONFLICT DO NOTHING). The master secret from which access-token and CSRF keys
-- are derived.
CREATE TABLE auth_secrets (
    name VARCHAR(64) PRIMARY KEY,
    secret VARCHAR(200) NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE web_sessions (
    id_hash VARCHAR(64) PRIMARY KEY,
    user_id VARCHAR(32) NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);

-- One row per failed sign-in and scope ('account': the lower-cased login, 'address': the client
-- address), kept for the throttling window only.
CREATE TABLE sign_in_failures (
    id VARCHAR(32) PRIMARY KEY,
    scope VARCHAR(16) NOT NULL,
    subject VARCHAR(320) NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_subject_idx ON sign_in_failures (scope, subject, failed_at);
CREATE INDEX sign_in_failures_time_idx ON sign_in_failures (failed_at);

-- The refresh tokens descending from one authorization code; revoked as a whole.
CREATE TABLE oauth_token_families (
    id VARCHAR(32) PRIMARY KEY,
    user_id VARCHAR(32) NOT NULL REFERENCES users (id),
    client_id VARCHAR(64) NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE oauth_codes (
    code_hash VARCHAR(64) PRIMARY KEY,
    client_id VARCHAR(64) NOT NULL,
    redirect_uri VARCHAR(2000) NOT NULL,
    code_challenge VARCHAR(64) NOT NULL,
    user_id VARCHAR(32) NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    family_id VARCHAR(32)
);
CREATE INDEX oauth_codes_expires_idx ON oauth_codes (expires_at);

CREATE TABLE oauth_refresh_tokens (
    token_hash VARCHAR(64) PRIMARY KEY,
    family_id VARCHAR(32) NOT NULL REFERENCES oauth_token_families (id),
    user_id VARCHAR(32) NOT NULL REFERENCES users (id),
    client_id VARCHAR(64) NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX oauth_refresh_tokens_family_idx ON oauth_refresh_tokens (family_id);
