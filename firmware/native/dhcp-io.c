// DHCP's sockets, which Node's dgram cannot make: a server per school network must be bound to
// its interface (several coexist on port 67, each hearing only its own network's broadcasts), must
// learn the interface each request arrived on, must send its broadcasts out of that interface
// whatever the routing table says (the default route points at the WAN), and must reach a client
// that has no address yet at its MAC (RFC 2131 4.1), which takes an ARP entry only C can add.
//
// This file opens them and receives (polling and freeing are polled-socket.c's, as for every
// socket the addon makes); dhcp-send.c sends; dhcp-io.h has what the files share. Like
// netio.c, they move bytes and nothing else: they never read a DHCP field (the TypeScript codec
// does, bounds-checked), and every length and index they are handed is checked before use.
//
// Layout shared with firmware/native/netio.ts and firmware/dhcp/transport.ts (change them together):
//   input  DHCP_BATCH slots of DHCP_SLOT bytes, datagram i at i * DHCP_SLOT
//   meta   DHCP_BATCH records of DHCP_META bytes, int32: [0] length, or -1 when the datagram was
//          longer than DHCP_SLOT (dropped and counted), [1] arrival ifindex, [2] source port,
//          [3] source IPv4, [4] the header's destination IPv4 (IP_PKTINFO ipi_addr), [5] the local
//          address the kernel would answer from (ipi_spec_dst); addresses in network order.
//          A frame watch's record: [0] length of the IP packet, or -1 when oversized, [1] ifindex,
//          [5] MAC length (6), the MAC at byte DHCP_MAC_AT
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dhcp-io.h"

static const napi_type_tag DHCP_TAG = {0x7363686f6f6c6761ULL, 0x74652d6468637001ULL};

static void prepare(polled_socket *base, int i) {
  dhcp_socket *s = (dhcp_socket *)base;
  struct msghdr *h = &s->msgs[i].msg_hdr;
  h->msg_name = &s->from[i];
  h->msg_namelen = sizeof s->from[i];
  h->msg_iov = &s->iov[i];
  h->msg_iovlen = 1;
  h->msg_control = s->frames ? NULL : s->control[i].bytes;
  h->msg_controllen = s->frames ? 0 : sizeof s->control[i].bytes;
  h->msg_flags = 0;
  s->iov[i].iov_base = s->input + (size_t)i * DHCP_SLOT;
  s->iov[i].iov_len = DHCP_SLOT;
}

static void describe(polled_socket *base, int i) {
  dhcp_socket *s = (dhcp_socket *)base;
  int32_t *meta = s->meta + (size_t)i * (DHCP_META / 4);
  struct msghdr *h = &s->msgs[i].msg_hdr;
  memset(meta, 0, DHCP_META);
  if (s->frames) {
    describe_frame(s, i, meta);
    return;
  }
  s->received++;
  if (h->msg_flags & MSG_TRUNC) {
    meta[0] = -1;
    s->oversized++;
    return;
  }
  meta[0] = (int32_t)s->msgs[i].msg_len;
  meta[1] = s->ifindex; // replaced by IP_PKTINFO's below, which the kernel always sends here
  meta[2] = ntohs(s->from[i].in.sin_port);
  memcpy(&meta[3], &s->from[i].in.sin_addr, 4);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO || c->cmsg_len < CMSG_LEN(sizeof(struct in_pktinfo))) continue;
    struct in_pktinfo info;
    memcpy(&info, CMSG_DATA(c), sizeof info);
    meta[1] = info.ipi_ifindex;
    memcpy(&meta[4], &info.ipi_addr, 4);
    memcpy(&meta[5], &info.ipi_spec_dst, 4);
  }
}

// ---- arguments ------------------------------------------------------------------------------

dhcp_socket *dhcp_socket_call(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const char *usage) {
  return polled_call(env, info, argv, count, &DHCP_TAG, usage, "not a netio DHCP socket");
}

static bool is_nullish(napi_env env, napi_value value) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) == napi_ok && (type == napi_null || type == napi_undefined);
}

int text_arg(napi_env env, napi_value value, char *out, size_t room, const char *error) {
  size_t length = 0;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string ||
      napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok || length == 0 || length >= room ||
      napi_get_value_string_utf8(env, value, out, room, &length) != napi_ok || strlen(out) != length) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", error);
    return 0;
  }
  return 1;
}

// ---- the socket -------------------------------------------------------------------------------

#define DHCP_RCVBUF_BYTES (1 << 20)

int fd_failed(int fd, const char *what, const char **step) {
  int err = errno;
  close(fd);
  errno = err;
  *step = what;
  return -1;
}

int bind_fd(int fd, const void *local, socklen_t length, const char **step) {
  return bind(fd, local, length) == 0 ? fd : fd_failed(fd, "bind", step);
}

// The descriptor for openDhcp, or -1 with errno set and `*step` naming the call that failed.
static int dhcp_fd(int ifindex, const char *ifname, int port, const char **step) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return *step = "socket", -1;
  int one = 1;
  // SO_REUSEADDR: the relay socket (unbound) shares the port with the per-interface servers.
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0)
    return fd_failed(fd, "setsockopt", step);
  if (ifindex > 0 && setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, sizeof ifindex) != 0) {
    if (errno != ENOPROTOOPT || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) != 0)
      return fd_failed(fd, "bind to interface", step);
  }
  // A class of tablets switched on at 9 o'clock asks at once: the kernel's default 208 KiB holds a
  // few hundred requests, and what overflows is lost until the clients retry seconds later. Best
  // effort: SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN (the daemon has it).
  int rcvbuf = DHCP_RCVBUF_BYTES;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = {htonl(INADDR_ANY)}};
  return bind_fd(fd, &local, sizeof local, step);
}

// openDhcp(interfaceName | null, port, onBatch(count), frames = false) -> { socket, input, meta, ifindex, port }
// With `frames`, a packet socket on the named interface that receives (never sends) the IPv4
// frames to UDP `port` that arrive there, each with the sender's MAC (dhcp-frames.c).
static napi_value open_dhcp(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "openDhcp(interfaceName | null, port, onBatch, frames?)");
    return NULL;
  }
  bool frames = false;
  if (argc > 3 && !is_nullish(env, argv[3]) && napi_get_value_bool(env, argv[3], &frames) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "frames must be a boolean");
    return NULL;
  }
  char ifname[IF_NAMESIZE] = "";
  int ifindex = 0;
  if (!is_nullish(env, argv[0])) {
    if (!text_arg(env, argv[0], ifname, sizeof ifname, "interfaceName must be an interface's name (1 to 15 bytes) or null")) return NULL;
    ifindex = (int)if_nametoindex(ifname);
    if (ifindex == 0) {
      char what[64];
      snprintf(what, sizeof what, "interface %s", ifname);
      return throw_errno(env, what, errno == 0 ? ENODEV : errno), NULL;
    }
  }
  int32_t port;
  if (!int_arg(env, argv[1], "port", 0, 65535, &port)) return NULL;
  napi_valuetype callback_type;
  if (napi_typeof(env, argv[2], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onBatch must be a function");
    return NULL;
  }
  if (!uv_types_match()) {
    napi_throw_error(env, NULL, "netio was built for another libuv (handle type 8 is not poll): rebuild it");
    return NULL;
  }
  if (frames && (ifindex == 0 || port == 0)) {
    napi_throw_error(env, "EINVAL", "a frame watch needs an interface and a port");
    return NULL;
  }
  const char *step = "socket";
  int fd = frames ? frames_fd(ifindex, port, &step) : dhcp_fd(ifindex, ifname, port, &step);
  if (fd < 0) return throw_errno(env, step, errno), NULL;
  struct sockaddr_in bound = {.sin_port = htons((uint16_t)port)};
  socklen_t bound_length = sizeof bound;
  if (!frames && getsockname(fd, (struct sockaddr *)&bound, &bound_length) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "getsockname", err), NULL;
  }

  dhcp_socket *s = polled_alloc(sizeof *s, 0);
  napi_value result, external;
  if (s == NULL || napi_create_object(env, &result) != napi_ok || !polled_adopt(env, &s->base, &external)) {
    if (s != NULL) polled_free(&s->base);
    close(fd);
    napi_throw_error(env, "ENOMEM", "cannot create the socket's handle");
    return NULL;
  }
  s->base.fd = fd;
  s->base.msgs = s->msgs;
  s->base.slots = DHCP_BATCH;
  s->base.prepare = prepare;
  s->base.describe = describe;
  s->ifindex = ifindex;
  s->frames = frames;
  memcpy(s->ifname, ifname, sizeof ifname);
  // From here the finalizer owns s: failures below only shut it.
  napi_value input, meta, number;
  int ok = (s->input = polled_buffer(env, &s->base, 0, (size_t)DHCP_BATCH * DHCP_SLOT, &input)) != NULL &&
           (s->meta = polled_buffer(env, &s->base, 1, (size_t)DHCP_BATCH * DHCP_META, &meta)) != NULL &&
           polled_start(env, &s->base, external, &DHCP_TAG, argv[2], "schoolgate:netio-dhcp");
  if (!ok) return polled_fail(env, &s->base, "cannot start receiving on the DHCP socket");
  napi_set_named_property(env, result, "socket", external);
  napi_set_named_property(env, result, "input", input);
  napi_set_named_property(env, result, "meta", meta);
  napi_create_int32(env, ifindex, &number);
  napi_set_named_property(env, result, "ifindex", number);
  napi_create_int32(env, ntohs(bound.sin_port), &number);
  napi_set_named_property(env, result, "port", number);
  return result;
}

// dhcpStats(socket) -> [datagrams received, of which dropped for their size]
static napi_value dhcp_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  dhcp_socket *s = dhcp_socket_call(env, info, argv, 1, "dhcpStats(socket)");
  if (s == NULL) return NULL;
  return counts_pair(env, s->received, s->oversized);
}

// unrefDhcp(socket): the socket alone no longer keeps the process alive.
static napi_value unref_dhcp(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  dhcp_socket *s = dhcp_socket_call(env, info, argv, 1, "unrefDhcp(socket)");
  if (s == NULL) return NULL;
  polled_unref(&s->base);
  return NULL;
}

// closeDhcp(socket): stops receiving and closes the descriptor; idempotent.
static napi_value close_dhcp(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  dhcp_socket *s = dhcp_socket_call(env, info, argv, 1, "closeDhcp(socket)");
  if (s == NULL) return NULL;
  polled_shut(&s->base);
  return NULL;
}

void register_dhcp(napi_env env, napi_value exports) {
  export_function(env, exports, "openDhcp", open_dhcp);
  export_function(env, exports, "sendDhcp", send_dhcp);
  export_function(env, exports, "dhcpStats", dhcp_stats);
  export_function(env, exports, "unrefDhcp", unref_dhcp);
  export_function(env, exports, "closeDhcp", close_dhcp);
  export_int(env, exports, "DHCP_BATCH", DHCP_BATCH);
  export_int(env, exports, "DHCP_SLOT", DHCP_SLOT);
  export_int(env, exports, "DHCP_META", DHCP_META);
  export_int(env, exports, "DHCP_BROADCAST", DHCP_BROADCAST);
  export_int(env, exports, "DHCP_UNICAST", DHCP_UNICAST);
  export_int(env, exports, "DHCP_HARDWARE", DHCP_HARDWARE);
  export_int(env, exports, "DHCP_MAC_AT", DHCP_MAC_AT);
}
