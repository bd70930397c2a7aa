// DHCP's sockets, shared by the two files that make them: dhcp-io.c opens them and receives,
// dhcp-send.c sends. Layout of the buffers shared with JavaScript: dhcp-io.c.
#ifndef SCHOOLGATE_DHCP_IO_H
#define SCHOOLGATE_DHCP_IO_H

#include <net/if.h>
#include <netinet/in.h>
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

typedef union {
  struct cmsghdr align;
  char bytes[CMSG_SPACE(sizeof(struct in_pktinfo))];
} pktinfo_control;

typedef struct {
  napi_env env;
  napi_ref on_batch;
  napi_ref buffers[2];
  napi_async_context async;
  int fd;
  int ifindex; // the bound interface; 0 for the unbound (relay) socket
  char ifname[IF_NAMESIZE];
  uv_poll_t *poll;
  int polling;
  int finalized;
  int handle_closed;
  uint8_t *input;
  int32_t *meta;
  double received, oversized;
  struct mmsghdr msgs[DHCP_BATCH];
  struct iovec iov[DHCP_BATCH];
  struct sockaddr_in from[DHCP_BATCH];
  pktinfo_control control[DHCP_BATCH];
} dhcp_socket;

// The socket of a call whose first argument is one: `argv` gets `count` arguments.
NETIO_INTERNAL dhcp_socket *dhcp_socket_call(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const char *usage);
// A string of at most `room - 1` bytes into `out`; 0 with a TypeError pending otherwise.
NETIO_INTERNAL int text_arg(napi_env env, napi_value value, char *out, size_t room, const char *error);
// sendDhcp, in dhcp-send.c.
NETIO_INTERNAL napi_value send_dhcp(napi_env env, napi_callback_info info);

#endif
