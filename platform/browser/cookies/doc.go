// Package cookies clears OpenAI's cookies — those of openai.com,
// chatgpt.com, oaistatic.com and their subdomains, Cloudflare's
// cf_clearance, __cf_bm and _cfuvid among them — from the cookie databases
// of a person's Chromium-family browsers and Firefox, and puts them back.
//
// It must never lose a person's cookies: a store whose browser is running
// is left alone (the browser keeps its cookies in memory and would write
// them back, or holds the file locked); each database is copied, with its
// -wal, -journal and -shm files, into a timestamped backup before a row
// goes; a database whose layout is not one documented by its browser's
// own source is refused rather than guessed at; and rows are chosen by an
// exact domain match made in Go, then deleted by their key — never by SQL
// LIKE, where "_" is a wildcard. The database is opened in place through
// SQLite, so that rows written only to the write-ahead log are seen and
// deleted like the others.
//
// It edits only what it is given: finding browsers and profiles, and
// telling whether a browser runs, is the caller's. Safari's binary cookie
// store is never edited.
package cookies
