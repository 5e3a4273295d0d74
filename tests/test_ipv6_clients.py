"""IPv6 clients are counted by their network (``CLIENT_IPV6_PREFIX``, a /64 by default) for every limit
and every hash: one subscriber picking a new address in its /64 for each request gains nothing."""

import pytest

from core.clients import client_hash, limit_address
from tips.models import Tip

from .factories import UserFactory
from .test_security import PASSWORD, admin_login, lockout  # noqa: F401 (the lockout fixture)
from .test_settings import run_settings
from .tip_form import post_tip

pytestmark = pytest.mark.django_db

ONE_64 = [f"2001:db8:1:2::{n:x}" for n in range(1, 9)]
ANOTHER_64 = "2001:db8:1:3::1"


def test_eight_tips_from_eight_addresses_of_one_64_meet_the_limit_of_five(client, settings):
    settings.TIPS_RATE = "5/10m"
    statuses = [post_tip(client, REMOTE_ADDR=address).status_code for address in ONE_64]
    assert statuses == [302] * 5 + [429] * 3
    assert Tip.objects.count() == 5
    # A neighbour in another /64 is another client.
    assert post_tip(client, REMOTE_ADDR=ANOTHER_64).status_code == 302


def test_the_prefix_length_is_a_setting(client, settings):
    settings.TIPS_RATE = "1/10m"
    settings.CLIENT_IPV6_PREFIX = 128
    assert post_tip(client, REMOTE_ADDR=ONE_64[0]).status_code == 302
    assert post_tip(client, REMOTE_ADDR=ONE_64[1]).status_code == 302
    settings.CLIENT_IPV6_PREFIX = 48
    assert post_tip(client, REMOTE_ADDR="2001:db8:5:aaaa::1").status_code == 302
    assert post_tip(client, REMOTE_ADDR="2001:db8:5:ffff::9").status_code == 429


def test_the_api_throttle_counts_an_ipv6_client_by_its_network(client, settings):
    settings.API_ANON_RATE = "2/min"
    statuses = [client.get("/api/clarifications/", REMOTE_ADDR=address).status_code for address in ONE_64[:4]]
    assert statuses == [200, 200, 429, 429]


def test_the_staff_login_lockout_counts_an_ipv6_client_by_its_network(client, lockout):  # noqa: F811
    UserFactory(username="editor", is_superuser=True)
    for address in ONE_64[:5]:
        admin_login(client, "editor", "wrong password", address)
    assert admin_login(client, "editor", PASSWORD, address=ONE_64[6]).status_code == 429
    assert admin_login(client, "editor", PASSWORD, address=ANOTHER_64).status_code == 302


def test_hashes_and_keys_follow_the_same_rule(settings):
    assert client_hash(ONE_64[0]) == client_hash(ONE_64[7]) != client_hash(ANOTHER_64)
    assert limit_address("2001:DB8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::"
    assert limit_address("::ffff:198.51.100.7") == "198.51.100.7"
    assert limit_address("fe80::1%eth0") == "fe80::"
    assert limit_address("198.51.100.7") == "198.51.100.7"
    assert client_hash("wechat:oABC") == client_hash("wechat:oABC") != client_hash("wechat:oABD")


@pytest.mark.subprocess
def test_a_prefix_length_that_is_not_one_is_refused_at_start_up():
    result = run_settings(DEBUG="true", CLIENT_IPV6_PREFIX="200")
    assert result.returncode != 0
    assert "CLIENT_IPV6_PREFIX must be a prefix length from 32 to 128" in result.stderr
    assert run_settings(DEBUG="true", CLIENT_IPV6_PREFIX="56").returncode == 0
