#ifndef BERTH_CMEMORY_H
#define BERTH_CMEMORY_H

/* Returns the allocator's free memory to the system (glibc's malloc_trim, which Swift's Glibc
   module does not export). A long-lived process that allocates in bursts on many threads
   otherwise keeps its high-water mark in its malloc arenas. Returns 1 when memory was released. */
int berth_release_free_memory(void);

/* Caps the allocator's arenas at `count` (glibc's M_ARENA_MAX; by default eight per core): each
   thread that allocates under contention gets an arena of its own, which keeps its freed memory
   apart from the others'. Called before the threads start. Returns 1 on success. */
int berth_limit_arenas(int count);

/* Fixes the size from which an allocation gets pages of its own (glibc's M_MMAP_THRESHOLD),
   returned to the system when freed. glibc raises it to the size of each such block freed, up
   to 32 MiB, after which large passing buffers (a response, a plan) come from the arenas and
   leave holes there. Returns 1 on success. */
int berth_fix_mmap_threshold(int bytes);

/* Bytes the allocator has handed out and not had back (glibc's mallinfo2): what the program
   holds, as opposed to what the process keeps resident. 0 where unknown. */
unsigned long berth_heap_in_use(void);

#endif
