// tlspeer: rustls (with webpki) as a conformance peer, the TLS library of Linkerd's proxy. Its
// modes (server, client, version), flags, output lines and exit codes are the peer protocol shared
// with the Go, Java and Python peers: docs/peer-protocol.md.
//
// Verification is rustls's own: WebPkiVerifier for servers, AllowAnyAuthenticatedClient
// (required) and AllowAnyAnonymousOrAuthenticatedClient (optional) for clients. webpki exposes no
// subjectAltName list, so the URI and DNS SANs the identity checks need are read from the leaf's
// DER here (san_names), after webpki verified the chain.
use rustls::client::{ServerCertVerified, ServerCertVerifier, WebPkiVerifier};
use rustls::server::{
    AllowAnyAnonymousOrAuthenticatedClient, AllowAnyAuthenticatedClient, ClientHello, NoClientAuth,
    ResolvesServerCert,
};
use rustls::sign::CertifiedKey;
use rustls::{
    Certificate, ClientConfig, ClientConnection, Error, PrivateKey, ProtocolVersion, RootCertStore,
    ServerConfig, ServerConnection, ServerName, SignatureScheme,
};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::process::exit;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

fn fail(code: i32, message: String) -> ! {
    eprintln!("{}", message);
    exit(code)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => fail(2, "usage: tlspeer server|client|version [flags]".into()),
        Some("server") => run_server(&args[1..]),
        Some("client") => exit(run_client(&args[1..])),
        // The crate versions compiled in (build.rs reads them from Cargo.lock): the host's cargo
        // says nothing about the copy built into a container image.
        Some("version") => println!("rustls {} webpki {}", env!("RUSTLS_VERSION"), env!("WEBPKI_VERSION")),
        Some(mode) => fail(2, format!("failed to parse arguments: unknown mode \"{}\"", mode)),
    }
}

/// The flags given, by name, in order; `--name value` only, as the harness writes them.
struct Flags(HashMap<String, Vec<String>>);

impl Flags {
    fn parse(args: &[String], known: &[&str]) -> Flags {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let name = match arg.strip_prefix("--") {
                Some(name) => name,
                None => fail(2, format!("failed to parse arguments: unexpected argument {}", arg)),
            };
            if !known.contains(&name) {
                fail(2, format!("failed to parse arguments: unknown flag --{}", name));
            }
            let value = rest.next().unwrap_or_else(|| fail(2, format!("failed to parse arguments: flag needs a value: --{}", name)));
            values.entry(name.to_string()).or_default().push(value.clone());
        }
        Flags(values)
    }

    /// The last value given; an empty value is the flag left out.
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|all| all.last()).map(String::as_str).filter(|value| !value.is_empty())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0.get(name).map(|all| all.iter().filter(|value| !value.is_empty()).cloned().collect()).unwrap_or_default()
    }

    fn required(&self, name: &str) -> &str {
        self.get(name).unwrap_or_else(|| fail(2, format!("failed to parse arguments: --{} is required", name)))
    }
}

/// The harness's network rule: nothing outside 127.0.0.0/8 or ::1.
fn loopback_address(address: &str) -> SocketAddr {
    let (host, port) = address.rsplit_once(':').unwrap_or_else(|| fail(2, format!("failed to parse address {}: want HOST:PORT", address)));
    let port: u16 = port.parse().unwrap_or_else(|_| fail(2, format!("failed to parse address {}: want HOST:PORT", address)));
    let host = host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host);
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => SocketAddr::new(ip, port),
        _ => fail(2, format!("failed to accept address {}: not a loopback IP", address)),
    }
}

fn read_file(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|error| format!("open {}: {}", path, error))
}

/// The certificates and the private key of PEM text, in the order found.
fn parse_pem(pem: &[u8]) -> Result<(Vec<Certificate>, Option<PrivateKey>), String> {
    let items = rustls_pemfile::read_all(&mut &pem[..]).map_err(|error| format!("failed to read PEM: {}", error))?;
    let mut certs = Vec::new();
    let mut key = None;
    for item in items {
        match item {
            rustls_pemfile::Item::X509Certificate(der) => certs.push(Certificate(der)),
            rustls_pemfile::Item::RSAKey(der) | rustls_pemfile::Item::PKCS8Key(der) | rustls_pemfile::Item::ECKey(der) => {
                key.get_or_insert(PrivateKey(der));
            }
            _ => {}
        }
    }
    Ok((certs, key))
}

// What the key is checked with: it signs a test message, the leaf's public key must verify it.
const KEY_CHECK_SCHEMES: [SignatureScheme; 4] = [
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PKCS1_SHA256,
];

fn webpki_algorithm(scheme: SignatureScheme) -> Option<&'static webpki::SignatureAlgorithm> {
    match scheme {
        SignatureScheme::ECDSA_NISTP256_SHA256 => Some(&webpki::ECDSA_P256_SHA256),
        SignatureScheme::ECDSA_NISTP384_SHA384 => Some(&webpki::ECDSA_P384_SHA384),
        SignatureScheme::ED25519 => Some(&webpki::ED25519),
        SignatureScheme::RSA_PKCS1_SHA256 => Some(&webpki::RSA_PKCS1_2048_8192_SHA256),
        _ => None,
    }
}

/// A certificate chain and its key, refused when the key is not the leaf's (rustls does not check).
fn certified_key(certs: Vec<Certificate>, key: Option<PrivateKey>) -> Result<CertifiedKey, String> {
    let (certs, key) = checked_pair(certs, key)?;
    let signing = rustls::sign::any_supported_type(&key).map_err(|_| "unsupported private key type".to_string())?;
    Ok(CertifiedKey::new(certs, signing))
}

fn checked_pair(certs: Vec<Certificate>, key: Option<PrivateKey>) -> Result<(Vec<Certificate>, PrivateKey), String> {
    let leaf = certs.first().ok_or("no certificate found")?.clone();
    let key = key.ok_or("no private key found")?;
    let signing = rustls::sign::any_supported_type(&key).map_err(|_| "unsupported private key type".to_string())?;
    let signer = signing.choose_scheme(&KEY_CHECK_SCHEMES).ok_or("unsupported private key type")?;
    let message = b"mtls-conformance key check";
    let signature = signer.sign(message).map_err(|error| error.to_string())?;
    let algorithm = webpki_algorithm(signer.scheme()).ok_or("unsupported private key type")?;
    let parsed = webpki::EndEntityCert::try_from(leaf.0.as_slice()).map_err(|error| format!("failed to parse the certificate: {:?}", error))?;
    parsed.verify_signature(algorithm, message, &signature).map_err(|_| "private key does not match public key".to_string())?;
    Ok((certs, key))
}

fn load_key_pair(cert: &str, chain: Option<&str>, key: &str) -> Result<(Vec<Certificate>, PrivateKey), String> {
    let (mut certs, _) = parse_pem(&read_file(cert)?)?;
    if let Some(chain) = chain {
        certs.extend(parse_pem(&read_file(chain)?)?.0);
    }
    let (_, key) = parse_pem(&read_file(key)?)?;
    checked_pair(certs, key)
}

fn load_roots(path: &str) -> Result<RootCertStore, String> {
    let (certs, _) = parse_pem(&read_file(path)?)?;
    let mut roots = RootCertStore::empty();
    let ders: Vec<Vec<u8>> = certs.into_iter().map(|cert| cert.0).collect();
    roots.add_parsable_certificates(&ders);
    if roots.is_empty() {
        return Err(format!("no certificate in {}", path));
    }
    Ok(roots)
}

/// One DER element: its tag, its content and what follows it.
fn der_element(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let count = (first & 0x7f) as usize;
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        (rest[..count].iter().fold(0usize, |length, &byte| (length << 8) | byte as usize), &rest[count..])
    };
    if rest.len() < length {
        return None;
    }
    Some((tag, &rest[..length], &rest[length..]))
}

fn der_children(mut data: &[u8]) -> Vec<(u8, &[u8])> {
    let mut children = Vec::new();
    while let Some((tag, content, rest)) = der_element(data) {
        children.push((tag, content));
        data = rest;
    }
    children
}

const SUBJECT_ALT_NAME_OID: [u8; 3] = [0x55, 0x1d, 0x11];

/// The leaf's URI SANs ([6]) and DNS SANs ([2]), in that order (RFC 5280 section 4.2.1.6).
fn san_names(cert: &Certificate) -> (Vec<String>, Vec<String>) {
    let (mut uris, mut dns) = (Vec::new(), Vec::new());
    let tbs = der_element(&cert.0).and_then(|(_, certificate, _)| der_element(certificate)).map(|(_, tbs, _)| tbs).unwrap_or(&[]);
    for (tag, extensions) in der_children(tbs) {
        if tag != 0xa3 {
            continue;
        }
        let list = der_element(extensions).map(|(_, list, _)| list).unwrap_or(&[]);
        for (_, extension) in der_children(list) {
            let fields = der_children(extension);
            if fields.first() != Some(&(0x06, &SUBJECT_ALT_NAME_OID[..])) {
                continue;
            }
            let value = match fields.iter().find(|(tag, _)| *tag == 0x04) {
                Some(&(_, value)) => value,
                None => continue,
            };
            let names = der_element(value).map(|(_, names, _)| names).unwrap_or(&[]);
            for (tag, name) in der_children(names) {
                let text = String::from_utf8_lossy(name).into_owned();
                match tag {
                    0x86 => uris.push(text),
                    0x82 => dns.push(text),
                    _ => {}
                }
            }
        }
    }
    (uris, dns)
}

fn version_name(version: Option<ProtocolVersion>) -> String {
    match version {
        Some(ProtocolVersion::TLSv1_3) => "TLSv1.3".into(),
        Some(ProtocolVersion::TLSv1_2) => "TLSv1.2".into(),
        other => format!("{:?}", other),
    }
}

/// The IANA name: rustls spells TLS 1.3 suites TLS13_*.
fn cipher_name(suite: Option<rustls::SupportedCipherSuite>) -> String {
    let name = suite.map(|suite| format!("{:?}", suite.suite())).unwrap_or_default();
    name.strip_prefix("TLS13_").map(|rest| format!("TLS_{}", rest)).unwrap_or(name)
}

/// One version of a file: the harness replaces it by a rename (a new inode), and times alone are too coarse.
type FileIdentity = (u64, u64, u64, i64, i64, i64, i64);

fn identity_of(meta: &std::fs::Metadata) -> FileIdentity {
    (meta.dev(), meta.ino(), meta.size(), meta.mtime(), meta.mtime_nsec(), meta.ctime(), meta.ctime_nsec())
}

/// The server's default key pair: one PEM file re-read at the first handshake after it changed. A
/// version that does not load is never served: the previous pair stays and stderr says why.
struct WatchedKeyPair {
    path: String,
    state: Mutex<(FileIdentity, Arc<CertifiedKey>)>,
}

impl WatchedKeyPair {
    fn load(path: &str) -> (Option<FileIdentity>, Result<CertifiedKey, String>) {
        let mut file = match File::open(path) {
            Ok(file) => file,
            Err(error) => return (None, Err(format!("open {}: {}", path, error))),
        };
        let seen = match file.metadata() {
            Ok(meta) => identity_of(&meta),
            Err(error) => return (None, Err(error.to_string())),
        };
        let mut pem = Vec::new();
        if let Err(error) = file.read_to_end(&mut pem) {
            return (Some(seen), Err(error.to_string()));
        }
        (Some(seen), parse_pem(&pem).and_then(|(certs, key)| certified_key(certs, key)))
    }

    fn current(&self) -> Arc<CertifiedKey> {
        let mut state = self.state.lock().unwrap();
        match std::fs::metadata(&self.path) {
            Ok(meta) if identity_of(&meta) == state.0 => return state.1.clone(),
            _ => {}
        }
        let (seen, loaded) = Self::load(&self.path);
        // Remembered even when it failed: a bad file is reported once, not at every handshake.
        if let Some(seen) = seen {
            state.0 = seen;
        }
        match loaded {
            Ok(pair) => {
                let digest = ring_digest(&pair.cert[0].0);
                state.1 = Arc::new(pair);
                println!("reloaded: {}", digest);
            }
            Err(error) => eprintln!("failed to reload the key pair {}: {} (serving the previous one)", self.path, error),
        }
        state.1.clone()
    }
}

fn ring_digest(der: &[u8]) -> String {
    let digest = sha256(der);
    digest.iter().map(|byte| format!("{:02x}", byte)).collect()
}

/// The default pair, or the --sni pair the client asked for (case-insensitive).
struct CertificateChooser {
    default: WatchedKeyPair,
    by_name: HashMap<String, Arc<CertifiedKey>>,
}

impl ResolvesServerCert for CertificateChooser {
    fn resolve(&self, hello: ClientHello) -> Option<Arc<CertifiedKey>> {
        if let Some(chosen) = hello.server_name().and_then(|name| self.by_name.get(&name.to_lowercase())) {
            return Some(chosen.clone());
        }
        Some(self.default.current())
    }
}

static TLS12_AND_UP: [&rustls::SupportedProtocolVersion; 2] = [&rustls::version::TLS13, &rustls::version::TLS12];
static TLS13_ONLY: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];

fn run_server(args: &[String]) {
    let flags = Flags::parse(args, &["listen", "key-pair", "client-auth", "client-ca", "sni", "min-version", "allow-identity"]);
    let listen = flags.required("listen").to_string();
    let key_pair_path = flags.required("key-pair").to_string();
    let address = loopback_address(&listen);
    // Values first, then files (client CA, key pair, SNI pairs): the other peers' order.
    let client_auth = flags.get("client-auth").unwrap_or("none");
    if !["none", "optional", "required"].contains(&client_auth) {
        fail(2, format!("failed to parse --client-auth {}: want none, optional or required", client_auth));
    }
    let versions: &[&'static rustls::SupportedProtocolVersion] = match flags.get("min-version") {
        None | Some("TLSv1.2") => &TLS12_AND_UP,
        Some("TLSv1.3") => &TLS13_ONLY,
        Some(other) => fail(2, format!("failed to parse --min-version {}: want TLSv1.2 or TLSv1.3", other)),
    };
    let roots = flags.get("client-ca").map(|path| load_roots(path).unwrap_or_else(|error| fail(2, format!("failed to load the client CA bundle: {}", error))));
    let (seen, loaded) = WatchedKeyPair::load(&key_pair_path);
    let pair = loaded.unwrap_or_else(|error| fail(2, format!("failed to load the server key pair: {}", error)));
    let mut by_name = HashMap::new();
    for value in flags.all("sni") {
        let parts: Vec<&str> = value.split(',').collect();
        if parts.len() != 4 {
            fail(2, format!("failed to parse --sni {}: want NAME,CERT,CHAIN,KEY", value));
        }
        let chain = Some(parts[2]).filter(|chain| !chain.is_empty());
        let pair = load_key_pair(parts[1], chain, parts[3]).and_then(|(certs, key)| certified_key(certs, Some(key))).unwrap_or_else(|error| fail(2, format!("failed to load the key pair for {}: {}", parts[0], error)));
        by_name.insert(parts[0].to_lowercase(), Arc::new(pair));
    }
    // A mode that asks for a certificate without a CA bundle trusts nothing: every certificate fails.
    let roots = roots.unwrap_or_else(RootCertStore::empty);
    let verifier = match client_auth {
        "required" => AllowAnyAuthenticatedClient::new(roots),
        "optional" => AllowAnyAnonymousOrAuthenticatedClient::new(roots),
        _ => NoClientAuth::new(),
    };
    let chooser = CertificateChooser {
        default: WatchedKeyPair { path: key_pair_path, state: Mutex::new((seen.unwrap(), Arc::new(pair))) },
        by_name,
    };
    let config = ServerConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(versions)
        .unwrap_or_else(|error| fail(2, format!("failed to configure the server: {}", error)))
        .with_client_cert_verifier(verifier)
        .with_cert_resolver(Arc::new(chooser));
    let config = Arc::new(config);
    let allowed = Arc::new(flags.all("allow-identity"));

    let listener = TcpListener::bind(address).unwrap_or_else(|error| fail(1, format!("failed to listen on {}: {}", listen, error)));
    println!("ready: listening on {}", listener.local_addr().map(|bound| bound.to_string()).unwrap_or(listen.clone()));
    loop {
        let (sock, _) = listener.accept().unwrap_or_else(|error| fail(1, format!("failed to accept a connection: {}", error)));
        let (config, allowed) = (config.clone(), allowed.clone());
        std::thread::spawn(move || serve(sock, config, &allowed));
    }
}

/// Drives the handshake to its end; an EOF before it is an error.
fn handshake<D>(conn: &mut rustls::ConnectionCommon<D>, sock: &mut TcpStream) -> io::Result<()> {
    while conn.is_handshaking() {
        let (read, written) = conn.complete_io(sock)?;
        if read == 0 && written == 0 && conn.is_handshaking() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed during the handshake"));
        }
    }
    Ok(())
}

/// Answers one HTTP/1.0 request with 200 and the client's identity, then closes.
fn serve(mut sock: TcpStream, config: Arc<ServerConfig>, allowed: &[String]) {
    let deadline = Some(Duration::from_secs(10));
    let _ = sock.set_read_timeout(deadline);
    let _ = sock.set_write_timeout(deadline);
    let mut conn = match ServerConnection::new(config) {
        Ok(conn) => conn,
        Err(error) => return println!("rejected: {}", error),
    };
    if let Err(error) = handshake(&mut *conn, &mut sock) {
        return println!("rejected: {}", error);
    }
    let leaf = conn.peer_certificates().and_then(|certs| certs.first()).cloned();
    let (uris, dns) = leaf.as_ref().map(san_names).unwrap_or_default();
    if !allowed.is_empty() && leaf.is_some() && !uris.iter().chain(dns.iter()).any(|name| allowed.contains(name)) {
        let presented: Vec<String> = uris.iter().chain(dns.iter()).cloned().collect();
        let shown = if presented.is_empty() { "(none)".to_string() } else { presented.join(", ") };
        println!("rejected: not authorized: client identity {} is not one of {}", shown, allowed.join(", "));
        // rustls has no API to send an arbitrary alert: the connection is closed after the handshake.
        return;
    }
    let version = version_name(conn.protocol_version());
    println!("served: {} {}", version, cipher_name(conn.negotiated_cipher_suite()));
    let mut stream = rustls::Stream::new(&mut conn, &mut sock);
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") && !request.windows(2).any(|window| window == b"\n\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(count) => request.extend_from_slice(&buffer[..count]),
        }
    }
    let identity = uris.first().map(|uri| format!("\"{}\"", uri.replace('\\', "\\\\").replace('"', "\\\""))).unwrap_or("null".into());
    let body = format!("{{\"identity\":{},\"authorized\":{},\"protocol\":\"{}\"}}", identity, leaf.is_some(), version);
    let response = format!("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}", body.len(), body);
    let _ = stream.write_all(response.as_bytes());
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
}

/// The server check: rustls's WebPkiVerifier, for a name other than the SNI sent or for none
/// (the chain alone: the SPIFFE case), then the expected URI SAN, inside the handshake as
/// Linkerd's proxy checks its peer's identity.
struct PeerVerifier {
    webpki: Option<WebPkiVerifier>,
    name: Option<ServerName>,
    expect_uri: Option<String>,
}

impl ServerCertVerifier for PeerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &Certificate,
        intermediates: &[Certificate],
        _sent: &ServerName,
        scts: &mut dyn Iterator<Item = &[u8]>,
        ocsp: &[u8],
        now: SystemTime,
    ) -> Result<ServerCertVerified, Error> {
        let webpki = match &self.webpki {
            Some(webpki) => webpki,
            None => return Ok(ServerCertVerified::assertion()),
        };
        let placeholder = ServerName::try_from("name.invalid").expect("a valid DNS name");
        let checked = webpki.verify_server_cert(end_entity, intermediates, self.name.as_ref().unwrap_or(&placeholder), scts, ocsp, now);
        match checked {
            // WebPkiVerifier checks the name last: this error means the chain verified.
            Err(Error::InvalidCertificateData(ref text)) if self.name.is_none() && text.ends_with("CertNotValidForName") => {}
            Err(error) => return Err(error),
            Ok(_) => {}
        }
        if let Some(expected) = &self.expect_uri {
            let (uris, _) = san_names(end_entity);
            if !uris.contains(expected) {
                let shown = if uris.is_empty() { "(no URI SAN)".to_string() } else { uris.join(", ") };
                return Err(Error::General(format!("server identity {} is not the expected {}", shown, expected)));
            }
        }
        Ok(ServerCertVerified::assertion())
    }
}

fn run_client(args: &[String]) -> i32 {
    let flags = Flags::parse(args, &["connect", "servername", "ca", "verify-name", "verify-ip", "expect-uri", "cert", "chain", "key", "timeout-ms"]);
    let timeout_ms: u64 = match flags.get("timeout-ms") {
        None => 5000,
        Some(value) => value.parse().unwrap_or_else(|_| fail(2, format!("failed to parse --timeout-ms {}: want a number", value))),
    };
    let connect = flags.required("connect").to_string();
    let address = loopback_address(&connect);
    let mut request = Vec::new();
    if let Err(error) = io::stdin().read_to_end(&mut request) {
        fail(2, format!("failed to read the request from stdin: {}", error));
    }
    let client_pair = flags.get("cert").map(|cert| {
        load_key_pair(cert, flags.get("chain"), flags.get("key").unwrap_or("")).unwrap_or_else(|error| fail(2, format!("failed to load the client key pair: {}", error)))
    });
    let roots = flags.get("ca").map(|path| load_roots(path).unwrap_or_else(|error| fail(2, format!("failed to load the trust bundle: {}", error))));
    let sni = flags.get("servername");
    let verify = flags.get("verify-ip").or(flags.get("verify-name")).or(sni);
    let to_name = |name: &str| ServerName::try_from(name).map_err(|_| format!("invalid server name {}", name));
    let verify_name = match verify.map(to_name).transpose() {
        Ok(name) => name,
        Err(error) => fail(2, format!("failed to configure the client: {}", error)),
    };
    let verifier = PeerVerifier { webpki: roots.map(|roots| WebPkiVerifier::new(roots, None)), name: verify_name, expect_uri: flags.get("expect-uri").map(String::from) };
    let builder = ClientConfig::builder().with_safe_defaults().with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match client_pair {
        Some(pair) => builder.with_single_cert(pair.0, pair.1).unwrap_or_else(|error| fail(2, format!("failed to load the client key pair: {}", error))),
        None => builder.with_no_client_auth(),
    };
    // The name handed to the connection is only the SNI (PeerVerifier checks its own name).
    config.enable_sni = sni.is_some();
    let sent = match sni.map(to_name).transpose() {
        Ok(name) => name.unwrap_or_else(|| ServerName::try_from("name.invalid").expect("a valid DNS name")),
        Err(error) => fail(2, format!("failed to configure the client: {}", error)),
    };

    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    let mut sock = match TcpStream::connect_timeout(&address, Duration::from_millis(timeout_ms.max(1))) {
        Ok(sock) => sock,
        Err(error) => {
            println!("error: connect: {}", error);
            return 1;
        }
    };
    let remaining = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
    let _ = sock.set_read_timeout(Some(remaining));
    let _ = sock.set_write_timeout(Some(remaining));
    let mut conn = ClientConnection::new(Arc::new(config), sent).unwrap_or_else(|error| fail(2, format!("failed to configure the client: {}", error)));
    if let Err(error) = handshake(&mut *conn, &mut sock) {
        println!("error: handshake: {}", error);
        return 1;
    }
    println!("version: {}", version_name(conn.protocol_version()));
    println!("cipher: {}", cipher_name(conn.negotiated_cipher_suite()));
    let mut stream = rustls::Stream::new(&mut conn, &mut sock);
    // Read even when the write failed: a server that refused the client certificate may have
    // sent its alert and closed before the request went out.
    let written = stream.write_all(&request).and_then(|_| stream.flush());
    let mut response = Vec::new();
    let read = stream.read_to_end(&mut response);
    // A reset or a missing close_notify after a complete response is how the server closed.
    if !response.is_empty() {
        let first = response.split(|&byte| byte == b'\r' || byte == b'\n').next().unwrap_or(&[]);
        println!("response: {}", String::from_utf8_lossy(first));
        return 0;
    }
    match (written, read) {
        (_, Err(error)) if error.kind() == io::ErrorKind::InvalidData => println!("error: read: {}", error),
        (Err(error), _) => println!("error: write: {}", error),
        (_, Err(error)) => println!("error: read: {}", error),
        _ => println!("error: read: connection closed without a response"),
    }
    1
}

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data).as_ref().to_vec()
}
