-- OpenID Connect single sign-on (sso module): sign-ins under way at a provider, and the web
-- sessions that came from one. State, nonce, browser binding and session token are stored as
-- their SHA-256 (64 hex characters). Times are Unix seconds (UTC).

-- One row per sign-in sent to a provider; used once, then kept until it expires.
CREATE TABLE sso_sign_ins (
    state_hash VARCHAR(64) PRIMARY KEY,
    provider_id VARCHAR(32) NOT NULL,
    binding_hash VARCHAR(64) NOT NULL,
    nonce_hash VARCHAR(64) NOT NULL,
    -- The PKCE code_verifier: worthless without the code, which only the browser sees.
    code_verifier VARCHAR(128) NOT NULL,
    return_to VARCHAR(4096) NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX sso_sign_ins_expires_idx ON sso_sign_ins (expires_at);

-- The web sessions made by a provider sign-in (web_sessions.id_hash), with the provider's
-- session id (sid) for back-channel logout and the ID token for RP-initiated logout.
CREATE TABLE sso_sessions (
    session_hash VARCHAR(64) PRIMARY KEY,
    provider_id VARCHAR(32) NOT NULL,
    user_id VARCHAR(32) NOT NULL REFERENCES users (id),
    sid VARCHAR(255),
    id_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sso_sessions_sid_idx ON sso_sessions (provider_id, sid);
CREATE INDEX sso_sessions_user_idx ON sso_sessions (user_id);
CREATE INDEX sso_sessions_expires_idx ON sso_sessions (expires_at);
