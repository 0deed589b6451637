/* GnuTLS loaded on first use (src/libgnutls.c). Include <gnutls/...> headers as usual: the functions
 * nodex calls are defined there under their own names. */
#ifndef NODEX_LIBGNUTLS_H
#define NODEX_LIBGNUTLS_H

/* Loads GnuTLS if it is not loaded yet. Returns NULL when it is loaded, or why it cannot be. */
const char *libgnutls_load(void);

/* gnutls_free(p): GnuTLS's deallocator for what it allocated (gnutls_free is a variable, not a function,
 * in its headers). */
void libgnutls_free(void *p);

#endif
