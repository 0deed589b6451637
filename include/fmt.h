/* Number formatting as node_exporter's client library does it. */
#ifndef NODEX_FMT_H
#define NODEX_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Room fmt_double() and fmt_u64() need, NUL included. */
#define FMT_DOUBLE_MAX 32

/* Writes v the way Go's expfmt writes sample values: strconv.FormatFloat(v, 'g', -1, 64), with "NaN",
 * "+Inf", "-Inf", and "0" for negative zero. dst must hold FMT_DOUBLE_MAX bytes. Returns the length. */
size_t fmt_double(char *dst, double v);

/* Decimal digits of v. dst must hold FMT_DOUBLE_MAX bytes. Returns the length. */
size_t fmt_u64(char *dst, uint64_t v);

#endif
