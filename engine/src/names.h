/* names.h: the stable-name table (kb/names/<table>.json). Error text reworded
 * by another Exchange build, a translation or a paste still carries its
 * stable names: exception classes (TooManyLargeItemsPermanentException),
 * AAD Connect error names (AttributeValueMustBeUnique), sync run results
 * (stopped-server-down), HCW codes, and event ids with their source. Each
 * name points at the article that explains it, so a record no signature
 * knows is still recognised by the names it contains. */
#ifndef MT_NAMES_H
#define MT_NAMES_H

#include <stddef.h>

#include "kb.h"
#include "patterns.h"
#include "problems.h"

struct mt_name {
    char *name;    /* as it appears in text; events: "Source/Id" */
    char *kind;    /* exception, sync-error, run-status, hcw-code, event,
                      status-detail */
    char *meaning; /* one line, our own words */
    char *article; /* article id, or NULL (no_article says why) */
    char *file;
    int article_index; /* into the kb, -1 when none */
    int sig;           /* derived signature that reports it, -1 when none */
};

/* An article whose errors carry no stable name (prose only, or only names
 * shared with other problems), listed in a table's "no_name" so that
 * `kb lint` tells it apart from an article still waiting for its name. */
struct mt_no_name {
    char *article;
    char *reason; /* one line: why there is no name to give */
    char *file;
};

/* A cue rule (a table's "cues" list): a generic name that several
 * problems share (ManagementObjectNotFoundException, NamedParameterNotFound,
 * MissingMethodException) or a generic phrase ("Method not found"), and a
 * cue in the same record that says which problem it is: the cmdlet
 * (Connect-ExchangeOnline, Get-MigrationEndpoint), a component
 * (Microsoft.Identity.Client, Autodiscover) or the error id beside it
 * (AccessDenied). Both are matched without case, as whole words; a cue
 * ending in '*' matches any word it starts. The first rule whose name and
 * cue are both in the record decides: its article is reported as the
 * name's, or, with a null article, the record gets no name finding at all
 * (the name's own article would be wrong advice there). */
struct mt_cue {
    char *name;
    char *cue;
    char *article; /* NULL: no article for this pair */
    char *why;     /* one line, our own words */
    char *file;
    int article_index;
    int sig; /* derived signature, -1 when none */
};

struct mt_names {
    struct mt_name *v;
    size_t n;
    size_t alloc;
    size_t files;
    /* Open addressing over the names: index + 1, 0 = empty. */
    size_t *table;
    size_t table_size;
    size_t min_len, max_len; /* of the names a token scan can find */
    /* The same names folded (letters and digits only, lower case), for
     * a spelling that moved an underscore or changed case
     * (StalledDueTo_TargetDiskLatency for StalledDueToTarget_DiskLatency):
     * index + 1, 0 = empty; only names whose folded form is long enough
     * to be unmistakable (MT_NAMES_FOLD_MIN). */
    size_t *folded;
    size_t folded_size;
    struct mt_no_name *no_name;
    size_t nno_name;
    struct mt_cue *cues; /* in load order: the first that applies wins */
    size_t ncues;
    /* Per article: the derived signature "similar.<article>" that a
     * resemblance finding reports (recognise.c), -1 when none. */
    int *similar_sig;
};

/* Loads kb_dir/names/<table>.json (the folder is optional): a table has a
 * "names" list, a "no_name" list ({"article", "reason"}) or both. Problems
 * (unknown keys, a missing field, an unknown kind, a duplicate name, a name a
 * token scan could never find) are added to probs and the entry skipped.
 * Returns 0, or -1 when out of memory. */
int mt_names_load(struct mt_names *nm, const char *kb_dir,
                  struct mt_problems *probs);
void mt_names_free(struct mt_names *nm);

/* Resolves every name's article in kb (a missing one is a problem) and
 * appends to p one derived signature per article the names reach: id
 * "name.<article>" (or "event.<article>" for event ids, reported only
 * when nothing else was found in the object), kind finding, severity the
 * worst of the article's own signatures (warning when it has none), no
 * pattern; the same for the articles of the cue rules; and, for every
 * article, "similar.<article>" (derived 2, an object fallback) for the
 * resemblance findings. Returns 0, or -1 when out of memory. */
int mt_names_derive(struct mt_names *nm, const struct mt_kb *kb,
                    struct mt_patterns *p, struct mt_problems *probs);

/* The no_name entry for article id, or NULL. */
const struct mt_no_name *mt_names_no_name(const struct mt_names *nm,
                                          const char *article);

/* Index of the name spelled exactly s (len bytes), or -1. */
int mt_names_lookup(const struct mt_names *nm, const char *s, size_t len);

/* The first name with an article in text, scanning tokens of
 * [A-Za-z0-9_.-] left to right (a dotted token is also tried from each
 * dot on: Microsoft.Exchange.X finds X). Case-sensitive, whole tokens
 * only. Returns its index and sets *start, *len, or returns -1. */
int mt_names_find(const struct mt_names *nm, const char *text, size_t n,
                  size_t *start, size_t *len);

/* Like mt_names_find; any = 1 also finds names without an article
 * (explain shows their meaning). */
int mt_names_find_from(const struct mt_names *nm, const char *text,
                       size_t n, int any, size_t *start, size_t *len);

/* Folded names shorter than this are not looked up folded: a short one
 * could be an ordinary word. */
#define MT_NAMES_FOLD_MIN 12

/* Like mt_names_find, for a name written another way: a token that
 * looks like an identifier (an inner capital, '_' or '-') and that,
 * folded to its letters and digits in lower case, equals a folded name
 * with an article. Only for records that report an error anyway. */
int mt_names_find_folded(const struct mt_names *nm, const char *text,
                         size_t n, size_t *start, size_t *len);

/* The first cue rule whose name and cue are both in text (n bytes), or
 * -1; sets *start and *len to where its name is. */
int mt_names_cue(const struct mt_names *nm, const char *text, size_t n,
                 size_t *start, size_t *len);

/* The event-id entry for source and id ("ADSync", "6941"), or -1. */
int mt_names_event(const struct mt_names *nm, const char *source,
                   const char *id);

#endif
