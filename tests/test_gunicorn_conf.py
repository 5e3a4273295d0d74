"""gunicorn's checked-in settings follow the site's own: forwarded headers and slow clients."""

import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def gunicorn_settings(monkeypatch, **environ):
    for name in ("TRUST_PROXY_SSL_HEADER", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_without_a_trusted_proxy_gunicorn_believes_no_forwarded_scheme(monkeypatch):
    assert gunicorn_settings(monkeypatch)["forwarded_allow_ips"] == ""
    assert gunicorn_settings(monkeypatch, TRUST_PROXY_SSL_HEADER="false")["forwarded_allow_ips"] == ""


def test_with_a_trusted_proxy_gunicorn_believes_the_proxys_address(monkeypatch):
    assert gunicorn_settings(monkeypatch, TRUST_PROXY_SSL_HEADER="true")["forwarded_allow_ips"] == "127.0.0.1"
    configured = gunicorn_settings(monkeypatch, TRUST_PROXY_SSL_HEADER="true", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert configured["forwarded_allow_ips"] == "10.0.0.5"
