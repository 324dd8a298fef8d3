"""The one way claimtrack makes outbound HTTP requests (feeds, articles, robots.txt, webhooks).

Safety rules, all enforced here so no caller can forget one:

- SSRF: only http and https; only ports 80 and 443; every address a host name resolves to must be
  globally routable (no loopback, private, link-local, CGNAT, multicast, reserved, unspecified,
  cloud metadata, nor IPv6 forms embedding such an IPv4 address). The address vetting happens in
  the network backend at connect time and the socket connects to the exact address that was
  vetted, so a DNS answer that changes between a check and the connection (DNS rebinding) cannot
  reach an internal address. Every redirect hop is checked the same way. The setting
  FETCH_ALLOWED_NETWORKS (CIDRs) is the only way to allow other addresses, with any port.
- Resources: a connect timeout and a total deadline over the whole exchange (every socket read and
  write gets at most the time left, so a server dripping one byte at a time is cut off), a body
  size cap checked while streaming, at most FETCH_MAX_REDIRECTS redirects.
- Politeness: an identifying User-Agent; conditional GET with the validators the caller kept.
"""

import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache

import certifi
import httpcore
import httpx
from django.conf import settings

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
DEFAULT_PORTS = {"http": 80, "https": 443}
STANDARD_PORTS = (80, 443)
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OutboundRequestRefused(OutboundError):
    """The request was not sent: its scheme, port or address is not allowed."""


class OutboundRequestFailed(OutboundError):
    """The request was sent but did not give a usable response. `transient` is true for failures
    worth retrying later (network errors, timeouts), false for ones that will repeat (too large,
    redirect loop)."""

    def __init__(self, reason: str, *, transient: bool = False):
        super().__init__(reason)
        self.transient = transient


@dataclass
class OutboundResponse:
    url: str  # after redirects
    status_code: int
    headers: httpx.Headers
    content: bytes
    # As the server sent them (for the preserved WARC record: sources.snapshots).
    http_version: str = "HTTP/1.1"
    reason_phrase: str = ""

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


# Address vetting ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _parse_networks(cidrs: tuple[str, ...]):
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def allowed_networks():
    return _parse_networks(tuple(getattr(settings, "FETCH_ALLOWED_NETWORKS", ()) or ()))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64)."""
    embedded = []
    if address.ipv4_mapped:
        embedded.append(address.ipv4_mapped)
    if address.sixtofour:
        embedded.append(address.sixtofour)
    if address.teredo:
        embedded.extend(address.teredo)
    packed = address.packed
    if packed[:12] == bytes(12) and address not in (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")):
        embedded.append(ipaddress.IPv4Address(packed[12:]))  # IPv4-compatible ::a.b.c.d
    if address in NAT64:
        embedded.append(ipaddress.IPv4Address(packed[12:]))
    return embedded


def _is_public(address) -> bool:
    if address in METADATA_ADDRESSES:
        return False
    if (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    if address.version == 4 and address in CGNAT:
        return False
    if address.version == 6:
        if address.is_site_local:
            return False
        return all(_is_public(inner) for inner in _embedded_ipv4(address))
    return True


def _refusal_for_address(address, port: int) -> str | None:
    """Why connecting to this address and port is not allowed, or None when it is."""
    if any(address in network for network in allowed_networks()):
        return None
    if not _is_public(address):
        return f"address {address} is not a public internet address"
    if port not in STANDARD_PORTS:
        return f"port {port} is not allowed (only 80 and 443)"
    return None


def _strip_brackets(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def vetted_addresses(host: str, port: int) -> list[str]:
    """Resolve the host and return its addresses, all of them vetted; raise when any is refused."""
    host = _strip_brackets(host)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise OutboundRequestFailed(f"could not resolve {host}: {error}", transient=True) from None
        addresses = []
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise OutboundRequestFailed(f"{host} has no address", transient=True)
    for address in addresses:
        # IPv4-mapped IPv6 is connected to as the IPv4 address it names: judge it as that address.
        effective = address.ipv4_mapped if address.version == 6 and address.ipv4_mapped else address
        refusal = _refusal_for_address(effective, port)
        if refusal:
            raise OutboundRequestRefused(f"{host}: {refusal}")
    return [str(address) for address in addresses]


def _scheme_host_port(url: str) -> tuple[str, str, int]:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise OutboundRequestRefused(f"not a valid URL: {error}") from None
    scheme = parsed.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise OutboundRequestRefused(f"scheme {scheme or '(none)'!r} is not allowed (only http and https)")
    if not parsed.host:
        raise OutboundRequestRefused("the URL has no host")
    if parsed.userinfo:
        raise OutboundRequestRefused("URLs with credentials are not fetched")
    return scheme, parsed.host, parsed.port or DEFAULT_PORTS[scheme]


def check_standard_port(url: str) -> None:
    """Raise OutboundRequestRefused unless the URL's port is 80 or 443, whatever the address (for
    callers stricter than FETCH_ALLOWED_NETWORKS' "any port")."""
    _, _host, port = _scheme_host_port(url)
    if port not in STANDARD_PORTS:
        raise OutboundRequestRefused(f"port {port} is not allowed (only 80 and 443)")


def check_url(url: str) -> None:
    """Raise OutboundRequestRefused unless the URL may be fetched (scheme, port, every address)."""
    _, host, port = _scheme_host_port(url)
    try:
        vetted_addresses(host, port)
    except OutboundRequestFailed:
        # Unresolvable is not a refusal: the fetch itself will report it as a failure.
        return


# Transport ------------------------------------------------------------------------------------


# The total deadline of the request this thread is sending: read by every socket operation, so a
# kept-alive connection reused by a later request obeys that request's deadline.
_current = threading.local()


def _deadline() -> float:
    return getattr(_current, "deadline", None) or time.monotonic() + float(settings.FETCH_TIMEOUT)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write gets at most the time left before the deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def _time_left(self, timeout: float | None, error) -> float:
        left = _deadline() - time.monotonic()
        if left <= 0:
            raise error("the total time limit was reached")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        inner = self._inner.start_tls(ssl_context, server_hostname, self._time_left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _VettingBackend(httpcore.SyncBackend):
    """Resolves the host itself, vets every address, and connects only to a vetted address."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = vetted_addresses(host, port)
        last_error = None
        for address in addresses:
            left = _deadline() - time.monotonic()
            if left <= 0:
                raise httpcore.ConnectTimeout("the total time limit was reached")
            try:
                stream = super().connect_tcp(
                    address, port, min(timeout, left) if timeout else left, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last_error = error
                continue
            return _DeadlineStream(stream)
        raise last_error

    def connect_unix_socket(self, *args, **kwargs):
        raise OutboundRequestRefused("unix sockets are not allowed")


@lru_cache(maxsize=1)
def _ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """Certificates are verified against the host name in the URL, not the pinned address."""
    return ssl.create_default_context(cafile=ca_bundle or certifi.where())


class _VettingTransport(httpx.HTTPTransport):
    def __init__(self, ssl_context: ssl.SSLContext):
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        # httpx builds its connection pool without a way to pass a network backend: replace it
        # with an equivalent pool that connects through the vetting backend.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=_VettingBackend(),
            retries=0,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
        )


def _client() -> httpx.Client:
    """This thread's client. Connections are kept alive briefly for the next request to the same
    origin; every new connection is vetted. A change of FETCH_ALLOWED_NETWORKS gives a new client,
    so no connection vetted under other rules is reused."""
    rules = (tuple(getattr(settings, "FETCH_ALLOWED_NETWORKS", ()) or ()), settings.FETCH_CA_BUNDLE)
    client = getattr(_current, "client", None)
    if client is None or _current.rules != rules:
        if client is not None:
            client.close()
        transport = _VettingTransport(_ssl_context(settings.FETCH_CA_BUNDLE))
        client = httpx.Client(transport=transport, follow_redirects=False, trust_env=False)
        _current.client, _current.rules = client, rules
    return client


# Requests -------------------------------------------------------------------------------------


def _redirect_method(status: int, method: str) -> str:
    if status == 303 and method != "HEAD":
        return "GET"
    if status in (301, 302) and method == "POST":
        return "GET"
    return method


def usable_validator(value) -> bool:
    """An ETag or Last-Modified value that can be sent back as it came: printable ASCII."""
    return bool(value) and value.isascii() and value.isprintable()


def request(
    method: str,
    url: str,
    *,
    headers: dict | None = None,
    content: bytes | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    follow_redirects: bool = True,
    conditional: dict | None = None,
) -> OutboundResponse:
    """Send one request (following redirects when asked) and return the whole response.

    `conditional` takes the validators kept from an earlier response, {"etag": ..., "last_modified":
    ...}; a 304 comes back as a response with status 304 and no content. Raises
    OutboundRequestRefused before sending anything not allowed, OutboundRequestFailed otherwise."""
    started = time.monotonic()
    total = float(timeout if timeout is not None else settings.FETCH_TIMEOUT)
    max_bytes = int(max_bytes if max_bytes is not None else settings.FETCH_MAX_BYTES)
    deadline = started + total
    # Only encodings _read_body can inflate under the size cap.
    request_headers = {"User-Agent": settings.FETCH_USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    request_headers.update(headers or {})
    if conditional:
        # A validator a server sent us that cannot go back in a header (not printable ASCII) is
        # left out: the request is then simply unconditional.
        if usable_validator(conditional.get("etag")):
            request_headers["If-None-Match"] = conditional["etag"]
        if usable_validator(conditional.get("last_modified")):
            request_headers["If-Modified-Since"] = conditional["last_modified"]
    method = method.upper()
    timeouts = httpx.Timeout(total, connect=min(float(settings.FETCH_CONNECT_TIMEOUT), total))
    client = _client()
    _current.deadline = deadline
    try:
        for _hop in range(settings.FETCH_MAX_REDIRECTS + 1):
            _scheme_host_port(url)  # scheme and credentials; addresses are vetted on connect
            outgoing = client.build_request(method, url, headers=request_headers, content=content, timeout=timeouts)
            response = client.send(outgoing, stream=True)
            try:
                if follow_redirects and response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if location:
                        next_url = str(response.url.join(location))
                        if httpx.URL(next_url).host != response.url.host:
                            # Credentials meant for one host never go to another.
                            for name in ("Authorization", "Cookie"):
                                request_headers.pop(name, None)
                        # Validators describe the address first asked for, not where it now
                        # redirects: a 304 from the target would hide a changed page.
                        request_headers.pop("If-None-Match", None)
                        request_headers.pop("If-Modified-Since", None)
                        new_method = _redirect_method(response.status_code, method)
                        if new_method != method:
                            content = None
                            method = new_method
                        url = next_url
                        continue
                body = _read_body(response, max_bytes, deadline)
                return OutboundResponse(
                    url=str(response.url),
                    status_code=response.status_code,
                    headers=response.headers,
                    content=body,
                    http_version=response.http_version,
                    reason_phrase=response.reason_phrase,
                )
            finally:
                response.close()
        raise OutboundRequestFailed(f"more than {settings.FETCH_MAX_REDIRECTS} redirects")
    except httpx.TimeoutException as error:
        raise OutboundRequestFailed(f"timed out: {error or 'no response in time'}", transient=True) from None
    except httpx.TransportError as error:
        raise OutboundRequestFailed(f"network error: {error or type(error).__name__}", transient=True) from None
    except httpx.HTTPError as error:  # e.g. an invalid URL in a redirect
        raise OutboundRequestFailed(f"HTTP error: {error}") from None
    finally:
        _current.deadline = None


def _decompressor(response: httpx.Response):
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise OutboundRequestFailed(f"unsupported content encoding {encoding!r}")


def _read_body(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    """The body, decoded here rather than by httpx so that a small compressed body that inflates
    past the cap (a decompression bomb) is stopped after max_bytes, not after it filled memory."""
    declared = response.headers.get("content-length", "")
    decompressor = _decompressor(response)
    if decompressor is None and declared.isdigit() and int(declared) > max_bytes:
        raise OutboundRequestFailed(f"body of {declared} bytes is over the {max_bytes} byte limit")
    chunks, size = [], 0
    for raw in response.iter_raw():
        if decompressor is None:
            pieces = [raw]
        else:
            try:
                pieces = [decompressor.decompress(raw, max_bytes + 1 - size)]
                while decompressor.unconsumed_tail and size + sum(map(len, pieces)) <= max_bytes:
                    pieces.append(decompressor.decompress(decompressor.unconsumed_tail, max_bytes + 1 - size))
            except zlib.error as error:
                raise OutboundRequestFailed(f"the compressed body is corrupt: {error}") from None
        for piece in pieces:
            size += len(piece)
            if size > max_bytes:
                raise OutboundRequestFailed(f"body is over the {max_bytes} byte limit")
            chunks.append(piece)
        if time.monotonic() > deadline:
            raise OutboundRequestFailed("timed out: the total time limit was reached", transient=True)
    return b"".join(chunks)
