#include "harness.h"

extern const struct collector collector_pressure;

#define CPU "some avg10=0.00 avg60=0.00 avg300=0.00 total=14036781\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=99\n"
#define IO "some avg10=0.18 avg60=0.34 avg300=0.10 total=159886802\nfull avg10=0.18 avg60=0.34 avg300=0.10 total=159229614\n"
#define MEM "some avg10=1.50 avg60=0.25 avg300=0.01 total=1000000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
#define IRQ "full avg10=0.00 avg60=0.00 avg300=0.00 total=8494"

static const struct collector_case cases[] = {
	{ "all four resources; cpu full is not exported; /1000/1000 rounding as node_exporter",
	  { { "proc/pressure/cpu", CPU }, { "proc/pressure/io", IO }, { "proc/pressure/memory", MEM },
	    { "proc/pressure/irq", IRQ } },
	  .expect = "node_pressure_cpu_waiting_seconds_total 14.036781000000001\n"
		    "node_pressure_io_stalled_seconds_total 159.229614\n"
		    "node_pressure_io_waiting_seconds_total 159.886802\n"
		    "node_pressure_irq_stalled_seconds_total 0.008494\n"
		    "node_pressure_memory_stalled_seconds_total 1e-06\n"
		    "node_pressure_memory_waiting_seconds_total 1\n" },
	{ "HELP and TYPE",
	  { { "proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n" } },
	  .expect = "# HELP node_pressure_cpu_waiting_seconds_total Total time in seconds that processes have waited "
		    "for CPU time\n# TYPE node_pressure_cpu_waiting_seconds_total counter\n"
		    "node_pressure_cpu_waiting_seconds_total 5e-06\n",
	  .full = true },
	{ "no irq file (Linux < 6.1) is fine",
	  { { "proc/pressure/cpu", CPU }, { "proc/pressure/io", IO }, { "proc/pressure/memory", MEM } },
	  .expect = "node_pressure_cpu_waiting_seconds_total 14.036781000000001\n"
		    "node_pressure_io_stalled_seconds_total 159.229614\n"
		    "node_pressure_io_waiting_seconds_total 159.886802\n"
		    "node_pressure_memory_stalled_seconds_total 1e-06\n"
		    "node_pressure_memory_waiting_seconds_total 1\n" },
	{ "no pressure directory: no data", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "io without full: no data, what came before is kept",
	  { { "proc/pressure/cpu", CPU }, { "proc/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n" },
	    { "proc/pressure/memory", MEM } },
	  .expect = "node_pressure_cpu_waiting_seconds_total 14.036781000000001\n",
	  .expect_fail = 1 },
	{ "cpu without some: no data",
	  { { "proc/pressure/cpu", "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n" } },
	  .expect = "",
	  .expect_fail = 1 },
	{ "unknown line kinds are ignored",
	  { { "proc/pressure/cpu", "partial avg10=1\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=2000000\n\n" } },
	  .expect = "node_pressure_cpu_waiting_seconds_total 2\n" },
	{ "malformed line fails",
	  { { "proc/pressure/cpu", "some avg10=0.00 avg60=x avg300=0.00 total=1\n" } },
	  .expect = "",
	  .expect_fail = 1 },
	{ "malformed total fails",
	  { { "proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=\n" } },
	  .expect = "",
	  .expect_fail = 1 },
	{ "huge total",
	  { { "proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551615\n" } },
	  .expect = "node_pressure_cpu_waiting_seconds_total 1.844674407370955e+13\n" },
	{ "empty file: no data", { { "proc/pressure/cpu", "" } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_pressure, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
