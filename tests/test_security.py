"""Security headers, HTTPS behind a proxy, the production deploy check, the staff login lockout and
session expiry."""

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from core.clients import client_ip

from .factories import ClarificationFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PASSWORD = "correct horse battery staple"


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_security_headers(response):
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_public_page_sends_the_security_headers(client):
    ClarificationFactory()
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_the_admin_login_page_sends_the_same_security_headers(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_error_pages_send_the_security_headers_too(client):
    response = client.get("/clarifications/999999/")
    assert response.status_code == 404
    assert_security_headers(response)


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/")


# --- HTTPS behind a TLS proxy -------------------------------------------------------------------


def settings_under(**env):
    """The values the settings module computes under this environment, read in a fresh process."""
    environment = {key: value for key, value in os.environ.items() if key not in ("HTTPS", "TRUST_PROXY_SSL_HEADER")}
    environment.update({"SECRET_KEY": "x" * 60, "DEBUG": "false", **env})
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
    ]
    code = (
        f"import json, config.settings as s; print(json.dumps({{name: getattr(s, name, None) for name in {names!r}}}))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.subprocess
def test_https_turns_on_secure_cookies_hsts_and_the_redirect():
    values = settings_under(HTTPS="true")
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] is None


@pytest.mark.subprocess
def test_without_https_cookies_are_not_marked_secure_and_there_is_no_hsts():
    values = settings_under(HTTPS="false")
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.subprocess
def test_production_is_https_only_unless_the_operator_says_plain_http():
    values = settings_under()
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


@pytest.mark.subprocess
def test_debug_defaults_to_plain_http():
    values = settings_under(DEBUG="true")
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False


@pytest.mark.subprocess
def test_the_proxy_header_is_trusted_only_when_asked():
    assert settings_under(HTTPS="true", TRUST_PROXY_SSL_HEADER="true")["SECURE_PROXY_SSL_HEADER"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


@pytest.fixture
def behind_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def test_behind_the_proxy_https_requests_get_hsts(client, behind_tls_proxy):
    response = client.get("/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_security_headers(response)


def test_behind_the_proxy_plain_http_is_redirected_to_https(client, behind_tls_proxy):
    response = client.get("/clarifications/?q=x")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/clarifications/?q=x"


def test_the_health_check_is_not_redirected_so_a_load_balancer_can_probe_it_over_http(client, behind_tls_proxy):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == {"state": "ok"}


def test_the_csrf_cookie_is_secure_behind_https(client, behind_tls_proxy):
    response = client.get(reverse("admin:login"), headers={"x-forwarded-proto": "https"})
    assert response.cookies["csrftoken"]["secure"] is True


# --- manage.py check --deploy --------------------------------------------------------------------


def deploy_check(tmp_path, **env):
    """``manage.py check --deploy`` with production settings; HTTPS is left to its default unless given."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "HTTPS", "TRUSTED_PROXY_COUNT")
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "piyao.example.org",
            "DATA_DIR": str(tmp_path),
            **env,
        }
    )
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.subprocess
def test_the_deploy_check_is_clean_with_production_settings(tmp_path):
    # No HTTPS variable at all: a production start is https-only by default.
    returncode, output = deploy_check(tmp_path, TRUSTED_PROXY_COUNT="1")
    assert returncode == 0, output
    assert "no issues" in output


@pytest.mark.subprocess
def test_the_deploy_check_warns_when_https_is_on_but_no_proxy_is_counted(tmp_path):
    returncode, output = deploy_check(tmp_path)
    assert returncode != 0
    assert "piyao.W001" in output
    assert "TRUSTED_PROXY_COUNT" in output


def test_a_forwarded_request_without_a_trusted_proxy_is_logged_once(client, caplog, monkeypatch):
    monkeypatch.setattr("core.clients._warned_about_proxy", False)
    for _ in range(2):
        client.post("/tips/new/", {"text": "群里说明天全市停水三天"}, HTTP_X_FORWARDED_FOR="1.2.3.4")
    warnings = [record for record in caplog.records if "TRUSTED_PROXY_COUNT is 0" in record.getMessage()]
    assert len(warnings) == 1


@pytest.mark.subprocess
def test_the_deploy_check_fails_with_a_weak_key(tmp_path):
    """The test above could not fail if the check never ran: a short key must be reported."""
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    environment.update(
        {"DEBUG": "false", "HTTPS": "true", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x", "DATA_DIR": str(tmp_path)}
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


# --- Staff login lockout -------------------------------------------------------------------------


@pytest.fixture
def lockout(settings):
    """django-axes as in production (the suite switches it off for the test client's login())."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


ADMIN_LOGIN = "/en/admin/login/"  # the English admin, so that the messages read as below
ADMIN_INDEX = "/en/admin/"


def admin_login(client, username, password, address="203.0.113.7"):
    return client.post(
        ADMIN_LOGIN, {"username": username, "password": password, "next": ADMIN_INDEX}, REMOTE_ADDR=address
    )


def fail_logins(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = admin_login(client, username, "wrong password", address)
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_from_that_address_with_a_clear_message(client, lockout):
    UserFactory(username="editor", is_superuser=True)
    fail_logins(client, "editor", 4)
    response = admin_login(client, "editor", "wrong password")
    assert response.status_code == 429
    # Even the right password is refused while locked, so guessing cannot continue.
    response = admin_login(client, "editor", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Login temporarily locked" in page
    assert "5 failed login attempts" in page
    assert "locked for 15 minutes" in page
    assert "_auth_user_id" not in client.session
    assert_security_headers(response)


def test_the_lockout_is_per_username_and_address(client, lockout):
    UserFactory(username="editor", is_superuser=True)
    UserFactory(username="publisher", is_superuser=True)
    fail_logins(client, "editor", 4)
    assert admin_login(client, "editor", "wrong password").status_code == 429
    # The same person at another address, and another account at the same address, still log in.
    assert admin_login(client, "editor", PASSWORD, address="198.51.100.20").status_code == 302
    client.logout()
    assert admin_login(client, "publisher", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off_period(client, lockout):
    UserFactory(username="editor", is_superuser=True)
    fail_logins(client, "editor", 4)
    assert admin_login(client, "editor", "wrong password").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = admin_login(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == ADMIN_INDEX


def test_a_successful_login_resets_the_count_of_failures(client, lockout):
    UserFactory(username="editor", is_superuser=True)
    fail_logins(client, "editor", 4)
    assert admin_login(client, "editor", PASSWORD).status_code == 302
    client.logout()
    fail_logins(client, "editor", 4)
    assert admin_login(client, "editor", PASSWORD).status_code == 302


def test_the_test_clients_login_helpers_still_work_for_other_tests(client):
    user = UserFactory(username="editor", is_superuser=True)
    assert client.login(username="editor", password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_behind_proxies_the_address_is_the_one_the_outermost_trusted_proxy_saw(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The left entry was written by the client and could be anything.
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"


# --- Staff sessions ------------------------------------------------------------------------------


def test_a_staff_session_expires_after_eight_hours(client):
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=8, minutes=1), tick=False):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@override_settings(SESSION_COOKIE_AGE=3600)
def test_the_session_cookie_carries_the_configured_lifetime(client, lockout):
    UserFactory(username="editor", is_superuser=True)
    response = admin_login(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 3600
    assert response.cookies["sessionid"]["httponly"] is True


def test_gunicorns_access_log_names_the_client_by_the_same_rule(settings):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from core.clients import AccessLogger

    settings.TRUSTED_PROXY_COUNT = 1
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=0)
    atoms = AccessLogger(Config()).atoms(response, [], environ, timedelta(0))
    assert atoms["h"] == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert AccessLogger(Config()).atoms(response, [], environ, timedelta(0))["h"] == "127.0.0.1"


def test_the_debug_page_masks_the_settings_that_carry_passwords(client, settings):
    settings.DEBUG = True
    settings.REDIS_URL = "redis://:redis-sekrit@cache.internal:6379/0"
    settings.DATABASE_URL = "postgres://piyao:db-sekrit@db.internal/piyao"
    settings.EMAIL_URL = "smtp+tls://piyao:mail-sekrit@mail.internal:587"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": settings.REDIS_URL}
    }
    client.raise_request_exception = False
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "DisallowedHost" in response.text  # the debug page itself
    assert "REDIS_URL" in response.text
    for secret in ("redis-sekrit", "db-sekrit", "mail-sekrit"):
        assert secret not in response.text
