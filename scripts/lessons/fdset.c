/* Lesson 8: FD_SET() with an fd of 1500, past select()'s FD_SETSIZE (1024)
 * bits. Undefined behaviour in C; with _FORTIFY_SOURCE glibc aborts instead. */
#include <stdio.h>
#include <sys/select.h>

int main(void) {
    fd_set s;
    FD_ZERO(&s);
    int fd = 1500;
    FD_SET(fd, &s);
    puts("FD_SET(1500) returned");
    return 0;
}
