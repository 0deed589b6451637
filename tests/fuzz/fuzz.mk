# libFuzzer targets (clang, ASan + UBSan, UBSan aborting), included by the Makefile: tests/fuzz/fuzz_<name>.c
# each, and one per collector that reads outside input: tests/fuzz/fuzz_collector.c built with
# -DFUZZ_COLLECTOR=<name>. The core and the collectors are compiled once, with coverage, into
# build-fuzz/obj. See tests/fuzz/README.md.
# Not fuzzed: perf (perf_event_open counters), systemd and logind (D-Bus through sd-bus), uname (uname(2)).
.PHONY: fuzz fuzz-list
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

-include $(wildcard build-fuzz/obj/*/*.d build-fuzz/obj/tests/fuzz/*.d)
