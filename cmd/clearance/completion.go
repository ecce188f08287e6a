package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// shells are the shells `clearance completion` writes a script for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// runCompletion prints the completion script for one shell, generated from
// the command table: the commands, each command's flags, the fix ids and
// the check names. A new command or flag is completed without touching
// this file.
func runCompletion(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		c, _ := lookup("completion")
		printHelp(stderr, c)
		return 0
	}
	if len(args) != 1 || !slices.Contains(shells, args[0]) {
		return fail(stderr, "name one shell: "+strings.Join(shells, ", "), "for example: clearance completion bash")
	}
	words := completionWords()
	switch args[0] {
	case "bash":
		writeBash(stdout, words)
	case "zsh":
		// zsh completes with the bash script through its own emulation,
		// so that the two cannot disagree.
		fmt.Fprint(stdout, "autoload -U +X bashcompinit && bashcompinit\n")
		writeBash(stdout, words)
	case "fish":
		writeFish(stdout, words)
	case "powershell":
		writePowerShell(stdout, words)
	}
	return 0
}

// commandWords is what completes after one command.
type commandWords struct {
	name, summary string
	flags         []string            // "--name", in the flag set's order
	values        map[string][]string // "--name" → the values it takes
	args          []string            // the values of its argument
}

func completionWords() []commandWords {
	var out []commandWords
	for _, c := range commands {
		w := commandWords{name: c.name, summary: c.summary, values: map[string][]string{}}
		if c.flags != nil {
			c.flags().VisitAll(func(f *flag.Flag) { w.flags = append(w.flags, "--"+f.Name) })
		}
		for name, values := range c.flagValues {
			w.values["--"+name] = values()
		}
		if c.args != nil {
			w.args = c.args()
		}
		out = append(out, w)
	}
	return out
}

func commandNames(words []commandWords) []string {
	var names []string
	for _, w := range words {
		names = append(names, w.name)
	}
	return names
}

func writeBash(w io.Writer, words []commandWords) {
	fmt.Fprintf(w, `# bash completion for clearance: eval "$(clearance completion bash)"
_clearance() {
	local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W %q -- "$cur"))
		return
	fi
	case "${COMP_WORDS[1]}" in
`, strings.Join(commandNames(words), " "))
	for _, c := range words {
		fmt.Fprintf(w, "\t%s)\n", c.name)
		if len(c.values) > 0 {
			fmt.Fprint(w, "\t\tcase \"$prev\" in\n")
			for _, f := range sortedKeys(c.values) {
				fmt.Fprintf(w, "\t\t%s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", f, strings.Join(c.values[f], " "))
			}
			fmt.Fprint(w, "\t\tesac\n")
		}
		if len(c.args) > 0 {
			fmt.Fprintf(w, "\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(c.args, " "))
		}
		fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", strings.Join(c.flags, " "))
	}
	fmt.Fprint(w, "\tesac\n}\ncomplete -F _clearance clearance\n")
}

func writeFish(w io.Writer, words []commandWords) {
	fmt.Fprint(w, "# fish completion for clearance: clearance completion fish | source\ncomplete -c clearance -f\n")
	for _, c := range words {
		fmt.Fprintf(w, "complete -c clearance -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
		when := "-n '__fish_seen_subcommand_from " + c.name + "'"
		if len(c.args) > 0 {
			fmt.Fprintf(w, "complete -c clearance %s -a %s\n", when, fishQuote(strings.Join(c.args, " ")))
		}
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c clearance %s -l %s", when, strings.TrimPrefix(f, "--"))
			if v, ok := c.values[f]; ok {
				line += " -x -a " + fishQuote(strings.Join(v, " "))
			}
			fmt.Fprintln(w, line)
		}
	}
}

func fishQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func writePowerShell(w io.Writer, words []commandWords) {
	fmt.Fprint(w, "# PowerShell completion for clearance: clearance completion powershell | Out-String | Invoke-Expression\n$clearanceWords = @{\n")
	for _, c := range words {
		fmt.Fprintf(w, "  %s = @{ Flags = @(%s); Args = @(%s); Values = @{", psQuote(c.name), psList(c.flags), psList(c.args))
		for _, f := range sortedKeys(c.values) {
			fmt.Fprintf(w, " %s = @(%s);", psQuote(f), psList(c.values[f]))
		}
		fmt.Fprint(w, " } }\n")
	}
	fmt.Fprint(w, `}
Register-ArgumentCompleter -Native -CommandName clearance, clearance.exe -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
  if ($wordToComplete -ne '') { $words = $words[0..($words.Count - 2)] }
  if ($words.Count -le 1) {
    $candidates = $clearanceWords.Keys
  } else {
    $c = $clearanceWords[$words[1]]
    if (-not $c) { return }
    $prev = $words[-1]
    if ($c.Values.ContainsKey($prev)) { $candidates = $c.Values[$prev] }
    elseif ($words.Count -eq 2 -and $c.Args.Count -gt 0) { $candidates = $c.Args + $c.Flags }
    else { $candidates = $c.Flags }
  }
  $candidates | Where-Object { $_ -like "$wordToComplete*" } | Sort-Object |
    ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
`)
}

func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func psList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = psQuote(s)
	}
	return strings.Join(q, ", ")
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
