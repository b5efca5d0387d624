/* parallel.c: the worker pool of `-j N` and the merge of its shards.
 *
 * Overview. The walk's results (the files of the path, and the paths it
 * could not visit) are collected first, in walk order; these are the
 * items. Workers take the next file from a shared counter and scan it
 * with their own matcher (PCRE2 match data and the prefilter's scratch are
 * not shareable) into a shard: that one input's record, its messages, its
 * finding groups, unknown clusters, mailbox registrations and, when
 * streaming NDJSON, copies of its findings (so NDJSON with -j buffers one
 * input's findings). The calling thread merges the shards strictly in
 * item order, each as soon as it and all before it are complete (and
 * scans items itself while the next one is not ready), and replays
 * them into the engine exactly as the sequential scan would have left it:
 * groups in order of first occurrence, counts, last origins, the first
 * examples, the later mailbox status winning, messages (and the message
 * callback) in input order. Threads stay at most WINDOW_PER_THREAD items
 * each ahead of the merge, so a few shards wait at any time, not the
 * whole run.
 *
 * A shard that reached a bound (finding groups, unknown clusters,
 * mailboxes) cannot tell what the sequential scan would have kept, since
 * that depends on the inputs before it; that input is scanned again by
 * the merging thread, into the engine directly. The bounds hold for one
 * input here (by default 100,000 groups, 2,000 clusters, 500,000
 * mailboxes), so this is rare. */
#include "parallel.h"

#include <pthread.h>
#include <string.h>

#include "mt_limits.h"
#include "util.h"
#include "walk.h"

/* Items a thread may be ahead of the merge: at most this many complete
 * shards wait per thread. With 2, a folder of small reports made the
 * merging thread stall on nearly every input (whichever input is oldest
 * holds up the rest): 13,800 context switches for 10,000 inputs at -j 2,
 * against 3,300 with 8. */
#define WINDOW_PER_THREAD 8

/* What one worker found in one input. */
struct shard {
    struct mt_input input;
    struct mt_message *messages;
    size_t nmessages;
    size_t alloc_messages;
    struct mt_results res; /* the input's, merged in input order */
    struct mt_mailbox_log mailbox_log;
    struct mt_findings streamed;
    int rc;  /* what scanning the input returned */
    int oom; /* something could not be kept: the run stops */
};

/* A file to scan, or a path the walk could not visit (why is set). */
struct item {
    char *path;
    char *why;
    struct shard *shard;
    int done; /* the worker finished; shard NULL when out of memory */
};

struct pool {
    struct mt_engine *e;
    struct item *items;
    size_t n;
    size_t alloc;
    size_t files;
    int collect_oom;
    pthread_mutex_t lock;
    pthread_cond_t done_cv; /* an item was scanned: the merge waits */
    pthread_cond_t room_cv; /* the merge moved on, or stop: workers wait */
    size_t next;   /* the next item a worker takes */
    size_t merged; /* items merged so far */
    size_t window;
    int stop;
};

struct worker {
    struct pool *p;
    struct mt_matcher *matcher;
    pthread_t thread;
};

/* ---- collecting the walk ---- */

static int add_item(struct pool *p, const char *path, const char *why)
{
    struct item *it;

    if (p->n == p->alloc) {
        size_t n = p->alloc ? p->alloc * 2 : 64;
        struct item *grown = mt_realloc(p->items, n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        p->items = grown;
        p->alloc = n;
    }
    it = &p->items[p->n];
    memset(it, 0, sizeof(*it));
    it->path = mt_strdup(path);
    it->why = why != NULL ? mt_strdup(why) : NULL;
    if (it->path == NULL || (why != NULL && it->why == NULL)) {
        mt_free(it->path);
        mt_free(it->why);
        return -1;
    }
    p->n++;
    return 0;
}

static int collect_file(void *ctx, const char *path)
{
    struct pool *p = ctx;

    if (add_item(p, path, NULL) != 0) {
        p->collect_oom = 1;
        return 2; /* stops the walk, as a failed scan would */
    }
    p->files++;
    return 0;
}

static void collect_error(void *ctx, const char *path, const char *why)
{
    struct pool *p = ctx;

    if (add_item(p, path, why) != 0) {
        p->collect_oom = 1;
    }
}

/* ---- a worker's shard ---- */

static void shard_free(struct shard *sh)
{
    size_t i;

    if (sh == NULL) {
        return;
    }
    mt_free(sh->input.path);
    for (i = 0; i < sh->nmessages; i++) {
        mt_free(sh->messages[i].origin);
        mt_free(sh->messages[i].text);
    }
    mt_free(sh->messages);
    mt_results_free(&sh->res);
    mt_mailbox_log_free(&sh->mailbox_log);
    mt_findings_free(&sh->streamed);
    mt_free(sh);
}

/* The shard's message callback. scan.c calls it under its message lock
 * (decoders may run on a read-ahead thread). Every message is kept, not
 * only the first ones the report lists, since the callback gets them all
 * at the merge. */
static void shard_message(void *ctx, enum mt_msg_level level,
                          const char *origin, const char *text)
{
    struct shard *sh = ctx;
    struct mt_message *m;

    if (sh->nmessages == sh->alloc_messages) {
        size_t n = sh->alloc_messages ? sh->alloc_messages * 2 : 4;
        struct mt_message *grown = mt_realloc(sh->messages,
                                              n * sizeof(*grown));
        if (grown == NULL) {
            sh->oom = 1;
            return;
        }
        sh->messages = grown;
        sh->alloc_messages = n;
    }
    m = &sh->messages[sh->nmessages];
    m->level = (int)level;
    m->origin = mt_strdup(origin ? origin : "");
    m->text = mt_strdup(text);
    if (m->origin == NULL || m->text == NULL) {
        mt_free(m->origin);
        mt_free(m->text);
        sh->oom = 1;
        return;
    }
    sh->nmessages++;
}

/* Scans one file into a new shard; NULL when out of memory. */
static struct shard *scan_shard(struct mt_engine *e,
                                struct mt_matcher *matcher, const char *path)
{
    struct shard *sh = mt_calloc(1, sizeof(*sh));
    struct mt_state st;
    uint64_t before;

    if (sh == NULL) {
        return NULL;
    }
    mt_results_init(&sh->res, e->limits[MT_LIMIT_FINDING_GROUPS]);
    mt_mailbox_log_init(&sh->mailbox_log, MT_MAX_MAILBOXES);
    sh->input.path = mt_strdup(path);
    if (sh->input.path == NULL) {
        mt_free(sh);
        return NULL;
    }
    memset(&st, 0, sizeof(st));
    st.e = e;
    st.matcher = matcher;
    st.doc.block_start = 1;
    st.agg = &sh->res.agg;
    st.unknown = &sh->res.unknown;
    st.possible = &sh->res.possible;
    st.records = &sh->res.records;
    st.mailbox_log = &sh->mailbox_log;
    st.identities = &sh->res.identities;
    st.streamed = e->sink.fn != NULL ? &sh->streamed : NULL;
    st.message = shard_message;
    st.message_ctx = sh;
    before = mt_matcher_budget_exceeded(matcher);
    sh->rc = mt_state_scan_file(&st, &sh->input, path, 1);
    sh->res.budget_exceeded = mt_matcher_budget_exceeded(matcher) - before;
    if (st.oom || sh->rc == MT_ENOMEM) {
        sh->oom = 1;
    }
    mt_state_done(&st);
    return sh;
}

/* The next item to scan, under the lock: 1 with its index, or 0 when
 * none may be taken now (all taken, stop, or WINDOW items ahead of the
 * merge). Paths the walk could not visit are the merge's to report. */
static int take_item(struct pool *p, size_t *index)
{
    while (p->next < p->n && p->items[p->next].why != NULL) {
        p->next++;
    }
    if (p->stop || p->next >= p->n || p->next >= p->merged + p->window) {
        return 0;
    }
    *index = p->next++;
    return 1;
}

/* Scans item i with the lock released; marks it done under the lock. Only
 * the item the merge waits for wakes it: one wake-up per merge stall, not
 * one per input. */
static void scan_item(struct pool *p, struct mt_matcher *matcher, size_t i)
{
    struct shard *sh;

    pthread_mutex_unlock(&p->lock);
    /* items[] does not change while workers run. */
    sh = scan_shard(p->e, matcher, p->items[i].path);
    pthread_mutex_lock(&p->lock);
    p->items[i].shard = sh;
    p->items[i].done = 1;
    if (i == p->merged) {
        pthread_cond_signal(&p->done_cv);
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->p;
    size_t i;

    pthread_mutex_lock(&p->lock);
    while (!p->stop && p->next < p->n) {
        if (take_item(p, &i)) {
            scan_item(p, w->matcher, i);
        } else if (!p->stop && p->next < p->n) {
            pthread_cond_wait(&p->room_cv, &p->lock);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the merge ---- */

/* Replays a shard into the engine in the order the sequential scan would
 * have made the same changes. Returns the input's status or MT_ENOMEM. */
static int merge(struct mt_engine *e, struct shard *sh, const char *path)
{
    struct mt_input *in;
    size_t i;

    if (sh == NULL || sh->oom) {
        return MT_ENOMEM;
    }
    if (sh->res.agg.overflow > 0 || sh->res.unknown.overflow > 0 ||
        sh->mailbox_log.overflow) {
        return mt_engine_scan_one(e, path);
    }
    for (i = 0; i < sh->nmessages; i++) {
        const struct mt_message *m = &sh->messages[i];
        mt_engine_message(e, (enum mt_msg_level)m->level, m->origin,
                          m->text);
    }
    in = mt_engine_add_input(e, sh->input.path);
    if (in == NULL) {
        return MT_ENOMEM;
    }
    in->status = sh->input.status;
    in->bytes = sh->input.bytes;
    in->records = sh->input.records;
    in->documents = sh->input.documents;
    in->findings = sh->input.findings;
    in->budget_exceeded = sh->input.budget_exceeded;
    for (i = 0; e->sink.fn != NULL && i < sh->streamed.n; i++) {
        mt_sink_deliver(e, &sh->streamed.items[i]);
    }
    if (mt_results_merge(&e->res, &sh->res) != 0 ||
        mt_mailbox_log_replay(&sh->mailbox_log, &e->mailboxes) != 0) {
        return MT_ENOMEM;
    }
    mt_engine_progress(e, in->bytes);
    return sh->rc;
}

static int worse(int a, int b)
{
    return a < b ? a : b; /* statuses are 0 or negative; lower is worse */
}

/* Without workers (one file, or no thread could start): the items in
 * order, as the sequential walk would have met them. */
static int scan_items(struct pool *p)
{
    int status = MT_OK, rc;
    size_t i;

    for (i = 0; i < p->n; i++) {
        if (p->items[i].why != NULL) {
            rc = mt_engine_walk_error(p->e, p->items[i].path,
                                      p->items[i].why);
        } else {
            rc = mt_engine_scan_one(p->e, p->items[i].path);
        }
        status = worse(status, rc);
        if (rc == MT_ENOMEM) {
            break;
        }
    }
    return status;
}

/* Merges every item in order. While the next one is not scanned yet,
 * this thread scans one too (with its own matcher), and waits only when
 * it may take none. */
static int merge_items(struct pool *p, struct mt_matcher *matcher)
{
    int status = MT_OK, rc;
    size_t i = 0, k;

    pthread_mutex_lock(&p->lock);
    while (i < p->n) {
        struct item *it = &p->items[i];

        if (it->why == NULL && !it->done) {
            if (take_item(p, &k)) {
                scan_item(p, matcher, k);
            } else {
                pthread_cond_wait(&p->done_cv, &p->lock);
            }
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        if (it->why != NULL) {
            rc = mt_engine_walk_error(p->e, it->path, it->why);
        } else {
            rc = merge(p->e, it->shard, it->path);
            shard_free(it->shard);
            it->shard = NULL;
        }
        status = worse(status, rc);
        pthread_mutex_lock(&p->lock);
        p->merged = ++i;
        if (rc == MT_ENOMEM) {
            p->stop = 1;
        }
        pthread_cond_broadcast(&p->room_cv);
        if (rc == MT_ENOMEM) {
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return status;
}

static void pool_free(struct pool *p)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        mt_free(p->items[i].path);
        mt_free(p->items[i].why);
        shard_free(p->items[i].shard);
    }
    mt_free(p->items);
}

static int sync_init(struct pool *p)
{
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        return -1;
    }
    if (pthread_cond_init(&p->done_cv, NULL) != 0) {
        goto fail_lock;
    }
    if (pthread_cond_init(&p->room_cv, NULL) != 0) {
        goto fail_done;
    }
    return 0;
fail_done:
    pthread_cond_destroy(&p->done_cv);
fail_lock:
    pthread_mutex_destroy(&p->lock);
    return -1;
}

static void sync_destroy(struct pool *p)
{
    pthread_cond_destroy(&p->room_cv);
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->lock);
}

static struct mt_matcher *new_matcher(const struct mt_engine *e)
{
    return mt_matcher_new(&e->patterns, &e->names,
                          e->limits[MT_LIMIT_MATCH_BUDGET],
                          e->limits[MT_LIMIT_DEPTH_BUDGET]);
}

/* Starts up to want workers, each with its own matcher; returns how many
 * started (fewer when out of memory or threads: the merging thread scans
 * too, so any number works). */
static size_t start_workers(struct pool *p, struct worker *workers,
                            size_t want)
{
    size_t n;

    for (n = 0; n < want; n++) {
        struct worker *w = &workers[n];
        w->p = p;
        w->matcher = new_matcher(p->e);
        if (w->matcher == NULL) {
            break;
        }
        if (pthread_create(&w->thread, NULL, work, w) != 0) {
            mt_matcher_free(w->matcher);
            break;
        }
    }
    return n;
}

static void stop_workers(struct pool *p, struct worker *workers, size_t n)
{
    size_t i;

    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->room_cv);
    pthread_mutex_unlock(&p->lock);
    for (i = 0; i < n; i++) {
        pthread_join(workers[i].thread, NULL);
        mt_matcher_free(workers[i].matcher);
    }
}

int mt_parallel_scan_path(struct mt_engine *e, const char *path,
                          unsigned jobs)
{
    struct pool p;
    struct worker *workers = NULL;
    struct mt_matcher *matcher = NULL;
    size_t want, started = 0;
    int status = MT_OK, pooled = 0;

    memset(&p, 0, sizeof(p));
    p.e = e;
    mt_walk_path(path, e->limits[MT_LIMIT_FILES], collect_file,
                 collect_error, &p);
    if (p.collect_oom) {
        pool_free(&p);
        return MT_ENOMEM;
    }
    /* This thread scans as well as merging: jobs - 1 more threads. */
    want = jobs < p.files ? jobs : p.files;
    p.window = want * WINDOW_PER_THREAD;
    if (want > 1 && sync_init(&p) == 0) {
        /* Its own matcher, so that e->matcher's counters stay its own and
         * an input scanned again (merge()) can use e->matcher. */
        matcher = new_matcher(e);
        workers = mt_calloc(want - 1, sizeof(*workers));
        if (matcher != NULL && workers != NULL) {
            started = start_workers(&p, workers, want - 1);
            status = merge_items(&p, matcher);
            stop_workers(&p, workers, started);
            pooled = 1;
        }
        mt_free(workers);
        mt_matcher_free(matcher);
        sync_destroy(&p);
    }
    /* One file, or out of memory: the sequential scan, item by item. */
    if (!pooled) {
        status = scan_items(&p);
    }
    pool_free(&p);
    return status;
}
