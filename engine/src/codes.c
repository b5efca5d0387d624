/* codes.c: finds error codes in free text, decodes them through the
 * kb/codes tables and splits HRESULTs into their bit fields, as Microsoft's
 * Err.exe does. The same value written as hex, signed or unsigned decimal
 * decodes to the same entry (kb/codes/README.md, "Canonical code forms"). */
#include "codes.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "datafile.h"
#include "util.h"

/* Facility numbers from winerror.h (mingw-w64); 9 is also FACILITY_SSPI. */
static const char *const facility_names[] = {
    "FACILITY_NULL",          "FACILITY_RPC",
    "FACILITY_DISPATCH",      "FACILITY_STORAGE",
    "FACILITY_ITF",           NULL,
    NULL,                     "FACILITY_WIN32",
    "FACILITY_WINDOWS",       "FACILITY_SECURITY",
    "FACILITY_CONTROL",       "FACILITY_CERT",
    "FACILITY_INTERNET",      "FACILITY_MEDIASERVER",
    "FACILITY_MSMQ",          "FACILITY_SETUPAPI",
    "FACILITY_SCARD",         "FACILITY_COMPLUS",
    "FACILITY_AAF",           "FACILITY_URT",
    "FACILITY_ACS",           "FACILITY_DPLAY",
    "FACILITY_UMI",           "FACILITY_SXS",
    "FACILITY_WINDOWS_CE",    "FACILITY_HTTP",
    NULL,                     NULL,
    NULL,                     NULL,
    NULL,                     NULL,
    "FACILITY_BACKGROUNDCOPY", "FACILITY_CONFIGURATION",
    "FACILITY_STATE_MANAGEMENT", "FACILITY_METADIRECTORY",
    "FACILITY_WINDOWSUPDATE", "FACILITY_DIRECTORYSERVICE"};
#define NFACILITIES (sizeof(facility_names) / sizeof(facility_names[0]))

/* Words after which a small number is an error code ("RPC Error 1722",
 * "error code: 5"); elsewhere in a pasted message it is more likely a
 * size, a count or part of a date. */
static const char *const number_keywords[] = {
    "error", "err", "code", "ec", "win32", "status", "failurecode",
    "errorcode", "hresult", NULL};

const char *mt_facility_name(unsigned facility)
{
    return facility < NFACILITIES ? facility_names[facility] : NULL;
}

void mt_hresult_split(uint32_t v, struct mt_hresult *h)
{
    h->severity = (int)((v >> 31) & 1u);
    h->reserved = (int)((v >> 30) & 1u);
    h->customer = (int)((v >> 29) & 1u);
    h->nt = (int)((v >> 28) & 1u);
    h->facility = (v >> 16) & 0x7ffu;
    h->code = v & 0xffffu;
}

static int is_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static int same_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return 0;
        }
    }
    return *a == *b;
}

/* Length of prefix when s starts with it (any case), else 0. */
static size_t starts(const char *s, const char *prefix)
{
    size_t i;

    for (i = 0; prefix[i]; i++) {
        if (tolower((unsigned char)s[i]) != tolower((unsigned char)prefix[i])) {
            return 0;
        }
    }
    return i;
}

/* Digits of a run, capped so that the value cannot overflow. */
static size_t hex_run(const char *s, uint64_t *v)
{
    size_t n = 0;

    *v = 0;
    while (isxdigit((unsigned char)s[n]) && n < 17) {
        int c = tolower((unsigned char)s[n]);
        *v = *v * 16 + (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
        n++;
    }
    return n;
}

static size_t dec_run(const char *s, uint64_t *v)
{
    size_t n = 0;

    *v = 0;
    while (isdigit((unsigned char)s[n]) && n < 19) {
        *v = *v * 10 + (uint64_t)(s[n] - '0');
        n++;
    }
    return n;
}

struct token {
    enum mt_code_kind kind;
    uint32_t value;
    char lit[24];
};

/* "0x" + 1..8 hex digits. Eight digits (or a value past 16 bits) make an
 * HRESULT; shorter values are Win32 / ec numbers written in hex (0x6ba). */
static size_t parse_hex(const char *s, struct token *t)
{
    uint64_t v;
    size_t n;

    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        return 0;
    }
    n = hex_run(s + 2, &v);
    if (n == 0 || n > 8 || is_word(s[2 + n])) {
        return 0;
    }
    t->value = (uint32_t)v;
    t->kind = n == 8 || v > 0xffff ? MT_CODE_HRESULT : MT_CODE_NUMBER;
    return 2 + n;
}

/* A negative 32-bit decimal is an HRESULT printed as a signed int. */
static size_t parse_signed(const char *s, struct token *t, size_t min_digits)
{
    uint64_t v;
    size_t n;

    if (s[0] != '-') {
        return 0;
    }
    n = dec_run(s + 1, &v);
    if (n < min_digits || n > 10 || is_word(s[1 + n]) || v == 0 ||
        v > 2147483648ull) {
        return 0;
    }
    t->value = (uint32_t)(4294967296ull - v);
    t->kind = MT_CODE_HRESULT;
    return 1 + n;
}

/* Exactly 8 hex digits with a digit, and a letter or a failure bit:
 * "8004010F", "80070005". */
static size_t parse_bare_hex(const char *s, struct token *t)
{
    uint64_t v;
    size_t n = hex_run(s, &v), i;
    int letter = 0, digit = 0;

    if (n != 8 || is_word(s[8])) {
        return 0;
    }
    if (s[8] == '-' && isxdigit((unsigned char)s[9])) {
        return 0; /* the first group of a GUID, not a code */
    }
    for (i = 0; i < 8; i++) {
        if (isdigit((unsigned char)s[i])) {
            digit = 1;
        } else {
            letter = 1;
        }
    }
    if (!digit || (!letter && s[0] != '8' && s[0] != '9')) {
        return 0;
    }
    t->value = (uint32_t)v;
    t->kind = MT_CODE_HRESULT;
    return 8;
}

/* An unsigned decimal: ten digits in the failure range are an HRESULT; a
 * small one is a Win32 / ec number when small_ok. "44,493,004" and "1.5"
 * are not codes. */
static size_t parse_decimal(const char *s, struct token *t, int small_ok)
{
    uint64_t v;
    size_t n = dec_run(s, &v);

    if (n == 0 || is_word(s[n]) ||
        ((s[n] == ',' || s[n] == '.') && isdigit((unsigned char)s[n + 1]))) {
        return 0;
    }
    if (n == 10 && v >= 0x80000000ull && v <= 0xffffffffull) {
        t->value = (uint32_t)v;
        t->kind = MT_CODE_HRESULT;
        return n;
    }
    if (small_ok && n <= 5 && v <= 0xffff) {
        t->value = (uint32_t)v;
        t->kind = MT_CODE_NUMBER;
        return n;
    }
    return 0;
}

/* The value after "hr=" is always an HRESULT, whatever its size. */
static size_t parse_hr_value(const char *s, struct token *t)
{
    uint64_t v;
    size_t n;

    if ((n = parse_hex(s, t)) > 0 || (n = parse_signed(s, t, 1)) > 0) {
        t->kind = MT_CODE_HRESULT;
        return n;
    }
    n = dec_run(s, &v);
    if (n == 0 || n > 10 || is_word(s[n]) || v > 0xffffffffull) {
        return 0;
    }
    t->value = (uint32_t)v;
    t->kind = MT_CODE_HRESULT;
    return n;
}

/* After "ec=": a negative or 32-bit value is an HRESULT, a small one an
 * Exchange store ec (kb/codes/README.md). */
static size_t parse_ec_value(const char *s, struct token *t)
{
    uint64_t v;
    size_t n;

    if ((n = parse_hex(s, t)) > 0 || (n = parse_signed(s, t, 1)) > 0) {
        t->kind = t->value > 0xffff ? MT_CODE_HRESULT : MT_CODE_EC;
        return n;
    }
    n = dec_run(s, &v);
    if (n == 0 || n > 10 || is_word(s[n]) || v > 0xffffffffull) {
        return 0;
    }
    t->value = (uint32_t)v;
    t->kind = v > 0xffff ? MT_CODE_HRESULT : MT_CODE_EC;
    return n;
}

static size_t parse_literal(const char *s, const char *prefix, size_t min,
                            size_t max, struct token *t)
{
    size_t p = starts(s, prefix), n = 0, i;

    if (p == 0) {
        return 0;
    }
    while (isdigit((unsigned char)s[p + n])) {
        n++;
    }
    if (n < min || n > max || is_word(s[p + n])) {
        return 0;
    }
    for (i = 0; i < p + n && i + 1 < sizeof(t->lit); i++) {
        t->lit[i] = (char)toupper((unsigned char)s[i]);
    }
    t->lit[i] = '\0';
    t->kind = MT_CODE_LITERAL;
    return p + n;
}

static size_t http_status(const char *s, struct token *t)
{
    uint64_t v;
    size_t n = dec_run(s, &v);

    if (n != 3 || v < 100 || v > 599 || is_word(s[3])) {
        return 0;
    }
    t->value = (uint32_t)v;
    t->kind = MT_CODE_HTTP;
    return 3;
}

/* "HTTP 413", "HTTP/1.1 413", "HTTP Error 401", "HTTP status code: 500". */
static size_t parse_http_word(const char *s, struct token *t)
{
    static const char *const fillers[] = {"status", "error", "code", NULL};
    size_t p = starts(s, "http"), n;
    int i, again = 1;

    if (p == 0 || (is_word(s[p]) && s[p] != '/')) {
        return 0;
    }
    if (s[p] == '/') {
        p++;
        while (isdigit((unsigned char)s[p]) || s[p] == '.') {
            p++;
        }
    }
    while (again) {
        again = 0;
        while (s[p] == ' ' || s[p] == ':') {
            p++;
        }
        for (i = 0; fillers[i]; i++) {
            n = starts(s + p, fillers[i]);
            if (n > 0 && !is_word(s[p + n])) {
                p += n;
                again = 1;
                break;
            }
        }
    }
    n = http_status(s + p, t);
    return n ? p + n : 0;
}

/* "(401)" as .NET's WebException prints it. */
static size_t parse_http_paren(const char *s, struct token *t)
{
    size_t n;

    if (s[0] != '(' || (n = http_status(s + 1, t)) == 0 || s[1 + n] != ')') {
        return 0;
    }
    return n + 2;
}

/* "401 Unauthorized": a status followed by its reason phrase, as the http
 * table names it. */
static size_t parse_http_reason(const struct mt_kb *kb, const char *s,
                                struct token *t)
{
    struct mt_code_ref ref;
    char code[8];
    size_t n = http_status(s, t), r;

    if (n == 0 || s[n] != ' ' || kb == NULL) {
        return 0;
    }
    snprintf(code, sizeof(code), "%u", (unsigned)t->value);
    if (!mt_code_lookup(kb, "http", code, &ref)) {
        return 0;
    }
    r = starts(s + n + 1, ref.name);
    if (r == 0 || is_word(s[n + 1 + r])) {
        return 0;
    }
    return n + 1 + r;
}

static int after_keyword(const char *text, size_t p)
{
    size_t end, start;
    char word[16];
    int i;

    end = p;
    while (end > 0 && text[end - 1] == ' ') {
        end--;
    }
    if (end > 0 && strchr(":=#", text[end - 1]) != NULL) {
        end--;
    }
    while (end > 0 && text[end - 1] == ' ') {
        end--;
    }
    start = end;
    while (start > 0 && isalnum((unsigned char)text[start - 1])) {
        start--;
    }
    if (end == start || end - start >= sizeof(word)) {
        return 0;
    }
    memcpy(word, text + start, end - start);
    word[end - start] = '\0';
    for (i = 0; number_keywords[i]; i++) {
        if (same_nocase(word, number_keywords[i])) {
            return 1;
        }
    }
    return 0;
}

/* Tries every code form at p (a word start). whole: the token would be the
 * whole text, so a bare small number counts. Returns the length used. */
static size_t parse_at(const struct mt_kb *kb, const char *text, size_t p,
                       int whole, struct token *t)
{
    const char *s = text + p;
    size_t n;

    memset(t, 0, sizeof(*t));
    if ((n = starts(s, "hr=")) > 0) {
        size_t v = parse_hr_value(s + n, t);
        return v ? n + v : 0;
    }
    if ((n = starts(s, "ec=")) > 0) {
        size_t v = parse_ec_value(s + n, t);
        return v ? n + v : 0;
    }
    if ((n = parse_literal(s, "hcw", 4, 4, t)) > 0 ||
        (n = parse_literal(s, "aadsts", 1, 9, t)) > 0 ||
        (n = parse_http_word(s, t)) > 0 || (n = parse_http_paren(s, t)) > 0 ||
        (n = parse_http_reason(kb, s, t)) > 0 || (n = parse_hex(s, t)) > 0 ||
        (n = parse_signed(s, t, 7)) > 0 || (n = parse_bare_hex(s, t)) > 0) {
        return n;
    }
    return parse_decimal(s, t, whole || after_keyword(text, p));
}

static void fill_code(struct mt_code *c, const struct token *t)
{
    c->kind = t->kind;
    c->value = t->value;
    if (t->kind == MT_CODE_LITERAL) {
        snprintf(c->code, sizeof(c->code), "%s", t->lit);
    } else if (t->kind == MT_CODE_HRESULT) {
        snprintf(c->code, sizeof(c->code), "0x%08X", (unsigned)t->value);
    } else {
        snprintf(c->code, sizeof(c->code), "%u", (unsigned)t->value);
    }
}

int mt_code_lookup(const struct mt_kb *kb, const char *table,
                   const char *canonical, struct mt_code_ref *ref)
{
    size_t i, j;
    json_t *c;

    for (i = 0; i < kb->ntables; i++) {
        const struct mt_code_table *t = &kb->tables[i];
        if (table != NULL && strcmp(t->name, table) != 0) {
            continue;
        }
        json_array_foreach(t->codes, j, c) {
            const char *code = mt_json_str(c, "code");
            if (code != NULL && same_nocase(code, canonical) &&
                mt_json_str(c, "name") != NULL) {
                ref->table = t->name;
                ref->code = code;
                ref->name = mt_json_str(c, "name");
                ref->meaning = mt_json_str(c, "meaning");
                ref->article = mt_json_str(c, "article");
                ref->generic = json_is_true(json_object_get(c, "generic"));
                return 1;
            }
        }
    }
    return 0;
}

static void add_ref(const struct mt_kb *kb, struct mt_code *c,
                    const char *table)
{
    if (c->nrefs < MT_CODE_MAX_REFS &&
        mt_code_lookup(kb, table, c->code, &c->refs[c->nrefs])) {
        c->nrefs++;
    }
}

/* Which tables a code is looked up in: an HRESULT in every table that
 * holds 32-bit values (mapi, hresult: each under its own name), a small
 * number in both Win32 and ec, since the same number means different
 * things there (1722). */
static void look_up(const struct mt_kb *kb, struct mt_code *c, int whole)
{
    size_t i;

    switch (c->kind) {
    case MT_CODE_HRESULT:
        for (i = 0; i < kb->ntables; i++) {
            add_ref(kb, c, kb->tables[i].name);
        }
        if ((c->value >> 31) && ((c->value >> 16) & 0x7ffu) == 7) {
            char low[8];
            snprintf(low, sizeof(low), "%u", (unsigned)(c->value & 0xffffu));
            c->has_win32 = mt_code_lookup(kb, "win32", low, &c->win32);
        }
        break;
    case MT_CODE_NUMBER:
        add_ref(kb, c, "win32");
        add_ref(kb, c, "ec");
        if (whole && c->value >= 100 && c->value <= 599) {
            add_ref(kb, c, "http");
        }
        break;
    case MT_CODE_EC:
        add_ref(kb, c, "ec");
        break;
    case MT_CODE_HTTP:
        add_ref(kb, c, "http");
        break;
    case MT_CODE_LITERAL:
    default:
        add_ref(kb, c, NULL);
        break;
    }
}

int mt_code_same(const struct mt_code *a, const struct mt_code *b)
{
    int small_a = a->kind == MT_CODE_NUMBER || a->kind == MT_CODE_EC ||
                  a->kind == MT_CODE_HTTP;
    int small_b = b->kind == MT_CODE_NUMBER || b->kind == MT_CODE_EC ||
                  b->kind == MT_CODE_HTTP;

    if (a->kind == MT_CODE_LITERAL || b->kind == MT_CODE_LITERAL) {
        return a->kind == b->kind && same_nocase(a->code, b->code);
    }
    if (a->kind != b->kind && !(small_a && small_b)) {
        return 0;
    }
    return a->value == b->value;
}

int mt_code_parse(const char *s, struct mt_code *c)
{
    struct token t;
    size_t n;

    memset(c, 0, sizeof(*c));
    n = parse_at(NULL, s, 0, 1, &t);
    if (n == 0 || s[n] != '\0') {
        return 0;
    }
    fill_code(c, &t);
    return 1;
}

/* True when every blank-separated word of text is a code by itself
 * ("1722 0x800706BA"): then bare small numbers are codes too. */
static int only_codes(const char *text)
{
    const char *p = text;
    int any = 0;

    while (*p) {
        struct token t;
        size_t n = 0, used;
        char word[64];

        while (isspace((unsigned char)*p)) {
            p++;
        }
        while (p[n] && !isspace((unsigned char)p[n])) {
            n++;
        }
        if (n == 0) {
            break;
        }
        if (n >= sizeof(word)) {
            return 0;
        }
        memcpy(word, p, n);
        word[n] = '\0';
        used = parse_at(NULL, word, 0, 1, &t);
        /* "(401)," and "1722;" are still codes. */
        while (used > 0 && used < n && strchr(",;.", word[used]) != NULL) {
            used++;
        }
        if (used != n) {
            return 0;
        }
        any = 1;
        p += n;
    }
    return any;
}

static size_t trimmed_end(const char *text)
{
    size_t n = strlen(text);

    while (n > 0 && isspace((unsigned char)text[n - 1])) {
        n--;
    }
    return n;
}

int mt_codes_scan(const struct mt_kb *kb, const char *text,
                  struct mt_code_list *out)
{
    size_t p = 0, first = 0, end = trimmed_end(text), i;
    int codes_only = only_codes(text);

    while (isspace((unsigned char)text[first])) {
        first++;
    }
    while (p < end) {
        struct token t;
        struct mt_code c;
        size_t n;
        int whole, dup = 0;

        if (p > 0 && (is_word(text[p - 1]) || text[p - 1] == '-')) {
            p++;
            continue;
        }
        /* A bare number counts when it is all there is (the help desk
         * typing "1722") or when a word such as "error" comes before it;
         * parse_at checks the keyword. */
        whole = p == first || codes_only;
        n = parse_at(kb, text, p, whole, &t);
        if (n == 0) {
            p++;
            continue;
        }
        whole = (p == first && p + n == end) || codes_only;
        if (t.kind == MT_CODE_NUMBER && !whole && !after_keyword(text, p) &&
            text[p] != '0') {
            p += n;
            continue;
        }
        memset(&c, 0, sizeof(c));
        fill_code(&c, &t);
        for (i = 0; i < out->n && !dup; i++) {
            struct mt_code *o = &out->v[i];
            if (o->kind == c.kind && strcmp(o->code, c.code) == 0) {
                dup = 1;
                if (o->nalso < MT_CODE_MAX_ALSO) {
                    o->also[o->nalso] = mt_strndup(text + p, n);
                    if (o->also[o->nalso] == NULL) {
                        return -1;
                    }
                    o->nalso++;
                }
            }
        }
        if (!dup) {
            if (out->n == out->alloc) {
                size_t a = out->alloc ? out->alloc * 2 : 8;
                struct mt_code *grown = mt_realloc(out->v, a * sizeof(*grown));
                if (grown == NULL) {
                    return -1;
                }
                out->v = grown;
                out->alloc = a;
            }
            c.input = mt_strndup(text + p, n);
            if (c.input == NULL) {
                return -1;
            }
            look_up(kb, &c, whole);
            out->v[out->n++] = c;
        }
        p += n;
    }
    return 0;
}

void mt_codes_free(struct mt_code_list *l)
{
    size_t i;
    int k;

    for (i = 0; i < l->n; i++) {
        mt_free(l->v[i].input);
        for (k = 0; k < l->v[i].nalso; k++) {
            mt_free(l->v[i].also[k]);
        }
    }
    mt_free(l->v);
    memset(l, 0, sizeof(*l));
}
