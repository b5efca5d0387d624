/* loadarena.c: Jansson's memory while the knowledge loads (loadarena.h).
 *
 * The load builds some 60,000 small JSON values (every key, string and
 * object of patterns/, kb/ and the code tables), each through malloc and
 * most of them kept until the process exits. Fresh small allocations are
 * glibc's slow path (about 200 instructions each, a quarter of a paste's
 * instructions), and a 16-byte header and 32-byte minimum each spread the
 * values over more pages, each page one more fault. Here they are cut from
 * large blocks instead. Freeing such a value does nothing: what the load
 * frees (the signatures' trees, once read into their structs) is little
 * next to what it keeps, and the process gives all back when it exits.
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

/* The knowledge's values fill about 3 MiB; a block is touched (and so
 * costs memory) only as far as it is used. */
#define BLOCK_BYTES (1024u * 1024)
/* Past this many blocks (a knowledge base ten times today's) values come
 * from malloc again. */
#define MAX_BLOCKS 32
/* Larger values (long arrays, big strings) come from malloc: a block's
 * tail is not wasted on them. */
#define MAX_IN_BLOCK (16u * 1024)
#define ALIGN _Alignof(max_align_t)

#ifndef MT_TORTURE

static struct block {
    char *base, *end;
} blocks[MAX_BLOCKS];
static size_t nblocks;
static char *next, *limit; /* the free part of the last block */
static int active;

static void *new_block(size_t n)
{
    char *base;

    if (nblocks == MAX_BLOCKS || (base = malloc(BLOCK_BYTES)) == NULL) {
        return malloc(n); /* malloc says whether there is memory */
    }
    blocks[nblocks].base = base;
    blocks[nblocks].end = base + BLOCK_BYTES;
    nblocks++;
    next = base + n;
    limit = base + BLOCK_BYTES;
    return base;
}

static void *arena_malloc(size_t n)
{
    if (!active || n > MAX_IN_BLOCK) {
        return malloc(n);
    }
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0) {
        n = ALIGN;
    }
    if ((size_t)(limit - next) < n) {
        return new_block(n);
    }
    next += n;
    return next - n;
}

static void arena_free(void *p)
{
    size_t i;

    /* Blocks are only added before any other thread exists (begin to
     * end); afterwards they are only read. */
    for (i = 0; i < nblocks; i++) {
        if ((char *)p >= blocks[i].base && (char *)p < blocks[i].end) {
            return; /* the block's; kept until the exit */
        }
    }
    free(p);
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
