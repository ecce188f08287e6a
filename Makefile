# Clearance: build, test, cross-build, benchmark.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Everything but the macOS tray builds without cgo.
CROSS   := windows/amd64 windows/arm64 darwin/amd64 darwin/arm64 linux/arm64
# The race detector needs cgo (a C compiler); without one, tests run without it.
RACE    := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race,)

.PHONY: build test lint vet cross bench fuzz clean dist wine-smoke

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

dist:

# -buildvcs=true: the commit is stamped for `clearance version` even where
# GOFLAGS says otherwise.
build:
	$(GO) build -buildvcs=true -trimpath -ldflags '$(LDFLAGS)' -o clearance ./cmd/clearance

# The whole test suite: vet and cross-builds first, then every test. Tests
# that need root (network namespaces, chrony) skip with the reason when not
# root, and are mandatory when CI=true.
test: lint cross
	$(GO) test $(RACE) -count=1 -timeout 20m -skip '^TestWine$$' ./...
	$(MAKE) wine-smoke

# The Windows build run under Wine 8 (installer/packaging/wine/README.md):
# clearance.exe, its agent on the named pipe, and every package's tests
# compiled for Windows, in a throwaway prefix. It runs alone, after the
# rest, for it takes both cores for a while; it skips without Debian's
# wine64 and gcc-mingw-w64-x86-64, and fails without them when CI=true.
wine-smoke:
	$(GO) test -count=1 -timeout 30m -run '^TestWine$$' -v ./cmd/clearance

# gofmt, go vet and staticcheck (a Go tool, pinned in go.mod) for each OS
# Clearance runs on: per-OS code is only seen when built for that OS.
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@sc=$$($(GO) tool -n staticcheck) && for os in linux windows darwin; do \
		echo "staticcheck $$os"; GOOS=$$os CGO_ENABLED=0 $$sc ./... || exit 1; \
	done

vet:
	$(GO) vet ./...
	GOOS=windows CGO_ENABLED=0 $(GO) vet ./...
	GOOS=darwin CGO_ENABLED=0 $(GO) vet ./...

cross:
	@for t in $(CROSS); do \
		echo "build $$t"; \
		GOOS=$${t%/*} GOARCH=$${t#*/} CGO_ENABLED=0 $(GO) build -o /dev/null ./... || exit 1; \
	done

# Wall and CPU time of whole `clearance check` runs, and the engine's own
# benchmarks. See .ci/bench.
bench:
	bash .ci/bench

# A short run of each fuzz target.
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./agent/diag/probe -run '^$$' -fuzz '^FuzzClassify$$' -fuzztime $(FUZZTIME)
	$(GO) test ./agent/diag/probe -run '^$$' -fuzz '^FuzzParseTrace$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/proxy -run '^$$' -fuzz '^FuzzMaskProxyCredentials$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/proxy -run '^$$' -fuzz '^FuzzParseWinINETConnection$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser -run '^$$' -fuzz '^FuzzParseLocalState$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser -run '^$$' -fuzz '^FuzzParsePreferences$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser -run '^$$' -fuzz '^FuzzParseManifest$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser -run '^$$' -fuzz '^FuzzParseExtensionsJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser -run '^$$' -fuzz '^FuzzParsePrefsJS$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser -run '^$$' -fuzz '^FuzzParseProfilesINI$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser -run '^$$' -fuzz '^FuzzParseCompatibilityINI$$' -fuzztime $(FUZZTIME)
	$(GO) test ./platform/browser/cookies -run '^$$' -fuzz '^FuzzIsOpenAIHost$$' -fuzztime $(FUZZTIME)

clean:
	rm -f clearance clearance.exe
	rm -rf $(DIST)
