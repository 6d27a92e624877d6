"""Webhook targets (no SSRF), signatures and the retry schedule: pure rules, hand-checked values."""

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.errors import InvalidInput
from graphsvc.webhooks.delivery import RetryPolicy, sign
from graphsvc.webhooks.targets import check_url, resolve_target


@pytest.mark.parametrize(
    ("url", "address", "kind"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1", "loopback"),
        ("http://localhost/hook", "127.0.0.1", "loopback"),
        ("http://[::1]/hook", "::1", "loopback"),
        ("http://10.1.2.3/hook", "10.1.2.3", "private"),
        ("http://192.168.0.10/hook", "192.168.0.10", "private"),
        ("http://172.16.5.4/hook", "172.16.5.4", "private"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254", "link-local"),
        ("http://[fe80::1]/hook", "fe80::1", "link-local"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1", "loopback"),
        ("http://100.64.0.1/hook", "100.64.0.1", "non-public"),
        ("http://0.0.0.0/hook", "0.0.0.0", "unspecified"),
        ("https://240.0.0.1/hook", "240.0.0.1", "reserved"),
    ],
)
async def test_private_loopback_and_link_local_targets_are_refused_naming_the_url(url, address, kind):
    with pytest.raises(InvalidInput) as refused:
        await resolve_target(url)
    message = str(refused.value)
    assert f"webhook url {url!r} resolves to" in message
    assert f"which is {kind};" in message
    assert address.split("::ffff:")[-1] in message
    # Allowed on purpose, the same URL passes.
    assert (await resolve_target(url, allow_private=True)).url.host


async def test_a_public_address_passes_and_requests_go_to_the_address_checked():
    target = await resolve_target("https://93.184.215.14:8443/in?x=1")
    assert target.address == "93.184.215.14"
    assert str(target.request_url()) == "https://93.184.215.14:8443/in?x=1"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/hook", "must be http or https"),
        ("file:///etc/passwd", "must be http or https"),
        ("/relative/path", "must be http or https"),
        ("http:///nohost", "has no host"),
        ("http://" + "a" * 2050 + ".com/", "longer than 2048 characters"),
    ],
)
def test_only_absolute_http_urls_are_accepted(url, problem):
    with pytest.raises(InvalidInput, match=problem):
        check_url(url)


async def test_a_host_that_does_not_resolve_is_refused():
    with pytest.raises(InvalidInput, match=r"host 'no-such-host\.invalid' does not resolve"):
        await resolve_target("http://no-such-host.invalid/hook")


def test_the_signature_is_hmac_sha256_of_the_raw_body_in_hex():
    # RFC 4231, test case 2.
    assert sign("Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap_and_end_after_the_window():
    policy = RetryPolicy(base_seconds=10, max_delay_seconds=3600, retry_seconds=86_400)
    # 10 · 2^(n-1) s, capped at 3600, times a factor from 0.5 (jitter 0) to 1 (jitter 1).
    assert [policy.delay(n, 1.0) for n in (1, 2, 3, 4, 9, 10, 30)] == [10, 20, 40, 80, 2560, 3600, 3600]
    assert [policy.delay(n, 0.0) for n in (1, 2, 9, 10)] == [5, 10, 1280, 1800]
    assert policy.delay(3, 0.5) == 30
    queued = datetime(2026, 6, 1, tzinfo=UTC)
    # The 5th failure 20 h after queueing: due 160 s later, inside the 24 h window.
    now = queued + timedelta(hours=20)
    assert policy.next_attempt(5, queued, now, 1.0) == now + timedelta(seconds=160)
    # 23.5 h in, a 3600 s wait would end past the window: the delivery is given up.
    late = queued + timedelta(hours=23, minutes=30)
    assert policy.next_attempt(12, queued, late, 1.0) is None
    assert policy.next_attempt(12, queued, late, 0.0) == late + timedelta(seconds=1800)
