// tlspeer: Go's crypto/tls as a conformance peer, standard library only. Its modes (server,
// client, version), flags, output lines and exit codes are the peer protocol shared with the Java
// and Python peers: docs/peer-protocol.md.
//
// The client sends its standard input (an HTTP request) after the handshake and reads to EOF:
// under TLS 1.3 a server rejects a client certificate after the client's handshake has finished,
// so the rejection only shows on that read (RFC 8446 section 4.4.2.4).
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail(2, "usage: tlspeer server|client|version [flags]")
	}
	switch os.Args[1] {
	case "server":
		runServer(os.Args[2:])
	case "client":
		os.Exit(runClient(os.Args[2:]))
	case "version":
		// The Go release this binary was compiled with is the crypto/tls under test; the host's
		// toolchain (go version) says nothing about the copy built into a container image.
		fmt.Printf("go crypto/tls %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	default:
		fail(2, "failed to parse arguments: unknown mode %q", os.Args[1])
	}
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(code)
}

// requireLoopback enforces the harness's network rule: nothing outside 127.0.0.0/8 (or ::1).
func requireLoopback(address string) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		fail(2, "failed to parse address %s: want HOST:PORT", address)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fail(2, "failed to accept address %s: not a loopback IP", address)
	}
}

func loadKeyPair(certFile, chainFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	if chainFile != "" {
		chainPEM, err := os.ReadFile(chainFile)
		if err != nil {
			return tls.Certificate{}, err
		}
		certPEM = append(append(certPEM, '\n'), chainPEM...)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// fileIdentity tells one version of a file from the next: the harness replaces the file by a
// rename, which gives it a new inode, and the times alone are too coarse to tell two writes apart.
type fileIdentity struct {
	dev, ino     uint64
	size         int64
	mtime, ctime syscall.Timespec
}

func identityOf(info os.FileInfo) fileIdentity {
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileIdentity{size: info.Size()}
	}
	return fileIdentity{dev: uint64(stat.Dev), ino: stat.Ino, size: stat.Size, mtime: stat.Mtim, ctime: stat.Ctim}
}

// watchedKeyPair is the server's default key pair: one PEM file (certificate, chain, private key)
// re-read at the first handshake after it changed, so the rename that replaces it is the switch
// point. A file that does not load (half written, key and certificate not matching) is never
// served: the previous pair stays and stderr says why. A handshake keeps the pair it was given.
type watchedKeyPair struct {
	path    string
	mu      sync.Mutex
	seen    fileIdentity
	current *tls.Certificate
}

// load reads the file through one descriptor, so the identity is that of the bytes read.
func (w *watchedKeyPair) load() (*tls.Certificate, fileIdentity, error) {
	file, err := os.Open(w.path)
	if err != nil {
		return nil, fileIdentity{}, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, fileIdentity{}, err
	}
	pem, err := io.ReadAll(file)
	if err != nil {
		return nil, identityOf(info), err
	}
	// X509KeyPair takes the CERTIFICATE blocks of the first argument and the key block of the
	// second, and fails when the key is not the leaf's.
	pair, err := tls.X509KeyPair(pem, pem)
	if err != nil {
		return nil, identityOf(info), err
	}
	return &pair, identityOf(info), nil
}

// get is GetCertificate's default: the current pair, re-read first when the file changed.
func (w *watchedKeyPair) get() *tls.Certificate {
	w.mu.Lock()
	defer w.mu.Unlock()
	info, err := os.Stat(w.path)
	if err == nil && identityOf(info) == w.seen {
		return w.current
	}
	pair, seen, err := w.load()
	// Remembered even when it failed: a bad file is reported once, not at every handshake.
	w.seen = seen
	if err != nil {
		fmt.Fprintf(os.Stderr, "failed to reload the key pair %s: %v (serving the previous one)\n", w.path, err)
		return w.current
	}
	w.current = pair
	fmt.Printf("reloaded: %s\n", leafDigest(pair))
	return w.current
}

func leafDigest(pair *tls.Certificate) string {
	sum := sha256.Sum256(pair.Certificate[0])
	return hex.EncodeToString(sum[:])
}

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", file)
	}
	return pool, nil
}

// Go 1.19 has no tls.VersionName (added in 1.21); the names match node's getProtocol().
func versionName(version uint16) string {
	switch version {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return fmt.Sprintf("0x%04x", version)
}

func uriSANs(cert *x509.Certificate) []string {
	names := make([]string, 0, len(cert.URIs))
	for _, uri := range cert.URIs {
		names = append(names, uri.String())
	}
	return names
}

// loadSNI loads each --sni NAME,CERT,CHAIN,KEY (CHAIN may be empty) by its lower-cased NAME.
func loadSNI(values []string) map[string]tls.Certificate {
	byName := map[string]tls.Certificate{}
	for _, value := range values {
		parts := strings.Split(value, ",")
		if len(parts) != 4 {
			fail(2, "failed to parse --sni %s: want NAME,CERT,CHAIN,KEY", value)
		}
		pair, err := loadKeyPair(parts[1], parts[2], parts[3])
		if err != nil {
			fail(2, "failed to load the key pair for %s: %v", parts[0], err)
		}
		byName[strings.ToLower(parts[0])] = pair
	}
	return byName
}

// parseFlags refuses what the Java and Python peers refuse, in the same words: an unknown flag, a
// flag without its value, a number that is not one, a stray argument.
func parseFlags(flags *flag.FlagSet, args []string) {
	flags.SetOutput(io.Discard)
	if err := flags.Parse(args); err != nil {
		message := err.Error()
		var name, value string
		switch {
		case strings.HasPrefix(message, "flag provided but not defined: -"):
			message = "unknown flag --" + strings.TrimPrefix(message, "flag provided but not defined: -")
		case strings.HasPrefix(message, "flag needs an argument: -"):
			message = "flag needs a value: --" + strings.TrimPrefix(message, "flag needs an argument: -")
		case errors.Is(err, flag.ErrHelp):
			// -h and -help are the flag package's own; the protocol has no such flag.
			message = "unknown flag --help"
		default:
			if _, scanErr := fmt.Sscanf(message, "invalid value %q for flag -%s", &value, &name); scanErr == nil {
				fail(2, "failed to parse --%s %s: want a number", strings.TrimSuffix(name, ":"), value)
			}
		}
		fail(2, "failed to parse arguments: %s", message)
	}
	if flags.NArg() > 0 {
		fail(2, "failed to parse arguments: unexpected argument %s", flags.Arg(0))
	}
}

func required(name, value string) string {
	if value == "" {
		fail(2, "failed to parse arguments: --%s is required", name)
	}
	return value
}

var clientAuthTypes = map[string]tls.ClientAuthType{
	"none":     tls.NoClientCert,
	"optional": tls.VerifyClientCertIfGiven,
	"required": tls.RequireAndVerifyClientCert,
}

var minVersions = map[string]uint16{"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// listFlag collects a repeatable flag's values.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

func (f *listFlag) Set(value string) error {
	*f = append(*f, value)
	return nil
}

// authorize admits a verified client whose URI or DNS SANs include an allowed identity.
func authorize(state tls.ConnectionState, allowed []string) error {
	if len(state.PeerCertificates) == 0 {
		return nil // no certificate: ClientAuth decides
	}
	leaf := state.PeerCertificates[0]
	presented := append(uriSANs(leaf), leaf.DNSNames...)
	for _, name := range presented {
		for _, admitted := range allowed {
			if name == admitted {
				return nil
			}
		}
	}
	shown := strings.Join(presented, ", ")
	if shown == "" {
		shown = "(none)"
	}
	return fmt.Errorf("not authorized: client identity %s is not one of %s", shown, strings.Join(allowed, ", "))
}

func runServer(args []string) {
	flags := flag.NewFlagSet("server", flag.ContinueOnError)
	listen := flags.String("listen", "", "loopback address:port to listen on")
	keyPairFile := flags.String("key-pair", "", "PEM file: the certificate, the intermediates sent after it, the private key; re-read when it changes")
	clientAuth := flags.String("client-auth", "none", "none, optional or required")
	clientCA := flags.String("client-ca", "", "PEM bundle trusted for client certificates")
	sniValues := listFlag{}
	flags.Var(&sniValues, "sni", "NAME,CERT,CHAIN,KEY served when the client asks for NAME (repeatable)")
	minVersion := flags.String("min-version", "", "lowest protocol version accepted: TLSv1.2 or TLSv1.3")
	allowed := listFlag{}
	flags.Var(&allowed, "allow-identity", "a URI or DNS SAN admitted (repeatable; none: every verified client)")
	parseFlags(flags, args)
	required("listen", *listen)
	keyPairPath := required("key-pair", *keyPairFile)
	requireLoopback(*listen)

	// Values first, then files (the client CA, the key pair, the SNI pairs): the order of the
	// other peers, so the first fault reported is the same (docs/peer-protocol.md).
	authType, known := clientAuthTypes[*clientAuth]
	if !known {
		fail(2, "failed to parse --client-auth %s: want none, optional or required", *clientAuth)
	}
	config := &tls.Config{ClientAuth: authType}
	if *minVersion != "" {
		if config.MinVersion, known = minVersions[*minVersion]; !known {
			fail(2, "failed to parse --min-version %s: want TLSv1.2 or TLSv1.3", *minVersion)
		}
	}
	var err error
	if *clientCA != "" {
		if config.ClientCAs, err = loadPool(*clientCA); err != nil {
			fail(2, "failed to load the client CA bundle: %v", err)
		}
	}
	keyPair := &watchedKeyPair{path: keyPairPath}
	pair, seen, err := keyPair.load()
	if err != nil {
		fail(2, "failed to load the server key pair: %v", err)
	}
	keyPair.current, keyPair.seen = pair, seen
	sni := loadSNI(sniValues)
	// With no Certificates crypto/tls calls GetCertificate at every handshake, SNI or not
	// (crypto/tls Config.getCertificate).
	config.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if chosen, found := sni[strings.ToLower(hello.ServerName)]; found {
			return &chosen, nil
		}
		return keyPair.get(), nil
	}
	if len(allowed) > 0 {
		// Authorization after authentication: crypto/tls calls it once the chain verified, and a
		// returned error fails the handshake (crypto/tls Config.VerifyConnection).
		config.VerifyConnection = func(state tls.ConnectionState) error {
			return authorize(state, allowed)
		}
	}

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fail(1, "failed to listen on %s: %v", *listen, err)
	}
	fmt.Printf("ready: listening on %s\n", listener.Addr())
	for {
		conn, err := listener.Accept()
		if err != nil {
			fail(1, "failed to accept a connection: %v", err)
		}
		go serve(tls.Server(conn, config))
	}
}

// serve answers one HTTP/1.0 request with 200 and the client's URI SAN, then closes.
func serve(conn *tls.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if err := conn.Handshake(); err != nil {
		fmt.Printf("rejected: %v\n", err)
		return
	}
	state := conn.ConnectionState()
	fmt.Printf("served: %s %s\n", versionName(state.Version), tls.CipherSuiteName(state.CipherSuite))
	reader := bufio.NewReader(conn)
	for {
		line, err := reader.ReadString('\n')
		if err != nil || line == "\r\n" || line == "\n" {
			break
		}
	}
	var identity *string
	if len(state.PeerCertificates) > 0 {
		if uris := uriSANs(state.PeerCertificates[0]); len(uris) > 0 {
			identity = &uris[0]
		}
	}
	body, _ := json.Marshal(map[string]any{"identity": identity, "authorized": len(state.VerifiedChains) > 0, "protocol": versionName(state.Version)})
	fmt.Fprintf(conn, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

func runClient(args []string) int {
	flags := flag.NewFlagSet("client", flag.ContinueOnError)
	connect := flags.String("connect", "", "loopback address:port to connect to")
	serverName := flags.String("servername", "", "SNI to send; empty sends none")
	caFile := flags.String("ca", "", "PEM bundle to verify the server with; empty skips verification")
	verifyName := flags.String("verify-name", "", "DNS name the server certificate must match (default: -servername)")
	verifyIP := flags.String("verify-ip", "", "IP address the server certificate must match")
	expectURI := flags.String("expect-uri", "", "URI SAN (SPIFFE ID) the server certificate must carry")
	certFile := flags.String("cert", "", "client certificate PEM")
	chainFile := flags.String("chain", "", "intermediates PEM sent after the client certificate")
	keyFile := flags.String("key", "", "client private key PEM")
	timeoutMs := flags.Int("timeout-ms", 5000, "deadline for the whole exchange, in milliseconds")
	parseFlags(flags, args)
	requireLoopback(required("connect", *connect))

	request, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(2, "failed to read the request from stdin: %v", err)
	}
	config := &tls.Config{ServerName: *serverName}
	if *certFile != "" {
		pair, err := loadKeyPair(*certFile, *chainFile, *keyFile)
		if err != nil {
			fail(2, "failed to load the client key pair: %v", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	name := *verifyName
	if *verifyIP != "" {
		name = *verifyIP
	} else if name == "" {
		name = *serverName
	}
	if *serverName == "" && net.ParseIP(name) != nil {
		// Go never sends an IP literal as SNI (RFC 6066 section 3) and matches it against IP SANs.
		config.ServerName = name
	}
	switch {
	case *caFile == "":
		config.InsecureSkipVerify = true
	case name != "" && name == config.ServerName:
		// The ordinary path: Go verifies the chain and ServerName.
		if config.RootCAs, err = loadPool(*caFile); err != nil {
			fail(2, "failed to load the trust bundle: %v", err)
		}
	default:
		// A name to verify other than the SNI sent, or none (SPIFFE: the URI SAN is the identity):
		// verify the chain ourselves, the pattern of crypto/tls's Config.VerifyConnection example.
		roots, err := loadPool(*caFile)
		if err != nil {
			fail(2, "failed to load the trust bundle: %v", err)
		}
		config.InsecureSkipVerify = true
		config.VerifyConnection = func(state tls.ConnectionState) error {
			opts := x509.VerifyOptions{Roots: roots, DNSName: name, Intermediates: x509.NewCertPool()}
			for _, cert := range state.PeerCertificates[1:] {
				opts.Intermediates.AddCert(cert)
			}
			_, err := state.PeerCertificates[0].Verify(opts)
			return err
		}
	}
	if *expectURI != "" {
		verifyChain := config.VerifyConnection
		config.VerifyConnection = func(state tls.ConnectionState) error {
			if verifyChain != nil {
				if err := verifyChain(state); err != nil {
					return err
				}
			}
			// Same wording as the node prober (harness/core/probe.ts), classified as identity-mismatch.
			uris := uriSANs(state.PeerCertificates[0])
			for _, uri := range uris {
				if uri == *expectURI {
					return nil
				}
			}
			shown := strings.Join(uris, ", ")
			if shown == "" {
				shown = "(no URI SAN)"
			}
			return fmt.Errorf("server identity %s is not the expected %s", shown, *expectURI)
		}
	}

	deadline := time.Now().Add(time.Duration(*timeoutMs) * time.Millisecond)
	raw, err := (&net.Dialer{Deadline: deadline}).Dial("tcp", *connect)
	if err != nil {
		fmt.Printf("error: connect: %v\n", err)
		return 1
	}
	conn := tls.Client(raw, config)
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	if err := conn.Handshake(); err != nil {
		fmt.Printf("error: handshake: %v\n", err)
		return 1
	}
	state := conn.ConnectionState()
	fmt.Printf("version: %s\ncipher: %s\n", versionName(state.Version), tls.CipherSuiteName(state.CipherSuite))
	// Read even when the write failed: a server that refused the client certificate may have sent
	// its alert and reset the connection before the request went out (node:tls does).
	_, writeErr := conn.Write(request)
	response, readErr := io.ReadAll(conn)
	// A reset or a missing close_notify after a complete response is how the server closed, not a
	// rejection: the response decides.
	if len(response) > 0 {
		firstLine, _, _ := bytes.Cut(response, []byte("\r\n"))
		fmt.Printf("response: %s\n", firstLine)
		return 0
	}
	switch {
	case readErr != nil && strings.Contains(readErr.Error(), "remote error"):
		fmt.Printf("error: read: %v\n", readErr)
	case writeErr != nil:
		fmt.Printf("error: write: %v\n", writeErr)
	case readErr != nil:
		fmt.Printf("error: read: %v\n", readErr)
	default:
		fmt.Printf("error: read: connection closed without a response\n")
	}
	return 1
}
