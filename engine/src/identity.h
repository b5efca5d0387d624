/* identity.h: the names one mailbox goes by. A move report names it by
 * Identity and EmailAddress, a batch CSV by UserPrincipalName, a CliXML
 * object by Alias and DisplayName: names that appear in the same object
 * are linked, and linked names (transitively) are one mailbox. The links
 * form a union-find forest; which name stands for the mailbox is chosen
 * at report time by kind (primary address first), so it does not depend
 * on the order the inputs were read in. Names compare case-insensitively
 * (Exchange addresses and aliases do) and without their proxy prefix
 * (SMTP:, smtp:, X500:, MigrationService:). */
#ifndef MT_IDENTITY_H
#define MT_IDENTITY_H

#include <stddef.h>

/* How good a name is at standing for its mailbox; lower is better. */
enum mt_name_kind {
    MT_NAME_PRIMARY = 0,  /* PrimarySmtpAddress */
    MT_NAME_ADDRESS = 1,  /* anything shaped like user@domain */
    MT_NAME_ALIAS = 2,    /* Alias */
    MT_NAME_IDENTITY = 3, /* Identity: alias, DN path, GUID ... */
    MT_NAME_DISPLAY = 4,  /* DisplayName: not unique, linked with care */
    MT_NAME_KINDS_ = 5
};

/* A display name linked to more distinct names than this is taken as
 * shared by several people and links nothing. */
#define MT_DISPLAY_PARTNERS 4

struct mt_linked_name {
    char *name;  /* as first seen, prefix removed */
    int kind;    /* best kind seen */
    size_t parent;
    /* Display names: the other names of their objects, linked at
     * resolve time only if they all turn out to be one mailbox. */
    size_t partners[MT_DISPLAY_PARTNERS];
    int npartners;
    int ambiguous;
};

struct mt_identities {
    struct mt_linked_name *names;
    size_t n;
    size_t alloc;
    size_t *table; /* open addressing: index + 1 */
    size_t table_size;
    size_t max;    /* bound on names; further links are dropped */
    unsigned long long dropped;
};

void mt_identities_init(struct mt_identities *ids, size_t max);
void mt_identities_free(struct mt_identities *ids);

/* The names of one object: every name except display names is linked
 * with every other; display names become candidates (see above).
 * kinds[i] is the kind the object's label gives names[i]; a value shaped
 * like an address is taken as MT_NAME_ADDRESS at least. Returns 0, or -1
 * when out of memory. */
int mt_identities_link(struct mt_identities *ids, const char *const *names,
                       const int *kinds, size_t n);
/* Adds the links of src (a worker's) to dst. Returns 0 or -1. */
int mt_identities_merge(struct mt_identities *dst,
                        const struct mt_identities *src);
/* Links each display name whose partners are all one mailbox by now. */
void mt_identities_resolve(struct mt_identities *ids);
/* Index of name, or -1. */
long mt_identities_find(const struct mt_identities *ids, const char *name);
/* The representative of index i (path-compressing). */
size_t mt_identities_root(struct mt_identities *ids, size_t i);

/* name without a proxy prefix (SMTP:, smtp:, X500:, MigrationService:). */
const char *mt_name_strip(const char *name);
/* 1 when name (prefix removed) looks like user@domain.tld. */
int mt_name_is_address(const char *name);
/* Case-insensitive equality of two names, prefixes removed. */
int mt_name_equal(const char *a, const char *b);

#endif
