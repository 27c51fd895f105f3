#define _GNU_SOURCE /* gettid */
#include "clibc.h"
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/resource.h>
#endif

void berth_line_buffer_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

void berth_block_buffer_stdout(void) {
    /* A terminal keeps its lines as they come. Elsewhere (a pipe, a file), blocks small
       enough that a reader such as `head` or `less` has its first screen at once. */
    static char buffer[8 << 10];
    if (isatty(STDOUT_FILENO)) return;
    fflush(stdout);
    setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
}

void berth_flush_stdout(void) {
    fflush(stdout);
}

int berth_lower_thread_priority(void) {
#if defined(__linux__)
    return setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
#else
    return 0;
#endif
}

void berth_unblock_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
}
