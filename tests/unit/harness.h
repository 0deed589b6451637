/* A small test harness. Each tests/unit/test_*.c file is its own executable: it calls the CHECK macros
 * and returns test_summary() from main(). Collector tests are tables of cases: files to write under a
 * fresh fixture root, flags to set, and the exact sample lines the collector must produce. */
#ifndef NODEX_TEST_HARNESS_H
#define NODEX_TEST_HARNESS_H

#include <stdio.h>

#include "collector.h"

extern int test_failures;
extern int test_checks;
/* The message the last collector run left in ctx->err. */
extern char test_last_error[512];
/* The first problem the last run reported with ctx_warn ("" for none). */
extern char test_last_warn[512];

#define CHECK(cond)                                                                        \
	do {                                                                               \
		test_checks++;                                                             \
		if (!(cond)) {                                                             \
			test_failures++;                                                   \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b) test_check_str(__FILE__, __LINE__, (a), (b))
#define CHECK_INT(a, b) test_check_int(__FILE__, __LINE__, #a, (long long)(a), (long long)(b))

void test_check_str(const char *file, int line, const char *got, const char *want);
void test_check_int(const char *file, int line, const char *expr, long long got, long long want);

/* Prints "<prog>: N checks, N failed" and returns the exit status (0 when nothing failed). */
int test_summary(const char *prog);

/* Under qemu-user (tests/suites/arch-*.sh sets NODEX_QEMU_USER), a live test that needs a kernel interface
 * qemu-user does not emulate calls this with the reason: it prints "<what>: skipped under qemu-user" and
 * returns true. Outside qemu it returns false and the test runs. */
bool test_qemu_lacks(const char *what);
/* True on a big-endian build: qemu-user translates a netlink request only when the header and payload
 * are in one iovec, so under it a big-endian nodex's requests reach the kernel unswapped. */
#define TEST_BIG_ENDIAN (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)

/* One file of a fixture tree. path is relative to the root ("proc/loadavg", "sys/class/net/eth0/mtu",
 * "udev/b8:0", "etc/os-release"). content NULL makes a directory; a content starting with "->" makes a
 * symlink to the rest of the string. */
struct tfile {
	const char *path;
	const char *content;
};

#define TEST_MAX_FILES 64
#define TEST_MAX_ARGS 8

struct collector_case {
	const char *name;
	struct tfile files[TEST_MAX_FILES];
	/* Flags, as on the command line: "--collector.vmstat.fields=^pg". "@ROOT@" is replaced by the
	 * case's fixture root: "--collector.textfile.directory=@ROOT@/textfile". */
	const char *args[TEST_MAX_ARGS];
	/* The expected sample lines, in output order (HELP and TYPE lines are not compared unless full is
	 * set, then expect is the whole exposition). */
	const char *expect;
	/* 0 when the run must succeed; 1 when it must fail (any negative return). */
	int expect_fail;
	bool full;
	/* When set, only the sample lines containing this text are compared (cases about one family of a
	 * collector with large output). */
	const char *needle;
	/* The problem the run must report with ctx_warn (a substring of the first one); NULL: it must
	 * report none. */
	const char *warn;
};

/* Writes a fixture tree under a fresh temporary directory and points nodex_paths at it: procfs at
 * <root>/proc, sysfs at <root>/sys, rootfs at <root>, udev data at <root>/udev. Returns the root (a
 * static buffer) or NULL. */
const char *test_make_root(const struct tfile *files, size_t n);
/* Removes the tree made by test_make_root. */
void test_remove_root(void);

/* Runs every case against collector c: fresh root, defaults for c's flags, then the case's args, init,
 * collect, fini. Compares the rendered samples with expect. Returns the number of failed cases. */
int test_collector_cases(const struct collector *c, const struct collector_case *cases, size_t n);

/* Keeps the sample lines of b (no "# HELP"/"# TYPE"), and with a needle only those containing it. */
void test_keep_samples(struct strbuf *b, const char *needle);

/* Runs c once on the current nodex_paths and renders its output into out (HELP/TYPE included). Returns
 * the collector's return value. init and fini are called around the run. */
int test_run_collector(const struct collector *c, struct strbuf *out);

/* Runs c->collect once with ctx, its metric set emptied first, and renders the set into out (HELP/TYPE
 * included). init and fini are left to the caller, so state carries from run to run as in the daemon.
 * Sets test_last_error and test_last_warn. Returns the collector's result, or ms->error when that is set. */
int test_collect(const struct collector *c, struct collect_ctx *ctx, struct strbuf *out);

/* Frees the metric set and buffers of a ctx used with test_collect(). */
void test_ctx_free(struct collect_ctx *ctx);

/* Writes len bytes of content to path, replacing the file. Returns 0 or -1. */
int test_write_file(const char *path, const void *content, size_t len);

#endif
