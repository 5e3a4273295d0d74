"""What the whole suite shares: the fixtures that keep tests apart, the browser, the staff roles, and
the markers that say what a test starts besides itself.

Markers (``pyproject.toml``; ``make test-fast`` leaves out all three):

- ``browser``: drives Chromium through Playwright (the ``browser`` fixture, or ``phone`` over it);
- ``subprocess``: starts a process of its own: gunicorn, nginx, redis-server, a task worker, the OCR
  engine, a benchmark script, ``manage.py``, ruff, node...;
- ``slow``: a minute or more with several real servers.

The first two are checked, so that a new test cannot slip into the fast loop unmarked: a test that
asks for ``browser`` without its marker stops the run at collection, and a test (or a fixture it
sets up) that starts any process without the ``subprocess`` or ``browser`` marker fails, naming
the command (an audit hook, ``sys.addaudithook``, sees every process this one starts).
"""

import os
import shutil
import signal
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

# Property-based tests draw the same inputs on every run and every machine, so that a failure in CI
# reproduces on a laptop (no example database either). HYPOTHESIS_PROFILE=explore searches afresh.
hypothesis_settings.register_profile("derandomized", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "derandomized"))


# --- Markers: what a test starts besides itself ---------------------------------------------------

# The audit events of starting a process (https://docs.python.org/3/library/audit_events.html).
PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty"}
started = []


def record_started_process(event, arguments):
    if event in PROCESS_EVENTS:
        started.append(f"{event}: {arguments[1] if event == 'subprocess.Popen' else arguments[:2]}")


sys.addaudithook(record_started_process)


def pytest_collection_modifyitems(config, items):
    unmarked = [
        item.nodeid for item in items if "browser" in item.fixturenames and not item.get_closest_marker("browser")
    ]
    if unmarked:
        raise pytest.UsageError("These tests use the browser without @pytest.mark.browser:\n  " + "\n  ".join(unmarked))


def starts_processes(item):
    return item.get_closest_marker("subprocess") or item.get_closest_marker("browser")


def fail_if_started_unmarked(item):
    """Fail ``item`` if it started a process in the phase just run without the marker that says so."""
    commands = started.copy()
    started.clear()
    if commands and not starts_processes(item):
        pytest.fail(
            f"{item.nodeid} started a process without the subprocess marker "
            f"(add pytestmark = pytest.mark.subprocess to its module, or mark the test): {commands[0]}",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    if not starts_processes(item):
        # The OCR engine is a process kept between readings: one a marked test left running would
        # read this test's pictures without it starting anything.
        from tips.intake import ocr

        ocr.stop_engine()
    started.clear()
    result = yield
    fail_if_started_unmarked(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    started.clear()
    result = yield
    fail_if_started_unmarked(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    started.clear()
    result = yield
    fail_if_started_unmarked(item)
    return result


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Private files (tip screenshots) go to a temporary folder too."""
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


@pytest.fixture(autouse=True)
def open_data_root(settings, tmp_path):
    """The open-data downloads are built into a temporary folder too."""
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    return settings.OPEN_DATA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the tip rate-limit counters (with Redis), the API
    throttle's counts and cached pages live there. With ``REDIS_URL`` the cache is shared and outlives
    the test process, so without this one test's requests would count against the next (or the next
    run's) limit, and a page cached under a content version that a rollback reset could be served again.
    """
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def no_background_writers(monkeypatch):
    """No thread of the test process stores kept WeChat messages: it would write outside the test's
    transaction. Tests about them call ``storing.store_kept`` themselves."""
    from tips.intake.wechat import storing

    monkeypatch.setattr(storing, "BACKGROUND", False)


@pytest.fixture(autouse=True)
def no_page_views_left_over():
    """Page views counted in memory and not flushed by a test do not reach the next one."""
    yield
    from clarifications import pageviews

    pageviews.forget_pending()


@pytest.fixture(autouse=True)
def default_language(settings):
    """Each test starts in the default language: a request to /en/ must not leak into the next reverse()."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def frozen(request):
    """The clock stopped at the test module's ``NOW``: what counts as "this week" or "so far this month"
    does not move while a test runs, nor with the day the suite runs on."""
    with time_machine.travel(request.module.NOW, tick=False):
        yield request.module.NOW


def chromium_path():
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser.

    Without Chromium the browser tests are skipped on a newcomer's machine, and fail under CI.
    """
    path = chromium_path()
    if not path:
        message = "Chromium is not installed (Debian: apt-get install chromium); browser tests need it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it
    # are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A page in a phone-sized browser context (390 x 844, touch)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    # The page-view beacon (static/js/seen.js) is sent without waiting for it: one still being served
    # when the test ends would race the database's flush. Tests about it call ``count_page_views``.
    context.route(SEEN_BEACON, lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_without_javascript(browser, live_server):
    """The same phone with JavaScript off: what every page must still do on its own."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
        base_url=live_server.url,
    )
    yield context.new_page()
    context.close()


SEEN_BEACON = "**/clarifications/*/seen"


def count_page_views(page):
    """Let ``page``'s beacons through (the ``phone`` fixture stops them)."""
    page.context.unroute(SEEN_BEACON)


# --- Staff roles (the groups come from the first release's migrations) ------------------------------


@pytest.fixture
def staff_groups(db):
    """The Editor, Publisher and Tip triage groups, as the migrations make them.

    A transactional test elsewhere flushes the database afterwards, so the groups may be gone: then
    this runs again the operation the migrations run (it is idempotent), found in the migration plan
    itself, so that a migration that stopped creating the groups fails the tests that use them.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.db import connection

    if not Group.objects.filter(name="Tip triage", permissions__codename="reopen_report").exists():
        schema_editor = SimpleNamespace(connection=connection)
        for operation in group_operations():
            operation.code(apps, schema_editor)
    return {group.name: group for group in Group.objects.all()}


# The migrations' functions that create the staff groups and give them their permissions, in order.
GROUP_OPERATIONS = {"create_staff_groups", "create_group", "grant"}


def group_operations():
    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan = []
    for app in ("clarifications", "tips"):
        plan += [key for key in graph.forwards_plan(graph.leaf_nodes(app)[0]) if key not in plan]
    found = [
        operation
        for key in plan
        if key[0] in ("clarifications", "tips")
        for operation in graph.nodes[key].operations
        if isinstance(operation, RunPython) and operation.code.__name__ in GROUP_OPERATIONS
    ]
    names = [operation.code.__name__ for operation in found]
    assert names.count("create_staff_groups") == 1, "exactly one migration must create the staff groups"
    return found


def _member_of(groups, name, username):
    from .factories import UserFactory

    user = UserFactory(username=username)
    user.groups.add(groups[name])
    return user


@pytest.fixture
def database_queue(settings, monkeypatch):
    """Tasks wait in the database until a worker runs them (``queue_tasks.run_worker``); retries are due at once."""
    from core import taskqueue

    from .queue_tasks import DATABASE_QUEUE

    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(taskqueue, "RETRY_DELAY", timedelta(0))
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    # The worker command installs its own handlers in the process that runs it.
    for number, handler in previous.items():
        signal.signal(number, handler)


@pytest.fixture
def english():
    """Messages are asserted in English (the msgids), whatever the default language's catalogue says."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def author(db):
    """A user who wrote the clarification, with no role: the four-eyes rule's other person."""
    from .factories import UserFactory

    return UserFactory(username="author")


@pytest.fixture
def editor(staff_groups):
    return _member_of(staff_groups, "Editor", "editor")


@pytest.fixture
def publisher(staff_groups):
    return _member_of(staff_groups, "Publisher", "publisher")


@pytest.fixture
def tip_triager(staff_groups):
    return _member_of(staff_groups, "Tip triage", "triager")


@pytest.fixture
def triager(client, tip_triager):
    """The tip triager, logged in with ``client``."""
    client.force_login(tip_triager)
    return tip_triager


@pytest.fixture
def superuser(db):
    from .factories import UserFactory

    return UserFactory(username="chief", is_superuser=True)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The .mo files are build output: compile them from the .po catalogues, so that running pytest
    straight after editing a catalogue tests what was just written."""
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_translations", verbosity=0)
    # django.setup() may already have loaded the old catalogue: forget it, so the new one is read.
    trans_real._translations = {}
    trans_real._default = None
