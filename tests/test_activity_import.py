"""
Activity imports as program staff make them (issue 15): people by username or e-mail, activity
types by code or name in any case, a preview of every row that writes nothing, all-or-nothing
application, the admin page (upload or paste, template, preview, apply) and the REST file upload;
bad files get a clear error and write nothing, and exports neutralise spreadsheet formulas.
"""
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.data import ImportReport
from openedx_distinguished.exceptions import ValidationError
from openedx_distinguished.models import Activity, BudgetLine

from .factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,username,activity_type,title,occurred_on\n"


@pytest.fixture
def people(program):
    return {"ada": UserFactory(username="ada", email="Ada.Lovelace@Example.org", first_name="Ada"),
            "grace": UserFactory(username="grace", email="grace@example.org", first_name="Grace")}


def test_people_by_username_or_email_and_types_by_code_or_name_in_any_case(people, users):
    text = (HEADER + "m-1,ada,Event,Meetup,2026-05-01\n"
            "m-2,ada.lovelace@example.org,WORKING GROUP,Data WG,2026-05-02\n"
            "m-3,GRACE@EXAMPLE.ORG,working-group,Ops WG,2026-05-03\n"
            "m-4,grace,Working group,Ops WG again,2026-05-04\n")
    assert api.import_activities_csv(text=text, actor=users["staff"]) == ImportReport(created=4, skipped=0)
    assert sorted(Activity.objects.values_list("external_id", "user__username", "activity_type__slug",
                                               "status")) == [
        ("m-1", "ada", "event", "verified"), ("m-2", "ada", "working_group", "verified"),
        ("m-3", "grace", "working_group", "verified"), ("m-4", "grace", "working_group", "verified")]


def test_an_email_column_and_a_header_in_any_case(people, users):
    text = "External_ID,Email,Activity_Type,Title,Occurred_On\nx-1,grace@example.org,mentorship,Mentored,2026-04-04\n"
    assert api.import_activities_csv(text=text, actor=users["staff"]).created == 1
    assert Activity.objects.get().user == people["grace"]


def test_an_event_attendance_export_imports_as_it_comes(people, users):
    """Columns in another order, an extra column, a byte-order mark, Windows line ends."""
    data = ("\ufeffTitle,Email,Occurred_on,Activity_type,External_id,Attended minutes\r\n"
            "Open edX Meetup,ada.lovelace@example.org,2026-03-03,Event,meetup-ada,55\r\n").encode("utf-8")
    text = api.read_import_file(data=data)
    assert api.import_activities_csv(text=text, actor=users["staff"]) == ImportReport(created=1, skipped=0)


def test_the_preview_shows_every_row_and_writes_nothing(people, users):
    api.import_activities_csv(text=HEADER + "old-1,ada,event,Earlier,2026-01-01\n", actor=users["staff"])
    text = (HEADER + "old-1,ada,event,Earlier,2026-01-01\n"
            "new-1,grace@example.org,event,Summit,2026-02-02\n"
            "bad-1,nobody,party,=HYPERLINK(\"http://evil.example\"),2026-13-01\n")
    preview = api.preview_activity_import(rows=api.read_import_csv(text=text))
    assert (preview.new, preview.already_imported, preview.errors) == (1, 1, 1)
    first, second, third = preview.rows
    assert (first.outcome, second.outcome, third.outcome) == ("already imported", "new", "error")
    assert (second.person, second.username, second.activity_type) == ("Grace", "grace", "Event")
    assert any(message.startswith("title: starts with '='") for message in third.errors)
    assert any("no user 'nobody'" in message for message in third.errors)
    assert any("activity_type" in message for message in third.errors)
    assert any("occurred_on" in message for message in third.errors)
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(A1)",
                                  "-2+3+cmd|' /C calc'!A0"])
def test_a_row_of_formulas_is_refused_and_nothing_is_written(people, users, cell):
    text = HEADER + "ok-1,ada,event,Fine,2026-05-01\n" + f'f-1,ada,event,"{cell}",2026-05-01\n'.replace('""', '"')
    rows = api.read_import_csv(text=HEADER + "ok-1,ada,event,Fine,2026-05-01\n")
    rows.append({"external_id": "f-1", "username": "ada", "activity_type": "event", "title": cell,
                 "occurred_on": "2026-05-01"})
    with pytest.raises(ValidationError) as error:
        api.import_activities(rows=rows, actor=users["staff"])
    assert error.value.errors["rows"] == [
        f"Row 2: title: starts with {cell[0]!r}, which a spreadsheet runs as a formula; remove it"]
    assert not Activity.objects.exists()
    assert text  # the same row as CSV text


def test_an_email_two_people_share_asks_for_the_username(people, users):
    UserFactory(username="ada2", email="ada.lovelace@example.org")
    with pytest.raises(ValidationError) as error:
        api.import_activities_csv(text=HEADER + "a-1,Ada.Lovelace@example.org,event,Meetup,2026-05-01\n",
                                  actor=users["staff"])
    assert "2 users share the e-mail address" in error.value.errors["rows"][0]
    assert not Activity.objects.exists()


@pytest.mark.parametrize("data, message", [
    (b"external_id,username\n" + b"x" * (5 * 1024 * 1024), "The file is 5.0 MB; an import takes at most 2 MB"),
    ("external_id,username,activity_type,title,occurred_on\nÅ-1,ada,event,Café,2026-05-01\n".encode("latin-1"),
     "not UTF-8 text"),
])
def test_a_file_too_large_or_in_another_encoding_is_refused(people, data, message):
    with pytest.raises(ValidationError) as error:
        api.read_import_file(data=data)
    assert message in error.value.errors["file"][0]


@pytest.mark.parametrize("text, message", [
    ("id,who\n1,ada\n", "Missing columns: external_id, activity_type, title, occurred_on, username (or email)"),
    (HEADER, "no row to import"),
    ("external_id,username,activity_type,title,occurred_on\n\x00\x01", "NUL characters"),
    ('external_id,username,activity_type,title,occurred_on\n"a-1,ada', "Not readable as CSV"),
])
def test_a_malformed_csv_gets_a_clear_error(people, users, text, message):
    with pytest.raises(ValidationError) as error:
        api.import_activities_csv(text=text, actor=users["staff"])
    assert message in " ".join(error.value.errors["file"])
    assert not Activity.objects.exists()


def test_the_template_is_a_file_the_import_reads(people):
    rows = api.read_import_csv(text=api.activity_import_template())
    assert list(rows[0]) == list(api.IMPORT_COLUMNS)
    preview = api.preview_activity_import(rows=rows)
    assert preview.rows[0].activity_type and preview.rows[0].errors == (
        "username: no user with the e-mail address 'ada@example.org'",)


# The admin page ------------------------------------------------------------------------------------

@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


PAGE = "admin:openedx_distinguished_activity_import"


def test_staff_upload_see_every_error_fix_and_apply(client, superuser, people):
    client.force_login(superuser)
    assert reverse(PAGE) in client.get(reverse("admin:openedx_distinguished_activity_changelist")).content.decode()
    bad = HEADER + "e-1,ada,event,Meetup,2026-05-01\ne-2,nobody,event,Summit,2026-05-02\n"
    response = client.post(reverse(PAGE), {"step": "preview",
                                           "file": SimpleUploadedFile("events.csv", bad.encode(), "text/csv")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "1 new, 0 imported before (skipped), 1 with errors" in html and "no user &#x27;nobody&#x27;" in html
    assert "Import 1 activity" not in html  # no apply while a row is wrong
    assert not Activity.objects.exists()
    fixed = bad.replace("nobody", "grace@example.org")
    response = client.post(reverse(PAGE), {"step": "preview", "text": fixed})
    html = response.content.decode()
    assert response.status_code == 200 and "Import 2 activities" in html and "Grace (grace)" in html
    assert not Activity.objects.exists()
    response = client.post(reverse(PAGE), {"step": "apply", "text": fixed}, follow=True)
    assert any("Imported 2 activities; 0 were imported before" in str(m) for m in response.context["messages"])
    assert Activity.objects.count() == 2
    client.post(reverse(PAGE), {"step": "apply", "text": fixed})
    assert Activity.objects.count() == 2  # idempotent by external id


def test_applying_rows_that_went_wrong_meanwhile_writes_nothing(client, superuser, people):
    client.force_login(superuser)
    text = HEADER + "e-1,ada,event,Meetup,2026-05-01\n"
    people["ada"].delete()
    response = client.post(reverse(PAGE), {"step": "apply", "text": text})
    assert response.status_code == 400 and "no user &#x27;ada&#x27;" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_page_refuses_a_bad_file_next_to_the_field(client, superuser, people):
    client.force_login(superuser)
    latin = SimpleUploadedFile("events.csv", (HEADER + "é,ada,event,Café,2026-05-01\n").encode("latin-1"))
    response = client.post(reverse(PAGE), {"step": "preview", "file": latin})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="file-errors"' in html and "not UTF-8 text" in html
    response = client.post(reverse(PAGE), {"step": "preview", "text": ""})
    assert response.status_code == 400 and "Choose a CSV file or paste its text." in response.content.decode()


def test_the_template_downloads(client, superuser, people):
    client.force_login(superuser)
    response = client.get(reverse(PAGE) + "?template=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith(",".join(api.IMPORT_COLUMNS))


@pytest.mark.parametrize("who", ["learner", "nominee"])
def test_the_page_is_for_program_staff(client, users, people, who):
    client.force_login(users[who])
    response = client.post(reverse(PAGE), {"step": "apply", "text": HEADER + "e-1,ada,event,M,2026-05-01\n"})
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert not Activity.objects.exists()


# The REST file upload ------------------------------------------------------------------------------

def test_the_api_takes_a_file_upload(client_for, users, people):
    def as_role(role):
        return client_for(users[role])

    upload = SimpleUploadedFile("events.csv", (HEADER + "u-1,ada,event,Meetup,2026-05-01\n").encode())
    response = as_role("staff").post("/api/distinguished/v1/activities/import/", {"file": upload},
                                     format="multipart")
    assert response.status_code == 200 and response.json() == {"created": 1, "skipped": 0}
    latin = SimpleUploadedFile("events.csv", (HEADER + "é,ada,event,Café,2026-05-01\n").encode("latin-1"))
    response = as_role("staff").post("/api/distinguished/v1/activities/import/", {"file": latin},
                                     format="multipart")
    assert response.status_code == 400 and "not UTF-8 text" in response.json()["file"][0]
    assert as_role("learner").post("/api/distinguished/v1/activities/import/", {"file": upload},
                                   format="multipart").status_code == 403
    assert Activity.objects.count() == 1


# Exports ----------------------------------------------------------------------------------------------

def test_exports_neutralise_spreadsheet_formulas(cycle, users):
    line = BudgetLine.objects.filter(cycle__isnull=True).first()
    BudgetLine.objects.filter(pk=line.pk).update(deliverable='=HYPERLINK("http://evil.example","Badges")',
                                                 description="@SUM(A1:A9)")
    rows = list(csv.reader(io.StringIO(api.budget_csv(report=api.budget_report(cycle_year=cycle.year)))))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"Badges\")" in cells and "'@SUM(A1:A9)" in cells
    assert not any(cell and cell[0] in "=+@" for cell in cells)


@pytest.mark.parametrize("cell, written", [
    ("-150.00", "-150.00"), ("+3", "+3"), ("42", "42"), ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("Ada", "Ada"), (7, 7),
])
def test_a_cell_is_neutralised_unless_it_is_a_plain_number(cell, written):
    from openedx_distinguished.spreadsheet import safe_cell  # pylint: disable=import-outside-toplevel
    assert safe_cell(cell) == written
