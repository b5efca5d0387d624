#include "engine_private.h"
void mt_emit_html(struct mt_engine *e, FILE *out)
{
    (void)e;
    (void)out;
}
