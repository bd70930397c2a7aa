// The service manager's side of sd_notify, for test/unit/service/notifier.test.ts (Node cannot
// bind a unix datagram socket): binds NAME (a path, or @abstract), says "bound" on stdout, then
// writes each of COUNT datagrams as "<sender pid> <text>" and a NUL, as systemd reads them: with the
// kernel's credentials of the sender (SO_PASSCRED), which NotifyAccess=main checks.
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv) {
  if (argc != 3) return fprintf(stderr, "usage: notify-receiver NAME COUNT\n"), 2;
  struct sockaddr_un at = {.sun_family = AF_UNIX};
  size_t length = strlen(argv[1]);
  if (length >= sizeof at.sun_path) return fprintf(stderr, "name too long\n"), 2;
  memcpy(at.sun_path, argv[1], length);
  socklen_t at_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length + 1);
  if (at.sun_path[0] == '@') at.sun_path[0] = '\0', at_length--;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int on = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0 || bind(fd, (struct sockaddr *)&at, at_length) != 0) {
    return perror("bind"), 1;
  }
  printf("bound\n");
  fflush(stdout);
  for (int count = atoi(argv[2]); count > 0; count--) {
    char text[4096];
    union { char bytes[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } control;
    struct iovec iov = {.iov_base = text, .iov_len = sizeof text - 1};
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes};
    ssize_t got = recvmsg(fd, &message, 0);
    if (got < 0) return perror("recvmsg"), 1;
    text[got] = '\0';
    pid_t pid = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) pid = ((struct ucred *)CMSG_DATA(c))->pid;
    }
    printf("%d %s", (int)pid, text);
    putchar('\0');
    fflush(stdout);
  }
  return 0;
}
