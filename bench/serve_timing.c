/* serve_timing.c: does the portal's unverified address check take the same
 * time whether or not the address is in a leak? One keep-alive HTTP/1.1
 * connection sends POST /check for a present and an absent address in
 * strict alternation (so drift in machine load falls on both alike), times
 * each request from its first byte sent to the last byte of its answer,
 * and prints the mean, median and 10%-trimmed mean of each and their
 * differences. bench/serve.sh builds and runs it.
 *
 * usage: serve_timing HOST PORT COOKIE CSRF PRESENT ABSENT SAMPLES WARMUP */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Reads one response (headers, then Content-Length bytes); 0 on success. */
static int read_response(int fd, int *status)
{
	char buf[65536];
	size_t have = 0;
	char *end = NULL;
	long clen = -1;

	while (!end) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);

		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	*status = atoi(buf + 9);
	{
		char *cl = strcasestr(buf, "\r\nContent-Length:");

		if (!cl)
			return -1;
		clen = strtol(cl + 17, NULL, 10);
	}
	{
		size_t body = have - (size_t)(end + 4 - buf);

		while ((long)body < clen) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0)
				return -1;
			body += (size_t)n;
		}
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double mean, median, trimmed, sd;
};

static struct stats summarise(double *v, size_t n)
{
	struct stats s = {0, 0, 0, 0};
	size_t lo = n / 10, hi = n - n / 10;

	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n; i++)
		s.mean += v[i];
	s.mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		s.sd += (v[i] - s.mean) * (v[i] - s.mean);
	s.sd = sqrt(s.sd / (double)(n - 1));
	s.median = v[n / 2];
	for (size_t i = lo; i < hi; i++)
		s.trimmed += v[i];
	s.trimmed /= (double)(hi - lo);
	return s;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *addr[2];
	char req[2][2048];
	int len[2], fd, one = 1;
	size_t samples, warmup;
	double *t[2];

	if (argc != 9) {
		fprintf(stderr, "usage: %s HOST PORT COOKIE CSRF PRESENT ABSENT SAMPLES WARMUP\n", argv[0]);
		return 2;
	}
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	addr[0] = argv[5];
	addr[1] = argv[6];
	samples = strtoul(argv[7], NULL, 10);
	warmup = strtoul(argv[8], NULL, 10);
	for (int k = 0; k < 2; k++) {
		char body[1024];
		int bl = snprintf(body, sizeof(body), "csrf=%s&email=%s", argv[4], addr[k]);

		len[k] = snprintf(req[k], sizeof(req[k]),
				  "POST /check HTTP/1.1\r\nHost: bench\r\nCookie: lg_csrf=%s\r\n"
				  "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
				  argv[3], bl, body);
		t[k] = calloc(samples, sizeof(double));
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		return 1;
	}
	for (size_t i = 0; i < warmup + samples; i++) {
		for (int k = 0; k < 2; k++) {
			int kk = (int)(i & 1) ? 1 - k : k; /* ABBA: neither always goes first */
			int status = 0;
			double t0 = now_us();

			if (write(fd, req[kk], (size_t)len[kk]) != len[kk] || read_response(fd, &status) || status != 200) {
				fprintf(stderr, "request %zu failed (status %d)\n", i, status);
				return 1;
			}
			if (i >= warmup)
				t[kk][i - warmup] = now_us() - t0;
		}
	}
	close(fd);
	{
		struct stats p = summarise(t[0], samples), a = summarise(t[1], samples);

		printf("samples %zu each (after %zu warm-up pairs), microseconds\n", samples, warmup);
		double se = sqrt(p.sd * p.sd / (double)samples + a.sd * a.sd / (double)samples);

		printf("present: mean %.2f median %.2f trimmed-mean %.2f sd %.2f\n", p.mean, p.median, p.trimmed, p.sd);
		printf("absent:  mean %.2f median %.2f trimmed-mean %.2f sd %.2f\n", a.mean, a.median, a.trimmed, a.sd);
		printf("difference of means %.2f%% (standard error of the difference %.2f%%, Welch t %.2f), "
		       "of medians %.2f%%, of trimmed means %.2f%%\n",
		       100 * (p.mean - a.mean) / a.mean, 100 * se / a.mean, (p.mean - a.mean) / se,
		       100 * (p.median - a.median) / a.median, 100 * (p.trimmed - a.trimmed) / a.trimmed);
	}
	return 0;
}
