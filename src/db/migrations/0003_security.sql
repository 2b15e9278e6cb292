-- Credentials: an argon2id PHC string, and the digest secret sealed with AES-256-GCM under the
-- configured secret key (nonce || ciphertext || tag). Either may be missing.
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN digest_secret BLOB;

-- Sessions from AuthService Login, by SHA-256 of the token (the token itself is never stored).
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- UsernameToken nonces seen within the freshness window: a second use is a replay. Kept here
-- so that a restart does not reopen the window.
CREATE TABLE nonces (
    nonce      BLOB PRIMARY KEY,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX nonces_by_expiry ON nonces (expires_at);

-- Who called what, when, and how it ended. No secrets. user_id is not a foreign key: the
-- trail outlives deleted users, and username keeps their name.
CREATE TABLE audit_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    request_id     TEXT NOT NULL,
    user_id        INTEGER,
    username       TEXT,
    authentication TEXT,
    service        TEXT NOT NULL,
    operation      TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'fault')),
    fault_code     TEXT,
    remote_address TEXT
) STRICT;
CREATE INDEX audit_by_user ON audit_events (user_id, id);
CREATE INDEX audit_by_operation ON audit_events (operation, id);
CREATE INDEX audit_by_at ON audit_events (at, id);
