"""Where the docs live: locales, branches, folders, and how a source is named safely.

The source string comes from a user or a schedule; it is checked before git sees it.
A credential in it is split off by the caller (the CLI) and reaches git only through the
environment, so no URL that git, Prefect, a log or an output file sees ever carries one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

DEFAULT_SOURCE = "https://github.com/box/developer.box.com.git"

# Read by git itself (through the credential helper in extract/git_source.py), never by Python.
TOKEN_ENV = "MODEL_CATALOG_GIT_TOKEN"
USER_ENV = "MODEL_CATALOG_GIT_USER"
ALLOWED_SCHEMES = ("https", "ssh", "file")


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


@dataclass(frozen=True)
class Credential:
    """The user and token an https source carried; its repr never shows them."""

    username: str | None
    secret: str

    def __repr__(self) -> str:
        return "Credential(***)"

    def values(self) -> tuple[str, ...]:
        """Everything a log line must not show."""
        return tuple(v for v in (self.secret, self.username) if v)


# git's own rule for `<helper>::<address>`, plus anything else before a first `/` holding `::`.
_HELPER = re.compile(r"^[^/]*::")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP_LIKE = re.compile(r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>\S+)$")
_HOST = re.compile(r"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*)|\[[0-9A-Fa-f:.]+\])$")
_CREDENTIAL_IN_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace any `user:secret@` part of URLs in text, and each known secret, with `***`."""
    text = _CREDENTIAL_IN_URL.sub(r"\g<scheme>***@", text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _is_invisible(ch: str) -> bool:
    """Control, format (zero-width, bidi) and unassigned characters: nothing a repository name needs."""
    return unicodedata.category(ch)[0] == "C"


def _split(text: str) -> SplitResult | None:
    """urlsplit, or None where it refuses the URL (e.g. `[...]` that is not an IP address)."""
    try:
        return urlsplit(text)
    except ValueError:
        return None


def split_credential(source: str) -> tuple[str, Credential | None]:
    """`https://user:token@host/x` -> (`https://host/x`, the credential); anything else unchanged.

    A user without a password (`https://TOKEN@host/x`) is read as the token, as GitHub and
    GitLab accept it. An ssh URL keeps its user (it is a login, not a secret) but loses a password.
    """
    text = source.strip()
    parts = _split(text) if _URL.match(text) else None
    if parts is None:
        return source, None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return source, None
    user, colon, password = userinfo.partition(":")
    user, password = unquote(user), unquote(password)
    scheme = parts.scheme.lower()
    if scheme == "ssh":
        netloc = f"{userinfo.partition(':')[0]}@{hostport}" if user else hostport
        return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment)), None
    public = urlunsplit((scheme, hostport, parts.path, parts.query, parts.fragment))
    if colon and password:
        return public, Credential(user or None, password)
    if user:
        return public, Credential(None, user)
    return public, None


def carries_secret(source: str) -> bool:
    """True when a URL holds a password, or any user part at all over https (it may be a token)."""
    text = source.strip()
    parts = _split(text) if _URL.match(text) else None
    if parts is None:
        return bool(_CREDENTIAL_IN_URL.match(text))
    userinfo, at, _ = parts.netloc.rpartition("@")
    if parts.scheme.lower() == "ssh":
        return ":" in userinfo
    return bool(at)


def _refuse(text: str, reason: str) -> SourceError:
    return SourceError(f"source {redact(text)!r} {reason}")


def _check_url(text: str) -> str:
    parts = _split(text)
    if parts is None:
        raise _refuse(text, "is not a valid URL (a host in [] must be an IP address)")
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise SourceError(f"source scheme {scheme!r} is not allowed (use https, ssh, file or a local path)")
    if any(ch.isspace() for ch in text):
        raise _refuse(text, "contains whitespace, which no repository URL has")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise _refuse(text, "has a port that is not a number") from None
    if carries_secret(text):
        raise _refuse(text, f"carries a credential; give it in ${TOKEN_ENV} instead (the CLI does this for you)")
    userinfo = parts.netloc.rpartition("@")[0]
    if scheme in ("https", "ssh"):
        host = parts.netloc.rpartition("@")[2]
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not _HOST.match(host):
            raise _refuse(text, "has no valid host name (a host cannot start with '-')")
        if userinfo.startswith("-"):
            raise _refuse(text, "has a user name that looks like an option")
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise _refuse(text, "names a host; a file:// URL must be local (file:///path)")
        if not Path(unquote(parts.path)).exists():
            raise _refuse(text, "does not exist")
    return scheme + text[len(scheme) :]


def check_source(source: str) -> str:
    """Return the source as git should get it, or refuse it before git runs.

    Only https, ssh (URL or scp-like), file:// URLs, local paths and bundle files are
    accepted: transport helpers such as `ext::` run commands, a leading dash would be read
    as an option (by git, or by ssh through a host or user name), and a credential belongs
    in the environment, not in a URL that Prefect and the logs would keep.
    """
    text = source.strip()
    if not text:
        raise SourceError("source is empty")
    if any(_is_invisible(ch) for ch in text):
        raise SourceError("source contains control or invisible characters")
    if text.startswith("-"):
        raise _refuse(text, "looks like an option, not a repository")
    if _HELPER.match(text):
        raise _refuse(text, "uses a git transport helper, which is not allowed")
    if _URL.match(text):
        return _check_url(text)
    scp = _SCP_LIKE.match(text)
    if scp:
        if scp["host"].startswith("-") or scp["path"].startswith("-"):
            raise _refuse(text, "has a host or path that looks like an option")
        return text
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # `~name` of a user that does not exist
        path = Path(text)
    if not path.exists():
        raise _refuse(text, "is neither a reachable URL nor an existing path")
    return str(path.resolve())


def public_source(source: str) -> str:
    """The source as it may be written to state, logs and alerts: no password, no token."""
    public, _ = split_credential(source)
    parts = _split(public) if _URL.match(public) else None
    if parts is None:
        return redact(source)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
