module github.com/clearance-app/clearance

go 1.26.0

require (
	github.com/beevik/ntp v1.6.0 // indirect
	github.com/miekg/dns v1.1.73 // indirect
	github.com/pelletier/go-toml/v2 v2.4.3 // indirect
	github.com/shirou/gopsutil/v4 v4.26.10 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
