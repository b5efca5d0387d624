/* codes.h: error codes in free text (hr=0x8004010f, ec=-2147221233,
 * 2147746063, ec=1242, RPC Error 1722, (401), HCW8001, AADSTS50054), their
 * entries in the kb/codes tables, and the HRESULT bit layout. */
#ifndef MT_CODES_H
#define MT_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "kb.h"

enum mt_code_kind {
    MT_CODE_HRESULT = 0, /* 32-bit: 0x..., bare 8 hex digits, signed or
                            unsigned decimal, ec=-N */
    MT_CODE_NUMBER = 1,  /* small number: tried as Win32 and ec (and HTTP
                            when it is the whole query) */
    MT_CODE_EC = 2,      /* ec=N: the ec table only */
    MT_CODE_HTTP = 3,    /* (401), 401 Unauthorized, HTTP 413 */
    MT_CODE_LITERAL = 4  /* HCW8001, AADSTS50054 */
};

/* One table entry a code was found in; strings borrowed from the kb. */
struct mt_code_ref {
    const char *table;
    const char *code;
    const char *name;
    const char *meaning;
    const char *article; /* or NULL */
    /* A generic code (E_FAIL): it says nothing about the cause, so the
     * articles that merely list it are not offered. */
    int generic;
};

/* The HRESULT layout (winerror.h): S R C N X | facility (11) | code (16). */
struct mt_hresult {
    int severity; /* S, bit 31: 1 = failure */
    int reserved; /* R, bit 30 (set in NTSTATUS-style 0xC... values) */
    int customer; /* C, bit 29: defined by a vendor, not Microsoft */
    int nt;       /* N, bit 28: an NTSTATUS mapped to an HRESULT */
    unsigned facility;
    unsigned code;
};

#define MT_CODE_MAX_REFS 4
#define MT_CODE_MAX_ALSO 4

struct mt_code {
    char *input; /* as written, first occurrence: "hr=0x8004010f" */
    char *also[MT_CODE_MAX_ALSO]; /* other spellings of the same value */
    int nalso;
    enum mt_code_kind kind;
    uint32_t value;   /* numeric kinds */
    char code[24];    /* canonical: "0x8004010F", "1722", "HCW8001" */
    struct mt_code_ref refs[MT_CODE_MAX_REFS];
    int nrefs;
    struct mt_code_ref win32; /* FACILITY_WIN32: the low word's entry */
    int has_win32;
};

struct mt_code_list {
    struct mt_code *v;
    size_t n;
    size_t alloc;
};

/* Finds every code in text (left to right, each value once) and looks it
 * up in kb's tables. Small bare numbers count only when they are the whole
 * text or follow a word such as "error" or "code" (a size or a date in a
 * pasted message is not an error code). Returns 0, or -1 when out of
 * memory. */
int mt_codes_scan(const struct mt_kb *kb, const char *text,
                  struct mt_code_list *out);
void mt_codes_free(struct mt_code_list *l);

/* Parses a whole string as one code ("0x8004010F", "1242", "HCW8001")
 * without looking it up. Returns 1 when it is one, else 0. */
int mt_code_parse(const char *s, struct mt_code *c);
/* Same value, comparing the small-number kinds with each other. */
int mt_code_same(const struct mt_code *a, const struct mt_code *b);

void mt_hresult_split(uint32_t v, struct mt_hresult *h);
/* "FACILITY_WIN32" for 7, or NULL for a facility not in the table. */
const char *mt_facility_name(unsigned facility);

/* Looks canonical up in the table called table (NULL: every table).
 * Returns 1 and fills ref when found. */
int mt_code_lookup(const struct mt_kb *kb, const char *table,
                   const char *canonical, struct mt_code_ref *ref);

#endif
