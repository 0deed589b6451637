#include "harness.h"

extern const struct collector collector_drm;

#define AMD                                                                                         \
	{ "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/uevent", "DRIVER=amdgpu\nPCI_CLASS=30000\n" }, \
	{ "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/gpu_busy_percent", "4\n" },                   \
	{ "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/mem_info_vram_total", "8573157376\n" },        \
	{ "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/mem_info_vram_used", "1709002752\n" },         \
	{ "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/mem_info_vram_vendor", "samsung\n" },          \
	{ "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/power_dpm_force_performance_level", "manual\n" }, \
	{ "sys/class/drm/card0/device", "->../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0" }

static const struct collector_case cases[] = {
	{ "amdgpu card; other drivers, connectors and card10 ignored",
	  { AMD,
	    { "sys/devices/pci0000:00/0000:00:02.0/uevent", "DRIVER=i915\n" },
	    { "sys/class/drm/card1/device", "->../../../devices/pci0000:00/0000:00:02.0" },
	    { "sys/class/drm/card0-DP-1/status", "connected\n" },
	    { "sys/class/drm/card10/device/uevent", "DRIVER=amdgpu\n" } },
	  .full = true,
	  .expect = "# HELP node_drm_card_info Card information\n"
		    "# TYPE node_drm_card_info gauge\n"
		    "node_drm_card_info{card=\"card0\",chip=\"0000:00:01_0_0000:01:00_0\",memory_vendor=\"samsung\","
		    "power_performance_level=\"manual\",unique_id=\"\",vendor=\"amd\"} 1\n"
		    "# HELP node_drm_gpu_busy_percent How busy the GPU is as a percentage.\n"
		    "# TYPE node_drm_gpu_busy_percent gauge\n"
		    "node_drm_gpu_busy_percent{card=\"card0\"} 4\n"
		    "# HELP node_drm_memory_vram_size_bytes The size of VRAM in bytes.\n"
		    "# TYPE node_drm_memory_vram_size_bytes gauge\n"
		    "node_drm_memory_vram_size_bytes{card=\"card0\"} 8.573157376e+09\n"
		    "# HELP node_drm_memory_vram_used_bytes The used amount of VRAM in bytes.\n"
		    "# TYPE node_drm_memory_vram_used_bytes gauge\n"
		    "node_drm_memory_vram_used_bytes{card=\"card0\"} 1.709002752e+09\n" },
	{ "missing uevent fails", { { "sys/class/drm/card0/device", NULL } }, .expect = "", .expect_fail = 1 },
	{ "no drm class: nothing", { { "sys/class", NULL } }, .expect = "" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_drm, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
