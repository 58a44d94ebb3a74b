/*
 * BoringSSL as a peer (docs/peer-protocol.md), against Debian's Android build of the library: a
 * threaded server, so one process keeps the session cache and re-reads its key pair file at the
 * first handshake after it changed, and a one-connection client. Verification is BoringSSL's own
 * X509 verifier, with the name checked by X509_VERIFY_PARAM_set1_host / set1_ip_asc, as Envoy's
 * default path does before its own SAN matchers. Errors are BoringSSL's: the reason of the first
 * error queued, the fatal alerts received and sent (from the info callback), and the first
 * certificate the verifier refused, which classify.ts reads.
 */
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

enum { LIST_MAX = 32, SERVE_SECONDS = 10 };

struct list {
  const char *item[LIST_MAX];
  int count;
};

struct flags {
  const char *listen, *key_pair, *client_auth, *client_ca, *min_version;
  struct list crl, sni, allow;
  const char *connect, *servername, *ca, *verify_name, *verify_ip, *expect_uri, *cert, *chain, *key, *timeout_ms;
};

/* Bad input: one line on stderr, exit code 2 (docs/peer-protocol.md). */
static void usage_error(const char *format, ...) {
  char line[2048];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  fprintf(stderr, "%s\n", line);
  exit(2);
}

/* Each flag, the mode it belongs to and where its value goes. */
struct flag_spec {
  const char *name;
  int server;
  size_t offset;
  int repeatable;
};

#define SCALAR(name, server, field) {name, server, offsetof(struct flags, field), 0}
#define REPEATED(name, field) {name, 1, offsetof(struct flags, field), 1}

static const struct flag_spec flag_specs[] = {
    SCALAR("listen", 1, listen), SCALAR("key-pair", 1, key_pair), SCALAR("client-auth", 1, client_auth),
    SCALAR("client-ca", 1, client_ca), REPEATED("crl", crl), REPEATED("sni", sni),
    SCALAR("min-version", 1, min_version), REPEATED("allow-identity", allow),
    SCALAR("connect", 0, connect), SCALAR("servername", 0, servername), SCALAR("ca", 0, ca),
    SCALAR("verify-name", 0, verify_name), SCALAR("verify-ip", 0, verify_ip), SCALAR("expect-uri", 0, expect_uri),
    SCALAR("cert", 0, cert), SCALAR("chain", 0, chain), SCALAR("key", 0, key), SCALAR("timeout-ms", 0, timeout_ms),
};

static void read_flags(struct flags *f, int argc, char **argv, int server) {
  for (int i = 2; i < argc; i++) {
    if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') usage_error("failed to parse arguments: unexpected argument %s", argv[i]);
    const char *name = argv[i] + 2;
    const struct flag_spec *spec = NULL;
    for (size_t s = 0; s < sizeof flag_specs / sizeof flag_specs[0]; s++) {
      if (flag_specs[s].server == server && strcmp(flag_specs[s].name, name) == 0) spec = &flag_specs[s];
    }
    if (!spec) usage_error("failed to parse arguments: unknown flag --%s", name);
    if (i + 1 >= argc) usage_error("failed to parse arguments: flag needs a value: --%s", name);
    const char *value = argv[++i];
    if (*value == '\0') continue; /* an empty value is the flag left out */
    char *slot = (char *)f + spec->offset;
    if (!spec->repeatable) {
      *(const char **)slot = value;
      continue;
    }
    struct list *list = (struct list *)slot;
    if (list->count == LIST_MAX) usage_error("failed to parse arguments: more than %d --%s flags", LIST_MAX, name);
    list->item[list->count++] = value;
  }
}

/* "127.x.y.z:port" or "[::1]:port" (numeric, IPv6 in brackets), refused unless loopback. */
static socklen_t loopback_address(const char *text, struct sockaddr_storage *out) {
  const char *colon = strrchr(text, ':');
  size_t host_len = colon ? (size_t)(colon - text) : 0;
  const char *port = colon ? colon + 1 : "";
  char host[64];
  if (host_len == 0 || host_len >= sizeof host || *port == '\0' || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535) {
    usage_error("failed to parse address %s: want HOST:PORT", text);
  }
  snprintf(host, sizeof host, "%.*s", (int)host_len, text);
  int bracketed = host[0] == '[' && host[host_len - 1] == ']';
  if (bracketed) host[host_len - 1] = '\0';
  struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM}, *found = NULL;
  if (getaddrinfo(bracketed ? host + 1 : host, port, &hints, &found) != 0) usage_error("failed to parse address %s: want HOST:PORT", text);
  int v6 = found->ai_family == AF_INET6;
  socklen_t len = found->ai_addrlen;
  memcpy(out, found->ai_addr, len);
  freeaddrinfo(found);
  if (v6 != bracketed) usage_error("failed to parse address %s: want HOST:PORT", text);
  int loopback = v6 ? IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)out)->sin6_addr)
                    : (ntohl(((struct sockaddr_in *)out)->sin_addr.s_addr) >> 24) == 127;
  if (!loopback) usage_error("failed to accept address %s: not a loopback IP", text);
  return len;
}

/* The reason of the oldest queued error ("CERTIFICATE_VERIFY_FAILED"), then the queue is cleared. */
static void take_error_reason(char *out, size_t size) {
  uint32_t packed = ERR_get_error();
  const char *reason = packed ? ERR_reason_error_string(packed) : NULL;
  if (reason) snprintf(out, size, "%s", reason);
  else if (packed) snprintf(out, size, "error %08x", packed);
  else snprintf(out, size, "no error queued");
  ERR_clear_error();
}

/* What one connection saw besides the error queue: fatal alerts and the verifier's first refusal. */
struct connection_notes {
  int alert_received, alert_sent;
  char refused[200];
};

static int notes_index;

static struct connection_notes *notes_of(const SSL *ssl) {
  return SSL_get_ex_data(ssl, notes_index);
}

static void note_alert(const SSL *ssl, int where, int value) {
  struct connection_notes *notes = notes_of(ssl);
  if (!notes || !(where & SSL_CB_ALERT) || (value >> 8) != SSL3_AL_FATAL) return;
  if (where & SSL_CB_READ) notes->alert_received = value & 0xff;
  else notes->alert_sent = value & 0xff;
}

/* Keeps BoringSSL's verdict; only remembers the first certificate it refused and why. */
static int note_refusal(int ok, X509_STORE_CTX *store) {
  SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
  struct connection_notes *notes = ssl ? notes_of(ssl) : NULL;
  if (!ok && notes && notes->refused[0] == '\0') {
    int code = X509_STORE_CTX_get_error(store);
    snprintf(notes->refused, sizeof notes->refused, "; verify: depth %d: %s (X509_V_ERR %d)", X509_STORE_CTX_get_error_depth(store), X509_verify_cert_error_string(code), code);
  }
  return ok;
}

/* BoringSSL's account of a failed call on ssl: error, alerts, refusal. */
static void describe_failure(SSL *ssl, int ret, char *out, size_t size) {
  int kind = SSL_get_error(ssl, ret);
  int saved_errno = errno;
  int n;
  if (kind == SSL_ERROR_SYSCALL) {
    ERR_clear_error();
    n = snprintf(out, size, "%s", saved_errno ? strerror(saved_errno) : "connection closed");
  } else if (kind == SSL_ERROR_ZERO_RETURN) {
    n = snprintf(out, size, "close_notify received");
  } else {
    char reason[120];
    take_error_reason(reason, sizeof reason);
    n = snprintf(out, size, "%s", reason);
  }
  struct connection_notes *notes = notes_of(ssl);
  if (!notes) return;
  if (notes->alert_received && n < (int)size) n += snprintf(out + n, size - n, "; received alert %d", notes->alert_received);
  if (notes->alert_sent && n < (int)size) n += snprintf(out + n, size - n, "; sent alert %d", notes->alert_sent);
  if (n < (int)size) snprintf(out + n, size - n, "%s", notes->refused);
}

static int read_file(const char *path, char **data, size_t *len) {
  FILE *in = fopen(path, "rb");
  if (!in) return 0;
  size_t cap = 8192, got = 0, n;
  char *buf = malloc(cap);
  while ((n = fread(buf + got, 1, cap - got, in)) > 0) {
    got += n;
    if (got == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(in);
  *data = buf;
  *len = got;
  return 1;
}

/* A certificate, the certificates after it and a key, as one unit. */
struct key_pair {
  X509 *leaf;
  STACK_OF(X509) *chain;
  EVP_PKEY *key;
};

static void free_key_pair(struct key_pair *pair) {
  X509_free(pair->leaf);
  sk_X509_pop_free(pair->chain, X509_free);
  EVP_PKEY_free(pair->key);
  memset(pair, 0, sizeof *pair);
}

/* Appends every PEM certificate of path to pair (the first becomes the leaf); NULL or why not.
 * A chain file may be empty (a leaf issued by the root itself). */
static const char *add_certificates(struct key_pair *pair, const char *path, int may_be_empty) {
  static __thread char why[200];
  char *pem;
  size_t len;
  if (!read_file(path, &pem, &len)) return strerror(errno);
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  X509 *cert;
  int count = 0;
  while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (!pair->leaf) pair->leaf = cert;
    else sk_X509_push(pair->chain, cert);
    count++;
  }
  ERR_clear_error(); /* the end of the file reads as an error */
  BIO_free(bio);
  free(pem);
  if (count > 0 || may_be_empty) return NULL;
  snprintf(why, sizeof why, "no PEM certificate in %s", path);
  return why;
}

/* Reads cert (plus chain) and key into pair: NULL, or why they do not make a key pair. */
static const char *load_key_pair(struct key_pair *pair, const char *cert, const char *chain, const char *key) {
  static __thread char why[200];
  pair->chain = sk_X509_new_null();
  const char *failure = add_certificates(pair, cert, 0);
  if (!failure && chain) failure = add_certificates(pair, chain, 1);
  if (failure) return failure;
  char *pem;
  size_t len;
  if (!read_file(key, &pem, &len)) return strerror(errno);
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  pair->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  BIO_free(bio);
  free(pem);
  if (!pair->key) {
    take_error_reason(why, sizeof why);
    return why;
  }
  if (!X509_check_private_key(pair->leaf, pair->key)) {
    ERR_clear_error();
    return "the key is not the certificate's";
  }
  return NULL;
}

static int use_key_pair_on_ctx(SSL_CTX *ctx, const struct key_pair *pair) {
  return SSL_CTX_use_certificate(ctx, pair->leaf) && SSL_CTX_set1_chain(ctx, pair->chain) && SSL_CTX_use_PrivateKey(ctx, pair->key);
}

/* ---- server ---- */

/* The --key-pair file and the pair read from it, replaced when the file's identity changes. */
static struct {
  pthread_mutex_t lock;
  const char *path;
  struct stat seen;
  struct key_pair current;
} served = {PTHREAD_MUTEX_INITIALIZER, NULL, {0}, {0}};

static int same_file(const struct stat *a, const struct stat *b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
         a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void leaf_digest(X509 *leaf, char hex[2 * SHA256_DIGEST_LENGTH + 1]) {
  uint8_t *der = NULL, digest[SHA256_DIGEST_LENGTH];
  int len = i2d_X509(leaf, &der);
  SHA256(der, (size_t)len, digest);
  OPENSSL_free(der);
  for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) sprintf(hex + 2 * i, "%02x", digest[i]);
}

/* Called with served.lock held: re-reads the file when it changed; a pair that does not load is not served. */
static void refresh_served_pair(void) {
  struct stat now;
  if (stat(served.path, &now) != 0 || same_file(&now, &served.seen)) return;
  served.seen = now;
  struct key_pair next = {0};
  const char *failure = load_key_pair(&next, served.path, NULL, served.path);
  if (failure) {
    fprintf(stderr, "failed to reload the key pair %s: %s (serving the previous one)\n", served.path, failure);
    free_key_pair(&next);
    return;
  }
  free_key_pair(&served.current);
  served.current = next;
  char hex[2 * SHA256_DIGEST_LENGTH + 1];
  leaf_digest(next.leaf, hex);
  printf("reloaded: %s\n", hex);
}

static SSL_CTX *default_ctx;

/* The certificate callback of the default identity: the newest loadable --key-pair, per handshake. */
static int select_served_pair(SSL *ssl, void *arg) {
  (void)arg;
  if (SSL_get_SSL_CTX(ssl) != default_ctx) return 1;
  pthread_mutex_lock(&served.lock);
  refresh_served_pair();
  int ok = SSL_use_certificate(ssl, served.current.leaf) && SSL_set1_chain(ssl, served.current.chain) && SSL_use_PrivateKey(ssl, served.current.key);
  pthread_mutex_unlock(&served.lock);
  return ok;
}

struct sni_identity {
  char *name;
  SSL_CTX *ctx;
};

static struct sni_identity sni_identities[LIST_MAX];
static int sni_count;

static int choose_sni_identity(SSL *ssl, int *alert, void *arg) {
  (void)alert;
  (void)arg;
  const char *asked = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  for (int i = 0; asked && i < sni_count; i++) {
    if (strcasecmp(asked, sni_identities[i].name) == 0) {
      SSL_set_SSL_CTX(ssl, sni_identities[i].ctx);
      break;
    }
  }
  return SSL_TLSEXT_ERR_OK;
}

static uint16_t version_floor(const char *name) {
  return strcmp(name, "TLSv1.3") == 0 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

/* Everything of a server context but its key pair: client CAs, CRLs, version floor, client auth. */
static SSL_CTX *server_context(const struct flags *f) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (f->client_ca && !SSL_CTX_load_verify_locations(ctx, f->client_ca, NULL)) {
    char reason[120];
    take_error_reason(reason, sizeof reason);
    usage_error("failed to load the client CA bundle: %s", reason);
  }
  X509_STORE *store = SSL_CTX_get_cert_store(ctx);
  for (int i = 0; i < f->crl.count; i++) {
    BIO *in = BIO_new_file(f->crl.item[i], "rb");
    if (!in) usage_error("failed to load the CRL %s: %s", f->crl.item[i], strerror(errno));
    X509_CRL *crl;
    int count = 0;
    while ((crl = PEM_read_bio_X509_CRL(in, NULL, NULL, NULL)) != NULL) {
      X509_STORE_add_crl(store, crl);
      X509_CRL_free(crl);
      count++;
    }
    ERR_clear_error();
    BIO_free(in);
    if (count == 0) usage_error("failed to load the CRL %s: no PEM CRL in it", f->crl.item[i]);
  }
  if (f->crl.count > 0) X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  if (f->min_version) SSL_CTX_set_min_proto_version(ctx, version_floor(f->min_version));
  const char *auth = f->client_auth ? f->client_auth : "none";
  int mode = SSL_VERIFY_NONE;
  if (strcmp(auth, "optional") == 0) mode = SSL_VERIFY_PEER;
  if (strcmp(auth, "required") == 0) mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, note_refusal);
  SSL_CTX_set_info_callback(ctx, note_alert);
  static const uint8_t session_context[] = "mtls-conformance";
  SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
  return ctx;
}

/* The URI and DNS SANs of cert, in its order: kind GEN_URI, GEN_DNS or both (-1). */
static void names_of(X509 *cert, int kind, char *out, size_t size, const char *none) {
  GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  size_t n = 0;
  out[0] = '\0';
  for (size_t i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
    if (!(name->type == kind || (kind == -1 && (name->type == GEN_URI || name->type == GEN_DNS)))) continue;
    const ASN1_IA5STRING *text = name->type == GEN_URI ? name->d.uniformResourceIdentifier : name->d.dNSName;
    n += snprintf(out + n, n < size ? size - n : 0, "%s%.*s", n ? ", " : "", ASN1_STRING_length(text), (const char *)ASN1_STRING_get0_data(text));
  }
  GENERAL_NAMES_free(names);
  if (n == 0) snprintf(out, size, "%s", none);
}

/* Whether the comma-separated names hold one of the allowed identities. */
static int admitted(const char *presented, const struct list *allowed) {
  for (int i = 0; i < allowed->count; i++) {
    size_t len = strlen(allowed->item[i]);
    for (const char *at = presented; (at = strstr(at, allowed->item[i])) != NULL; at += len) {
      int starts = at == presented || (at >= presented + 2 && at[-2] == ',' && at[-1] == ' ');
      int ends = at[len] == '\0' || at[len] == ',';
      if (starts && ends) return 1;
    }
  }
  return 0;
}

static struct list allowed_identities;

static void join_list(const struct list *list, char *out, size_t size) {
  size_t n = 0;
  out[0] = '\0';
  for (int i = 0; i < list->count; i++) n += snprintf(out + n, n < size ? size - n : 0, "%s%s", i ? ", " : "", list->item[i]);
}

static void *serve_connection(void *arg) {
  int fd = (int)(intptr_t)arg;
  struct timeval limit = {SERVE_SECONDS, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  struct connection_notes notes = {0};
  SSL *ssl = SSL_new(default_ctx);
  SSL_set_ex_data(ssl, notes_index, &notes);
  SSL_set_fd(ssl, fd);
  int ret = SSL_accept(ssl);
  if (ret != 1) {
    char text[600];
    describe_failure(ssl, ret, text, sizeof text);
    printf("rejected: %s\n", text);
    goto done;
  }
  X509 *peer = SSL_get_peer_certificate(ssl);
  int verified = peer != NULL && SSL_get_verify_result(ssl) == X509_V_OK;
  if (allowed_identities.count > 0 && verified) {
    char presented[1024], allowed[1024];
    names_of(peer, -1, presented, sizeof presented, "(none)");
    if (!admitted(presented, &allowed_identities)) {
      /* Authorization after authentication, as a mesh's policy does: closed without an answer. */
      join_list(&allowed_identities, allowed, sizeof allowed);
      printf("rejected: not authorized: client identity %s is not one of %s\n", presented, allowed);
      X509_free(peer);
      goto done;
    }
  }
  const char *version = SSL_get_version(ssl);
  printf("served: %s %s\n", version, SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl)));
  /* The request is read up to the end of its header; its content does not matter. */
  char request[8192] = "";
  for (size_t got = 0, n; !strstr(request, "\r\n\r\n") && !strstr(request, "\n\n") && got < sizeof request - 1; got += n) {
    int chunk = SSL_read(ssl, request + got, (int)(sizeof request - 1 - got));
    if (chunk <= 0) break;
    n = (size_t)chunk;
    request[got + n] = '\0';
  }
  char identity[512] = "", body[1024], answer[1400];
  if (peer) names_of(peer, GEN_URI, identity, sizeof identity, "");
  char *comma = strchr(identity, ',');
  if (comma) *comma = '\0';
  if (identity[0]) snprintf(body, sizeof body, "{\"identity\": \"%s\", \"authorized\": %s, \"protocol\": \"%s\"}", identity, verified ? "true" : "false", version);
  else snprintf(body, sizeof body, "{\"identity\": null, \"authorized\": %s, \"protocol\": \"%s\"}", verified ? "true" : "false", version);
  int len = snprintf(answer, sizeof answer, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
  SSL_write(ssl, answer, len);
  SSL_shutdown(ssl);
  X509_free(peer);
done:
  SSL_free(ssl);
  close(fd);
  ERR_clear_error();
  return NULL;
}

static int run_server(struct flags *f) {
  if (!f->listen) usage_error("failed to parse arguments: --listen is required");
  if (!f->key_pair) usage_error("failed to parse arguments: --key-pair is required");
  struct sockaddr_storage address;
  socklen_t address_len = loopback_address(f->listen, &address);
  const char *auth = f->client_auth ? f->client_auth : "none";
  if (strcmp(auth, "none") && strcmp(auth, "optional") && strcmp(auth, "required")) usage_error("failed to parse --client-auth %s: want none, optional or required", auth);
  if (f->min_version && strcmp(f->min_version, "TLSv1.2") && strcmp(f->min_version, "TLSv1.3")) usage_error("failed to parse --min-version %s: want TLSv1.2 or TLSv1.3", f->min_version);
  char *sni_fields[LIST_MAX][4];
  for (int i = 0; i < f->sni.count; i++) {
    char *rest = strdup(f->sni.item[i]), *field;
    int count = 0;
    while (count < 4 && (field = strsep(&rest, ",")) != NULL) sni_fields[i][count++] = field;
    if (count != 4 || rest || !*sni_fields[i][0] || !*sni_fields[i][1] || !*sni_fields[i][3]) usage_error("failed to parse --sni %s: want NAME,CERT,CHAIN,KEY", f->sni.item[i]);
  }

  default_ctx = server_context(f);
  served.path = f->key_pair;
  stat(served.path, &served.seen);
  const char *failure = load_key_pair(&served.current, served.path, NULL, served.path);
  if (failure) usage_error("failed to load the server key pair: %s", failure);
  use_key_pair_on_ctx(default_ctx, &served.current);
  SSL_CTX_set_cert_cb(default_ctx, select_served_pair, NULL);
  for (int i = 0; i < f->sni.count; i++) {
    struct key_pair pair = {0};
    char **fields = sni_fields[i];
    failure = load_key_pair(&pair, fields[1], *fields[2] ? fields[2] : NULL, fields[3]);
    if (failure) usage_error("failed to load the key pair for %s: %s", fields[0], failure);
    sni_identities[i].name = fields[0];
    sni_identities[i].ctx = server_context(f);
    use_key_pair_on_ctx(sni_identities[i].ctx, &pair);
    free_key_pair(&pair);
  }
  sni_count = f->sni.count;
  if (sni_count > 0) SSL_CTX_set_tlsext_servername_callback(default_ctx, choose_sni_identity);
  allowed_identities = f->allow;

  int listener = socket(address.ss_family, SOCK_STREAM, 0);
  int on = 1;
  if (listener >= 0) setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, address_len) != 0 || listen(listener, 128) != 0) {
    fprintf(stderr, "failed to listen on %s: %s\n", f->listen, strerror(errno));
    return 1;
  }
  socklen_t bound_len = sizeof address;
  getsockname(listener, (struct sockaddr *)&address, &bound_len);
  char host[INET6_ADDRSTRLEN];
  if (address.ss_family == AF_INET6) {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&address;
    printf("ready: listening on [%s]:%u\n", inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host), ntohs(v6->sin6_port));
  } else {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)&address;
    printf("ready: listening on %s:%u\n", inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host), ntohs(v4->sin_port));
  }
  pthread_attr_t detached;
  pthread_attr_init(&detached);
  pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    pthread_t thread;
    if (fd >= 0) {
      if (pthread_create(&thread, &detached, serve_connection, (void *)(intptr_t)fd) != 0) close(fd);
    } else if (errno != EINTR && errno != ECONNABORTED) {
      fprintf(stderr, "failed to accept a connection: %s\n", strerror(errno));
      return 1;
    }
  }
}

/* ---- client ---- */

static const char *volatile client_stage = "connect";
static long deadline_ms = 5000;

static void deadline_passed(int signal_number) {
  (void)signal_number;
  char line[128];
  int n = snprintf(line, sizeof line, "error: %s: timed out after %ld ms\n", client_stage, deadline_ms);
  (void)!write(STDOUT_FILENO, line, (size_t)n);
  _exit(1);
}

static int client_error(const char *stage, const char *text) {
  printf("error: %s: %s\n", stage, text);
  return 1;
}

static int run_client(struct flags *f) {
  if (!f->connect) usage_error("failed to parse arguments: --connect is required");
  struct sockaddr_storage address;
  socklen_t address_len = loopback_address(f->connect, &address);
  if (f->timeout_ms) {
    char *end;
    deadline_ms = strtol(f->timeout_ms, &end, 10);
    if (*end != '\0' || deadline_ms <= 0) usage_error("failed to parse --timeout-ms %s: want a number", f->timeout_ms);
  }
  uint8_t ip[16];
  if (f->verify_ip && inet_pton(AF_INET, f->verify_ip, ip) != 1 && inet_pton(AF_INET6, f->verify_ip, ip) != 1) {
    usage_error("failed to parse --verify-ip %s: want an IP address", f->verify_ip);
  }
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (f->cert || f->key) {
    if (!f->cert || !f->key) usage_error("failed to load the client key pair: --cert and --key go together");
    struct key_pair pair = {0};
    const char *failure = load_key_pair(&pair, f->cert, f->chain, f->key);
    if (failure) usage_error("failed to load the client key pair: %s", failure);
    use_key_pair_on_ctx(ctx, &pair);
    free_key_pair(&pair);
  }
  if (f->ca) {
    if (!SSL_CTX_load_verify_locations(ctx, f->ca, NULL)) {
      char reason[120];
      take_error_reason(reason, sizeof reason);
      usage_error("failed to load the trust bundle: %s", reason);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, note_refusal);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  }
  SSL_CTX_set_info_callback(ctx, note_alert);

  char *request = NULL;
  size_t request_len = 0, cap = 0, n;
  do {
    request = realloc(request, cap += 4096);
  } while ((n = fread(request + request_len, 1, cap - request_len, stdin)) > 0 && (request_len += n) == cap);

  signal(SIGALRM, deadline_passed);
  struct itimerval deadline = {{0, 0}, {deadline_ms / 1000, (deadline_ms % 1000) * 1000}};
  setitimer(ITIMER_REAL, &deadline, NULL);

  int fd = socket(address.ss_family, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&address, address_len) != 0) return client_error("connect", strerror(errno));
  client_stage = "handshake";
  struct connection_notes notes = {0};
  SSL *ssl = SSL_new(ctx);
  SSL_set_ex_data(ssl, notes_index, &notes);
  SSL_set_fd(ssl, fd);
  if (f->servername) SSL_set_tlsext_host_name(ssl, f->servername);
  const char *name = f->verify_name ? f->verify_name : f->servername;
  X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
  if (f->ca && f->verify_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, f->verify_ip);
  } else if (f->ca && name) {
    X509_VERIFY_PARAM_set1_host(param, name, strlen(name));
  }
  char text[600];
  int ret = SSL_connect(ssl);
  if (ret != 1) {
    describe_failure(ssl, ret, text, sizeof text);
    return client_error("handshake", text);
  }
  printf("version: %s\ncipher: %s\n", SSL_get_version(ssl), SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl)));
  fflush(stdout);
  if (f->expect_uri) {
    char uris[1024];
    X509 *peer = SSL_get_peer_certificate(ssl);
    if (peer) names_of(peer, GEN_URI, uris, sizeof uris, "(no URI SAN)");
    else snprintf(uris, sizeof uris, "(no URI SAN)");
    X509_free(peer);
    struct list expected = {{f->expect_uri}, 1};
    if (!admitted(uris, &expected)) {
      printf("error: identity: server identity %s is not the expected %s\n", uris, f->expect_uri);
      return 1;
    }
  }

  client_stage = "write";
  int wrote = SSL_write(ssl, request, (int)request_len);
  char write_failure[600] = "";
  if (wrote <= 0) describe_failure(ssl, wrote, write_failure, sizeof write_failure);
  /* Read even after a failed write: a server that refused the client certificate after its
   * handshake (TLS 1.3) may have sent its alert before the request went out. */
  client_stage = "read";
  /* Read to the end: the first line decides, a reset after it is how the server closed. */
  char answer[16384];
  size_t answered = 0;
  int last;
  do {
    last = SSL_read(ssl, answer + answered, (int)(sizeof answer - answered));
    if (last > 0) answered += (size_t)last;
  } while (last > 0 && answered < sizeof answer);
  if (answered > 0) {
    size_t first_line = 0;
    while (first_line < answered && answer[first_line] != '\r' && answer[first_line] != '\n') first_line++;
    printf("response: %.*s\n", (int)first_line, answer);
    return 0;
  }
  if (wrote <= 0) return client_error("write", write_failure);
  int kind = SSL_get_error(ssl, last);
  if (kind == SSL_ERROR_ZERO_RETURN || (kind == SSL_ERROR_SYSCALL && errno == 0)) return client_error("read", "connection closed without a response");
  describe_failure(ssl, last, text, sizeof text);
  return client_error("read", text);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) usage_error("usage: tlspeer server --listen ADDR --key-pair FILE [flags] | client --connect ADDR [flags] | version");
  const char *mode = argv[1];
  if (strcmp(mode, "version") == 0) {
    if (argc > 2) usage_error("failed to parse arguments: unexpected argument %s", argv[2]);
    printf("boringssl api %d (%s)\n", BORINGSSL_API_VERSION, OpenSSL_version(OPENSSL_VERSION));
    return 0;
  }
  int server = strcmp(mode, "server") == 0;
  if (!server && strcmp(mode, "client") != 0) usage_error("failed to parse arguments: unknown mode \"%s\"", mode);
  struct flags f = {0};
  read_flags(&f, argc, argv, server);
  notes_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
  return server ? run_server(&f) : run_client(&f);
}
