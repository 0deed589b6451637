#include <sys/mman.h>

#include "arena.h"
#include "memtrim.h"
#include "procfs.h"

struct mapping {
	uintptr_t start, end;
	bool candidate; /* file-backed, not writable */
	long anon_kb;
	long rss_kb;
};

static long trim(const struct mapping *m)
{
	if (!m->candidate || m->anon_kb != 0 || m->rss_kb == 0)
		return 0;
	size_t len = m->end - m->start;
	madvise((void *)m->start, len, MADV_RANDOM);
	if (madvise((void *)m->start, len, MADV_DONTNEED) < 0)
		return 0;
	return m->rss_kb;
}

long memtrim_file_mappings(void)
{
	struct strbuf b = { 0 };
	struct mapping m = { 0 };
	long freed = 0;
	char *p, *line;
	ssize_t n;

	/* smaps is large and read once; no need for the descriptor cache. */
	n = file_read("/proc/self/smaps", &b);
	if (n < 0) {
		sb_free(&b);
		return n;
	}
	p = b.p;
	while ((line = next_line(&p))) {
		const char *e;
		uint64_t v;
		/* A mapping starts with "start-end perms offset dev inode [path]"; field lines with "Key:". */
		if (parse_hex_u64(line, &e, &v) == 0 && *e == '-') {
			uint64_t end;
			char *f[6];
			freed += trim(&m);
			m = (struct mapping){ 0 };
			if (parse_hex_u64(e + 1, &e, &end) < 0)
				continue;
			char *rest = (char *)e;
			int nf = split_fields(rest, f, 6);
			/* f[0] perms, f[1] offset, f[2] dev, f[3] inode, f[4] path. Only private, read-only or
			 * executable mappings of real files (not [heap], [stack], [vdso] or anonymous ones). */
			m.start = (uintptr_t)v;
			m.end = (uintptr_t)end;
			m.candidate = nf >= 5 && f[4][0] == '/' && strlen(f[0]) == 4 && f[0][1] == '-' && f[0][3] == 'p';
			continue;
		}
		if (startswith(line, "Anonymous:"))
			m.anon_kb = parse_u64(line + 10, &e, &v) == 0 ? (long)v : 1;
		else if (startswith(line, "Rss:"))
			m.rss_kb = parse_u64(line + 4, &e, &v) == 0 ? (long)v : 0;
	}
	freed += trim(&m);
	sb_free(&b);
	return freed;
}
