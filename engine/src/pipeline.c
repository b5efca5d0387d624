/* pipeline.c: the producer thread and the consumer loop of a two-thread
 * scan of one document (see pipeline.h). The split follows the measured
 * costs (callgrind, 16 MiB, tests/bench/README.md): decoding (about 20%
 * of a scan) can only run on the producer, and cutting and classifying
 * lines, PCRE2, context and aggregation (35-60%) only on the consumer,
 * whose state (splitter, matcher, document) never leaves its thread. The
 * block prefilter scan (35-40%) may run on either, so it balances the
 * two: a block is published unscanned; the producer scans the newest
 * unscanned block whenever every slot is taken (it is ahead), and the
 * consumer scans a block it takes that nobody has scanned yet (it would
 * otherwise wait). Healthy logs make the consumer's part small and the
 * scans drift to it; migration evidence the other way. */
#include "pipeline.h"

#include <pthread.h>

#include "handoff.h"
#include "match.h"
#include "migtriage.h"
#include "prefilter.h"
#include "util.h"

enum scan_state { SCAN_DONE, SCAN_PENDING, SCAN_RUNNING };

/* A message about the input sent while the producer decoded (from it, or
 * from the read-ahead thread below it), held until the consumer reaches
 * the block it was sent before. */
struct held_msg {
    enum mt_msg_level level;
    char *origin;
    char *text;
    struct held_msg *next;
};

struct block {
    char *in;   /* what the producer read (in_cap bytes) */
    char *out;  /* what it converted that to (out_cap), made when needed */
    char *text; /* the block: in or out */
    size_t len;
    struct mt_block_hits hits;
    /* Guarded by the pipeline's lock: hits are read only once DONE. */
    enum scan_state scan;
    unsigned long long seq; /* publishing order */
    struct held_msg *msgs;  /* to send before the block's records */
};

struct mt_pipeline {
    struct mt_handoff *handoff;
    struct mt_matcher *matcher;
    /* The producer's: its prefilter scratch and the slot it fills. */
    struct mt_prefilter_scratch *scratch;
    int filling;
    struct block *blocks;
    size_t nslots;
    size_t in_cap;
    size_t out_cap;
    pthread_mutex_t lock;
    pthread_cond_t scanned;
    int sync_ready;
    unsigned long long published;
    unsigned long long scans[2]; /* by the producer, by the consumer */
    /* Messages: where they go (on the consumer's thread), and those sent
     * since the last block was published (guarded by lock). */
    mt_message_fn forward;
    void *forward_ctx;
    pthread_t consumer;
    struct held_msg *held;
    struct held_msg **held_tail;
    pthread_t thread;
    int started;
    int (*produce)(void *arg);
    void *produce_arg;
    int produce_rc;
};

struct mt_pipeline *mt_pipeline_new(struct mt_matcher *matcher,
                                    size_t nslots, size_t in_cap,
                                    size_t out_cap)
{
    struct mt_pipeline *p = mt_calloc(1, sizeof(*p));
    size_t i;

    if (p == NULL) {
        return NULL;
    }
    p->matcher = matcher;
    p->nslots = nslots;
    p->in_cap = in_cap;
    p->out_cap = out_cap;
    p->filling = -1;
    p->consumer = pthread_self();
    p->held_tail = &p->held;
    p->handoff = mt_handoff_new(nslots);
    p->scratch = mt_matcher_scratch_new(matcher);
    p->blocks = mt_calloc(nslots, sizeof(*p->blocks));
    if (p->handoff == NULL || p->scratch == NULL || p->blocks == NULL) {
        goto fail;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        goto fail;
    }
    if (pthread_cond_init(&p->scanned, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        goto fail;
    }
    p->sync_ready = 1;
    for (i = 0; i < nslots; i++) {
        /* Pages of an output buffer are touched only by text that needs
         * converting. */
        p->blocks[i].in = mt_malloc(in_cap);
        p->blocks[i].out = out_cap > 0 ? mt_malloc(out_cap) : NULL;
        if (p->blocks[i].in == NULL ||
            (out_cap > 0 && p->blocks[i].out == NULL)) {
            goto fail;
        }
    }
    return p;
fail:
    mt_pipeline_free(p);
    return NULL;
}

static void free_msgs(struct held_msg *m)
{
    while (m != NULL) {
        struct held_msg *next = m->next;
        mt_free(m->origin);
        mt_free(m->text);
        mt_free(m);
        m = next;
    }
}

void mt_pipeline_free(struct mt_pipeline *p)
{
    size_t i;

    if (p == NULL) {
        return;
    }
    for (i = 0; p->blocks != NULL && i < p->nslots; i++) {
        mt_free(p->blocks[i].in);
        mt_free(p->blocks[i].out);
        mt_block_hits_free(&p->blocks[i].hits);
        free_msgs(p->blocks[i].msgs);
    }
    free_msgs(p->held);
    mt_free(p->blocks);
    if (p->sync_ready) {
        pthread_cond_destroy(&p->scanned);
        pthread_mutex_destroy(&p->lock);
    }
    mt_prefilter_scratch_free(p->scratch);
    mt_handoff_free(p->handoff);
    mt_free(p);
}

static void *producer_main(void *arg)
{
    struct mt_pipeline *p = arg;

    p->produce_rc = p->produce(p->produce_arg);
    /* A slot claimed for a block that never came is dropped here. */
    mt_handoff_close(p->handoff);
    return NULL;
}

int mt_pipeline_start(struct mt_pipeline *p, int (*produce)(void *arg),
                      void *arg)
{
    p->produce = produce;
    p->produce_arg = arg;
    if (pthread_create(&p->thread, NULL, producer_main, p) != 0) {
        return -1;
    }
    p->started = 1;
    return 0;
}

/* Scans b (marked RUNNING by the caller) on the calling thread: the
 * producer with its scratch, the consumer with the matcher's own. */
static void scan_block(struct mt_pipeline *p, struct block *b, int consumer)
{
    mt_matcher_scan_block(p->matcher, consumer ? NULL : p->scratch, b->text,
                          b->len, &b->hits);
    pthread_mutex_lock(&p->lock);
    b->scan = SCAN_DONE;
    p->scans[consumer]++;
    pthread_cond_broadcast(&p->scanned);
    pthread_mutex_unlock(&p->lock);
}

/* Producer, every slot taken: scans the newest block nobody has scanned
 * (the one the consumer needs last). Returns 0 when there was none. */
static int scan_ahead(struct mt_pipeline *p)
{
    struct block *b = NULL;
    size_t i;

    pthread_mutex_lock(&p->lock);
    for (i = 0; i < p->nslots; i++) {
        if (p->blocks[i].scan == SCAN_PENDING &&
            (b == NULL || p->blocks[i].seq > b->seq)) {
            b = &p->blocks[i];
        }
    }
    if (b != NULL) {
        b->scan = SCAN_RUNNING;
    }
    pthread_mutex_unlock(&p->lock);
    if (b == NULL) {
        return 0;
    }
    scan_block(p, b, 0);
    return 1;
}

/* Claims the slot the producer fills next, scanning ahead while every
 * slot is taken. Returns 0, or -1 when the consumer has stopped. */
static int claim(struct mt_pipeline *p)
{
    while (p->filling < 0) {
        int slot = mt_handoff_try_claim(p->handoff);

        if (slot == MT_HANDOFF_FULL) {
            if (scan_ahead(p)) {
                continue;
            }
            slot = mt_handoff_claim(p->handoff);
        }
        if (slot < 0) {
            return -1; /* the consumer stopped */
        }
        p->filling = slot;
    }
    return 0;
}

char *mt_pipeline_input(struct mt_pipeline *p)
{
    return claim(p) == 0 ? p->blocks[p->filling].in : NULL;
}

char *mt_pipeline_output(struct mt_pipeline *p)
{
    return claim(p) == 0 ? p->blocks[p->filling].out : NULL;
}

int mt_pipeline_publish(struct mt_pipeline *p, char *text, size_t n)
{
    struct block *b;

    if (p->filling < 0) {
        return MT_EINPUT;
    }
    b = &p->blocks[p->filling];
    if (!(text == b->in && n <= p->in_cap) &&
        !(b->out != NULL && text == b->out && n <= p->out_cap)) {
        return MT_EMISUSE;
    }
    b->text = text;
    b->len = n;
    pthread_mutex_lock(&p->lock);
    b->scan = SCAN_PENDING;
    b->seq = ++p->published;
    /* What was said while this block was decoded comes before it. */
    b->msgs = p->held;
    p->held = NULL;
    p->held_tail = &p->held;
    pthread_mutex_unlock(&p->lock);
    mt_handoff_publish(p->handoff, p->filling);
    p->filling = -1;
    return claim(p) == 0 ? 0 : MT_EINPUT;
}

/* Consumer: makes sure b's hits are there, scanning it here when nobody
 * has, waiting when the producer is at it. */
static void wait_scanned(struct mt_pipeline *p, struct block *b)
{
    pthread_mutex_lock(&p->lock);
    if (b->scan == SCAN_PENDING) {
        b->scan = SCAN_RUNNING;
        pthread_mutex_unlock(&p->lock);
        scan_block(p, b, 1);
        return;
    }
    while (b->scan != SCAN_DONE) {
        pthread_cond_wait(&p->scanned, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
}

void mt_pipeline_forward_messages(struct mt_pipeline *p, mt_message_fn fn,
                                  void *ctx)
{
    p->forward = fn;
    p->forward_ctx = ctx;
}

void mt_pipeline_message(void *ctx, enum mt_msg_level level,
                         const char *origin, const char *text)
{
    struct mt_pipeline *p = ctx;
    struct held_msg *m;

    if (!pthread_equal(pthread_self(), p->consumer)) {
        m = mt_calloc(1, sizeof(*m));
        if (m != NULL) {
            m->level = level;
            m->origin = mt_strdup(origin != NULL ? origin : "");
            m->text = mt_strdup(text != NULL ? text : "");
            if (m->origin != NULL && m->text != NULL) {
                pthread_mutex_lock(&p->lock);
                *p->held_tail = m;
                p->held_tail = &m->next;
                pthread_mutex_unlock(&p->lock);
                return;
            }
            free_msgs(m);
        }
        /* Out of memory: said now, out of turn, rather than lost. */
    }
    if (p->forward != NULL) {
        p->forward(p->forward_ctx, level, origin, text);
    }
}

/* Consumer: sends held messages in the order they were sent. */
static void send_msgs(struct mt_pipeline *p, struct held_msg *m)
{
    struct held_msg *k;

    for (k = m; k != NULL && p->forward != NULL; k = k->next) {
        p->forward(p->forward_ctx, k->level, k->origin, k->text);
    }
    free_msgs(m);
}

void mt_pipeline_scans(struct mt_pipeline *p, unsigned long long *producer,
                       unsigned long long *consumer)
{
    pthread_mutex_lock(&p->lock);
    *producer = p->scans[0];
    *consumer = p->scans[1];
    pthread_mutex_unlock(&p->lock);
}

int mt_pipeline_consume(struct mt_pipeline *p,
                        int (*feed)(void *ctx, char *text, size_t n),
                        void *ctx)
{
    int slot, rc = 0;

    while (p->started && (slot = mt_handoff_next(p->handoff)) >= 0) {
        struct block *b = &p->blocks[slot];

        wait_scanned(p, b);
        send_msgs(p, b->msgs);
        b->msgs = NULL;
        mt_matcher_preset_block(p->matcher, &b->hits);
        rc = feed(ctx, b->text, b->len);
        /* The block ends with the feed (the splitter says so to the
         * matcher); a reader that never announced it leaves no preset. */
        mt_matcher_preset_block(p->matcher, NULL);
        mt_handoff_release(p->handoff, slot);
        if (rc < 0) {
            mt_handoff_stop(p->handoff);
            break;
        }
    }
    if (p->started) {
        pthread_join(p->thread, NULL);
        p->started = 0;
    }
    /* Said after the last block (a read error at the very end): said
     * last. When the consumer stopped, one thread would not have read
     * past its block, so what was said about blocks beyond is dropped
     * with them. */
    if (rc >= 0) {
        send_msgs(p, p->held);
        p->held = NULL;
        p->held_tail = &p->held;
    }
    return rc < 0 ? rc : p->produce_rc;
}
