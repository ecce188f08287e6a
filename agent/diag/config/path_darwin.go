package config

func systemPath() string { return "/Library/Application Support/Clearance/config.toml" }
