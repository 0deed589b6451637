#include <errno.h>
#include <stdbool.h>

#include "base64.h"

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Works in quanta of four characters; "=" may stand for the last one or two of a quantum, and ends the
 * input. */
ssize_t base64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
	int quad[4];
	size_t q = 0, o = 0;
	bool done = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '\r' || c == '\n')
			continue;
		if (done)
			return -EINVAL; /* data after the padding */
		if (c == '=') {
			if (q < 2)
				return -EINVAL;
			quad[q++] = -1;
		} else {
			int v = b64val(c);
			if (v < 0 || (q > 0 && quad[q - 1] < 0))
				return -EINVAL;
			quad[q++] = v;
		}
		if (q < 4)
			continue;
		size_t n = quad[2] < 0 ? 1 : quad[3] < 0 ? 2 : 3;
		if (o + n > size)
			return -ENOSPC;
		out[o++] = (unsigned char)(quad[0] << 2 | quad[1] >> 4);
		if (n > 1)
			out[o++] = (unsigned char)((quad[1] & 15) << 4 | quad[2] >> 2);
		if (n > 2)
			out[o++] = (unsigned char)((quad[2] & 3) << 6 | quad[3]);
		done = n < 3;
		q = 0;
	}
	if (q != 0)
		return -EINVAL; /* unpadded */
	return (ssize_t)o;
}
