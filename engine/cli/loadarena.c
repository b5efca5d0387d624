/* loadarena.c: Jansson's memory while the knowledge loads (loadarena.h).
 *
 * The load builds some 60,000 small JSON values (every key, string and
 * object of patterns/, kb/ and the code tables), each through malloc and
 * most of them kept until the process exits. Fresh small allocations are
 * glibc's slow path (about 200 instructions each, a quarter of a paste's
 * instructions), and a 16-byte header and 32-byte minimum each spread the
 * values over more pages, each page one more fault. Here they are cut from
 * large blocks instead, 16 bytes apart, with no header. What the load
 * frees (each signature's tree once read into its struct, the names
 * tables') is kept on a list by size and taken again by the next value of
 * that size: the articles loaded after the signatures reuse their trees'
 * memory, as they did from malloc. A bit per 16 bytes marks where each
 * value starts, which is how a freed value's size is known. The blocks
 * last until the process exits.
 *
 * The library cannot do this itself (Jansson's allocator is the whole
 * process's, an embedder may have its own); the command, which loads once
 * before any other thread exists, can. The torture build keeps util.c's
 * failing allocator, so that Jansson's allocations during the load still
 * fail one by one there. */
#include "loadarena.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The knowledge's values fill about 3 MiB; a block is touched (and so
 * costs memory) only as far as it is used. */
#define BLOCK_BYTES (1024u * 1024)
/* Past this many blocks (a knowledge base ten times today's) values come
 * from malloc again. */
#define MAX_BLOCKS 32
/* Larger values (long arrays, big strings) come from malloc: a block's
 * tail is not wasted on them. */
#define MAX_IN_BLOCK (16u * 1024)
/* Every value starts on a granule and takes whole ones. */
#define GRANULE 16u
#define GRANULES (BLOCK_BYTES / GRANULE)
/* Freed values of up to this many granules are kept for reuse (Jansson's
 * are nearly all under 256 bytes); larger ones stay unused. */
#define REUSED_GRANULES 16

#ifndef MT_TORTURE

static struct block {
    char *base;
    char *used;      /* the end of what has been handed out */
    uint64_t *starts; /* a bit per granule: a value starts there */
} blocks[MAX_BLOCKS];
static size_t nblocks;
/* Freed values by size in granules, linked through their first bytes. */
static void *freed[REUSED_GRANULES + 1];
static int active;

static void mark_start(struct block *b, const char *p)
{
    size_t g = (size_t)(p - b->base) / GRANULE;

    b->starts[g / 64] |= (uint64_t)1 << (g % 64);
}

/* The size in granules of the value at p: up to the next start, or to the
 * end of what the block handed out. */
static size_t granules_of(const struct block *b, const char *p)
{
    size_t g = (size_t)(p - b->base) / GRANULE;
    size_t end = (size_t)(b->used - b->base) / GRANULE, i = g + 1;

    while (i < end) {
        uint64_t w = b->starts[i / 64] >> (i % 64);
        if (w != 0) {
            i += (size_t)__builtin_ctzll(w);
            return (i < end ? i : end) - g;
        }
        i = (i / 64 + 1) * 64;
    }
    return end - g;
}

static struct block *block_of(const void *p)
{
    size_t i;

    for (i = 0; i < nblocks; i++) {
        if ((const char *)p >= blocks[i].base &&
            (const char *)p < blocks[i].base + BLOCK_BYTES) {
            return &blocks[i];
        }
    }
    return NULL;
}

/* The slow path of arena_malloc, apart so that the common one stays
 * short: a value of g granules from a new block. */
__attribute__((noinline)) static void *from_new_block(size_t n, size_t g)
{
    struct block *b = &blocks[nblocks];

    if (nblocks == MAX_BLOCKS) {
        return malloc(n);
    }
    b->base = malloc(BLOCK_BYTES);
    b->starts = calloc(GRANULES / 64, sizeof(*b->starts));
    if (b->base == NULL || b->starts == NULL) {
        free(b->base);
        free(b->starts);
        b->base = NULL;
        b->starts = NULL;
        return malloc(n); /* malloc says whether there is memory */
    }
    nblocks++;
    b->used = b->base + g * GRANULE;
    mark_start(b, b->base);
    return b->base;
}

static void *arena_malloc(size_t n)
{
    size_t g = (n + GRANULE - 1) / GRANULE + (n == 0);
    struct block *b;
    char *p;

    if (!active || n > MAX_IN_BLOCK) {
        return malloc(n);
    }
    if (g <= REUSED_GRANULES && freed[g] != NULL) {
        p = freed[g];
        memcpy(&freed[g], p, sizeof(void *));
        return p;
    }
    b = &blocks[nblocks ? nblocks - 1 : 0];
    if (nblocks == 0 ||
        (size_t)(b->base + BLOCK_BYTES - b->used) < g * GRANULE) {
        return from_new_block(n, g);
    }
    p = b->used;
    b->used += g * GRANULE;
    mark_start(b, p);
    return p;
}

static void arena_free(void *p)
{
    /* Blocks are only added before any other thread exists (begin to
     * end); afterwards they are only read, and their values never freed
     * for reuse. */
    struct block *b = p != NULL ? block_of(p) : NULL;
    size_t g;

    if (b == NULL) {
        free(p);
        return;
    }
    if (!active || (g = granules_of(b, p)) > REUSED_GRANULES) {
        return; /* kept until the exit */
    }
    memcpy(p, &freed[g], sizeof(void *));
    freed[g] = p;
}

void mt_load_arena_begin(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
    active = 1;
}

void mt_load_arena_end(void)
{
    active = 0; /* arena_free stays: values of the blocks are freed later */
}
#else
void mt_load_arena_begin(void)
{
}

void mt_load_arena_end(void)
{
}
#endif
