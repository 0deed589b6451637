#include "harness.h"

extern const struct collector collector_nvmesubsystem;

#define SUBSYS                                                                                               \
	{ "sys/class/nvme-subsystem/nvme-subsys0/subsysnqn", "nqn.2014-08.org.nvmexpress:uuid:1234\n" },    \
	{ "sys/class/nvme-subsystem/nvme-subsys0/model", "Storage Array\n" },                               \
	{ "sys/class/nvme-subsystem/nvme-subsys0/serial", "SN1\n" },                                        \
	{ "sys/class/nvme-subsystem/nvme-subsys0/iopolicy", "round-robin\n" },                              \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme0/state", "live\n" },                                  \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme0/transport", "tcp\n" },                               \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme0/address", "traddr=10.0.0.1,trsvcid=4420\n" },        \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme1/state", "deleting (no IO)\n" },                      \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme1/transport", "tcp\n" },                               \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme1/address", "traddr=10.0.0.2,trsvcid=4420\n" },        \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme0n1", NULL },                                          \
	{ "sys/class/nvme-subsystem/nvme-subsys0/nvme0c0n1", NULL }

static const struct collector_case cases[] = {
	{ "subsystem with two paths",
	  { SUBSYS, { "sys/class/nvme-subsystem/other", NULL } },
	  .expect = "node_nvmesubsystem_info{iopolicy=\"round-robin\",model=\"Storage Array\",nqn=\"nqn.2014-08.org.nvmexpress:uuid:1234\",serial=\"SN1\",subsystem=\"nvme-subsys0\"} 1\n"
		    "node_nvmesubsystem_namespace_info{device=\"nvme0n1\",subsystem=\"nvme-subsys0\"} 1\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"connecting\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"dead\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"live\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 1\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"resetting\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme0\",state=\"unknown\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"connecting\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"dead\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"live\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"resetting\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_path_state{controller=\"nvme1\",state=\"unknown\",subsystem=\"nvme-subsys0\",transport=\"tcp\"} 0\n"
		    "node_nvmesubsystem_paths{subsystem=\"nvme-subsys0\"} 2\n"
		    "node_nvmesubsystem_paths_live{subsystem=\"nvme-subsys0\"} 1\n" },
	{ "missing controller attribute is no data",
	  { SUBSYS, { "sys/class/nvme-subsystem/nvme-subsys1/subsysnqn", "x\n" } }, .expect = "", .expect_fail = 1 },
	{ "no class is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_nvmesubsystem, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
