// netio: the socket work Node's dgram cannot do cheaply. The DNS listeners, and the forwarder's
// sockets to its upstreams, receive and send UDP datagrams in batches (recvmmsg/sendmmsg), with
// one call into JavaScript per batch instead of one per datagram plus a buffer, an address
// object and a send request each.
// It also makes the one scheduling call Node lacks (setIdleScheduling, at the end). DHCP's
// interface-bound sockets are in dhcp-io.c and dhcp-send.c, compiled into the same addon (their
// exports are added by this file's module init); netio.h holds what the files share, and
// polled-socket.c the life of a socket (polling, onBatch, closing, freeing) every kind has.
//
// This file only moves bytes between the kernel and buffers that JavaScript reads: it never
// interprets a DNS packet, so no malformed question reaches C code that parses it. Every length it
// is handed from JavaScript is checked against the buffer it indexes before it is used.
//
// Layout shared with firmware/native/netio.ts (change both together). A socket has `slots`
// slots (BATCH for a listener; a few for an upstream socket, which rarely has more to read):
//   input     `slots` slots of SLOT bytes, datagram i at i * SLOT
//   inputMeta `slots` records of META bytes: int32 [0] length, [1] truncated (1: longer than SLOT),
//             [2] source port, [3] family (4|6), [4] IPv4 source (network order, read big-endian
//             by JavaScript), [5] text length; IPv6 source as text (with %scope) at byte TEXT_AT
//   output    `slots` * SLOT bytes of packed datagrams, each at its own offset
//   outputMeta `slots` records: int32 [0] length, [1] offset in output, [2] port, [3] text length;
//             the destination address as text at byte TEXT_AT (on a connected socket, text
//             length 0 sends to the connected address)
//
// A connected socket (an upstream's) also reports errors: onBatch(-errno) when the kernel hands
// one over (an ICMP "port unreachable" becomes ECONNREFUSED), so the forwarder can give up on
// the upstream at once instead of waiting for its timeout.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netio.h"

#define BATCH 64
#define SLOT 4096
#define META 128
#define TEXT_AT 32
#define OUTPUT_BYTES (BATCH * SLOT)

typedef struct {
  // First: polling, onBatch, and the free once libuv and JavaScript are done (polled-socket.c).
  // Its idle handle is armFlush's: onBatch(0) once at the loop's next idle phase, for datagrams
  // queued outside a batch (answers that came from an upstream). An active idle handle also
  // keeps the poll phase from blocking meanwhile (as Node's own setImmediate does).
  polled_socket base;
  int family;
  size_t output_bytes;
  uint8_t *input, *input_meta, *output, *output_meta;
  // `slots` of each, in one allocation after the struct (an upstream socket needs few).
  struct mmsghdr *rmsgs, *smsgs;
  struct iovec *riov, *siov;
  struct sockaddr_storage *raddr, *saddr;
} udp_socket;

static void prepare_receive(polled_socket *base, int i);
static void describe(polled_socket *base, int i);

// The socket, its poll and idle handles and its per-slot message headers; NULL without memory.
static udp_socket *new_socket(int slots) {
  size_t per_slot = 2 * (sizeof(struct sockaddr_storage) + sizeof(struct mmsghdr) + sizeof(struct iovec));
  udp_socket *s = polled_alloc(sizeof(udp_socket) + (size_t)slots * per_slot, 1);
  if (s == NULL) return NULL;
  // sockaddr_storage first: it has the strictest alignment of the three.
  char *at = (char *)(s + 1);
  s->raddr = (struct sockaddr_storage *)at;
  s->saddr = s->raddr + slots;
  s->rmsgs = (struct mmsghdr *)(s->saddr + slots);
  s->smsgs = s->rmsgs + slots;
  s->riov = (struct iovec *)(s->smsgs + slots);
  s->siov = s->riov + slots;
  s->base.msgs = s->rmsgs;
  s->base.slots = slots;
  s->base.prepare = prepare_receive;
  s->base.describe = describe;
  return s;
}

static void prepare_receive(polled_socket *base, int i) {
  udp_socket *s = (udp_socket *)base;
  s->rmsgs[i].msg_hdr.msg_name = &s->raddr[i];
  s->rmsgs[i].msg_hdr.msg_namelen = sizeof(s->raddr[i]);
  s->rmsgs[i].msg_hdr.msg_iov = &s->riov[i];
  s->rmsgs[i].msg_hdr.msg_iovlen = 1;
  s->rmsgs[i].msg_hdr.msg_control = NULL;
  s->rmsgs[i].msg_hdr.msg_controllen = 0;
  s->rmsgs[i].msg_hdr.msg_flags = 0;
  s->riov[i].iov_base = s->input + (size_t)i * SLOT;
  s->riov[i].iov_len = SLOT;
}

static void describe(polled_socket *base, int i) {
  udp_socket *s = (udp_socket *)base;
  int32_t *meta = (int32_t *)(s->input_meta + (size_t)i * META);
  char *text = (char *)(s->input_meta + (size_t)i * META + TEXT_AT);
  meta[0] = (int32_t)s->rmsgs[i].msg_len;
  meta[1] = (s->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0;
  meta[5] = 0;
  if (s->raddr[i].ss_family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&s->raddr[i];
    meta[2] = ntohs(a->sin_port);
    meta[3] = 4;
    memcpy(&meta[4], &a->sin_addr, 4);
  } else if (s->raddr[i].ss_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->raddr[i];
    meta[2] = ntohs(a->sin6_port);
    meta[3] = 6;
    meta[4] = 0;
    if (inet_ntop(AF_INET6, &a->sin6_addr, text, META - TEXT_AT) != NULL) {
      size_t n = strlen(text);
      if (a->sin6_scope_id != 0 && n + 12 < META - TEXT_AT) {
        n += (size_t)snprintf(text + n, META - TEXT_AT - n, "%%%u", (unsigned)a->sin6_scope_id);
      }
      meta[5] = (int32_t)n;
    }
  } else {
    meta[3] = 0; // not an address family we answer: JavaScript drops it
  }
}

static void on_idle(uv_idle_t *handle) {
  polled_socket *s = HANDLE_DATA(handle);
  uv_idle_stop(handle);
  s->idle_armed = 0;
  if (s->fd >= 0) polled_call_js(s, 0);
}

// ---- arguments ------------------------------------------------------------------------------

static const napi_type_tag SOCKET_TAG = {0x7363686f6f6c6761ULL, 0x74652d7564700001ULL};

int throw_errno(napi_env env, const char *what, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_throw_error(env, uv_err_name(-err), message);
  return 0;
}

int int_arg(napi_env env, napi_value value, const char *name, int32_t min, int32_t max, int32_t *out) {
  double number = 0;
  // Whole numbers only: napi_get_value_int32 alone would take 1.5 as 1.
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= min && number <= max) || number != (double)(int32_t)number) {
    char message[96];
    snprintf(message, sizeof message, "%s must be an integer from %d to %d", name, min, max);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
    return 0;
  }
  *out = (int32_t)number;
  return 1;
}

int uv_types_match(void) {
  const char *poll_name = uv_handle_type_name(UV_POLL_TYPE);
  const char *idle_name = uv_handle_type_name(UV_IDLE_TYPE);
  return poll_name != NULL && strcmp(poll_name, "poll") == 0 && idle_name != NULL && strcmp(idle_name, "idle") == 0;
}

// The arguments of a call whose first argument is a socket: `argv` gets `count` of them.
static udp_socket *socket_call(napi_env env, napi_callback_info info, napi_value *argv, size_t count) {
  return polled_call(env, info, argv, count, &SOCKET_TAG, "missing arguments", "not a netio UDP socket");
}

// The socket of a call that takes nothing else.
static udp_socket *socket_only(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  return socket_call(env, info, argv, 1);
}

static int parse_address(int family, const char *text, struct sockaddr_storage *out, socklen_t *length) {
  memset(out, 0, sizeof *out);
  if (family == 4) {
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    a->sin_family = AF_INET;
    *length = sizeof *a;
    return inet_pton(AF_INET, text, &a->sin_addr) == 1;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
  char host[INET6_ADDRSTRLEN + 1];
  const char *scope = strchr(text, '%');
  size_t n = scope ? (size_t)(scope - text) : strlen(text);
  if (n >= sizeof host) return 0;
  memcpy(host, text, n);
  host[n] = '\0';
  a->sin6_family = AF_INET6;
  *length = sizeof *a;
  if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return 0;
  if (scope != NULL) {
    char *end = NULL;
    unsigned long id = strtoul(scope + 1, &end, 10);
    if (end == scope + 1 || *end != '\0') id = if_nametoindex(scope + 1);
    if (id == 0 || id > UINT32_MAX) return 0;
    a->sin6_scope_id = (uint32_t)id;
  }
  return 1;
}

// An address literal and a port from JavaScript, as a socket address of `family`; 0 (with a
// JavaScript error pending) when either is not what it must be.
static int endpoint_arg(napi_env env, napi_value address_value, napi_value port_value, int family, int32_t min_port,
                        struct sockaddr_storage *out, socklen_t *length) {
  char address[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t address_length = 0;
  int32_t port;
  if (napi_get_value_string_utf8(env, address_value, address, sizeof address, &address_length) != napi_ok ||
      address_length + 1 >= sizeof address) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "address must be an IP address literal");
    return 0;
  }
  if (!int_arg(env, port_value, "port", min_port, 65535, &port)) return 0;
  if (!parse_address(family, address, out, length)) {
    napi_throw_error(env, "EINVAL", "address is not an IP address literal of that family");
    return 0;
  }
  if (family == 4) ((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
  else ((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)port);
  return 1;
}

// ---- exports --------------------------------------------------------------------------------

// openUdp(family 4|6, address, port, reusePort, bufferBytes, onBatch(count), slots = BATCH)
//   -> { socket, input, inputMeta, output, outputMeta }
static napi_value open_udp(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 6) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "openUdp(family, address, port, reusePort, bufferBytes, onBatch, slots?)");
    return NULL;
  }
  int32_t family, buffer_bytes, slots = BATCH;
  bool reuse_port = false;
  napi_valuetype callback_type;
  struct sockaddr_storage local;
  socklen_t local_length;
  if (!int_arg(env, argv[0], "family", 4, 6, &family)) return NULL;
  if (family != 4 && family != 6) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "family must be 4 or 6");
    return NULL;
  }
  if (!endpoint_arg(env, argv[1], argv[2], family, 0, &local, &local_length)) return NULL;
  if (napi_get_value_bool(env, argv[3], &reuse_port) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "reusePort must be a boolean");
    return NULL;
  }
  if (!int_arg(env, argv[4], "bufferBytes", 0, 1 << 30, &buffer_bytes)) return NULL;
  if (napi_typeof(env, argv[5], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onBatch must be a function");
    return NULL;
  }
  napi_valuetype slots_type = napi_undefined;
  if (argc > 6 && napi_typeof(env, argv[6], &slots_type) == napi_ok && slots_type != napi_undefined &&
      !int_arg(env, argv[6], "slots", 1, BATCH, &slots))
    return NULL;

  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno), NULL;
  int one = 1;
  if ((family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
      (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)) {
    int err = errno;
    close(fd);
    return throw_errno(env, "setsockopt", err), NULL;
  }
  if (buffer_bytes > 0) {
    // Best effort, as dgram's setRecvBufferSize: the caller reads back what the kernel granted.
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
  }
  if (bind(fd, (struct sockaddr *)&local, local_length) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err), NULL;
  }

  // The handle type is declared here, not taken from uv.h: make sure the number means "poll".
  if (!uv_types_match()) {
    close(fd);
    napi_throw_error(env, NULL, "netio was built for another libuv (handle types 8 and 6 are not poll and idle): rebuild it");
    return NULL;
  }
  udp_socket *s = new_socket(slots);
  if (s == NULL) {
    close(fd);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  s->base.fd = fd;
  s->family = family;
  s->output_bytes = (size_t)slots * SLOT;

  napi_value result, external, buffers[4];
  if (napi_create_object(env, &result) != napi_ok || !polled_adopt(env, &s->base, &external)) {
    close(fd);
    polled_free(&s->base);
    napi_throw_error(env, NULL, "cannot create the socket's handle");
    return NULL;
  }
  // From here the finalizer owns s: failures below only shut it.
  int ok = (s->input = polled_buffer(env, &s->base, 0, (size_t)slots * SLOT, &buffers[0])) != NULL &&
           (s->input_meta = polled_buffer(env, &s->base, 1, (size_t)slots * META, &buffers[1])) != NULL &&
           (s->output = polled_buffer(env, &s->base, 2, s->output_bytes, &buffers[2])) != NULL &&
           (s->output_meta = polled_buffer(env, &s->base, 3, (size_t)slots * META, &buffers[3])) != NULL &&
           polled_start(env, &s->base, external, &SOCKET_TAG, argv[5], "schoolgate:netio-udp");
  if (!ok) return polled_fail(env, &s->base, "cannot start receiving on the socket");
  napi_set_named_property(env, result, "socket", external);
  napi_set_named_property(env, result, "input", buffers[0]);
  napi_set_named_property(env, result, "inputMeta", buffers[1]);
  napi_set_named_property(env, result, "output", buffers[2]);
  napi_set_named_property(env, result, "outputMeta", buffers[3]);
  return result;
}

// sendBatch(socket, count) -> datagrams the kernel took. Records it cannot use (a bad length,
// offset or address) are skipped; a full send buffer ends the batch (UDP: the client asks again).
// On a connected socket that sent nothing because the kernel refused: -errno.
static napi_value send_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  udp_socket *s = socket_call(env, info, argv, 2);
  if (s == NULL) return NULL;
  int32_t count;
  if (!int_arg(env, argv[1], "count", 0, s->base.slots, &count)) return NULL;
  int sent = 0, refused = 0;
  if (s->base.fd >= 0) {
    int ready = 0;
    for (int i = 0; i < count; i++) {
      const int32_t *meta = (const int32_t *)(s->output_meta + (size_t)i * META);
      int32_t length = meta[0], offset = meta[1], port = meta[2], text_length = meta[3];
      if (length <= 0 || offset < 0 || (size_t)offset + (size_t)length > s->output_bytes || text_length < 0 ||
          text_length >= META - TEXT_AT)
        continue;
      if (text_length == 0) {
        // The connected address (an upstream socket's only peer).
        if (!s->base.connected) continue;
        s->siov[ready].iov_base = s->output + offset;
        s->siov[ready].iov_len = (size_t)length;
        memset(&s->smsgs[ready], 0, sizeof s->smsgs[ready]);
        s->smsgs[ready].msg_hdr.msg_iov = &s->siov[ready];
        s->smsgs[ready].msg_hdr.msg_iovlen = 1;
        ready++;
        continue;
      }
      if (port <= 0 || port > 65535) continue;
      char text[META - TEXT_AT + 1];
      memcpy(text, s->output_meta + (size_t)i * META + TEXT_AT, (size_t)text_length);
      text[text_length] = '\0';
      socklen_t address_length;
      if (!parse_address(s->family, text, &s->saddr[ready], &address_length)) continue;
      if (s->family == 4) ((struct sockaddr_in *)&s->saddr[ready])->sin_port = htons((uint16_t)port);
      else ((struct sockaddr_in6 *)&s->saddr[ready])->sin6_port = htons((uint16_t)port);
      s->siov[ready].iov_base = s->output + offset;
      s->siov[ready].iov_len = (size_t)length;
      memset(&s->smsgs[ready], 0, sizeof s->smsgs[ready]);
      s->smsgs[ready].msg_hdr.msg_name = &s->saddr[ready];
      s->smsgs[ready].msg_hdr.msg_namelen = address_length;
      s->smsgs[ready].msg_hdr.msg_iov = &s->siov[ready];
      s->smsgs[ready].msg_hdr.msg_iovlen = 1;
      ready++;
    }
    int done = 0;
    while (done < ready) {
      int n = sendmmsg(s->base.fd, s->smsgs + done, (unsigned)(ready - done), MSG_DONTWAIT);
      if (n > 0) {
        done += n;
        sent += n;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
        break;
      } else {
        refused = errno;
        done++; // this datagram was refused (unreachable, filtered): the next ones may still go
      }
    }
  }
  napi_value result;
  napi_create_int32(env, s->base.connected && sent == 0 && refused != 0 ? -refused : sent, &result);
  return result;
}

// connectUdp(socket, address, port): from now on the kernel takes datagrams from that peer
// only, and reports its ICMP errors (see onBatch). Throws with the errno's code.
static napi_value connect_udp(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  udp_socket *s = socket_call(env, info, argv, 3);
  if (s == NULL) return NULL;
  struct sockaddr_storage peer;
  socklen_t peer_length;
  if (!endpoint_arg(env, argv[1], argv[2], s->family, 1, &peer, &peer_length)) return NULL;
  if (s->base.fd < 0) return throw_errno(env, "connect", EBADF), NULL;
  if (connect(s->base.fd, (struct sockaddr *)&peer, peer_length) != 0) return throw_errno(env, "connect", errno), NULL;
  s->base.connected = 1;
  return NULL;
}

// armFlush(socket): onBatch(0) once at the loop's next idle phase (the listener then sends what
// it queued outside a batch, in one sendmmsg); arming twice before it is one call.
static napi_value arm_flush(napi_env env, napi_callback_info info) {
  udp_socket *s = socket_only(env, info);
  if (s == NULL) return NULL;
  if (s->base.fd >= 0 && !s->base.idle_closed && !s->base.idle_armed) s->base.idle_armed = uv_idle_start(s->base.idle, on_idle) == 0;
  return NULL;
}

// unrefUdp(socket): the socket alone no longer keeps the event loop (the process) alive.
static napi_value unref_udp(napi_env env, napi_callback_info info) {
  udp_socket *s = socket_only(env, info);
  if (s == NULL) return NULL;
  polled_unref(&s->base);
  return NULL;
}

// localPort(socket) -> the bound port (port 0 asks the kernel for one)
static napi_value local_port(napi_env env, napi_callback_info info) {
  udp_socket *s = socket_only(env, info);
  if (s == NULL) return NULL;
  struct sockaddr_storage local;
  socklen_t length = sizeof local;
  if (s->base.fd < 0 || getsockname(s->base.fd, (struct sockaddr *)&local, &length) != 0) return throw_errno(env, "getsockname", s->base.fd < 0 ? EBADF : errno), NULL;
  int port = local.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&local)->sin_port) : ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
  napi_value result;
  napi_create_int32(env, port, &result);
  return result;
}

// bufferSizes(socket) -> [receive, send] as the kernel reports them (Linux: twice the grant)
static napi_value buffer_sizes(napi_env env, napi_callback_info info) {
  udp_socket *s = socket_only(env, info);
  if (s == NULL) return NULL;
  int sizes[2] = {0, 0};
  socklen_t length = sizeof sizes[0];
  if (s->base.fd >= 0) {
    getsockopt(s->base.fd, SOL_SOCKET, SO_RCVBUF, &sizes[0], &length);
    length = sizeof sizes[1];
    getsockopt(s->base.fd, SOL_SOCKET, SO_SNDBUF, &sizes[1], &length);
  }
  napi_value result, value;
  napi_create_array_with_length(env, 2, &result);
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_int32(env, sizes[i], &value);
    napi_set_element(env, result, i, value);
  }
  return result;
}

// closeUdp(socket): stops receiving and closes the descriptor; idempotent.
static napi_value close_udp(napi_env env, napi_callback_info info) {
  udp_socket *s = socket_only(env, info);
  if (s == NULL) return NULL;
  polled_shut(&s->base);
  return NULL;
}

// setIdleScheduling(tid, idle): one scheduling call Node lacks, for the query log's writer thread
// (monitor/query-log/writer-scheduling.ts). In the idle class (SCHED_IDLE) a thread runs only on a core
// nothing else wants and never preempts the DNS thread; nice 19 alone still preempts it on wakeup.
// Throws with the errno's code: EPERM when leaving the idle class needs LimitNICE or CAP_SYS_NICE.
static napi_value set_idle_scheduling(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "setIdleScheduling(tid, idle)");
    return NULL;
  }
  int32_t tid;
  if (!int_arg(env, argv[0], "tid", 1, INT32_MAX, &tid)) return NULL;
  bool idle;
  if (napi_get_value_bool(env, argv[1], &idle) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "idle must be a boolean");
    return NULL;
  }
  struct sched_param param = {.sched_priority = 0};
  if (sched_setscheduler((pid_t)tid, idle ? SCHED_IDLE : SCHED_OTHER, &param) != 0) return throw_errno(env, "sched_setscheduler", errno), NULL;
  return NULL;
}

void export_function(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value value;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &value);
  napi_set_named_property(env, exports, name, value);
}

void export_int(napi_env env, napi_value exports, const char *name, int32_t n) {
  napi_value value;
  napi_create_int32(env, n, &value);
  napi_set_named_property(env, exports, name, value);
}

NAPI_MODULE_INIT() {
  export_function(env, exports, "openUdp", open_udp);
  export_function(env, exports, "sendBatch", send_batch);
  export_function(env, exports, "localPort", local_port);
  export_function(env, exports, "bufferSizes", buffer_sizes);
  export_function(env, exports, "closeUdp", close_udp);
  export_function(env, exports, "connectUdp", connect_udp);
  export_function(env, exports, "unrefUdp", unref_udp);
  export_function(env, exports, "armFlush", arm_flush);
  export_function(env, exports, "setIdleScheduling", set_idle_scheduling);
  export_int(env, exports, "BATCH", BATCH);
  export_int(env, exports, "SLOT", SLOT);
  export_int(env, exports, "META", META);
  export_int(env, exports, "TEXT_AT", TEXT_AT);
  export_int(env, exports, "OUTPUT_BYTES", OUTPUT_BYTES);
  register_dhcp(env, exports);
  register_arp(env, exports);
  register_sd_notify(env, exports);
  return exports;
}
