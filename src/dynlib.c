/* Loading a library on first use (include/dynlib.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "dynlib.h"
#include "log.h"

static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;

bool dynlib_load(struct dynlib *lib)
{
	bool loaded;

	pthread_mutex_lock(&load_mu);
	if (!lib->tried) {
		lib->tried = true;
		lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		if (!lib->handle) {
			snprintf(lib->error, sizeof(lib->error), "%s", dlerror());
			log_warn("A library could not be loaded", "library", lib->soname, "consequence", lib->purpose,
				 "err", lib->error);
		}
	}
	loaded = lib->handle != NULL;
	pthread_mutex_unlock(&load_mu);
	return loaded;
}

void *dynlib_sym(struct dynlib *lib, const char *name)
{
	return dynlib_load(lib) ? dlsym(lib->handle, name) : NULL;
}
