-- Settings kept with the data (e.g. the page token key).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- Users. Times are milliseconds since the Unix epoch, UTC.
CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    username     TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL,
    email_key    TEXT NOT NULL UNIQUE,          -- lower-cased email: unique case-insensitively
    display_name TEXT,
    status       TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'customer', 'auditor')),
    PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;

-- One index per ListUsers filter and sort (username and email_key are indexed as UNIQUE).
CREATE INDEX user_roles_by_role ON user_roles (role, user_id);
CREATE INDEX users_by_status ON users (status, id);
CREATE INDEX users_by_created ON users (created_at, id);

-- emailContains: a trigram index over the lower-cased email.
CREATE VIRTUAL TABLE users_email_trigram USING fts5 (
    email_key, content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER users_email_ai AFTER INSERT ON users BEGIN
    INSERT INTO users_email_trigram (rowid, email_key) VALUES (new.id, new.email_key);
END;
CREATE TRIGGER users_email_ad AFTER DELETE ON users BEGIN
    INSERT INTO users_email_trigram (users_email_trigram, rowid, email_key)
    VALUES ('delete', old.id, old.email_key);
END;
CREATE TRIGGER users_email_au AFTER UPDATE OF email_key ON users BEGIN
    INSERT INTO users_email_trigram (users_email_trigram, rowid, email_key)
    VALUES ('delete', old.id, old.email_key);
    INSERT INTO users_email_trigram (rowid, email_key) VALUES (new.id, new.email_key);
END;
