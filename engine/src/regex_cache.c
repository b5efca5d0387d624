/* regex_cache.c: compiled signature regexes on disk (regex_cache.h).
 *
 * A file is a header of five 64-bit words in host order (the magic, the
 * key, the number of codes, the length and the checksum of what follows)
 * and then pcre2_serialize_encode's bytes. Host order is enough: PCRE2's
 * own header already ties the bytes to this library build. */
#include "regex_cache.h"

#include <string.h>

#include "cache.h"
#include "patterns.h"
#include "util.h"

/* Changes when the file's layout or what it keeps changes. */
#define REGEX_CACHE_MAGIC 0x3130305852544d00ULL /* "\0MTRX001" */
#define HEADER_WORDS 5

void mt_regex_cache_init(struct mt_regex_cache *c)
{
    char version[64] = "";
    uint32_t options = MT_REGEX_OPTIONS;

    memset(c, 0, sizeof(*c));
    pcre2_config(PCRE2_CONFIG_VERSION, version);
    c->key = mt_hash("regex1", 6, MT_HASH_SEED);
    c->key = mt_hash(version, strlen(version), c->key);
    c->key = mt_hash(&options, sizeof(options), c->key);
}

void mt_regex_cache_add(struct mt_regex_cache *c, const char *pattern)
{
    /* The length first: "ab" + "c" is not "a" + "bc". */
    size_t len = strlen(pattern);

    c->key = mt_hash(&len, sizeof(len), c->key);
    c->key = mt_hash(pattern, len, c->key);
    c->n++;
}

static int cache_file(const struct mt_regex_cache *c, char *path, size_t cap)
{
    return mt_cache_path("regex", c->key, "pcre2", path, cap);
}

/* Whether bytes[0, len) is a sound file for c: the header agrees with
 * the key, the count and the length, the checksum with the payload, and
 * PCRE2 counts as many codes in it. */
static int sound(const struct mt_regex_cache *c, const char *bytes,
                 size_t len)
{
    uint64_t h[HEADER_WORDS];
    const char *payload = bytes + sizeof(h);

    if (len <= sizeof(h)) {
        return 0;
    }
    memcpy(h, bytes, sizeof(h));
    return h[0] == REGEX_CACHE_MAGIC && h[1] == c->key && h[2] == c->n &&
           h[3] == len - sizeof(h) &&
           h[4] == mt_cache_checksum(payload, len - sizeof(h)) &&
           pcre2_serialize_get_number_of_codes((const uint8_t *)payload) ==
               (int32_t)c->n;
}

int mt_regex_cache_read(struct mt_regex_cache *c)
{
    char path[4200];
    size_t len;
    char *bytes;
    int32_t got;

    if (c->n == 0 || c->n > INT32_MAX ||
        cache_file(c, path, sizeof(path)) != 0) {
        return -1;
    }
    bytes = mt_cache_read(path, &len);
    if (bytes == NULL) {
        return -1;
    }
    if (sound(c, bytes, len)) {
        c->codes = mt_calloc(c->n, sizeof(*c->codes));
    }
    if (c->codes != NULL) {
        got = pcre2_serialize_decode(
            c->codes, (int32_t)c->n,
            (const uint8_t *)bytes + HEADER_WORDS * sizeof(uint64_t),
            mt_pcre2_general());
        if (got != (int32_t)c->n) {
            /* Decoding frees what it made when it fails part way. */
            mt_free(c->codes);
            c->codes = NULL;
        }
    }
    mt_free(bytes);
    c->from_cache = c->codes != NULL;
    return c->from_cache ? 0 : -1;
}

pcre2_code *mt_regex_cache_take(struct mt_regex_cache *c, size_t k)
{
    pcre2_code *code;

    if (c->codes == NULL || k >= c->n) {
        return NULL;
    }
    code = c->codes[k];
    c->codes[k] = NULL;
    return code;
}

void mt_regex_cache_write(const struct mt_regex_cache *c,
                          const pcre2_code *const *codes)
{
    char path[4200], *file;
    uint8_t *bytes = NULL;
    PCRE2_SIZE len = 0;
    uint64_t h[HEADER_WORDS];

    if (c->n == 0 || c->n > INT32_MAX ||
        cache_file(c, path, sizeof(path)) != 0 ||
        pcre2_serialize_encode((const pcre2_code **)codes, (int32_t)c->n,
                               &bytes, &len, mt_pcre2_general()) !=
            (int32_t)c->n) {
        return;
    }
    file = mt_malloc(sizeof(h) + len);
    if (file != NULL) {
        h[0] = REGEX_CACHE_MAGIC;
        h[1] = c->key;
        h[2] = c->n;
        h[3] = len;
        h[4] = mt_cache_checksum(bytes, len);
        memcpy(file, h, sizeof(h));
        memcpy(file + sizeof(h), bytes, len);
        mt_cache_write(path, file, sizeof(h) + len);
        mt_free(file);
    }
    pcre2_serialize_free(bytes);
}

void mt_regex_cache_free(struct mt_regex_cache *c)
{
    size_t i;

    for (i = 0; c->codes != NULL && i < c->n; i++) {
        pcre2_code_free(c->codes[i]);
    }
    mt_free(c->codes);
    memset(c, 0, sizeof(*c));
}
