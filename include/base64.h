/* Standard base64 (RFC 4648, "+/" alphabet, padded), decoded as Go's base64.StdEncoding.DecodeString
 * does: CR and LF anywhere are skipped, the padding is required, nothing but CR and LF may follow it, and
 * the unused bits of the last character are not checked. Used for HTTP Basic credentials and for the
 * []byte fields of JSON fixtures: one decoder for both. */
#ifndef NODEX_BASE64_H
#define NODEX_BASE64_H

#include <stddef.h>
#include <sys/types.h>

/* Decodes the len bytes of in into out (size bytes). Returns the number of bytes written, -EINVAL when in
 * is not valid padded base64, or -ENOSPC when the result does not fit in size bytes. Needs at most
 * len / 4 * 3 bytes of room. */
ssize_t base64_decode(const char *in, size_t len, unsigned char *out, size_t size);

#endif
