/* Drops the start-up footprint of shared libraries from the resident set. */
#ifndef NODEX_MEMTRIM_H
#define NODEX_MEMTRIM_H

/* For every read-only or executable file-backed mapping of the process whose pages were never written
 * (smaps Anonymous: 0), tells the kernel that access is random (no fault-around: only pages really
 * touched get mapped again) and drops the current page-table entries (MADV_DONTNEED; the pages stay in
 * the page cache and come back on first use). Code run only at start-up (the dynamic linker, library
 * constructors, flag parsing) then stops counting in the RSS. Mappings holding written pages are left
 * alone, since dropping them would lose the writes. Returns the number of kB no longer mapped, or a
 * negative errno. */
long memtrim_file_mappings(void);

#endif
