/* Go compatibility. node_exporter is a Go program: what it accepts, rejects and prints rests on Go's
 * standard library (strconv, unicode/utf8, strings, time) and on a few helpers of its own. A drop-in has
 * to do exactly the same: "0x1f" is a number to strconv with base 0 and not with base 10, " 12" is no
 * number at all, invalid UTF-8 becomes U+FFFD, "1d" is no duration. Each function here names the Go
 * function it reproduces; none reads files or keeps state. */
#ifndef NODEX_GOCOMPAT_H
#define NODEX_GOCOMPAT_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

/* ---- strings ---- */

/* Removes leading and trailing ASCII white space (Go's strings.TrimSpace on ASCII input) in place and
 * returns the start of what is left. */
char *go_trim_space(char *s);

/* ---- strconv ---- */

/* Go's strconv.ParseUint / ParseInt: the whole string must be a number in base (0 means: infer from a
 * 0x, 0o, 0b or 0 prefix and allow underscores between digits, as Go does), fitting in bits bits.
 * Returns 0, -EINVAL (syntax) or -ERANGE. *out is written only on success. */
int go_parse_uint(const char *s, int base, int bits, uint64_t *out);
int go_parse_int(const char *s, int base, int bits, int64_t *out);

/* Go's strconv.ParseFloat(s, 64): the whole string, no surrounding blanks; decimal, hexadecimal,
 * Inf/Infinity/NaN spellings. Returns 0, -EINVAL or -ERANGE (overflow). */
int go_parse_float(const char *s, double *out);

/* Go's uint64(x) for a float64, as amd64 computes it, without C's undefined behaviour for values out of
 * range: negatives wrap as int64 does, NaN and values from 2^64 up give 2^63. expfmt stores textfile
 * summary and histogram counts so; procfs converts InfiniBand rates so. */
uint64_t go_float_to_uint64(double x);

/* ---- time ---- */

/* Go's time.ParseDuration, exactly: an optional sign, then one or more decimal numbers with an optional
 * fraction, each followed by a unit of ns, us (or U+00B5 or U+03BC then s), ms, s, m or h ("1m30s",
 * "-1.5h", "250ms"); "0" alone needs no unit; at most 2^63-1 ns (2^63 when negative). Days, weeks and
 * years are not Go units and are refused. Kingpin's duration flags and the exporter-toolkit's web
 * configuration both take this syntax. Sets *seconds and returns 0, or returns -EINVAL. */
int go_parse_duration(const char *s, double *seconds);

/* ---- unicode/utf8 ---- */

/* Returns true when s is valid UTF-8 (as Go's utf8.ValidString). */
bool utf8_valid(const char *s);

/* Go's strings.ToValidUTF8(s, "\uFFFD"): s itself when valid, else a copy in a with every run of
 * invalid bytes replaced by U+FFFD. Returns NULL only when the arena cannot allocate. */
const char *utf8_sanitize(struct arena *a, const char *s);

/* Writes code point cp as UTF-8 into out (at most 4 bytes), as Go's utf8.EncodeRune: surrogates and
 * values beyond U+10FFFF become U+FFFD. Returns the number of bytes. */
size_t utf8_encode(char *out, unsigned long cp);

/* ---- node_exporter's own helpers ---- */

/* node_exporter's cleanMetricName (hwmon chip and sensor labels, drm's chip label): lower case, every
 * character outside [a-z0-9:_] becomes "_" (one per character, multi-byte ones included), "_" trimmed
 * from both ends. Writes into out (at least strlen(s) + 1 bytes) and returns out. */
char *go_clean_metric_name(const char *s, char *out);

/* ---- path ---- */

/* Go's path.Clean: the shortest equivalent path, without repeated or trailing slashes, "." elements or
 * resolvable ".." elements ("" becomes "."). node_exporter prints paths that went through filepath.Join,
 * which cleans. The result is allocated in arena a; NULL when out of memory. */
char *path_clean(struct arena *a, const char *path);
/* The same in place; p needs room for 2 bytes when it is "". Returns p. */
char *path_clean_in_place(char *p);

#endif
