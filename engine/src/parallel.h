/* parallel.h: scans the files of a directory on a small pool of threads,
 * with the same output, byte for byte, as a sequential scan. */
#ifndef MT_PARALLEL_H
#define MT_PARALLEL_H

#include "engine_private.h"

/* Most worker threads (-j); more would only add memory and contention. */
#ifndef MT_MAX_JOBS
#define MT_MAX_JOBS 256
#endif

/* Scans path (a directory) with up to jobs workers and merges what they
 * found into e in walk order. Returns what mt_engine_scan_path() returns
 * for the same path: the worst input status, or MT_ENOMEM (the run
 * stops). */
int mt_parallel_scan_path(struct mt_engine *e, const char *path,
                          unsigned jobs);

#endif
