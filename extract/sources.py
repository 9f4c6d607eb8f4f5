"""Where the docs live: locales, branches, folders, and how a source is named safely.

The source string comes from a user or a schedule; it is checked before git sees it
and its credentials never leave this module unredacted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SOURCE = "https://github.com/box/developer.box.com.git"


@dataclass(frozen=True)
class LocaleStream:
    """One locale's branch and the folders that locate its cards."""

    locale: str
    branch: str
    guides_root: str
    cards_folder: str


LOCALES: dict[str, LocaleStream] = {
    "en": LocaleStream("en", "main", "content/guides/", "content/guides/box-ai/ai-models/"),
    "ja": LocaleStream("ja", "jp", "guides/", "guides/box-ai/ai-models/"),
}


class SourceError(Exception):
    """A source that cannot be used; its message is one line meant for the user."""


_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CREDENTIAL_IN_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


def redact(text: str) -> str:
    """Replace any `user:secret@` part of URLs in text with `***@`."""
    return _CREDENTIAL_IN_URL.sub(r"\g<scheme>***@", text)


def check_source(source: str) -> str:
    """Return the source as git should get it, or refuse it before git runs.

    Only https, ssh (URL or scp-like), file:// URLs, local paths and bundle files are
    accepted: transport helpers such as `ext::` run commands, and a leading dash would be
    read as an option.
    """
    text = source.strip()
    if not text:
        raise SourceError("source is empty")
    if text.startswith("-"):
        raise SourceError(f"source {redact(text)!r} looks like an option, not a repository")
    if any(ch in text for ch in "\n\r\0"):
        raise SourceError("source contains control characters")
    if "::" in text.split("/", 1)[0]:
        raise SourceError(f"source {redact(text)!r} uses a git transport helper, which is not allowed")
    if _URL.match(text):
        scheme = urlsplit(text).scheme.lower()
        if scheme not in ("https", "ssh", "file"):
            raise SourceError(f"source scheme {scheme!r} is not allowed (use https, ssh, file or a local path)")
        if scheme == "file":
            path = Path(urlsplit(text).path)
            if not path.exists():
                raise SourceError(f"source {redact(text)!r} does not exist")
        return text
    if _SCP_LIKE.match(text):
        return text
    path = Path(text).expanduser()
    if not path.exists():
        raise SourceError(f"source {text!r} is neither a reachable URL nor an existing path")
    return str(path.resolve())


def public_source(source: str) -> str:
    """The source as it may be written to state, logs and alerts."""
    if _URL.match(source):
        parts = urlsplit(source)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    return redact(source)
