// A Java service client as `mtls-conformance client` tests it (README "Testing your client"):
// trusts the CA bundle it is given, presents the PKCS#12 identity, calls the URL, and exits 0 only
// on a 2xx answer. JDK only. Usage: java ServiceClient.java URL CA_PEM P12 P12_PASSWORD
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class ServiceClient {
  public static void main(String[] args) throws Exception {
    String url = args[0], caFile = args[1], p12File = args[2];
    char[] password = args[3].toCharArray();

    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (FileInputStream in = new FileInputStream(caFile)) {
      int index = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) trust.setCertificateEntry("ca-" + index++, ca);
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);

    KeyStore identity = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(p12File)) {
      identity.load(in, password);
    }
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(identity, password);

    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    // HttpClient checks the URL's host name against the certificate (endpoint identification is on by default).
    HttpClient client = HttpClient.newBuilder().sslContext(tls).proxy(java.net.ProxySelector.getDefault()).connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " " + response.body().trim());
    System.exit(response.statusCode() / 100 == 2 ? 0 : 1);
  }
}
