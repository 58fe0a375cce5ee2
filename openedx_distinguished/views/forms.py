"""
What the pages' forms show and read back. They hold no rules of their own: ``api`` checks
everything and its errors, keyed by field, are shown next to the fields they name.
"""
from django.utils.translation import gettext as _

from openedx_distinguished.conf import get_setting

# Keys of API errors that name no field of any form: shown at the top of the page.
GENERAL_ERRORS = ("non_field_errors", "cycle", "status")


def error_summary(errors, *, anchors=None):
    """
    Every error of ``errors``, for the summary at the top of a refused form: each message with a
    link to its field when ``anchors`` maps its key to (element id, field label).
    """
    anchors = anchors or {}
    summary = []
    for key, messages_ in errors.items():
        element_id, label = anchors.get(key, (None, None))
        for message in messages_:
            summary.append({"message": f"{label}: {message}" if label else message,
                            "href": f"#{element_id}" if element_id else ""})
    return summary


class CaseForm:
    """
    The case of a nomination or an endorsement: one text per criterion of the track and evidence
    links as rows. Rows are added and removed by buttons that post the form back (the page's
    script does it in place), so nothing typed is lost either way.
    """

    def __init__(self, *, track, data=None, initial=None, endorsing=False):
        self.track = track
        self.data = data
        self.initial = initial
        self.endorsing = endorsing
        self.token = (data.get("form_token") or "")[:64] if data is not None else ""

    def action(self) -> str:
        """The button that posted the form: draft, submit, endorse, add-link, remove-<n> or refresh."""
        return (self.data.get("action") or "refresh") if self.data is not None else ""

    def justifications(self) -> dict:
        """The text typed for each criterion of the track."""
        return {c.slug: self.data.get(f"justification-{c.slug}", "") for c in self.track.criteria}

    def evidence_links(self) -> list:
        """The evidence links typed, empty rows left out."""
        return [link.strip() for link in self.data.getlist("evidence") if link.strip()]

    def _rows(self):
        """The evidence rows to show: the posted ones after the add or remove button, else the draft's."""
        if self.data is None:
            return list((self.initial.evidence_links if self.initial else ()) or [""])
        rows = list(self.data.getlist("evidence")) or [""]
        action = self.action()
        if action == "add-link" and len(rows) < get_setting("DISTINGUISHED_MAX_EVIDENCE_LINKS"):
            rows.append("")
        elif action.startswith("remove-"):
            index = action.removeprefix("remove-")
            if index.isascii() and index.isdigit() and len(index) < 4 and int(index) < len(rows) and len(rows) > 1:
                del rows[int(index)]
        return rows

    def _text(self, slug):
        """The text of one criterion: as posted, else the draft's."""
        if self.data is not None:
            return self.data.get(f"justification-{slug}", "")
        return (self.initial.justifications.get(slug, "") if self.initial else "")

    def anchors(self) -> dict:
        """Each error key of the case, with the id and label of the field it belongs to."""
        anchors = {f"justifications.{c.slug}": (f"justification-{c.slug}", c.name) for c in self.track.criteria}
        anchors["evidence_links"] = ("evidence-0", _("Evidence links"))
        anchors["justifications"] = (f"justification-{self.track.criteria[0].slug}", _("Your case")) \
            if self.track.criteria else (None, None)
        return anchors

    def bound(self, errors) -> dict:
        """What the template shows: each criterion with its text and errors, the evidence rows and the limits."""
        return {
            "criteria": [{"criterion": c, "id": f"justification-{c.slug}", "name": f"justification-{c.slug}",
                          "value": self._text(c.slug), "errors": errors.get(f"justifications.{c.slug}", ())}
                         for c in self.track.criteria],
            "evidence": self._rows(),
            "evidence_errors": errors.get("evidence_links", ()),
            "max_links": get_setting("DISTINGUISHED_MAX_EVIDENCE_LINKS"),
            "max_length": get_setting("DISTINGUISHED_MAX_JUSTIFICATION_LENGTH"),
            "max_url_length": get_setting("DISTINGUISHED_MAX_URL_LENGTH"),
            "endorsing": self.endorsing,
        }
