/* libFuzzer target for the request header values nodex parses itself (libmicrohttpd splits the request):
 * Accept-Encoding (http_accepts_gzip) and a listen address (http_split_address). Any bytes, cut at the
 * first NUL as a header value is. Neither may crash or read past the string; a split address must fit
 * the documented buffers. Build with `make fuzz`, run with build-fuzz/fuzz_http tests/fuzz/http/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), host[256], port[16];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)http_accepts_gzip(s);
	if (http_split_address(s, host, port) == 0 && (strlen(host) >= sizeof(host) || strlen(port) >= sizeof(port)))
		__builtin_trap();
	free(s);
	return 0;
}
