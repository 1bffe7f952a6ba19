/*
 * The c=1 latency client of gateway-limit.sh: one kept-alive HTTP/1.1 connection, one request at a
 * time, timed with CLOCK_MONOTONIC from the write of the request to the read of the response's last
 * byte. Nothing else runs in the process, so its percentiles are the server's and the kernel's;
 * wrk's own event loop and scripting add a tail of their own at one connection (bench/README.md,
 * run 21).
 *
 *   cc -O2 -o c1-client bench/scripts/c1-client.c
 *   c1-client PORT SECONDS REQUEST_FILE      (the file holds the whole request, headers and body)
 *
 * Prints one line: requests, rate, p50 p90 p99 p99.9 max in microseconds. Exits 1 on a connection
 * error, no answer within 5 s, a response other than 200, or one it cannot frame (Content-Length,
 * or chunked without trailers).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return (x > y) - (x < y);
}

/* Reads one response into buf; 0 when it is a whole 200 response and nothing more. */
static int read_response(int s, char *buf, size_t cap) {
    size_t got = 0, header_end = 0;
    long long need = -1;
    int chunked = 0;
    for (;;) {
        ssize_t r = read(s, buf + got, cap - 1 - got);
        if (r < 0) {
            perror("read");
            return -1;
        }
        if (r == 0) {
            fprintf(stderr, "the server closed the connection\n");
            return -1;
        }
        got += (size_t) r;
        buf[got] = '\0';
        if (!header_end) {
            char *end = memmem(buf, got, "\r\n\r\n", 4);
            if (!end) continue;
            header_end = (size_t) (end - buf) + 4;
            char *length = strcasestr(buf, "\r\ncontent-length:");
            if (length && length < end) {
                need = (long long) header_end + atoll(length + 17);
            } else {
                char *encoding = strcasestr(buf, "\r\ntransfer-encoding: chunked");
                chunked = encoding && encoding < end;
                if (!chunked) {
                    fprintf(stderr, "a response without Content-Length or chunked encoding\n");
                    return -1;
                }
            }
        }
        if (need >= 0 ? (long long) got >= need
                : got >= header_end + 7 && memcmp(buf + got - 7, "\r\n0\r\n\r\n", 7) == 0) {
            break;
        }
        if (got == cap - 1) {
            fprintf(stderr, "a response larger than %zu bytes\n", cap);
            return -1;
        }
    }
    if (memcmp(buf, "HTTP/1.1 200", 12) != 0) {
        fprintf(stderr, "not 200: %.60s\n", buf);
        return -1;
    }
    if (need >= 0 && (long long) got > need) {
        fprintf(stderr, "%lld bytes beyond the response\n", (long long) got - need);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT SECONDS REQUEST_FILE\n", argv[0]);
        return 2;
    }
    static char request[65536], response[1 << 20];
    FILE *file = fopen(argv[3], "rb");
    if (!file) {
        perror(argv[3]);
        return 2;
    }
    size_t request_length = fread(request, 1, sizeof request, file);
    int too_long = !feof(file);
    fclose(file);
    if (too_long) {
        fprintf(stderr, "%s: a request longer than %zu bytes\n", argv[3], sizeof request);
        return 2;
    }

    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct timeval timeout = {.tv_sec = 5};
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short) atoi(argv[1])),
            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(s, (struct sockaddr *) &address, sizeof address) != 0) {
        perror("connect");
        return 1;
    }
    double seconds = atof(argv[2]);
    size_t cap = 20000000, n = 0;
    long long *latency = malloc(cap * sizeof *latency);
    if (!latency) {
        perror("malloc");
        return 1;
    }
    long long end = now_ns() + (long long) (seconds * 1e9);
    while (n < cap && now_ns() < end) {
        long long start = now_ns();
        if (send(s, request, request_length, MSG_NOSIGNAL) != (ssize_t) request_length) {
            perror("send");
            return 1;
        }
        if (read_response(s, response, sizeof response) != 0) {
            return 1;
        }
        latency[n++] = now_ns() - start;
    }
    if (n == 0) {
        fprintf(stderr, "no request completed\n");
        return 1;
    }
    double elapsed = (now_ns() - end) / 1e9 + seconds;
    qsort(latency, n, sizeof *latency, by_value);
    printf("%zu requests %.0f/s p50 %.0f p90 %.0f p99 %.0f p99.9 %.0f max %.0f us\n", n, n / elapsed,
            latency[n / 2] / 1e3, latency[n * 9 / 10] / 1e3, latency[n * 99 / 100] / 1e3,
            latency[n * 999 / 1000] / 1e3, latency[n - 1] / 1e3);
    return 0;
}
