/* recognise.c: what happens to a record the signatures did not explain.
 * In order:
 *   1. when no signature found anything in it (not even a catch-all), a
 *      stable name in it (kb/names) reports the name's article, with
 *      match kind "name" (signature "name.<article>");
 *   2. an event id with its source, once the document's context has both
 *      (Event Viewer text), reports its article as an object fallback;
 *   3. an error-like record still unexplained is an unknown line, and
 *      when it is close enough to an article's samples it is also counted
 *      as a possible match (similar.c), which is never a finding.
 * The sink (engine.c) calls this after the signatures ran on a record. */
#include "recognise.h"

#include <stdio.h>
#include <string.h>

#include "match.h"
#include "util.h"

/* ---- Is the record an error report? --------------------------------
 * A stable name is also a status value, a type name or an enum member:
 * help syntax, parameter tables, Get-Help output, scripts ("catch [X]")
 * and healthy listings print it without anything having gone wrong. So
 * a name (and the nearest-article fallback) only speaks for a record
 * that reports an error by something besides the name: an error word or
 * phrase of its own, an error-bearing Format-List label, an exception
 * frame ("XException: message", "--> X", "|X|"), an SMTP enhanced status
 * code, an IMAP NO/BAD response. Names that are error codes by nature
 * (HCW8xxx, AADSTSnnnn, NDR diagnostic codes) need nothing more. */

/* Besides the matcher's error words and phrases (mt_error_words,
 * mt_error_phrases), the marks of an error record's frame ("+
 * CategoryInfo") and of Active Directory's errors ("SecErr:"). All are
 * matched case-insensitively at the start of a word, so that the
 * "Exception" of a class name or the "Failed" of "IncrementalFailed" is
 * not one. */
static const char *const frame_phrases[] = {
    "categoryinfo", "fullyqualifiederrorid", "secerr", "nameerr", "svcerr",
    "atrerr", "upderr"};

/* Labels whose value is an error or a failed state (Format-List of move
 * and migration statistics, sync run results, error records). */
static const char *const error_labels[] = {
    "FailureType", "Failure", "FailureCode", "Message", "Error",
    "ErrorSummary", "ErrorMessage", "ErrorName", "ErrorType", "ErrorCode",
    "ErrorDetail", "ErrorDetails", "LastError", "LastFailure", "Exception",
    "ExceptionType", "ExceptionTypes", "Status", "StatusDetail",
    "StatusSummary", "Result", "StepResult", "RunStatus", "CategoryInfo",
    "FullyQualifiedErrorId", "Write-ErrorMessage", NULL};

/* Name kinds that are error codes whatever surrounds them. */
static const char *const error_code_kinds[] = {"hcw-code", "aad-code",
                                               "ndr", NULL};

static int word_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* Whether text[i..) starts with phrase (ASCII case folded). */
static int starts_with_phrase(const char *text, size_t n, size_t i,
                              const char *phrase)
{
    size_t k;

    for (k = 0; phrase[k] != '\0'; k++) {
        if (i + k >= n ||
            mt_ascii_lower((unsigned char)text[i + k]) !=
                mt_ascii_lower((unsigned char)phrase[k])) {
            return 0;
        }
    }
    return 1;
}

/* Whether one of list[0 .. count) starts at text[i], none of it inside
 * [skip, skip + skip_len) (the name itself). */
static int phrase_at(const char *text, size_t n, size_t i, size_t skip,
                     size_t skip_len, const char *const *list, size_t count)
{
    size_t k;

    for (k = 0; k < count; k++) {
        size_t len = strlen(list[k]);
        if (starts_with_phrase(text, n, i, list[k]) &&
            !(i < skip + skip_len && i + len > skip)) {
            return 1;
        }
    }
    return 0;
}

/* An error word or phrase starting a word of text[from .. n), none of it
 * inside [skip, skip + skip_len) (the name itself). */
static int error_phrase_in(const char *text, size_t n, size_t from,
                           size_t skip, size_t skip_len)
{
    size_t i;

    for (i = from; i < n; i++) {
        if (i > 0 && word_byte((unsigned char)text[i - 1])) {
            /* Japanese, Chinese and Korean do not space their words: a
             * phrase in those scripts counts wherever it starts. */
            if ((unsigned char)text[i] >= 0xe0 && /* a character's lead */
                phrase_at(text, n, i, skip, skip_len, mt_error_phrases,
                          mt_nerror_phrases)) {
                return 1;
            }
            continue;
        }
        if (phrase_at(text, n, i, skip, skip_len, mt_error_words,
                      mt_nerror_words) ||
            phrase_at(text, n, i, skip, skip_len, mt_error_phrases,
                      mt_nerror_phrases) ||
            phrase_at(text, n, i, skip, skip_len, frame_phrases,
                      sizeof(frame_phrases) / sizeof(frame_phrases[0]))) {
            return 1;
        }
    }
    return 0;
}

static int error_label(const struct mt_record *r)
{
    int k;

    if (r->kind != MT_REC_FIELD || r->label == NULL) {
        return 0;
    }
    for (k = 0; error_labels[k] != NULL; k++) {
        if (strlen(error_labels[k]) == r->label_len &&
            starts_with_phrase(r->label, r->label_len, 0, error_labels[k])) {
            return 1;
        }
    }
    return 0;
}

/* Digits at text[i..) (at most max); returns how many, 0 when more. */
static size_t digits_at(const char *text, size_t n, size_t i, size_t max)
{
    size_t d = 0;

    while (i + d < n && text[i + d] >= '0' && text[i + d] <= '9') {
        d++;
    }
    return d <= max ? d : 0;
}

/* An SMTP enhanced status code, "5.1.10" or "4.4.7" (RFC 3463), as NDRs
 * and transport logs print them. */
static int status_code_in(const char *text, size_t n)
{
    size_t i;

    for (i = 0; i + 5 <= n; i++) {
        size_t a, b;
        if ((text[i] != '4' && text[i] != '5') || text[i + 1] != '.' ||
            (i > 0 && (word_byte((unsigned char)text[i - 1]) ||
                       text[i - 1] == '.'))) {
            continue;
        }
        a = digits_at(text, n, i + 2, 3);
        if (a == 0 || i + 2 + a >= n || text[i + 2 + a] != '.') {
            continue;
        }
        b = digits_at(text, n, i + 3 + a, 3);
        if (b > 0 && (i + 3 + a + b == n ||
                      !word_byte((unsigned char)text[i + 3 + a + b]))) {
            return 1;
        }
    }
    return 0;
}

/* A tagged IMAP refusal, "A1 NO ..." or "t1 BAD ...". */
static int imap_refusal(const char *text, size_t n)
{
    size_t i = 0;

    while (i < n && word_byte((unsigned char)text[i])) {
        i++;
    }
    return i > 0 && i < n && text[i] == ' ' &&
           (starts_with_phrase(text, n, i, " NO ") ||
            starts_with_phrase(text, n, i, " BAD "));
}

static int blank_or_quote(char c)
{
    return c == ' ' || c == '\'' || c == '"';
}

/* The token at text[start .. start + len) in an exception frame:
 * followed by ':' or ';' ("MapiExceptionLogonFailed: ...",
 * "RESOLVER.ADR.RecipientNotFound; ...") or " - " ("XException - the
 * remote endpoint ..."), between bars as Write-ErrorMessage prints it
 * ("ExAB12|Namespace.XException|message"), after an inner-exception
 * arrow ("--> X"), or alone in the record. */
static int token_framed(const char *text, size_t n, size_t start,
                        size_t len)
{
    size_t a = start, b = start + len;

    if (a > 0 && text[a - 1] == '|' && b < n && text[b] == '|') {
        return 1;
    }
    while (b < n && blank_or_quote(text[b])) {
        b++;
    }
    if (b < n && (text[b] == ':' || text[b] == ';')) {
        return 1;
    }
    if (b + 1 < n && b > start + len && text[b] == '-' && text[b + 1] == ' ') {
        return 1;
    }
    while (a > 0 && blank_or_quote(text[a - 1])) {
        a--;
    }
    if (a >= 2 && text[a - 1] == '>' && text[a - 2] == '-') {
        return 1;
    }
    while (b < n && (text[b] == '.' || text[b] == ' ')) {
        b++;
    }
    return a == 0 && b == n;
}

/* The name is a PowerShell type literal, "[Namespace.XException]" (a
 * script's catch block or cast): code, never a report. A bracketed code
 * that a message follows ("[ErrorQuotaExceeded] - Mailbox has exceeded
 * ...", "[AADSTS50076]: ...") is how tools print an error's name, not
 * code: ']' then " - " or a single ':' (not the "::" of a static call). */
static int type_literal(const char *text, size_t n, size_t start,
                        size_t len)
{
    size_t a = start, b = start + len + 1;

    while (a > 0 && (word_byte((unsigned char)text[a - 1]) ||
                     text[a - 1] == '.')) {
        a--;
    }
    if (!(a > 0 && text[a - 1] == '[' && start + len < n &&
          text[start + len] == ']')) {
        return 0;
    }
    while (b < n && text[b] == ' ') {
        b++;
    }
    if (b < n && text[b] == ':' && !(b + 1 < n && text[b + 1] == ':')) {
        return 0;
    }
    return !(b + 1 < n && b > start + len + 1 && text[b] == '-' &&
             text[b + 1] == ' ');
}

/* Whether some .NET exception class in text is framed as above (frame
 * set) or written as a type literal (frame clear). */
static int exception_in(const char *text, size_t n, int frame)
{
    static const char word[] = "Exception";
    const size_t wlen = sizeof(word) - 1;
    size_t i;

    for (i = 0; i + wlen <= n; i++) {
        size_t start = i, len;
        if (memcmp(text + i, word, wlen) != 0 ||
            (i + wlen < n && word_byte((unsigned char)text[i + wlen]))) {
            continue;
        }
        while (start > 0 && (word_byte((unsigned char)text[start - 1]) ||
                             text[start - 1] == '.')) {
            start--;
        }
        len = i + wlen - start;
        if (frame ? token_framed(text, n, start, len)
                  : type_literal(text, n, start, len)) {
            return 1;
        }
    }
    return 0;
}

/* Whether record r reports an error besides the name found at
 * text[start .. start + len) (len 0: no name, the record as a whole). */
static int reports_error(const struct mt_record *r, const char *text,
                         size_t n, size_t start, size_t len)
{
    size_t from = 0;

    if (error_label(r)) {
        return 1;
    }
    if (r->kind == MT_REC_FIELD && r->value != NULL && text == r->text) {
        from = (size_t)(r->value - r->text); /* the label says nothing */
    }
    return error_phrase_in(text, n, from, start, len) ||
           status_code_in(text, n) || imap_refusal(text, n) ||
           exception_in(text, n, 1) ||
           (len > 0 && token_framed(text, n, start, len));
}

static int error_code_kind(const char *kind)
{
    int k;

    for (k = 0; error_code_kinds[k] != NULL; k++) {
        if (strcmp(kind, error_code_kinds[k]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Reports name k found at text[start .. start + len) through the sink's
 * own hit callback, as if its derived signature had matched there. */
static int report_name(const struct mt_state *st, int k, const char *text,
                       size_t n, size_t start, size_t len, mt_hit_fn on_hit,
                       void *hit_ctx)
{
    const struct mt_name *x = &st->e->names.v[k];
    /* An event, or a name written another way, is reported as the table
     * spells it (so that its meaning can be shown). */
    int event = strcmp(x->kind, "event") == 0 ||
                strlen(x->name) != len || memcmp(x->name, text + start, len);
    struct mt_hit hit;

    memset(&hit, 0, sizeof(hit));
    hit.sig = &st->e->patterns.sigs[x->sig];
    hit.sig_index = x->sig;
    hit.subject = text;
    hit.subject_len = n;
    hit.start = start;
    hit.end = start + len;
    hit.caps[0].name = "name";
    hit.caps[0].value = event ? x->name : text + start;
    hit.caps[0].len = event ? strlen(x->name) : len;
    hit.ncaps = 1;
    return on_hit(hit_ctx, &hit);
}

/* A cue rule decided (names.h): its article, reported as a name finding
 * whose name is the rule's generic name, or nothing when the rule has no
 * article. */
static int by_cue(struct mt_state *st, const struct mt_record *r, int c,
                  size_t start, size_t len, mt_hit_fn on_hit, void *hit_ctx)
{
    const struct mt_cue *x = &st->e->names.cues[c];
    struct mt_hit hit;

    if (x->sig < 0 || !reports_error(r, r->text, r->len, start, len)) {
        return 0;
    }
    memset(&hit, 0, sizeof(hit));
    hit.sig = &st->e->patterns.sigs[x->sig];
    hit.sig_index = x->sig;
    hit.subject = r->text;
    hit.subject_len = r->len;
    hit.start = start;
    hit.end = start + len;
    hit.caps[0].name = "name";
    hit.caps[0].value = x->name;
    hit.caps[0].len = strlen(x->name);
    hit.ncaps = 1;
    return on_hit(hit_ctx, &hit) < 0 ? MT_ENOMEM : 1;
}

/* A name written another way (mt_names_find_folded), only in a record
 * that reports an error by other words: the folded spelling is a guess
 * the rest of the record must support. */
static int folded_name(const struct mt_record *r, int error_like,
                       const struct mt_names *nm, const char **text,
                       size_t *n, size_t *start, size_t *len)
{
    int k;

    if (!error_like && !error_label(r)) {
        return -1;
    }
    *text = r->text;
    *n = r->len;
    k = mt_names_find_folded(nm, *text, *n, start, len);
    if (k < 0 && r->alt != NULL) {
        *text = r->alt;
        *n = r->alt_len;
        k = mt_names_find_folded(nm, *text, *n, start, len);
    }
    return k;
}

static int by_name(struct mt_state *st, const struct mt_record *r,
                   int error_like, mt_hit_fn on_hit, void *hit_ctx)
{
    size_t start, len;
    const char *text = r->text;
    size_t n = r->len;
    int k = -1;

    /* The prefilter saw no name's text: only a name written another way
     * can be there (most records of a healthy log end here). */
    if (mt_matcher_name_seen(st->matcher)) {
        int c = mt_names_cue(&st->e->names, text, n, &start, &len);
        if (c >= 0) {
            return by_cue(st, r, c, start, len, on_hit, hit_ctx);
        }
        k = mt_names_find(&st->e->names, text, n, &start, &len);
        if (k < 0 && r->alt != NULL) {
            text = r->alt;
            n = r->alt_len;
            k = mt_names_find(&st->e->names, text, n, &start, &len);
        }
    }
    if (k < 0) {
        k = folded_name(r, error_like, &st->e->names, &text, &n, &start,
                        &len);
    }
    if (k < 0 || type_literal(text, n, start, len) ||
        (!error_code_kind(st->e->names.v[k].kind) &&
         !reports_error(r, text, n, start, len))) {
        return 0;
    }
    return report_name(st, k, text, n, start, len, on_hit, hit_ctx) < 0
               ? MT_ENOMEM
               : 1;
}

/* Event Viewer text gives the source and the id on lines of their own;
 * once the document's context has both, the pair is looked up (once per
 * pair and document). */
static int by_event(struct mt_state *st, const struct mt_record *r,
                    mt_hit_fn on_hit, void *hit_ctx)
{
    struct mt_document *d = &st->doc;
    const char *source = mt_fields_get(&d->context, "source");
    const char *id = mt_fields_get(&d->context, "event_id");
    unsigned long long key;
    int k;

    if (source == NULL || id == NULL) {
        return 0;
    }
    key = mt_hash(id, strlen(id), mt_hash(source, strlen(source),
                                          MT_HASH_SEED));
    if (key == d->event_key) {
        return 0;
    }
    d->event_key = key;
    k = mt_names_event(&st->e->names, source, id);
    if (k < 0 || st->e->names.v[k].sig < 0) {
        return 0;
    }
    return report_name(st, k, r->text, r->len, 0, r->len, on_hit, hit_ctx) <
                   0
               ? MT_ENOMEM
               : 1;
}

/* ---- An event copied on one line ---------------------------------
 * Event Viewer's copy puts "Source:" and "Event ID:" on lines of their
 * own (the context signatures take them, by_event above); a paste into a
 * forum or a ticket often runs them together ("Log Name: Application
 * Source: ADSync Date: ... Event ID: 6900 Task Category: None ..."), and
 * the viewer's title reads "Event 6900, ADSync". Both are looked up as
 * the names' Source/Id. */

/* Where label ends in text (case folded, at a word start, followed by
 * blanks, ':' or '='), at or after from; 0 when absent. */
static size_t after_label(const char *text, size_t n, size_t from,
                          const char *label)
{
    size_t len = strlen(label), i;

    for (i = from; i + len < n; i++) {
        size_t j = i + len;
        if ((i > 0 && word_byte((unsigned char)text[i - 1])) ||
            !starts_with_phrase(text, n, i, label) ||
            word_byte((unsigned char)text[j])) {
            continue;
        }
        while (j < n && (text[j] == ' ' || text[j] == '\t' ||
                         text[j] == ':' || text[j] == '=')) {
            j++;
        }
        if (j > i + len && j < n) {
            return j;
        }
    }
    return 0;
}

/* The event id after one of its labels: 1 to 5 digits, then no word. */
static size_t event_id_at(const char *text, size_t n, char *id, size_t max)
{
    static const char *const labels[] = {"Event ID", "EventID", "Event Id",
                                         NULL};
    size_t at = 0, d;
    int k;

    for (k = 0; labels[k] != NULL && at == 0; k++) {
        at = after_label(text, n, 0, labels[k]);
    }
    d = at > 0 ? digits_at(text, n, at, 5) : 0;
    if (d == 0 || d >= max ||
        (at + d < n && word_byte((unsigned char)text[at + d]))) {
        return 0;
    }
    memcpy(id, text + at, d);
    id[d] = '\0';
    return d;
}

/* The name of event id whose source is written at text[at ..): its
 * first one to four words ("ADSync", "Directory Synchronization",
 * "MSExchange Mailbox Replication"), longest known pair first; -1. */
static int event_from(const struct mt_names *nm, const char *text, size_t n,
                      size_t at, const char *id)
{
    size_t ends[4], i = at;
    int words = 0, k;

    while (words < 4 && i < n) {
        while (i < n && (word_byte((unsigned char)text[i]) || text[i] == '-' ||
                         text[i] == '.')) {
            i++;
        }
        if (i == at) {
            break;
        }
        ends[words++] = i;
        if (i + 1 >= n || text[i] != ' ' ||
            !word_byte((unsigned char)text[i + 1])) {
            break; /* two blanks, a comma or the end close the source */
        }
        i++;
    }
    for (k = words - 1; k >= 0; k--) {
        char source[128];
        size_t len = ends[k] - at;
        int x;
        if (len >= sizeof(source)) {
            continue;
        }
        memcpy(source, text + at, len);
        source[len] = '\0';
        x = mt_names_event(nm, source, id);
        if (x >= 0) {
            return x;
        }
    }
    return -1;
}

/* Whether "event" (any case) occurs in text: both forms need it, and
 * most records have none, so the label scans below are skipped. */
static int has_event_word_v(const char *text, size_t n, int v)
{
    const char *p = text, *end = text + n;

    while (p + 4 <= end && (p = memchr(p, v, (size_t)(end - p))) != NULL) {
        if (p > text && (p[-1] | 0x20) == 'e' && p + 4 <= end &&
            (p[1] | 0x20) == 'e' && (p[2] | 0x20) == 'n' &&
            (p[3] | 0x20) == 't') {
            return 1;
        }
        p++;
    }
    return 0;
}

static int has_event_word(const char *text, size_t n)
{
    return has_event_word_v(text, n, 'v') || has_event_word_v(text, n, 'V');
}

/* The event a one-line copy names, or -1. */
static int inline_event(const struct mt_names *nm, const char *text,
                        size_t n)
{
    char id[8];
    size_t at, d;

    if (!has_event_word(text, n)) {
        return -1;
    }

    if (event_id_at(text, n, id, sizeof(id)) > 0 &&
        (at = after_label(text, n, 0, "Source")) > 0) {
        return event_from(nm, text, n, at, id);
    }
    /* The title: "Event 6900, ADSync" */
    at = 0;
    while (at < n && (text[at] == ' ' || text[at] == '\t')) {
        at++;
    }
    if (!starts_with_phrase(text, n, at, "Event ") ||
        (d = digits_at(text, n, at + 6, 5)) == 0 ||
        at + 6 + d + 2 >= n || text[at + 6 + d] != ',' ||
        text[at + 7 + d] != ' ') {
        return -1;
    }
    memcpy(id, text + at + 6, d);
    id[d] = '\0';
    return event_from(nm, text, n, at + 8 + d, id);
}

static int by_inline_event(struct mt_state *st, const struct mt_record *r,
                           mt_hit_fn on_hit, void *hit_ctx)
{
    const struct mt_names *nm = &st->e->names;
    unsigned long long key;
    int k = inline_event(nm, r->text, r->len);

    if (k < 0 || nm->v[k].sig < 0) {
        return 0;
    }
    key = mt_hash(nm->v[k].name, strlen(nm->v[k].name), MT_HASH_SEED);
    if (key == st->doc.event_key) {
        return 0;
    }
    st->doc.event_key = key;
    return report_name(st, k, r->text, r->len, 0, r->len, on_hit, hit_ctx) <
                   0
               ? MT_ENOMEM
               : 1;
}

/* The frame lines of a PowerShell error record ("+ CategoryInfo ...",
 * "+ FullyQualifiedErrorId ...") repeat the record's class and cmdlet; the
 * message line above them is the one to compare, not these. */
static int error_record_frame(const char *text, size_t len)
{
    static const char *const frames[] = {"+ CategoryInfo",
                                         "+ FullyQualifiedErrorId", NULL};
    size_t i = 0;
    int k;

    while (i < len && (text[i] == ' ' || text[i] == '\t')) {
        i++;
    }
    for (k = 0; frames[k]; k++) {
        size_t n = strlen(frames[k]);
        if (len - i >= n && memcmp(text + i, frames[k], n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Where the message of an HCW log line starts: after the bracket of
 * key=value pairs that ends with Thread=N, and after "FINISH Time=..ms
 * Results=". The activity, session and cmdlet names in the bracket say
 * which step ran, not what went wrong; compared with the articles they
 * drown the message. 0 for any other line. */
static size_t hcw_message_start(const char *text, size_t len)
{
    const char *thread, *end, *results;
    size_t at;

    if (len == 0 || text[0] < '0' || text[0] > '9' ||
        (thread = strstr(text, "Thread=")) == NULL ||
        (end = strchr(thread, ']')) == NULL) {
        return 0;
    }
    at = (size_t)(end - text) + 1;
    while (at < len && text[at] == ' ') {
        at++;
    }
    if (strncmp(text + at, "FINISH Time=", 12) == 0 &&
        (results = strstr(text + at, "Results=")) != NULL) {
        at = (size_t)(results - text) + 8;
    }
    return at < len ? at : 0;
}

/* A line of a script rather than a report: a comment ("# User not found
 * in directory"), an assignment ("$msg = ..."), or a message the script
 * writes (Write-Warning "Could not ..."): its words say what the script
 * expects might go wrong, not what did. */
static int script_line(const char *text, size_t len)
{
    static const char *const writes[] = {"Write-Warning ", "Write-Host ",
                                         "Write-Error ",  "Write-Output ",
                                         "Write-Verbose ", "throw ", NULL};
    size_t i = 0;
    int k;

    while (i < len && (text[i] == ' ' || text[i] == '\t')) {
        i++;
    }
    if (i + 1 < len && ((text[i] == '#' && text[i + 1] == ' ') ||
                        (text[i] == '$' && word_byte((unsigned char)text[i + 1])))) {
        return 1;
    }
    for (k = 0; writes[k] != NULL; k++) {
        size_t n = strlen(writes[k]);
        if (starts_with_phrase(text, len, i, writes[k]) && i + n < len &&
            (text[i + n] == '"' || text[i + n] == '\'')) {
            return 1;
        }
    }
    return 0;
}

/* A resemblance finding (similar.h, MT_SIMILAR_SURE): the article's
 * "similar.<article>" signature, with the score as its field. */
static int report_resemblance(struct mt_state *st, const struct mt_record *r,
                              int art, double score, mt_hit_fn on_hit,
                              void *hit_ctx)
{
    const int *sigs = st->e->names.similar_sig;
    char percent[8];
    struct mt_hit hit;

    if (sigs == NULL || sigs[art] < 0) {
        return 0;
    }
    snprintf(percent, sizeof(percent), "%d%%", (int)(score * 100.0 + 0.5));
    memset(&hit, 0, sizeof(hit));
    hit.sig = &st->e->patterns.sigs[sigs[art]];
    hit.sig_index = sigs[art];
    hit.subject = r->text;
    hit.subject_len = r->len;
    hit.start = 0;
    hit.end = r->len;
    hit.caps[0].name = "resemblance";
    hit.caps[0].value = percent;
    hit.caps[0].len = strlen(percent);
    hit.ncaps = 1;
    return on_hit(hit_ctx, &hit);
}

static void possible_match(struct mt_state *st, const struct mt_record *r,
                           double threshold, mt_hit_fn on_hit, void *hit_ctx)
{
    const struct mt_similar *similar;
    double score, lead;
    int art;

    /* Script code (a catch block's type literal) is no report either. */
    if (st->possible == NULL || error_record_frame(r->text, r->len) ||
        script_line(r->text, r->len) ||
        !reports_error(r, r->text, r->len, 0, 0) ||
        exception_in(r->text, r->len, 0)) {
        return;
    }
    similar = mt_engine_similar(st->e);
    if (similar == NULL) {
        st->oom = 1;
        return;
    }
    if (st->similar_scratch.score == NULL &&
        mt_similar_scratch_init(&st->similar_scratch, similar) != 0) {
        st->oom = 1;
        return;
    }
    art = mt_similar_possible_lead(
        similar, &st->similar_scratch,
        r->text + hcw_message_start(r->text, r->len), &score, &lead);
    if (art < 0 || score < threshold) {
        return;
    }
    if (mt_possibles_add(st->possible, art, score,
                         st->doc.origin ? st->doc.origin : "", r->line,
                         r->text, r->len) != 0) {
        st->oom = 1;
        return;
    }
    /* The possible match stays listed if the finding gives way to
     * something else found in its object; if the finding is kept, its
     * article is found and the possible match is dropped. */
    if (score >= MT_SIMILAR_SURE && lead >= MT_SIMILAR_SURE_LEAD &&
        report_resemblance(st, r, art, score, on_hit, hit_ctx) < 0) {
        st->oom = 1;
    }
}

/* Bytes of an unrecognised error line kept for its mailbox. */
#define MAX_UNKNOWN_ERROR 500

/* The object's first unrecognised error line: what a failed mailbox with
 * no known cause shows. */
static void note_unknown_error(struct mt_document *d,
                               const struct mt_record *r)
{
    size_t n = r->len < MAX_UNKNOWN_ERROR ? r->len : MAX_UNKNOWN_ERROR;

    if (d->unknown_error != NULL) {
        return;
    }
    while (n < r->len && n > 0 && ((unsigned char)r->text[n] & 0xc0) == 0x80) {
        n--; /* cut on a character boundary */
    }
    d->unknown_error = mt_strndup(r->text, n);
}

/* ---- A message wrapped over lines ---------------------------------
 * A console, a mail or a forum wraps a long error message at a word
 * boundary: "... The error is as" / "follows: \"Connecting to remote
 * server ... : Access is" / "denied. ...". No line alone carries the
 * sentence a signature knows. An unexplained line that continues a run
 * of unexplained lines (the line before it is long and stops mid-
 * sentence) is tried again joined to them, through the signatures and
 * the names. */

/* A line that stops where a wrap would: long enough to have reached a
 * console or mail width, and not at the end of a sentence. */
#define WRAP_MIN_LINE 60

static int looks_wrapped(const char *text, size_t len)
{
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t')) {
        len--;
    }
    return len >= WRAP_MIN_LINE && text[len - 1] != '.' &&
           text[len - 1] != '!' && text[len - 1] != '?' &&
           text[len - 1] != ';';
}

/* A line that can continue a wrapped message starts with a word or a
 * quote; a log entry starts with its timestamp or a bracket, an error
 * record's frame with '+'. */
static int continuation_line(const char *text, size_t len)
{
    size_t i = 0;
    unsigned char c;

    while (i < len && (text[i] == ' ' || text[i] == '\t')) {
        i++;
    }
    if (i == len) {
        return 0;
    }
    c = (unsigned char)text[i];
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80 ||
           c == '\'' || c == '"' || c == '(';
}

/* Starts or extends the document's run with r (plain lines only). */
static void run_add(struct mt_document *d, const struct mt_record *r)
{
    int continues = d->line_run_len > 0 && r->line == d->line_run_last + 1 &&
                    continuation_line(r->text, r->len);

    if (r->kind != MT_REC_LINE && r->kind != MT_REC_ENTRY) {
        d->line_run_len = 0;
        return;
    }
    if (!continues || d->line_run_len + 1 + r->len >= sizeof(d->line_run)) {
        d->line_run_len = 0;
    }
    if (r->len + 1 >= sizeof(d->line_run) ||
        !looks_wrapped(r->text, r->len)) {
        d->line_run_len = 0; /* a run only goes on after a wrapped line */
        return;
    }
    if (d->line_run_len > 0) {
        d->line_run[d->line_run_len++] = ' ';
    }
    memcpy(d->line_run + d->line_run_len, r->text, r->len);
    d->line_run_len += r->len;
    d->line_run[d->line_run_len] = '\0';
    d->line_run_last = r->last_line;
}

/* The run before r joined with r, into j (text in buf, size bytes);
 * 0 when r does not continue a run. */
static int join_run(const struct mt_document *d, const struct mt_record *r,
                    char *buf, size_t size, struct mt_record *j)
{
    if (d->line_run_len == 0 || r->line != d->line_run_last + 1 ||
        (r->kind != MT_REC_LINE && r->kind != MT_REC_ENTRY) ||
        !continuation_line(r->text, r->len) ||
        d->line_run_len + 1 + r->len >= size) {
        return 0;
    }
    memcpy(buf, d->line_run, d->line_run_len);
    buf[d->line_run_len] = ' ';
    memcpy(buf + d->line_run_len + 1, r->text, r->len);
    buf[d->line_run_len + 1 + r->len] = '\0';
    memset(j, 0, sizeof(*j));
    j->kind = MT_REC_LINE;
    j->text = buf;
    j->len = d->line_run_len + 1 + r->len;
    j->line = r->line;
    j->last_line = r->last_line;
    return 1;
}

/* Runs the signatures and the names on j (r joined to its run); 1 when
 * they recognised it (the findings went through on_hit), 0, or
 * MT_ENOMEM. */
static int by_joined_lines(struct mt_state *st, const struct mt_record *j,
                           mt_hit_fn on_hit, void *hit_ctx)
{
    int found, error_like = 0;

    found = mt_matcher_run(st->matcher, j, on_hit, hit_ctx, &error_like);
    if (found == 0) {
        found = by_name(st, j, error_like, on_hit, hit_ctx);
    }
    if (found != 0) {
        st->doc.line_run_len = 0;
    }
    return found < 0 ? found : found > 0;
}

int mt_recognise_record(struct mt_state *st, const struct mt_record *r,
                        int found, int error_like,
                        int contexts, mt_hit_fn on_hit, void *hit_ctx)
{
    char buf[sizeof(st->doc.line_run) + 2048];
    struct mt_record j;
    int named = 0, phrase, joined;

    if (found == 0) {
        named = by_name(st, r, error_like, on_hit, hit_ctx);
        if (named < 0) {
            return named;
        }
    }
    if (contexts > 0 && by_event(st, r, on_hit, hit_ctx) < 0) {
        return MT_ENOMEM;
    }
    if (found == 0 && !named) {
        named = by_inline_event(st, r, on_hit, hit_ctx);
        if (named < 0) {
            return named;
        }
    }
    if (found != 0 || named || contexts > 0) {
        st->doc.line_run_len = 0;
        return st->oom ? MT_ENOMEM : MT_OK;
    }
    /* The joined run runs the matcher again: what it says about this
     * record alone must be read first. */
    phrase = mt_matcher_phrase_seen(st->matcher);
    joined = join_run(&st->doc, r, buf, sizeof(buf), &j);
    if (joined) {
        named = by_joined_lines(st, &j, on_hit, hit_ctx);
        if (named != 0) {
            return named < 0 ? named : (st->oom ? MT_ENOMEM : MT_OK);
        }
    }
    run_add(&st->doc, r);
    /* "Status : Failed" is known (it is context), not an unknown error.
     * A line that continues a wrapped message is compared with the
     * articles as the message so far, not as a fragment. */
    if (error_like) {
        mt_unknown_add(st->unknown, r->text, r->len,
                       st->doc.origin ? st->doc.origin : "", r->line);
        note_unknown_error(&st->doc, r);
        possible_match(st, joined ? &j : r, MT_SIMILAR_THRESHOLD, on_hit,
                       hit_ctx);
    } else if (phrase) {
        /* A refusal in prose ("does not have permissions to send as this
         * sender"): compared with the articles, not listed as unknown. */
        possible_match(st, joined ? &j : r, MT_SIMILAR_PROSE_THRESHOLD,
                       on_hit, hit_ctx);
    }
    return st->oom ? MT_ENOMEM : MT_OK;
}

void mt_recognise_done(struct mt_state *st)
{
    mt_similar_scratch_free(&st->similar_scratch);
}
