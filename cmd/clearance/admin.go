package main

// How hints and help tell a person to run a command with administrator
// rights, or without them. Windows has no sudo: there it is an
// Administrator prompt. Both wordings are plain values, chosen by
// admin_windows.go and admin_other.go, so that each is tested on every OS.

// adminWording is one OS family's phrases.
type adminWording struct {
	// asAdmin quotes cmd as run with administrator rights.
	asAdmin func(cmd string) string
	// asYourself says how to run a command with one's own rights only.
	asYourself string
	// installingPerson is whom install adds to the fix group without --user.
	installingPerson string
	// usage is a usage line for a command that needs administrator rights.
	usage func(line string) string
}

var sudoWording = adminWording{
	asAdmin:          func(cmd string) string { return "'sudo " + cmd + "'" },
	asYourself:       "without sudo",
	installingPerson: "the one running sudo",
	usage:            func(line string) string { return "sudo " + line },
}

var administratorPromptWording = adminWording{
	asAdmin:          func(cmd string) string { return "'" + cmd + "' from an Administrator prompt" },
	asYourself:       "from an ordinary prompt, not an Administrator one",
	installingPerson: "nobody",
	usage:            func(line string) string { return line + "   (from an Administrator prompt)" },
}

// asAdmin quotes cmd as a person runs it with administrator rights here.
func asAdmin(cmd string) string { return wording.asAdmin(cmd) }
