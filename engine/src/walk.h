/* walk.h: expands the command line's paths into the files to scan: a file
 * as is, "-" for stdin, a directory recursively in byte order of names
 * (so output is the same on every machine), without following a symlink
 * into a directory it already visited (loops). */
#ifndef MT_WALK_H
#define MT_WALK_H

#include <stdint.h>

/* Called for each regular file (or "-"); a non-zero return stops. */
typedef int (*mt_walk_file_fn)(void *ctx, const char *path);
/* Called for each path that cannot be visited, with a short reason
 * ("permission denied", "directory loop", "not a regular file"). */
typedef void (*mt_walk_error_fn)(void *ctx, const char *path,
                                 const char *why);

/* Returns 0 when every path was visited, 1 when some were reported through
 * on_error, or the callback's non-zero return. */
int mt_walk_path(const char *path, uint64_t max_files,
                 mt_walk_file_fn on_file, mt_walk_error_fn on_error,
                 void *ctx);

#endif
