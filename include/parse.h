/* Strict parsing of numbers and lines, in place, of what the readers of fileio.h return. None of these
 * functions allocates or keeps state. */
#ifndef NODEX_PARSE_H
#define NODEX_PARSE_H

#include <stdint.h>

/* Strict number parsing. Each parses a number at the start of s (leading blanks allowed), sets *end just
 * past it, and returns 0 or -EINVAL (no digits) or -ERANGE (overflow). Nothing is written to *out on
 * error. end may be NULL, in which case the number must be followed by the end of the string or by
 * whitespace. */
int parse_u64(const char *s, const char **end, uint64_t *out);
int parse_i64(const char *s, const char **end, int64_t *out);
int parse_double(const char *s, const char **end, double *out);
/* Parses a hexadecimal number (optional 0x prefix). */
int parse_hex_u64(const char *s, const char **end, uint64_t *out);

/* Splits the next line off *p in place: returns it NUL-terminated (without '\n') and advances *p, or
 * returns NULL at the end of the buffer. */
char *next_line(char **p);

/* Splits the next whitespace-separated field off *p in place. Returns NULL when none is left. */
char *next_field(char **p);

/* Splits s in place on whitespace into at most max fields. Returns the number of fields. */
int split_fields(char *s, char **fields, int max);

/* Removes trailing whitespace in place and returns s. */
char *strip_trailing(char *s);

#endif
