// The life of a socket the addon hands to JavaScript, whatever its kind (netio.c's batched UDP,
// dhcp-io.c's DHCP and frame sockets): a uv_poll handle that reads batches with recvmmsg and
// calls onBatch, and memory freed only once libuv (the handles' close callbacks) and JavaScript
// (the external's finalizer) are both done with it, whichever finishes last. Either can come
// first: closeUdp/closeDhcp close the handles long before the garbage collector runs, and at a
// worker's exit the environment's cleanup hook shuts sockets JavaScript never closed.
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netio.h"

// Batches taken per wakeup before other handles get their turn (the poll fires again if more wait).
#define ROUNDS 4

void *polled_alloc(size_t size, int idle) {
  polled_socket *s = calloc(1, size);
  uv_poll_t *poll = calloc(1, uv_handle_size(UV_POLL_TYPE));
  uv_idle_t *idle_handle = idle ? calloc(1, uv_handle_size(UV_IDLE_TYPE)) : NULL;
  if (s == NULL || poll == NULL || (idle && idle_handle == NULL)) {
    free(s);
    free(poll);
    free(idle_handle);
    return NULL;
  }
  s->fd = -1;
  s->poll = poll;
  s->handle_closed = 1; // until uv_poll_init succeeds
  s->idle = idle_handle;
  s->idle_closed = 1; // until uv_idle_init succeeds (or for good, without an idle handle)
  return s;
}

void polled_free(polled_socket *s) {
  if (s == NULL) return;
  free(s->poll);
  free(s->idle);
  free(s);
}

static void maybe_free(polled_socket *s) {
  if (s->finalized && s->handle_closed && s->idle_closed) polled_free(s);
}

static void on_closed(uv_handle_t *handle) {
  polled_socket *s = HANDLE_DATA(handle);
  s->handle_closed = 1;
  maybe_free(s);
}

static void on_idle_closed(uv_handle_t *handle) {
  polled_socket *s = HANDLE_DATA(handle);
  s->idle_closed = 1;
  maybe_free(s);
}

void polled_shut(polled_socket *s) {
  if (s->fd < 0) return;
  if (s->polling) {
    uv_poll_stop(s->poll);
    s->polling = 0;
  }
  if (!s->handle_closed && s->poll != NULL) uv_close((uv_handle_t *)s->poll, on_closed);
  if (s->idle_armed) {
    uv_idle_stop(s->idle);
    s->idle_armed = 0;
  }
  if (!s->idle_closed && s->idle != NULL) uv_close((uv_handle_t *)s->idle, on_idle_closed);
  close(s->fd);
  s->fd = -1;
  for (int i = 0; i < POLLED_BUFFERS; i++) {
    if (s->buffers[i] != NULL) napi_delete_reference(s->env, s->buffers[i]);
    s->buffers[i] = NULL;
  }
  if (s->on_batch != NULL) napi_delete_reference(s->env, s->on_batch);
  s->on_batch = NULL;
  if (s->async != NULL) napi_async_destroy(s->env, s->async);
  s->async = NULL;
}

static void cleanup_hook(void *arg) {
  polled_shut((polled_socket *)arg);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  polled_socket *s = data;
  napi_remove_env_cleanup_hook(env, cleanup_hook, s);
  polled_shut(s);
  s->finalized = 1;
  maybe_free(s);
}

void polled_unref(polled_socket *s) {
  if (!s->handle_closed && s->poll != NULL) uv_unref((uv_handle_t *)s->poll);
}

void polled_call_js(polled_socket *s, int value) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  napi_value callback, receiver, argument, result;
  if (s->on_batch != NULL && napi_get_reference_value(s->env, s->on_batch, &callback) == napi_ok && callback != NULL &&
      napi_get_global(s->env, &receiver) == napi_ok && napi_create_int32(s->env, value, &argument) == napi_ok) {
    // make_callback, not call_function: it runs the microtasks and ticks the batch queued.
    if (napi_make_callback(s->env, s->async, receiver, callback, 1, &argument, &result) == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(s->env, &error);
      napi_fatal_exception(s->env, error);
    }
  }
  napi_close_handle_scope(s->env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  polled_socket *s = HANDLE_DATA(handle);
  if (s->fd < 0) return;
  if (status < 0) {
    // libuv stops a poll handle that reports POLLERR. Reading SO_ERROR clears the socket's
    // pending error; then receiving resumes, so a listener never goes deaf over one ICMP error.
    int pending = 0;
    socklen_t length = sizeof pending;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &pending, &length);
    s->polling = uv_poll_start(handle, UV_READABLE, on_readable) == 0;
    if (pending != 0 && s->connected) polled_call_js(s, -pending);
    if (!s->polling || s->fd < 0) return;
  }
  for (int round = 0; round < ROUNDS && s->fd >= 0; round++) {
    for (int i = 0; i < s->slots; i++) s->prepare(s, i);
    int n = recvmmsg(s->fd, s->msgs, (unsigned)s->slots, MSG_DONTWAIT, NULL);
    if (n < 0 && s->connected && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      polled_call_js(s, -errno);
      continue; // the error is consumed: datagrams behind it can still be read
    }
    if (n <= 0) return; // EAGAIN: drained; anything else: the poll fires again or the socket is closing
    for (int i = 0; i < n; i++) s->describe(s, i);
    polled_call_js(s, n);
    if (n < s->slots) return;
  }
}

int polled_adopt(napi_env env, polled_socket *s, napi_value *external) {
  s->env = env;
  if (napi_create_external(env, s, finalize, NULL, external) != napi_ok) return 0;
  napi_add_env_cleanup_hook(env, cleanup_hook, s);
  return 1;
}

int polled_start(napi_env env, polled_socket *s, napi_value external, const napi_type_tag *tag, napi_value on_batch, const char *async_name) {
  napi_value name;
  uv_loop_t *loop = NULL;
  int ok = napi_type_tag_object(env, external, tag) == napi_ok &&
           napi_create_reference(env, on_batch, 1, &s->on_batch) == napi_ok &&
           napi_create_string_utf8(env, async_name, NAPI_AUTO_LENGTH, &name) == napi_ok &&
           napi_async_init(env, NULL, name, &s->async) == napi_ok &&
           napi_get_uv_event_loop(env, (struct uv_loop_s **)&loop) == napi_ok && loop != NULL;
  if (!ok || uv_poll_init(loop, s->poll, s->fd) != 0) return 0;
  s->handle_closed = 0;
  HANDLE_DATA(s->poll) = s;
  s->polling = uv_poll_start(s->poll, UV_READABLE, on_readable) == 0;
  if (!s->polling) return 0;
  if (s->idle == NULL) return 1;
  if (uv_idle_init(loop, s->idle) != 0) return 0;
  s->idle_closed = 0;
  HANDLE_DATA(s->idle) = s;
  // Armed for one loop turn at a time: it must not be what keeps the process alive.
  uv_unref((uv_handle_t *)s->idle);
  return 1;
}

napi_value polled_fail(napi_env env, polled_socket *s, const char *message) {
  polled_shut(s);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, NULL, message);
  return NULL;
}

void *polled_call(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const napi_type_tag *tag, const char *usage,
                  const char *not_socket) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < count) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", usage);
    return NULL;
  }
  bool tagged = false;
  void *data = NULL;
  if (napi_check_object_type_tag(env, argv[0], tag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", not_socket);
    return NULL;
  }
  return data;
}

void *polled_buffer(napi_env env, polled_socket *s, int index, size_t bytes, napi_value *buffer) {
  void *data = NULL;
  if (napi_create_arraybuffer(env, bytes, &data, buffer) != napi_ok || data == NULL) return NULL;
  memset(data, 0, bytes);
  if (napi_create_reference(env, *buffer, 1, &s->buffers[index]) != napi_ok) return NULL;
  return data;
}

napi_value counts_pair(napi_env env, double first, double second) {
  napi_value result, value;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, first, &value);
  napi_set_element(env, result, 0, value);
  napi_create_double(env, second, &value);
  napi_set_element(env, result, 1, value);
  return result;
}
