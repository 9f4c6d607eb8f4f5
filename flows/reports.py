"""The run's artifacts, published at the flow run (not at a task) so the run page shows them.

Orchestration only: what they say is `output/reports.py`.
"""

from __future__ import annotations

from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from output import reports
from output.store import OutputStore
from transform.catalog import Catalog
from transform.plan import Replay


def publish_reports(store: OutputStore, catalog: Catalog, replays: list[Replay], run_id: str, source: str) -> None:
    """A table of the catalog per locale, the run's changes (or a baseline's summary), and the output's link.

    Nothing when no locale had a new commit: the artifacts of the last run that had one still hold.
    """
    if not replays:
        return
    key = lambda what: reports.artifact_key(store.uri, what)  # noqa: E731
    changes = reports.run_changes(catalog.changes, run_id)
    quiet = [r.plan.locale for r in replays if r.plan.quiet]
    if quiet:
        fresh = any(r.plan.fresh for r in replays)
        title = "Model catalog built from the history" if fresh else "Model catalog baseline"
        markdown = reports.replay_summary_markdown(changes, catalog.models, quiet, title=title)
    else:
        markdown = reports.changes_markdown(
            changes, catalog.models, reports.commit_link(source), title="Model catalog changes"
        )
    markdown += reports.lag_markdown(catalog.lag)
    create_markdown_artifact(markdown, key=key("changes"), description=f"What this run recorded in {store.uri}")
    for locale in catalog.state.locales:
        create_table_artifact(
            reports.catalog_rows(catalog.models, locale),
            key=key(f"models-{locale}"),
            description=f"Box AI models ({locale}) in {store.uri}",
        )
    create_link_artifact(
        store.uri if "://" in store.uri else f"file://{store.uri}",
        link_text=store.uri,
        key=key("output"),
        description="Where the catalog's Parquet and JSON files are",
    )
