/* results.h: what scanning produces, in one type for both paths. The
 * sequential scan writes into the engine's results; with -j each worker
 * writes an input's into a shard's own, which the merge then adds to the
 * engine's in input order (mt_results_merge), so the report reads one
 * kind of thing whatever the number of jobs. Mailboxes are the exception:
 * the engine keeps a registry, a shard a log of registrations to replay
 * (mailboxes.h), since the registry's order depends on arrival. */
#ifndef MT_RESULTS_H
#define MT_RESULTS_H

#include <stdint.h>

#include "aggregate.h"
#include "identity.h"
#include "possible.h"
#include "unknown.h"

struct mt_results {
    struct mt_aggregate agg;        /* finding groups */
    struct mt_unknown unknown;      /* error-like lines nothing explained */
    struct mt_possibles possible;   /* nearest-article guesses */
    struct mt_identities identities; /* names of one mailbox, linked */
    uint64_t records;
    uint64_t budget_exceeded; /* matches a worker's budget stopped */
};

void mt_results_init(struct mt_results *r, uint64_t max_groups);
void mt_results_free(struct mt_results *r);
/* Adds from to into, as if from's inputs had been scanned into it.
 * Returns 0, or -1 when out of memory. */
int mt_results_merge(struct mt_results *into, struct mt_results *from);

#endif
