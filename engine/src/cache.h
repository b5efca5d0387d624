/* cache.h: files the engine keeps between runs so that start-up does not
 * redo work whose result depends only on the knowledge and the libraries
 * (the prefilter database, the compiled regexes). A cache is a shortcut,
 * never a source of truth: a file that is missing, damaged, stale or not
 * trusted is ignored and the work is done again.
 *
 * Where: $MT_CACHE_DIR (set but empty: no cache), else
 * $XDG_CACHE_HOME/migtriage, else ~/.cache/migtriage. Each file is named
 * by a hash of everything its content depends on, so a changed input is
 * a different name and a file, once written, never changes. */
#ifndef MT_CACHE_H
#define MT_CACHE_H

#include <stddef.h>

/* Files larger than this are not read: real ones are well under a
 * megabyte. */
#define MT_CACHE_MAX_BYTES (64u * 1024 * 1024)

/* What mt_cache_write keeps of each kind of file: the files most recently
 * used (read or written), up to this many, none unused for longer than
 * this: enough to go back and forth between a few knowledge bases (with
 * and without --extra-kb, two checkouts) without compiling again. */
#define MT_CACHE_KEEP 8
#define MT_CACHE_UNUSED_DAYS 30

/* Sets path to "<cache dir>/<kind>-<key in hex>.<ext>". Returns 0, or -1
 * when there is no cache (MT_CACHE_DIR empty, no home) or no room. */
int mt_cache_path(const char *kind, unsigned long long key, const char *ext,
                  char *path, size_t cap);

/* Reads the file whole into memory from mt_malloc (*len its size), and
 * marks it used (its modification time) when that was over a day ago.
 * Returns NULL when it cannot be read or is not to be trusted: only a
 * plain file of this user's, not writable by others, not a symbolic
 * link, of 1 to MT_CACHE_MAX_BYTES bytes. */
char *mt_cache_read(const char *path, size_t *len);

/* Writes bytes for the next run: to a temporary file renamed into place,
 * so that a concurrent run never reads half a file. Creates the cache
 * directory when missing, then prunes the files of the same kind as
 * MT_CACHE_KEEP says. Failures are silent: the cache is a shortcut. */
void mt_cache_write(const char *path, const void *bytes, size_t len);

/* A checksum of bytes, eight at a time (for a cache file's payload,
 * where mt_hash's byte loop would cost more than it saves). */
unsigned long long mt_cache_checksum(const void *bytes, size_t len);

#endif
