-- Chromium cookie database version 9 (2015, last_compatible_version 5), not recorded:
-- written from InitTable in Chromium's net/extras/sqlite/sqlite_persistent_cookie_store.cc
-- as the mirror/chromium repository holds it at commit 00078869022aba071b90ae922abd84570ff1b5c1
-- (kCurrentVersionNumber 9, kCompatibleVersionNumber 5); the meta table is sql::MetaTable's,
-- the same as in chromium.schema.sql.
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE cookies (creation_utc INTEGER NOT NULL UNIQUE PRIMARY KEY,host_key TEXT NOT NULL,name TEXT NOT NULL,value TEXT NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,secure INTEGER NOT NULL,httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL, has_expires INTEGER NOT NULL DEFAULT 1, persistent INTEGER NOT NULL DEFAULT 1,priority INTEGER NOT NULL DEFAULT 1,encrypted_value BLOB DEFAULT '',firstpartyonly INTEGER NOT NULL DEFAULT 0);
CREATE INDEX domain ON cookies(host_key);
CREATE INDEX is_transient ON cookies(persistent) where persistent != 1;
