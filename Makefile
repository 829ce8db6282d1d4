# faultline — build, test, bench.
#   make            bin/faultline, bin/faultline-agent (offline; needs the packages of scripts/packages.txt)
#   make deps       install missing Debian packages (root)
#   make check      deps + build + sanitizer test build + the test suite
#   make check-slow the slow checks (kernel builds, multi-arch boots)
#   make bench      benchmark scripts (print figures; never pass/fail on timing)
#   make SAN=1      ASan+UBSan build into build/san/

CC      ?= gcc
SAN     ?=
ifeq ($(SAN),1)
BUILD   ?= build/san
BINDIR  ?= build/san/bin
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1
else
BUILD   ?= build/release
BINDIR  ?= bin
SANFLAGS :=
OPT     := -O2
endif

KSRC_TAR ?= /usr/src/linux-source-6.12.tar.xz
KSRC     := build/ksrc
LIBPERF  := build/libperf
LIBPERF_LIBS := $(LIBPERF)/obj/libperf.a $(LIBPERF)/obj/libapi.a

# The host's folders (runner/README.md, analysis/README.md): each is on the include path.
subdirs = $(1) $(patsubst %/,%,$(wildcard $(1)/*/))
RUNNER_DIRS   := $(call subdirs,runner)
ANALYSIS_DIRS := $(call subdirs,analysis)
CPPFLAGS += -D_GNU_SOURCE -Icommon -Iworkloads $(addprefix -I,$(RUNNER_DIRS) $(ANALYSIS_DIRS)) -I$(LIBPERF)/inst/include
CFLAGS   += -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wno-unused-parameter -pthread $(SANFLAGS)
LDFLAGS  += -pthread $(SANFLAGS)
VERSION  := 0.1.0
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
CPPFLAGS += -DFL_VERSION='"$(VERSION)"' -DFL_COMMIT='"$(GIT_COMMIT)"'

COMMON_SRC := $(wildcard common/*.c)
AGENT_SRC  := $(wildcard workloads/*.c workloads/lib/*.c workloads/probes/*.c)
AGENT_MAIN := workloads/agent_main.c
HOST_SRC   := $(wildcard $(addsuffix /*.c,$(RUNNER_DIRS) $(ANALYSIS_DIRS)))
HOST_MAIN  := runner/main.c

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC)) $(BUILD)/obj/common/schema_blob.o
AGENT_OBJ  := $(call obj,$(filter-out $(AGENT_MAIN),$(AGENT_SRC)))
HOST_OBJ   := $(call obj,$(filter-out $(HOST_MAIN),$(HOST_SRC)))

# Nettle (SHA-256, common/fl_sha256.h): shared for faultline, the static archive for the agent,
# which is copied to guests and ssh hosts without it (~40 KB; the host's -lnettle comes first).
AGENT_LIBS := $(LIBPERF_LIBS) -ljansson -lhwloc -lpfm -l:libnettle.a -lm
HOST_LIBS  := -ljansson -lgsl -lgslcblas -lnettle -lm

TEST_SRC   := $(wildcard tests/unit/test_*.c)
TEST_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))

.PHONY: all deps deps-cross agents check check-slow bench clean distclean tests
all: $(BINDIR)/faultline $(BINDIR)/faultline-agent $(if $(ARCHES),agents)

# Cross agents bin/<arch>/faultline-agent for QEMU guests (scripts/cross-agent.sh):
#   make agents [ARCHES="aarch64 ppc64le s390x"]   or   make ARCHES="..."
agents:
	@for a in $(or $(ARCHES),aarch64 ppc64le s390x); do scripts/cross-agent.sh $$a || exit; done
deps-cross:
	scripts/deps.sh --cross $(ARCHES)

deps:
	scripts/deps.sh

# libperf is not packaged by Debian: build it from linux-source-6.12's tools/lib/perf.
$(LIBPERF)/.built: | scripts/deps.sh
	@scripts/deps.sh --check
	@echo "  LIBPERF  from $(KSRC_TAR)"
	@rm -rf $(KSRC) $(LIBPERF) && mkdir -p $(KSRC) $(LIBPERF)/obj
	@tar -xJf $(KSRC_TAR) -C $(KSRC) --strip-components=1 \
		linux-source-6.12/tools/lib linux-source-6.12/tools/include \
		linux-source-6.12/tools/build linux-source-6.12/tools/scripts \
		linux-source-6.12/tools/arch
	@$(MAKE) -s -C $(KSRC)/tools/lib/perf O=$(abspath $(LIBPERF)/obj) \
		DESTDIR=$(abspath $(LIBPERF)/inst) prefix= $(LIBPERF_MAKEFLAGS) install_headers install_lib \
		> $(LIBPERF)/build.log 2>&1 || { tail -20 $(LIBPERF)/build.log; exit 1; }
	@touch $@

$(BUILD)/obj/%.o: %.c $(LIBPERF)/.built
	@mkdir -p $(dir $@)
	@echo "  CC       $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/common/schema_blob.o: common/schema_blob.S schema/faultline-1.schema.json
	@mkdir -p $(dir $@)
	@$(CC) $(SANFLAGS) -c $< -o $@

# Made afresh: `ar rcs` into an existing archive keeps the members of files moved or removed
# since, and the linker may take a stale one's symbols.
$(BUILD)/libfl-agent.a: $(AGENT_OBJ) $(COMMON_OBJ)
	@rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/libfl-host.a: $(HOST_OBJ) $(COMMON_OBJ)
	@rm -f $@ && $(AR) rcs $@ $^

$(BINDIR)/faultline-agent: $(call obj,$(AGENT_MAIN)) $(BUILD)/libfl-agent.a
	@mkdir -p $(dir $@)
	@echo "  LD       $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS)

# The host links the agent's library after its own for what it shares with the agent:
# faultline doctor reads the knobs journal (lib/knobs.h) and the TLB facts (probes/tlb_flush.h).
$(BINDIR)/faultline: $(call obj,$(HOST_MAIN)) $(BUILD)/libfl-host.a $(BUILD)/libfl-agent.a
	@mkdir -p $(dir $@)
	@echo "  LD       $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(HOST_LIBS) $(AGENT_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfl-agent.a $(BUILD)/libfl-host.a
	@mkdir -p $(dir $@)
	@echo "  TEST     $@"
	@$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(BUILD)/libfl-host.a $(BUILD)/libfl-agent.a $(AGENT_LIBS) $(HOST_LIBS) -lcmocka

tests: $(TEST_BINS)

check: deps
	$(MAKE) all
	$(MAKE) agents || echo "faultline: the cross agents were not built; the multi-arch QEMU tests will skip"
	$(MAKE) SAN=1 all tests
	tests/run-tests.sh

check-slow: check
	scripts/deps.sh --slow
	tests/run-tests.sh --slow

bench: all
	bench/probe-overhead.sh
	bench/workload-cov.sh
	bench/compare-speed.sh
	bench/qemu-overhead.sh

clean:
	rm -rf build/release build/san build/cross bin
distclean: clean
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- fuzzing (issue #12): libFuzzer targets tests/fuzz/fuzz_*.c, built with clang into build/fuzz
#   make fuzz [FUZZ_S=60]     build every target, then run each FUZZ_S seconds (tests/fuzz/run.sh)
#   make fuzz-build           only build build/fuzz/fuzz_*
FUZZ_S       ?= 60
FUZZ_CC      ?= clang
FUZZ_BUILD   := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# The project's warnings; clang 14 is clean on these sources (it is not on workloads/ebizzy.c:
# -Wmissing-field-initializers for a { NULL } terminator, which gcc 12 accepts).
FUZZ_CFLAGS  := -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -pthread $(FUZZ_SAN)
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
# Only the parsers and what they call, so a target does not depend on unrelated code.
FUZZ_LIB_SRC := $(COMMON_SRC) $(wildcard workloads/probes/procparse*.c) \
		$(addprefix analysis/,runload.c runload_scan.c runload_items.c casedoc.c console_classify.c) \
		$(addprefix analysis/,compare.c compare_groups.c compare_stats.c compare_ids.c \
			compare_prec.c compare_shown.c stats.c bootstrap.c counts.c conditions.c \
			precision_doc.c summary.c) \
		$(addprefix runner/,run/suite.c run/agent_exec.c targets/qemu_chan.c lava/lava_collect.c)
FUZZ_OBJ     := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRC)) $(FUZZ_BUILD)/obj/common/schema_blob.o
# Replaced in the harness: the agent check (no process per case) and the LAVA writer (no file).
FUZZ_WRAP_fuzz_suite    := -Wl,--wrap=fl_child_run
FUZZ_WRAP_fuzz_lava_log := -Wl,--wrap=fl_json_write_atomic

.PHONY: fuzz fuzz-build
fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_S)
fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: %.c $(LIBPERF)/.built
	@mkdir -p $(dir $@)
	@echo "  FUZZCC   $<"
	@$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/obj/common/schema_blob.o: common/schema_blob.S schema/faultline-1.schema.json
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) -c $< -o $@

$(FUZZ_BUILD)/libfl-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_BUILD)/libfl-fuzz.a
	@echo "  FUZZLD   $@"
	@$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_WRAP_fuzz_$*) $(FUZZ_BUILD)/libfl-fuzz.a $(AGENT_LIBS) $(HOST_LIBS)

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
