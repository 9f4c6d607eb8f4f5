"""The run's summary counts the catalog's findings, inferred readings among them, with correct grammar."""

from __future__ import annotations

from transform.catalog import Catalog
from transform.summary import summarize
from transform.tables import ERROR, FINDINGS, finding, records_table


def catalog_with(*codes: tuple[str, str]) -> Catalog:
    rows = [finding(code, "m", locale="en", commit="c", card_id="x", path="p", severity=sev) for code, sev in codes]
    return Catalog(findings=records_table(rows, FINDINGS))


def test_inferred_readings_are_counted_among_the_catalogs_findings():
    catalog = catalog_with(
        ("pill-by-markup", "warning"),
        ("label-by-synonym", "warning"),
        ("unknown-pill", "warning"),
        ("normalize-failed", ERROR),
    )
    summary = summarize([], catalog, ["en"], "out", 0)
    assert (summary["findings"], summary["inferred"]) == (4, 2)
    expected = "en: no new commit, 0 added, 0 removed, 0 modified fields, 4 findings (1 error, 2 inferred)"
    assert expected in summary["line"]


def test_one_of_each_reads_in_the_singular():
    summary = summarize([], catalog_with(("normalize-failed", ERROR)), ["en"], "out", 1)
    assert "1 finding (1 error, 0 inferred), 1 file parsed" in summary["line"]
