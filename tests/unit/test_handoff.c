/* test_handoff.c: the ring between the decoding thread and the record
 * thread (handoff.h): every block arrives once and in order whatever the
 * number of slots; the consumer can stop the producer, and the producer
 * can end early with a slot claimed and never published. */
#include "handoff.h"
#include "unit.h"

#include <pthread.h>

#define MAX_SLOTS 8

/* Slot payloads, as a pipeline keeps them next to the ring. */
struct ring_case {
    struct mt_handoff *h;
    long payload[MAX_SLOTS];
    long produce;     /* blocks the producer means to publish */
    int leave_claimed; /* then claim one more and close without it */
    long published;   /* blocks it did publish */
    int saw_stop;     /* a claim told it the consumer stopped */
};

static void *producer(void *arg)
{
    struct ring_case *c = arg;
    long i;

    for (i = 0; i < c->produce; i++) {
        int slot = mt_handoff_claim(c->h);
        if (slot < 0) {
            c->saw_stop = 1;
            break;
        }
        c->payload[slot] = i;
        mt_handoff_publish(c->h, slot);
        c->published++;
    }
    if (c->leave_claimed && !c->saw_stop) {
        int slot = mt_handoff_claim(c->h);
        if (slot >= 0) {
            c->payload[slot] = -1; /* must never be seen */
        }
    }
    mt_handoff_close(c->h);
    return NULL;
}

/* Runs a producer of n blocks against a consumer that stops after
 * stop_after blocks (-1: never); returns how many the consumer took,
 * checking their order. */
static long run_ring(size_t nslots, long n, long stop_after,
                     int leave_claimed, struct ring_case *c)
{
    pthread_t t;
    long got = 0;
    int slot;

    memset(c, 0, sizeof(*c));
    c->h = mt_handoff_new(nslots);
    c->produce = n;
    c->leave_claimed = leave_claimed;
    ASSERT_TRUE(c->h != NULL);
    if (c->h == NULL || pthread_create(&t, NULL, producer, c) != 0) {
        mt_handoff_free(c->h);
        return -1;
    }
    while ((slot = mt_handoff_next(c->h)) >= 0) {
        ASSERT_TRUE((size_t)slot < nslots);
        ASSERT_INT_EQ(c->payload[slot], got);
        mt_handoff_release(c->h, slot);
        if (++got == stop_after) {
            mt_handoff_stop(c->h);
            break;
        }
    }
    pthread_join(t, NULL);
    /* Once closed or stopped, the ring hands out nothing more. */
    ASSERT_INT_EQ(mt_handoff_next(c->h), -1);
    ASSERT_INT_EQ(mt_handoff_try_claim(c->h), MT_HANDOFF_STOPPED);
    mt_handoff_free(c->h);
    return got;
}

TEST(handoff_order_every_ring_size)
{
    struct ring_case c;
    size_t nslots;

    for (nslots = 1; nslots <= MAX_SLOTS; nslots++) {
        ASSERT_INT_EQ(run_ring(nslots, 5000, -1, 0, &c), 5000);
        ASSERT_INT_EQ(c.published, 5000);
        ASSERT_INT_EQ(c.saw_stop, 0);
    }
    /* No block at all: the consumer sees the end at once. */
    ASSERT_INT_EQ(run_ring(2, 0, -1, 0, &c), 0);
}

TEST(handoff_consumer_stops_producer)
{
    struct ring_case c;
    size_t nslots;

    for (nslots = 1; nslots <= 4; nslots++) {
        ASSERT_INT_EQ(run_ring(nslots, 100000, 7, 0, &c), 7);
        /* The producer got at most a ring ahead, then was told. */
        ASSERT_TRUE(c.published <= 7 + (long)nslots);
        ASSERT_INT_EQ(c.saw_stop, 1);
    }
    /* Stopping at the very first block. */
    ASSERT_INT_EQ(run_ring(1, 100000, 1, 0, &c), 1);
    ASSERT_INT_EQ(c.saw_stop, 1);
}

TEST(handoff_producer_ends_early)
{
    struct ring_case c;
    size_t nslots;

    /* An error on the producer's side: it closes with a slot claimed and
     * never published; the consumer gets exactly what was published. */
    for (nslots = 1; nslots <= 4; nslots++) {
        ASSERT_INT_EQ(run_ring(nslots, 13, -1, 1, &c), 13);
        ASSERT_INT_EQ(c.saw_stop, 0);
    }
}

TEST(handoff_try_claim_says_full)
{
    struct mt_handoff *h = mt_handoff_new(2);
    int a, b;

    ASSERT_TRUE(h != NULL);
    if (h == NULL) {
        return;
    }
    a = mt_handoff_try_claim(h);
    ASSERT_INT_EQ(a, 0);
    /* Claimed and not published: the same slot again. */
    ASSERT_INT_EQ(mt_handoff_try_claim(h), 0);
    mt_handoff_publish(h, a);
    b = mt_handoff_try_claim(h);
    ASSERT_INT_EQ(b, 1);
    mt_handoff_publish(h, b);
    ASSERT_INT_EQ(mt_handoff_try_claim(h), MT_HANDOFF_FULL);
    ASSERT_INT_EQ(mt_handoff_next(h), 0);
    /* Taken but not released: still full. */
    ASSERT_INT_EQ(mt_handoff_try_claim(h), MT_HANDOFF_FULL);
    mt_handoff_release(h, 0);
    ASSERT_INT_EQ(mt_handoff_try_claim(h), 0);
    mt_handoff_stop(h);
    ASSERT_INT_EQ(mt_handoff_try_claim(h), MT_HANDOFF_STOPPED);
    ASSERT_INT_EQ(mt_handoff_claim(h), MT_HANDOFF_STOPPED);
    mt_handoff_free(h);
}
