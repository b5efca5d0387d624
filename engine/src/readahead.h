/* readahead.h: reads a stream on a second thread, a few blocks ahead. */
#ifndef MT_READAHEAD_H
#define MT_READAHEAD_H

#include <stddef.h>

#include "stream.h"

/* Reads upstream in whole blocks of block_size (mt_stream_read_full) on
 * a thread, up to twelve blocks ahead; from then on only the thread reads
 * upstream, until the returned stream is freed (which joins it). A reader
 * that reads it in the same whole blocks, or the upstream itself, sees
 * the same calls of the upstream (so the limits its decoders check per
 * chunk do not depend on threading). Errors of the upstream reach the
 * reader with their message, after the bytes read before them. Returns
 * NULL when out of memory or threads; the caller then reads upstream
 * directly. */
struct mt_stream *mt_readahead_open(struct mt_stream *upstream,
                                    size_t block_size);

#endif
