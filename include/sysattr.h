/* Reading sysfs attributes as prometheus/procfs reads them, which node_exporter's sysfs collectors are
 * built on: an attribute is read with one read() of at most 128 bytes and trimmed as Go trims; its value
 * is then parsed with Go's strconv (include/gocompat.h). */
#ifndef NODEX_SYSATTR_H
#define NODEX_SYSATTR_H

#include <sys/types.h>

#include "arena.h"
#include "gocompat.h" /* src/exposition.c and src/metric.c still find utf8_valid() here */

/* The most procfs' SysReadFile reads from an attribute (one read() call). */
#define SYSATTR_MAX 128

/* Reads an attribute like procfs util.SysReadFile: at most SYSATTR_MAX bytes, then leading and trailing
 * white space removed. The content is b->p (NUL-terminated). Returns its length or a negative errno. */
ssize_t sysattr_read(const char *path, struct strbuf *b);

/* Lists the regular files of directory path (what Go's DirEntry.Type().IsRegular() accepts: no
 * symlinks, no directories), sorted by name. Names are allocated in a. Returns the count or a negative
 * errno. */
ssize_t dir_list_regular(const char *path, struct arena *a, char ***names);

/* procfs' ReadUintFromFile (and node_exporter's readUintFromFile): the whole file, trimmed, as a base-10
 * uint64. Returns 0, the negative errno of reading, or -EBADMSG when the content is not such a number. */
int read_uint_file(const char *path, struct strbuf *b, uint64_t *v);

#endif
