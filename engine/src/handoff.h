/* handoff.h: hands blocks from one thread (the producer) to another (the
 * consumer), in the order they were made, through a ring of a few slots.
 * A slot is an index: the caller keeps what a slot holds (a buffer, its
 * prefilter hits) in its own arrays, and a slot belongs to one thread at
 * a time: the producer between claim and publish, the consumer between
 * next and release. The producer waits when every slot is taken, so
 * memory is the slots whatever the input size. Either side may stop
 * early: the producer closes (end of input or its own error), the
 * consumer stops (its sink asked to), and the other side then sees -1. */
#ifndef MT_HANDOFF_H
#define MT_HANDOFF_H

#include <stddef.h>

struct mt_handoff;

/* nslots >= 1. NULL when out of memory (or threads cannot sync). */
struct mt_handoff *mt_handoff_new(size_t nslots);
void mt_handoff_free(struct mt_handoff *h);

/* Producer: the next free slot to fill, waiting for the consumer to
 * release one; MT_HANDOFF_STOPPED once the consumer has stopped. */
int mt_handoff_claim(struct mt_handoff *h);
/* The same without waiting: MT_HANDOFF_FULL when no slot is free now. */
int mt_handoff_try_claim(struct mt_handoff *h);
#define MT_HANDOFF_STOPPED (-1)
#define MT_HANDOFF_FULL (-2)
/* Producer: slot (from claim) is filled; the consumer may take it. */
void mt_handoff_publish(struct mt_handoff *h, int slot);
/* Producer: no more slots will be published (a claimed slot that was not
 * published is dropped). */
void mt_handoff_close(struct mt_handoff *h);

/* Consumer: the oldest published slot, waiting for the producer; -1 when
 * the producer has closed and every published slot was taken. */
int mt_handoff_next(struct mt_handoff *h);
/* Consumer: slot (from next) is done with; the producer may refill it. */
void mt_handoff_release(struct mt_handoff *h, int slot);
/* Consumer: takes no more slots; claims fail from now on. */
void mt_handoff_stop(struct mt_handoff *h);

#endif
