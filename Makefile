# nodex: a Prometheus node exporter in C.
#
#   make            build ./nodex
#   make run        install missing build dependencies, build, run on :9100
#   make test       install missing build and test dependencies, build, run every test
#   make bench      nodex and node_exporter side by side
#   make reliability idle/slow connections, 100k scrapes (RSS), malformed requests, a hung file: a table
#   make SANITIZE=1 ASan + UBSan build;  make WERROR=1  warnings are errors (CI)

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
REVISION := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BRANCH   := $(shell git symbolic-ref --short HEAD 2>/dev/null || echo unknown)

CC      ?= cc
PKGS    := libmicrohttpd libsystemd yaml-0.1 libdeflate libpcre2-8 gnutls libcrypt json-c
BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
           -Wpointer-arith -Wvla -Wundef -Wno-missing-field-initializers
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE -fcf-protection
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) -Iinclude -MMD -MP \
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

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS       = $(PKG_LIBS) -lm -lpthread

CORE_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
COLL_SRC  := $(wildcard collectors/*.c)
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o) $(COLL_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/src/main.o
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
HARNESS   := $(BUILD)/tests/unit/harness.o

ifeq ($(SANITIZE),1)
BIN := $(BUILD)/nodex
else
BIN := nodex
endif

.PHONY: all run test check unit units deps test-deps npm-deps bench reliability clean install fuzz fuzz-list
all: $(BIN)

$(BIN): $(CORE_OBJ) $(MAIN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# One executable per unit-test file, so test files never share a registry.
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(HARNESS) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

units: $(UNIT_BINS) $(BUILD)/tests/tools/hangfs $(BUILD)/tests/tools/slowfs $(BUILD)/tests/tools/fake-systemd

# libFuzzer targets (clang, ASan + UBSan, UBSan aborting): tests/fuzz/fuzz_<name>.c each, and one per
# collector that reads outside input: tests/fuzz/fuzz_collector.c built with -DFUZZ_COLLECTOR=<name>. The
# core and the collectors are compiled once, with coverage, into build-fuzz/obj. See tests/fuzz/README.md.
# Not fuzzed: perf (perf_event_open counters), systemd and logind (D-Bus through sd-bus), uname (uname(2)).
FUZZ_CC     ?= clang
FUZZ_SKIP   := perf systemd logind uname
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -Iinclude -fno-omit-frame-pointer -MMD -MP $(FUZZ_SAN)
FUZZ_COLLECTORS := $(filter-out $(FUZZ_SKIP),$(basename $(notdir $(COLL_SRC))))
FUZZ_MISC   := $(filter-out fuzz_collector,$(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_OBJ    := $(CORE_SRC:%.c=build-fuzz/obj/%.o) $(COLL_SRC:%.c=build-fuzz/obj/%.o)
FUZZ_BINS   := $(FUZZ_MISC:%=build-fuzz/%) $(FUZZ_COLLECTORS:%=build-fuzz/fuzz_%)
fuzz: $(FUZZ_BINS)

# The names of the fuzz targets, for scripts (tests/fuzz/campaign.sh, tests/suites/fuzz-smoke.sh).
fuzz-list:
	@echo $(FUZZ_BINS:build-fuzz/fuzz_%=%)

# The dependency files are only read: no implicit rule may try to make them (%: %.o would).
build-fuzz/obj/%.d: ;

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/obj/tests/fuzz/collector_%.o: tests/fuzz/fuzz_collector.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -DFUZZ_COLLECTOR=$* -c -o $@ $<

$(FUZZ_MISC:%=build-fuzz/%): build-fuzz/%: build-fuzz/obj/tests/fuzz/%.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

$(FUZZ_COLLECTORS:%=build-fuzz/fuzz_%): build-fuzz/fuzz_%: build-fuzz/obj/tests/fuzz/collector_%.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

$(BUILD)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The systemd collector's tests: answers as org.freedesktop.systemd1 on a private dbus-daemon (sd-bus).
$(BUILD)/tests/tools/fake-systemd: tests/tools/fake-systemd.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS)

# ---- dependencies, from Debian's archive ----
BUILD_DEBS := build-essential pkg-config libmicrohttpd-dev libsystemd-dev libyaml-dev libdeflate-dev libpcre2-dev \
              libgnutls28-dev libcrypt-dev libjson-c-dev
# Node.js and npm come from Debian unless they are already on PATH: NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package, so asking apt for it would fail.
NODE_DEBS  := $(if $(shell command -v node 2>/dev/null),,nodejs) $(if $(shell command -v npm 2>/dev/null),,npm)
TEST_DEBS  := prometheus prometheus-node-exporter prometheus-alertmanager python3 curl openssl clang \
              libclang-rt-14-dev dbus systemd $(NODE_DEBS) iproute2 procps

deps:
	@tests/setup-deps.sh $(BUILD_DEBS)

test-deps:
	@tests/setup-deps.sh $(BUILD_DEBS) $(TEST_DEBS)
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

unit: $(UNIT_BINS)
	@tests/run-all.sh --unit-only $(BUILD)

# CI builds with -Werror and runs everything, once more under ASan+UBSan.
test: test-deps
	@$(MAKE) --no-print-directory WERROR=1 all units
	@$(MAKE) --no-print-directory WERROR=1 SANITIZE=1 all units
	@tests/run-all.sh

# make bench's client, tracer and peer.
BENCH_DEBS := wrk strace prometheus-node-exporter python3 curl

bench: deps
	@tests/setup-deps.sh $(BENCH_DEBS)
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
	install -D -m 0755 nodex $(DESTDIR)$(PREFIX)/bin/nodex
	install -D -m 0644 systemd/nodex.8 $(DESTDIR)$(PREFIX)/share/man/man8/nodex.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's#/usr/local/bin/nodex#$(PREFIX)/bin/nodex#g; s#/etc/nodex/#$(SYSCONFDIR)/nodex/#g' \
		systemd/nodex.service >$(DESTDIR)$(UNITDIR)/nodex.service
	install -m 0644 systemd/nodex.socket $(DESTDIR)$(UNITDIR)/nodex.socket
	install -D -m 0644 systemd/nodex-socket.conf $(DESTDIR)$(PREFIX)/share/doc/nodex/nodex-socket.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/nodex/nodex.yml || \
		install -D -m 0644 systemd/nodex.yml $(DESTDIR)$(SYSCONFDIR)/nodex/nodex.yml

clean:
	rm -rf build build-sanitize build-fuzz nodex

-include $(CORE_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_BINS:=.d) $(HARNESS:.o=.d) $(wildcard build-fuzz/obj/*/*.d build-fuzz/obj/tests/fuzz/*.d)
