"""`model-catalog`: the command line. Prefect is imported only by commands that run a flow."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extract.sources import (
    DEFAULT_SOURCE,
    LOCALES,
    TOKEN_ENV,
    USER_ENV,
    SourceError,
    check_source,
    redact,
    split_credential,
)

PROG = "model-catalog"
STARTUP_TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
STARTUP_TIMEOUT_S = 180
KEEP_VERSIONS = 10  # output.store.KEEP_VERSIONS, without importing PyArrow for --help
WEBHOOK_ENV = "MODEL_CATALOG_ALERT_WEBHOOK"


def _since(text: str) -> datetime:
    try:
        return (
            datetime.fromisoformat(text).replace(tzinfo=UTC)
            if "T" not in text and "+" not in text
            else datetime.fromisoformat(text).astimezone(UTC)
        )
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        default=DEFAULT_SOURCE,
        help=f"docs repository: https or ssh URL, file:// URL, local path or git bundle (default: {DEFAULT_SOURCE}); "
        f"a token goes in ${TOKEN_ENV}",
    )
    parser.add_argument(
        "--out",
        default="catalog",
        help="output folder, or object storage: s3://bucket/prefix, gs://bucket/prefix, az://container/prefix "
        "(default: ./catalog)",
    )
    parser.add_argument(
        "--locale",
        action="append",
        choices=sorted(LOCALES),
        dest="locales",
        help="locale to read; repeat for several (default: en and ja)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where cached clones live (default: $XDG_CACHE_HOME/model-catalog or ~/.cache/model-catalog)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="how long to wait for another run writing the same output folder (default: 0, refuse)",
    )
    parser.add_argument(
        "--keep-versions",
        type=_positive_int,
        default=KEEP_VERSIONS,
        metavar="N",
        help=f"published versions of the catalog to keep, the current one included (default: {KEEP_VERSIONS})",
    )
    parser.add_argument(
        "--storage-block",
        default=None,
        metavar="NAME",
        help="Prefect AwsCredentials block (prefect-aws) with the bucket's credentials "
        "(default: the standard AWS chain: environment, profile, instance role)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (0 or more)")
    return value


def _cron(text: str) -> str:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        return CronSchedule(cron=text).cron
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a cron schedule (e.g. "0 6 * * *")') from None


def _add_alert_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--alert-webhook",
        metavar="URL",
        default=None,
        help=f"POST change alerts to this URL, e.g. a Slack incoming webhook (default: ${WEBHOOK_ENV}, else none)",
    )
    parser.add_argument(
        "--alert-on",
        action="append",
        metavar="CHANGE",
        default=None,
        help="a change that alerts: added, removed, modified (any field) or a field name; repeat for several "
        "(default: added, removed, availability, deprecated_on, tier, api_name)",
    )
    parser.add_argument(
        "--alert-baseline",
        action="store_true",
        help="also send the alerts of a baseline (first run on an empty output folder) or a backfill",
    )
    parser.add_argument(
        "--alert-lag-days",
        type=_days,
        default=None,
        metavar="N",
        help="alert once on each translation lag (ja behind en or the reverse) open longer than N days (default: off)",
    )
    parser.add_argument(
        "--notify",
        action="append",
        metavar="BLOCK",
        default=None,
        help="also send the alerts through this saved Prefect notification block (Slack, Teams, email, custom "
        "webhook, ...), as TYPE/NAME or NAME; repeat for several",
    )
    parser.add_argument(
        "--fail-on-undelivered",
        action="store_true",
        help="exit 3 when an alert could not be delivered (it stays pending for the next run)",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    loud.add_argument("-v", "--verbose", action="store_true", help="log debug lines too, Prefect's included")
    parser.add_argument("--json", action="store_true", help="print the run's summary as JSON on stdout, for scripts")


EXIT_CODES = """exit codes:
  0  the catalog is up to date (alerts that could not be delivered stay pending)
  1  the run failed; the previous outputs are untouched
  2  bad arguments or configuration (source, webhook, alert options)
  3  with --fail-on-undelivered: the catalog is up to date, but alerts stayed undelivered"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PROG)
    except PackageNotFoundError:
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked for: reading package metadata scans site-packages on every run."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Build a typed catalog of Box AI models from the docs.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help="show program's version number and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="update the catalog with the commits since the last run")
    _add_run_options(run)
    _add_alert_options(run)
    _add_output_options(run)
    backfill = commands.add_parser("backfill", help="rebuild the catalog and its change history from all commits")
    _add_run_options(backfill)
    _add_alert_options(backfill)
    _add_output_options(backfill)
    backfill.add_argument(
        "--since", type=_since, default=None, metavar="DATE", help="start the history at this date (YYYY-MM-DD, UTC)"
    )
    serve = commands.add_parser("serve", help="serve `run` as a Prefect deployment on a schedule until stopped")
    _add_run_options(serve)
    _add_alert_options(serve)
    _add_output_options(serve)
    schedule = serve.add_mutually_exclusive_group()
    schedule.add_argument(
        "--cron", type=_cron, default=None, help='cron schedule of the runs, in UTC (default: "0 6 * * *")'
    )
    schedule.add_argument(
        "--interval", type=_positive_seconds, default=None, metavar="SECONDS", help="run every SECONDS instead of cron"
    )
    return parser


class _ExpectedErrorsWithoutTraceback(logging.Filter):
    """Expected failures (bad source, unwritable output) are one line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], expected_errors()):
            record.exc_info = None
            record.exc_text = None
        elif record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), _secrets())
        record.msg = redact(record.getMessage(), _secrets())
        record.args = ()
        return True


class _TaskRunsDoneQuietly(logging.Filter):
    """A task that completed says nothing: one useful line per step, not two (`-v` shows them all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name == "prefect.task_runs"
            and record.levelno == logging.INFO
            and str(record.msg).startswith("Finished in state Completed")
        )


def _secrets() -> tuple[str, ...]:
    """The token a log line or error must never show, wherever it came from."""
    return tuple(v for v in (os.environ.get(TOKEN_ENV),) if v)


def _take_credential(source: str) -> str:
    """Move a token out of the source URL into the environment, where only git reads it."""
    public, credential = split_credential(source)
    if credential is not None:
        os.environ[TOKEN_ENV] = credential.secret
        if credential.username:
            os.environ[USER_ENV] = credential.username
        else:
            os.environ.pop(USER_ENV, None)
    return public


def expected_errors() -> tuple[type[BaseException], ...]:
    """The failures a user can act on. Imported when first asked for: a run asks only once one is
    raised, so their modules load inside the flow, if at all (see flows/catalog.py)."""
    from output.filesystems import OutputError
    from transform.alerts import AlertConfigError
    from transform.plan import PlanError

    return (SourceError, OutputError, AlertConfigError, PlanError)


def _quiet_expected_errors(*, verbose: bool = False) -> None:
    filters: list[logging.Filter] = [_ExpectedErrorsWithoutTraceback()]
    if not verbose:
        filters.append(_TaskRunsDoneQuietly())
    for name in ("", "prefect", "prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            for flt in filters:
                handler.addFilter(flt)


def _absolute(out: str) -> str:
    """A served deployment runs elsewhere: a local folder is made absolute, a URI stays as it is."""
    return out if "://" in out else str(Path(out).resolve())


def console() -> int:
    """The `model-catalog` command: `main` in a process of its own."""
    return main(frozen_heap=True)


def main(argv: list[str] | None = None, *, frozen_heap: bool = False) -> int:
    args = build_parser().parse_args(argv)
    try:
        source = check_source(_take_credential(args.source))
    except SourceError as exc:
        print(f"{PROG}: error: {redact(str(exc), _secrets())}", file=sys.stderr)
        return 2
    from transform.alerts import DEFAULT_ALERT_ON, AlertConfigError, alert_rule

    webhook = args.alert_webhook or os.environ.get(WEBHOOK_ENV) or None
    try:
        if webhook:
            from output.webhook import check_webhook

            webhook = check_webhook(webhook)
        alert_rule(args.alert_on)
    except AlertConfigError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network but the source
    if args.quiet or args.verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING" if args.quiet else "DEBUG"
    if args.command == "serve" and not os.environ.get("PREFECT_API_URL"):
        print(
            f"{PROG}: error: serve needs a Prefect server to schedule runs on: start one (`prefect server start`) "
            "and set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)",
            file=sys.stderr,
        )
        return 2
    # Prefect gives its temporary server 20 s to start, which a loaded machine misses.
    os.environ.setdefault(STARTUP_TIMEOUT_ENV, str(STARTUP_TIMEOUT_S))
    from pydantic import SecretStr

    from flows.catalog import catalog_flow, default_cache_dir

    if args.command == "backfill":
        # A backfill always syncs, parses and replays. Its modules load here, before the flow, where
        # they cost what they cost; inside it they would push its work past Prefect's next heartbeat
        # tick, which rounds a flow up to a whole second (README, Performance).
        import extract.card_folder  # noqa: F401
        import flows.alerts
        import flows.reports
        import flows.tasks  # noqa: F401
        import transform.history  # noqa: F401

    if frozen_heap:
        # What is imported by now (Prefect, pydantic, ...) lives as long as the process: frozen, the
        # run's collections and the one at exit do not rescan it (~0.2 s a run; bench/ shows it on an
        # empty flow too). Only for a process of our own: an in-process caller keeps its collector as is.
        gc.freeze()
    _quiet_expected_errors(verbose=args.verbose)
    # Resolved here, so Prefect's Parameters tab shows the values the run used.
    locales = list(dict.fromkeys(args.locales or LOCALES))
    alert_on = list(dict.fromkeys(args.alert_on or DEFAULT_ALERT_ON))
    notify = list(dict.fromkeys(args.notify or ()))
    cache_dir = str((args.cache_dir or default_cache_dir()).resolve())
    if args.command == "serve":
        from flows.serve import ServeError, serve_catalog

        parameters = {
            "source": source,
            "out": _absolute(args.out),
            "locales": locales,
            "cache_dir": cache_dir,
            "lock_wait_s": args.wait,
            "alert_on": alert_on,
            "alert_baseline": args.alert_baseline,
            "alert_lag_days": args.alert_lag_days,
            "notify": notify,
            "keep_versions": args.keep_versions,
            "storage_block": args.storage_block,
        }
        try:
            serve_catalog(parameters, cron=args.cron, interval=args.interval, webhook=webhook)
        except ServeError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 1
        return 0
    try:
        summary = catalog_flow(
            source=source,
            out=args.out,
            locales=locales,
            cache_dir=cache_dir,
            mode=args.command,
            since=getattr(args, "since", None),
            lock_wait_s=args.wait,
            alert_webhook=SecretStr(webhook) if webhook else None,
            alert_on=alert_on,
            alert_baseline=args.alert_baseline,
            alert_lag_days=args.alert_lag_days,
            notify=notify,
            keep_versions=args.keep_versions,
            storage_block=args.storage_block,
        )
    except expected_errors() as exc:
        print(f"{PROG}: error: {redact(str(exc), _secrets())}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        if str(exc).startswith("Failed to reach API at"):
            url = redact(str(exc).removeprefix("Failed to reach API at").strip())
            print(f"{PROG}: error: cannot reach the Prefect API at {url}; is the server running?", file=sys.stderr)
            return 1
        if "ephemeral Prefect API server" not in str(exc):
            raise
        waited = os.environ.get(STARTUP_TIMEOUT_ENV)
        print(
            f"{PROG}: error: Prefect's temporary server did not start within {waited} s (is the machine busy?); "
            f"raise {STARTUP_TIMEOUT_ENV} or point PREFECT_API_URL at a running server",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(summary, default=str, ensure_ascii=False))
    return 3 if args.fail_on_undelivered and summary["undelivered"] else 0


if __name__ == "__main__":
    sys.exit(console())
