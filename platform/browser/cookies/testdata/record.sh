#!/bin/sh
# Records the cookie databases' schemas of Debian's chromium and firefox-esr
# into this directory; README.md says what each file is. Each browser runs
# once, headless, in a fresh profile under a throw-away HOME, and loads
# pages from cookie-server.py on loopback (every name it looks up is mapped
# to loopback), so that it creates its cookie database with real rows.
# Needs: chromium, firefox-esr, sqlite3, python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
export HOME="$work/home"
mkdir -p "$HOME"
port=18431
tlsport=18432
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=chatgpt.com \
	-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
python3 "$here/cookie-server.py" "$port" "$tlsport" "$work/cert.pem" "$work/key.pem" \
	>"$work/server.log" 2>&1 &
server=$!
trap 'kill $server; rm -rf "$work"' EXIT
sleep 1

cver=$(chromium --version 2>/dev/null)
chromium --headless --no-sandbox --disable-gpu --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--host-resolver-rules='MAP * 127.0.0.1' --ignore-certificate-errors \
	--user-data-dir="$work/chromium" --dump-dom "https://chatgpt.com:$tlsport/" \
	>/dev/null 2>"$work/chromium.log"
# Chromium on Linux keeps the database in the profile's root, not in
# Network/ as Chrome on Windows does.
cdb="$work/chromium/Default/Cookies"
{
	echo "-- $cver (Debian package chromium $(dpkg-query -W -f '${Version}' chromium))"
	echo "-- sqlite3 Default/Cookies .schema"
	sqlite3 "$cdb" .schema
} >"$here/chromium.schema.sql"
{
	echo "-- $cver: SELECT key, value FROM meta"
	sqlite3 "$cdb" 'SELECT key, value FROM meta ORDER BY key'
	echo "-- PRAGMA journal_mode"
	sqlite3 "$cdb" 'PRAGMA journal_mode'
	echo "-- SELECT host_key, name, top_frame_site_key FROM cookies"
	sqlite3 "$cdb" 'SELECT host_key, name, top_frame_site_key FROM cookies ORDER BY host_key, name'
} >"$here/chromium.rows.txt"

fver=$(firefox-esr --version 2>/dev/null)
mkdir -p "$work/firefox"
# Names to loopback; no HSTS preload list and no HTTPS-First, so that the
# plain-HTTP pages load.
cat >"$work/firefox/user.js" <<'PREFS'
user_pref("network.dns.localDomains", "chatgpt.com,auth.openai.com,notopenai.com");
user_pref("network.stricttransportsecurity.preloadlist", false);
user_pref("dom.security.https_first", false);
PREFS
firefox-esr -headless -no-remote -profile "$work/firefox" \
	-screenshot "$work/shot.png" "http://chatgpt.com:$port/" >"$work/firefox.log" 2>&1
fdb="$work/firefox/cookies.sqlite"
{
	echo "-- $fver (Debian package firefox-esr $(dpkg-query -W -f '${Version}' firefox-esr))"
	echo "-- sqlite3 cookies.sqlite .schema"
	sqlite3 "$fdb" .schema
} >"$here/firefox.schema.sql"
{
	echo "-- $fver: PRAGMA user_version"
	sqlite3 "$fdb" 'PRAGMA user_version'
	echo "-- PRAGMA journal_mode"
	sqlite3 "$fdb" 'PRAGMA journal_mode'
	echo "-- SELECT host, name, originAttributes FROM moz_cookies"
	sqlite3 "$fdb" 'SELECT host, name, originAttributes FROM moz_cookies ORDER BY host, name'
} >"$here/firefox.rows.txt"
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1)" >"$here/versions.txt"
echo "$cver" >>"$here/versions.txt"
echo "$fver" >>"$here/versions.txt"
