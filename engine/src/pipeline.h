/* pipeline.h: two threads on one long plain-text document. A second
 * thread (the producer) reads into the ring's slots and decodes them to
 * UTF-8 blocks (a slot read as plain ASCII is its own block: no copy at
 * all between the read and the records); the calling
 * thread (the consumer) takes the blocks in order and feeds them to the
 * format reader, which cuts records, confirms them with PCRE2 and
 * aggregates. The matcher's block prefilter scan of each block runs on
 * whichever thread has time, and its hits wait in the matcher for the
 * block's records (mt_matcher_preset_block).
 * Every record is made and matched exactly as by one thread, so the
 * output does not depend on the number of threads. Blocks own their
 * memory until the consumer releases them, and a few slots are all there
 * is (handoff.h): memory stays flat whatever the input size. */
#ifndef MT_PIPELINE_H
#define MT_PIPELINE_H

#include <stddef.h>

#include "migtriage.h"

struct mt_matcher;
struct mt_pipeline;

/* Slots of the ring: one being filled, one being fed, the rest to smooth
 * out blocks that cost more on one side than the other. */
#define MT_PIPELINE_SLOTS 4

/* nslots slots, each an input buffer of in_cap bytes and an output
 * buffer of out_cap (0: none); matcher is
 * the one the consumer's records go through (the sink's). The calling
 * thread is the consumer. NULL when out of memory. */
struct mt_pipeline *mt_pipeline_new(struct mt_matcher *matcher,
                                    size_t nslots, size_t in_cap,
                                    size_t out_cap);
void mt_pipeline_free(struct mt_pipeline *p);

/* Starts produce(arg) on a thread of its own; it makes the blocks with
 * mt_pipeline_input(), mt_pipeline_output() and mt_pipeline_publish(),
 * and its return value is the producer's status. Returns 0, or -1 when no thread could start (then
 * nothing ran: the caller goes on alone). */
int mt_pipeline_start(struct mt_pipeline *p, int (*produce)(void *arg),
                      void *arg);

/* Producer: the input buffer of the slot it fills next (in_cap bytes),
 * waiting for a free slot (and scanning blocks ahead meanwhile); NULL
 * when the consumer has stopped. */
char *mt_pipeline_input(struct mt_pipeline *p);
/* Producer: the output buffer of that slot (out_cap bytes), for text that
 * had to be converted; NULL when the consumer has stopped. */
char *mt_pipeline_output(struct mt_pipeline *p);
/* Producer: the block is the n bytes at text, the start of the slot's
 * input or output buffer: hands it over, to be scanned with the
 * prefilter by whichever thread has time (pipeline.c), and claims the
 * next slot. Returns 0, MT_EINPUT when the consumer has stopped (the
 * producer then stops too), or MT_EMISUSE when text is not the slot's. */
int mt_pipeline_publish(struct mt_pipeline *p, char *text, size_t n);

/* Consumer, on the thread that called mt_pipeline_start(): feeds each
 * block to feed(ctx, text, n) in order until the producer is done, or
 * until feed returns a negative status (then the producer is told to stop
 * and that status is returned). The block is the consumer's during the
 * call: feed may cut it in place. Joins the producer. Returns the first
 * negative status of feed, else the producer's. */
int mt_pipeline_consume(struct mt_pipeline *p,
                        int (*feed)(void *ctx, char *text, size_t n),
                        void *ctx);

/* Messages about the input: while the pipeline runs, the scan's messages
 * go to mt_pipeline_message (ctx p), which holds those sent from other
 * threads than the consumer's until the consumer reaches the block they
 * were sent before, and then sends them to fn(ctx) from the consumer's
 * thread: the same messages in the same place among the records (and the
 * findings streamed from them) as with one thread, and every callback on
 * the calling thread. */
void mt_pipeline_forward_messages(struct mt_pipeline *p, mt_message_fn fn,
                                  void *ctx);
void mt_pipeline_message(void *ctx, enum mt_msg_level level,
                         const char *origin, const char *text);

/* Blocks prefilter-scanned so far by each thread (for tests and
 * measurement). */
void mt_pipeline_scans(struct mt_pipeline *p, unsigned long long *producer,
                       unsigned long long *consumer);

#endif
