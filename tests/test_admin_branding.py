"""The admin looks like the office's tool: its name, its icon, and forms that fit a laptop screen."""

import pytest
from django.test import Client

from .factories import ClarificationFactory, SourceFactory, UserFactory
from .test_workflow_browser import log_in


@pytest.mark.django_db
def test_admin_pages_carry_the_sites_name_and_icon_not_djangos(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "Django" not in page.split("<body", 1)[1].split('id="content"', 1)[0]
    assert "<title>站点管理 | Piyao</title>" in page
    assert "辟谣 Piyao · 工作人员后台" in page
    assert 'rel="icon" href="/static/img/favicon' in page


@pytest.mark.django_db
def test_the_login_page_names_the_site_too():
    page = Client().get("/en/admin/login/").content.decode()
    assert "辟谣 Piyao · staff" in page
    assert "Django administration" not in page


@pytest.mark.django_db
def test_favicon_ico_leads_to_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == b"\x00\x00\x01\x00"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_evidence_sources_fit_a_1280_pixel_screen(browser, live_server):
    UserFactory(username="boss", is_superuser=True)
    clarification = ClarificationFactory()
    SourceFactory(
        clarification=clarification,
        title="关于轨道交通2号线夜间设备检修的公告",
        url="https://jtw.example.gov.cn/tzgg/20240311/gd2hx-jx-a-rather-long-address.html",
        publisher="市交通委员会",
    )
    context, page = log_in(browser, live_server, "boss")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/en/admin/clarifications/clarification/{clarification.pk}/change/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for selector in ["#id_sources-0-publisher", "#id_sources-0-date", "#id_sources-0-DELETE"]:
        box = page.locator(selector).bounding_box()
        assert box["x"] + box["width"] <= 1280, f"{selector} is off-screen"
    context.close()
