/*
 * LD_PRELOAD shim for a client that resolves the same name it sends and verifies and has no option
 * to dial another address: `botan tls_client HOST` calls getaddrinfo(HOST) (Botan 2.19,
 * src/cli/tls_client.cpp, connect_to_host), and the scenario names (api.mesh.test) are in no
 * resolver. This answers getaddrinfo(MTLS_PIN_NAME) with MTLS_PIN_ADDRESS, which must be a
 * 127.x.y.z address (the harness's network rule), as curl's --resolve does; any other name goes to
 * the real getaddrinfo. A pinned name with an address outside 127.0.0.0/8 fails to resolve.
 *
 * Each pinned lookup is announced on stderr ("pin-host: NAME -> ADDRESS") so the harness knows the
 * shim took effect (harness/stacks/botan/adapter.ts).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*getaddrinfo_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
  static getaddrinfo_fn real_getaddrinfo;
  if (!real_getaddrinfo) real_getaddrinfo = (getaddrinfo_fn)dlsym(RTLD_NEXT, "getaddrinfo");
  const char *name = getenv("MTLS_PIN_NAME");
  if (node == NULL || name == NULL || strcmp(node, name) != 0) return real_getaddrinfo(node, service, hints, res);
  const char *address = getenv("MTLS_PIN_ADDRESS");
  struct in_addr parsed;
  if (address == NULL || inet_pton(AF_INET, address, &parsed) != 1 || (ntohl(parsed.s_addr) >> 24) != 127) return EAI_NONAME;
  struct addrinfo numeric;
  memset(&numeric, 0, sizeof numeric);
  if (hints != NULL) numeric = *hints;
  numeric.ai_family = AF_INET;
  numeric.ai_flags |= AI_NUMERICHOST;
  int result = real_getaddrinfo(address, service, &numeric, res);
  if (result == 0) {
    /* write(2), not stdio: the line must not wait in a buffer the program may never flush. */
    char line[320];
    int length = snprintf(line, sizeof line, "pin-host: %s -> %s\n", node, address);
    if (length > 0 && (size_t)length < sizeof line) {
      int saved = errno;
      (void)!write(STDERR_FILENO, line, (size_t)length);
      errno = saved;
    }
  }
  return result;
}
