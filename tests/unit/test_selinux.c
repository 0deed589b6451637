#include "harness.h"

extern const struct collector collector_selinux;

#define LABEL { "proc/self/attr/current", "system_u:system_r:unconfined_service_t:s0" }

static const struct collector_case cases[] = {
	{ "no selinuxfs", { { "sys/fs", NULL }, LABEL }, .expect = "node_selinux_enabled 0\n" },
	{ "empty mount point", { { "sys/fs/selinux", NULL }, LABEL }, .expect = "node_selinux_enabled 0\n" },
	{ "enforcing",
	  { { "sys/fs/selinux/enforce", "1" }, LABEL,
	    { "etc/selinux/config", "# This file controls the state of SELinux on the system.\n"
				    "SELINUX=enforcing\n"
				    "SELINUXTYPE=targeted\n" } },
	  .expect = "node_selinux_config_mode 1\nnode_selinux_current_mode 1\nnode_selinux_enabled 1\n" },
	{ "permissive now, enforcing at boot",
	  { { "sys/fs/selinux/enforce", "0" }, LABEL,
	    { "etc/selinux/config", "SELINUXTYPE=targeted\n  SELINUX=\"enforcing\"  \n" } },
	  .expect = "node_selinux_config_mode 1\nnode_selinux_current_mode 0\nnode_selinux_enabled 1\n" },
	{ "configured permissive",
	  { { "sys/fs/selinux/enforce", "0" }, LABEL, { "etc/selinux/config", "; comment\nSELINUX=permissive\n" } },
	  .expect = "node_selinux_config_mode 0\nnode_selinux_current_mode 0\nnode_selinux_enabled 1\n" },
	/* The first SELINUX= line wins; "SELINUX = x" is not that key; anything but the two modes is -1. */
	{ "config edge cases",
	  { { "sys/fs/selinux/enforce", "1" }, LABEL,
	    { "etc/selinux/config", "SELINUX = permissive\nSELINUX=disabled\nSELINUX=enforcing\n" } },
	  .expect = "node_selinux_config_mode -1\nnode_selinux_current_mode 1\nnode_selinux_enabled 1\n" },
	{ "no config", { { "sys/fs/selinux/enforce", "1" }, LABEL },
	  .expect = "node_selinux_config_mode -1\nnode_selinux_current_mode 1\nnode_selinux_enabled 1\n" },
	/* enforce is read as go-selinux does, strconv.Atoi on the raw bytes: the kernel writes no newline,
	 * anything else is -1. */
	{ "enforce with newline", { { "sys/fs/selinux/enforce", "1\n" }, LABEL },
	  .expect = "node_selinux_config_mode -1\nnode_selinux_current_mode -1\nnode_selinux_enabled 1\n" },
	{ "enforce garbage", { { "sys/fs/selinux/enforce", "on" }, LABEL },
	  .expect = "node_selinux_config_mode -1\nnode_selinux_current_mode -1\nnode_selinux_enabled 1\n" },
	{ "enforce empty", { { "sys/fs/selinux/enforce", "" }, LABEL },
	  .expect = "node_selinux_config_mode -1\nnode_selinux_current_mode -1\nnode_selinux_enabled 1\n" },
	/* A kernel with SELinux but no policy labels every task "kernel". */
	{ "kernel label", { { "sys/fs/selinux/enforce", "0" }, { "proc/self/attr/current", "kernel" } },
	  .expect = "node_selinux_enabled 0\n" },
	/* An unreadable label does not disable it (go-selinux only checks for "kernel"). */
	{ "no label", { { "sys/fs/selinux/enforce", "1" }, { "proc", NULL } },
	  .expect = "node_selinux_config_mode -1\nnode_selinux_current_mode 1\nnode_selinux_enabled 1\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_selinux, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
