#include "clibc.h"
#include <stdio.h>

void berth_line_buffer_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

void berth_block_buffer_stdout(void) {
    fflush(stdout);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
}

void berth_flush_stdout(void) {
    fflush(stdout);
}
