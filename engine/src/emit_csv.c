#include "engine_private.h"
void mt_emit_csv(struct mt_engine *e, FILE *out)
{
    (void)e;
    (void)out;
}
