"""
The public hall of fame, member pages, the JSON feed for the community website, and the yearly
announcements with their Atom feed.
"""
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from openedx_distinguished import api, freshness, parsing
from openedx_distinguished.exceptions import NotFound, ValidationError
from openedx_distinguished.filters import HallOfFameRenderStarted

from .caching import conditional
from .layout import page


def _filters(request):
    """The track and year filters of the query string (ValidationError for a year that is not one)."""
    track = request.GET.get("track") or None
    year = request.GET.get("year") or None
    return track, parsing.year(year) if year else None


def _view(request):
    """The section and page of the hall of fame the query string asks for (ValidationError if none such)."""
    section = request.GET.get("section") or None
    number = request.GET.get("page") or "1"
    return section, parsing.whole_number(number, field="page", least=1)


def _presence_tag(request):
    """The ETag of the public lists: their version, the query string, and who asks (the page's header)."""
    return freshness.etag(freshness.presence_version(), request.META.get("QUERY_STRING", ""),
                          request.user.pk if request.user.is_authenticated else "anonymous")


def _cache_control(request):
    """Anonymous visitors share one page; a signed-in person's (their name in the header) is theirs."""
    return "private, no-store" if request.user.is_authenticated else "public, max-age=60"


@require_safe
@conditional(_presence_tag, of=_cache_control)
def hall_of_fame(request):
    """
    Current members by track, lifetime members and alumni, the first few of each with a link to
    all of it (``?section=``, ``?page=``); filter with ``?track=`` and ``?year=``.
    """
    try:
        track, year = _filters(request)
        section, number = _view(request)
        context = api.hall_of_fame_page(track_slug=track, year=year, section=section, page=number)
    except ValidationError as exc:
        return page(request, "openedx_distinguished/hall_of_fame.html", {
            **api.hall_of_fame_page(), "filter_errors": exc.errors}, status=400, section="hall-of-fame")
    context, template = HallOfFameRenderStarted.run_filter(
        context=context, template_name="openedx_distinguished/hall_of_fame.html")
    return page(request, template, context, section="hall-of-fame")


@require_safe
def member(request, slug):
    """A listed member's page: terms, badges, public activities and initiatives."""
    try:
        details = api.member_page(slug=slug)
    except NotFound as exc:
        raise Http404("No such member.") from exc
    return page(request, "openedx_distinguished/member.html", details, section="hall-of-fame",
                breadcrumbs=((_("Hall of fame"), reverse("openedx_distinguished:pages:hall-of-fame")),))


@require_safe
@conditional(lambda request: freshness.etag(freshness.presence_version(), request.META.get("QUERY_STRING", "")),
             f"public, max-age={freshness.PRESENCE_SECONDS}")
def feed(request):
    """The hall of fame as JSON, for a marketing site (cacheable; any origin may read it)."""
    try:
        track, year = _filters(request)
    except ValidationError as exc:
        return JsonResponse(exc.errors, status=400)
    data = api.hall_of_fame(track_slug=track, year=year)
    response = JsonResponse({"tracks": [{"slug": s, "name": n} for s, n in data["tracks"]],
                             "current": data["sections"]["current"], "lifetime": data["sections"]["lifetime"],
                             "alumni": data["sections"]["alumni"]})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _announcement_tag(request, **kwargs):
    """The ETag of an announcement page or the feed: the public lists' version, the path and who asks."""
    return freshness.etag(freshness.presence_version(), request.path,
                          request.user.pk if request.user.is_authenticated else "anonymous")


@require_safe
@conditional(_announcement_tag, of=_cache_control)
def announcement(request, year):
    """
    A cycle's announcement, once released: its new members by track with badge, citation and links
    (those who chose to be listed). Before the release there is nothing here: 404.
    """
    try:
        details = api.announcement(cycle_year=year)
    except NotFound as exc:
        raise Http404("No released announcement for this year.") from exc
    return page(request, "openedx_distinguished/announcement.html", {
        "announcement": details, "feed_url": reverse("openedx_distinguished:pages:announcements-feed"),
    }, section="hall-of-fame", breadcrumbs=((_("Hall of fame"), reverse("openedx_distinguished:pages:hall-of-fame")),))


@require_safe
@conditional(_announcement_tag, f"public, max-age={freshness.PRESENCE_SECONDS}")
def announcements_feed(request):
    """The released announcements as an Atom feed, newest first, for the website and the blog."""
    body = api.announcements_atom(feed_url=request.build_absolute_uri())
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


def _kit_tag(request, **kwargs):
    """The ETag of a download of the announcement kit: the public lists' version, the path and the language."""
    return freshness.etag(freshness.presence_version(), request.path, get_language())


# The kit's downloads: what each is, its media type and file name.
KIT = {
    "html": ("text/html; charset=utf-8", "newsletter-{year}.html"),
    "md": ("text/markdown; charset=utf-8", "newsletter-{year}.md"),
    "pdf": ("application/pdf", "distinguished-contributors-{year}.pdf"),
}


@require_safe
@conditional(_kit_tag, f"public, max-age={freshness.PRESENCE_SECONDS}")
def announcement_kit(request, year, fmt):
    """
    A download of a released announcement's kit: the newsletter in HTML (``html``) or Markdown
    (``md``), or the conference slides (``pdf``). Like the page, nothing before the release.
    """
    if fmt not in KIT:
        raise Http404("The kit has html, md and pdf.")
    try:
        if fmt == "pdf":
            body = api.announcement_slides(cycle_year=year)
        else:
            body = api.announcement_newsletter(cycle_year=year, fmt="markdown" if fmt == "md" else "html")
    except NotFound as exc:
        raise Http404("No released announcement for this year.") from exc
    content_type, name = KIT[fmt]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name.format(year=year)}"'
    return response
