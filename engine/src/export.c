/* export.c: `migtriage kb export`: writes the finding signatures as a
 * pattern file (one regex a line) for rg -f, ugrep -f or grep -E -f, so
 * that benchmarks and users can run the same knowledge through other
 * tools. Each PCRE2 pattern is rewritten for the target's syntax with the
 * same line-matching meaning; what cannot be said there is left out and
 * named through the message callback. */
#include <ctype.h>
#include <string.h>

#include "engine_private.h"
#include "util.h"

enum flavor {
    FLAVOR_PCRE = 0, /* PCRE2 as loaded, named groups made plain */
    FLAVOR_RG = 1,   /* Rust regex (rg) */
    FLAVOR_GREP = 2, /* POSIX ERE with GNU extensions (grep -E) */
    FLAVOR_UGREP = 3 /* ugrep's default syntax: rg's, but for \b */
};

/* One element of a character class: a code point range (lo == hi for a
 * single character). Classes are rebuilt from these because each target
 * has its own rules for escapes and for where ], ^ and - may stand. */
struct class_item {
    unsigned lo;
    unsigned hi;
};

#define MAX_CLASS_ITEMS 128
#define MAX_GROUP_DEPTH 64

struct conv {
    enum flavor flavor;
    const char *p;   /* pattern being read */
    size_t i;        /* read position */
    struct mt_buf out;
    const char *why; /* set when the pattern cannot be converted */
    int ci;          /* case-insensitive here (grep: letters get classes) */
    int ci_stack[MAX_GROUP_DEPTH];
    int depth;
    int after_quant; /* the last token was a quantifier */
};

static int is_alpha(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static unsigned other_case(unsigned c)
{
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 'A';
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 'a';
    }
    return c;
}

/* Reads one UTF-8 character at c->i; invalid bytes are taken as they are
 * (the loader already checked the pattern compiles in UTF mode). */
static unsigned read_char(struct conv *c)
{
    const unsigned char *s = (const unsigned char *)c->p + c->i;
    unsigned cp = s[0];
    int n = 0, k;

    if (cp >= 0xf0 && cp < 0xf8) {
        n = 3;
        cp &= 0x07;
    } else if (cp >= 0xe0) {
        n = cp < 0xf0 ? 2 : 0;
        cp &= 0x0f;
    } else if (cp >= 0xc0) {
        n = 1;
        cp &= 0x1f;
    }
    if (n == 0) {
        c->i++;
        return s[0];
    }
    for (k = 1; k <= n; k++) {
        if ((s[k] & 0xc0) != 0x80) {
            c->i++;
            return s[0];
        }
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    c->i += (size_t)n + 1;
    return cp;
}

static void put(struct conv *c, const char *s)
{
    mt_buf_append(&c->out, s, strlen(s));
}

static void put_utf8(struct conv *c, unsigned cp)
{
    char b[4];

    if (cp < 0x80) {
        b[0] = (char)cp;
        mt_buf_append(&c->out, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        mt_buf_append(&c->out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        mt_buf_append(&c->out, b, 3);
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        mt_buf_append(&c->out, b, 4);
    }
}

/* A literal character outside a class. grep -E has no inline (?i), so
 * there a letter under (?i) becomes [xX]; rg keeps the flag itself. */
static void put_literal(struct conv *c, unsigned cp, int in_class)
{
    static const char rg_meta[] = "\\.+*?()|[]{}^$";
    static const char rg_class_meta[] = "\\[]^-&~";
    static const char ere_meta[] = "\\.+*?()|[]{}^$";

    if (c->flavor == FLAVOR_GREP) {
        if (c->ci && is_alpha(cp)) {
            put(c, "[");
            put_utf8(c, cp);
            put_utf8(c, other_case(cp));
            put(c, "]");
        } else if (cp == '^') {
            put(c, "\\^");
        } else if (cp == '\\') {
            put(c, "\\\\");
        } else if (cp < 0x80 && strchr(ere_meta, (int)cp) != NULL) {
            /* A bracket holds any of them literally, and GNU grep warns
             * about some backslash escapes (\| means alternation). */
            put(c, "[");
            put_utf8(c, cp);
            put(c, "]");
        } else {
            put_utf8(c, cp);
        }
        return;
    }
    if (cp < 0x20 || cp == 0x7f) {
        /* Control characters spelled out: a raw CR could be taken for a
         * line end by whatever reads the pattern file. */
        char hex[8];
        snprintf(hex, sizeof(hex), "\\x%02X", cp);
        put(c, hex);
        return;
    }
    if (cp < 0x80 &&
        strchr(in_class ? rg_class_meta : rg_meta, (int)cp) != NULL) {
        put(c, "\\");
    }
    put_utf8(c, cp);
}

/* PCRE2 without PCRE2_UCP gives \d \w \s their ASCII meaning; spelling the
 * ASCII sets out keeps rg and grep (Unicode-aware there) to the same lines
 * and keeps rg's automaton small. */
static int shorthand_items(unsigned esc, struct class_item *it)
{
    switch (esc) {
    case 'd':
        it[0].lo = '0';
        it[0].hi = '9';
        return 1;
    case 'w':
        it[0].lo = '0';
        it[0].hi = '9';
        it[1].lo = 'A';
        it[1].hi = 'Z';
        it[2].lo = 'a';
        it[2].hi = 'z';
        it[3].lo = it[3].hi = '_';
        return 4;
    case 's':
        /* \n apart: put_class drops it where it would let ugrep run a
         * match across a line end. */
        it[0].lo = it[0].hi = '\t';
        it[1].lo = it[1].hi = '\n';
        it[2].lo = '\v'; /* \v \f \r */
        it[2].hi = '\r';
        it[3].lo = it[3].hi = ' ';
        return 4;
    default:
        return 0;
    }
}

/* Emits a class from its items, in the target's own spelling. */
static void put_class(struct conv *c, const struct class_item *items,
                      size_t n, int negate)
{
    struct class_item all[2 * (MAX_CLASS_ITEMS + 8)];
    size_t m = 0, k;
    int rbracket = 0, caret = 0, dash = 0, any = 0;

    for (k = 0; k < n; k++) {
        all[m++] = items[k];
        /* grep -E: fold (?i) into the class; rg keeps its flag. */
        if (c->flavor == FLAVOR_GREP && c->ci) {
            unsigned lo = items[k].lo, hi = items[k].hi;
            if (lo >= 'a' && hi <= 'z') {
                all[m].lo = other_case(lo);
                all[m++].hi = other_case(hi);
            } else if (lo >= 'A' && hi <= 'Z') {
                all[m].lo = other_case(lo);
                all[m++].hi = other_case(hi);
            }
        }
    }
    put(c, negate ? "[^" : "[");
    if (c->flavor != FLAVOR_GREP) {
        /* Records and lines never hold a newline; a class that admits
         * one lets ugrep match across lines, so only a negated class
         * keeps it. */
        for (k = 0; k < m; k++) {
            if (!negate && all[k].lo == '\n' && all[k].hi == '\n') {
                continue;
            }
            any = 1;
            put_literal(c, all[k].lo, 1);
            if (all[k].hi != all[k].lo) {
                put(c, "-");
                put_literal(c, all[k].hi, 1);
            }
        }
        if (!any) {
            c->why = "a class that only holds a newline";
            return;
        }
        put(c, "]");
        return;
    }
    /* POSIX brackets: no escapes; ] first, ^ not first, - last. A line
     * never holds a newline, so \n drops out of the set. */
    for (k = 0; k < m; k++) {
        if (all[k].lo == ']' && all[k].hi == ']') {
            rbracket = 1;
        }
    }
    if (rbracket) {
        put(c, "]");
        any = 1;
    }
    for (k = 0; k < m; k++) {
        unsigned lo = all[k].lo, hi = all[k].hi;
        if (lo == hi) {
            if (lo == ']' || lo == '\n') {
                continue;
            }
            if (lo == '^') {
                caret = 1;
                continue;
            }
            if (lo == '-') {
                dash = 1;
                continue;
            }
            put_utf8(c, lo);
            any = 1;
        } else {
            put_utf8(c, lo);
            put(c, "-");
            put_utf8(c, hi);
            any = 1;
        }
    }
    if (caret) {
        if (!any && !dash) {
            /* "[^]" would open a negated class */
            put(c, "\\^");
        } else {
            put(c, "^");
        }
        any = 1;
    }
    if (dash) {
        put(c, "-");
        any = 1;
    }
    if (!any) {
        c->why = "a class that only holds a newline";
        return;
    }
    put(c, "]");
}

/* Reads the code point of a hex escape whose 'x' was just read: \xHH
 * (one or two digits, as PCRE2 takes them) or \x{H...}. Returns 0 and
 * sets why when the digits are missing or the value is out of range. */
static int read_hex_escape(struct conv *c, unsigned *cp)
{
    unsigned v = 0;
    size_t digits = 0, max = 2;
    int braced = c->p[c->i] == '{';

    if (braced) {
        c->i++;
        max = 6;
    }
    while (digits < max && isxdigit((unsigned char)c->p[c->i])) {
        char h = c->p[c->i++];
        v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        digits++;
    }
    if (braced) {
        if (c->p[c->i] != '}' || digits == 0) {
            c->why = "a malformed \\x{...} escape";
            return 0;
        }
        c->i++;
    }
    if (v > 0x10ffff) {
        c->why = "a \\x escape beyond Unicode";
        return 0;
    }
    *cp = v;
    return 1;
}

/* Reads the character an escape inside a class stands for; shorthands
 * add several items. Returns the number of items, 0 on error. */
static size_t class_escape(struct conv *c, struct class_item *it)
{
    unsigned e = read_char(c);
    size_t n = shorthand_items(e, it);

    if (n > 0) {
        return n;
    }
    switch (e) {
    case 't':
        it[0].lo = it[0].hi = '\t';
        return 1;
    case 'r':
        it[0].lo = it[0].hi = '\r';
        return 1;
    case 'n':
        it[0].lo = it[0].hi = '\n';
        return 1;
    case 'f':
        it[0].lo = it[0].hi = '\f';
        return 1;
    case 'v':
        it[0].lo = it[0].hi = '\v';
        return 1;
    case 'x':
        if (!read_hex_escape(c, &it[0].lo)) {
            return 0;
        }
        it[0].hi = it[0].lo;
        return 1;
    default:
        break;
    }
    if (is_alpha(e) || is_digit(e)) {
        c->why = "an escape inside a class that the target lacks";
        return 0;
    }
    it[0].lo = it[0].hi = e;
    return 1;
}

/* Copies a class verbatim (PCRE flavor) or rebuilds it from its items. */
static void convert_class(struct conv *c)
{
    struct class_item items[MAX_CLASS_ITEMS + 8];
    size_t n = 0, start = c->i;
    int negate = 0, first = 1;

    c->i++; /* [ */
    if (c->p[c->i] == '^') {
        negate = 1;
        c->i++;
    }
    while (c->p[c->i] != '\0' && c->why == NULL) {
        unsigned lo;
        struct class_item tmp[4];
        size_t got;

        if (c->p[c->i] == ']' && !first) {
            break;
        }
        first = 0;
        if (n >= MAX_CLASS_ITEMS) {
            c->why = "a class with too many items";
            return;
        }
        if (c->p[c->i] == '[' && c->p[c->i + 1] == ':') {
            c->why = "a POSIX class inside a class";
            return;
        }
        if (c->p[c->i] == '\\') {
            c->i++;
            got = class_escape(c, tmp);
            if (got == 0) {
                return;
            }
            if (got > 1 || tmp[0].lo != tmp[0].hi) {
                memcpy(&items[n], tmp, got * sizeof(tmp[0]));
                n += got;
                continue;
            }
            lo = tmp[0].lo;
        } else {
            lo = read_char(c);
        }
        items[n].lo = items[n].hi = lo;
        if (c->p[c->i] == '-' && c->p[c->i + 1] != ']' &&
            c->p[c->i + 1] != '\0') {
            c->i++;
            if (c->p[c->i] == '\\') {
                c->i++;
                got = class_escape(c, tmp);
                if (got != 1 || tmp[0].lo != tmp[0].hi) {
                    c->why = "a range ending in a class shorthand";
                    return;
                }
                items[n].hi = tmp[0].lo;
            } else {
                items[n].hi = read_char(c);
            }
        }
        n++;
    }
    if (c->why != NULL) {
        return;
    }
    if (c->p[c->i] != ']') {
        c->why = "an unterminated class";
        return;
    }
    c->i++;
    if (c->flavor == FLAVOR_PCRE) {
        mt_buf_append(&c->out, c->p + start, c->i - start);
        return;
    }
    put_class(c, items, n, negate);
}

/* An escape outside a class. */
static void convert_escape(struct conv *c)
{
    size_t start = c->i;
    unsigned e;
    struct class_item it[4];
    size_t n;

    c->i++; /* backslash */
    e = read_char(c);
    if (c->flavor == FLAVOR_PCRE) {
        mt_buf_append(&c->out, c->p + start, c->i - start);
        return;
    }
    n = shorthand_items(e, it);
    if (n > 0) {
        put_class(c, it, n, 0);
        return;
    }
    if (e == 'D' || e == 'W' || e == 'S') {
        n = shorthand_items(e - 'A' + 'a', it);
        put_class(c, it, n, 1);
        return;
    }
    switch (e) {
    case 'b':
    case 'B':
        /* PCRE2 without UCP has ASCII word boundaries; rg's are Unicode
         * unless asked otherwise, and on a line with any non-ASCII byte
         * its fast engines give up on Unicode \b. (?-u:) keeps both the
         * meaning and rg's speed. */
        if (c->flavor == FLAVOR_RG) {
            put(c, e == 'b' ? "(?-u:\\b)" : "(?-u:\\B)");
        } else {
            put(c, e == 'b' ? "\\b" : "\\B");
        }
        return;
    case 'A':
        put(c, c->flavor == FLAVOR_GREP ? "^" : "\\A");
        return;
    case 'z':
    case 'Z':
        put(c, c->flavor == FLAVOR_GREP ? "$" : "\\z");
        return;
    case 't':
        put(c, c->flavor == FLAVOR_GREP ? "\t" : "\\t");
        return;
    case 'r':
        put(c, c->flavor == FLAVOR_GREP ? "\r" : "\\r");
        return;
    case 'f':
        put(c, c->flavor == FLAVOR_GREP ? "\f" : "\\f");
        return;
    case 'v':
        put(c, c->flavor == FLAVOR_GREP ? "\v" : "\\v");
        return;
    case 'n':
        c->why = "a newline, which no line holds";
        return;
    case 'x': {
        unsigned cp;
        if (read_hex_escape(c, &cp)) {
            if (cp == '\n') {
                c->why = "a newline, which no line holds";
            } else {
                put_literal(c, cp, 0);
            }
        }
        return;
    }
    default:
        break;
    }
    if (is_alpha(e) || is_digit(e)) {
        c->why = "an escape (back-reference, \\x, \\p, \\Q ...) the target "
                 "lacks";
        return;
    }
    if (e == '\0') {
        c->why = "a trailing backslash";
        return;
    }
    put_literal(c, e, 0);
}

/* Index just past the group that opens at c->i, or 0. */
static size_t group_end(const struct conv *c)
{
    size_t i = c->i;
    int depth = 0, in_class = 0;

    for (; c->p[i] != '\0'; i++) {
        char ch = c->p[i];
        if (ch == '\\') {
            if (c->p[i + 1] == '\0') {
                return 0;
            }
            i++;
        } else if (in_class) {
            if (ch == ']') {
                in_class = 0;
            }
        } else if (ch == '[') {
            in_class = 1;
            if (c->p[i + 1] == '^') {
                i++;
            }
            if (c->p[i + 1] == ']') {
                i++;
            }
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            if (--depth == 0) {
                return i + 1;
            }
        }
    }
    return 0;
}

/* A lookahead that nothing follows but group ends and quantifiers only
 * decides where a match ends, not whether a line has one: consuming it
 * instead keeps the set of matching lines. */
static int lookahead_is_trailing(const struct conv *c)
{
    size_t end = group_end(c);

    if (end == 0) {
        return 0;
    }
    return c->p[end + strspn(c->p + end, ")?*+")] == '\0';
}

static void push_group(struct conv *c)
{
    if (c->depth >= MAX_GROUP_DEPTH) {
        c->why = "groups nested too deep";
        return;
    }
    c->ci_stack[c->depth++] = c->ci;
}

/* Whether the "^" at c->i is a whole branch on its own: "(?:^|x)" or
 * "(?:x|^)". ugrep 3 reports "empty expression" for these (and then
 * matches nothing at all), so the ugrep flavor leaves such a signature
 * out rather than export a file ugrep rejects. ("(?:^foo|x)" and
 * "(?:x|$)" are fine.) */
static int anchor_as_alternative(const struct conv *c)
{
    char after = c->p[c->i + 1];

    return c->p[c->i] == '^' && (after == '|' || after == ')');
}

/* "(" and what follows it: plain, non-capturing, named, flags, look-around. */
static void convert_group(struct conv *c)
{
    const char *q = c->p + c->i + 1;
    const char *open_nc = c->flavor == FLAVOR_GREP ? "(" : "(?:";

    if (*q != '?') {
        c->i++;
        put(c, "(");
        push_group(c);
        return;
    }
    q++;
    if (*q == ':') {
        c->i += 3;
        put(c, open_nc);
        push_group(c);
        return;
    }
    if ((*q == '<' && q[1] != '=' && q[1] != '!') || *q == '\'' ||
        (*q == 'P' && q[1] == '<')) {
        /* Named group: the name matters to migtriage only. */
        char close = *q == '\'' ? '\'' : '>';
        const char *end = strchr(q + 1, close);
        if (end == NULL) {
            c->why = "an unterminated group name";
            return;
        }
        c->i = (size_t)(end + 1 - c->p);
        put(c, "(");
        push_group(c);
        return;
    }
    if (*q == '=') {
        if (c->flavor == FLAVOR_PCRE) {
            c->i += 3;
            put(c, "(?=");
        } else if (lookahead_is_trailing(c)) {
            c->i += 3;
            put(c, open_nc);
        } else {
            c->why = "a look-ahead inside the pattern";
            return;
        }
        push_group(c);
        return;
    }
    if (*q == 'i' && (q[1] == ')' || q[1] == ':')) {
        if (q[1] == ')') {
            /* (?i) applies to the rest of the enclosing group. */
            c->i += 4;
            if (c->flavor != FLAVOR_GREP) {
                put(c, "(?i)");
            }
            c->ci = 1;
            return;
        }
        c->i += 4;
        push_group(c);
        c->ci = 1;
        put(c, c->flavor == FLAVOR_GREP ? "(" : "(?i:");
        return;
    }
    if (c->flavor == FLAVOR_PCRE) {
        /* Look-behind, atomic groups and other flags stay as they are. */
        c->i++;
        put(c, "(");
        push_group(c);
        return;
    }
    if (*q == '<' && q[1] == '=') {
        c->why = "a look-behind";
    } else if (*q == '<' && q[1] == '!') {
        c->why = "a negative look-behind";
    } else if (*q == '!') {
        c->why = "a negative look-ahead";
    } else if (*q == '>') {
        c->why = "an atomic group";
    } else {
        c->why = "an inline flag or group kind the target lacks";
    }
}

/* Converts one pattern; returns NULL with c->why set when it cannot. */
static char *convert(const char *pattern, enum flavor flavor,
                     const char **why)
{
    struct conv c;

    memset(&c, 0, sizeof(c));
    c.flavor = flavor;
    c.p = pattern;
    mt_buf_init(&c.out, 0);
    while (c.p[c.i] != '\0' && c.why == NULL) {
        char ch = c.p[c.i];
        int quant = 0;

        if (ch == '\\') {
            convert_escape(&c);
        } else if (ch == '[') {
            convert_class(&c);
        } else if (ch == '(') {
            convert_group(&c);
        } else if (ch == ')') {
            if (c.depth == 0) {
                c.why = "an unbalanced )";
                break;
            }
            c.ci = c.ci_stack[--c.depth];
            c.i++;
            put(&c, ")");
        } else if (ch == '*' || ch == '+' || ch == '?') {
            c.i++;
            if (c.after_quant && ch == '?') {
                /* Lazy: which lines match does not change; ERE lacks it. */
                if (flavor != FLAVOR_GREP) {
                    put(&c, "?");
                }
            } else if (c.after_quant && ch == '+') {
                if (flavor != FLAVOR_PCRE) {
                    c.why = "a possessive quantifier";
                    break;
                }
                put(&c, "+");
            } else {
                mt_buf_appendc(&c.out, ch);
                quant = 1;
            }
        } else if (ch == '{' && is_digit((unsigned char)c.p[c.i + 1])) {
            size_t k = c.i + 1;
            while (is_digit((unsigned char)c.p[k]) || c.p[k] == ',') {
                k++;
            }
            if (c.p[k] == '}') {
                mt_buf_append(&c.out, c.p + c.i, k + 1 - c.i);
                c.i = k + 1;
                quant = 1;
            } else {
                c.i++;
                put_literal(&c, '{', 0);
            }
        } else if (ch == '^' && flavor == FLAVOR_UGREP &&
                   anchor_as_alternative(&c)) {
            c.why = "a branch that is only ^, which ugrep refuses";
        } else if (ch == '.' || ch == '^' || ch == '$' || ch == '|') {
            mt_buf_appendc(&c.out, ch);
            c.i++;
        } else if (flavor == FLAVOR_PCRE) {
            size_t at = c.i;
            read_char(&c);
            mt_buf_append(&c.out, c.p + at, c.i - at);
        } else {
            put_literal(&c, read_char(&c), 0);
        }
        c.after_quant = quant;
    }
    if (c.why == NULL && c.depth != 0) {
        c.why = "an unbalanced (";
    }
    if (c.why == NULL && c.out.len == 0) {
        c.why = "an empty pattern, which would match every line";
    }
    if (c.why != NULL) {
        *why = c.why;
        mt_buf_free(&c.out);
        return NULL;
    }
    return mt_buf_steal(&c.out);
}

int mt_engine_kb_export(struct mt_engine *e, FILE *out, const char *flavor)
{
    enum flavor f;
    size_t i;
    int written = 0;

    if (flavor == NULL || strcmp(flavor, "rg") == 0) {
        f = FLAVOR_RG;
    } else if (strcmp(flavor, "pcre") == 0) {
        f = FLAVOR_PCRE;
    } else if (strcmp(flavor, "grep") == 0) {
        f = FLAVOR_GREP;
    } else if (strcmp(flavor, "ugrep") == 0) {
        f = FLAVOR_UGREP;
    } else {
        snprintf(e->errmsg, sizeof(e->errmsg),
                 "unknown flavor '%s' (pcre, rg, ugrep, grep)", flavor);
        return MT_EMISUSE;
    }
    if (!e->loaded) {
        snprintf(e->errmsg, sizeof(e->errmsg), "no knowledge loaded");
        return MT_EMISUSE;
    }
    for (i = 0; i < e->patterns.n; i++) {
        const struct mt_signature *s = &e->patterns.sigs[i];
        const char *why = NULL;
        char *line;

        if (s->kind != MT_SIG_FINDING || s->code == NULL) {
            continue;
        }
        line = convert(s->pattern, f, &why);
        if (line == NULL) {
            if (e->message_fn != NULL) {
                /* "patterns/mrs.json", not the full path: the same
                 * message wherever the knowledge is installed. */
                const char *base = strrchr(s->file, '/');
                char *origin = mt_asprintf("patterns/%s",
                                           base ? base + 1 : s->file);
                char *text = mt_asprintf("%s: not exported for %s: %s",
                                         s->id, flavor ? flavor : "rg",
                                         why ? why : "out of memory");
                e->message_fn(e->message_ctx, MT_MSG_WARNING,
                              origin ? origin : s->file,
                              text ? text : s->id);
                mt_free(text);
                mt_free(origin);
            }
            continue;
        }
        fputs(line, out);
        fputc('\n', out);
        mt_free(line);
        written++;
    }
    return written;
}
