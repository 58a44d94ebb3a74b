// TlsPeer: Java's JSSE (SunJSSE) as a conformance peer, JDK only. Its modes (server, client,
// service), flags, output lines, exit codes and the service's framing are the peer protocol shared
// with the Go and Python peers: docs/peer-protocol.md.
//
// ERROR texts are the exception and its causes on one line: the top-level SSLHandshakeException
// says "validity check failed" for an expired and a not-yet-valid certificate alike; only the cause
// (CertificateExpiredException, CertificateNotYetValidException) tells them apart. Keys and
// certificates are read from the fixtures' PEM files into in-memory keystores, so there is no
// PKCS12 file to make.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

public final class TlsPeer {
  public static void main(String[] args) throws Exception {
    try {
      if (args.length < 1) fail(2, "usage: TlsPeer server|client|service [--flag value]...");
      switch (args[0]) {
        case "server" -> runServer(parseFlags(args, 1, serverFlags));
        case "client" -> System.exit(runClient(parseFlags(args, 1, clientFlags), System.in.readAllBytes(), System.out));
        case "service" -> runService(parseFlags(args, 1, serviceFlags));
        default -> fail(2, "failed to parse arguments: unknown mode \"" + args[0] + "\"");
      }
    } catch (UsageError error) {
      System.err.println(error.getMessage());
      System.exit(error.code);
    }
  }

  /** Bad input: thrown rather than exiting, so one bad request does not end the "clients" JVM. */
  static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    UsageError(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  static void fail(int code, String message) {
    throw new UsageError(code, message);
  }

  static final List<String> serverFlags = List.of("listen", "key-pair", "client-auth", "client-ca", "crl", "sni", "min-version", "allow-identity");
  static final List<String> clientFlags = List.of("connect", "servername", "ca", "verify-name", "verify-ip", "expect-uri", "cert", "chain", "key", "timeout-ms");
  static final List<String> serviceFlags = List.of("listen", "idle-exit-ms");

  /** Flags from args[first] on, each one of `known`: an unknown flag is refused, as the Go and Python peers do. */
  static Map<String, List<String>> parseFlags(String[] args, int first, List<String> known) {
    Map<String, List<String>> flags = new HashMap<>();
    for (int i = first; i < args.length; i += 2) {
      if (!args[i].startsWith("--")) fail(2, "failed to parse arguments: unexpected argument " + args[i]);
      String name = args[i].substring(2);
      if (!known.contains(name)) fail(2, "failed to parse arguments: unknown flag " + args[i]);
      if (i + 1 >= args.length) fail(2, "failed to parse arguments: flag needs a value: " + args[i]);
      flags.computeIfAbsent(name, k -> new ArrayList<>()).add(args[i + 1]);
    }
    return flags;
  }

  /** A flag's value (the last one given), or null when it is absent or empty. */
  static String flag(Map<String, List<String>> flags, String name) {
    List<String> values = flags.get(name);
    String value = values == null ? null : values.get(values.size() - 1);
    return value == null || value.isEmpty() ? null : value;
  }

  static String requiredFlag(Map<String, List<String>> flags, String name) {
    String value = flag(flags, name);
    if (value == null) fail(2, "failed to parse arguments: --" + name + " is required");
    return value;
  }

  static int intFlag(Map<String, List<String>> flags, String name, int fallback) {
    String value = flag(flags, name);
    if (value == null) return fallback;
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException notANumber) {
      throw new UsageError(2, "failed to parse --" + name + " " + value + ": want a number");
    }
  }

  /** Enforces the harness's network rule: nothing outside 127.0.0.0/8 (or ::1). */
  static InetSocketAddress loopback(String address) throws IOException {
    int colon = address.lastIndexOf(':');
    if (colon < 0) fail(2, "failed to parse address " + address + ": want HOST:PORT");
    InetAddress host = InetAddress.getByName(address.substring(0, colon).replaceAll("^\\[|\\]$", ""));
    if (!host.isLoopbackAddress()) fail(2, "failed to accept address " + address + ": not a loopback IP");
    try {
      return new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
    } catch (IllegalArgumentException badPort) {
      throw new UsageError(2, "failed to parse address " + address + ": want HOST:PORT");
    }
  }

  // --- PEM material ---------------------------------------------------------------------------

  static List<X509Certificate> readCerts(String... files) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certs = new ArrayList<>();
    for (String file : files) {
      if (file == null) continue;
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        for (var cert : factory.generateCertificates(in)) certs.add((X509Certificate) cert);
      }
    }
    return certs;
  }

  static PrivateKey readKey(String file) throws Exception {
    String pem = Files.readString(Path.of(file));
    return privateKey(Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")), file);
  }

  static PrivateKey privateKey(byte[] der, String file) throws Exception {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (java.security.spec.InvalidKeySpecException wrongAlgorithm) {
        // Try the next one: a PKCS#8 blob names its algorithm only as an OID.
      }
    }
    throw new IllegalArgumentException("failed to read private key " + file + ": not a PKCS#8 EC, RSA or Ed25519 key");
  }

  record Identity(PrivateKey key, X509Certificate[] chain) {
    static Identity read(String cert, String chain, String key) throws Exception {
      return new Identity(readKey(key), readCerts(cert, chain).toArray(new X509Certificate[0]));
    }
  }

  static final java.util.regex.Pattern pemBlock = java.util.regex.Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]*)-----END \\1-----");

  /** A key pair file: its CERTIFICATE blocks in order (leaf first), its PRIVATE KEY, which must be the leaf's. */
  static Identity parseKeyPair(byte[] content, String file) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certs = new ArrayList<>();
    PrivateKey key = null;
    var blocks = pemBlock.matcher(new String(content, StandardCharsets.US_ASCII));
    while (blocks.find()) {
      byte[] der = Base64.getMimeDecoder().decode(blocks.group(2));
      switch (blocks.group(1)) {
        case "CERTIFICATE" -> certs.add((X509Certificate) factory.generateCertificate(new java.io.ByteArrayInputStream(der)));
        case "PRIVATE KEY" -> key = privateKey(der, file);
        default -> throw new IllegalArgumentException("unexpected PEM block " + blocks.group(1));
      }
    }
    if (certs.isEmpty() || key == null) throw new IllegalArgumentException("want a CERTIFICATE and a PRIVATE KEY block, found " + certs.size() + " certificates and " + (key == null ? "no" : "a") + " key");
    // JSSE would only fail the handshake later: sign with the key and verify with the leaf's public key.
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> key.getAlgorithm(); // Ed25519
    };
    byte[] probe = file.getBytes(StandardCharsets.UTF_8);
    java.security.Signature signer = java.security.Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
    verifier.initVerify(certs.get(0).getPublicKey());
    verifier.update(probe);
    if (!verifier.verify(signature)) throw new IllegalArgumentException("the private key is not the certificate's");
    return new Identity(key, certs.toArray(new X509Certificate[0]));
  }

  /**
   * The server's default key pair (--key-pair), re-read at the first handshake after the file
   * changed, so the rename that replaces it is the switch point. The file's identity is its device,
   * inode, size and times: a rename gives it a new inode, and the times alone are too coarse. Each
   * version is its own alias ("default@N"), so a handshake that chose one keeps its chain and key. A
   * file that does not load (half written, a key that is not the certificate's) is never served: the
   * previous version stays and the error stream says why, once per version of the file.
   */
  static final class WatchedKeyPair {
    final Path path;
    final Map<String, Identity> identities;
    final java.io.PrintStream lines;
    final java.io.PrintStream errors;
    Object seen;
    String current;
    int generation;

    WatchedKeyPair(String path, Map<String, Identity> identities, java.io.PrintStream lines, java.io.PrintStream errors) throws Exception {
      this.path = Path.of(path);
      this.identities = identities;
      this.lines = lines;
      this.errors = errors;
      load();
    }

    Object identity() throws IOException {
      return Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime,ctime");
    }

    /** Reads the file, its identity first: a later version read under an earlier identity is read again. */
    void load() throws Exception {
      seen = identity();
      Identity loaded = parseKeyPair(Files.readAllBytes(path), path.toString());
      String alias = "default@" + ++generation;
      identities.put(alias, loaded);
      current = alias;
    }

    synchronized String alias() {
      try {
        if (identity().equals(seen)) return current;
        load();
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(identities.get(current).chain()[0].getEncoded());
        lines.println("reloaded: " + java.util.HexFormat.of().formatHex(digest));
      } catch (Exception error) {
        errors.println("failed to reload the key pair " + path + ": " + describe(error) + " (serving the previous one)");
      }
      return current;
    }
  }

  /** The anchors of a PEM bundle; `what` names it in the one-line error ("the trust bundle"). */
  static KeyStore trustStore(String bundle, String what) throws Exception {
    List<X509Certificate> anchors;
    try {
      anchors = readCerts(bundle);
    } catch (Exception error) {
      throw new UsageError(2, "failed to load " + what + ": " + describe(error));
    }
    if (anchors.isEmpty()) throw new UsageError(2, "failed to load " + what + ": no certificate in " + bundle);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int index = 0;
    for (X509Certificate cert : anchors) store.setCertificateEntry("anchor-" + index++, cert);
    return store;
  }

  /** PKIX trust from a PEM bundle; with CRLs, revocation checking against them (no OCSP, no fetching). */
  static TrustManager[] trustManagers(String bundle, String what, List<String> crlFiles) throws Exception {
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    KeyStore anchors = trustStore(bundle, what);
    if (crlFiles.isEmpty()) {
      factory.init(anchors);
      return factory.getTrustManagers();
    }
    CertificateFactory certificates = CertificateFactory.getInstance("X.509");
    List<X509CRL> crls = new ArrayList<>();
    for (String file : crlFiles) {
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        for (var crl : certificates.generateCRLs(in)) crls.add((X509CRL) crl);
      } catch (Exception error) {
        throw new UsageError(2, "failed to load the CRL " + file + ": " + describe(error));
      }
    }
    PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
    parameters.setRevocationEnabled(true);
    parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
    factory.init(new CertPathTrustManagerParameters(parameters));
    return factory.getTrustManagers();
  }

  /** The exception and its causes on one line, each cause once. */
  static String describe(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      String part = cause.toString().replaceAll("\\s+", " ");
      if (text.indexOf(part) >= 0) continue;
      if (text.length() > 0) text.append(" <- caused by ");
      text.append(part);
    }
    return text.toString();
  }

  // --- server ---------------------------------------------------------------------------------

  /**
   * Chooses the certificate by the SNI name the client asked for (RFC 6066 section 3), the default
   * one otherwise. JSSE's own key managers pick among matching keys by issuer and key type only.
   */
  static final class SniKeyManager extends X509ExtendedKeyManager {
    final Map<String, Identity> identities;
    final WatchedKeyPair keyPair;

    SniKeyManager(Map<String, Identity> identities, WatchedKeyPair keyPair) {
      this.identities = identities;
      this.keyPair = keyPair;
    }

    String aliasFor(String keyType, SSLSession handshake) {
      String alias = null;
      if (handshake instanceof ExtendedSSLSession extended) {
        for (SNIServerName name : extended.getRequestedServerNames()) {
          if (name instanceof SNIHostName host && identities.containsKey(host.getAsciiName().toLowerCase())) {
            alias = host.getAsciiName().toLowerCase();
          }
        }
      }
      if (alias == null) alias = keyPair.alias();
      // JSSE asks once per key type the peer can verify (TLS 1.2 adds the key exchange: "EC_EC").
      String algorithm = identities.get(alias).key().getAlgorithm();
      return keyType.split("_")[0].equals(algorithm) ? alias : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return aliasFor(keyType, ((SSLSocket) socket).getHandshakeSession());
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return aliasFor(keyType, engine.getHandshakeSession());
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return identities.get(alias).chain();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return identities.get(alias).key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return identities.keySet().toArray(new String[0]);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  static void runServer(Map<String, List<String>> flags) throws Exception {
    SSLServerSocket server = listen(flags, System.out, System.err);
    // On SIGTERM the JVM waits up to 300 ms for threads blocked in native code (VM_Exit::
    // wait_for_threads_in_native_to_block), such as one in accept(): closing the socket first
    // releases it, and a stop takes 20 ms instead of 330 ms (measured).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (IOException ignored) {
        // exiting anyway
      }
    }));
    acceptLoop(server, System.out, flags.getOrDefault("allow-identity", List.of()));
  }

  /** Binds the configured server and prints its ready line. */
  static SSLServerSocket listen(Map<String, List<String>> flags, java.io.PrintStream stdout, java.io.PrintStream errors) throws Exception {
    String listenFlag = requiredFlag(flags, "listen");
    String keyPairFile = requiredFlag(flags, "key-pair");
    InetSocketAddress listen = loopback(listenFlag);
    // Values first, then files (the client CA, the CRLs, the key pair, the SNI pairs): the order of
    // the other peers, so the first fault reported is the same (docs/peer-protocol.md).
    String clientAuth = flag(flags, "client-auth") == null ? "none" : flag(flags, "client-auth");
    if (!List.of("none", "optional", "required").contains(clientAuth)) fail(2, "failed to parse --client-auth " + clientAuth + ": want none, optional or required");
    String minVersion = flag(flags, "min-version");
    if (minVersion != null && !List.of("TLSv1.2", "TLSv1.3").contains(minVersion)) fail(2, "failed to parse --min-version " + minVersion + ": want TLSv1.2 or TLSv1.3");
    String clientCa = flag(flags, "client-ca");
    TrustManager[] trust = clientCa == null ? null : trustManagers(clientCa, "the client CA bundle", flags.getOrDefault("crl", List.of()));
    Map<String, Identity> identities = new java.util.concurrent.ConcurrentHashMap<>();
    WatchedKeyPair keyPair;
    try {
      keyPair = new WatchedKeyPair(keyPairFile, identities, stdout, errors);
    } catch (Exception error) {
      throw new UsageError(2, "failed to load the server key pair: " + describe(error));
    }
    for (String sni : flags.getOrDefault("sni", List.of())) {
      String[] parts = sni.split(",", -1);
      if (parts.length != 4) fail(2, "failed to parse --sni " + sni + ": want NAME,CERT,CHAIN,KEY");
      try {
        identities.put(parts[0].toLowerCase(), Identity.read(parts[1], parts[2].isEmpty() ? null : parts[2], parts[3]));
      } catch (Exception error) {
        throw new UsageError(2, "failed to load the key pair for " + parts[0] + ": " + describe(error));
      }
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {new SniKeyManager(identities, keyPair)}, trust, null);
    SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    switch (clientAuth) {
      case "required" -> server.setNeedClientAuth(true);
      // Want: request a certificate, fail the handshake only if one is sent and does not verify.
      case "optional" -> server.setWantClientAuth(true);
      default -> {}
    }
    if (minVersion != null) server.setEnabledProtocols(minVersion.equals("TLSv1.3") ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.2", "TLSv1.3"});
    try {
      server.bind(listen, 64);
    } catch (IOException error) {
      server.close();
      throw new UsageError(1, "failed to listen on " + flag(flags, "listen") + ": " + describe(error));
    }
    stdout.println("ready: listening on " + listen.getAddress().getHostAddress() + ":" + server.getLocalPort());
    return server;
  }

  static void acceptLoop(SSLServerSocket server, java.io.PrintStream stdout, List<String> allowed) throws IOException {
    while (!server.isClosed()) {
      SSLSocket socket;
      try {
        socket = (SSLSocket) server.accept();
      } catch (java.net.SocketException closed) {
        break;
      }
      Thread thread = new Thread(() -> serve(socket, stdout, allowed));
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Answers one HTTP/1.0 request with 200 and the client's URI SAN, then closes. */
  static void serve(SSLSocket socket, java.io.PrintStream stdout, List<String> allowed) {
    try (socket) {
      socket.setSoTimeout(10_000);
      try {
        socket.startHandshake();
      } catch (IOException error) {
        stdout.println("rejected: " + describe(error));
        return;
      }
      SSLSession session = socket.getSession();
      String refusal = allowed.isEmpty() ? null : unauthorized(session, allowed);
      if (refusal != null) {
        // Authorization after authentication, as a mesh's policy does: close without an answer.
        stdout.println("rejected: " + refusal);
        return;
      }
      stdout.println("served: " + session.getProtocol() + " " + session.getCipherSuite());
      InputStream in = socket.getInputStream();
      int matched = 0;
      byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      for (int b; matched < end.length && (b = in.read()) >= 0; ) matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
      String identity = "null";
      boolean authorized = false;
      try {
        List<String> uris = uriSans((X509Certificate) session.getPeerCertificates()[0]);
        authorized = true; // JSSE returns a peer certificate only once its chain verified
        if (!uris.isEmpty()) identity = "\"" + uris.get(0).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      } catch (javax.net.ssl.SSLPeerUnverifiedException noClientCertificate) {
        // optional mode without a client certificate
      }
      String body = "{\"identity\":" + identity + ",\"authorized\":" + authorized + ",\"protocol\":\"" + session.getProtocol() + "\"}";
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (Exception error) {
      // After the verdict line: the response is the client's to judge, as in the other peers.
    }
  }

  /** The refusal when no URI or DNS SAN of the verified client is allowed, else null. */
  static String unauthorized(SSLSession session, List<String> allowed) throws java.security.cert.CertificateParsingException {
    List<String> presented = new ArrayList<>();
    try {
      Collection<List<?>> names = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectAlternativeNames();
      for (List<?> name : names == null ? List.<List<?>>of() : names) {
        // 2 dNSName, 6 uniformResourceIdentifier
        if (Integer.valueOf(2).equals(name.get(0)) || Integer.valueOf(6).equals(name.get(0))) presented.add((String) name.get(1));
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException noClientCertificate) {
      return null; // no certificate: the client-auth mode decides
    }
    for (String name : presented) if (allowed.contains(name)) return null;
    return "not authorized: client identity " + (presented.isEmpty() ? "(none)" : String.join(", ", presented)) + " is not one of " + String.join(", ", allowed);
  }

  static List<String> uriSans(X509Certificate cert) throws java.security.cert.CertificateParsingException {
    List<String> uris = new ArrayList<>();
    Collection<List<?>> names = cert.getSubjectAlternativeNames();
    if (names != null) {
      for (List<?> name : names) {
        if (Integer.valueOf(6).equals(name.get(0))) uris.add((String) name.get(1)); // uniformResourceIdentifier
      }
    }
    return uris;
  }

  // --- client ---------------------------------------------------------------------------------

  /** No server verification at all (the harness's "no trust bundle"). */
  static final class TrustEverything extends X509ExtendedTrustManager {
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
    @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
  }

  /** The long-lived form of "client" and "server": one request per control connection (see the header). */
  static void runService(Map<String, List<String>> flags) throws Exception {
    InetSocketAddress listen = loopback(requiredFlag(flags, "listen"));
    int idleExitMs = intFlag(flags, "idle-exit-ms", 600_000);
    java.net.ServerSocket control = new java.net.ServerSocket();
    try {
      control.bind(listen, 64);
    } catch (IOException error) {
      control.close();
      throw new UsageError(1, "failed to listen on " + flag(flags, "listen") + ": " + describe(error));
    }
    control.setSoTimeout(idleExitMs);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        control.close();
      } catch (IOException ignored) {
        // exiting anyway
      }
    }));
    System.out.println("ready: listening on " + listen.getAddress().getHostAddress() + ":" + control.getLocalPort());
    while (!control.isClosed()) {
      Socket request;
      try {
        request = control.accept();
      } catch (java.net.SocketTimeoutException idle) {
        System.out.println("idle: no request for " + idleExitMs + " ms, exiting");
        System.exit(0);
        return;
      } catch (java.net.SocketException closed) {
        break;
      }
      Thread thread = new Thread(() -> serveRequest(request));
      thread.setDaemon(true);
      thread.start();
    }
  }

  static void serveRequest(Socket request) {
    try (request) {
      request.setSoTimeout(10_000);
      var reader = new java.io.BufferedReader(new java.io.InputStreamReader(request.getInputStream(), StandardCharsets.UTF_8));
      String argsLine = reader.readLine();
      String bodyLine = reader.readLine();
      var out = new java.io.PrintStream(request.getOutputStream(), true, StandardCharsets.UTF_8);
      if (argsLine == null || bodyLine == null) {
        out.println("exit: 2");
        return;
      }
      String[] args = argsLine.split("\t", -1);
      int code;
      try {
        switch (args[0]) {
          case "client" -> code = runClient(parseFlags(args, 1, clientFlags), Base64.getDecoder().decode(bodyLine), out);
          case "server" -> {
            Map<String, List<String>> flags = parseFlags(args, 1, serverFlags);
            try (SSLServerSocket server = listen(flags, out, out)) {
              Thread accepting = new Thread(() -> {
                try {
                  acceptLoop(server, out, flags.getOrDefault("allow-identity", List.of()));
                } catch (IOException closed) {
                  // the harness stopped this server
                }
              });
              accepting.setDaemon(true);
              accepting.start();
              // The server runs until the harness closes the control connection.
              request.setSoTimeout(0);
              while (reader.read() >= 0) {
                // nothing more is sent
              }
            }
            return;
          }
          default -> throw new UsageError(2, "failed to parse request: unknown mode \"" + args[0] + "\"");
        }
      } catch (UsageError error) {
        out.println(error.getMessage());
        code = error.code;
      } catch (Exception error) {
        // What the one-shot program's uncaught exception would have printed, on one line.
        out.println("Exception in " + args[0] + ": " + describe(error));
        code = 1;
      }
      out.println("exit: " + code);
    } catch (IOException lost) {
      // The harness gave up on this request (its deadline passed or it stopped the server).
    }
  }

  static int runClient(Map<String, List<String>> flags, byte[] request, java.io.PrintStream stdout) throws Exception {
    InetSocketAddress target = loopback(requiredFlag(flags, "connect"));
    String serverName = flag(flags, "servername");
    String ca = flag(flags, "ca");
    String verifyIp = flag(flags, "verify-ip");
    String verifyName = verifyIp != null ? verifyIp : flag(flags, "verify-name") != null ? flag(flags, "verify-name") : serverName;
    String expectUri = flag(flags, "expect-uri");
    int timeoutMs = intFlag(flags, "timeout-ms", 5000);

    KeyManager[] keyManagers = null;
    if (flag(flags, "cert") != null) {
      // JSSE's default key manager (SunX509): it sends the certificate only when its issuer is in
      // the server's certificate_authorities list, as a Java client would. The keystore lives in
      // memory only; JKS because PKCS12 encrypts the key on setKeyEntry (PBKDF2, 10000 rounds),
      // which cost 100 ms of a 550 ms client run (measured).
      Identity identity;
      try {
        identity = Identity.read(flag(flags, "cert"), flag(flags, "chain"), flag(flags, "key"));
      } catch (Exception error) {
        throw new UsageError(2, "failed to load the client key pair: " + describe(error));
      }
      KeyStore store = KeyStore.getInstance("JKS");
      store.load(null, null);
      char[] password = "mtls-conformance".toCharArray();
      store.setKeyEntry("client", identity.key(), password, identity.chain());
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      keyManagers = factory.getKeyManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers, ca == null ? new TrustManager[] {new TrustEverything()} : trustManagers(ca, "the trust bundle", List.of()), null);

    Socket plain = new Socket();
    try {
      plain.connect(target, timeoutMs);
    } catch (IOException error) {
      stdout.println("error: connect: " + describe(error));
      return 1;
    }
    plain.setSoTimeout(timeoutMs);
    // HTTPS endpoint identification checks the SNI name, or without SNI the peer host given here
    // (X509TrustManagerImpl.checkIdentity; an IP literal is matched against IP SANs).
    String peerHost = verifyName != null ? verifyName : target.getAddress().getHostAddress();
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, peerHost, target.getPort(), true)) {
      SSLParameters parameters = socket.getSSLParameters();
      try {
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
      } catch (IllegalArgumentException refused) {
        // SNIHostName refuses some names outright (a trailing dot, RFC 6066 section 3): the client's verdict.
        stdout.println("error: sni: " + refused.getMessage());
        return 1;
      }
      if (ca != null && verifyName != null) parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      try {
        socket.startHandshake();
      } catch (IOException error) {
        stdout.println("error: handshake: " + describe(error));
        return 1;
      }
      SSLSession session = socket.getSession();
      stdout.println("version: " + session.getProtocol());
      stdout.println("cipher: " + session.getCipherSuite());
      if (expectUri != null) {
        // JSSE has no URI SAN check of its own: the SPIFFE way is to read the verified peer
        // certificate's SAN of type 6 (uniformResourceIdentifier, RFC 5280 section 4.2.1.6).
        List<String> uris = uriSans((X509Certificate) session.getPeerCertificates()[0]);
        if (!uris.contains(expectUri)) {
          // Same wording as the node prober (harness/core/probe.ts), classified as identity-mismatch.
          stdout.println("error: identity: server identity " + (uris.isEmpty() ? "(no URI SAN)" : String.join(", ", uris)) + " is not the expected " + expectUri);
          return 1;
        }
      }
      // JSSE turns a failed write into a fatal error and closes the connection, so an alert that
      // came in before the request (a TLS 1.3 server refusing the client certificate, then
      // resetting the connection as node:tls does) would never be read: look for one first. A read
      // that times out leaves the SSLSocket usable.
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        socket.setSoTimeout(1);
        int first = in.read();
        if (first < 0) {
          stdout.println("error: read: connection closed without a response");
          return 1;
        }
        response.write(first);
      } catch (java.net.SocketTimeoutException nothingYet) {
        // the usual case: the server waits for the request
      } catch (IOException error) {
        stdout.println("error: read: " + describe(error));
        return 1;
      }
      socket.setSoTimeout(timeoutMs);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException error) {
        stdout.println("error: write: " + describe(error));
        return 1;
      }
      try {
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) response.write(buffer, 0, n);
      } catch (IOException error) {
        // A reset after a complete response is how the server closed, not a rejection.
        if (response.size() == 0) {
          stdout.println("error: read: " + describe(error));
          return 1;
        }
      }
      if (response.size() == 0) {
        stdout.println("error: read: connection closed without a response");
        return 1;
      }
      stdout.println("response: " + response.toString(StandardCharsets.ISO_8859_1).split("\r\n", 2)[0]);
      return 0;
    }
  }
}
