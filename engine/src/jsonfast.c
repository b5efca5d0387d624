/* jsonfast.c: a fast path for the knowledge's JSON data files.
 *
 * Jansson reads its input a byte at a time through a callback, checking
 * UTF-8 as it goes: about 140 instructions a byte, which made parsing the
 * megabyte of patterns/ and kb/ most of the time of a paste. This parser
 * takes the shape the data files have (an object of objects, arrays,
 * strings, integers, booleans and nulls; valid UTF-8) straight from the
 * buffer and builds the same Jansson values, keys in the same order.
 * Anything else (a syntax error, a duplicate key, a real number, a big
 * integer, \u0000, deep nesting, no memory) gives NULL, and the caller
 * parses with Jansson, which accepts or rejects it in its own words. So
 * the fast path must never accept what Jansson rejects, nor read a value
 * differently; tests/unit/test_jsonfast.c compares the two. */
#include "jsonfast.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util.h"

/* Deeper documents go to Jansson (whose own limit is 2048). */
#define MAX_DEPTH 64
/* Integers with more digits go to Jansson, which knows when they overflow
 * json_int_t. */
#define MAX_INT_DIGITS 18

struct parser {
    const unsigned char *p, *end;
    int depth;
    struct mt_buf scratch; /* a string with escapes or a key, decoded */
};

static json_t *parse_value(struct parser *j);

static int blank(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void skip_space(struct parser *j)
{
    /* Most calls find a token or a single space. */
    if (j->p >= j->end || !blank(*j->p)) {
        return;
    }
    if (j->end - j->p >= 2 && !blank(j->p[1])) {
        j->p++;
        return;
    }
#ifdef __SSE2__
    /* The data files are indented: a newline and a run of spaces before
     * most tokens, skipped sixteen bytes at a time. */
    const __m128i sp = _mm_set1_epi8(' '), nl = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r'), tab = _mm_set1_epi8('\t');
    while (j->end - j->p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)j->p);
        unsigned blank = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, nl)),
            _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, tab))));
        if (blank != 0xFFFF) {
            j->p += __builtin_ctz(~blank);
            return;
        }
        j->p += 16;
    }
#endif
    while (j->p < j->end && blank(*j->p)) {
        j->p++;
    }
}

static int hex4(const unsigned char *p, unsigned *v)
{
    int i;

    *v = 0;
    for (i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        } else {
            return -1;
        }
        *v = *v * 16 + d;
    }
    return 0;
}

/* Reads a \uXXXX escape (and the low half of a surrogate pair) at j->p,
 * just past the backslash and u; appends its UTF-8 to scratch at *n. */
static int unicode_escape(struct parser *j, size_t *n)
{
    unsigned v, lo;
    char *o;

    if (j->end - j->p < 4 || hex4(j->p, &v) != 0) {
        return -1;
    }
    j->p += 4;
    if (v == 0 || (v >= 0xDC00 && v <= 0xDFFF)) {
        return -1;
    }
    if (v >= 0xD800 && v <= 0xDBFF) {
        if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
            hex4(j->p + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
            return -1;
        }
        j->p += 6;
        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (mt_buf_reserve(&j->scratch, *n + 4) != 0) {
        return -1;
    }
    o = j->scratch.data + *n;
    if (v < 0x80) {
        o[0] = (char)v;
        *n += 1;
    } else if (v < 0x800) {
        o[0] = (char)(0xC0 | (v >> 6));
        o[1] = (char)(0x80 | (v & 0x3F));
        *n += 2;
    } else if (v < 0x10000) {
        o[0] = (char)(0xE0 | (v >> 12));
        o[1] = (char)(0x80 | ((v >> 6) & 0x3F));
        o[2] = (char)(0x80 | (v & 0x3F));
        *n += 3;
    } else {
        o[0] = (char)(0xF0 | (v >> 18));
        o[1] = (char)(0x80 | ((v >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((v >> 6) & 0x3F));
        o[3] = (char)(0x80 | (v & 0x3F));
        *n += 4;
    }
    return 0;
}

/* Checks the UTF-8 sequence whose lead byte is at j->p and steps over it;
 * the same strict form Jansson accepts (no overlong forms, surrogates or
 * code points past U+10FFFF). */
static int utf8_sequence(struct parser *j)
{
    unsigned char lo, hi;
    int k = mt_utf8_lead(*j->p, &lo, &hi), i;

    if (k == 0 || j->end - j->p <= k || j->p[1] < lo || j->p[1] > hi) {
        return -1;
    }
    for (i = 2; i <= k; i++) {
        if (j->p[i] < 0x80 || j->p[i] > 0xBF) {
            return -1;
        }
    }
    j->p += k + 1;
    return 0;
}

/* Whether a string's text may hold c as it is: printable ASCII other
 * than the quote and the backslash. */
static int plain_byte(unsigned char c)
{
    return (unsigned char)(c - 0x20) < 0x5F && c != '"' && c != '\\';
}

/* Bytes 0x01 in each of a word's eight; 0x80 in each. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Steps over the run of plain bytes at p (plain_byte), eight at a time.
 * A byte below 0x20, at or above 0x80, a quote or a backslash in a word
 * is found by the usual has-zero and has-less tests; their lowest flag is
 * exact (a borrow only runs upwards from a real hit), so on a
 * little-endian machine it says where the run ends. DEL passes as plain
 * here, as the byte loop would also accept it. The knowledge's strings
 * are long prose and patterns: most of their bytes go by here. */
static const unsigned char *plain_run(const unsigned char *p,
                                      const unsigned char *end)
{
#ifdef __SSE2__
    /* Sixteen at a time where SSE2 is (every x86-64): a signed compare
     * below 0x20 flags both the controls and every byte from 0x80. */
    const __m128i quotes = _mm_set1_epi8('"'),
                  backslashes = _mm_set1_epi8('\\'),
                  controls = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        int special = _mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quotes),
                                      _mm_cmpeq_epi8(v, backslashes)),
                         _mm_cmplt_epi8(v, controls)));
        if (special != 0) {
            return p + __builtin_ctz((unsigned)special);
        }
        p += 16;
    }
#endif
    while (end - p >= 8) {
        uint64_t w, quote, backslash, special;

        memcpy(&w, p, sizeof(w));
        quote = w ^ (ONES * '"');
        backslash = w ^ (ONES * '\\');
        special = (((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) |
                   ((backslash - ONES) & ~backslash) | w) &
                  HIGHS;
        if (special != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + (__builtin_ctzll(special) >> 3);
#else
            break;
#endif
        }
        p += 8;
    }
    while (p < end && plain_byte(*p)) {
        p++;
    }
    return p;
}

/* Reads a string at j->p (its opening quote). Sets *s and *n to its
 * bytes: in the input when it has no escapes, else decoded into j->scratch
 * (valid until the next string). */
static int parse_string(struct parser *j, const char **s, size_t *n)
{
    const unsigned char *start = ++j->p;
    size_t len = 0;
    int escaped = 0;

    for (;;) {
        const unsigned char *run = j->p;
        unsigned char c;

        /* The common run: plain ASCII up to the closing quote or the
         * next escape, copied whole once the string is being decoded. */
        j->p = plain_run(j->p, j->end);
        if (escaped && j->p > run) {
            size_t k = (size_t)(j->p - run);
            if (mt_buf_reserve(&j->scratch, len + k) != 0) {
                return -1;
            }
            memcpy(j->scratch.data + len, run, k);
            len += k;
        }
        if (j->p >= j->end) {
            return -1;
        }
        c = *j->p;
        if (c == '"') {
            break;
        }
        if (c < 0x20) {
            return -1;
        }
        if (c >= 0x80) {
            const unsigned char *from = j->p;
            if (utf8_sequence(j) != 0) {
                return -1;
            }
            if (escaped) {
                if (mt_buf_reserve(&j->scratch, len + (size_t)(j->p - from)) != 0) {
                    return -1;
                }
                memcpy(j->scratch.data + len, from, (size_t)(j->p - from));
                len += (size_t)(j->p - from);
            }
            continue;
        }
        if (c == '\\') {
            char out;
            if (!escaped) {
                /* From here on the string is built in scratch. */
                len = (size_t)(j->p - start);
                if (mt_buf_reserve(&j->scratch, len + 1) != 0) {
                    return -1;
                }
                memcpy(j->scratch.data, start, len);
                escaped = 1;
            }
            if (j->end - j->p < 2) {
                return -1;
            }
            j->p += 2;
            switch (j->p[-1]) {
            case '"': out = '"'; break;
            case '\\': out = '\\'; break;
            case '/': out = '/'; break;
            case 'b': out = '\b'; break;
            case 'f': out = '\f'; break;
            case 'n': out = '\n'; break;
            case 'r': out = '\r'; break;
            case 't': out = '\t'; break;
            case 'u':
                if (unicode_escape(j, &len) != 0) {
                    return -1;
                }
                continue;
            default:
                return -1;
            }
            if (mt_buf_reserve(&j->scratch, len + 1) != 0) {
                return -1;
            }
            j->scratch.data[len++] = out;
            continue;
        }
        if (escaped) {
            if (mt_buf_reserve(&j->scratch, len + 1) != 0) {
                return -1;
            }
            j->scratch.data[len++] = (char)c;
        }
        j->p++;
    }
    if (escaped) {
        *s = j->scratch.data;
        *n = len;
    } else {
        *s = (const char *)start;
        *n = (size_t)(j->p - start);
    }
    j->p++; /* the closing quote */
    return 0;
}

static json_t *parse_integer(struct parser *j)
{
    const unsigned char *p = j->p;
    int negative = 0, digits = 0;
    json_int_t v = 0;

    if (*p == '-') {
        negative = 1;
        p++;
    }
    if (p >= j->end || *p < '0' || *p > '9' ||
        (*p == '0' && p + 1 < j->end && p[1] >= '0' && p[1] <= '9')) {
        return NULL;
    }
    while (p < j->end && *p >= '0' && *p <= '9') {
        if (++digits > MAX_INT_DIGITS) {
            return NULL;
        }
        v = v * 10 + (*p++ - '0');
    }
    if (p < j->end && (*p == '.' || *p == 'e' || *p == 'E')) {
        return NULL; /* a real: Jansson's conversion decides its value */
    }
    j->p = p;
    return json_integer(negative ? -v : v);
}

static int literal(struct parser *j, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) {
        return 0;
    }
    j->p += n;
    /* Jansson reads a whole run of letters as one token: "truex" is not
     * true followed by something. */
    return j->p >= j->end || !((*j->p >= 'a' && *j->p <= 'z') ||
                               (*j->p >= 'A' && *j->p <= 'Z') ||
                               (*j->p >= '0' && *j->p <= '9'));
}

/* After a member: steps over a comma (1: another member follows) or the
 * closing bracket (0: the container is complete); -1 for anything else. */
static int next_member(struct parser *j, unsigned char close)
{
    skip_space(j);
    if (j->p < j->end && *j->p == ',') {
        j->p++;
        skip_space(j);
        return 1;
    }
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return 0;
    }
    return -1;
}

/* An opening bracket at j->p: steps over it and says whether the
 * container is empty (its closing bracket next, stepped over too). */
static int opens_empty(struct parser *j, unsigned char close)
{
    j->p++;
    skip_space(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return 1;
    }
    return 0;
}

static json_t *parse_array(struct parser *j)
{
    json_t *a = json_array(), *v;
    int more = 1;

    if (opens_empty(j, ']')) {
        return a;
    }
    while (a != NULL && more == 1) {
        v = parse_value(j);
        if (v == NULL || json_array_append_new(a, v) != 0) {
            break;
        }
        more = next_member(j, ']');
    }
    if (more == 0) {
        return a;
    }
    json_decref(a);
    return NULL;
}

/* Puts the key (n bytes at s) into j->scratch.data as a C string; a \u0000 never
 * gets this far, so it has no NUL inside. */
static const char *key_string(struct parser *j, const char *s, size_t n)
{
    if (mt_buf_reserve(&j->scratch, n + 1) != 0) {
        return NULL;
    }
    memmove(j->scratch.data, s, n);
    j->scratch.data[n] = '\0';
    return j->scratch.data;
}

static json_t *parse_object(struct parser *j)
{
    json_t *o = json_object(), *v;
    int more = 1;

    if (opens_empty(j, '}')) {
        return o;
    }
    while (o != NULL && more == 1) {
        const char *s, *key;
        char *escaped_key = NULL;
        size_t n;
        int added;

        if (j->p >= j->end || *j->p != '"' || parse_string(j, &s, &n) != 0) {
            break;
        }
        /* The value's strings reuse scratch: a key decoded there is kept
         * aside (rare); one without escapes stays in the input. */
        if (s == j->scratch.data && (s = escaped_key = mt_strndup(s, n)) == NULL) {
            break;
        }
        skip_space(j);
        v = NULL;
        if (j->p < j->end && *j->p == ':') {
            j->p++;
            skip_space(j);
            v = parse_value(j);
        }
        /* Jansson rejects a duplicate key in the data files: one that
         * replaced a value instead of adding a member (the object no
         * larger) sends the file to Jansson, which says so. The object
         * takes v, even when adding it fails. */
        key = v != NULL ? key_string(j, s, n) : NULL;
        if (key == NULL) {
            json_decref(v);
            added = 0;
        } else {
            size_t members = json_object_size(o);
            added = json_object_set_new_nocheck(o, key, v) == 0 &&
                    json_object_size(o) > members;
        }
        mt_free(escaped_key);
        if (!added) {
            break;
        }
        more = next_member(j, '}');
    }
    if (more == 0) {
        return o;
    }
    json_decref(o);
    return NULL;
}

static json_t *parse_value(struct parser *j)
{
    json_t *v = NULL;
    const char *s;
    size_t n;

    if (j->p >= j->end || ++j->depth > MAX_DEPTH) {
        return NULL;
    }
    switch (*j->p) {
    case '{':
        v = parse_object(j);
        break;
    case '[':
        v = parse_array(j);
        break;
    case '"':
        if (parse_string(j, &s, &n) == 0) {
            v = json_stringn_nocheck(s, n);
        }
        break;
    case 't':
        v = literal(j, "true") ? json_true() : NULL;
        break;
    case 'f':
        v = literal(j, "false") ? json_false() : NULL;
        break;
    case 'n':
        v = literal(j, "null") ? json_null() : NULL;
        break;
    default:
        v = parse_integer(j);
        break;
    }
    j->depth--;
    return v;
}

json_t *mt_json_fast_object(const char *text, size_t len)
{
    struct parser j;
    json_t *root = NULL;

    memset(&j, 0, sizeof(j));
    j.p = (const unsigned char *)text;
    j.end = j.p + len;
    skip_space(&j);
    if (j.p < j.end && *j.p == '{') {
        root = parse_object(&j);
        skip_space(&j);
        if (root != NULL && j.p != j.end) {
            json_decref(root);
            root = NULL;
        }
    }
    mt_buf_free(&j.scratch);
    return root;
}
