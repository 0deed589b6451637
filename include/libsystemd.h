/* src/libsystemd.c defines the libsystemd functions nodex uses (their prototypes are systemd's headers);
 * this is what it adds. */
#ifndef NODEX_LIBSYSTEMD_H
#define NODEX_LIBSYSTEMD_H

/* Tests: where sd_journal_sendv() sends, instead of /run/systemd/journal/socket. */
void libsystemd_test_journal_socket(const char *path);

#endif
