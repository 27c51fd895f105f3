#include "clibc.h"
#include <stdio.h>

void berth_line_buffer_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}
