/* The SIOCETHTOOL commands the test fakes handle (the unit harness records them as fuzz seeds, the fuzz
 * driver answers them from "@ethtool/<dev>/<name>" entries): their name in those entries and the size
 * of the caller's buffer, command word included. Shared so the two stay one format. */
#ifndef NODEX_TEST_ETHTOOL_CMD_H
#define NODEX_TEST_ETHTOOL_CMD_H

#include <linux/ethtool.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Returns false for a command the fakes do not know. */
static inline bool ethtool_cmd_info(const void *cmd, const char **name, size_t *size)
{
	uint32_t c;

	memcpy(&c, cmd, sizeof(c));
	switch (c) {
	case ETHTOOL_GSET:
		*name = "gset";
		*size = sizeof(struct ethtool_cmd);
		return true;
	case ETHTOOL_GDRVINFO:
		*name = "gdrvinfo";
		*size = sizeof(struct ethtool_drvinfo);
		return true;
	case ETHTOOL_GSTRINGS: {
		struct ethtool_gstrings g;
		memcpy(&g, cmd, sizeof(g));
		*name = "gstrings";
		*size = sizeof(g) + (size_t)g.len * ETH_GSTRING_LEN;
		return true;
	}
	case ETHTOOL_GSTATS: {
		struct ethtool_stats s;
		memcpy(&s, cmd, sizeof(s));
		*name = "gstats";
		*size = sizeof(s) + (size_t)s.n_stats * sizeof(uint64_t);
		return true;
	}
	default:
		return false;
	}
}

#endif
