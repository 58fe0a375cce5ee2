"""
The plugin's Open edX filters (OEP-50): hooks where operators change or stop what the program does.

Operators wire pipeline steps with ``OPEN_EDX_FILTERS_CONFIG``, for example::

    OPEN_EDX_FILTERS_CONFIG = {
        "org.openedx.distinguished.nomination.submission.requested.v1": {
            "pipeline": ["my_site.filters.RequireEvidence"],
            "fail_silently": False,
        },
    }

where ``RequireEvidence`` is an ``openedx_filters.PipelineStep`` whose ``run_filter(self, nomination)``
returns ``{"nomination": nomination}`` or raises
``NominationSubmissionRequested.PreventNominationSubmission("Add at least one evidence link.")``.
"""
from typing import Any

from openedx_filters.exceptions import OpenEdxFilterException
from openedx_filters.tooling import OpenEdxPublicFilter

from openedx_distinguished.data import NominationData, TermData


class NominationSubmissionRequested(OpenEdxPublicFilter):
    """
    Runs when a nominator submits a draft, before anything changes. A step may refuse the
    submission; its message is what the nominator sees (HTTP 400).
    """

    filter_type = "org.openedx.distinguished.nomination.submission.requested.v1"

    class PreventNominationSubmission(OpenEdxFilterException):
        """Raised by a pipeline step to refuse a submission, with the reason for the nominator."""

    @classmethod
    def run_filter(cls, nomination: NominationData) -> NominationData:
        """Run the pipeline on the nomination's record (``data.NominationData``); return it."""
        return super().run_pipeline(nomination=nomination).get("nomination", nomination)


class HallOfFameRenderStarted(OpenEdxPublicFilter):
    """
    Runs before the hall of fame page renders. A step may change the context (reorder, add
    sections, hide entries) or the template name (a site's own template).
    """

    filter_type = "org.openedx.distinguished.hall_of_fame.render.started.v1"

    @classmethod
    def run_filter(cls, context: dict[str, Any], template_name: str) -> tuple[dict[str, Any], str]:
        """Run the pipeline on the page context and template name; return both."""
        data = super().run_pipeline(context=context, template_name=template_name)
        return data.get("context", context), data.get("template_name", template_name)


class CredentialIssuanceRequested(OpenEdxPublicFilter):
    """
    Runs before a term's Open Badges credential is signed. A step may change the credential
    document (e.g. add an evidence entry or a display field) or stop the issuance.
    """

    filter_type = "org.openedx.distinguished.credential.issuance.requested.v1"

    class PreventCredentialIssuance(OpenEdxFilterException):
        """Raised by a pipeline step to stop the issuance, with the reason (logged, and retried by the jobs)."""

    @classmethod
    def run_filter(cls, term: TermData, document: dict[str, Any]) -> dict[str, Any]:
        """Run the pipeline on the term's record (``data.TermData``) and the document; return the document."""
        return super().run_pipeline(term=term, document=document).get("document", document)
