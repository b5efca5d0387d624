/* patterns.h: signatures loaded from patterns/<family>.json and compiled
 * once with PCRE2 at load (or read back compiled from the regex cache,
 * regex_cache.h); each is JIT-compiled on first use (mt_signature_code). */
#ifndef MT_PATTERNS_H
#define MT_PATTERNS_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stddef.h>

#include "problems.h"
#include "strindex.h"

enum mt_sig_kind {
    MT_SIG_FINDING = 0,
    MT_SIG_CONTEXT = 1
};

/* Where a context signature's fields apply: the rest of the document, or
 * only the findings of the record it matched (a line's own timestamp). */
enum mt_sig_scope {
    MT_SCOPE_DOCUMENT = 0,
    MT_SCOPE_RECORD = 1
};

struct mt_group_name {
    char *name;
    int number;
};

struct mt_signature {
    char *id;
    char *file; /* "patterns/mrs.json", for messages */
    int rev;
    enum mt_sig_kind kind;
    enum mt_sig_scope scope;
    char *article;
    int article_index; /* into the kb, -1 until resolved */
    int severity;      /* enum mt_severity */
    int fallback;
    /* Reported only when nothing else was found in the same object (the
     * records between blank lines): a FailureType line says the move
     * failed, which the Message of the same object usually says better. */
    int object_fallback;
    /* Made by the engine, not loaded from patterns/: a name-table match
     * (names.c) reports its article through one of these. No pattern. */
    int derived;
    char *literal;
    char *pattern;
    pcre2_code *code; /* NULL when it failed to compile */
    /* Set (atomically) once code has been through the JIT compiler, which
     * runs on first use, not at load: a paste reaches a handful of the
     * signatures, and JIT-compiling all of them was most of its time. */
    int jit_done;
    struct mt_group_name *groups;
    int ngroups;
    json_t *samples;     /* kept for lint */
    json_t *non_samples; /* kept for lint */
};

struct mt_patterns {
    struct mt_signature *sigs;
    /* sigs[0 .. n) are the loaded signatures, which matching, lint and
     * export walk; sigs[n .. n + nderived) are derived ones (names.c),
     * which only findings refer to. */
    size_t n;
    size_t nderived;
    size_t alloc;
    size_t files;
    int jit; /* PCRE2 was built with JIT (used on first match) */
    /* Signatures JIT-compiled so far (atomic; for the tests). */
    unsigned long jit_compiles;
    /* Signatures whose regex was read from the regex cache instead of
     * compiled (regex_cache.h; for the tests). */
    size_t from_cache;
    uint32_t max_groups;
    struct mt_strindex ids; /* id -> index into sigs */
};

/* Loads every *.json in dir (in name order). Problems with a file or a
 * signature are added to probs (naming file and id) and the offending
 * entry is skipped. Returns 0, or -1 when dir cannot be read. */
/* Makes room for one more signature after the n + nderived there are.
 * Returns 0, or -1 when out of memory. */
int mt_patterns_reserve(struct mt_patterns *p);

int mt_patterns_load(struct mt_patterns *p, const char *dir,
                     struct mt_problems *probs);
void mt_patterns_free(struct mt_patterns *p);

/* The contexts to create PCRE2 objects with: NULL (PCRE2's malloc), except
 * in the torture build, where they route PCRE2's allocations through
 * mt_malloc so that failures can be injected (util.c). */
pcre2_general_context *mt_pcre2_general(void);
pcre2_compile_context *mt_pcre2_compile_context(void);

/* The compiled regex of s, JIT-compiled the first time it is asked for
 * (once, whichever thread asks first; the others wait for it), or NULL
 * when s has none (a derived signature or one that failed to compile).
 * A JIT failure (no memory, no JIT on this platform) leaves the
 * interpreter, which runs the same pattern under the same limits. The
 * once-flag is the only part of a loaded signature that changes. */
pcre2_code *mt_signature_code(const struct mt_patterns *p,
                              const struct mt_signature *s);

/* Whether s has been JIT-compiled (for the tests). */
int mt_signature_jit_done(const struct mt_signature *s);

/* Index of the signature with this id, or -1. */
int mt_patterns_find(const struct mt_patterns *p, const char *id);

#endif
