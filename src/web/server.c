/*
 * The display's HTTP server (libmicrohttpd): the page and map data built
 * into the library, the latest snapshot, and server-sent events.
 *
 * Threads: libmicrohttpd's one internal polling thread serves every
 * connection; the caller's thread posts snapshots. Both meet under
 * w->lock, which guards the current snapshot, the list of event streams and
 * the counters. The caller's thread never calls into libmicrohttpd with the
 * lock held, and never waits for a connection.
 *
 * Event streams: each stream (client) holds a reference to the snapshot it
 * is sending and how far it has got. When it has sent it, it takes the
 * newest one if that is newer, else it suspends itself (libmicrohttpd
 * stops polling it). A post swaps the current snapshot, then resumes the
 * suspended streams. So a stream that reads slowly skips snapshots instead
 * of queueing them: memory is at most one snapshot per stream plus the
 * current one, and the number of streams is bounded by max_clients.
 * Snapshots are immutable and reference-counted (under w->lock).
 *
 * A suspended connection is not polled, so a browser that went away is
 * noticed at the next post, when its stream is resumed and the write
 * fails. Stopping resumes every stream first (libmicrohttpd must not be
 * stopped with connections suspended); a resumed stream then ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "assets.h"
#include "mwds/web.h"

typedef struct snap {
    int refs;
    uint64_t seq;
    size_t frame_len, json_len;
    char *json;   /* the snapshot as posted */
    char frame[]; /* "id: N\nevent: picture\ndata: ...\n\n", then json */
} snap;

typedef struct client {
    mwds_web *w;
    struct MHD_Connection *conn;
    snap *cur;    /* being sent, or sent last */
    size_t off;   /* bytes of cur->frame sent */
    uint64_t seq; /* cur's sequence number; 0: none yet */
    int hello;    /* the retry interval was sent */
    int suspended;
    struct client *next, *prev;
} client;

struct mwds_web {
    struct MHD_Daemon *d;
    uint16_t port;
    pthread_mutex_t lock;
    snap *cur;
    uint64_t seq;
    client *clients;
    int stopping;
    struct MHD_Connection **wake; /* max_clients: streams to resume after a post */
    int max_clients;
    mwds_web_stats st;
};

void mwds_web_config_default(mwds_web_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_clients = 32;
    c->timeout_s = 30.0;
}

/* ---- snapshots ---- */

static void snap_release(snap *s)
{
    if (s != NULL && --s->refs == 0)
        free(s);
}

/* The event frame: each line of the text gets its own "data: " (SSE splits
 * lines on CR, LF and CRLF), so any text arrives whole. */
static snap *snap_make(const char *json, uint64_t seq)
{
    size_t n = strlen(json), lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += json[i] == '\n' || json[i] == '\r';
    size_t cap = 64 + n + lines * 7 + 2;
    snap *s = malloc(sizeof *s + cap + n + 1);
    if (s == NULL)
        return NULL;
    s->refs = 1;
    s->seq = seq;
    int h = snprintf(s->frame, cap, "id: %llu\nevent: picture\ndata: ", (unsigned long long)seq);
    size_t o = (size_t)h;
    for (size_t i = 0; i < n; i++) {
        if (json[i] == '\r' || json[i] == '\n') {
            if (json[i] == '\r' && i + 1 < n && json[i + 1] == '\n')
                i++;
            memcpy(s->frame + o, "\ndata: ", 7);
            o += 7;
        } else {
            s->frame[o++] = json[i];
        }
    }
    s->frame[o++] = '\n';
    s->frame[o++] = '\n';
    s->frame_len = o;
    s->json = s->frame + cap;
    memcpy(s->json, json, n + 1);
    s->json_len = n;
    return s;
}

/* ---- event streams ---- */

static const char HELLO[] = ": mwds picture stream\nretry: 2000\n\n";

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    client *c = cls;
    mwds_web *w = c->w;
    size_t out = 0;
    pthread_mutex_lock(&w->lock);
    if (w->stopping) {
        pthread_mutex_unlock(&w->lock);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (!c->hello && max >= sizeof HELLO - 1) {
        memcpy(buf, HELLO, sizeof HELLO - 1);
        out = sizeof HELLO - 1;
        c->hello = 1;
    }
    if ((c->cur == NULL || c->off == c->cur->frame_len) && w->cur != NULL &&
        w->cur->seq != c->seq) {
        snap_release(c->cur);
        c->cur = w->cur;
        c->cur->refs++;
        c->off = 0;
        c->seq = c->cur->seq;
        w->st.events_sent++;
    }
    if (c->cur != NULL && c->off < c->cur->frame_len) {
        size_t n = c->cur->frame_len - c->off;
        if (n > max - out)
            n = max - out;
        memcpy(buf + out, c->cur->frame + c->off, n);
        c->off += n;
        out += n;
    }
    if (out == 0) {
        /* nothing new: off the polling list until the next post */
        c->suspended = 1;
        MHD_suspend_connection(c->conn);
    }
    pthread_mutex_unlock(&w->lock);
    return (ssize_t)out;
}

static void stream_free(void *cls)
{
    client *c = cls;
    mwds_web *w = c->w;
    pthread_mutex_lock(&w->lock);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else if (w->clients == c)
        w->clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    snap_release(c->cur);
    w->st.streams_open--;
    pthread_mutex_unlock(&w->lock);
    free(c);
}

/* ---- requests ---- */

static void common_headers(struct MHD_Response *r, const char *type, const char *cache)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* the page loads nothing from anywhere else: it works offline, and
     * nothing injected into it can call out */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'");
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
                                                             MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    common_headers(r, "text/plain; charset=utf-8", "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result open_stream(mwds_web *w, struct MHD_Connection *conn)
{
    client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
    c->w = w;
    c->conn = conn;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, c, stream_free);
    if (r == NULL) {
        free(c);
        return MHD_NO;
    }
    pthread_mutex_lock(&w->lock);
    c->next = w->clients;
    if (w->clients != NULL)
        w->clients->prev = c;
    w->clients = c;
    w->st.streams++;
    w->st.streams_open++;
    pthread_mutex_unlock(&w->lock);
    common_headers(r, "text/event-stream; charset=utf-8", "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r); /* stream_free runs when the connection is done with it */
    return ret;
}

static enum MHD_Result reply_snapshot(mwds_web *w, struct MHD_Connection *conn)
{
    pthread_mutex_lock(&w->lock);
    snap *s = w->cur;
    if (s != NULL)
        s->refs++;
    pthread_mutex_unlock(&w->lock);
    if (s == NULL)
        return reply_text(conn, MHD_HTTP_NO_CONTENT, "");
    struct MHD_Response *r =
        MHD_create_response_from_buffer(s->json_len, s->json, MHD_RESPMEM_MUST_COPY);
    pthread_mutex_lock(&w->lock);
    snap_release(s);
    pthread_mutex_unlock(&w->lock);
    if (r == NULL)
        return MHD_NO;
    common_headers(r, "application/json", "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    static int first;
    mwds_web *w = cls;
    if (*con_cls == NULL) {
        /* the headers only: the answer comes on the next call */
        *con_cls = &first;
        return MHD_YES;
    }
    pthread_mutex_lock(&w->lock);
    w->st.requests++;
    int stopping = w->stopping;
    pthread_mutex_unlock(&w->lock);
    int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    if (!get && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        *upload_data_size = 0; /* a body is not read: the answer is the same */
        return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    }
    if (stopping)
        return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping\n");
    if (strcmp(url, "/events") == 0)
        return get ? open_stream(w, conn) : reply_text(conn, MHD_HTTP_OK, "");
    if (strcmp(url, "/snapshot.json") == 0)
        return reply_snapshot(w, conn);
    if (strcmp(url, "/index.html") == 0)
        url = "/";
    for (size_t i = 0; i < mwds__web_n_assets; i++) {
        const mwds__web_asset *a = &mwds__web_assets[i];
        if (strcmp(url, a->path) != 0)
            continue;
        struct MHD_Response *r = MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data,
                                                                 MHD_RESPMEM_PERSISTENT);
        if (r == NULL)
            return MHD_NO;
        common_headers(r, a->content_type, "no-cache");
        enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ret;
    }
    return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* ---- start, post, stop ---- */

static int listen_on(const char *addr, uint16_t port, int *fd_out, uint16_t *port_out, int *v6,
                     char *err, size_t n)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    *v6 = strchr(addr, ':') != NULL;
    if (*v6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1) {
            mwds_errmsg(err, n, "%.100s: expected an IPv4 or IPv6 address", addr);
            return MWDS_EINVAL;
        }
        sl = sizeof *a6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1) {
            mwds_errmsg(err, n, "%.100s: expected an IPv4 or IPv6 address", addr);
            return MWDS_EINVAL;
        }
        sl = sizeof *a4;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        mwds_errmsg(err, n, "%.100s:%u: socket: %s", addr, port, strerror(errno));
        return MWDS_EIO;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (*v6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 64) != 0) {
        mwds_errmsg(err, n, "%s%.100s%s:%u: %s: %s", *v6 ? "[" : "", addr, *v6 ? "]" : "", port,
                    "bind", strerror(errno));
        close(fd);
        return MWDS_EIO;
    }
    sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        mwds_errmsg(err, n, "%.100s: getsockname: %s", addr, strerror(errno));
        close(fd);
        return MWDS_EIO;
    }
    *port_out = ntohs(*v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                          : ((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    return MWDS_OK;
}

mwds_err mwds_web_start(const mwds_web_config *c, mwds_web **out, char *err, size_t n)
{
    mwds_errmsg(err, n, "%s", "");
    if (c == NULL || out == NULL || c->max_clients < 1 || c->max_clients > 10000 ||
        !(c->timeout_s >= 1 && c->timeout_s <= 86400)) {
        mwds_errmsg(err, n,
                    "web: invalid configuration (max_clients 1..10000, timeout_s "
                    "1..86400)");
        return MWDS_EINVAL;
    }
    const char *addr = c->bind_addr != NULL ? c->bind_addr : "127.0.0.1";
    mwds_web *w = calloc(1, sizeof *w);
    struct MHD_Connection **wake = calloc((size_t)c->max_clients + 1, sizeof *wake);
    if (w == NULL || wake == NULL) {
        free(w);
        free(wake);
        mwds_errmsg(err, n, "web: out of memory");
        return MWDS_ENOMEM;
    }
    w->wake = wake;
    w->max_clients = c->max_clients;
    int fd = -1, v6 = 0;
    int rc = listen_on(addr, c->port, &fd, &w->port, &v6, err, n);
    if (rc != MWDS_OK) {
        free(w->wake);
        free(w);
        return (mwds_err)rc;
    }
    pthread_mutex_init(&w->lock, NULL);
    /* poll(): a few dozen connections at most; suspended event streams are
     * off its list */
    unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
    if (v6)
        flags |= MHD_USE_IPv6;
    w->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->max_clients,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->timeout_s, MHD_OPTION_END);
    if (w->d == NULL) {
        mwds_errmsg(err, n, "%.100s:%u: the HTTP server (libmicrohttpd) did not start", addr,
                    w->port);
        close(fd);
        pthread_mutex_destroy(&w->lock);
        free(w->wake);
        free(w);
        return MWDS_EIO;
    }
    *out = w;
    return MWDS_OK;
}

uint16_t mwds_web_port(const mwds_web *w)
{
    return w != NULL ? w->port : 0;
}

/* Under w->lock: takes the suspended streams off suspension into w->wake;
 * returns how many. */
static int collect_suspended(mwds_web *w)
{
    int k = 0;
    for (client *c = w->clients; c != NULL && k < w->max_clients + 1; c = c->next)
        if (c->suspended) {
            c->suspended = 0;
            w->wake[k++] = c->conn;
        }
    return k;
}

mwds_err mwds_web_post(mwds_web *w, const char *snapshot_json)
{
    if (w == NULL || snapshot_json == NULL)
        return MWDS_EINVAL;
    pthread_mutex_lock(&w->lock);
    uint64_t seq = w->seq + 1;
    pthread_mutex_unlock(&w->lock);
    /* the copy outside the lock: the server's thread goes on meanwhile */
    snap *s = snap_make(snapshot_json, seq);
    if (s == NULL)
        return MWDS_ENOMEM;
    pthread_mutex_lock(&w->lock);
    snap *old = w->cur;
    w->cur = s;
    w->seq = seq;
    w->st.posts++;
    snap_release(old);
    int k = collect_suspended(w);
    pthread_mutex_unlock(&w->lock);
    /* a suspended connection is not touched by the server's thread, so it
     * is still there to be resumed */
    for (int i = 0; i < k; i++)
        MHD_resume_connection(w->wake[i]);
    return MWDS_OK;
}

void mwds_web_get_stats(mwds_web *w, mwds_web_stats *out)
{
    if (w == NULL || out == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    *out = w->st;
    pthread_mutex_unlock(&w->lock);
}

void mwds_web_stop(mwds_web *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    int k = collect_suspended(w);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < k; i++)
        MHD_resume_connection(w->wake[i]);
    /* closes the listening socket and every connection; the streams'
     * stream_free runs before it returns */
    MHD_stop_daemon(w->d);
    snap_release(w->cur);
    pthread_mutex_destroy(&w->lock);
    free(w->wake);
    free(w);
}
