/* regex_cache.h: the compiled regexes of one patterns folder, kept on
 * disk between runs (cache.h).
 *
 * Compiling the ~460 signatures' patterns with PCRE2 was a fifth of the
 * instructions of a 20-line paste; reading them back serialized
 * (pcre2_serialize_decode) costs a copy. The file is named by a hash of
 * the PCRE2 version, the compile options and every pattern of the folder
 * in load order, and it is only written when every one of them compiled:
 * a folder with a bad pattern is compiled (and its problem reported) on
 * every run, and any change to a pattern is a new name, so a cache can
 * never hide a pattern that does not compile. The file carries its key,
 * the number of codes and a checksum of the serialized bytes, checked
 * before PCRE2 sees them (PCRE2 checks its own version and build, not the
 * bytecode): a damaged or foreign file is ignored and the patterns are
 * compiled as if there were none. */
#ifndef MT_REGEX_CACHE_H
#define MT_REGEX_CACHE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

/* The options every signature's pattern is compiled with. */
#define MT_REGEX_OPTIONS PCRE2_UTF

struct mt_regex_cache {
    unsigned long long key;
    size_t n;            /* patterns added to the key */
    pcre2_code **codes;  /* read from the file, [0, n); NULL: none */
    int from_cache;      /* codes came from the file */
};

/* Starts a key; then every pattern goes in with mt_regex_cache_add, in
 * the order mt_regex_cache_take will ask for them. */
void mt_regex_cache_init(struct mt_regex_cache *c);
void mt_regex_cache_add(struct mt_regex_cache *c, const char *pattern);

/* Reads the file for the key. Returns 0 when codes[0, n) were read
 * (from_cache set), -1 when there is no usable file. */
int mt_regex_cache_read(struct mt_regex_cache *c);

/* The code of the k-th pattern from the file, which the caller then owns;
 * NULL when there was no file (or it was already taken). */
pcre2_code *mt_regex_cache_take(struct mt_regex_cache *c, size_t k);

/* Writes codes[0, n) (the n patterns of the key, compiled, in order) for
 * the next run. Silent on failure. */
void mt_regex_cache_write(const struct mt_regex_cache *c,
                          const pcre2_code *const *codes);

/* Frees the codes read and not taken. */
void mt_regex_cache_free(struct mt_regex_cache *c);

#endif
