/* Libraries loaded on first use (include/dynlib.h, src/lib*.c): a missing library fails with its reason
 * and resolves nothing, a present one resolves its symbols, and the wrappers of the libraries nodex
 * needs at run time work through dlopen. */
#include <crypt.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "dynlib.h"
#include "harness.h"
#include "libgnutls.h"
#include "ytree.h"

int main(int argc, char **argv)
{
	struct dynlib missing = DYNLIB_INIT("libnodex-no-such-library.so.0", "nothing (a test)");
	struct dynlib libc = DYNLIB_INIT("libc.so.6", "nothing (a test)");

	(void)argc;
	CHECK(!dynlib_load(&missing));
	CHECK(strstr(missing.error, "libnodex-no-such-library.so.0") != NULL);
	CHECK(dynlib_sym(&missing, "strlen") == NULL);
	CHECK(!dynlib_load(&missing)); /* the first answer stays */
	CHECK(dynlib_load(&libc));
	CHECK(dynlib_sym(&libc, "strlen") != NULL);
	CHECK(dynlib_sym(&libc, "no_such_symbol_in_libc") == NULL);

	/* Through the wrappers: libyaml, GnuTLS and libcrypt load and answer. */
	CHECK(ytree_unavailable() == NULL);
	CHECK(libgnutls_load() == NULL);
	unsigned char mac[32];
	CHECK_INT(gnutls_hmac_fast(GNUTLS_MAC_SHA256, "k", 1, "text", 4, mac), 0);
	/* HMAC-SHA256("k", "text") = c1a9bf45... (printf text | openssl dgst -sha256 -hmac k) */
	CHECK(mac[0] == 0xc1 && mac[1] == 0xa9 && mac[2] == 0xbf && mac[3] == 0x45);
	struct crypt_data cd;
	memset(&cd, 0, sizeof(cd));
	const char *h = crypt_rn("secret", "$2b$04$abcdefghijklmnopqrstuu", &cd, sizeof(cd));
	CHECK(h != NULL && strncmp(h, "$2b$04$abcdefghijklmnopqrstu", 28) == 0 && strlen(h) == 60);
	return test_summary(argv[0]);
}
