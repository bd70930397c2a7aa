// DHCP's sockets, shared by the files that make them: dhcp-io.c opens them and receives,
// dhcp-send.c sends, dhcp-frames.c makes the frame watch's packet socket. Layout of the buffers
// shared with JavaScript: dhcp-io.c.
#ifndef SCHOOLGATE_DHCP_IO_H
#define SCHOOLGATE_DHCP_IO_H

#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netio.h"

#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62 // Linux 5.0; older kernels answer ENOPROTOOPT and get SO_BINDTODEVICE
#endif

// DHCP runs at hundreds of exchanges a second: a small batch is plenty.
#define DHCP_BATCH 16
// An Ethernet MTU's worth; no real DHCP message comes near it (longer datagrams are dropped).
#define DHCP_SLOT 1500
#define DHCP_META 32
#define DHCP_BROADCAST 0
#define DHCP_UNICAST 1
#define DHCP_HARDWARE 2
// Where a frame's source MAC sits in its meta record (bytes), and meta[5] says its length.
#define DHCP_MAC_AT 24

typedef union {
  struct cmsghdr align;
  char bytes[CMSG_SPACE(sizeof(struct in_pktinfo))];
} pktinfo_control;

typedef struct {
  polled_socket base; // first: polling, onBatch, and the free once libuv and JavaScript are done
  int ifindex; // the bound interface; 0 for the unbound (relay) socket
  int frames;  // a packet socket that sees IPv4 frames to a UDP port (the rogue watch), not a UDP socket
  char ifname[IF_NAMESIZE];
  uint8_t *input;
  int32_t *meta;
  double received, oversized;
  struct mmsghdr msgs[DHCP_BATCH];
  struct iovec iov[DHCP_BATCH];
  union {
    struct sockaddr_in in; // a UDP socket's source
    struct sockaddr_ll ll; // a frame watch's: interface, packet type, MAC
  } from[DHCP_BATCH];
  pktinfo_control control[DHCP_BATCH];
} dhcp_socket;

// Closes `fd` after `what` failed on it, keeping the failure's errno: -1, and `*step` = what.
NETIO_INTERNAL int fd_failed(int fd, const char *what, const char **step);
// Binds `fd` to `local` and returns it; fd_failed's -1 ("bind") when the kernel refuses.
NETIO_INTERNAL int bind_fd(int fd, const void *local, socklen_t length, const char **step);
// The socket of a call whose first argument is one: `argv` gets `count` arguments.
NETIO_INTERNAL dhcp_socket *dhcp_socket_call(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const char *usage);
// A string of at most `room - 1` bytes into `out`; 0 with a TypeError pending otherwise.
NETIO_INTERNAL int text_arg(napi_env env, napi_value value, char *out, size_t room, const char *error);
// The frame watch's packet socket (dhcp-frames.c): IPv4 UDP to `port` arriving on `ifindex`, as
// whole IP packets with the sender's MAC; -1 with errno set and `*step` naming the failed call.
NETIO_INTERNAL int frames_fd(int ifindex, int port, const char **step);
// Fills frame i's meta record (dhcp-io.c's layout; the MAC at DHCP_MAC_AT).
NETIO_INTERNAL void describe_frame(dhcp_socket *s, int i, int32_t *meta);
// sendDhcp, in dhcp-send.c.
NETIO_INTERNAL napi_value send_dhcp(napi_env env, napi_callback_info info);

#endif
