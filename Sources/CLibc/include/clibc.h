#ifndef BERTH_CLIBC_H
#define BERTH_CLIBC_H

/* Makes stdout line-buffered, so progress reaches a pipe (CI logs, `tee`, `timeout`) line by
   line instead of at exit. Swift 6 cannot touch libc's global `stdout` without an unchecked
   escape hatch; C can. */
void berth_line_buffer_stdout(void);

/* Makes stdout buffered in blocks unless it is a terminal, for a command that prints many lines
   at once (`berth log`); it flushes with `berth_flush_stdout` whenever it waits. */
void berth_block_buffer_stdout(void);
void berth_flush_stdout(void);

/* Lowers the calling thread's scheduling priority to the least (nice 19), for work that must
   never take a core from the rest of the process: a repack of the controller's mirror. Linux
   keeps a nice value per thread; elsewhere this does nothing. Returns 0 when done. */
int berth_lower_thread_priority(void);

/* Unblocks every signal for the calling thread: a process started from a thread that blocked
   some (libdispatch's workers block SIGTERM among others) inherits that mask. */
void berth_unblock_signals(void);

#endif
