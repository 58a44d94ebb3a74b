/*
 * LD_PRELOAD shim for a server that has no listen-address option: gnutls-serv binds the wildcard
 * address of every family getaddrinfo(NULL, port, AI_PASSIVE) returns (src/serv.c, listen_socket)
 * and skips a family whose bind fails. The harness's network rule is that servers listen on
 * 127.0.0.0/8 only, so this rewrites a bind to 0.0.0.0 into a bind to MTLS_BIND_HOST (which must be
 * a 127.x.y.z address) and refuses a bind to ::. Without a valid MTLS_BIND_HOST every wildcard bind
 * is refused, so the server cannot start rather than listen everywhere.
 *
 * Each rewrite is announced on stderr ("loopback-bind: 0.0.0.0:PORT -> HOST:PORT"). gnutls-serv
 * prints "listening on IPv4 0.0.0.0" whether or not the shim is loaded, so the announcement is how
 * the harness knows the shim took effect (harness/stacks/gnutls/adapter.ts stops a server without it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static bind_fn real_bind;
  if (!real_bind) real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
  if (addr != NULL && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
    if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) {
      errno = EADDRNOTAVAIL;
      return -1;
    }
  }
  if (addr != NULL && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
    if (in->sin_addr.s_addr == htonl(INADDR_ANY)) {
      const char *host = getenv("MTLS_BIND_HOST");
      struct sockaddr_in loopback = *in;
      if (host == NULL || inet_pton(AF_INET, host, &loopback.sin_addr) != 1 || (ntohl(loopback.sin_addr.s_addr) >> 24) != 127) {
        errno = EADDRNOTAVAIL;
        return -1;
      }
      int result = real_bind(fd, (const struct sockaddr *)&loopback, sizeof loopback);
      if (result == 0) {
        /* write(2), not stdio: the line must not wait in a buffer the program may never flush. */
        char line[96];
        int length = snprintf(line, sizeof line, "loopback-bind: 0.0.0.0:%u -> %s:%u\n", ntohs(in->sin_port), host, ntohs(in->sin_port));
        if (length > 0 && (size_t)length < sizeof line) {
          int saved = errno;
          (void)!write(STDERR_FILENO, line, (size_t)length);
          errno = saved;
        }
      }
      return result;
    }
  }
  return real_bind(fd, addr, len);
}
