/* readahead.h: reads a stream on a second thread, a few blocks ahead. */
#ifndef MT_READAHEAD_H
#define MT_READAHEAD_H

#include <stddef.h>

#include "stream.h"

/* Starts the thread. From then on only the thread reads upstream, until
 * the returned stream is freed (which joins the thread). Errors of the
 * upstream reach the reader with their message, after the bytes read
 * before them. Returns NULL when out of memory or threads; the caller then
 * reads upstream directly. */
struct mt_stream *mt_readahead_open(struct mt_stream *upstream,
                                    size_t block_size);

#endif
