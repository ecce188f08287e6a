package installer

import "text/template"

// systemdUnit is the agent's unit (a serviceDef template).
//
// The agent must be able to: set the clock (CAP_SYS_TIME; so no
// ProtectClock), rewrite /etc/resolv.conf for dns-public and put it back
// with its owner and mode (so ProtectSystem=true, which makes /usr and
// /boot read-only, not "full", which would cover /etc too), keep its
// journal in /var/lib/clearance and its socket in /run/clearance, see the
// real network and its changes (so no PrivateNetwork; netlink for route
// events), and talk to systemd-resolved, timedated and NetworkManager over
// the system bus. It never needs a home directory, devices, kernel
// tunables, modules, namespaces or new privileges.
//
// The capabilities, and why each:
//   - CAP_SYS_TIME: step the clock where no time service runs; timedated
//     also accepts set-ntp from a caller holding it without asking polkit.
//   - CAP_NET_ADMIN: systemd-resolved accepts FlushCaches, SetLinkDNS and
//     RevertLink from a caller holding it without asking polkit, which a
//     server may not run.
//   - CAP_KILL: signal caches that run as their own user (dnsmasq's SIGHUP).
//   - CAP_DAC_OVERRIDE: read control keys that belong to a resolver's
//     group (unbound-control) and write files root does not own.
//   - CAP_CHOWN, CAP_FOWNER: restore a file's owner and mode exactly.
//
// Restart=on-failure brings the agent back after a
// crash or an error exit, not after `clearance stop`; the start limit
// stops a crash loop after 5 tries in 5 minutes.
var systemdUnit = template.Must(template.New("unit").Funcs(serviceFuncs).Parse(`[Unit]
Description={{.Description}}
ConditionFileIsExecutable={{systemdPath .Exe}}
After=network.target dbus.service
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
Type=simple
ExecStart={{systemdPath .Exe}}{{range .Args}} {{systemdArg .}}{{end}}
Restart=on-failure
RestartSec=5
TimeoutStopSec=20
{{range .Env}}Environment={{systemdArg (printf "%s=%s" .Name .Value)}}
{{end}}RuntimeDirectory=clearance
StateDirectory=clearance
CapabilityBoundingSet=CAP_SYS_TIME CAP_NET_ADMIN CAP_KILL CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER
NoNewPrivileges=yes
ProtectSystem=true
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK

[Install]
WantedBy=multi-user.target
`))
