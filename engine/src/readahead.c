/* readahead.c: a stream that reads its upstream on a second thread, a few
 * blocks ahead, so that reading and decompressing (the gzip filter, an
 * archive member) run while the main thread splits and matches the
 * previous block. Memory is the blocks, whatever the input size. */
#include "readahead.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "migtriage.h"
#include "scan.h"
#include "util.h"

/* Blocks read ahead: with the decoder's 256 KiB blocks, 3 MiB, enough
 * that a thread kept off its core a while on a busy machine does not
 * leave the other waiting. */
#define RA_BLOCKS 12

/* What the scan had counted once a block was read (raw bytes of the
 * source, bytes inflated): see ra_close. */
struct counts {
    uint64_t raw;
    uint64_t expanded;
};

struct block {
    char *data;
    ptrdiff_t len; /* > 0 bytes, 0 end of input, < 0 error */
    int full;
    struct counts after;
};

struct ra_state {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct block blocks[RA_BLOCKS];
    size_t block_size;
    size_t head; /* next block the reader consumes */
    size_t tail; /* next block the thread fills */
    size_t pos;  /* bytes of blocks[head] already handed out */
    int stop;
    int finished; /* the thread filled its last block */
    struct counts taken; /* after the last block the reader took */
    char errmsg[256];
};

static struct counts counts_now(const struct mt_stream *s)
{
    struct counts c = {0, 0};

    if (s->scan != NULL) {
        c.raw = s->scan->raw_bytes;
        c.expanded = s->scan->expanded_bytes;
    }
    return c;
}

static void *fill_loop(void *arg)
{
    struct mt_stream *s = arg;
    struct ra_state *st = s->state;

    for (;;) {
        struct block *b;
        ptrdiff_t n;

        pthread_mutex_lock(&st->lock);
        while (!st->stop && st->blocks[st->tail].full) {
            pthread_cond_wait(&st->changed, &st->lock);
        }
        if (st->stop) {
            pthread_mutex_unlock(&st->lock);
            return NULL;
        }
        b = &st->blocks[st->tail];
        pthread_mutex_unlock(&st->lock);

        /* The upstream is only ever touched by this thread from now on. */
        n = mt_stream_read_full(s->upstream, b->data, st->block_size);

        pthread_mutex_lock(&st->lock);
        b->len = n;
        b->full = 1;
        b->after = counts_now(s);
        if (n < 0) {
            memcpy(st->errmsg, s->upstream->errmsg, sizeof(st->errmsg));
        }
        st->tail = (st->tail + 1) % RA_BLOCKS;
        if (n <= 0) {
            st->finished = 1;
        }
        pthread_cond_broadcast(&st->changed);
        pthread_mutex_unlock(&st->lock);
        if (n <= 0) {
            return NULL;
        }
    }
}

static ptrdiff_t ra_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct ra_state *st = s->state;
    struct block *b;
    size_t n;

    pthread_mutex_lock(&st->lock);
    while (!st->blocks[st->head].full) {
        pthread_cond_wait(&st->changed, &st->lock);
    }
    b = &st->blocks[st->head];
    pthread_mutex_unlock(&st->lock);
    st->taken = b->after;
    if (b->len <= 0) {
        /* End or error: the block stays full, so later reads see it too. */
        if (b->len < 0) {
            memcpy(s->errmsg, st->errmsg, sizeof(s->errmsg));
        }
        return b->len < 0 ? MT_EINPUT : 0;
    }
    n = (size_t)b->len - st->pos;
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, b->data + st->pos, n);
    st->pos += n;
    if (st->pos == (size_t)b->len) {
        pthread_mutex_lock(&st->lock);
        b->full = 0;
        st->head = (st->head + 1) % RA_BLOCKS;
        st->pos = 0;
        pthread_cond_broadcast(&st->changed);
        pthread_mutex_unlock(&st->lock);
    }
    return (ptrdiff_t)n;
}

static void ra_close(struct mt_stream *s)
{
    struct ra_state *st = s->state;
    int i;

    if (st == NULL) {
        return;
    }
    pthread_mutex_lock(&st->lock);
    st->stop = 1;
    pthread_cond_broadcast(&st->changed);
    pthread_mutex_unlock(&st->lock);
    pthread_join(st->thread, NULL);
    /* Blocks read ahead that the reader never took (it stopped early:
     * binary data, a sink that had enough) are not counted: the report's
     * bytes are those a reader without the thread would have pulled,
     * whatever the thread's timing. */
    if (s->scan != NULL) {
        s->scan->raw_bytes = st->taken.raw;
        s->scan->expanded_bytes = st->taken.expanded;
    }
    pthread_cond_destroy(&st->changed);
    pthread_mutex_destroy(&st->lock);
    for (i = 0; i < RA_BLOCKS; i++) {
        mt_free(st->blocks[i].data);
    }
    mt_free(st);
}

static const struct mt_stream_ops ra_ops = {"readahead", ra_read, ra_close};

struct mt_stream *mt_readahead_open(struct mt_stream *upstream,
                                    size_t block_size)
{
    struct ra_state *st = mt_calloc(1, sizeof(*st));
    struct mt_stream *s = NULL;
    int i;

    if (st == NULL) {
        return NULL;
    }
    st->block_size = block_size;
    st->taken = counts_now(upstream);
    for (i = 0; i < RA_BLOCKS; i++) {
        st->blocks[i].data = mt_malloc(block_size);
        if (st->blocks[i].data == NULL) {
            goto fail;
        }
    }
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        goto fail;
    }
    if (pthread_cond_init(&st->changed, NULL) != 0) {
        pthread_mutex_destroy(&st->lock);
        goto fail;
    }
    s = mt_stream_new(&ra_ops, st, upstream, upstream->scan);
    if (s == NULL ||
        pthread_create(&st->thread, NULL, fill_loop, s) != 0) {
        pthread_cond_destroy(&st->changed);
        pthread_mutex_destroy(&st->lock);
        mt_free(s);
        goto fail;
    }
    return s;
fail:
    for (i = 0; i < RA_BLOCKS; i++) {
        mt_free(st->blocks[i].data);
    }
    mt_free(st);
    return NULL;
}
