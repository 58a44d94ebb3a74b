"""A Python service client as `mtls-conformance client` tests it (README "Testing your client"):
standard library only; trusts the CA bundle it is given, presents its certificate, calls the URL
(through https_proxy when the environment sets one, as urllib does), exits 0 only on a 2xx answer.
Usage: python3 service_client.py URL CA_PEM CERT_PEM KEY_PEM"""
import ssl
import sys
import urllib.request

url, ca, cert, key = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)  # verifies the chain and the host name
context.load_cert_chain(cert, key)
with urllib.request.urlopen(url, context=context, timeout=5) as response:
    print(response.status, response.read().decode().strip())
    sys.exit(0 if 200 <= response.status < 300 else 1)
