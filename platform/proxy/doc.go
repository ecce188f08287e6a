// Package proxy reads the proxy settings of a person's session: the
// environment, GNOME and KDE settings, Windows Internet Settings and macOS
// scutil; and masks the credentials in a proxy URL wherever it is shown. It
// only reads.
package proxy
