// What the addon's C files share: the few libuv calls a poll handle needs, the socket lifecycle
// every socket kind has (polled-socket.c), and the argument and error helpers every export uses.
// netio.c (batched UDP for DNS, scheduling), dhcp-io.c, dhcp-send.c and dhcp-frames.c (DHCP's
// interface-bound sockets) compile into the one netio.node.
#ifndef SCHOOLGATE_NETIO_H
#define SCHOOLGATE_NETIO_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

// libuv, as exported by the node binary: only what a poll handle needs, declared here so the
// build needs no libuv headers (their ABI is stable across libuv 1.x, which Node 24 carries).
typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
typedef struct uv_poll_s uv_poll_t;
typedef struct uv_idle_s uv_idle_t;
typedef void (*uv_poll_cb)(uv_poll_t *handle, int status, int events);
typedef void (*uv_idle_cb)(uv_idle_t *handle);
typedef void (*uv_close_cb)(uv_handle_t *handle);
extern int uv_poll_init(uv_loop_t *loop, uv_poll_t *handle, int fd);
extern int uv_poll_start(uv_poll_t *handle, int events, uv_poll_cb cb);
extern int uv_poll_stop(uv_poll_t *handle);
extern int uv_idle_init(uv_loop_t *loop, uv_idle_t *handle);
extern int uv_idle_start(uv_idle_t *handle, uv_idle_cb cb);
extern int uv_idle_stop(uv_idle_t *handle);
extern void uv_close(uv_handle_t *handle, uv_close_cb cb);
extern void uv_unref(uv_handle_t *handle);
extern size_t uv_handle_size(int type);
extern const char *uv_err_name(int err);
extern const char *uv_handle_type_name(int type);
#define UV_POLL_TYPE 8 /* uv_handle_type UV_POLL */
#define UV_IDLE_TYPE 6 /* uv_handle_type UV_IDLE */
#define UV_READABLE 1
// uv_handle_t starts with `void *data` in every libuv 1.x.
#define HANDLE_DATA(h) (*(void **)(h))

// Not exported from the shared object: only Node-API's entry point is.
#define NETIO_INTERNAL __attribute__((visibility("hidden")))

// Throws an Error whose code is the errno's name (EADDRINUSE...); returns 0 for `return ..., NULL`.
NETIO_INTERNAL int throw_errno(napi_env env, const char *what, int err);
// A whole number from min to max, or a RangeError (ERR_OUT_OF_RANGE) and 0.
NETIO_INTERNAL int int_arg(napi_env env, napi_value value, const char *name, int32_t min, int32_t max, int32_t *out);
// Whether the declared handle type numbers still mean poll and idle in the running libuv.
NETIO_INTERNAL int uv_types_match(void);
NETIO_INTERNAL void export_function(napi_env env, napi_value exports, const char *name, napi_callback fn);
NETIO_INTERNAL void export_int(napi_env env, napi_value exports, const char *name, int32_t n);

// ---- a socket JavaScript holds (polled-socket.c) -----------------------------------------------

struct mmsghdr;

// The ArrayBuffers a socket shares with JavaScript, held until it closes (DNS's have four).
#define POLLED_BUFFERS 4

// What every socket kind's struct starts with (so the one pointer frees the whole block): a poll
// handle that receives batches with recvmmsg and calls onBatch(count), an optional idle handle
// (the DNS sockets' armFlush), and what it takes to free the memory once libuv and JavaScript are
// both done with it.
typedef struct polled_socket polled_socket;
struct polled_socket {
  napi_env env;
  napi_ref on_batch;
  napi_ref buffers[POLLED_BUFFERS];
  napi_async_context async;
  int fd;
  int connected; // a connected UDP socket (an upstream's): receive errors reach onBatch as -errno
  uv_poll_t *poll;
  int polling;
  int finalized;     // the JavaScript handle is gone
  int handle_closed; // libuv has released the poll handle (or never had it)
  uv_idle_t *idle;   // NULL for a socket kind without one
  int idle_closed;   // libuv has released the idle handle (or never had it)
  int idle_armed;
  // `slots` message headers for recvmmsg; `prepare` readies header i before each batch, `describe`
  // writes datagram i's meta record for JavaScript after it.
  struct mmsghdr *msgs;
  int slots;
  void (*prepare)(polled_socket *s, int i);
  void (*describe)(polled_socket *s, int i);
};

// A zeroed struct of `size` bytes starting with a polled_socket, with a poll handle and, if
// `idle`, an idle handle (neither initialised yet); NULL when memory runs out.
NETIO_INTERNAL void *polled_alloc(size_t size, int idle);
// Frees what polled_alloc made, for a socket JavaScript never got; NULL is nothing to free.
NETIO_INTERNAL void polled_free(polled_socket *s);
// The external JavaScript holds `s` by: its finalizer frees it, and the environment's teardown
// shuts it. 0 when it cannot be made (then `s` is still the caller's to free); from 1 on, the
// finalizer owns `s` and failures only shut it (polled_fail).
NETIO_INTERNAL int polled_adopt(napi_env env, polled_socket *s, napi_value *external);
// Tags the external as the socket kind's, holds onBatch, and starts receiving on `s->fd` (and
// readies the idle handle, if any). 0 on failure: then return polled_fail.
NETIO_INTERNAL int polled_start(napi_env env, polled_socket *s, napi_value external, const napi_type_tag *tag, napi_value on_batch,
                                const char *async_name);
// Shuts an adopted socket that failed to start and throws `message` unless an error is pending; NULL.
NETIO_INTERNAL napi_value polled_fail(napi_env env, polled_socket *s, const char *message);
// Stops receiving, closes the descriptor and drops JavaScript's buffers and callback; idempotent.
// The memory lives on until libuv and JavaScript are both done with it.
NETIO_INTERNAL void polled_shut(polled_socket *s);
// The socket alone no longer keeps the event loop alive.
NETIO_INTERNAL void polled_unref(polled_socket *s);
// [first, second] as a JavaScript array of numbers: a socket kind's counters for its stats call.
NETIO_INTERNAL napi_value counts_pair(napi_env env, double first, double second);
// onBatch(value): a count of datagrams, 0 for a flush, or -errno on a connected socket.
NETIO_INTERNAL void polled_call_js(polled_socket *s, int value);
// The socket (tagged `tag`) of a call whose first argument is one: `argv` gets `count` arguments.
// NULL with a TypeError pending (`usage` when arguments are missing, `not_socket` for another value).
NETIO_INTERNAL void *polled_call(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const napi_type_tag *tag,
                                 const char *usage, const char *not_socket);
// A zeroed ArrayBuffer of `bytes` for JavaScript (into `*buffer`), held in `s->buffers[index]`
// until the socket shuts: its data, or NULL when it cannot be made.
NETIO_INTERNAL void *polled_buffer(napi_env env, polled_socket *s, int index, size_t bytes, napi_value *buffer);

// dhcp-io.c's exports, added to the module's by netio.c's init.
NETIO_INTERNAL void register_dhcp(napi_env env, napi_value exports);
// arp-probe.c's exports (the DHCP server's ARP probe), added the same way.
NETIO_INTERNAL void register_arp(napi_env env, napi_value exports);
// sd-notify.c's export (the service manager's notifications), added the same way.
NETIO_INTERNAL void register_sd_notify(napi_env env, napi_value exports);

#endif
