/* libcrypt (libxcrypt), loaded with dlopen() the first time a password is checked, instead of being
 * linked: only a web configuration with basic_auth_users needs bcrypt, and a nodex without one does not
 * map it. The prototypes are libxcrypt's own (<crypt.h>); see include/dynlib.h. When the library cannot
 * be loaded the calls fail as crypt does (NULL), and so does every password check. */
#include <crypt.h>
#include <stddef.h>

#include "dynlib.h"

static struct dynlib lib = DYNLIB_INIT("libcrypt.so.1", "basic auth passwords cannot be checked");

static void *crypt_sym(const char *name)
{
	return dynlib_sym(&lib, name);
}

char *crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
	DYN_CALL(crypt_sym, NULL, crypt_rn, (phrase, setting, data, size));
}

char *crypt_gensalt_rn(const char *prefix, unsigned long count, const char *rbytes, int nrbytes, char *output,
		       int output_size)
{
	DYN_CALL(crypt_sym, NULL, crypt_gensalt_rn, (prefix, count, rbytes, nrbytes, output, output_size));
}
