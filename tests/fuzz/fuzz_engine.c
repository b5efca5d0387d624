/* fuzz_engine.c: the whole pipeline on arbitrary bytes, with the real
 * knowledge base: decoders, readers, splitter, matcher (every signature),
 * context rules, aggregation and both report formats. Any crash, leak,
 * hang or sanitizer report is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "migtriage.h"

#ifndef MT_SOURCE_DATA_DIR
#define MT_SOURCE_DATA_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compiling the knowledge takes longer than scanning one input, so one
 * engine serves many inputs; it is rebuilt every RUNS_PER_ENGINE runs so
 * that what it accumulates (groups, inputs) stays small. */
#define RUNS_PER_ENGINE 200

static struct mt_engine *engine;
static int runs;

static struct mt_engine *new_engine(void)
{
    struct mt_engine *e = mt_engine_new();

    if (e == NULL) {
        abort();
    }
    /* Small limits so that limit paths are reached and runs stay fast. */
    mt_engine_set_limit(e, MT_LIMIT_LINE_BYTES, 512);
    mt_engine_set_limit(e, MT_LIMIT_RECORD_BYTES, 2048);
    mt_engine_set_limit(e, MT_LIMIT_EXPANDED_BYTES, 4 * 1024 * 1024);
    mt_engine_set_limit(e, MT_LIMIT_FINDING_GROUPS, 64);
    if (mt_engine_load(e, MT_SOURCE_DATA_DIR "/patterns",
                       MT_SOURCE_DATA_DIR "/kb") != MT_OK) {
        abort(); /* the shipped knowledge must load cleanly */
    }
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fopen("/dev/null", "w");

    if (sink == NULL) {
        abort();
    }
    if (engine == NULL || ++runs % RUNS_PER_ENGINE == 0) {
        mt_engine_free(engine);
        engine = new_engine();
    }
    mt_engine_scan_memory(engine, "fuzz", data, size);
    mt_engine_write_report(engine, sink, MT_FORMAT_JSON, 0);
    mt_engine_write_report(engine, sink, MT_FORMAT_TEXT, 0);
    fclose(sink);
    return 0;
}
