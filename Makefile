# Clearance: build, test, cross-build, benchmark.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Everything but the macOS tray builds without cgo.
CROSS   := windows/amd64 windows/arm64 darwin/amd64 darwin/arm64 linux/arm64
# The race detector needs cgo (a C compiler); without one, tests run without it.
RACE    := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race,)

.PHONY: build test lint vet cross bench fuzz soak faults clean dist dist-linux dist-windows dist-macos dist-check check-dist-windows dist-macos-repro wine-smoke

# Packages are built into dist/ by pinned Go tools (installer/packaging/tools.mod)
# and Debian packages; nothing is downloaded. SOURCE_DATE_EPOCH, the commit's
# time, is the time stamped into every package, so two builds of one commit
# give the same bytes.
DIST ?= dist
TOOL := $(GO) tool -modfile=installer/packaging/tools.mod
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
# The packages' version, numeric so that dpkg, rpm and Windows Installer
# order it alike: the latest vX.Y.Z tag and the commits since it (0.3.0.5
# is five commits after v0.3.0), or 0.0.0.N, N commits, before any tag.
PKGVERSION ?= $(shell d=$$(git describe --tags --long --match 'v[0-9]*.[0-9]*.[0-9]*' 2>/dev/null) \
	&& echo "$$d" | sed -E 's/^v([0-9]+\.[0-9]+\.[0-9]+)-([0-9]+)-g[0-9a-f]+$$/\1.\2/' \
	|| echo "0.0.0.$$(git rev-list --count HEAD 2>/dev/null || echo 0)")

dist: dist-linux dist-windows dist-macos

# Every package built twice from this commit and compared (the .msi by its
# tables and streams, after checking them: check-msi.sh), then the .deb
# installed, used and purged for real (TestPackageDeb; it needs root, and
# skips saying so without it) and the .rpm read by rpm(8) (TestPackageRPM).
# Both are amd64: the machines CI runs on.
dist-check:
	rm -rf $(DIST)/check
	$(MAKE) dist DIST=$(DIST)/check/a
	$(MAKE) dist DIST=$(DIST)/check/b
	installer/packaging/same-dist.sh $(DIST)/check/a $(DIST)/check/b
	installer/packaging/windows/check-msi.sh $(DIST)/check/a/clearance-*-windows-amd64.msi
	installer/packaging/windows/check-msi.sh --same $(DIST)/check/a/clearance-*-windows-amd64.msi $(DIST)/check/b/clearance-*-windows-amd64.msi
	CLEARANCE_DEB=$$(ls $(abspath $(DIST))/check/a/clearance_*_amd64.deb) \
	CLEARANCE_RPM=$$(ls $(abspath $(DIST))/check/a/clearance-*.x86_64.rpm) \
		$(GO) test -count=1 -run '^TestPackage(Deb|RPM)$$' -v ./cmd/clearance

# The .deb and .rpm for each Linux architecture (nfpm; installer/packaging/linux).
# Static binaries (no cgo): the Linux tray talks D-Bus in Go.
LINUX_ARCHES ?= amd64 arm64
dist-linux:
	@mkdir -p $(DIST)
	$(GO) run ./installer/packaging/stage -target linux -o $(DIST)/stage/linux
	@for arch in $(LINUX_ARCHES); do \
		echo "build linux/$$arch"; \
		GOOS=linux GOARCH=$$arch CGO_ENABLED=0 $(GO) build -buildvcs=true -trimpath -ldflags '$(LDFLAGS)' \
			-o $(DIST)/linux-$$arch/clearance ./cmd/clearance || exit 1; \
		for p in deb rpm; do \
			ARCH=$$arch BIN=$(DIST)/linux-$$arch/clearance STAGE=$(DIST)/stage/linux PKGVERSION=$(PKGVERSION) \
				$(TOOL) nfpm package --config installer/packaging/linux/nfpm.yaml --packager $$p --target $(DIST)/ || exit 1; \
		done; \
	done

# The Windows .msi (installer/packaging/windows/README.md). clearance.exe
# gets its icon, version resource and manifest from a .syso that go-winres
# writes into cmd/clearance only for this build, so other builds stay as they
# are; the package's source is rendered from the installer package, and wixl
# (Debian's wixl) builds the .msi. wixl reports authoring errors as
# "CRITICAL" lines yet exits 0, so they fail the build here. WINSIGN=CMD
# signs: CMD FILE is run on clearance.exe before it is packed and on the
# .msi after (see the README there); a signed build is no longer
# reproducible, as signatures carry their time.
WINSTAGE := $(DIST)/stage/windows
WINMSI   := $(DIST)/clearance-$(PKGVERSION)-windows-amd64.msi
WINSYSO  := cmd/clearance/rsrc_windows_amd64.syso
dist-windows:
	$(GO) run ./installer/packaging/stage -target windows -version $(PKGVERSION) \
		-template installer/packaging/windows/clearance.wxs.tmpl -o $(WINSTAGE)
	trap 'rm -f $(WINSYSO)' EXIT; \
	$(TOOL) go-winres make --in installer/packaging/windows/winres/winres.json --arch amd64 \
		--out cmd/clearance/rsrc --file-version $(PKGVERSION) --product-version $(PKGVERSION) && \
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -buildvcs=true -trimpath -ldflags '$(LDFLAGS)' \
		-o $(WINSTAGE)/clearance.exe ./cmd/clearance
	cp assets/ico/clear.ico $(WINSTAGE)/clearance.ico
	$(if $(WINSIGN),$(WINSIGN) $(WINSTAGE)/clearance.exe)
	touch -d @$(SOURCE_DATE_EPOCH) $(WINSTAGE)/clearance.exe $(WINSTAGE)/clearance.ico
	@mkdir -p $(DIST)
	cd $(WINSTAGE) && out=$$(wixl --arch x64 -o $(abspath $(WINMSI)) clearance.wxs 2>&1); s=$$?; \
	if [ -n "$$out" ]; then echo "$$out"; fi; \
	if [ $$s -ne 0 ] || echo "$$out" | grep -q CRITICAL; then \
		rm -f $(abspath $(WINMSI)); echo "wixl could not build the .msi: see above" >&2; exit 1; fi
	$(if $(WINSIGN),$(WINSIGN) $(WINMSI))
	@echo "built $(WINMSI)"

# Checks the .msi's tables, then builds it again and checks that both are
# the same package: equal tables and streams, and the same clearance.exe.
# See installer/packaging/windows/check-msi.sh. AGAIN_GOCACHE=DIR builds the
# second with that Go build cache instead of the shared one: an empty folder
# has everything compiled anew (about 6 minutes on 2 cores).
WINAGAIN := $(DIST)/.again
check-dist-windows: dist-windows
	installer/packaging/windows/check-msi.sh $(WINMSI)
	rm -rf $(WINAGAIN)
	$(if $(AGAIN_GOCACHE),GOCACHE=$(abspath $(AGAIN_GOCACHE))) $(MAKE) --no-print-directory dist-windows \
		DIST=$(WINAGAIN) PKGVERSION=$(PKGVERSION) VERSION=$(VERSION)
	installer/packaging/windows/check-msi.sh --same $(WINMSI) $(WINAGAIN)/$(notdir $(WINMSI))
	rm -rf $(WINAGAIN)

# macOS: per architecture, dist/macos/<arch>/ holds the package's payload
# (root/: the app with the cross-built binary, the LaunchDaemon, the
# LaunchAgent), its scripts and build-pkg.sh, which makes the signed and
# notarized .pkg on a Mac, where the tray's cgo build is possible. See
# installer/packaging/macos/README.md.
MACOS_ARCHS := amd64 arm64
dist-macos:
	@for arch in $(MACOS_ARCHS); do \
		echo "layout macos/$$arch"; \
		GO='$(GO)' VERSION='$(VERSION)' PKGVERSION='$(PKGVERSION)' \
			sh installer/packaging/macos/layout.sh '$(DIST)/macos/'"$$arch" "$$arch" || exit 1; \
	done

# Two layouts of one commit are the same, file for file: content, mode and
# time.
dist-macos-repro:
	@rm -rf $(DIST)/repro && mkdir -p $(DIST)/repro
	$(MAKE) --no-print-directory dist-macos DIST=$(DIST)/repro/a
	$(MAKE) --no-print-directory dist-macos DIST=$(DIST)/repro/b
	@sh installer/packaging/macos/treesum.sh $(DIST)/repro/a/macos >$(DIST)/repro/a.sums
	@sh installer/packaging/macos/treesum.sh $(DIST)/repro/b/macos >$(DIST)/repro/b.sums
	@diff -u $(DIST)/repro/a.sums $(DIST)/repro/b.sums && echo "dist-macos is reproducible: $$(wc -l <$(DIST)/repro/a.sums) files and folders alike"

# -buildvcs=true: the commit is stamped for `clearance version` even where
# GOFLAGS says otherwise.
build:
	$(GO) build -buildvcs=true -trimpath -ldflags '$(LDFLAGS)' -o clearance ./cmd/clearance

# timed NAME,COMMAND runs COMMAND and notes in $(TIMES) how long it took;
# make test prints them all at the end.
TIMES := $(CURDIR)/.test-times
timed = @echo "== $(1)"; start=$$(date +%s); $(2); s=$$?; echo "$(1): $$(( $$(date +%s) - start )) s" >>$(TIMES); exit $$s

# The whole test suite: vet and cross-builds first, then every test. Tests
# that need root (network namespaces, chrony) skip with the reason when not
# root, and are mandatory when CI=true.
test:
	@: >$(TIMES)
	$(call timed,lint and cross-builds,$(MAKE) --no-print-directory lint cross)
	$(call timed,go test,$(GO) test $(RACE) -count=1 -timeout 30m -skip '^TestWine$$' ./...)
	$(call timed,soak of 1000 runs,$(MAKE) --no-print-directory soak SOAK_CYCLES=1000)
	$(call timed,fuzz 10 s a target,$(MAKE) --no-print-directory fuzz FUZZTIME=10s)
	$(call timed,dist-check,$(MAKE) --no-print-directory dist-check)
	$(call timed,wine-smoke,$(MAKE) --no-print-directory wine-smoke)
	@echo "make test: the time each part took"; cat $(TIMES)

# The Windows build run under Wine 8 (installer/packaging/wine/README.md):
# clearance.exe, its agent on the named pipe, and every package's tests
# compiled for Windows, in a throwaway prefix. It runs alone, after the
# rest, for it takes both cores for a while; it skips without Debian's
# wine64 and gcc-mingw-w64-x86-64, and fails without them when CI=true.
wine-smoke:
	$(GO) test -count=1 -timeout 30m -run '^TestWine$$' -v ./cmd/clearance

# The fault suite: the real binary's check against a loopback world where
# one thing fails as the outside world does, and the table of what it said
# (also part of go test ./...).
faults:
	$(GO) test -count=1 -run '^TestFaults' -v ./cmd/clearance

# gofmt, go vet and staticcheck (a Go tool, pinned in go.mod) for each OS
# Clearance runs on: per-OS code is only seen when built for that OS.
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@sc=$$($(GO) tool -n staticcheck) && for os in linux windows darwin; do \
		echo "staticcheck $$os"; GOOS=$$os CGO_ENABLED=0 $$sc ./... || exit 1; \
	done

vet:
	$(GO) vet ./...
	$(GO) vet -tags crashpoints,fakeclock ./platform/...
	GOOS=windows CGO_ENABLED=0 $(GO) vet ./...
	GOOS=darwin CGO_ENABLED=0 $(GO) vet ./...

cross:
	@for t in $(CROSS); do \
		echo "build $$t"; \
		GOOS=$${t%/*} GOARCH=$${t#*/} CGO_ENABLED=0 $(GO) build -o /dev/null ./... || exit 1; \
	done

# The crash suite: the program built with -tags crashpoints, killed at each
# step of dns-public, dns-restore and clear-site-cookies and at random
# moments (CLEARANCE_CRASH_RUNS, default 30 per fix; CLEARANCE_CRASH_SEED
# replays a run), then started again. Needs root; `go test` runs it too.
.PHONY: crash
crash:
	$(GO) test -count=1 -v -run '^TestCrash' ./cmd/clearance

# Wall and CPU time of whole `clearance check` runs, and the engine's own
# benchmarks. See .ci/bench.
bench:
	bash .ci/bench

# Every fuzz target of the module (any FuzzXxx in a test file; nothing to
# list here), FUZZTIME each, one after another, then a table of executions
# per second. A crasher fails the run and is left in its package's
# testdata/fuzz/FuzzXxx/: fix the bug and commit the file, a seed from then
# on. See scripts/fuzzall. FUZZ=REGEXP picks targets by name.
FUZZTIME ?= 30s
FUZZ     ?=
fuzz:
	GO='$(GO)' $(GO) run ./scripts/fuzzall -fuzztime $(FUZZTIME) $(if $(FUZZ),-run '$(FUZZ)') ./...

# The agent in the test internet for SOAK_CYCLES runs asked for back to
# back, sampled every 1,000 (a tenth of a shorter soak): it fails when the
# agent's goroutines, descriptors or memory grow after the first sample,
# and prints the table (cmd/clearance/soak_linux_test.go). Needs root, for
# the namespaces. `make test` runs 1,000; the race detector is left out,
# as it would be measured too.
SOAK_CYCLES ?= 10000
soak:
	SOAK_CYCLES=$(SOAK_CYCLES) $(GO) test -count=1 -timeout 60m -run '^TestSoak$$' -v ./cmd/clearance

# The security regression tests (docs/security.md): a second uid
# (setpriv) against the real agent over its real socket, and the checks
# of what root reads and writes. They need root, and skip saying so
# without it (they fail instead when CI=true).
SECURITY_PKGS := ./cmd/clearance ./agent ./agent/api ./agent/metrics ./platform/host ./platform/dnsfix
.PHONY: security
security:
	$(GO) test -count=1 -timeout 10m -run '^TestSecurity' $(SECURITY_PKGS)

clean:
	rm -f clearance clearance.exe $(WINSYSO)
	rm -rf $(DIST)
