# nodex: a Prometheus node exporter in C.
#
#   make              build ./nodex
#   make ARCH=arm64   cross-build build-arm64/nodex (arm64, armhf, s390x: tests/arches); installs
#                     the cross compiler and qemu-user-static, makes build-arm64/sysroot from Debian's
#                     archive; tests/tools/run-arch arm64 build-arm64/nodex runs it under qemu-user
#   make run          install missing build dependencies, build, run on :9100
#   make test         install missing build and test dependencies, build, run every test
#   make unit T=NAME  build and run one unit test (tests/unit/test_NAME.c); without T, all of them
#   make bench        nodex and node_exporter side by side
#   make reliability  idle/slow connections, 100k scrapes (RSS), malformed requests, a hung file: a table
#   make fuzz         the libFuzzer targets (tests/fuzz/fuzz.mk)
#   make SANITIZE=1   ASan + UBSan build;  make WERROR=1  warnings are errors (CI)
# The Debian package lists are in tests/setup-deps.sh.

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
REVISION := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BRANCH   := $(shell git symbolic-ref --short HEAD 2>/dev/null || echo unknown)

CC      ?= cc
PKGS    := libsystemd yaml-0.1 libdeflate libpcre2-8 gnutls libcrypt
# Headers only, loaded with dlopen() on first use (include/dynlib.h): libsystemd's sd-bus when a D-Bus
# collector first needs it (the service protocols are spoken directly, src/libsystemd.c); GnuTLS when the
# web configuration asks for TLS or basic auth (src/libgnutls.c); libcrypt's bcrypt when a password is
# first checked (src/libcrypt.c); libyaml when a YAML file is first read (src/libyaml.c).
DLOPEN_PKGS := libsystemd gnutls libcrypt yaml-0.1
BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=

# ---- the target architecture: a Debian name from tests/arches, the host's by default ----
arch_field = $(shell awk -v a='$1' '$$1 == a { print $$$2 }' tests/arches)
HOST_ARCH  := $(or $(shell dpkg --print-architecture 2>/dev/null),$(shell awk -v m="$$(uname -m)" '$$3 == m { print $$1 }' tests/arches))
ARCH       ?= $(HOST_ARCH)
ARCH_BITS  := $(or $(call arch_field,$(ARCH),4),$(shell getconf LONG_BIT))
PKG_CONFIG := pkg-config
ifneq ($(ARCH),$(HOST_ARCH))
# Cross build: the cross compiler against a sysroot of the target's Debian 12 -dev packages. Everything
# goes to build-<arch>/, the binary too; pkg-config reads only the sysroot's .pc files.
TRIPLET := $(call arch_field,$(ARCH),2)
ifeq ($(TRIPLET),)
$(error ARCH=$(ARCH) is not in tests/arches)
endif
ifeq ($(SANITIZE),1)
$(error SANITIZE=1 is for native builds only)
endif
CROSS      := 1
BUILD      := build-$(ARCH)
SYSROOT    := $(CURDIR)/$(BUILD)/sysroot
CC         := $(TRIPLET)-gcc --sysroot=$(SYSROOT)
PKG_CONFIG := PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) \
              PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(TRIPLET)/pkgconfig:$(SYSROOT)/usr/share/pkgconfig pkg-config
# What the compile steps wait for: the cross tools and the sysroot (tests/setup-deps.sh).
SETUP      := $(SYSROOT)/.debs
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
           -Wpointer-arith -Wvla -Wundef -Wno-missing-field-initializers
# Hardening that exists on the target: control-flow protection is x86's CET, branch protection arm64's
# PAC/BTI. 32-bit targets get 64-bit off_t and time_t (large files, no 2038 overflow).
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE
HARDEN  += $(if $(filter amd64 i386,$(ARCH)),-fcf-protection) $(if $(filter arm64,$(ARCH)),-mbranch-protection=standard)
LARGE   := $(if $(filter 32,$(ARCH_BITS)),-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(LARGE) $(WARN) $(HARDEN) -Iinclude -MMD -MP \
           -DNODEX_VERSION='"$(VERSION)"' -DNODEX_REVISION='"$(REVISION)"' -DNODEX_BRANCH='"$(BRANCH)"'
# Packed relative relocations (DT_RELR, glibc 2.36) where the linker has them: 150 kB less of relocation
# records read at start and kept resident.
RELR    := $(shell $(CC) -Wl,--help 2>/dev/null | grep -q pack-relative-relocs && echo -Wl,-z,pack-relative-relocs)
LDFLAGS += -pie -Wl,-z,relro -Wl,-z,now -Wl,--as-needed $(RELR)
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
CFLAGS  := $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS))
BUILD   := build-sanitize
endif

# pkg-config runs once per make, when the first object is compiled or linked -- after `make deps` or the
# sysroot step has installed the packages -- and stops the build naming what is missing. (A variable
# that replaces itself with its := value on first use.)
PKG_MISSING = $(eval PKG_MISSING := $(shell for p in $(PKGS); do $(PKG_CONFIG) --exists $$p || echo $$p; done))$(PKG_MISSING)
pkg_config  = $(if $(PKG_MISSING),$(error pkg-config finds no $(PKG_MISSING) for $(ARCH): \
              $(if $(CROSS),remove $(BUILD)/sysroot and run make ARCH=$(ARCH) again,run make deps)),$(shell $(PKG_CONFIG) $1 $2))
PKG_CFLAGS  = $(eval PKG_CFLAGS := $(call pkg_config,--cflags,$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS    = $(eval PKG_LIBS := $(call pkg_config,--libs,$(filter-out $(DLOPEN_PKGS),$(PKGS))))$(PKG_LIBS)
LIBS        = $(PKG_LIBS) -lm -lpthread

CORE_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
COLL_SRC  := $(wildcard collectors/*.c)
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o) $(COLL_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/src/main.o
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
HARNESS   := $(BUILD)/tests/unit/harness.o
TOOLS     := $(if $(CROSS),fake-systemd,hangfs slowfs fake-systemd)

ifneq ($(SANITIZE)$(CROSS),)
BIN := $(BUILD)/nodex
else
BIN := nodex
endif

.PHONY: all run test unit units deps test-deps npm-deps bench reliability clean distclean install rootfs
all: $(BIN)

$(BIN): $(CORE_OBJ) $(MAIN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c | $(SETUP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# One executable per unit-test file, so test files never share a registry. Their objects are kept, so a
# second `make units` compiles nothing.
.SECONDARY: $(UNIT_BINS:=.o) $(HARNESS)
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(HARNESS) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
# test_logind serves a fake logind with sd-bus itself, so it links libsystemd; the collector under test
# still goes through src/libsystemd.c, whose dlsym() finds the same library.
$(BUILD)/tests/unit/test_logind: LIBS += $(call pkg_config,--libs,libsystemd)

units: $(UNIT_BINS) $(TOOLS:%=$(BUILD)/tests/tools/%)

# make unit T=meminfo: one unit test; without T every unit test of $(BUILD). A cross build's run under
# qemu-user, where the live tests that need what it does not emulate skip (tests/unit/harness.h).
T ?=
UNIT_RUN := $(if $(CROSS),NODEX_QEMU_USER=$(ARCH) tests/tools/run-arch $(ARCH))
ifneq ($(T),)
unit: $(BUILD)/tests/unit/test_$(T:test_%=%) $(TOOLS:%=$(BUILD)/tests/tools/%)
	$(UNIT_RUN) $<
else ifdef CROSS
unit: units
	@failed=; for t in $(UNIT_BINS); do $(UNIT_RUN) $$t >/dev/null 2>&1 || failed="$$failed $${t##*/}"; done; \
	 [ -z "$$failed" ] && echo "$(words $(UNIT_BINS)) unit tests passed under qemu-user" || { echo "failed:$$failed"; exit 1; }
else
unit: units
	@tests/run-all.sh --unit-only $(BUILD)
endif

$(BUILD)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

ifdef CROSS
# test_systemd starts ../tools/fake-systemd beside itself. A cross build's tests use the host's: qemu-user
# without binfmt cannot start a foreign binary, and the peer only has to speak D-Bus to the collector.
$(BUILD)/tests/tools/fake-systemd: FORCE
	@$(MAKE) --no-print-directory ARCH=$(HOST_ARCH) build/tests/tools/fake-systemd
	@mkdir -p $(dir $@) && ln -sf ../../../build/tests/tools/fake-systemd $@
.PHONY: FORCE
FORCE:
else
# The systemd collector's tests: answers as org.freedesktop.systemd1 on a private dbus-daemon (sd-bus).
$(BUILD)/tests/tools/fake-systemd: tests/tools/fake-systemd.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) $(call pkg_config,--libs,libsystemd)
endif

# ---- the cross build's sysroot: remade when the package list changes ----
ifdef CROSS
SYSROOT_DEBS := $(shell tests/setup-deps.sh list lib)
ifneq ($(strip $(file <$(SETUP))),$(SYSROOT_DEBS))
.PHONY: $(SETUP)
endif
$(SETUP):
	@tests/setup-deps.sh cross $(ARCH)
	@tests/setup-deps.sh sysroot $(ARCH) $(SYSROOT)
	@echo '$(SYSROOT_DEBS)' >$@
endif

# ---- dependencies, from Debian's archive (the lists: tests/setup-deps.sh) ----
deps:
	@tests/setup-deps.sh build

test-deps:
	@tests/setup-deps.sh test
	@$(MAKE) --no-print-directory npm-deps

# The deploy tests' pinned npm packages (tests/deploy/package-lock.json): npm ci, again only when the
# lock file changes. Offline once installed.
NPM_STAMP := tests/deploy/node_modules/.installed
npm-deps: $(NPM_STAMP)
$(NPM_STAMP): tests/deploy/package.json tests/deploy/package-lock.json
	cd tests/deploy && npm ci --no-audit --no-fund
	@touch $@

run: deps
	@$(MAKE) --no-print-directory all
	./nodex

# CI builds with -Werror and runs everything, once more under ASan+UBSan; the foreign architectures are
# cross-built and run under qemu-user by their suites (tests/suites/arch-*.sh).
test: test-deps
	@$(MAKE) --no-print-directory WERROR=1 all units
	@$(MAKE) --no-print-directory WERROR=1 SANITIZE=1 all units
	@tests/run-all.sh

bench: deps
	@tests/setup-deps.sh bench
	@$(MAKE) --no-print-directory all
	@tests/bench/bench.sh

# The full reliability run (100,000 scrapes, about two minutes); make test runs a shorter one
# (tests/suites/reliability.sh) and the same again under ASan+UBSan (tests/suites/sanitizer.sh).
reliability: test-deps
	@$(MAKE) --no-print-directory all $(BUILD)/tests/tools/hangfs
	@tests/reliability/run.sh

# PREFIX=/usr puts units in /lib/systemd/system; other prefixes in /etc/systemd/system. The shipped
# configuration is installed only when none exists, so an upgrade keeps the operator's file.
SYSCONFDIR ?= /etc
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(SYSCONFDIR)/systemd/system)
install: all
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/nodex
	install -D -m 0644 systemd/nodex.8 $(DESTDIR)$(PREFIX)/share/man/man8/nodex.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's#/usr/local/bin/nodex#$(PREFIX)/bin/nodex#g; s#/etc/nodex/#$(SYSCONFDIR)/nodex/#g' \
		systemd/nodex.service >$(DESTDIR)$(UNITDIR)/nodex.service
	install -m 0644 systemd/nodex.socket $(DESTDIR)$(UNITDIR)/nodex.socket
	install -D -m 0644 systemd/nodex-socket.conf $(DESTDIR)$(PREFIX)/share/doc/nodex/nodex-socket.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/nodex/nodex.yml || \
		install -D -m 0644 systemd/nodex.yml $(DESTDIR)$(SYSCONFDIR)/nodex/nodex.yml

# The container image's tree (deploy/container/Dockerfile): the binary, stripped, and exactly the shared
# libraries it loads, from the sysroot of a cross build or from / for a native one.
ROOTFS ?= $(BUILD)/rootfs
rootfs: all
	deploy/container/rootfs.sh $(BIN) $(or $(SYSROOT),/) $(call arch_field,$(ARCH),2) $(ROOTFS)

# clean keeps the cross builds' sysroots (build-<arch>/sysroot, made from Debian's archive); distclean
# removes them too.
clean:
	rm -rf build build-sanitize build-fuzz nodex
	for d in build-*/; do [ -d "$$d" ] && find "$$d" -mindepth 1 -maxdepth 1 ! -name sysroot -exec rm -rf {} +; done; true

distclean: clean
	rm -rf build-*/

include tests/fuzz/fuzz.mk

-include $(CORE_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_BINS:=.d) $(HARNESS:.o=.d)
