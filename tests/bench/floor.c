/* floor FILELIST ITERATIONS: the cost of reading the kernel files an exporter reads, with no parsing.
 * Reads every file of FILELIST (one path per line) ITERATIONS times, once with open/read/close and once
 * with pread on descriptors kept open, and prints the CPU time per iteration (user+system, ms) of each. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	char line[4096];
	char **paths = NULL;
	int *fds;
	size_t n = 0;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: floor FILELIST ITERATIONS\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		paths = realloc(paths, (n + 1) * sizeof(*paths));
		paths[n++] = strdup(line);
	}
	fclose(f);
	int iters = atoi(argv[2]);
	fds = calloc(n, sizeof(*fds));

	double t0 = cpu_ms();
	for (int it = 0; it < iters; it++)
		for (size_t i = 0; i < n; i++) {
			int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (read(fd, buf, sizeof(buf)) < 0) {
				/* unreadable attributes count as read attempts, as they do for an exporter */
			}
			close(fd);
		}
	double t1 = cpu_ms();
	for (size_t i = 0; i < n; i++)
		fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
	double t2 = cpu_ms();
	for (int it = 0; it < iters; it++)
		for (size_t i = 0; i < n; i++)
			if (fds[i] >= 0 && pread(fds[i], buf, sizeof(buf), 0) < 0) {
			}
	double t3 = cpu_ms();
	printf("files %zu\nopen_read_close_ms %.4f\npread_ms %.4f\n", n, (t1 - t0) / iters, (t3 - t2) / iters);
	return 0;
}
