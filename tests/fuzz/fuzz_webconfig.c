/* libFuzzer target for the web configuration decoder: any bytes, as the text of --web.config.file. The
 * decoder must never crash, read out of bounds or leak, whatever the YAML; a configuration it accepts
 * must also give a priority string GnuTLS can be asked about. Build with `make fuzz`, run with
 * build-fuzz/fuzz_webconfig [corpus dir] (seeds: tests/fuzz/corpus/webconfig/, keywords:
 * -dict=tests/fuzz/dict/webconfig.dict). */
#include <stdint.h>
#include <stdio.h>

#include "webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webconfig *wc = NULL;
	char err[600], prio[1024];

	if (webconfig_parse((const char *)data, size, "/etc/nodex", &wc, err, sizeof(err)) == 0) {
		(void)webconfig_priority_string(wc, prio, sizeof(prio));
		webconfig_free(wc);
	} else if (!err[0]) {
		__builtin_trap(); /* every error explains itself */
	}
	return 0;
}
