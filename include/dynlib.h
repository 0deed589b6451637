/* Libraries nodex loads with dlopen() on first use instead of linking them, so that a process that never
 * needs them does not map them: sd-bus (src/libsystemd.c), GnuTLS (src/libgnutls.c, only with a web
 * configuration that asks for TLS or basic auth) and libcrypt's bcrypt (src/libcrypt.c).
 *
 * Each such file defines the library's functions under their own names, with the prototypes of the
 * library's headers (so the compiler checks every definition), as one-line wrappers that resolve the
 * real function on the first call and keep it. nodex is not linked with the library, so its names do not
 * clash with ours once it is loaded (RTLD_LOCAL). */
#ifndef NODEX_DYNLIB_H
#define NODEX_DYNLIB_H

#include <stdbool.h>

struct dynlib {
	const char *soname;  /* e.g. "libgnutls.so.30" */
	const char *purpose; /* for the log line when it cannot be loaded: "TLS and basic auth fail" */
	bool tried;          /* dlopen() has run (under src/dynlib.c's lock) */
	void *handle;
	char error[256];     /* dlerror() of a failed load */
};

#define DYNLIB_INIT(soname, purpose) { soname, purpose, false, NULL, "" }

/* Loads the library once (later calls return the first result). True when it is loaded; otherwise a
 * warning was logged and lib->error says why. */
bool dynlib_load(struct dynlib *lib);

/* The address of symbol name in lib, loading lib first; NULL when the library or the symbol is missing. */
void *dynlib_sym(struct dynlib *lib, const char *name);

/* Inside a wrapper: declares f, the library's function name, resolved through lookup(#name) on the first
 * call and kept; NULL when the library or the symbol is missing. */
#define DYN_RESOLVE(lookup, name)                                        \
	static __typeof__(name) *fn_;                                     \
	__typeof__(name) *f = __atomic_load_n(&fn_, __ATOMIC_ACQUIRE);    \
	if (!f && (*(void **)&f = lookup(#name)))                         \
	__atomic_store_n(&fn_, f, __ATOMIC_RELEASE)
/* Calls through to the library; a missing function fails with fail. */
#define DYN_CALL(lookup, fail, name, args)    \
	do {                                  \
		DYN_RESOLVE(lookup, name);    \
		return f ? f args : fail;     \
	} while (0)
#define DYN_CALL_VOID(lookup, name, args)     \
	do {                                  \
		DYN_RESOLVE(lookup, name);    \
		if (f)                        \
			f args;               \
	} while (0)

#endif
