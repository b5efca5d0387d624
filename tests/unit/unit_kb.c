/* unit_kb.c: the engine loaded with the shipped patterns/ and kb/, for
 * the tests that run real signatures and articles. */
#include "migtriage.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

struct mt_engine *unit_shipped_engine(void)
{
    struct mt_engine *e = mt_engine_new();

    if (e == NULL ||
        mt_engine_load(e, MT_SOURCE_DATA_DIR "/patterns",
                       MT_SOURCE_DATA_DIR "/kb") != MT_OK) {
        UNIT_FAIL("cannot load the knowledge base");
    }
    return e;
}
