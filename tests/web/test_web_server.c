/*
 * The display's HTTP server on 127.0.0.1, through plain sockets: the page,
 * its script and the map data; 404 and 405; the latest snapshot; event
 * streams (a snapshot posted reaches every stream, a new stream gets the
 * current one at once, text with line breaks arrives whole); a stream that
 * does not read does not hold up posting and skips to the newest snapshot;
 * errors for a bad address and a port in use; stopping with streams open.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mwds/web.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_all(int fd, const char *text)
{
    size_t n = strlen(text), o = 0;
    while (o < n) {
        ssize_t k = send(fd, text + o, n - o, MSG_NOSIGNAL);
        assert_true(k > 0);
        o += (size_t)k;
    }
}

/* Reads into buf (grown) until `until` appears after offset `from`, the
 * peer closes, or timeout_s passes. Returns the bytes held. */
static size_t read_until(int fd, char **buf, size_t *cap, size_t len, size_t from,
                         const char *until, double timeout_s)
{
    double end = now_s() + timeout_s;
    for (;;) {
        if (until != NULL && len > from && strstr(*buf + from, until) != NULL)
            return len;
        double left = end - now_s();
        if (left <= 0)
            return len;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
            return len;
        if (len + 65536 + 1 > *cap) {
            *cap = (len + 65536 + 1) * 2;
            *buf = realloc(*buf, *cap);
            assert_non_null(*buf);
        }
        ssize_t k = recv(fd, *buf + len, 65536, 0);
        if (k <= 0)
            return len;
        len += (size_t)k;
        (*buf)[len] = '\0';
    }
}

/* GET (or another method) over HTTP/1.0; returns the status, the body in
 * *body (the caller frees it). */
static int request(uint16_t port, const char *method, const char *path, char **body,
                   size_t *body_len)
{
    int fd = connect_to(port);
    char req[512];
    snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
             method, path);
    send_all(fd, req);
    size_t cap = 0;
    char *buf = NULL;
    size_t len = read_until(fd, &buf, &cap, 0, 0, NULL, 10.0);
    close(fd);
    assert_true(len > 12);
    int status = atoi(buf + 9);
    char *b = strstr(buf, "\r\n\r\n");
    assert_non_null(b);
    b += 4;
    *body_len = len - (size_t)(b - buf);
    *body = malloc(*body_len + 1);
    memcpy(*body, b, *body_len);
    (*body)[*body_len] = '\0';
    free(buf);
    return status;
}

static mwds_web *start(void)
{
    mwds_web_config c;
    mwds_web_config_default(&c);
    mwds_web *w = NULL;
    char err[256];
    assert_int_equal(mwds_web_start(&c, &w, err, sizeof err), MWDS_OK);
    assert_true(mwds_web_port(w) != 0);
    return w;
}

static void test_files(void **state)
{
    (void)state;
    mwds_web *w = start();
    uint16_t port = mwds_web_port(w);
    char *body;
    size_t n;
    assert_int_equal(request(port, "GET", "/", &body, &n), 200);
    assert_non_null(strstr(body, "<title>"));
    assert_non_null(strstr(body, "/app.js"));
    free(body);
    assert_int_equal(request(port, "GET", "/index.html", &body, &n), 200);
    free(body);
    assert_int_equal(request(port, "GET", "/app.js", &body, &n), 200);
    assert_non_null(strstr(body, "EventSource"));
    free(body);
    assert_int_equal(request(port, "GET", "/style.css", &body, &n), 200);
    free(body);
    assert_int_equal(request(port, "GET", "/map/countries-50m.json", &body, &n), 200);
    assert_true(n > 500000);
    assert_non_null(strstr(body, "\"Topology\""));
    free(body);
    assert_int_equal(request(port, "GET", "/map/areas.geojson", &body, &n), 200);
    assert_non_null(strstr(body, "FeatureCollection"));
    assert_non_null(strstr(body, "\"JPN\""));
    free(body);
    assert_int_equal(request(port, "GET", "/nope", &body, &n), 404);
    free(body);
    assert_int_equal(request(port, "GET", "/../etc/passwd", &body, &n), 404);
    free(body);
    assert_int_equal(request(port, "POST", "/", &body, &n), 405);
    free(body);
    assert_int_equal(request(port, "DELETE", "/events", &body, &n), 405);
    free(body);
    /* the snapshot: none yet, then the one posted */
    assert_int_equal(request(port, "GET", "/snapshot.json", &body, &n), 204);
    free(body);
    assert_int_equal(mwds_web_post(w, "{\"seq\":1}"), MWDS_OK);
    assert_int_equal(request(port, "GET", "/snapshot.json", &body, &n), 200);
    assert_string_equal(body, "{\"seq\":1}");
    free(body);
    assert_int_equal(mwds_web_post(w, NULL), MWDS_EINVAL);
    assert_int_equal(mwds_web_post(NULL, "{}"), MWDS_EINVAL);
    mwds_web_stats st;
    mwds_web_get_stats(w, &st);
    assert_true(st.requests >= 12);
    assert_int_equal(st.posts, 1);
    mwds_web_stop(w);
}

static int open_stream(uint16_t port)
{
    int fd = connect_to(port);
    send_all(fd, "GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    return fd;
}

static void test_events(void **state)
{
    (void)state;
    mwds_web *w = start();
    uint16_t port = mwds_web_port(w);
    int a = open_stream(port);
    size_t cap = 0, len = 0;
    char *buf = NULL;
    len = read_until(a, &buf, &cap, len, 0, "retry:", 5.0);
    assert_non_null(strstr(buf, "200"));
    assert_non_null(strstr(buf, "text/event-stream"));
    assert_null(strstr(buf, "event: picture"));
    /* a post reaches the open stream */
    assert_int_equal(mwds_web_post(w, "{\"seq\":1}"), MWDS_OK);
    len = read_until(a, &buf, &cap, len, 0, "{\"seq\":1}\n\n", 5.0);
    assert_non_null(strstr(buf, "id: 1\nevent: picture\ndata: {\"seq\":1}\n\n"));
    size_t mark = len;
    assert_int_equal(mwds_web_post(w, "{\"seq\":2}"), MWDS_OK);
    len = read_until(a, &buf, &cap, len, mark, "{\"seq\":2}\n\n", 5.0);
    assert_non_null(strstr(buf + mark, "id: 2\nevent: picture\ndata: {\"seq\":2}\n\n"));
    /* a stream opened now gets the current snapshot at once */
    int b = open_stream(port);
    size_t cap2 = 0, len2 = 0;
    char *buf2 = NULL;
    len2 = read_until(b, &buf2, &cap2, len2, 0, "{\"seq\":2}\n\n", 5.0);
    assert_non_null(strstr(buf2, "id: 2\nevent: picture\ndata: {\"seq\":2}\n\n"));
    /* line breaks in the text: one data line each, so it arrives whole */
    mark = len;
    size_t mark2 = len2;
    assert_int_equal(mwds_web_post(w, "{\"a\":\n1,\r\n\"b\":2}"), MWDS_OK);
    len = read_until(a, &buf, &cap, len, mark, "\"b\":2}\n\n", 5.0);
    assert_non_null(
        strstr(buf + mark, "id: 3\nevent: picture\ndata: {\"a\":\ndata: 1,\ndata: \"b\":2}\n\n"));
    len2 = read_until(b, &buf2, &cap2, len2, mark2, "\"b\":2}\n\n", 5.0);
    assert_non_null(strstr(buf2 + mark2, "data: \"b\":2}\n\n"));
    mwds_web_stats st;
    mwds_web_get_stats(w, &st);
    assert_int_equal(st.streams, 2);
    assert_int_equal(st.streams_open, 2);
    /* a browser that goes away is noticed at the next post */
    close(b);
    double end = now_s() + 5.0;
    do {
        assert_int_equal(mwds_web_post(w, "{\"seq\":4}"), MWDS_OK);
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        mwds_web_get_stats(w, &st);
    } while (st.streams_open != 1 && now_s() < end);
    assert_int_equal(st.streams_open, 1);
    /* stopping with a stream open ends it */
    mwds_web_stop(w);
    len = read_until(a, &buf, &cap, len, 0, NULL, 5.0);
    char one;
    assert_true(recv(a, &one, 1, MSG_DONTWAIT) == 0);
    close(a);
    free(buf);
    free(buf2);
}

/* The last "id: N" in text, 0 if none. */
static unsigned long last_id(const char *text)
{
    unsigned long id = 0;
    for (const char *s = strstr(text, "\nid: "); s != NULL; s = strstr(s + 1, "\nid: "))
        id = strtoul(s + 5, NULL, 10);
    if (strncmp(text, "id: ", 4) == 0 && id == 0)
        id = strtoul(text + 4, NULL, 10);
    return id;
}

static void test_slow_stream(void **state)
{
    (void)state;
    mwds_web *w = start();
    uint16_t port = mwds_web_port(w);
    int slow = open_stream(port);
    /* 1 MB snapshots, 40 of them, posted while the stream reads nothing:
     * posting does not wait for it */
    size_t big = 1 << 20;
    char *snap = malloc(big + 64);
    assert_non_null(snap);
    double t0 = now_s();
    for (int k = 1; k <= 40; k++) {
        int o = snprintf(snap, 64, "{\"seq\":%d,\"pad\":\"", k);
        memset(snap + o, 'x', big);
        snprintf(snap + o + big, 8, "\"}");
        assert_int_equal(mwds_web_post(w, snap), MWDS_OK);
    }
    double took = now_s() - t0;
    assert_true(took < 5.0);
    /* then it reads: it ends with the newest, having skipped most */
    size_t cap = 0, len = 0;
    char *buf = NULL;
    len = read_until(slow, &buf, &cap, len, 0, "{\"seq\":40,", 30.0);
    assert_non_null(strstr(buf, "{\"seq\":40,"));
    len = read_until(slow, &buf, &cap, len, 0, "\"}\n\n", 0.5);
    assert_int_equal(last_id(buf), 40);
    size_t events = 0;
    for (const char *s = strstr(buf, "event: picture"); s; s = strstr(s + 1, "event: picture"))
        events++;
    assert_true(events < 40);
    mwds_web_stats st;
    mwds_web_get_stats(w, &st);
    assert_true(st.events_sent < 40);
    close(slow);
    free(buf);
    free(snap);
    mwds_web_stop(w);
}

static void test_errors(void **state)
{
    (void)state;
    mwds_web_config c;
    mwds_web_config_default(&c);
    mwds_web *w = NULL;
    char err[256];
    c.bind_addr = "not-an-address";
    assert_int_equal(mwds_web_start(&c, &w, err, sizeof err), MWDS_EINVAL);
    assert_non_null(strstr(err, "not-an-address: expected an IPv4 or IPv6 address"));
    assert_null(w);
    c.bind_addr = NULL;
    c.max_clients = 0;
    assert_int_equal(mwds_web_start(&c, &w, err, sizeof err), MWDS_EINVAL);
    c.max_clients = 4;
    /* a port in use */
    mwds_web *first = start();
    c.port = mwds_web_port(first);
    assert_int_equal(mwds_web_start(&c, &w, err, sizeof err), MWDS_EIO);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%u: bind:", c.port);
    assert_non_null(strstr(err, want));
    mwds_web_stop(first);
    mwds_web_stop(NULL);
    /* IPv6 loopback, where the machine has it */
    c.bind_addr = "::1";
    c.port = 0;
    if (mwds_web_start(&c, &w, err, sizeof err) == MWDS_OK)
        mwds_web_stop(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_slow_stream),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
