/* Reading sysfs attributes as prometheus/procfs reads them, which node_exporter's sysfs collectors are
 * built on: SysReadFile reads an attribute with one read() of at most 128 bytes and trims it as Go trims;
 * its value is then parsed with Go's strconv (include/gocompat.h). */
#ifndef NODEX_SYSATTR_H
#define NODEX_SYSATTR_H

#include <sys/types.h>

#include "arena.h"
#include "gocompat.h" /* src/exposition.c and src/metric.c still find utf8_valid() here */

/* The most procfs' SysReadFile reads from an attribute (one read() call). */
#define SYSATTR_MAX 128

/* What procfs' SysReadFile returns for an attribute: its first SYSATTR_MAX bytes with leading and trailing
 * white space removed, in b->p (NUL-terminated). The file is read whole through file_read() (so a kernel
 * attribute's descriptor stays cached) and then cut: a sysfs attribute is at most a page, and the
 * content is the same as one read() of SYSATTR_MAX bytes. Returns its length or a negative errno. */
ssize_t sysattr_read(const char *path, struct strbuf *b);

/* procfs' SysReadFile itself, for callers that need its two kinds of error: one read() of at most
 * SYSATTR_MAX bytes from the file opened anew (not through the descriptor cache), trimmed like
 * sysattr_read(). On error *open_failed tells a failed open (Go's *PathError) from a failed read (a bare
 * errno), which procfs' callers treat differently. Returns the length or a negative errno. */
ssize_t sysattr_read_once(const char *path, struct strbuf *b, bool *open_failed);

/* Lists the regular files of directory path (what Go's DirEntry.Type().IsRegular() accepts: no
 * symlinks, no directories), sorted by name. Names are allocated in a. Returns the count or a negative
 * errno. */
ssize_t dir_list_regular(const char *path, struct arena *a, char ***names);

/* procfs' ReadUintFromFile (and node_exporter's readUintFromFile): the whole file, trimmed, as a base-10
 * uint64. Returns 0, the negative errno of reading, or -EBADMSG when the content is not such a number. */
int read_uint_file(const char *path, struct strbuf *b, uint64_t *v);

#endif
