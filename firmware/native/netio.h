// What the addon's C files share: the few libuv calls a poll handle needs, and the argument and
// error helpers every export uses. netio.c (batched UDP for DNS, scheduling), dhcp-io.c and
// dhcp-send.c (DHCP's interface-bound sockets) compile into the one netio.node.
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

// dhcp-io.c's exports, added to the module's by netio.c's init.
NETIO_INTERNAL void register_dhcp(napi_env env, napi_value exports);

#endif
