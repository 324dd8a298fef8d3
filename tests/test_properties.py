"""Property tests (hypothesis) for the pure functions the record's safety rests on."""

import ipaddress
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.outbound import OutboundRequestRefused, vetted_addresses
from sources.services import canonicalize_url

# --- SSRF address check --------------------------------------------------------------------------

INTERNAL_V4 = [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "224.0.0.0/4",
    "0.0.0.0/8",
    "240.0.0.0/4",
]
internal_v4 = st.one_of(*[st.ip_addresses(v=4, network=n) for n in INTERNAL_V4])
# Large public blocks (allocated to ordinary networks) to draw public addresses from.
public_v4 = st.one_of(
    st.ip_addresses(v=4, network="8.0.0.0/8"),
    st.ip_addresses(v=4, network="81.0.0.0/8"),
    st.ip_addresses(v=4, network="151.0.0.0/8"),
)


def refused(host: str, port: int = 80) -> bool:
    try:
        vetted_addresses(host, port)
    except OutboundRequestRefused:
        return True
    return False


@settings(max_examples=300, deadline=None)
@given(internal_v4)
def test_every_internal_ipv4_address_is_refused_in_every_spelling(address):
    with override_settings(FETCH_ALLOWED_NETWORKS=[]):
        mapped = ipaddress.IPv6Address(f"::ffff:{address}")
        nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) + int(address))
        assert refused(str(address))
        assert refused(f"[{mapped}]")
        assert refused(str(nat64))


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses(v=6, network="fc00::/7") | st.ip_addresses(v=6, network="fe80::/10"))
def test_internal_ipv6_addresses_are_refused(address):
    with override_settings(FETCH_ALLOWED_NETWORKS=[]):
        assert refused(str(address))


@settings(max_examples=200, deadline=None)
@given(public_v4, st.integers(min_value=1, max_value=65535))
def test_public_addresses_are_allowed_only_on_web_ports(address, port):
    with override_settings(FETCH_ALLOWED_NETWORKS=[]):
        assert refused(str(address), port) == (port not in (80, 443))


@settings(max_examples=100, deadline=None)
@given(st.ip_addresses(v=4, network="127.0.0.0/8"), st.integers(min_value=1, max_value=65535))
def test_allowed_networks_are_the_only_way_in(address, port):
    with override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        assert not refused(str(address), port)
    with override_settings(FETCH_ALLOWED_NETWORKS=["10.0.0.0/8"]):
        assert refused(str(address), port)


# --- URL canonicalisation ------------------------------------------------------------------------

label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
hosts = st.builds(
    lambda parts, tld: ".".join([*parts, tld]),
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(["com", "org", "iq"]),
)
paths = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12), max_size=4).map(
    lambda segments: "/" + "/".join(segments)
)
param_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda n: not n.startswith("utm_") and n not in {"fbclid", "gclid", "dclid", "msclkid", "igshid"}
)
values = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=8)
tracking = st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid"])


def url(scheme, host, path, params, fragment=""):
    query = "&".join(f"{k}={v}" for k, v in params)
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["http", "https"]), hosts, paths, st.lists(st.tuples(param_names, values), max_size=4))
def test_canonicalisation_is_idempotent(scheme, host, path, params):
    once = canonicalize_url(url(scheme, host, path, params))
    assert canonicalize_url(once) == once


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["http", "https"]),
    hosts,
    paths,
    st.lists(st.tuples(param_names, values), max_size=4, unique_by=lambda p: p[0]),
    st.lists(st.tuples(tracking, values), min_size=1, max_size=3),
    label,
)
def test_tracking_parameters_fragments_case_and_order_do_not_change_identity(
    scheme, host, path, params, tracking_params, fragment
):
    plain = canonicalize_url(url(scheme, host, path, params))
    decorated = canonicalize_url(
        url(scheme.upper(), host.upper(), path, list(reversed(params)) + tracking_params, fragment)
    )
    assert decorated == plain
    kept = dict(parse_qsl(urlsplit(plain).query, keep_blank_values=True))
    assert kept == dict(params)
    assert not any(k.startswith("utm_") for k in kept)


@pytest.mark.parametrize(
    "bad", ["", "not a url", "ftp://example.org/file", "javascript:alert(1)", "file:///etc/passwd"]
)
def test_canonicalisation_refuses_what_is_not_a_web_address(bad):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        canonicalize_url(bad)
