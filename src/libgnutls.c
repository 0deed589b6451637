/* GnuTLS, loaded with dlopen() the first time a web configuration asks for TLS or basic auth (its HMAC and
 * random numbers key src/auth.c's cache), instead of being linked. Linked, GnuTLS and what it pulls in
 * (p11-kit, nettle, hogweed, gmp, libtasn1, libunistring, libidn2, libffi) cost about 2.3 MB of private
 * memory in every nodex, and initialise themselves at start, in the many deployments that serve plain
 * HTTP without a web configuration (make bench, README "Benchmark").
 *
 * Each function below has GnuTLS's own prototype (from its headers, so the compiler checks it) and calls
 * through to the library (include/dynlib.h). When the library cannot be loaded, calls fail with
 * GNUTLS_E_INTERNAL_ERROR or NULL; webconfig refuses a configuration that needs TLS or basic auth before
 * that can happen (libgnutls_load). */
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "dynlib.h"
#include "libgnutls.h"

static struct dynlib lib = DYNLIB_INIT("libgnutls.so.30", "TLS and basic auth cannot be served");

static void *gnutls_sym(const char *name)
{
	return dynlib_sym(&lib, name);
}

#define CALL(fail, name, args) DYN_CALL(gnutls_sym, fail, name, args)

const char *libgnutls_load(void)
{
	return dynlib_load(&lib) ? NULL : lib.error;
}

void libgnutls_free(void *p)
{
	/* gnutls_free is a variable holding the library's deallocator. */
	gnutls_free_function *fn = gnutls_sym("gnutls_free");

	if (fn && p)
		(*fn)(p);
}

int gnutls_bye(gnutls_session_t session, gnutls_close_request_t how)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_bye, (session, how));
}

int gnutls_certificate_allocate_credentials(gnutls_certificate_credentials_t * res)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_certificate_allocate_credentials, (res));
}

void gnutls_certificate_free_credentials(gnutls_certificate_credentials_t sc)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_certificate_free_credentials, (sc));
}

const gnutls_datum_t * gnutls_certificate_get_peers(gnutls_session_t session, unsigned int *list_size)
{
	CALL(NULL, gnutls_certificate_get_peers, (session, list_size));
}

void gnutls_certificate_server_set_request(gnutls_session_t session, gnutls_certificate_request_t req)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_certificate_server_set_request, (session, req));
}

void gnutls_certificate_set_retrieve_function2(gnutls_certificate_credentials_t cred, gnutls_certificate_retrieve_function2 *func)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_certificate_set_retrieve_function2, (cred, func));
}

int gnutls_certificate_verification_status_print(unsigned int status, gnutls_certificate_type_t type, gnutls_datum_t * out, unsigned int flags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_certificate_verification_status_print, (status, type, out, flags));
}

const char *gnutls_cipher_suite_info(size_t idx, unsigned char *cs_id, gnutls_kx_algorithm_t * kx, gnutls_cipher_algorithm_t * cipher, gnutls_mac_algorithm_t * mac, gnutls_protocol_t * min_version)
{
	CALL(NULL, gnutls_cipher_suite_info, (idx, cs_id, kx, cipher, mac, min_version));
}

int gnutls_credentials_set(gnutls_session_t session, gnutls_credentials_type_t type, void *cred)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_credentials_set, (session, type, cred));
}

void gnutls_deinit(gnutls_session_t session)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_deinit, (session));
}

int gnutls_error_is_fatal(int error)
{
	CALL(1, gnutls_error_is_fatal, (error));
}

int gnutls_handshake(gnutls_session_t session)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_handshake, (session));
}

void gnutls_handshake_set_hook_function(gnutls_session_t session, unsigned int htype, int when, gnutls_handshake_hook_func func)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_handshake_set_hook_function, (session, htype, when, func));
}

int gnutls_hmac_fast(gnutls_mac_algorithm_t algorithm, const void *key, size_t keylen, const void *text, size_t textlen, void *digest)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_hmac_fast, (algorithm, key, keylen, text, textlen, digest));
}

int gnutls_init(gnutls_session_t * session, unsigned int flags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_init, (session, flags));
}

void gnutls_pcert_deinit(gnutls_pcert_st * pcert)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_pcert_deinit, (pcert));
}

int gnutls_pcert_list_import_x509_raw(gnutls_pcert_st * pcerts, unsigned int *pcert_max, const gnutls_datum_t * data, gnutls_x509_crt_fmt_t format, unsigned int flags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_pcert_list_import_x509_raw, (pcerts, pcert_max, data, format, flags));
}

void gnutls_priority_deinit(gnutls_priority_t priority_cache)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_priority_deinit, (priority_cache));
}

int gnutls_priority_get_cipher_suite_index(gnutls_priority_t pcache, unsigned int idx, unsigned int *sidx)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_priority_get_cipher_suite_index, (pcache, idx, sidx));
}

int gnutls_priority_init(gnutls_priority_t * priority_cache, const char *priorities, const char **err_pos)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_priority_init, (priority_cache, priorities, err_pos));
}

int gnutls_priority_set(gnutls_session_t session, gnutls_priority_t priority)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_priority_set, (session, priority));
}

void gnutls_privkey_deinit(gnutls_privkey_t key)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_privkey_deinit, (key));
}

int gnutls_privkey_import_x509_raw(gnutls_privkey_t pkey, const gnutls_datum_t * data, gnutls_x509_crt_fmt_t format, const char *password, unsigned int flags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_privkey_import_x509_raw, (pkey, data, format, password, flags));
}

int gnutls_privkey_init(gnutls_privkey_t * key)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_privkey_init, (key));
}

void gnutls_pubkey_deinit(gnutls_pubkey_t key)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_pubkey_deinit, (key));
}

int gnutls_pubkey_export2(gnutls_pubkey_t key, gnutls_x509_crt_fmt_t format, gnutls_datum_t * out)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_pubkey_export2, (key, format, out));
}

int gnutls_pubkey_get_key_usage(gnutls_pubkey_t key, unsigned int *usage)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_pubkey_get_key_usage, (key, usage));
}

int gnutls_pubkey_import_privkey(gnutls_pubkey_t key, gnutls_privkey_t pkey, unsigned int usage, unsigned int flags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_pubkey_import_privkey, (key, pkey, usage, flags));
}

int gnutls_pubkey_init(gnutls_pubkey_t * key)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_pubkey_init, (key));
}

size_t gnutls_record_check_pending(gnutls_session_t session)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_record_check_pending, (session));
}

void gnutls_record_cork(gnutls_session_t session)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_record_cork, (session));
}

int gnutls_record_get_direction(gnutls_session_t session)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_record_get_direction, (session));
}

ssize_t gnutls_record_recv(gnutls_session_t session, void *data, size_t data_size)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_record_recv, (session, data, data_size));
}

ssize_t gnutls_record_send(gnutls_session_t session, const void *data, size_t data_size)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_record_send, (session, data, data_size));
}

int gnutls_record_uncork(gnutls_session_t session, unsigned int flags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_record_uncork, (session, flags));
}

int gnutls_rnd(gnutls_rnd_level_t level, void *data, size_t len)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_rnd, (level, data, len));
}

void * gnutls_session_get_ptr(gnutls_session_t session)
{
	CALL(NULL, gnutls_session_get_ptr, (session));
}

int gnutls_session_is_resumed(gnutls_session_t session)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_session_is_resumed, (session));
}

void gnutls_session_set_ptr(gnutls_session_t session, void *ptr)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_session_set_ptr, (session, ptr));
}

void gnutls_session_set_verify_function(gnutls_session_t session, gnutls_certificate_verify_function * func)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_session_set_verify_function, (session, func));
}

int gnutls_set_default_priority(gnutls_session_t session)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_set_default_priority, (session));
}

const char *gnutls_strerror(int error)
{
	CALL("GnuTLS could not be loaded", gnutls_strerror, (error));
}

void gnutls_transport_set_int2(gnutls_session_t session, int r, int s)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_transport_set_int2, (session, r, s));
}

void gnutls_x509_crt_deinit(gnutls_x509_crt_t cert)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_x509_crt_deinit, (cert));
}

int gnutls_x509_crt_get_subject_alt_name2(gnutls_x509_crt_t cert, unsigned int seq, void *san, size_t * san_size, unsigned int *san_type, unsigned int *critical)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_x509_crt_get_subject_alt_name2, (cert, seq, san, san_size, san_type, critical));
}

int gnutls_x509_crt_import(gnutls_x509_crt_t cert, const gnutls_datum_t * data, gnutls_x509_crt_fmt_t format)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_x509_crt_import, (cert, data, format));
}

int gnutls_x509_crt_init(gnutls_x509_crt_t * cert)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_x509_crt_init, (cert));
}

int gnutls_x509_trust_list_add_system_trust(gnutls_x509_trust_list_t list, unsigned int tl_flags, unsigned int tl_vflags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_x509_trust_list_add_system_trust, (list, tl_flags, tl_vflags));
}

int gnutls_x509_trust_list_add_trust_mem(gnutls_x509_trust_list_t list, const gnutls_datum_t * cas, const gnutls_datum_t * crls, gnutls_x509_crt_fmt_t type, unsigned int tl_flags, unsigned int tl_vflags)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_x509_trust_list_add_trust_mem, (list, cas, crls, type, tl_flags, tl_vflags));
}

void gnutls_x509_trust_list_deinit(gnutls_x509_trust_list_t list, unsigned int all)
{
	DYN_CALL_VOID(gnutls_sym, gnutls_x509_trust_list_deinit, (list, all));
}

int gnutls_x509_trust_list_init(gnutls_x509_trust_list_t * list, unsigned int size)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_x509_trust_list_init, (list, size));
}

int gnutls_x509_trust_list_verify_crt2(gnutls_x509_trust_list_t list, gnutls_x509_crt_t * cert_list, unsigned int cert_list_size, gnutls_typed_vdata_st * data, unsigned int elements, unsigned int flags, unsigned int *voutput, gnutls_verify_output_function func)
{
	CALL(GNUTLS_E_INTERNAL_ERROR, gnutls_x509_trust_list_verify_crt2, (list, cert_list, cert_list_size, data, elements, flags, voutput, func));
}
