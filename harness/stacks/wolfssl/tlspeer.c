/*
 * wolfSSL as a peer (docs/peer-protocol.md): a server forking one child per connection, and a
 * one-connection client. Part of the protocol only: no --allow-identity, --verify-ip or
 * --expect-uri (unknown flags here, and not declared in stack.ts), and the key pairs and CRLs are
 * read once at start. Errors are wolfSSL's own: its error string and code, then the fatal alerts
 * received and sent, then the verify callback's first refusal, which classify.ts reads.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/openssl/x509v3.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CRLS 16
#define MAX_SNI 16

struct sni_identity {
  char *name, *cert, *chain, *key;
  WOLFSSL_CTX *ctx;
};

struct options {
  const char *listen, *key_pair, *client_auth, *client_ca, *min_version;
  const char *crls[MAX_CRLS];
  int crl_count;
  struct sni_identity sni[MAX_SNI];
  int sni_count;
  const char *connect, *servername, *ca, *verify_name, *cert, *chain, *key, *timeout_ms;
};

static void bad_input(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  exit(2);
}

static int is_server_flag(const char *name) {
  static const char *const names[] = {"listen", "key-pair", "client-auth", "client-ca", "crl", "sni", "min-version", NULL};
  for (int i = 0; names[i]; i++) if (strcmp(name, names[i]) == 0) return 1;
  return 0;
}

static int is_client_flag(const char *name) {
  static const char *const names[] = {"connect", "servername", "ca", "verify-name", "cert", "chain", "key", "timeout-ms", NULL};
  for (int i = 0; names[i]; i++) if (strcmp(name, names[i]) == 0) return 1;
  return 0;
}

static void set_flag(struct options *o, const char *name, const char *value) {
  if (*value == '\0') return; /* an empty value is the flag left out */
  if (strcmp(name, "listen") == 0) o->listen = value;
  else if (strcmp(name, "key-pair") == 0) o->key_pair = value;
  else if (strcmp(name, "client-auth") == 0) o->client_auth = value;
  else if (strcmp(name, "client-ca") == 0) o->client_ca = value;
  else if (strcmp(name, "crl") == 0) {
    if (o->crl_count == MAX_CRLS) bad_input("failed to parse arguments: more than %d --crl flags", MAX_CRLS);
    o->crls[o->crl_count++] = value;
  } else if (strcmp(name, "sni") == 0) {
    if (o->sni_count == MAX_SNI) bad_input("failed to parse arguments: more than %d --sni flags", MAX_SNI);
    o->sni[o->sni_count++].name = strdup(value); /* split in run_server, after the flags' form */
  } else if (strcmp(name, "min-version") == 0) o->min_version = value;
  else if (strcmp(name, "connect") == 0) o->connect = value;
  else if (strcmp(name, "servername") == 0) o->servername = value;
  else if (strcmp(name, "ca") == 0) o->ca = value;
  else if (strcmp(name, "verify-name") == 0) o->verify_name = value;
  else if (strcmp(name, "cert") == 0) o->cert = value;
  else if (strcmp(name, "chain") == 0) o->chain = value;
  else if (strcmp(name, "key") == 0) o->key = value;
  else if (strcmp(name, "timeout-ms") == 0) o->timeout_ms = value;
}

static void parse_flags(struct options *o, int argc, char **argv, int server) {
  for (int i = 2; i < argc; i++) {
    const char *arg = argv[i];
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') bad_input("failed to parse arguments: unexpected argument %s", arg);
    const char *name = arg + 2;
    if (!(server ? is_server_flag(name) : is_client_flag(name))) bad_input("failed to parse arguments: unknown flag --%s", name);
    if (i + 1 >= argc) bad_input("failed to parse arguments: flag needs a value: --%s", name);
    set_flag(o, name, argv[++i]);
  }
}

/* "127.x.y.z:port" or "[::1]:port", loopback only. */
static socklen_t parse_address(const char *text, struct sockaddr_storage *out) {
  char host[64];
  const char *colon = strrchr(text, ':');
  if (!colon || colon == text || (size_t)(colon - text) >= sizeof host) bad_input("failed to parse address %s: want HOST:PORT", text);
  memcpy(host, text, colon - text);
  host[colon - text] = '\0';
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535) bad_input("failed to parse address %s: want HOST:PORT", text);
  memset(out, 0, sizeof *out);
  size_t len = strlen(host);
  if (host[0] == '[' && len > 2 && host[len - 1] == ']') {
    host[len - 1] = '\0';
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) bad_input("failed to parse address %s: want HOST:PORT", text);
    if (!IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr)) bad_input("failed to accept address %s: not a loopback IP", text);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    return sizeof *a6;
  }
  struct sockaddr_in *a4 = (struct sockaddr_in *)out;
  if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) bad_input("failed to parse address %s: want HOST:PORT", text);
  if ((ntohl(a4->sin_addr.s_addr) >> 24) != 127) bad_input("failed to accept address %s: not a loopback IP", text);
  a4->sin_family = AF_INET;
  a4->sin_port = htons((uint16_t)port);
  return sizeof *a4;
}

static void format_address(const struct sockaddr_storage *a, char *out, size_t size) {
  char host[INET6_ADDRSTRLEN];
  if (a->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
    inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof host);
    snprintf(out, size, "[%s]:%u", host, ntohs(a6->sin6_port));
  } else {
    const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
    inet_ntop(AF_INET, &a4->sin_addr, host, sizeof host);
    snprintf(out, size, "%s:%u", host, ntohs(a4->sin_port));
  }
}

static const char *error_text(int code) {
  static char text[WOLFSSL_MAX_ERROR_SZ];
  wolfSSL_ERR_error_string_n((unsigned long)code, text, sizeof text);
  return text;
}

static int load_pem_files(const char *first, const char *second, char **out, size_t *len);

/* The first certificate the chain check refused: the handshake's own error is often only
 * "certificate verify failed" (ASN_NO_SIGNER_E), whichever certificate of the chain failed. */
static char chain_failure[256];

static int note_chain_failure(int preverified, WOLFSSL_X509_STORE_CTX *store) {
  if (!preverified && chain_failure[0] == '\0') {
    /* wolfSSL reports either its own (negative) error or an X509_V_ERR number (positive). */
    int code = wolfSSL_X509_STORE_CTX_get_error(store);
    int depth = wolfSSL_X509_STORE_CTX_get_error_depth(store);
    if (code < 0) snprintf(chain_failure, sizeof chain_failure, "; chain: depth %d: %s (%d)", depth, error_text(code), code);
    else snprintf(chain_failure, sizeof chain_failure, "; chain: depth %d: %s (X509_V_ERR %d)", depth, wolfSSL_X509_verify_cert_error_string(code), code);
  }
  return preverified;
}

/* wolfSSL's verdict on a failed call: its error, then the fatal alerts received and sent, then the chain check's. */
static const char *tls_failure(WOLFSSL *ssl, int ret) {
  static char text[768];
  int code = wolfSSL_get_error(ssl, ret);
  int n;
  if (code == SOCKET_ERROR_E || code == WOLFSSL_ERROR_SYSCALL) n = snprintf(text, sizeof text, "%s (%d): %s", error_text(code), code, errno ? strerror(errno) : "connection closed");
  else n = snprintf(text, sizeof text, "%s (%d)", error_text(code), code);
  WOLFSSL_ALERT_HISTORY history;
  if (wolfSSL_get_alert_history(ssl, &history) == WOLFSSL_SUCCESS) {
    if (history.last_rx.level == alert_fatal) n += snprintf(text + n, sizeof text - n, ", received alert %d", history.last_rx.code);
    if (history.last_tx.level == alert_fatal && n < (int)sizeof text) n += snprintf(text + n, sizeof text - n, ", sent alert %d", history.last_tx.code);
  }
  if (n < (int)sizeof text) snprintf(text + n, sizeof text - n, "%s", chain_failure);
  return text;
}

static const char *load_failure(int ret) {
  return error_text(ret);
}

/* Through the X509_STORE, not wolfSSL_CTX_LoadCRLFile: that one checks the CRL's signature at load
 * time and refuses one an intermediate signed (its signer is no trust anchor); a CRL added to the
 * store is checked against its signer when a chain uses it. */
static void load_crl(WOLFSSL_CTX *ctx, const char *file) {
  FILE *in = fopen(file, "rb");
  if (!in) bad_input("failed to load the CRL %s: %s", file, strerror(errno));
  int count = 0;
  WOLFSSL_X509_CRL *crl;
  while ((crl = wolfSSL_PEM_read_X509_CRL(in, NULL, NULL, NULL)) != NULL) {
    int ret = wolfSSL_X509_STORE_add_crl(wolfSSL_CTX_get_cert_store(ctx), crl);
    wolfSSL_X509_CRL_free(crl);
    if (ret != WOLFSSL_SUCCESS) bad_input("failed to load the CRL %s: %s", file, load_failure(ret));
    count++;
  }
  fclose(in);
  if (count == 0) bad_input("failed to load the CRL %s: no PEM CRL in it", file);
  wolfSSL_CTX_EnableCRL(ctx, WOLFSSL_CRL_CHECKALL);
}

static void set_timeouts(int fd, long ms) {
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static void set_min_version(WOLFSSL_CTX *ctx, const char *version) {
  if (!version) return;
  wolfSSL_CTX_SetMinVersion(ctx, strcmp(version, "TLSv1.3") == 0 ? WOLFSSL_TLSV1_3 : WOLFSSL_TLSV1_2);
}

/* The first URI SAN of the peer's certificate, or NULL. */
static char *first_uri_san(WOLFSSL_X509 *cert) {
  char *found = NULL;
  WOLF_STACK_OF(WOLFSSL_GENERAL_NAME) *names = wolfSSL_X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  if (!names) return NULL;
  for (int i = 0; i < wolfSSL_sk_GENERAL_NAME_num(names) && !found; i++) {
    WOLFSSL_GENERAL_NAME *name = wolfSSL_sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_URI) found = strndup((const char *)wolfSSL_ASN1_STRING_data(name->d.uniformResourceIdentifier), wolfSSL_ASN1_STRING_length(name->d.uniformResourceIdentifier));
  }
  wolfSSL_sk_GENERAL_NAME_pop_free(names, wolfSSL_GENERAL_NAME_free);
  return found;
}

static void serve_connection(WOLFSSL_CTX *ctx, int fd) {
  set_timeouts(fd, 10000);
  alarm(10);
  WOLFSSL *ssl = wolfSSL_new(ctx);
  wolfSSL_set_fd(ssl, fd);
  int ret = wolfSSL_accept(ssl);
  if (ret != WOLFSSL_SUCCESS) {
    printf("rejected: %s\n", tls_failure(ssl, ret));
    return;
  }
  const char *version = wolfSSL_get_version(ssl);
  printf("served: %s %s\n", version, wolfSSL_get_cipher_name(ssl));
  WOLFSSL_X509 *peer = wolfSSL_get_peer_certificate(ssl);
  int authorized = peer != NULL && wolfSSL_get_verify_result(ssl) == X509_V_OK;
  char *identity = peer ? first_uri_san(peer) : NULL;
  char request[8192];
  size_t got = 0;
  while (got < sizeof request - 1) {
    int n = wolfSSL_read(ssl, request + got, (int)(sizeof request - 1 - got));
    if (n <= 0) break;
    got += (size_t)n;
    request[got] = '\0';
    if (strstr(request, "\r\n\r\n") || strstr(request, "\n\n")) break;
  }
  char body[1024], response[1400];
  if (identity) snprintf(body, sizeof body, "{\"identity\": \"%s\", \"authorized\": %s, \"protocol\": \"%s\"}", identity, authorized ? "true" : "false", version);
  else snprintf(body, sizeof body, "{\"identity\": null, \"authorized\": %s, \"protocol\": \"%s\"}", authorized ? "true" : "false", version);
  int len = snprintf(response, sizeof response, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
  wolfSSL_write(ssl, response, len);
  wolfSSL_shutdown(ssl);
}

/* A server context with everything but its key pair: client CAs, CRLs, minimum version, client auth. */
static WOLFSSL_CTX *server_context(struct options *o, const char *auth) {
  WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
  int ret;
  if (o->client_ca && (ret = wolfSSL_CTX_load_verify_locations(ctx, o->client_ca, NULL)) != WOLFSSL_SUCCESS) bad_input("failed to load the client CA bundle: %s", load_failure(ret));
  for (int i = 0; i < o->crl_count; i++) load_crl(ctx, o->crls[i]);
  set_min_version(ctx, o->min_version);
  int mode = WOLFSSL_VERIFY_NONE;
  if (strcmp(auth, "optional") == 0) mode = WOLFSSL_VERIFY_PEER;
  if (strcmp(auth, "required") == 0) mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  wolfSSL_CTX_set_verify(ctx, mode, note_chain_failure);
  return ctx;
}

/* The certificate, the intermediates after it and the key: NULL, or why they do not load. */
static const char *use_key_pair(WOLFSSL_CTX *ctx, const char *cert, const char *chain, const char *key) {
  char *pem;
  size_t pem_len;
  int ret;
  if (!load_pem_files(cert, chain, &pem, &pem_len)) return strerror(errno);
  ret = wolfSSL_CTX_use_certificate_chain_buffer(ctx, (const unsigned char *)pem, (long)pem_len);
  free(pem);
  if (ret != WOLFSSL_SUCCESS) return load_failure(ret);
  if ((ret = wolfSSL_CTX_use_PrivateKey_file(ctx, key, WOLFSSL_FILETYPE_PEM)) != WOLFSSL_SUCCESS) return load_failure(ret);
  if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) return "the key is not the certificate's";
  return NULL;
}

static struct options *server_identities;

/* The SNI callback: the context of the name asked for (case-insensitive), else the default's. */
static int choose_identity(WOLFSSL *ssl, int *alert, void *arg) {
  (void)alert;
  (void)arg;
  const char *asked = wolfSSL_get_servername(ssl, WOLFSSL_SNI_HOST_NAME);
  for (int i = 0; asked && i < server_identities->sni_count; i++) {
    if (strcasecmp(asked, server_identities->sni[i].name) == 0) {
      wolfSSL_set_SSL_CTX(ssl, server_identities->sni[i].ctx);
      break;
    }
  }
  return 0; /* SSL_TLSEXT_ERR_OK */
}

static int run_server(struct options *o) {
  if (!o->listen) bad_input("failed to parse arguments: --listen is required");
  if (!o->key_pair) bad_input("failed to parse arguments: --key-pair is required");
  struct sockaddr_storage address;
  socklen_t address_len = parse_address(o->listen, &address);
  const char *auth = o->client_auth ? o->client_auth : "none";
  if (strcmp(auth, "none") && strcmp(auth, "optional") && strcmp(auth, "required")) bad_input("failed to parse --client-auth %s: want none, optional or required", auth);
  if (o->min_version && strcmp(o->min_version, "TLSv1.2") && strcmp(o->min_version, "TLSv1.3")) bad_input("failed to parse --min-version %s: want TLSv1.2 or TLSv1.3", o->min_version);

  for (int i = 0; i < o->sni_count; i++) {
    struct sni_identity *sni = &o->sni[i];
    char *text = strdup(sni->name), *fields[4], *rest = text;
    int count = 0;
    for (char *field; count < 4 && (field = strsep(&rest, ",")) != NULL;) fields[count++] = field;
    if (count != 4 || rest != NULL || !*fields[0] || !*fields[1] || !*fields[3]) bad_input("failed to parse --sni %s: want NAME,CERT,CHAIN,KEY", sni->name);
    sni->name = fields[0];
    sni->cert = fields[1];
    sni->chain = *fields[2] ? fields[2] : NULL;
    sni->key = fields[3];
  }
  WOLFSSL_CTX *ctx = server_context(o, auth);
  int ret;
  if ((ret = wolfSSL_CTX_use_certificate_chain_file(ctx, o->key_pair)) != WOLFSSL_SUCCESS) bad_input("failed to load the server key pair: %s", load_failure(ret));
  if ((ret = wolfSSL_CTX_use_PrivateKey_file(ctx, o->key_pair, WOLFSSL_FILETYPE_PEM)) != WOLFSSL_SUCCESS) bad_input("failed to load the server key pair: %s", load_failure(ret));
  if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) bad_input("failed to load the server key pair: the key is not the certificate's");
  for (int i = 0; i < o->sni_count; i++) {
    struct sni_identity *sni = &o->sni[i];
    sni->ctx = server_context(o, auth);
    const char *failure = use_key_pair(sni->ctx, sni->cert, sni->chain, sni->key);
    if (failure) bad_input("failed to load the key pair for %s: %s", sni->name, failure);
  }
  server_identities = o;
  if (o->sni_count > 0) wolfSSL_CTX_set_servername_callback(ctx, choose_identity);

  int listener = socket(address.ss_family, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  char where[80];
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, address_len) != 0 || listen(listener, 64) != 0) {
    fprintf(stderr, "failed to listen on %s: %s\n", o->listen, strerror(errno));
    return 1;
  }
  socklen_t bound_len = sizeof address;
  getsockname(listener, (struct sockaddr *)&address, &bound_len);
  format_address(&address, where, sizeof where);
  printf("ready: listening on %s\n", where);
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      fprintf(stderr, "failed to accept a connection: %s\n", strerror(errno));
      return 1;
    }
    pid_t child = fork();
    if (child == 0) {
      close(listener);
      serve_connection(ctx, fd);
      _exit(0);
    }
    close(fd);
  }
}

/* The stage the client is in, for the deadline's line. */
static const char *volatile client_stage = "connect";
static long client_deadline_ms;

static void on_deadline(int signal_number) {
  (void)signal_number;
  char line[128];
  int n = snprintf(line, sizeof line, "error: %s: timed out after %ld ms\n", client_stage, client_deadline_ms);
  (void)!write(STDOUT_FILENO, line, (size_t)n);
  _exit(1);
}

static char *read_all(FILE *in, size_t *len) {
  size_t size = 4096, got = 0;
  char *buf = malloc(size);
  size_t n;
  while ((n = fread(buf + got, 1, size - got, in)) > 0) {
    got += n;
    if (got == size) buf = realloc(buf, size *= 2);
  }
  *len = got;
  return buf;
}

static int load_pem_files(const char *first, const char *second, char **out, size_t *len) {
  FILE *a = fopen(first, "rb");
  if (!a) return 0;
  size_t la, lb = 0;
  char *ba = read_all(a, &la), *bb = NULL;
  fclose(a);
  if (second) {
    FILE *b = fopen(second, "rb");
    if (!b) { free(ba); return 0; }
    bb = read_all(b, &lb);
    fclose(b);
  }
  *out = malloc(la + lb + 2);
  memcpy(*out, ba, la);
  (*out)[la] = '\n';
  if (bb) memcpy(*out + la + 1, bb, lb);
  *len = la + 1 + lb;
  free(ba);
  free(bb);
  return 1;
}

static int client_fail(const char *stage, const char *text) {
  printf("error: %s: %s\n", stage, text);
  return 1;
}

static int run_client(struct options *o) {
  if (!o->connect) bad_input("failed to parse arguments: --connect is required");
  struct sockaddr_storage address;
  socklen_t address_len = parse_address(o->connect, &address);
  client_deadline_ms = 5000;
  if (o->timeout_ms) {
    char *end;
    client_deadline_ms = strtol(o->timeout_ms, &end, 10);
    if (*end != '\0' || client_deadline_ms <= 0) bad_input("failed to parse --timeout-ms %s: want a number", o->timeout_ms);
  }
  WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
  int ret;
  if (o->cert || o->key) {
    if (!o->cert || !o->key) bad_input("failed to load the client key pair: --cert and --key go together");
    const char *failure = use_key_pair(ctx, o->cert, o->chain, o->key);
    if (failure) bad_input("failed to load the client key pair: %s", failure);
  }
  if (o->ca) {
    if ((ret = wolfSSL_CTX_load_verify_locations(ctx, o->ca, NULL)) != WOLFSSL_SUCCESS) bad_input("failed to load the trust bundle: %s", load_failure(ret));
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, note_chain_failure);
  } else {
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
  }
  size_t request_len;
  char *request = read_all(stdin, &request_len);

  signal(SIGALRM, on_deadline);
  struct itimerval deadline = {{0, 0}, {client_deadline_ms / 1000, (client_deadline_ms % 1000) * 1000}};
  setitimer(ITIMER_REAL, &deadline, NULL);

  int fd = socket(address.ss_family, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&address, address_len) != 0) return client_fail("connect", strerror(errno));
  client_stage = "handshake";
  WOLFSSL *ssl = wolfSSL_new(ctx);
  wolfSSL_set_fd(ssl, fd);
  if (o->servername) wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, o->servername, (unsigned short)strlen(o->servername));
  const char *name = o->verify_name ? o->verify_name : o->servername;
  if (o->ca && name) wolfSSL_check_domain_name(ssl, name);
  ret = wolfSSL_connect(ssl);
  if (ret != WOLFSSL_SUCCESS) return client_fail("handshake", tls_failure(ssl, ret));
  printf("version: %s\ncipher: %s\n", wolfSSL_get_version(ssl), wolfSSL_get_cipher_name(ssl));
  fflush(stdout);

  client_stage = "write";
  int wrote = wolfSSL_write(ssl, request, (int)request_len);
  const char *write_error = wrote <= 0 ? tls_failure(ssl, wrote) : NULL;
  client_stage = "read";
  char answer[16384];
  size_t got = 0;
  int last = 0;
  while (got < sizeof answer - 1 && (last = wolfSSL_read(ssl, answer + got, (int)(sizeof answer - 1 - got))) > 0) got += (size_t)last;
  answer[got] = '\0';
  if (got > 0) {
    answer[strcspn(answer, "\r\n")] = '\0';
    printf("response: %s\n", answer);
    return 0;
  }
  if (write_error) return client_fail("write", write_error);
  int code = wolfSSL_get_error(ssl, last);
  if (code == WOLFSSL_ERROR_ZERO_RETURN || (code == SOCKET_PEER_CLOSED_E)) return client_fail("read", "connection closed without a response");
  return client_fail("read", tls_failure(ssl, last));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) bad_input("usage: tlspeer server --listen ADDR --key-pair FILE [flags] | client --connect ADDR [flags] | version");
  const char *mode = argv[1];
  struct options o = {0};
  if (strcmp(mode, "version") == 0) {
    if (argc > 2) bad_input("failed to parse arguments: unexpected argument %s", argv[2]);
    printf("wolfssl %s\n", wolfSSL_lib_version());
    return 0;
  }
  int server = strcmp(mode, "server") == 0;
  if (!server && strcmp(mode, "client") != 0) bad_input("failed to parse arguments: unknown mode \"%s\"", mode);
  parse_flags(&o, argc, argv, server);
  wolfSSL_Init();
  return server ? run_server(&o) : run_client(&o);
}
