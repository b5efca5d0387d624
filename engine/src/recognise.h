/* recognise.h: the layer after the signatures: stable names, event ids
 * and the nearest-article fallback for records no signature explained
 * (see recognise.c for the order). */
#ifndef MT_RECOGNISE_H
#define MT_RECOGNISE_H

#include "engine_private.h"

/* Called by the sink after the signatures ran on r: found is what
 * mt_matcher_run returned, contexts the context signatures that matched. A name or event
 * finding goes through on_hit (the sink's own), like a signature's.
 * Returns MT_OK or MT_ENOMEM. */
int mt_recognise_record(struct mt_state *st, const struct mt_record *r,
                        int found, int error_like,
                        int contexts, mt_hit_fn on_hit, void *hit_ctx);
/* Frees a state's working memory. */
void mt_recognise_done(struct mt_state *st);

#endif
