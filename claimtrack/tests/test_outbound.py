"""The outbound HTTP module, over real HTTP on loopback."""

import gzip
import shutil
import socket
import subprocess
import time

import pytest

from claimtrack import outbound
from claimtrack.outbound import OutboundRequestFailed, OutboundRequestRefused
from tests.httpserver import LoopbackServer, endless_body, slow_drip
from tests.services import unavailable


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def loopback_allowed(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def test_fetches_from_an_allowed_network_with_user_agent(server, loopback_allowed, settings):
    url = server.add("/page", b"<html>hello</html>")
    response = outbound.request("GET", url)
    assert response.status_code == 200
    assert response.content == b"<html>hello</html>"
    assert response.content_type == "text/html"
    assert response.url == url
    assert server.requests[0][2]["User-Agent"] == settings.FETCH_USER_AGENT


def test_loopback_is_refused_without_fetch_allowed_networks(server, settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    url = server.add("/page", b"secret")
    with pytest.raises(OutboundRequestRefused, match="not a public internet address"):
        outbound.request("GET", url)
    assert server.hits["/page"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]:8080/",
        "http://[::127.0.0.1]/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://0x7f.1/",  # and in hexadecimal shorthand
        "http://[::]/",
    ],
)
def test_non_public_addresses_are_refused(url, settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(OutboundRequestRefused):
        outbound.check_url(url)
    with pytest.raises(OutboundRequestRefused):
        outbound.request("GET", url, timeout=2)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/", "gopher://example.org/", "http://user:pw@93.184.215.14/"]
)
def test_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(OutboundRequestRefused):
        outbound.request("GET", url)


def test_ports_other_than_80_and_443_are_refused_on_public_addresses(settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(OutboundRequestRefused, match="port 22"):
        outbound.request("GET", "http://93.184.215.14:22/")
    outbound.check_url("https://93.184.215.14/")  # the same address on 443 passes the check


def test_allowed_networks_open_any_port(server, loopback_allowed):
    outbound.check_url(server.url("/"))
    with pytest.raises(OutboundRequestRefused):
        outbound.check_url("http://10.1.2.3:22/")


def test_redirect_to_cloud_metadata_is_refused(server, loopback_allowed):
    url = server.redirect("/go", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(OutboundRequestRefused, match="169.254.169.254"):
        outbound.request("GET", url)


def test_each_redirect_hop_is_followed_and_checked(server, loopback_allowed):
    server.add("/final", b"done")
    server.redirect("/b", server.url("/final"), status=301)
    url = server.redirect("/a", "/b")
    response = outbound.request("GET", url)
    assert response.content == b"done"
    assert response.url == server.url("/final")


def test_more_than_five_redirects_fail(server, loopback_allowed):
    for hop in range(7):
        server.redirect(f"/r{hop}", f"/r{hop + 1}")
    server.add("/r7", b"too far")
    with pytest.raises(OutboundRequestFailed, match="more than 5 redirects"):
        outbound.request("GET", server.url("/r0"))
    assert server.hits["/r6"] == 0


def test_redirects_are_returned_when_not_followed(server, loopback_allowed):
    url = server.redirect("/a", "/b")
    response = outbound.request("GET", url, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/b"


def test_body_over_the_declared_size_cap_is_cut_off(server, loopback_allowed):
    url = server.add("/big", b"x" * 5000)
    with pytest.raises(OutboundRequestFailed, match="over the 1000 byte limit"):
        outbound.request("GET", url, max_bytes=1000)


def test_streamed_body_without_length_is_cut_off_at_the_cap(server, loopback_allowed):
    url = server.add_handler("/endless", endless_body())
    started = time.monotonic()
    with pytest.raises(OutboundRequestFailed, match="over the 1000000 byte limit"):
        outbound.request("GET", url, max_bytes=1_000_000)
    assert time.monotonic() - started < 10


def test_slow_drip_body_is_cut_off_by_the_total_deadline(server, loopback_allowed):
    # Each byte arrives well within any per-read timeout; only a total deadline stops it.
    url = server.add_handler("/drip", slow_drip(chunks=100, interval=0.1))
    started = time.monotonic()
    with pytest.raises(OutboundRequestFailed, match="timed out") as caught:
        outbound.request("GET", url, timeout=1.0)
    assert time.monotonic() - started < 3
    assert caught.value.transient


def test_slow_drip_headers_are_cut_off_by_the_total_deadline(server, loopback_allowed):
    def drip_headers(request):
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100:
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass

    url = server.add_handler("/drip-headers", drip_headers)
    started = time.monotonic()
    with pytest.raises(OutboundRequestFailed, match="timed out"):
        outbound.request("GET", url, timeout=1.0)
    assert time.monotonic() - started < 3


def test_conditional_get_sends_validators_and_returns_304(server, loopback_allowed):
    url = server.add("/feed", b"<rss/>", etag='"v1"', headers={"Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})
    first = outbound.request("GET", url)
    assert first.status_code == 200
    second = outbound.request(
        "GET", url, conditional={"etag": first.headers["etag"], "last_modified": first.headers["last-modified"]}
    )
    assert second.not_modified
    assert second.content == b""
    sent = server.requests[1][2]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_connection_refused_is_a_transient_failure(loopback_allowed):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(OutboundRequestFailed, match="network error") as caught:
        outbound.request("GET", f"http://127.0.0.1:{port}/")
    assert caught.value.transient


def test_post_sends_content_and_headers(server, loopback_allowed):
    url = server.add("/hook", b"ok")
    response = outbound.request("POST", url, content=b'{"a": 1}', headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert server.httpd.bodies == [b'{"a": 1}']


def test_address_is_vetted_at_connect_time_so_dns_rebinding_cannot_reach_loopback(monkeypatch, server, settings):
    """The name resolves to a public address when checked and to loopback when connecting: the
    connection is refused because the address connected to is the one vetted, at connect time."""
    settings.FETCH_ALLOWED_NETWORKS = []
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1"])

    def rebinding_resolver(host, port, *args, **kwargs):
        if host == "rebind.example":
            return real_getaddrinfo(next(answers), port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver)
    outbound.check_url("http://rebind.example/")  # first answer: public
    with pytest.raises(OutboundRequestRefused, match="127.0.0.1"):
        outbound.request("GET", f"http://rebind.example:{server.port}/")
    assert server.hits["/"] == 0


def test_gzip_body_is_inflated(server, loopback_allowed):
    url = server.add("/z", gzip.compress(b"<html>compressed page</html>"), headers={"Content-Encoding": "gzip"})
    assert outbound.request("GET", url).content == b"<html>compressed page</html>"


def test_a_decompression_bomb_is_cut_off_at_the_cap(server, loopback_allowed):
    bomb = gzip.compress(b"\0" * 50_000_000)  # about 50 kB on the wire
    url = server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(OutboundRequestFailed, match="over the 1000000 byte limit"):
        outbound.request("GET", url, max_bytes=1_000_000)


@pytest.fixture
def certificates(tmp_path):
    """A throwaway certificate authority and a certificate it signed for feeds.test."""
    if not shutil.which("openssl"):
        unavailable("the openssl command is needed to make test certificates")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=claimtrack test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=feeds.test"
    )
    (tmp_path / "leaf.ext").write_text("subjectAltName=DNS:feeds.test\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "leaf.pem", "-days", "1", "-extfile", "leaf.ext")  # fmt: skip
    return tmp_path


def test_https_to_a_pinned_address_still_verifies_the_certificate_for_the_host_name(
    certificates, monkeypatch, settings
):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host in ("feeds.test", "other.test"):
            host = "127.0.0.1"
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with LoopbackServer(tls=(certificates / "leaf.pem", certificates / "leaf.key")) as server:
        server.add("/feed", b"<rss/>")
        with pytest.raises(OutboundRequestFailed, match="CERTIFICATE_VERIFY_FAILED"):
            outbound.request("GET", server.url("/feed", host="feeds.test"))  # our CA is not trusted yet

        settings.FETCH_CA_BUNDLE = str(certificates / "ca.pem")
        response = outbound.request("GET", server.url("/feed", host="feeds.test"))
        assert (response.status_code, response.content) == (200, b"<rss/>")
        with pytest.raises(OutboundRequestFailed, match="CERTIFICATE_VERIFY_FAILED|Hostname mismatch"):
            outbound.request("GET", server.url("/feed", host="other.test"))  # same address, wrong name
