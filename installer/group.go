package installer

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"os/user"
	"slices"
)

// groupTool is one system's commands for the fix group. They are plain
// values, so that every OS's commands are tested everywhere.
type groupTool struct {
	// create makes the group; add puts a user in it.
	create func(group string) []string
	add    func(user, group string) []string
	// addHint and removeHint are what a person types to do it by hand.
	addHint    func(group string) string
	removeHint func(group string) string
}

// shadowGroups are shadow-utils' commands (Debian, Fedora, Arch, SUSE). A
// system group: it gets an id from the system range and no login.
var shadowGroups = groupTool{
	create:     func(g string) []string { return []string{"groupadd", "--system", g} },
	add:        func(u, g string) []string { return []string{"usermod", "-aG", g, u} },
	addHint:    func(g string) string { return "sudo usermod -aG " + g + " NAME" },
	removeHint: func(g string) string { return "sudo groupdel " + g },
}

// busyboxGroups are BusyBox's (Alpine, where OpenRC runs the service).
var busyboxGroups = groupTool{
	create:     func(g string) []string { return []string{"addgroup", "-S", g} },
	add:        func(u, g string) []string { return []string{"addgroup", u, g} },
	addHint:    func(g string) string { return "sudo addgroup NAME " + g },
	removeHint: func(g string) string { return "sudo delgroup " + g },
}

// darwinGroups are macOS's Directory Service commands; "-r" is the group's
// full name as System Settings shows it.
var darwinGroups = groupTool{
	create:     func(g string) []string { return []string{"dseditgroup", "-o", "create", "-r", "Clearance", g} },
	add:        func(u, g string) []string { return []string{"dseditgroup", "-o", "edit", "-a", u, "-t", "user", g} },
	addHint:    func(g string) string { return "sudo dseditgroup -o edit -a NAME -t user " + g },
	removeHint: func(g string) string { return "sudo dseditgroup -o delete " + g },
}

// groupDB answers from the user and group database.
type groupDB interface {
	groupExists(group string) (bool, error)
	// member says whether user belongs to group, its primary group included.
	member(user, group string) (bool, error)
	userExists(user string) (bool, error)
}

// osGroupDB asks the system (files, or NSS and Directory Services through
// libc), as the agent does when it authorizes a fix.
type osGroupDB struct{}

func (osGroupDB) groupExists(group string) (bool, error) {
	_, err := user.LookupGroup(group)
	if errors.As(err, new(user.UnknownGroupError)) {
		return false, nil
	}
	return err == nil, err
}

func (osGroupDB) userExists(name string) (bool, error) {
	_, err := user.Lookup(name)
	if errors.As(err, new(user.UnknownUserError)) {
		return false, nil
	}
	return err == nil, err
}

func (osGroupDB) member(name, group string) (bool, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return false, err
	}
	g, err := user.LookupGroup(group)
	if errors.As(err, new(user.UnknownGroupError)) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ids, err := u.GroupIds()
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, g.Gid), nil
}

// checkUser fails when o.User names nobody, before anything is changed.
func (s *setup) checkUser() error {
	if len(s.groups) == 0 || s.o.User == "" {
		return nil
	}
	ok, err := s.db.userExists(s.o.User)
	if err != nil {
		return fmt.Errorf("look up the user %s: %w", s.o.User, err)
	}
	if !ok {
		return fmt.Errorf("cannot add %q to the group %s: %w on this computer", s.o.User, s.o.Group, errUserUnknown)
	}
	return nil
}

// joinGroup creates the fix group if needed and adds o.User to it.
func (s *setup) joinGroup(ctx context.Context) error {
	if len(s.groups) == 0 {
		return nil // Windows: fixes are for Administrators and the person at the computer
	}
	g := s.o.Group
	exists, err := s.db.groupExists(g)
	if err != nil {
		return fmt.Errorf("look up the group %s: %w", g, err)
	}
	tool := s.groups[0]
	if exists {
		s.add(fmt.Sprintf("Already there: the group %s", g), false)
	} else {
		tool, err = s.runFirst(ctx, func(t groupTool) []string { return t.create(g) })
		if err != nil {
			return fmt.Errorf("create the group %s: %w", g, err)
		}
		s.add(fmt.Sprintf("Created the group %s: its members may run Clearance's fixes without a password", g), true)
	}

	name := s.o.User
	switch name {
	case "":
		s.add(fmt.Sprintf("No one was added to the group %s; to let a person run fixes from the tray without a password: %s", g, tool.addHint(g)), false)
		return nil
	case "root":
		s.add(fmt.Sprintf("root runs fixes without the group %s; to let a person run them from the tray: %s", g, tool.addHint(g)), false)
		return nil
	}
	in, err := s.db.member(name, g)
	if err != nil {
		return fmt.Errorf("look up whether %s is in the group %s: %w", name, g, err)
	}
	if in {
		s.add(fmt.Sprintf("Already in the group %s: %s", g, name), false)
		return nil
	}
	if _, err := s.runFirst(ctx, func(t groupTool) []string { return t.add(name, g) }); err != nil {
		return fmt.Errorf("add %s to the group %s: %w", name, g, err)
	}
	// The agent reads the group database at each request, so this counts
	// at once, with no new login.
	s.add(fmt.Sprintf("Added %s to the group %s: they may run fixes from the tray", name, g), true)
	return nil
}

// runFirst runs the command of the first tool that this system has, and
// returns that tool: a system has shadow-utils or BusyBox, not both.
func (s *setup) runFirst(ctx context.Context, argv func(groupTool) []string) (groupTool, error) {
	var err error
	for _, t := range s.groups {
		a := argv(t)
		_, err = s.o.Run.Run(ctx, a[0], a[1:]...)
		if !errors.Is(err, exec.ErrNotFound) {
			return t, err
		}
		s.o.Log.Debug("group tool missing", "argv", a)
	}
	return s.groups[0], err
}
