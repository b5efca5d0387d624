/* decode.h: the decoders that mt_decode_stream() stacks. Each bids on the
 * first bytes of a stream (never on its name): the highest bid wins. */
#ifndef MT_DECODE_H
#define MT_DECODE_H

#include "scan.h"
#include "stream.h"

/* Containers and compressed formats that libarchive reads: zip, tar (and
 * tar.gz/bz2/xz/zst when handed the compressed bytes), 7z, cpio, and lone
 * bzip2/xz/zstd streams. Returns the number of magic bits verified. */
int mt_archive_bid(const unsigned char *p, size_t n);
/* Walks every member of the archive in in, without writing anything to
 * disk, calling mt_decode_stream() on each as origin!member. */
int mt_archive_scan(struct mt_scan *scan, struct mt_stream *in,
                    const char *origin, int depth);

/* Text: sniffs BOMs and BOM-less UTF-16, transcodes to UTF-8 (repairing
 * invalid sequences, dropping NUL bytes, each with one warning), skips
 * binary data with a note, and feeds a splitter that sends records to
 * scan->sink between begin(origin) and end(). */
int mt_text_scan(struct mt_scan *scan, struct mt_stream *in,
                 const char *origin);

#endif
