// ARP probes for the DHCP server (RFC 2131 4.4.1: a server SHOULD probe an address before
// allocating it). A printer given a static address inside a pool by hand answers ARP for it even
// though no lease names it; the server asks "who has a.b.c.d?" before offering a.b.c.d to anyone
// new, and an answer keeps the address out of the pool.
//
// One packet socket per interface, bound to ETH_P_ARP on it, with a kernel filter that keeps only
// Ethernet/IPv4 ARP replies. Like the rest of netio it moves bytes and nothing else: the request
// is built and every reply is read (bounds-checked) by firmware/dhcp/arp-frame.ts. Needs
// CAP_NET_RAW; without it openArp throws EPERM and the server offers without probing (and says so).
// Its life (polling, onBatch, the free once libuv and JavaScript are done) is polled-socket.c's.
//
// Layout shared with firmware/native/netio.ts and firmware/dhcp/arp-probe.ts (change them together):
//   input  ARP_BATCH slots of ARP_SLOT bytes, the ARP packet i (from its hardware type on) at i * ARP_SLOT
//   meta   ARP_BATCH int32s: the packet's length, or -1 when it was longer than ARP_SLOT (dropped, counted)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dhcp-io.h"

// Replies come one per probe that found something: a small batch is plenty.
#define ARP_BATCH 16
// An Ethernet/IPv4 ARP packet is 28 bytes; a frame padded to Ethernet's minimum is 46.
#define ARP_SLOT 64
#define ARP_MIN 28

static const napi_type_tag ARP_TAG = {0x7363686f6f6c6761ULL, 0x74652d6172700001ULL};

typedef struct {
  polled_socket base; // first: polling, onBatch, and the free once libuv and JavaScript are done
  int ifindex;
  uint8_t *input;
  int32_t *meta;
  double received, oversized;
  struct mmsghdr msgs[ARP_BATCH];
  struct iovec iov[ARP_BATCH];
  struct sockaddr_ll from[ARP_BATCH];
} arp_socket;

static void prepare(polled_socket *base, int i) {
  arp_socket *s = (arp_socket *)base;
  struct msghdr *h = &s->msgs[i].msg_hdr;
  memset(h, 0, sizeof *h);
  h->msg_name = &s->from[i];
  h->msg_namelen = sizeof s->from[i];
  h->msg_iov = &s->iov[i];
  h->msg_iovlen = 1;
  s->iov[i].iov_base = s->input + (size_t)i * ARP_SLOT;
  s->iov[i].iov_len = ARP_SLOT;
}

static void describe(polled_socket *base, int i) {
  arp_socket *s = (arp_socket *)base;
  s->received++;
  if (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
    s->meta[i] = -1;
    s->oversized++;
  } else {
    s->meta[i] = (int32_t)s->msgs[i].msg_len;
  }
}

// The descriptor: ARP replies arriving on `ifindex`, or -1 with errno set and `*step` naming the call.
static int arp_fd(int ifindex, uint8_t mac[6], const char **step) {
  // Protocol 0: nothing is queued before the filter is in place and bind names ETH_P_ARP.
  int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return *step = "socket", -1;
  // On a SOCK_DGRAM packet socket the filter sees the ARP packet from its hardware type.
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARPHRD_ETHER, 0, 7), // Ethernet
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 5),     // IPv4
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0604, 0, 3),       // 6-byte MACs, 4-byte addresses
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARPOP_REPLY, 0, 1),  // a reply
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog program = {.len = sizeof code / sizeof code[0], .filter = code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) return fd_failed(fd, "attach filter", step);
  struct ifreq request = {0};
  if (if_indextoname((unsigned)ifindex, request.ifr_name) == NULL || ioctl(fd, SIOCGIFHWADDR, &request) != 0) {
    return fd_failed(fd, "the interface's MAC", step);
  }
  if (request.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
    errno = EAFNOSUPPORT;
    return fd_failed(fd, "not an Ethernet interface", step);
  }
  memcpy(mac, request.ifr_hwaddr.sa_data, 6);
  struct sockaddr_ll local = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP), .sll_ifindex = ifindex};
  return bind_fd(fd, &local, sizeof local, step);
}

static arp_socket *arp_socket_call(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const char *usage) {
  return polled_call(env, info, argv, count, &ARP_TAG, usage, "not a netio ARP socket");
}

// openArp(interfaceName, onBatch(count)) -> { socket, input, meta, ifindex, mac }
static napi_value open_arp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "openArp(interfaceName, onBatch)");
    return NULL;
  }
  char ifname[IF_NAMESIZE] = "";
  if (!text_arg(env, argv[0], ifname, sizeof ifname, "interfaceName must be an interface's name (1 to 15 bytes)")) return NULL;
  int ifindex = (int)if_nametoindex(ifname);
  if (ifindex == 0) {
    char what[64];
    snprintf(what, sizeof what, "interface %s", ifname);
    return throw_errno(env, what, errno == 0 ? ENODEV : errno), NULL;
  }
  napi_valuetype callback_type;
  if (napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onBatch must be a function");
    return NULL;
  }
  if (!uv_types_match()) {
    napi_throw_error(env, NULL, "netio was built for another libuv (handle type 8 is not poll): rebuild it");
    return NULL;
  }
  const char *step = "socket";
  uint8_t mac[6];
  int fd = arp_fd(ifindex, mac, &step);
  if (fd < 0) return throw_errno(env, step, errno), NULL;

  arp_socket *s = polled_alloc(sizeof *s, 0);
  napi_value result, external;
  if (s == NULL || napi_create_object(env, &result) != napi_ok || !polled_adopt(env, &s->base, &external)) {
    if (s != NULL) polled_free(&s->base);
    close(fd);
    napi_throw_error(env, "ENOMEM", "cannot create the socket's handle");
    return NULL;
  }
  s->base.fd = fd;
  s->base.msgs = s->msgs;
  s->base.slots = ARP_BATCH;
  s->base.prepare = prepare;
  s->base.describe = describe;
  s->ifindex = ifindex;
  // From here the finalizer owns s: failures below only shut it.
  napi_value input, meta, mac_buffer, number;
  uint8_t *mac_data = NULL;
  int ok = (s->input = polled_buffer(env, &s->base, 0, (size_t)ARP_BATCH * ARP_SLOT, &input)) != NULL &&
           (s->meta = polled_buffer(env, &s->base, 1, (size_t)ARP_BATCH * sizeof(int32_t), &meta)) != NULL &&
           (mac_data = polled_buffer(env, &s->base, 2, 6, &mac_buffer)) != NULL &&
           polled_start(env, &s->base, external, &ARP_TAG, argv[1], "schoolgate:netio-arp");
  if (!ok) return polled_fail(env, &s->base, "cannot start receiving on the ARP socket");
  memcpy(mac_data, mac, 6);
  napi_set_named_property(env, result, "socket", external);
  napi_set_named_property(env, result, "input", input);
  napi_set_named_property(env, result, "meta", meta);
  napi_set_named_property(env, result, "mac", mac_buffer);
  napi_create_int32(env, ifindex, &number);
  napi_set_named_property(env, result, "ifindex", number);
  return result;
}

// sendArp(socket, bytes): one ARP packet (built by JavaScript) to the Ethernet broadcast address.
static napi_value send_arp(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  arp_socket *s = arp_socket_call(env, info, argv, 2, "sendArp(socket, bytes)");
  if (s == NULL) return NULL;
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, argv[1], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "bytes must be a Uint8Array");
    return NULL;
  }
  if (length < ARP_MIN || length > ARP_SLOT) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "an ARP packet is 28 to 64 bytes");
    return NULL;
  }
  if (s->base.fd < 0) return throw_errno(env, "sendArp", EBADF), NULL;
  struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP), .sll_ifindex = s->ifindex, .sll_halen = 6};
  memset(to.sll_addr, 0xff, 6);
  if (sendto(s->base.fd, data, length, 0, (struct sockaddr *)&to, sizeof to) < 0) return throw_errno(env, "sendArp", errno), NULL;
  return NULL;
}

// arpStats(socket) -> [replies received, of which dropped for their size]
static napi_value arp_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  arp_socket *s = arp_socket_call(env, info, argv, 1, "arpStats(socket)");
  if (s == NULL) return NULL;
  return counts_pair(env, s->received, s->oversized);
}

// unrefArp(socket): the socket alone no longer keeps the process alive.
static napi_value unref_arp(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  arp_socket *s = arp_socket_call(env, info, argv, 1, "unrefArp(socket)");
  if (s == NULL) return NULL;
  polled_unref(&s->base);
  return NULL;
}

// closeArp(socket): stops receiving and closes the descriptor; idempotent.
static napi_value close_arp(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  arp_socket *s = arp_socket_call(env, info, argv, 1, "closeArp(socket)");
  if (s == NULL) return NULL;
  polled_shut(&s->base);
  return NULL;
}

void register_arp(napi_env env, napi_value exports) {
  export_function(env, exports, "openArp", open_arp);
  export_function(env, exports, "sendArp", send_arp);
  export_function(env, exports, "arpStats", arp_stats);
  export_function(env, exports, "unrefArp", unref_arp);
  export_function(env, exports, "closeArp", close_arp);
  export_int(env, exports, "ARP_BATCH", ARP_BATCH);
  export_int(env, exports, "ARP_SLOT", ARP_SLOT);
}
