/* handoff.c: the ring of slots between a producer and a consumer thread
 * (see handoff.h). Slots are filled and taken in ring order, so one index
 * for each side says where it is; one lock and one condition serve both
 * sides (there are only two threads, and a block is hundreds of KiB, so
 * waking both on each change costs nothing measurable). */
#include "handoff.h"

#include <pthread.h>

#include "util.h"

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_FULL, SLOT_TAKEN };

struct mt_handoff {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    enum slot_state *state;
    size_t nslots;
    size_t tail;  /* the slot the producer fills next */
    size_t head;  /* the slot the consumer takes next */
    int closed;   /* the producer publishes no more */
    int stopped;  /* the consumer takes no more */
};

struct mt_handoff *mt_handoff_new(size_t nslots)
{
    struct mt_handoff *h;

    if (nslots == 0) {
        return NULL;
    }
    h = mt_calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    h->state = mt_calloc(nslots, sizeof(*h->state));
    if (h->state == NULL) {
        goto fail;
    }
    if (pthread_mutex_init(&h->lock, NULL) != 0) {
        goto fail;
    }
    if (pthread_cond_init(&h->changed, NULL) != 0) {
        pthread_mutex_destroy(&h->lock);
        goto fail;
    }
    h->nslots = nslots;
    return h;
fail:
    mt_free(h->state);
    mt_free(h);
    return NULL;
}

void mt_handoff_free(struct mt_handoff *h)
{
    if (h == NULL) {
        return;
    }
    pthread_cond_destroy(&h->changed);
    pthread_mutex_destroy(&h->lock);
    mt_free(h->state);
    mt_free(h);
}

static int claim(struct mt_handoff *h, int wait)
{
    int slot = MT_HANDOFF_STOPPED;

    pthread_mutex_lock(&h->lock);
    while (wait && !h->stopped && !h->closed &&
           (h->state[h->tail] == SLOT_FULL ||
            h->state[h->tail] == SLOT_TAKEN)) {
        pthread_cond_wait(&h->changed, &h->lock);
    }
    if (h->stopped || h->closed) {
        slot = MT_HANDOFF_STOPPED;
    } else if (h->state[h->tail] == SLOT_FREE) {
        h->state[h->tail] = SLOT_FILLING;
        slot = (int)h->tail;
    } else if (h->state[h->tail] == SLOT_FILLING) {
        slot = (int)h->tail; /* claimed before and not published yet */
    } else {
        slot = MT_HANDOFF_FULL;
    }
    pthread_mutex_unlock(&h->lock);
    return slot;
}

int mt_handoff_claim(struct mt_handoff *h)
{
    return claim(h, 1);
}

int mt_handoff_try_claim(struct mt_handoff *h)
{
    return claim(h, 0);
}

/* Moves slot, the one at *at, from state from to state to, and *at on to
 * the next slot: publish (the producer's side) and release (the
 * consumer's). A slot that is not the one at *at in state from is left
 * alone. */
static void pass_on(struct mt_handoff *h, size_t *at, int slot,
                    enum slot_state from, enum slot_state to)
{
    pthread_mutex_lock(&h->lock);
    if (slot >= 0 && (size_t)slot == *at && h->state[*at] == from) {
        h->state[*at] = to;
        *at = (*at + 1) % h->nslots;
        pthread_cond_broadcast(&h->changed);
    }
    pthread_mutex_unlock(&h->lock);
}

void mt_handoff_publish(struct mt_handoff *h, int slot)
{
    pass_on(h, &h->tail, slot, SLOT_FILLING, SLOT_FULL);
}


void mt_handoff_close(struct mt_handoff *h)
{
    pthread_mutex_lock(&h->lock);
    h->closed = 1;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
}

int mt_handoff_next(struct mt_handoff *h)
{
    int slot = -1;

    pthread_mutex_lock(&h->lock);
    while (!h->stopped && !h->closed && h->state[h->head] != SLOT_FULL) {
        pthread_cond_wait(&h->changed, &h->lock);
    }
    if (!h->stopped && h->state[h->head] == SLOT_FULL) {
        h->state[h->head] = SLOT_TAKEN;
        slot = (int)h->head;
    }
    pthread_mutex_unlock(&h->lock);
    return slot;
}

void mt_handoff_release(struct mt_handoff *h, int slot)
{
    pass_on(h, &h->head, slot, SLOT_TAKEN, SLOT_FREE);
}

void mt_handoff_stop(struct mt_handoff *h)
{
    pthread_mutex_lock(&h->lock);
    h->stopped = 1;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
}
