/* loadarena.h: the memory of the knowledge's JSON values while it loads. */
#ifndef MT_CLI_LOADARENA_H
#define MT_CLI_LOADARENA_H

/* From begin to end, Jansson takes its memory from large blocks, a bump
 * of a pointer an allocation, instead of from malloc; values freed while
 * or after it loads give nothing back (the blocks last until the process
 * exits), values made after end come from malloc again. Only for a
 * process that loads its knowledge once, before any other thread starts:
 * this changes Jansson's allocator for the whole process. */
void mt_load_arena_begin(void);
void mt_load_arena_end(void);

#endif
