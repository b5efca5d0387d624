/* results.c: the results of scanning, one type for the sequential path and
 * the -j shards (results.h). */
#include "results.h"

#include <string.h>

#include "mt_limits.h"

void mt_results_init(struct mt_results *r, uint64_t max_groups)
{
    mt_aggregate_init(&r->agg, max_groups);
    mt_unknown_init(&r->unknown, MT_MAX_UNKNOWN_CLUSTERS);
    mt_identities_init(&r->identities, MT_MAX_MAILBOXES * 4);
    memset(&r->possible, 0, sizeof(r->possible));
    r->records = 0;
    r->budget_exceeded = 0;
}

void mt_results_free(struct mt_results *r)
{
    mt_aggregate_free(&r->agg);
    mt_unknown_free(&r->unknown);
    mt_possibles_free(&r->possible);
    mt_identities_free(&r->identities);
}

int mt_results_merge(struct mt_results *into, struct mt_results *from)
{
    into->records += from->records;
    into->budget_exceeded += from->budget_exceeded;
    mt_unknown_merge(&into->unknown, &from->unknown);
    if (mt_possibles_merge(&into->possible, &from->possible) != 0 ||
        mt_aggregate_merge(&into->agg, &from->agg) != 0 ||
        mt_identities_merge(&into->identities, &from->identities) != 0) {
        return -1;
    }
    return 0;
}
