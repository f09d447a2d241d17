/*
 * The node's journal thread (node.h): rows handed over by the other
 * threads are formatted as JSON here and appended in the journal's
 * batches, so that neither the JSON nor SQLite is between a look and the
 * tracks it causes. Nothing is dropped: the queue grows as it must, and
 * its peak is reported when the node stops.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "node.h"

json_t *node_state_json(const mwds_filter_state *f)
{
    json_t *x = json_array(), *p = json_array();
    for (int i = 0; i < f->n; i++) {
        json_array_append_new(x, json_real(f->x.v[i]));
        for (int k = i; k < f->n; k++)
            json_array_append_new(p, json_real(f->p.m[i][k]));
    }
    return json_pack("{s:I, s:s, s:o, s:o}", "t_ns", (json_int_t)f->t_ns, "model",
                     f->model == MWDS_MODEL_BOOST ? "boost" : "ballistic", "x", x, "p_upper", p);
}

/* A row the journal thread formats: the fields every row has. */
log_row node_log_row(log_what what, const char *topic, mwds_journal_dir dir, const char *origin,
                     uint32_t key, int64_t revision, const char *partition, int exercise,
                     int64_t t_sample, int64_t t_send, int64_t t_recv)
{
    log_row r;
    memset(&r, 0, sizeof r);
    r.what = what;
    r.topic = topic;
    r.dir = dir;
    snprintf(r.origin, sizeof r.origin, "%s", origin);
    r.key = key;
    r.revision = revision;
    r.partition = partition;
    r.exercise = exercise;
    r.t_sample = t_sample;
    r.t_send = t_send;
    r.t_recv = t_recv;
    return r;
}

static json_t *payload(const log_row *r)
{
    switch (r->what) {
    case LOG_LOOK: {
        json_t *dets = json_array();
        for (int i = 0; i < r->u.look.count; i++) {
            json_t *z = json_array();
            for (int k = 0; k < r->u.look.m[i].dim; k++)
                json_array_append_new(z, json_real(r->u.look.m[i].z[k]));
            json_array_append_new(dets, z);
        }
        return json_pack("{s:o}", "z", dets);
    }
    case LOG_TRACK:
        return json_pack("{s:o, s:i, s:I, s:I}", "state", node_state_json(&r->u.track.f), "hits",
                         r->u.track.hits, "cause_seq", (json_int_t)r->u.track.cause.seq,
                         "cause_pub_ns", (json_int_t)r->u.track.cause.pub_ns);
    case LOG_TRACK_ENDED:
        return json_pack("{s:b}", "ended", 1);
    case LOG_STATUS_SENT: {
        json_t *o = json_pack("{s:i, s:i, s:i, s:i}", "local_tracks", r->u.status.local,
                              "system_tracks", r->u.status.sys, "warnings_issued",
                              r->u.status.issued, "warnings_received", r->u.status.received);
        if (o != NULL && r->u.status.lockstep) {
            json_object_set_new(o, "tracks_sent", json_integer(r->u.status.tracks_sent));
            json_object_set_new(o, "tracks_received", json_integer(r->u.status.tracks_received));
        }
        return o;
    }
    case LOG_SYSTEM: {
        json_t *mem = json_array();
        for (int i = 0; i < r->u.system.n_members; i++) {
            char text[MWDS_ORIGIN_LEN + 12];
            snprintf(text, sizeof text, "%s:%u", r->u.system.origin[i], r->u.system.number[i]);
            json_array_append_new(mem, json_string(text));
        }
        json_t *o =
            json_pack("{s:o, s:o}", "state", node_state_json(&r->u.system.f), "members", mem);
        if (r->u.system.has_impact) {
            const mwds_impact *im = &r->u.system.impact;
            json_object_set_new(o, "impact",
                                json_pack("{s:f, s:f, s:f, s:f, s:f, s:I, s:f}", "lat_deg",
                                          im->ellipse.centre.lat_rad * MWDS_RAD2DEG, "lon_deg",
                                          im->ellipse.centre.lon_rad * MWDS_RAD2DEG,
                                          "semi_major_km", im->ellipse.semi_major_m / 1e3,
                                          "semi_minor_km", im->ellipse.semi_minor_m / 1e3,
                                          "major_az_deg", im->ellipse.major_az_rad * MWDS_RAD2DEG,
                                          "t_ns", (json_int_t)im->t_ns, "t_sigma_s",
                                          im->t_sigma_s));
        }
        return o;
    }
    case LOG_STATUS_RX:
        return json_pack("{s:I, s:i, s:i, s:i, s:i}", "wall_ns", (json_int_t)r->u.status.wall_ns,
                         "local_tracks", r->u.status.local, "system_tracks", r->u.status.sys,
                         "warnings_issued", r->u.status.issued, "warnings_received",
                         r->u.status.received);
    }
    return NULL;
}

/* Formats and appends one row; the caller holds the journal lock. */
static void append_locked(node_log *lg, const log_row *r)
{
    json_t *o = payload(r);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(o);
    if (text == NULL) {
        fprintf(stderr, "mwds node %s: journal: out of memory formatting a %s row\n", lg->nation,
                r->topic);
        return;
    }
    char k[16];
    snprintf(k, sizeof k, "%u", r->key);
    mwds_journal_row row = {r->topic,    r->dir,       r->origin,   k,
                            r->revision, r->partition, r->exercise, r->t_sample,
                            r->t_send,   r->t_recv,    text};
    if (mwds_journal_append(lg->j, &row, 0, NULL) != MWDS_OK)
        fprintf(stderr, "mwds node %s: journal: %s\n", lg->nation, mwds_journal_errmsg(lg->j));
    free(text);
}

void node_log_write(node_log *lg, const log_row *row)
{
    pthread_mutex_lock(lg->jlock);
    append_locked(lg, row);
    pthread_mutex_unlock(lg->jlock);
}

void node_wait(pthread_cond_t *c, pthread_mutex_t *m, int64_t ns)
{
    int64_t until_ns = mwds_net_now() + ns; /* the condition's clock: CLOCK_REALTIME */
    struct timespec until = {(time_t)(until_ns / 1000000000), (long)(until_ns % 1000000000)};
    pthread_cond_timedwait(c, m, &until);
}

void node_idle_wait(pthread_cond_t *c, pthread_mutex_t *m, int *asleep, int64_t busy_ns,
                    int64_t poll_ns, int64_t sleep_ns)
{
    int poll = mwds_net_now() - busy_ns < NODE_POLL_WINDOW_NS;
    *asleep = !poll;
    node_wait(c, m, poll ? poll_ns : sleep_ns);
    *asleep = 0;
}

void node_thread_background(const char *name)
{
    pthread_setname_np(pthread_self(), name);
    /* setpriority on a thread id sets that thread's nice value alone */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), NODE_BACKGROUND_NICE) != 0) {
        /* not permitted here: the thread keeps the process's priority */
    }
}

/* Spare blocks kept for reuse beyond this are freed. */
#define LOG_SPARE_MAX 256

static void queue_append(log_queue *q, log_block *b)
{
    b->next = NULL;
    if (q->tail != NULL)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->n += b->n;
}

/* Moves the whole of src to the end of dst. */
static void queue_splice(log_queue *dst, log_queue *src)
{
    if (src->head == NULL)
        return;
    if (dst->tail != NULL)
        dst->tail->next = src->head;
    else
        dst->head = src->head;
    dst->tail = src->tail;
    dst->n += src->n;
    *src = (log_queue){NULL, NULL, 0};
}

/* A block from *spare, or a new one; NULL if out of memory. */
static log_block *block_get(log_block **spare)
{
    log_block *b = *spare;
    if (b != NULL)
        *spare = b->next;
    else
        b = malloc(sizeof *b);
    if (b != NULL) {
        b->next = NULL;
        b->n = 0;
    }
    return b;
}

/* Room for one more row at the queue's end: the tail block, or a new one
 * from spare. NULL if out of memory. */
static log_row *queue_slot(log_queue *q, log_block **spare)
{
    if (q->tail == NULL || q->tail->n == NODE_LOG_BLOCK_ROWS) {
        log_block *b = block_get(spare);
        if (b == NULL)
            return NULL;
        queue_append(q, b);
    }
    q->n++;
    return &q->tail->rows[q->tail->n++];
}

static void free_rows(log_block *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->rows[i].what == LOG_LOOK)
            free(b->rows[i].u.look.m);
}

static void free_blocks(log_block *b)
{
    while (b != NULL) {
        log_block *next = b->next;
        free(b);
        b = next;
    }
}

static void *log_main(void *arg)
{
    node_log *lg = arg;
    node_thread_background("journal");
    for (;;) {
        pthread_mutex_lock(&lg->lock);
        if (lg->in.n == 0 && !lg->stop) {
            /* asleep, a tick at least every 50 ms commits an old batch */
            node_idle_wait(&lg->wake, &lg->lock, &lg->asleep, lg->busy_ns, NODE_LOG_POLL_NS,
                           50000000);
        }
        /* take the whole queue */
        log_queue work = lg->in;
        if (work.n > 0)
            lg->busy_ns = mwds_net_now();
        lg->in = (log_queue){NULL, NULL, 0};
        int stop = lg->stop;
        pthread_mutex_unlock(&lg->lock);
        if (work.n > 0) {
            pthread_mutex_lock(lg->jlock);
            for (log_block *b = work.head; b != NULL; b = b->next) {
                for (size_t i = 0; i < b->n; i++)
                    append_locked(lg, &b->rows[i]);
                free_rows(b);
            }
            pthread_mutex_unlock(lg->jlock);
        }
        /* the emptied blocks go back for reuse */
        log_block *extra = NULL;
        pthread_mutex_lock(&lg->lock);
        while (work.head != NULL) {
            log_block *b = work.head;
            work.head = b->next;
            if (lg->n_spare < LOG_SPARE_MAX) {
                b->next = lg->spare;
                lg->spare = b;
                lg->n_spare++;
            } else {
                b->next = extra;
                extra = b;
            }
        }
        pthread_mutex_unlock(&lg->lock);
        free_blocks(extra);
        pthread_mutex_lock(lg->jlock);
        mwds_journal_tick(lg->j, mwds_net_now());
        pthread_mutex_unlock(lg->jlock);
        if (stop && work.n == 0)
            break;
    }
    return NULL;
}

int node_log_start(node_log *lg, mwds_journal *j, pthread_mutex_t *jlock, const char *nation)
{
    memset(lg, 0, sizeof *lg);
    lg->j = j;
    lg->jlock = jlock;
    lg->nation = nation;
    pthread_mutex_init(&lg->lock, NULL);
    pthread_cond_init(&lg->wake, NULL);
    if (pthread_create(&lg->thread, NULL, log_main, lg) != 0)
        return -1;
    lg->started = 1;
    return 0;
}

/* No memory to queue it: written here rather than lost. */
static void write_now(node_log *lg, const log_row *row)
{
    node_log_write(lg, row);
    if (row->what == LOG_LOOK)
        free(row->u.look.m);
}

void node_log_put(node_log *lg, const log_row *row)
{
    pthread_mutex_lock(&lg->lock);
    log_row *slot = queue_slot(&lg->in, &lg->spare);
    if (slot == NULL) {
        pthread_mutex_unlock(&lg->lock);
        write_now(lg, row);
        return;
    }
    *slot = *row;
    if (lg->in.n > lg->peak)
        lg->peak = lg->in.n;
    pthread_cond_signal(&lg->wake);
    pthread_mutex_unlock(&lg->lock);
}

void node_log_put_hot(node_log *lg, const log_row *row)
{
    log_row *slot = queue_slot(&lg->stage, &lg->stage_spare);
    if (slot == NULL) {
        node_log_offer(lg, 1);
        write_now(lg, row);
        return;
    }
    *slot = *row;
}

int node_log_offer(node_log *lg, int block)
{
    if (lg->stage.n == 0)
        return 0;
    if (block)
        pthread_mutex_lock(&lg->lock);
    else if (pthread_mutex_trylock(&lg->lock) != 0)
        return 1;
    queue_splice(&lg->in, &lg->stage);
    if (lg->in.n > lg->peak)
        lg->peak = lg->in.n;
    if (lg->stage_spare == NULL) {
        /* take the spare blocks for the next rows */
        lg->stage_spare = lg->spare;
        lg->spare = NULL;
        lg->n_spare = 0;
    }
    if (lg->asleep)
        pthread_cond_signal(&lg->wake);
    pthread_mutex_unlock(&lg->lock);
    return 0;
}

void node_log_stop(node_log *lg)
{
    if (!lg->started)
        return;
    pthread_mutex_lock(&lg->lock);
    lg->stop = 1;
    pthread_cond_signal(&lg->wake);
    pthread_mutex_unlock(&lg->lock);
    pthread_join(lg->thread, NULL);
    lg->started = 0;
    for (log_block *b = lg->in.head; b != NULL; b = b->next)
        free_rows(b);
    for (log_block *b = lg->stage.head; b != NULL; b = b->next)
        free_rows(b);
    free_blocks(lg->in.head);
    free_blocks(lg->stage.head);
    free_blocks(lg->spare);
    free_blocks(lg->stage_spare);
    lg->in = lg->stage = (log_queue){NULL, NULL, 0};
    lg->spare = lg->stage_spare = NULL;
    pthread_mutex_destroy(&lg->lock);
    pthread_cond_destroy(&lg->wake);
}
