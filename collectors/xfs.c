/* xfs: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats, as node_exporter's xfs
 * collector (procfs xfs parser): 39 counters labelled by device, the name of the directory under
 * /sys/fs/xfs.
 *
 * Every line is "<label> <n> <n> ..."; note that the kernel writes the rw line as write calls, then
 * read calls. xpc counters are 64-bit, all others 32-bit; the known labels must
 * carry the number of values the kernel writes. A device whose file does not parse is skipped and
 * reported; the other devices are still exported. */
#include <stdio.h>

#include "collector.h"

/* The lines node_exporter's parser checks; only some of them are exported. */
enum xfs_line {
	XL_EXTENT_ALLOC,
	XL_ABT,
	XL_BLK_MAP,
	XL_BMBT,
	XL_DIR,
	XL_TRANS,
	XL_IG,
	XL_LOG,
	XL_RW,
	XL_ATTR,
	XL_ICLUSTER,
	XL_VNODES,
	XL_BUF,
	XL_XPC,
	XL_COUNT,
};

static const struct {
	const char *label;
	unsigned n;     /* values the line must hold */
	unsigned n_alt; /* another accepted count (vnodes: 7 on old kernels), or 0 */
} xfs_lines[XL_COUNT] = {
	[XL_EXTENT_ALLOC] = { "extent_alloc", 4, 0 },
	[XL_ABT] = { "abt", 4, 0 },
	[XL_BLK_MAP] = { "blk_map", 7, 0 },
	[XL_BMBT] = { "bmbt", 4, 0 },
	[XL_DIR] = { "dir", 4, 0 },
	[XL_TRANS] = { "trans", 3, 0 },
	[XL_IG] = { "ig", 7, 0 },
	[XL_LOG] = { "log", 5, 0 },
	[XL_RW] = { "rw", 2, 0 },
	[XL_ATTR] = { "attr", 4, 0 },
	[XL_ICLUSTER] = { "icluster", 3, 0 },
	[XL_VNODES] = { "vnodes", 8, 7 },
	[XL_BUF] = { "buf", 9, 0 },
	[XL_XPC] = { "xpc", 3, 0 },
};

#define XFS_MAX_VALUES 9

struct xfs_metric {
	struct metric_desc desc;
	enum xfs_line line;
	unsigned idx;
};

#define XM(n, h, l, i) { METRIC_DESC("node_xfs_" n, h, METRIC_COUNTER, "device"), l, i }

static const struct xfs_metric xfs_metrics[] = {
	XM("extent_allocation_extents_allocated_total", "Number of extents allocated for a filesystem.",
	   XL_EXTENT_ALLOC, 0),
	XM("extent_allocation_blocks_allocated_total", "Number of blocks allocated for a filesystem.",
	   XL_EXTENT_ALLOC, 1),
	XM("extent_allocation_extents_freed_total", "Number of extents freed for a filesystem.", XL_EXTENT_ALLOC,
	   2),
	XM("extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem.", XL_EXTENT_ALLOC, 3),
	XM("allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem.", XL_ABT, 0),
	XM("allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem.", XL_ABT, 1),
	XM("allocation_btree_records_inserted_total",
	   "Number of allocation B-tree records inserted for a filesystem.", XL_ABT, 2),
	XM("allocation_btree_records_deleted_total", "Number of allocation B-tree records deleted for a filesystem.",
	   XL_ABT, 3),
	XM("block_mapping_reads_total", "Number of block map for read operations for a filesystem.", XL_BLK_MAP, 0),
	XM("block_mapping_writes_total", "Number of block map for write operations for a filesystem.", XL_BLK_MAP,
	   1),
	XM("block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem.", XL_BLK_MAP, 2),
	XM("block_mapping_extent_list_insertions_total", "Number of extent list insertions for a filesystem.",
	   XL_BLK_MAP, 3),
	XM("block_mapping_extent_list_deletions_total", "Number of extent list deletions for a filesystem.",
	   XL_BLK_MAP, 4),
	XM("block_mapping_extent_list_lookups_total", "Number of extent list lookups for a filesystem.", XL_BLK_MAP,
	   5),
	XM("block_mapping_extent_list_compares_total", "Number of extent list compares for a filesystem.",
	   XL_BLK_MAP, 6),
	XM("block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem.", XL_BMBT, 0),
	XM("block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem.", XL_BMBT, 1),
	XM("block_map_btree_records_inserted_total", "Number of block map B-tree records inserted for a filesystem.",
	   XL_BMBT, 2),
	XM("block_map_btree_records_deleted_total", "Number of block map B-tree records deleted for a filesystem.",
	   XL_BMBT, 3),
	XM("directory_operation_lookup_total",
	   "Number of file name directory lookups which miss the operating systems directory name lookup cache.",
	   XL_DIR, 0),
	XM("directory_operation_create_total", "Number of times a new directory entry was created for a filesystem.",
	   XL_DIR, 1),
	XM("directory_operation_remove_total",
	   "Number of times an existing directory entry was created for a filesystem.", XL_DIR, 2),
	XM("directory_operation_getdents_total",
	   "Number of times the directory getdents operation was performed for a filesystem.", XL_DIR, 3),
	XM("inode_operation_attempts_total", "Number of times the OS looked for an XFS inode in the inode cache.",
	   XL_IG, 0),
	XM("inode_operation_found_total", "Number of times the OS looked for and found an XFS inode in the inode cache.",
	   XL_IG, 1),
	XM("inode_operation_recycled_total",
	   "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled.",
	   XL_IG, 2),
	XM("inode_operation_missed_total",
	   "Number of times the OS looked for an XFS inode in the cache, but did not find it.", XL_IG, 3),
	XM("inode_operation_duplicates_total",
	   "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already "
	   "been added by another process.",
	   XL_IG, 4),
	XM("inode_operation_reclaims_total",
	   "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose.",
	   XL_IG, 5),
	XM("inode_operation_attribute_changes_total",
	   "Number of times the OS explicitly changed the attributes of an XFS inode.", XL_IG, 6),
	XM("read_calls_total", "Number of read(2) system calls made to files in a filesystem.", XL_RW, 1),
	XM("write_calls_total", "Number of write(2) system calls made to files in a filesystem.", XL_RW, 0),
	XM("vnode_active_total", "Number of vnodes not on free lists for a filesystem.", XL_VNODES, 0),
	XM("vnode_allocate_total", "Number of times vn_alloc called for a filesystem.", XL_VNODES, 1),
	XM("vnode_get_total", "Number of times vn_get called for a filesystem.", XL_VNODES, 2),
	XM("vnode_hold_total", "Number of times vn_hold called for a filesystem.", XL_VNODES, 3),
	XM("vnode_release_total", "Number of times vn_rele called for a filesystem.", XL_VNODES, 4),
	XM("vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem.", XL_VNODES, 5),
	XM("vnode_remove_total", "Number of times vn_remove called for a filesystem.", XL_VNODES, 6),
};

/* Parsed values of one stats file. Lines that are absent stay zero, as in node_exporter. */
struct xfs_stats {
	uint64_t v[XL_COUNT][XFS_MAX_VALUES];
};

/* Parses one stats file. Returns 0, or -EINVAL with a description in why. */
static int xfs_parse(char *p, struct xfs_stats *s, char *why, size_t why_size)
{
	char *line;

	memset(s, 0, sizeof(*s));
	while ((line = next_line(&p))) {
		char *f[64];
		uint64_t vals[63];
		int nf = split_fields(line, f, 64);
		int known = -1;

		if (nf < 2)
			continue;
		for (int i = 0; i < XL_COUNT; i++)
			if (streq(f[0], xfs_lines[i].label)) {
				known = i;
				break;
			}
		/* Every line holds numbers: 64-bit for xpc, 32-bit for all others (known or not). */
		for (int i = 1; i < nf; i++) {
			if (parse_u64(f[i], NULL, &vals[i - 1]) < 0 ||
			    (known != XL_XPC && vals[i - 1] > UINT32_MAX)) {
				snprintf(why, why_size, "bad value %s on line %s", f[i], f[0]);
				return -EINVAL;
			}
		}
		if (known < 0)
			continue;
		unsigned n = (unsigned)nf - 1;
		if (n != xfs_lines[known].n && n != xfs_lines[known].n_alt) {
			snprintf(why, why_size, "incorrect number of values for %s: %u", f[0], n);
			return -EINVAL;
		}
		memset(s->v[known], 0, sizeof(s->v[known]));
		memcpy(s->v[known], vals, n * sizeof(vals[0]));
	}
	return 0;
}

static int xfs_collect(struct collect_ctx *c)
{
	struct family *fams[ARRAY_SIZE(xfs_metrics)];
	struct xfs_stats st;
	char **devs, why[160], first[400] = "";
	/* node_exporter globs fs/xfs/<dev>/stats/stats: no directory, no filesystems */
	ssize_t nd = ctx_list_dir(c, CTX_LIST_GLOB, NULL, &devs, ROOT_SYS, "fs/xfs");
	int bad = 0;

	if (nd < 0)
		return (int)nd;
	for (size_t i = 0; i < ARRAY_SIZE(xfs_metrics); i++)
		fams[i] = NULL;
	for (ssize_t d = 0; d < nd; d++) {
		ssize_t n = ctx_read(c, ROOT_SYS, "fs/xfs/%s/stats/stats", devs[d]);
		int r;

		if (n == -ENOENT || n == -ENOTDIR)
			continue;
		if (n < 0) {
			r = (int)n;
			snprintf(why, sizeof(why), "%s", strerror(-r));
		} else {
			r = xfs_parse(c->buf.p, &st, why, sizeof(why));
		}
		if (r < 0) {
			if (!bad++)
				snprintf(first, sizeof(first), "%s: %s", c->path.p, why);
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(xfs_metrics); i++) {
			if (!fams[i])
				fams[i] = metric_family(c->ms, &xfs_metrics[i].desc);
			metric_add(fams[i], (double)st.v[xfs_metrics[i].line][xfs_metrics[i].idx], devs[d]);
		}
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "failed to retrieve XFS stats: %d device(s) failed, first: %s", bad,
				first);
	return 0;
}

COLLECTOR(xfs, .default_on = true);
