"""
Versions of what the public documents are made from, kept in the site's cache (shared by every LMS
process), so that a conditional GET is answered ``304 Not Modified`` without reading the database
or rendering anything (ADR 0018).

* ``KEYS``: the signing keys (JWKS, DID document). Changed when a key is added or retired.
* ``BADGES``: the credentials and what they are made of (status list, credential documents,
  assertions, baked images, achievements). Changed by issuance, re-issue, revocation,
  retirement, a new key, and edits to tracks.
* ``ARTWORK``: the tracks' badge artwork. Changed by edits to tracks (where staff upload it). Pages
  link to the artwork with ``artwork_version()`` in its URL, which also names the plugin's release
  (the artwork it ships), so that the artwork at such a URL never changes and may be cached for good.
* ``PRESENCE``: the public lists of members (hall of fame, feed). Changed by what the plugin does to
  terms, credentials, listings, tracks and organizations; its ETag also changes every
  ``PRESENCE_SECONDS``, so that what no signal tells (a name changed in the LMS profile) shows
  within that time, the documents' ``max-age``.

A change is published at once and again when its transaction commits. An evicted version is made
anew: clients then get a full response once, never a stale ``304``.
"""
from __future__ import annotations

import time
import uuid

from django.core.cache import cache
from django.db import transaction

from openedx_distinguished import __version__

KEYS, BADGES, ARTWORK, PRESENCE = "keys", "badges", "artwork", "presence"
PRESENCE_SECONDS = 300


_KEYS: dict = {}


def _key(name: str) -> str:
    """The cache key of a version (short: a cache checks every character of a key on every read)."""
    key = _KEYS.get(name)
    if key is None:
        key = _KEYS[name] = f"od:v:{name}"
    return key


def version(name: str) -> str:
    """The current version of ``name`` (a new one is made if the cache has none)."""
    current = cache.get(_key(name))
    if current is None:
        cache.add(_key(name), uuid.uuid4().hex, timeout=None)
        current = cache.get(_key(name)) or uuid.uuid4().hex  # no cache at all: never a 304
    return current


def changed(*names: str) -> None:
    """
    Publish new versions of ``names`` now, and again when the current transaction commits: what a
    process caches in between (from the database as it was before the commit) is then dropped as
    well. A transaction that rolls back has only cost a full response once.
    """
    def publish() -> None:
        cache.set_many({_key(name): uuid.uuid4().hex for name in names}, timeout=None)
    publish()
    transaction.on_commit(publish)


def etag(*parts: object) -> str:
    """A strong ETag of ``parts`` (versions, ids, the representation chosen)."""
    return '"' + "-".join(str(part) for part in parts) + '"'


def artwork_version() -> str:
    """What the URL of badge artwork carries: ``ARTWORK`` and the plugin's release."""
    return f"{version(ARTWORK)[:12]}.{__version__}"


def presence_version() -> str:
    """The version of the public lists: ``PRESENCE``, and the current ``PRESENCE_SECONDS`` window."""
    return f"{version(PRESENCE)}.{int(time.time()) // PRESENCE_SECONDS}"
