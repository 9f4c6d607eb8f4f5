"""Which sources reach git, in what form, and the guards at the git edge behind `check_source`."""

from __future__ import annotations

import base64
import contextlib
import datetime
import ipaddress
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import git
import pytest
from git.exc import GitCommandError, UnsafeProtocolError
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from extract import git_source
from extract.git_errors import is_transient
from extract.sources import (
    TOKEN_ENV,
    USER_ENV,
    Credential,
    SourceError,
    carries_secret,
    check_source,
    public_source,
    redact,
    split_credential,
)
from tests.docs_repo import make_docs_repo, seed_two_models

SECRET = "SECRETtok3n9x7Q"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ext::sh -c touch% /tmp/pwned", "transport helper"),
        ("EXT::sh -c id", "transport helper"),
        ("fd::3", "transport helper"),
        ("file::/tmp/docs", "transport helper"),
        ("::/tmp/docs", "transport helper"),
        ("  ext::sh", "transport helper"),
        ("\u3000ext::sh", "transport helper"),  # ideographic space is stripped too
        ("ext://sh", "scheme 'ext' is not allowed"),
        ("EXT://sh", "scheme 'ext' is not allowed"),
        ("http://example.com/docs.git", "scheme 'http' is not allowed"),
        ("git://example.com/docs.git", "scheme 'git' is not allowed"),
        ("ftp://example.com/docs.git", "scheme 'ftp' is not allowed"),
        ("--upload-pack=touch /tmp/pwned", "looks like an option"),
        ("-u touch /tmp/pwned", "looks like an option"),
        ("  -", "looks like an option"),
        ("\t--upload-pack=x", "looks like an option"),
        ("\u00a0--upload-pack=x", "looks like an option"),  # a no-break space is whitespace to strip()
        ("\u200b--upload-pack=x", "invisible"),  # a zero-width space is not, so it is refused outright
        ("https://example.com/docs\u202e.git", "invisible"),  # bidi override
        ("https://example.com/\x1b[31mdocs.git", "invisible"),
        ("/tmp/docs\n--upload-pack=x", "invisible"),
        ("ssh://-oProxyCommand=touch%20/tmp/pwned/docs.git", "host"),
        ("ssh://[-oProxyCommand=x]/docs.git", "not a valid URL"),
        ("ssh://-oProxyCommand=x@example.com/docs.git", "user name that looks like an option"),
        ("https://-example.com/docs.git", "host"),
        ("https:///docs.git", "host"),
        ("ssh://example.com:-22/docs.git", "port"),
        ("https://example.com:notaport/docs.git", "port"),
        ("https://exa mple.com/docs.git", "whitespace"),
        ("https://example.com/docs.git --upload-pack=x", "whitespace"),
        ("git@-oProxyCommand:docs.git", "looks like an option"),
        ("git@example.com:-docs.git", "looks like an option"),
        ("file://evil.example.com/tmp", "must be local"),
        ("file:///no/such/docs.git", "does not exist"),
        ("/no/such/docs.git", "neither a reachable URL nor an existing path"),
        ("~nosuchuser0/docs.git", "neither a reachable URL nor an existing path"),
        (f"https://user:{SECRET}@example.com/docs.git", "carries a credential"),
        (f"https://{SECRET}@example.com/docs.git", "carries a credential"),
        (f"ssh://git:{SECRET}@example.com/docs.git", "carries a credential"),
    ],
)
def test_refused_sources(source, message):
    with pytest.raises(SourceError, match=message) as info:
        check_source(source)
    assert SECRET not in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://github.com/box/developer.box.com.git", "https://github.com/box/developer.box.com.git"),
        ("HTTPS://github.com/box/developer.box.com.git", "https://github.com/box/developer.box.com.git"),
        ("  https://example.com:8443/docs.git\n", "https://example.com:8443/docs.git"),
        ("https://[::1]:8443/docs.git", "https://[::1]:8443/docs.git"),
        ("ssh://git@github.com/box/developer.box.com.git", "ssh://git@github.com/box/developer.box.com.git"),
        ("ssh://github.com:2222/box/docs.git", "ssh://github.com:2222/box/docs.git"),
        ("git@github.com:box/developer.box.com.git", "git@github.com:box/developer.box.com.git"),
    ],
)
def test_accepted_urls_reach_git_as_written(source, expected):
    assert check_source(source) == expected


def test_local_paths_become_absolute_so_git_never_reads_them_as_options(tmp_path, monkeypatch):
    (tmp_path / "docs repo").mkdir()
    (tmp_path / "-docs").mkdir()
    monkeypatch.chdir(tmp_path)
    assert check_source("docs repo") == str(tmp_path / "docs repo")
    assert check_source("./-docs") == str(tmp_path / "-docs")
    assert check_source(f"file://{tmp_path}/docs%20repo") == f"file://{tmp_path}/docs%20repo"


@pytest.mark.parametrize(
    ("source", "public", "credential"),
    [
        (f"https://user:{SECRET}@example.com/docs.git", "https://example.com/docs.git", Credential("user", SECRET)),
        (f"https://{SECRET}@example.com/docs.git", "https://example.com/docs.git", Credential(None, SECRET)),
        (f"https://u%40corp:{SECRET}%21@example.com:8443/d.git", "https://example.com:8443/d.git",
         Credential("u@corp", SECRET + "!")),
        (f"HTTPS://user:{SECRET}@example.com/docs.git", "https://example.com/docs.git", Credential("user", SECRET)),
        (f"http://user:{SECRET}@example.com/docs.git", "http://example.com/docs.git", Credential("user", SECRET)),
        (f"ssh://git:{SECRET}@example.com/docs.git", "ssh://git@example.com/docs.git", None),
        ("ssh://git@example.com/docs.git", "ssh://git@example.com/docs.git", None),
        ("https://example.com/docs.git", "https://example.com/docs.git", None),
        ("git@example.com:docs.git", "git@example.com:docs.git", None),
        ("/srv/docs.git", "/srv/docs.git", None),
    ],
)  # fmt: skip
def test_split_credential(source, public, credential):
    assert split_credential(source) == (public, credential)
    assert SECRET not in repr(credential)


@pytest.mark.parametrize(
    ("source", "expected", "secret"),
    [
        (f"https://user:{SECRET}@example.com/docs.git?x=1#y", "https://example.com/docs.git", True),
        (f"ssh://git:{SECRET}@example.com/docs.git", "ssh://git@example.com/docs.git", True),
        (f"https://user:{SECRET}@example.com:notaport/docs.git", "https://example.com:notaport/docs.git", True),
        ("ssh://git@example.com/docs.git", "ssh://git@example.com/docs.git", False),
        ("https://example.com/docs.git", "https://example.com/docs.git", False),
        ("git@example.com:docs.git", "git@example.com:docs.git", False),
    ],
)
def test_public_source_never_carries_a_secret_and_never_raises(source, expected, secret):
    assert public_source(source) == expected
    assert carries_secret(source) is secret


def test_redact_hides_url_credentials_and_known_secrets():
    text = f"cannot read https://user:{SECRET}@example.com/x: token {SECRET} refused"
    assert redact(text) == f"cannot read https://***@example.com/x: token {SECRET} refused"
    assert SECRET not in redact(text, [SECRET, ""])


def test_cache_path_does_not_depend_on_the_token(tmp_path):
    paths = {
        git_source.cache_path(tmp_path, public_source(source))
        for source in (
            "https://example.com/docs.git",
            f"https://user:{SECRET}@example.com/docs.git",
            "https://other:another-token@example.com/docs.git",
        )
    }
    assert len(paths) == 1


SECRETS = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789_", min_size=12, max_size=40)


@settings(max_examples=200)
@given(
    user=st.text(alphabet="abcdefghijklmnopqrstuvwxyz.-", max_size=8),
    secret=SECRETS,
    path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz/._-", max_size=20),
)
def test_no_secret_survives_public_source_or_redact(user, secret, path):
    source = f"https://{user}:{secret}@example.com/{path}"
    assert secret not in public_source(source)
    assert secret not in redact(source)
    public, credential = split_credential(source)
    assert secret not in public
    assert credential is not None and credential.secret == secret


TRICKY = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda pad, prefix, rest: pad + prefix + rest,
        st.sampled_from(["", " ", "\t", "\u00a0", "\u3000", "\u200b", "\n"]),
        st.sampled_from(["ext::", "EXT::", "fd::", "file::", "-", "--upload-pack=", "ssh://-", "ssh://", "https://",
                         "file://", "git@", "git@-", "https://u:p@", "::", "ext://"]),
        st.text(max_size=30),
    ),
)  # fmt: skip


@settings(max_examples=300)
@given(source=TRICKY)
def test_check_source_refuses_or_returns_something_git_reads_safely(source):
    try:
        checked = check_source(source)
    except SourceError as exc:
        assert "\n" not in str(exc)
        return
    assert not checked.startswith("-")
    git.Git.check_unsafe_protocols(checked)  # GitPython's own test agrees
    assert checked.split("/", 1)[0].count("::") == 0
    assert not carries_secret(checked)
    assert checked == checked.strip()


# -- the git edge ------------------------------------------------------------------------------


def test_gitpython_guards_the_calls_that_take_the_source(tmp_path):
    """`ls_remote` (which gets the source itself) and `set_url`/`create_remote` (which store it) are guarded."""
    marker = tmp_path / "pwned"
    repo = git.Repo.init(tmp_path / "cache", bare=True)
    with pytest.raises(UnsafeProtocolError):
        repo.git.ls_remote("--", f"ext::sh -c touch% {marker}")
    with pytest.raises(UnsafeProtocolError):
        repo.create_remote("origin", f"ext::sh -c touch% {marker}")
    remote = repo.create_remote("origin", "/tmp")
    with pytest.raises(UnsafeProtocolError):
        remote.set_url(f"ext::sh -c touch% {marker}")
    assert not marker.exists()


def test_raw_fetches_are_unguarded_by_gitpython_but_git_refuses_helpers_under_our_env(tmp_path):
    """`repo.git.fetch(REMOTE)` reads the URL from config, which GitPython never checks; GIT_ALLOW_PROTOCOL does."""
    marker = tmp_path / "pwned"
    repo = git.Repo.init(tmp_path / "cache", bare=True)
    repo.git.config("remote.origin.url", f"ext::sh -c touch% {marker}")  # a tampered cache
    repo.git.update_environment(**git_source.GIT_ENV)
    with pytest.raises(GitCommandError, match="transport 'ext' not allowed"):
        repo.git.fetch("origin")
    assert not marker.exists()


@pytest.mark.parametrize(
    "source",
    ["ext::sh -c touch% {marker}", "--upload-pack=touch {marker}", "https://user:SECRET@example.com/docs.git"],
)
def test_sync_source_refuses_unsafe_sources_itself_before_git_runs(tmp_path, source):
    marker = tmp_path / "pwned"
    with pytest.raises(SourceError) as info:
        git_source.sync_source(source.format(marker=marker), tmp_path / "cache", ["main"])
    assert "SECRET" not in str(info.value)
    assert not (tmp_path / "cache").exists() and not marker.exists()


def test_a_tampered_remote_url_in_the_cache_is_reset_through_the_guarded_setter(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    cache = git_source.sync_source(str(repo.path), tmp_path / "cache", ["main", "jp"])
    marker = tmp_path / "pwned"
    subprocess.run(["git", "config", "remote.origin.url", f"ext::sh -c touch% {marker}"], cwd=cache.path, check=True)
    repo.write("en", "gamma-model-card.md", "# Gamma\n")
    repo.commit("en", "Add gamma", "2025-02-01T10:00:00+00:00")

    synced = git_source.sync_source(str(repo.path), tmp_path / "cache", ["main", "jp"])
    assert synced.path == cache.path
    assert git.Repo(cache.path).remote("origin").url == str(repo.path)
    assert git_source.branch_head(synced, "main").sha == repo.git("rev-parse", "main")
    assert not marker.exists()


# -- credentials reach git only through the environment ------------------------------------


@contextlib.contextmanager
def tls_git_server(tmp_path: Path) -> Iterator[tuple[HTTPServer, Path]]:
    """A real HTTPS server on 127.0.0.1 and the throwaway certificate to point GIT_SSL_CAINFO at."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        yield server, cert_path
    finally:
        server.clear()
        if server.is_running():
            server.stop()


@pytest.fixture
def tls_server(tmp_path):
    with tls_git_server(tmp_path) as server:
        yield server


def _challenge_then_record(seen: list[str]):
    from werkzeug import Response

    def handle(request):
        auth = request.headers.get("Authorization")
        if auth is None:
            return Response("", status=401, headers={"WWW-Authenticate": 'Basic realm="docs"'})
        seen.append(auth)
        return Response("no such repository", status=404)

    return handle


@pytest.mark.parametrize("user", ["alice", None])
def test_token_from_the_environment_reaches_the_server_and_nothing_else(tmp_path, monkeypatch, tls_server, user):
    server, cert = tls_server
    seen: list[str] = []
    server.expect_request("/docs.git/info/refs").respond_with_handler(_challenge_then_record(seen))
    trace = tmp_path / "git-trace.txt"
    monkeypatch.setenv("GIT_SSL_CAINFO", str(cert))
    monkeypatch.setenv("GIT_TRACE", str(trace))  # every command git runs, with its arguments
    monkeypatch.setenv(TOKEN_ENV, SECRET)
    if user:
        monkeypatch.setenv(USER_ENV, user)
    else:
        monkeypatch.delenv(USER_ENV, raising=False)
    source = check_source(server.url_for("/docs.git"))

    with pytest.raises(SourceError) as info:
        git_source.sync_source(source, tmp_path / "cache", ["main"])

    assert seen == ["Basic " + base64.b64encode(f"{user or 'x-access-token'}:{SECRET}".encode()).decode()]
    assert type(info.value) is SourceError  # a 404 after authenticating is not retried
    assert "not found" in str(info.value) and SECRET not in str(info.value)
    assert f"${TOKEN_ENV}" in trace.read_text()  # the helper ran, naming the variable...
    everything = b"".join(p.read_bytes() for p in Path(tmp_path).rglob("*") if p.is_file() and p != cert)
    assert SECRET.encode() not in everything  # ...yet no command line, config or file holds the token


def test_without_a_token_an_https_source_fails_at_once_instead_of_prompting(tmp_path, monkeypatch, tls_server):
    server, cert = tls_server
    seen: list[str] = []
    server.expect_request("/docs.git/info/refs").respond_with_handler(_challenge_then_record(seen))
    monkeypatch.setenv("GIT_SSL_CAINFO", str(cert))
    monkeypatch.delenv(TOKEN_ENV, raising=False)

    with pytest.raises(SourceError, match=r"cannot read 'https://127\.0\.0\.1:"):
        git_source.sync_source(check_source(server.url_for("/docs.git")), tmp_path / "cache", ["main"])
    assert seen == []


def test_only_failures_a_retry_can_fix_are_transient(tmp_path):
    """A vanished local source may come back (a share remounted); a directory that is no repository will not."""
    not_a_repo = tmp_path / "plain"
    not_a_repo.mkdir()
    with pytest.raises(SourceError) as info:
        git_source.sync_source(str(not_a_repo), tmp_path / "cache", ["main"])
    assert type(info.value) is SourceError
    assert (
        str(info.value) == f"cannot read '{not_a_repo}': fatal: '{not_a_repo}' does not appear to be a git repository"
    )

    not_a_repo.rmdir()
    with pytest.raises(git_source.TransientSyncError):
        git_source.sync_source(str(not_a_repo), tmp_path / "cache", ["main"])
    with pytest.raises(git_source.TransientSyncError, match="Failed to connect"):
        git_source.sync_source("https://127.0.0.1:9/docs.git", tmp_path / "cache", ["main"])


@pytest.mark.parametrize(
    ("stderr", "transient"),
    [
        ("fatal: unable to access 'https://docs.invalid/x.git/': Could not resolve host: docs.invalid", False),
        ("ssh: Could not resolve hostname docs.invalid: Temporary failure in name resolution", False),
        ("ssh: Could not resolve hostname docs.invalid: Name or service not known", False),
        ("fatal: repository 'https://example.com/x.git/' not found", False),
        ("fatal: unable to access 'https://example.com/x.git/': The requested URL returned error: 404", False),
        ("fatal: unable to access 'https://example.com/x.git/': The requested URL returned error: 403", False),
        ("fatal: Authentication failed for 'https://example.com/x.git/'", False),
        ("fatal: could not read Username for 'https://example.com': terminal prompts disabled", False),
        ("git@example.com: Permission denied (publickey).", False),
        ("Host key verification failed.", False),
        ("fatal: unable to access 'https://example.com/x.git/': The requested URL returned error: 429", True),
        ("fatal: unable to access 'https://example.com/x.git/': The requested URL returned error: 408", True),
        ("fatal: unable to access 'https://example.com/x.git/': The requested URL returned error: 503", True),
        ("fatal: unable to access 'https://127.0.0.1:9/x.git/': Failed to connect to 127.0.0.1 port 9", True),
        ("error: RPC failed; curl 28 Operation too slow. Less than 1000 bytes/sec transferred", True),
        ("fatal: the remote end hung up unexpectedly", True),
        ("fatal: early EOF", True),
        ("fatal: couldn't find remote ref refs/heads/main", False),
    ],
)
def test_the_one_transient_rule(stderr, transient):
    assert is_transient(stderr, "https://example.com/x.git") is transient


def test_a_host_that_resolves_nowhere_fails_at_once(tmp_path, monkeypatch):
    """`.invalid` never resolves (RFC 2606), so this needs no network; a retry would only wait."""
    events = tmp_path / "trace2.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(events))

    with pytest.raises(SourceError) as info:
        git_source.sync_source("https://docs.invalid/docs.git", tmp_path / "cache", ["main"])

    assert type(info.value) is SourceError
    assert str(info.value) == (
        "cannot read 'https://docs.invalid/docs.git': "
        "fatal: unable to access 'https://docs.invalid/docs.git/': Could not resolve host: docs.invalid"
    )
    assert events.read_text().count('"name":"ls-remote"') == 1  # asked once, nothing fetched
