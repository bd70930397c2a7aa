// Sending DHCP replies (sendDhcp): a broadcast pinned to an interface, a routed unicast, or a
// unicast to a client's MAC that cannot answer ARP yet. Moves bytes only, like the rest of netio.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if_arp.h>
#include <string.h>
#include <sys/ioctl.h>

#include "dhcp-io.h"

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "aa:bb:cc:dd:ee:ff" exactly: six pairs of hex digits, five colons.
static int mac_arg(napi_env env, napi_value value, uint8_t mac[6]) {
  static const char *error = "mac must be six two-digit hex bytes separated by colons (aa:bb:cc:dd:ee:ff)";
  char text[18];
  if (!text_arg(env, value, text, sizeof text, error)) return 0;
  int ok = strlen(text) == 17;
  for (int i = 0; ok && i < 6; i++) {
    int high = hex_digit(text[i * 3]), low = hex_digit(text[i * 3 + 1]);
    ok = high >= 0 && low >= 0 && (i == 5 || text[i * 3 + 2] == ':');
    if (ok) mac[i] = (uint8_t)(high << 4 | low);
  }
  if (!ok) napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", error);
  return ok;
}

static int ipv4_arg(napi_env env, napi_value value, struct in_addr *out) {
  static const char *error = "address must be an IPv4 address literal";
  char text[INET_ADDRSTRLEN];
  if (!text_arg(env, value, text, sizeof text, error)) return 0;
  if (inet_pton(AF_INET, text, out) != 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", error);
    return 0;
  }
  return 1;
}

// One datagram out by sendmsg; `ifindex` > 0 pins the way out (IP_PKTINFO), whatever the routes say.
static int send_one(dhcp_socket *s, const uint8_t *bytes, size_t length, struct in_addr to, int port, int ifindex) {
  struct sockaddr_in destination = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = to};
  struct iovec iov = {.iov_base = (void *)bytes, .iov_len = length};
  pktinfo_control control;
  memset(&control, 0, sizeof control);
  struct msghdr message = {.msg_name = &destination, .msg_namelen = sizeof destination, .msg_iov = &iov, .msg_iovlen = 1};
  if (ifindex > 0) {
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof control.bytes;
    struct cmsghdr *c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo info = {.ipi_ifindex = ifindex};
    memcpy(CMSG_DATA(c), &info, sizeof info);
  }
  for (;;) {
    ssize_t sent = sendmsg(s->base.fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

// The neighbour entry (address -> mac) on `ifindex` that lets a unicast reach a client that cannot
// answer ARP yet, as dnsmasq does. Needs CAP_NET_ADMIN. Returns 0 or the errno.
static int set_arp(dhcp_socket *s, struct arpreq *request, struct in_addr address, const uint8_t mac[6], int ifindex) {
  memset(request, 0, sizeof *request);
  struct sockaddr_in *protocol = (struct sockaddr_in *)&request->arp_pa;
  protocol->sin_family = AF_INET;
  protocol->sin_addr = address;
  request->arp_ha.sa_family = ARPHRD_ETHER;
  memcpy(request->arp_ha.sa_data, mac, 6);
  request->arp_flags = ATF_COM; // complete but not permanent
  if (if_indextoname((unsigned)ifindex, request->arp_dev) == NULL) return errno;
  return ioctl(s->base.fd, SIOCSARP, request) == 0 ? 0 : errno;
}

// sendDhcp(socket, bytes, kind, address, port, mac, ifindex) -> 0, or 1 when a hardware reply
// went out as a broadcast because the neighbour entry could not be made. Throws with the errno's
// code when the kernel refuses the datagram.
//   kind DHCP_BROADCAST: 255.255.255.255:port out of the interface (address and mac unused)
//   kind DHCP_UNICAST:   address:port, routed (mac unused)
//   kind DHCP_HARDWARE:  address:port delivered to mac on the interface, without ARP
// `ifindex` 0 means the socket's own interface; the unbound socket needs one for broadcast and
// hardware replies, and a bound socket takes no other than its own.
napi_value send_dhcp(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  dhcp_socket *s = dhcp_socket_call(env, info, argv, 7, "sendDhcp(socket, bytes, kind, address, port, mac, ifindex)");
  if (s == NULL) return NULL;
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *bytes = NULL;
  if (napi_is_typedarray(env, argv[1], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "bytes must be a Uint8Array");
    return NULL;
  }
  if (length == 0 || length > DHCP_SLOT) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "bytes must hold 1 to 1500 bytes");
    return NULL;
  }
  int32_t kind, port, ifindex;
  struct in_addr address = {htonl(INADDR_BROADCAST)};
  uint8_t mac[6];
  if (!int_arg(env, argv[2], "kind", DHCP_BROADCAST, DHCP_HARDWARE, &kind)) return NULL;
  if (kind != DHCP_BROADCAST && !ipv4_arg(env, argv[3], &address)) return NULL;
  if (!int_arg(env, argv[4], "port", 1, 65535, &port)) return NULL;
  if (kind == DHCP_HARDWARE && !mac_arg(env, argv[5], mac)) return NULL;
  if (!int_arg(env, argv[6], "ifindex", 0, INT32_MAX, &ifindex)) return NULL;
  if (s->base.fd < 0) return throw_errno(env, "sendDhcp", EBADF), NULL;
  if (s->frames) {
    napi_throw_error(env, "EINVAL", "a frame watch only receives");
    return NULL;
  }
  if (ifindex == 0) ifindex = s->ifindex;
  if (s->ifindex != 0 && ifindex != s->ifindex) {
    napi_throw_error(env, "EINVAL", "a socket bound to an interface sends out of that interface only");
    return NULL;
  }
  if (kind != DHCP_UNICAST && ifindex == 0) {
    napi_throw_error(env, "EINVAL", "a broadcast or hardware reply on the unbound socket needs the interface's ifindex");
    return NULL;
  }
  int fallback = 0, neighbour = 0;
  struct arpreq request;
  if (kind == DHCP_HARDWARE) {
    neighbour = set_arp(s, &request, address, mac, ifindex) == 0;
    if (!neighbour) {
      // No neighbour entry (no CAP_NET_ADMIN, no ARP on the link, the kernel's table full): the
      // client still hears a broadcast.
      address.s_addr = htonl(INADDR_BROADCAST);
      fallback = 1;
    }
  }
  int err = send_one(s, bytes, length, address, port, kind == DHCP_UNICAST ? 0 : ifindex);
  // The frame took the entry's MAC inside sendmsg (a stale entry is used at once), so the entry can
  // go: otherwise every offer leaves one behind, and a flood of made-up MACs fills the kernel's
  // table (1024 entries by default, shared by every namespace) until the gateway cannot ARP for
  // real hosts. When the client has taken its address, the next packet to it ARPs as usual.
  if (neighbour) ioctl(s->base.fd, SIOCDARP, &request);
  if (err != 0) return throw_errno(env, "sendDhcp", err), NULL;
  napi_value result;
  napi_create_int32(env, fallback, &result);
  return result;
}
