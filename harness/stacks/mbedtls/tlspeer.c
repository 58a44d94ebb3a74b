/*
 * mbedTLS 2.28 as a peer (docs/peer-protocol.md): a server forking one child per connection, and a
 * one-connection client. Part of the protocol only: no --verify-ip (an unknown flag here: mbedTLS
 * 2.28 matches no IP SAN); the client CAs, CRLs and --sni pairs are read once at start, the default
 * key pair again before the first connection after its file changed. mbedTLS 2.28 has no TLS 1.3
 * (Debian leaves MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL off), so a --min-version TLSv1.3 floor is one
 * it can never reach. Errors are mbedTLS's own: mbedtls_strerror and the code, the fatal alert
 * received, then the verification flags of each refused certificate of the chain
 * (mbedtls_x509_crt_verify_info) and the handshake's verify result, which classify.ts reads.
 */
#define _GNU_SOURCE /* memmem */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
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

enum { crl_limit = 16, sni_limit = 16, allow_limit = 16, san_limit = 16 };

struct key_pair {
  mbedtls_x509_crt chain;
  mbedtls_pk_context key;
};

struct named_pair {
  const char *name;
  struct key_pair pair;
};

struct settings {
  /* server */
  const char *listen, *key_pair_file, *client_auth, *client_ca, *min_version;
  const char *crl_files[crl_limit];
  int crl_total;
  const char *sni_specs[sni_limit];
  int sni_total;
  const char *allowed[allow_limit];
  int allowed_total;
  /* client */
  const char *connect_to, *servername, *ca, *verify_name, *expect_uri, *cert, *chain, *key, *timeout_ms;
};

/* Bad input: one line on stderr, exit code 2. */
static void usage_error(const char *format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  fprintf(stderr, "%s\n", line);
  exit(2);
}

static const char *const server_flags[] = {"listen", "key-pair", "client-auth", "client-ca", "crl", "sni", "min-version", "allow-identity", NULL};
static const char *const client_flags[] = {"connect", "servername", "ca", "verify-name", "expect-uri", "cert", "chain", "key", "timeout-ms", NULL};

static int known_flag(const char *const *names, const char *name) {
  for (; *names; names++) if (strcmp(*names, name) == 0) return 1;
  return 0;
}

static void take_flag(struct settings *s, const char *name, const char *value) {
  if (value[0] == '\0') return; /* an empty value is the flag left out */
  if (strcmp(name, "crl") == 0) {
    if (s->crl_total == crl_limit) usage_error("failed to parse arguments: more than %d --crl flags", crl_limit);
    s->crl_files[s->crl_total++] = value;
    return;
  }
  if (strcmp(name, "allow-identity") == 0) {
    if (s->allowed_total == allow_limit) usage_error("failed to parse arguments: more than %d --allow-identity flags", allow_limit);
    s->allowed[s->allowed_total++] = value;
    return;
  }
  if (strcmp(name, "sni") == 0) {
    if (s->sni_total == sni_limit) usage_error("failed to parse arguments: more than %d --sni flags", sni_limit);
    s->sni_specs[s->sni_total++] = value;
    return;
  }
  const char **slot =
      strcmp(name, "listen") == 0        ? &s->listen
      : strcmp(name, "key-pair") == 0    ? &s->key_pair_file
      : strcmp(name, "client-auth") == 0 ? &s->client_auth
      : strcmp(name, "client-ca") == 0   ? &s->client_ca
      : strcmp(name, "min-version") == 0 ? &s->min_version
      : strcmp(name, "connect") == 0     ? &s->connect_to
      : strcmp(name, "servername") == 0  ? &s->servername
      : strcmp(name, "ca") == 0          ? &s->ca
      : strcmp(name, "verify-name") == 0 ? &s->verify_name
      : strcmp(name, "expect-uri") == 0  ? &s->expect_uri
      : strcmp(name, "cert") == 0        ? &s->cert
      : strcmp(name, "chain") == 0       ? &s->chain
      : strcmp(name, "key") == 0         ? &s->key
                                         : &s->timeout_ms;
  *slot = value;
}

static void read_flags(struct settings *s, int argc, char **argv, const char *const *allowed) {
  for (int i = 2; i < argc; i += 2) {
    if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') usage_error("failed to parse arguments: unexpected argument %s", argv[i]);
    const char *name = argv[i] + 2;
    if (!known_flag(allowed, name)) usage_error("failed to parse arguments: unknown flag --%s", name);
    if (i + 1 >= argc) usage_error("failed to parse arguments: flag needs a value: --%s", name);
    take_flag(s, name, argv[i + 1]);
  }
}

/* HOST:PORT split for mbedtls_net_bind / mbedtls_net_connect: a loopback IPv4 host, or [::1]. */
struct loopback {
  char host[64], port[8];
};

static struct loopback loopback_address(const char *text) {
  struct loopback at;
  const char *colon = strrchr(text, ':');
  const char *host = text, *host_end = colon;
  if (colon && text[0] == '[' && colon > text && colon[-1] == ']') host++, host_end--;
  size_t host_length = colon ? (size_t)(host_end - host) : 0;
  size_t port_length = colon ? strlen(colon + 1) : 0;
  if (host_length == 0 || host_length >= sizeof at.host || port_length == 0 || port_length >= sizeof at.port || strspn(colon + 1, "0123456789") != port_length || atol(colon + 1) > 65535) {
    usage_error("failed to parse address %s: want HOST:PORT", text);
  }
  memcpy(at.host, host, host_length);
  at.host[host_length] = '\0';
  strcpy(at.port, colon + 1);
  unsigned char raw[16];
  int v4 = inet_pton(AF_INET, at.host, raw) == 1, v6 = !v4 && host != text && inet_pton(AF_INET6, at.host, raw) == 1;
  if (!v4 && !v6) usage_error("failed to parse address %s: want HOST:PORT", text);
  static const unsigned char v6_loopback[16] = {[15] = 1};
  if (v4 ? raw[0] != 127 : memcmp(raw, v6_loopback, sizeof raw) != 0) usage_error("failed to accept address %s: not a loopback IP", text);
  return at;
}

/* The address a socket is bound to, as the ready line names it ("127.0.0.1:4433", "[::1]:4433"). */
static void bound_address(int fd, char *out, size_t size) {
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  char host[NI_MAXHOST], port[NI_MAXSERV];
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0 || getnameinfo((struct sockaddr *)&address, length, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    snprintf(out, size, "(unknown)");
    return;
  }
  snprintf(out, size, address.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* "<mbedtls_strerror> (-0xNNNN)" */
static const char *mbed_error(int code) {
  static char text[320];
  char reason[256];
  mbedtls_strerror(code, reason, sizeof reason);
  snprintf(text, sizeof text, "%s (-0x%04X)", reason, (unsigned)-code);
  return text;
}

/*
 * The verification flags of each certificate the chain check refused, leaf last as mbedTLS walks
 * it: "; verify: depth 1: 0x01 The certificate validity has expired". Collected by the verify
 * callback, since the handshake's own error is the generic "Certificate verification failed".
 */
static char refusals[1024];

static int note_refusal(void *unused, mbedtls_x509_crt *crt, int depth, uint32_t *flags) {
  (void)unused;
  (void)crt;
  size_t used = strlen(refusals);
  if (*flags == 0 || used >= sizeof refusals - 1) return 0;
  char info[512], joined[600] = "";
  if (mbedtls_x509_crt_verify_info(info, sizeof info, "", *flags) < 0) info[0] = '\0';
  /* one line per flag: joined with ", " */
  size_t at = 0;
  for (char *line = strtok(info, "\n"); line && at < sizeof joined; line = strtok(NULL, "\n")) at += (size_t)snprintf(joined + at, sizeof joined - at, "%s%s", at ? ", " : "", line);
  snprintf(refusals + used, sizeof refusals - used, "%sdepth %d: 0x%02X %s", used ? "; " : "; verify: ", depth, (unsigned)*flags, joined);
  return 0;
}

/* mbedTLS's verdict on a failed call: its error, the fatal alert the peer sent, the chain's refusals. */
static const char *tls_failure(const mbedtls_ssl_context *ssl, int code) {
  static char text[1600];
  int n = snprintf(text, sizeof text, "%s", mbed_error(code));
  if ((code == MBEDTLS_ERR_NET_RECV_FAILED || code == MBEDTLS_ERR_NET_SEND_FAILED) && errno) n += snprintf(text + n, sizeof text - (size_t)n, ": %s", strerror(errno));
  if (code == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && ssl->in_msg) n += snprintf(text + n, sizeof text - (size_t)n, ", received alert %d", ssl->in_msg[1]);
  n += snprintf(text + n, sizeof text - (size_t)n, "%s", refusals);
  /* The chain's flags, and those the usage checks after it add (ssl_check_cert_usage: keyUsage, extendedKeyUsage). */
  uint32_t flags = mbedtls_ssl_get_verify_result(ssl);
  if (flags != 0 && flags != (uint32_t)-1 && n < (int)sizeof text) snprintf(text + n, sizeof text - (size_t)n, "; result: 0x%02X", (unsigned)flags);
  return text;
}

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static void seed_random(void) {
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  int ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)"mtls-tlspeer", 12);
  if (ret != 0) usage_error("failed to seed the random generator: %s", mbed_error(ret));
}

/* The certificate, the intermediates after it (from `chain`, if any) and the key: NULL, or why they do not load. */
static const char *load_key_pair(struct key_pair *pair, const char *cert, const char *chain, const char *key) {
  mbedtls_x509_crt_init(&pair->chain);
  mbedtls_pk_init(&pair->key);
  int ret;
  if ((ret = mbedtls_x509_crt_parse_file(&pair->chain, cert)) != 0) return mbed_error(ret);
  if (chain && (ret = mbedtls_x509_crt_parse_file(&pair->chain, chain)) != 0) return mbed_error(ret);
  if ((ret = mbedtls_pk_parse_keyfile(&pair->key, key, NULL)) != 0) return mbed_error(ret);
  if (mbedtls_pk_check_pair(&pair->chain.pk, &pair->key) != 0) return "the key is not the certificate's";
  return NULL;
}

/* A stream, whole: the request on standard input, a key pair file. */
static unsigned char *read_whole(FILE *in, size_t *length) {
  size_t capacity = 1024;
  unsigned char *data = malloc(capacity);
  *length = 0;
  for (size_t n; (n = fread(data + *length, 1, capacity - 1 - *length, in)) > 0;) {
    *length += n;
    if (*length == capacity - 1) data = realloc(data, capacity *= 2);
  }
  data[*length] = '\0';
  return data;
}

/*
 * The server's default key pair (--key-pair: certificate, chain, key in one PEM file) and the
 * version of the file it came from. The version is taken from the descriptor the bytes are read
 * through, so a rename during the read is seen at the next connection, not lost.
 */
struct watched_pair {
  const char *path;
  struct key_pair *pair;
  struct stat seen;
};

static int same_version(const struct stat *a, const struct stat *b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Loads the file's current version into a new pair: NULL and *out set, or why it does not load (`seen` is noted either way). */
static const char *load_watched(struct watched_pair *watched, struct key_pair **out) {
  FILE *in = fopen(watched->path, "rb");
  if (!in) return strerror(errno);
  fstat(fileno(in), &watched->seen);
  size_t length;
  unsigned char *pem = read_whole(in, &length);
  fclose(in);
  struct key_pair *pair = calloc(1, sizeof *pair);
  mbedtls_x509_crt_init(&pair->chain);
  mbedtls_pk_init(&pair->key);
  int ret = mbedtls_x509_crt_parse(&pair->chain, pem, length + 1); /* PEM input counts its NUL */
  if (ret == 0) ret = mbedtls_pk_parse_key(&pair->key, pem, length + 1, NULL, 0);
  free(pem);
  const char *failure = ret != 0 ? mbed_error(ret) : mbedtls_pk_check_pair(&pair->chain.pk, &pair->key) != 0 ? "the key is not the certificate's" : NULL;
  if (failure) {
    mbedtls_x509_crt_free(&pair->chain);
    mbedtls_pk_free(&pair->key);
    free(pair);
    return failure;
  }
  *out = pair;
  return NULL;
}

static mbedtls_ssl_config *server_config(const struct settings *s, struct key_pair *pair);

/*
 * Before a connection: when the file changed and its new version loads, a config of its own for it
 * ("reloaded: SHA256" of the leaf's DER); else the current config. The children forked before keep
 * their copy of the old one.
 */
static mbedtls_ssl_config *refresh_watched(struct watched_pair *watched, mbedtls_ssl_config *current, const struct settings *s) {
  struct stat now;
  if (stat(watched->path, &now) != 0 || same_version(&now, &watched->seen)) return current;
  struct key_pair *fresh;
  const char *failure = load_watched(watched, &fresh);
  if (failure) {
    fprintf(stderr, "failed to reload the key pair %s: %s (serving the previous one)\n", watched->path, failure);
    return current;
  }
  mbedtls_ssl_config *next = server_config(s, fresh);
  mbedtls_ssl_config_free(current);
  free(current);
  mbedtls_x509_crt_free(&watched->pair->chain);
  mbedtls_pk_free(&watched->pair->key);
  free(watched->pair);
  watched->pair = fresh;
  unsigned char digest[32];
  char hex[65];
  mbedtls_sha256_ret(fresh->chain.raw.p, fresh->chain.raw.len, digest, 0);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  printf("reloaded: %s\n", hex);
  return next;
}

/* node's names: mbedTLS says "TLSv1.0" for TLS 1.0. */
static const char *version_name(const mbedtls_ssl_context *ssl) {
  const char *name = mbedtls_ssl_get_version(ssl);
  return strcmp(name, "TLSv1.0") == 0 ? "TLSv1" : name;
}

/* Subject alternative names of the types an identity is read from: [6] URI, and [2] dNSName when asked for. */
struct san_list {
  int total;
  char name[san_limit][256];
};

static void identities_of(const mbedtls_x509_crt *crt, int with_dns, struct san_list *out) {
  out->total = 0;
  for (const mbedtls_x509_sequence *san = &crt->subject_alt_names; san && san->buf.p && out->total < san_limit; san = san->next) {
    int type = san->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK;
    if (type == 6 || (with_dns && type == 2)) snprintf(out->name[out->total++], sizeof out->name[0], "%.*s", (int)san->buf.len, (const char *)san->buf.p);
  }
}

static int listed(const char *name, const char *const *list, int total) {
  for (int i = 0; i < total; i++) if (strcmp(name, list[i]) == 0) return 1;
  return 0;
}

/* "a, b, c", or `none` for an empty list. */
static const char *joined(const char *const *names, int total, const char *none) {
  static char text[2][1024];
  static int turn;
  char *out = text[turn ^= 1];
  out[0] = '\0';
  for (int i = 0, at = 0; i < total && at < (int)sizeof text[0]; i++) at += snprintf(out + at, sizeof text[0] - (size_t)at, "%s%s", i ? ", " : "", names[i]);
  return total ? out : none;
}

static const char *joined_sans(const struct san_list *list, const char *none) {
  const char *names[san_limit];
  for (int i = 0; i < list->total; i++) names[i] = list->name[i];
  return joined(names, list->total, none);
}

/* The --allow-identity check of a verified client: NULL when one of its URI or DNS SANs is listed, else the refusal. */
static const char *unauthorized(const mbedtls_x509_crt *peer, const struct settings *s) {
  static char refusal[2200];
  struct san_list presented;
  identities_of(peer, 1, &presented);
  for (int i = 0; i < presented.total; i++) if (listed(presented.name[i], s->allowed, s->allowed_total)) return NULL;
  snprintf(refusal, sizeof refusal, "not authorized: client identity %s is not one of %s", joined_sans(&presented, "(none)"), joined(s->allowed, s->allowed_total, ""));
  return refusal;
}

static struct named_pair sni_pairs[sni_limit];
static int sni_pair_total;

/* The SNI callback: the key pair of the name asked for (case-insensitive), else the default one. */
static int choose_pair(void *unused, mbedtls_ssl_context *ssl, const unsigned char *asked, size_t length) {
  (void)unused;
  for (int i = 0; i < sni_pair_total; i++) {
    if (strlen(sni_pairs[i].name) == length && strncasecmp(sni_pairs[i].name, (const char *)asked, length) == 0) {
      return mbedtls_ssl_set_hs_own_cert(ssl, &sni_pairs[i].pair.chain, &sni_pairs[i].pair.key);
    }
  }
  return 0;
}

/* The alert mbedTLS itself sends for a chain it refuses (ssl_tls.c, ssl_parse_certificate_verify). */
static unsigned char alert_for(uint32_t flags) {
  if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) return MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA;
  if (flags & MBEDTLS_X509_BADCERT_REVOKED) return MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED;
  if (flags & MBEDTLS_X509_BADCERT_EXPIRED) return MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED;
  if (flags & (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE)) return MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT;
  return MBEDTLS_SSL_ALERT_MSG_BAD_CERT;
}

/* Reads the request until its header ends (a blank line), the peer stops, or the buffer is full. */
static void read_request_header(mbedtls_ssl_context *ssl) {
  unsigned char header[8192];
  size_t held = 0;
  for (int n; held < sizeof header && (n = mbedtls_ssl_read(ssl, header + held, sizeof header - held)) > 0;) {
    held += (size_t)n;
    if (memmem(header, held, "\r\n\r\n", 4) || memmem(header, held, "\n\n", 2)) return;
  }
}

/* The protocol's answer: HTTP/1.0 200 with {"identity", "authorized", "protocol"}, then close_notify. */
static void answer(mbedtls_ssl_context *ssl, const char *identity, int authorized, const char *version) {
  char identity_json[600] = "null", body[800], reply[1024];
  if (identity) snprintf(identity_json, sizeof identity_json, "\"%s\"", identity);
  int body_length = snprintf(body, sizeof body, "{\"identity\": %s, \"authorized\": %s, \"protocol\": \"%s\"}", identity_json, authorized ? "true" : "false", version);
  int length = snprintf(reply, sizeof reply, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", body_length, body);
  mbedtls_ssl_write(ssl, (const unsigned char *)reply, (size_t)length);
  mbedtls_ssl_close_notify(ssl);
}

/* One connection, in its own child: 10 s for everything (reads time out through the config, alarm ends the rest). */
static void serve_connection(const mbedtls_ssl_config *conf, mbedtls_net_context *client, const struct settings *s) {
  alarm(10);
  mbedtls_ssl_context ssl;
  mbedtls_ssl_init(&ssl);
  int ret = mbedtls_ssl_setup(&ssl, conf);
  if (ret == 0) {
    mbedtls_ssl_set_bio(&ssl, client, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    do ret = mbedtls_ssl_handshake(&ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
  }
  if (ret != 0) {
    printf("rejected: %s\n", tls_failure(&ssl, ret));
    return;
  }
  const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&ssl);
  uint32_t flags = mbedtls_ssl_get_verify_result(&ssl);
  /* VERIFY_OPTIONAL lets any certificate through: the protocol's optional wants one sent to verify. */
  if (conf->authmode == MBEDTLS_SSL_VERIFY_OPTIONAL && peer && flags != 0) {
    mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL, alert_for(flags));
    printf("rejected: %s\n", tls_failure(&ssl, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED));
    return;
  }
  /* Authorization after authentication, as a mesh's policy does: a verified client not listed gets no answer. */
  const char *refusal = s->allowed_total && peer ? unauthorized(peer, s) : NULL;
  if (refusal) {
    printf("rejected: %s\n", refusal);
    mbedtls_ssl_close_notify(&ssl);
    return;
  }
  const char *version = version_name(&ssl);
  printf("served: %s %s\n", version, mbedtls_ssl_get_ciphersuite(&ssl));
  read_request_header(&ssl);
  struct san_list uris = {0};
  if (peer) identities_of(peer, 0, &uris);
  answer(&ssl, uris.total ? uris.name[0] : NULL, peer != NULL && flags == 0, version);
}

static mbedtls_x509_crt client_cas;
static mbedtls_x509_crl crls;

/* A server config around one default key pair: the client CAs, CRLs and SNI pairs loaded at start. */
static mbedtls_ssl_config *server_config(const struct settings *s, struct key_pair *pair) {
  mbedtls_ssl_config *conf = malloc(sizeof *conf);
  mbedtls_ssl_config_init(conf);
  int ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (ret != 0) usage_error("failed to configure the server: %s", mbed_error(ret));
  mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &drbg);
  const char *auth = s->client_auth ? s->client_auth : "none";
  mbedtls_ssl_conf_authmode(conf, strcmp(auth, "required") == 0 ? MBEDTLS_SSL_VERIFY_REQUIRED : strcmp(auth, "optional") == 0 ? MBEDTLS_SSL_VERIFY_OPTIONAL : MBEDTLS_SSL_VERIFY_NONE);
  mbedtls_ssl_conf_verify(conf, note_refusal, NULL);
  /* TLS 1.3 is minor version 4: a floor above the highest version this build speaks refuses every client. */
  if (s->min_version) mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, strcmp(s->min_version, "TLSv1.3") == 0 ? 4 : MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_ca_chain(conf, &client_cas, s->crl_total ? &crls : NULL);
  if ((ret = mbedtls_ssl_conf_own_cert(conf, &pair->chain, &pair->key)) != 0) usage_error("failed to load the server key pair: %s", mbed_error(ret));
  if (sni_pair_total > 0) mbedtls_ssl_conf_sni(conf, choose_pair, NULL);
  mbedtls_ssl_conf_read_timeout(conf, 10000);
  return conf;
}

static int run_server(struct settings *s) {
  if (!s->listen) usage_error("failed to parse arguments: --listen is required");
  if (!s->key_pair_file) usage_error("failed to parse arguments: --key-pair is required");
  struct loopback at = loopback_address(s->listen);
  const char *auth = s->client_auth ? s->client_auth : "none";
  if (strcmp(auth, "none") && strcmp(auth, "optional") && strcmp(auth, "required")) usage_error("failed to parse --client-auth %s: want none, optional or required", auth);
  if (s->min_version && strcmp(s->min_version, "TLSv1.2") && strcmp(s->min_version, "TLSv1.3")) usage_error("failed to parse --min-version %s: want TLSv1.2 or TLSv1.3", s->min_version);

  seed_random();
  int ret;
  mbedtls_x509_crt_init(&client_cas);
  mbedtls_x509_crl_init(&crls);
  if (s->client_ca && (ret = mbedtls_x509_crt_parse_file(&client_cas, s->client_ca)) != 0) usage_error("failed to load the client CA bundle: %s", mbed_error(ret));
  for (int i = 0; i < s->crl_total; i++) {
    if ((ret = mbedtls_x509_crl_parse_file(&crls, s->crl_files[i])) != 0) usage_error("failed to load the CRL %s: %s", s->crl_files[i], mbed_error(ret));
  }
  struct watched_pair watched = {.path = s->key_pair_file};
  const char *failure = load_watched(&watched, &watched.pair);
  if (failure) usage_error("failed to load the server key pair: %s", failure);
  for (int i = 0; i < s->sni_total; i++) {
    /* NAME,CERT,CHAIN,KEY: exactly three commas; CHAIN may be empty */
    char *name = strdup(s->sni_specs[i]), *cert = strchr(name, ','), *chain = cert ? strchr(cert + 1, ',') : NULL, *key = chain ? strchr(chain + 1, ',') : NULL;
    if (!key || strchr(key + 1, ',') || cert == name || chain == cert + 1 || key[1] == '\0') usage_error("failed to parse --sni %s: want NAME,CERT,CHAIN,KEY", s->sni_specs[i]);
    *cert++ = *chain++ = *key++ = '\0';
    sni_pairs[i].name = name;
    failure = load_key_pair(&sni_pairs[i].pair, cert, *chain ? chain : NULL, key);
    if (failure) usage_error("failed to load the key pair for %s: %s", name, failure);
  }
  sni_pair_total = s->sni_total;
  mbedtls_ssl_config *conf = server_config(s, watched.pair);

  mbedtls_net_context listener, client;
  mbedtls_net_init(&listener);
  mbedtls_net_init(&client);
  if ((ret = mbedtls_net_bind(&listener, at.host, at.port, MBEDTLS_NET_PROTO_TCP)) != 0) {
    fprintf(stderr, "failed to listen on %s: %s\n", s->listen, mbed_error(ret));
    return 1;
  }
  char where[NI_MAXHOST + NI_MAXSERV + 4];
  bound_address(listener.fd, where, sizeof where);
  printf("ready: listening on %s\n", where);
  signal(SIGCHLD, SIG_IGN); /* no zombies: the kernel reaps the children */
  for (;;) {
    ret = mbedtls_net_accept(&listener, &client, NULL, 0, NULL);
    if (ret != 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      fprintf(stderr, "failed to accept a connection: %s\n", mbed_error(ret));
      return 1;
    }
    conf = refresh_watched(&watched, conf, s);
    pid_t child = fork();
    /* close(), not mbedtls_net_free: its shutdown() would end the socket for the other process too */
    if (child == 0) {
      close(listener.fd);
      /* mix the child's pid in, so no two connections draw the same random bytes */
      pid_t self = getpid();
      mbedtls_ctr_drbg_reseed(&drbg, (const unsigned char *)&self, sizeof self);
      serve_connection(conf, &client, s);
      _exit(0);
    }
    close(client.fd);
  }
}

/* The line printed when the client's deadline passes, rewritten at each stage (a signal handler only writes it). */
static char deadline_line[128];
static size_t deadline_line_length;
static long deadline_ms;

static void enter_stage(const char *stage) {
  deadline_line_length = (size_t)snprintf(deadline_line, sizeof deadline_line, "error: %s: timed out after %ld ms\n", stage, deadline_ms);
}

static void on_deadline(int signal_number) {
  (void)signal_number;
  (void)!write(STDOUT_FILENO, deadline_line, deadline_line_length);
  _exit(1);
}

static int client_error(const char *stage, const char *text) {
  printf("error: %s: %s\n", stage, text);
  return 1;
}

static int run_client(struct settings *s) {
  if (!s->connect_to) usage_error("failed to parse arguments: --connect is required");
  struct loopback at = loopback_address(s->connect_to);
  deadline_ms = 5000;
  if (s->timeout_ms) {
    char *rest;
    deadline_ms = strtol(s->timeout_ms, &rest, 10);
    if (*rest != '\0' || deadline_ms <= 0) usage_error("failed to parse --timeout-ms %s: want a number", s->timeout_ms);
  }
  /* mbedtls_ssl_set_hostname is both the SNI and the name checked: it cannot verify another one. */
  if (s->verify_name && (!s->servername || strcmp(s->verify_name, s->servername) != 0)) usage_error("failed to configure the client: mbedTLS checks the SNI name it sends, not another --verify-name");

  seed_random();
  mbedtls_ssl_config conf;
  mbedtls_ssl_config_init(&conf);
  int ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (ret != 0) usage_error("failed to configure the client: %s", mbed_error(ret));
  mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
  static struct key_pair own;
  if (s->cert || s->key) {
    if (!s->cert || !s->key) usage_error("failed to load the client key pair: --cert and --key go together");
    const char *failure = load_key_pair(&own, s->cert, s->chain, s->key);
    if (failure) usage_error("failed to load the client key pair: %s", failure);
    mbedtls_ssl_conf_own_cert(&conf, &own.chain, &own.key);
  }
  static mbedtls_x509_crt trusted;
  mbedtls_x509_crt_init(&trusted);
  if (s->ca) {
    if ((ret = mbedtls_x509_crt_parse_file(&trusted, s->ca)) != 0) usage_error("failed to load the trust bundle: %s", mbed_error(ret));
    mbedtls_ssl_conf_ca_chain(&conf, &trusted, NULL);
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_verify(&conf, note_refusal, NULL);
  } else {
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
  }
  size_t request_length;
  unsigned char *request = read_whole(stdin, &request_length);

  enter_stage("connect");
  signal(SIGALRM, on_deadline);
  struct itimerval deadline = {{0, 0}, {deadline_ms / 1000, (deadline_ms % 1000) * 1000}};
  setitimer(ITIMER_REAL, &deadline, NULL);

  mbedtls_net_context net;
  mbedtls_net_init(&net);
  errno = 0;
  if ((ret = mbedtls_net_connect(&net, at.host, at.port, MBEDTLS_NET_PROTO_TCP)) != 0) return client_error("connect", errno ? strerror(errno) : mbed_error(ret));
  enter_stage("handshake");
  mbedtls_ssl_context ssl;
  mbedtls_ssl_init(&ssl);
  if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0) return client_error("handshake", mbed_error(ret));
  if (s->servername && (ret = mbedtls_ssl_set_hostname(&ssl, s->servername)) != 0) return client_error("handshake", mbed_error(ret));
  mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
  errno = 0;
  do ret = mbedtls_ssl_handshake(&ssl);
  while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
  if (ret != 0) return client_error("handshake", tls_failure(&ssl, ret));
  printf("version: %s\ncipher: %s\n", version_name(&ssl), mbedtls_ssl_get_ciphersuite(&ssl));
  if (s->expect_uri) {
    struct san_list uris = {0};
    const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&ssl);
    if (peer) identities_of(peer, 0, &uris);
    int found = 0;
    for (int i = 0; i < uris.total; i++) found |= strcmp(uris.name[i], s->expect_uri) == 0;
    if (!found) {
      char text[2200];
      snprintf(text, sizeof text, "server identity %s is not the expected %s", joined_sans(&uris, "(no URI SAN)"), s->expect_uri);
      return client_error("identity", text);
    }
  }

  /* A refusal after the handshake may surface at the write or only at the read: read whatever came. */
  enter_stage("write");
  errno = 0;
  int written = mbedtls_ssl_write(&ssl, request, request_length);
  char *write_failure = written < 0 ? strdup(tls_failure(&ssl, written)) : NULL;
  enter_stage("read");
  errno = 0;
  char first_line[1024] = "";
  size_t received = 0;
  int n;
  for (unsigned char chunk[4096]; (n = mbedtls_ssl_read(&ssl, chunk, sizeof chunk)) > 0; received += (size_t)n) {
    /* keep the answer's first line; the rest is read only to reach its end */
    size_t kept = strlen(first_line);
    if (received == kept && kept < sizeof first_line - 1) {
      size_t take = 0;
      while (take < (size_t)n && take < sizeof first_line - 1 - kept && chunk[take] != '\r' && chunk[take] != '\n') take++;
      memcpy(first_line + kept, chunk, take);
      first_line[kept + take] = '\0';
    }
  }
  if (received > 0) {
    printf("response: %s\n", first_line);
    return 0;
  }
  if (write_failure) return client_error("write", write_failure);
  if (n == 0 || n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return client_error("read", "connection closed without a response");
  return client_error("read", tls_failure(&ssl, n));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) usage_error("usage: tlspeer server --listen ADDR --key-pair FILE [flags] | client --connect ADDR [flags] | version");
  const char *mode = argv[1];
  if (strcmp(mode, "version") == 0) {
    if (argc > 2) usage_error("failed to parse arguments: unexpected argument %s", argv[2]);
    char version[32];
    mbedtls_version_get_string(version);
    printf("mbedtls %s\n", version);
    return 0;
  }
  int server = strcmp(mode, "server") == 0;
  if (!server && strcmp(mode, "client") != 0) usage_error("failed to parse arguments: unknown mode \"%s\"", mode);
  struct settings s = {0};
  read_flags(&s, argc, argv, server ? server_flags : client_flags);
  return server ? run_server(&s) : run_client(&s);
}
