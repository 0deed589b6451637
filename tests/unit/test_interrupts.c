#include "harness.h"

extern const struct collector collector_interrupts;

#define INTERRUPTS                                                                          \
	"           CPU0       CPU1       \n"                                               \
	"  0:         44          0   IO-APIC   2-edge      timer\n"                        \
	"  1:          0          9   IO-APIC   1-edge      i8042\n"                        \
	" 16:       1024        513   IO-APIC  16-fasteoi   ehci_hcd:usb1, snd_hda_intel:card0\n" \
	"NMI:          3          2   Non-maskable interrupts\n"                            \
	"LOC:    8123456    7654321   Local timer interrupts\n"                             \
	"ERR:          0\n"                                                                 \
	"MIS:          0\n"

#define S(cpu, dev, info, type, v) \
	"node_interrupts_total{cpu=\"" cpu "\",devices=\"" dev "\",info=\"" info "\",type=\"" type "\"} " v "\n"

static const struct collector_case cases[] = {
	{ "all", { { "proc/interrupts", INTERRUPTS } },
	  .expect = S("0", "", "Local timer interrupts", "LOC", "8.123456e+06")
		  S("0", "", "Non-maskable interrupts", "NMI", "3")
		  S("0", "1-edge i8042", "IO-APIC", "1", "0")
		  S("0", "16-fasteoi ehci_hcd:usb1, snd_hda_intel:card0", "IO-APIC", "16", "1024")
		  S("0", "2-edge timer", "IO-APIC", "0", "44")
		  S("1", "", "Local timer interrupts", "LOC", "7.654321e+06")
		  S("1", "", "Non-maskable interrupts", "NMI", "2")
		  S("1", "1-edge i8042", "IO-APIC", "1", "9")
		  S("1", "16-fasteoi ehci_hcd:usb1, snd_hda_intel:card0", "IO-APIC", "16", "513")
		  S("1", "2-edge timer", "IO-APIC", "0", "0") },
	{ "without zeros", { { "proc/interrupts", INTERRUPTS } }, .args = { "--no-collector.interrupts.include-zeros" },
	  .expect = S("0", "", "Local timer interrupts", "LOC", "8.123456e+06")
		  S("0", "", "Non-maskable interrupts", "NMI", "3")
		  S("0", "16-fasteoi ehci_hcd:usb1, snd_hda_intel:card0", "IO-APIC", "16", "1024")
		  S("0", "2-edge timer", "IO-APIC", "0", "44")
		  S("1", "", "Local timer interrupts", "LOC", "7.654321e+06")
		  S("1", "", "Non-maskable interrupts", "NMI", "2")
		  S("1", "1-edge i8042", "IO-APIC", "1", "9")
		  S("1", "16-fasteoi ehci_hcd:usb1, snd_hda_intel:card0", "IO-APIC", "16", "513") },
	/* The filters see "<type>;<info>;<devices>". */
	{ "include", { { "proc/interrupts", INTERRUPTS } }, .args = { "--collector.interrupts.name-include=^(LOC|NMI);" },
	  .expect = S("0", "", "Local timer interrupts", "LOC", "8.123456e+06")
		  S("0", "", "Non-maskable interrupts", "NMI", "3")
		  S("1", "", "Local timer interrupts", "LOC", "7.654321e+06")
		  S("1", "", "Non-maskable interrupts", "NMI", "2") },
	{ "exclude", { { "proc/interrupts", INTERRUPTS } }, .args = { "--collector.interrupts.name-exclude=i8042|timer" },
	  .expect = S("0", "", "Non-maskable interrupts", "NMI", "3")
		  S("0", "16-fasteoi ehci_hcd:usb1, snd_hda_intel:card0", "IO-APIC", "16", "1024")
		  S("1", "", "Non-maskable interrupts", "NMI", "2")
		  S("1", "16-fasteoi ehci_hcd:usb1, snd_hda_intel:card0", "IO-APIC", "16", "513") },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/interrupts", "" } }, .expect = "", .expect_fail = 1 },
	/* Lines without every CPU column and a detail are skipped; a cut-off last line is one of them. */
	{ "truncated", { { "proc/interrupts", "           CPU0       CPU1\n  0:         44          0   IO-APIC   2-edge      timer\nLOC:    81234" } },
	  .expect = S("0", "2-edge timer", "IO-APIC", "0", "44") S("1", "2-edge timer", "IO-APIC", "0", "0") },
	/* A count that is not a number is skipped and reported, the rest stays. */
	{ "bad count", { { "proc/interrupts", "   CPU0  CPU1\n  9:  12  4x   IR-IO-APIC   9-fasteoi   acpi\n" } },
	  .expect = S("0", "9-fasteoi acpi", "IR-IO-APIC", "9", "12"), .expect_fail = 1 },
	{ "huge counts", { { "proc/interrupts", "   CPU0\nLOC: 18446744073709551615 Local timer interrupts\n" } },
	  .expect = S("0", "", "Local timer interrupts", "LOC", "1.8446744073709552e+19") },
};

int main(int argc, char **argv)
{
	char err[256] = "";
	struct flag *sets[1] = { collector_interrupts.flags };

	(void)argc;
	test_collector_cases(&collector_interrupts, cases, ARRAY_SIZE(cases));

	/* A bad regex stops the start. */
	flags_set_defaults(collector_interrupts.flags);
	CHECK(flag_set(flag_find(sets, 1, "collector.interrupts.name-include"), "(LOC", FLAG_SRC_CMDLINE, err,
		       sizeof(err)) == 0);
	CHECK(collector_interrupts.init(err, sizeof(err)) < 0);
	CHECK(err[0] != '\0');
	flags_set_defaults(collector_interrupts.flags);
	return test_summary(argv[0]);
}
