// sdNotify(socketPath, message): one datagram to the service manager's notification socket
// (systemd's sd_notify protocol), which Node cannot send: it has no unix datagram sockets.
// A path starting with '@' names the abstract namespace, as $NOTIFY_SOCKET writes it. Throws with
// the errno's code; the caller (firmware/service/notify.ts) decides what a failure means.
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "netio.h"

static napi_value sd_notify_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "sdNotify(socketPath, message)");
    return NULL;
  }
  struct sockaddr_un to = {.sun_family = AF_UNIX};
  size_t path_length = 0;
  if (napi_get_value_string_utf8(env, argv[0], to.sun_path, sizeof to.sun_path, &path_length) != napi_ok || path_length < 2 ||
      path_length >= sizeof to.sun_path - 1) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "socketPath must be an absolute path or an @abstract name shorter than 107 bytes");
    return NULL;
  }
  if (to.sun_path[0] != '/' && to.sun_path[0] != '@') {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "socketPath must start with / or @");
    return NULL;
  }
  // The abstract name is the bytes after a leading NUL, exactly path_length long: no terminator.
  if (to.sun_path[0] == '@') to.sun_path[0] = '\0';
  socklen_t to_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length + (to.sun_path[0] == '\0' ? 0 : 1));

  char message[4096];
  size_t message_length = 0;
  if (napi_get_value_string_utf8(env, argv[1], message, sizeof message, &message_length) != napi_ok || message_length == 0 ||
      message_length >= sizeof message - 1) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "message must be a string of 1 to 4094 bytes");
    return NULL;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno), NULL;
  ssize_t sent;
  do sent = sendto(fd, message, message_length, MSG_NOSIGNAL, (struct sockaddr *)&to, to_length);
  while (sent < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (sent < 0) return throw_errno(env, "sendto", err), NULL;
  return NULL;
}

void register_sd_notify(napi_env env, napi_value exports) {
  export_function(env, exports, "sdNotify", sd_notify_send);
}
