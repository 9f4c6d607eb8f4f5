"""The output store on tiny tables: the same protocol in a local folder and in a bucket on a real S3 API.

Each test that does not depend on the medium runs against both: a tmp folder, and a prefix in
a bucket of moto's standalone server reached through `AWS_ENDPOINT_URL` and the standard
credential chain.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from output.store import OutputError, OutputStore, Transaction

pytest_plugins = ("tests.s3_server",)  # the S3 server fixtures

SCHEMA = pa.schema([("card_id", pa.string()), ("tokens", pa.int64())])
SECRET = "sEcReT-kEy-0123456789"


def rows(*tokens: int) -> pa.Table:
    return pa.table({"card_id": [f"c{t}" for t in tokens], "tokens": list(tokens)}, schema=SCHEMA)


def txn(**tables: pa.Table) -> Transaction:
    t = Transaction()
    for name, table in tables.items():
        t.put_table(name.replace("__", "/"), table)
    return t


@pytest.fixture(params=["folder", "bucket"])
def location(request, tmp_path) -> str:
    if request.param == "folder":
        return str(tmp_path / "out")
    name = request.getfixturevalue("bucket")
    return f"s3://{name}/team/catalog"


def test_a_commit_publishes_every_file_and_carries_the_others_over(location):
    store = OutputStore(location)
    with store.locked():
        first = txn(models=rows(1), alerts__outbox=rows(9))
        first.put_json("state.json", {"locales": {"en": {"commit": "a"}}})
        first.put_parquet_files({"snapshots/en/a": rows(1)})
        store.commit(first)
        second = txn(models=rows(1, 2))
        second.put_parquet_files({"snapshots/en/b": rows(1, 2)})
        store.commit(second)

    reader = OutputStore(location)
    assert reader.read_table("models", SCHEMA) == rows(1, 2)
    assert reader.read_table("alerts/outbox", SCHEMA) == rows(9)  # carried over
    assert reader.read_json("state.json") == {"locales": {"en": {"commit": "a"}}}
    assert reader.read_table(reader.snapshot_path("en", "a").removesuffix(".parquet"), SCHEMA) == rows(1)
    assert reader.read_snapshot("en", "b", SCHEMA) == rows(1, 2)
    assert reader.read_table("changes", SCHEMA) is None
    assert reader.read_json("nothing.json") is None


def test_an_empty_location_reads_as_no_catalog(location):
    store = OutputStore(location)
    assert store.read_table("models", SCHEMA) is None
    assert store.read_state() == {}
    assert store.published_version() is None


def test_a_local_folder_keeps_the_contract_paths_through_fixed_links(tmp_path):
    out = tmp_path / "out"
    store = OutputStore(out)
    store.commit(txn(models=rows(1)))
    first = os.readlink(out / "current")
    store.commit(txn(changes=rows(3)))

    assert os.readlink(out / "models.parquet") == "current/models.parquet"
    assert os.readlink(out / "current") == f"versions/{store.published_version()}" != first
    assert pq.read_table(out / "models.parquet") == rows(1)
    assert pq.read_table(out / "changes.parquet") == rows(3)
    manifest = json.loads((out / "current" / "MANIFEST.json").read_text())
    assert manifest["files"] == ["changes.json", "changes.parquet", "models.json", "models.parquet"]
    assert manifest["kept"] == [first.removeprefix("versions/")]
    # a carried file is a hard link to the older version's, not a copy
    assert (out / "current" / "models.json").stat().st_ino == (out / first / "models.json").stat().st_ino


def test_a_bucket_has_one_pointer_written_last_and_a_folder_per_version(bucket, s3_env):
    store = OutputStore(f"s3://{bucket}/catalog")
    store.commit(txn(models=rows(1)))
    store.commit(txn(changes=rows(2)))

    objects = s3_env.objects(bucket)
    version = store.published_version()
    assert json.loads(objects["catalog/CURRENT"]) == {"version": version}
    assert objects[f"catalog/versions/{version}/models.parquet"] == next(
        data for key, data in objects.items() if key.endswith("models.parquet") and version not in key
    )  # copied server-side from the older version
    assert "catalog/LOCK" not in objects  # released
    assert json.loads(objects[f"catalog/versions/{version}/MANIFEST.json"])["files"] == [
        "changes.json",
        "changes.parquet",
        "models.json",
        "models.parquet",
    ]


@pytest.mark.parametrize("keep", [1, 2, 3])
def test_old_versions_are_kept_up_to_the_count(location, keep):
    store = OutputStore(location, keep_versions=keep)
    published = []
    for n in range(4):
        store.commit(txn(models=rows(n)))
        published.append(store.published_version())
    with store.locked():
        assert store._backend.versions() == published[-keep:]
    assert store.read_table("models", SCHEMA) == rows(3)


def test_old_versions_are_kept_up_to_an_age(tmp_path):
    store = OutputStore(tmp_path / "out", keep_versions=10, keep_age=timedelta(0))
    for n in range(3):
        store.commit(txn(models=rows(n)))
    with store.locked():
        assert store._backend.versions() == [store.published_version()]


def test_a_killed_runs_unpublished_version_is_removed_by_the_next_run(location):
    store = OutputStore(location)
    store.commit(txn(models=rows(1)))
    with store.locked():
        head = store._head
        store._backend.write_version(head, "20990101T000000000000Z-0badc0de", {"models.parquet": b"half"}, [])
    with store.locked():
        assert store._backend.versions() == [store.published_version()]
    assert store.read_table("models", SCHEMA) == rows(1)


def test_a_failed_first_run_leaves_no_folder_behind(tmp_path):
    out = tmp_path / "new" / "nested" / "out"
    with pytest.raises(RuntimeError), OutputStore(out).locked():
        raise RuntimeError("the sync failed")
    assert not (tmp_path / "new").exists()


def test_a_failed_later_run_keeps_the_folder(tmp_path):
    out = tmp_path / "out"
    OutputStore(out).commit(txn(models=rows(1)))
    with pytest.raises(RuntimeError), OutputStore(out).locked():
        raise RuntimeError("the sync failed")
    assert pq.read_table(out / "models.parquet") == rows(1)


def test_a_failed_first_run_leaves_nothing_in_the_bucket(bucket, s3_env):
    with pytest.raises(RuntimeError), OutputStore(f"s3://{bucket}/catalog").locked():
        raise RuntimeError("the sync failed")
    assert s3_env.objects(bucket) == {}


def test_an_existing_empty_folder_given_by_the_user_stays(tmp_path):
    out = tmp_path / "mounted"
    out.mkdir()
    with pytest.raises(RuntimeError), OutputStore(out).locked():
        raise RuntimeError("the sync failed")
    assert out.is_dir()


# -- the older flat layout -------------------------------------------------------------------------


def flat_folder(out):
    (out / "snapshots" / "en").mkdir(parents=True)
    pq.write_table(rows(1), out / "models.parquet")
    pq.write_table(rows(1), out / "snapshots" / "en" / "a.parquet")
    (out / "state.json").write_text('{"locales": {}}')
    (out / ".lock").touch()


def test_a_flat_folder_is_read_as_it_is_and_migrated_under_the_lock(tmp_path):
    out = tmp_path / "out"
    flat_folder(out)
    assert OutputStore(out).read_table("models", SCHEMA) == rows(1)  # a reader outside the lock

    store = OutputStore(out)
    with store.locked():
        assert store.read_table("models", SCHEMA) == rows(1)
    assert sorted(p.name for p in out.iterdir()) == [
        ".lock",
        "current",
        "models.parquet",
        "snapshots",
        "state.json",
        "versions",
    ]
    assert all((out / n).is_symlink() for n in ("models.parquet", "snapshots", "state.json"))
    assert pq.read_table(out / "snapshots" / "en" / "a.parquet") == rows(1)
    store.commit(txn(models=rows(2)))
    assert pq.read_table(out / "models.parquet") == rows(2)
    assert (out / "state.json").read_text() == '{"locales": {}}'


def test_a_flat_folder_whose_files_cannot_be_replaced_is_refused_in_one_line_and_left_as_it_was(tmp_path, monkeypatch):
    """An immutable file (EPERM) cannot become a link: no run may publish past it, or readers would see a mix."""
    import output.store as store_module

    out = tmp_path / "out"
    flat_folder(out)
    before = (out / "models.parquet").read_bytes()
    replace = os.replace

    def refuse(src, dst):
        if str(dst).endswith("models.parquet"):
            raise PermissionError(1, "Operation not permitted", str(dst))
        return replace(src, dst)

    monkeypatch.setattr(store_module.os, "replace", refuse)
    with pytest.raises(OutputError) as info, OutputStore(out).locked():
        pass
    assert str(info.value) == (
        f"cannot move {out} to its versioned layout: {out}/models.parquet cannot be replaced "
        "(Operation not permitted; is it immutable? see lsattr); previous outputs are intact"
    )
    assert (out / "models.parquet").read_bytes() == before and not (out / "models.parquet").is_symlink()
    monkeypatch.undo()
    with OutputStore(out).locked():  # once it can be replaced, the migration completes
        pass
    assert (out / "models.parquet").is_symlink() and (out / "models.parquet").read_bytes() == before


# -- damage: one line naming the file and the repair ----------------------------------------------

REPAIR = "run `model-catalog backfill` to rebuild the catalog from git"


def damage(store: OutputStore, name: str, data: bytes) -> None:
    """Overwrite a published file in place, as a disk error or a careless hand would."""
    with store.locked():
        store._backend.write(store.published_version(), name, data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (lambda good: good[: len(good) // 2], "not a readable Parquet file"),
        (lambda good: b"", "not a readable Parquet file"),
        (lambda good: b"PAR1 not really", "not a readable Parquet file"),
        (lambda good: _parquet(pa.table({"other": [1]})), "no column card_id, tokens"),
        (lambda good: _parquet(pa.table({"card_id": ["a"], "tokens": ["many"]})), "column tokens is string, not int64"),
    ],
    ids=["cut-in-half", "empty", "garbage", "foreign-table", "wrong-type"],
)
def test_a_damaged_table_is_one_line_naming_the_file_and_the_repair(location, data, reason):
    store = OutputStore(location)
    store.commit(txn(changes=rows(1)))
    good = OutputStore(location)._backend.read(store._published(), "changes.parquet")
    damage(store, "changes.parquet", data(good))

    with pytest.raises(OutputError) as info:
        store.read_table("changes", SCHEMA)

    message = str(info.value)
    assert "\n" not in message and message.endswith(REPAIR)
    assert f"changes.parquet is damaged ({reason}" in message
    assert message.startswith(location)


def _parquet(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def test_a_compatible_type_is_cast_and_a_column_added_later_reads_as_null(location):
    store = OutputStore(location)
    store.commit(txn(models=pa.table({"card_id": ["a"], "tokens": pa.array([5], pa.int32())})))
    later = pa.schema([*SCHEMA, pa.field("tier", pa.string(), metadata={"added": "0.2"})])
    assert store.read_table("models", later).to_pylist() == [{"card_id": "a", "tokens": 5, "tier": None}]


@pytest.mark.parametrize("data", [b"{not json", b"\xff\xfe", b""], ids=["syntax", "not-utf8", "empty"])
def test_invalid_json_is_one_line(location, data):
    store = OutputStore(location)
    first = Transaction()
    first.put_json("state.json", {"locales": {}})
    store.commit(first)
    damage(store, "state.json", data)
    with pytest.raises(
        OutputError, match=r"state\.json is damaged \(not valid JSON: .*\); run `model-catalog backfill`"
    ):
        store.read_json("state.json")


@pytest.mark.parametrize("state", [[], "x", 3])
def test_state_that_is_not_an_object_is_one_line(location, state):
    store = OutputStore(location)
    first = Transaction()
    first.put_json("state.json", state)
    store.commit(first)
    with pytest.raises(OutputError, match=r"state\.json is damaged \(not a JSON object\)"):
        store.locale_state("en")


def test_a_published_file_missing_from_its_version_is_damage(tmp_path):
    out = tmp_path / "out"
    store = OutputStore(out)
    store.commit(txn(changes=rows(1)))
    (out / "current" / "changes.parquet").unlink()
    with pytest.raises(OutputError, match=r"changes\.parquet is damaged \(missing from its version\)"):
        store.read_table("changes", SCHEMA)


def break_local_pointer(out, how: str) -> None:
    current = out / "current"
    if how == "garbage-file":
        current.unlink()
        current.write_text("garbage")
    elif how == "dangling":
        current.unlink()
        current.symlink_to("versions/20000101T000000000000Z-00000000")
    elif how == "elsewhere":
        current.unlink()
        current.symlink_to("/etc")
    elif how == "broken-manifest":
        (current / "MANIFEST.json").unlink()
        (current / "MANIFEST.json").write_text('{"files": 3}')


@pytest.mark.parametrize("how", ["garbage-file", "dangling", "elsewhere", "broken-manifest"])
def test_a_broken_local_pointer_is_one_line_and_a_full_rewrite_repairs_it(tmp_path, how):
    out = tmp_path / "out"
    store = OutputStore(out)
    store.commit(txn(models=rows(1)))
    break_local_pointer(out, how)
    versions = sorted(p.name for p in (out / "versions").iterdir())

    with pytest.raises(OutputError) as info:
        OutputStore(out).read_table("models", SCHEMA)
    assert str(info.value).startswith(f"{out}/current is damaged (")
    assert str(info.value).endswith(REPAIR)
    with store.locked():  # nothing is deleted while the pointer cannot say what is published
        assert sorted(p.name for p in (out / "versions").iterdir()) == versions

    store.commit(txn(models=rows(2)))  # what a backfill does: writes everything, reads nothing
    assert OutputStore(out).read_table("models", SCHEMA) == rows(2)


@pytest.mark.parametrize("pointer", [b"garbage", b'{"version": "../../etc"}', b'{"version": 3}', b"[]"])
def test_a_broken_bucket_pointer_is_one_line_and_a_full_rewrite_repairs_it(bucket, s3_env, pointer):
    location = f"s3://{bucket}/catalog"
    store = OutputStore(location)
    store.commit(txn(models=rows(1)))
    s3_env.client().put_object(Bucket=bucket, Key="catalog/CURRENT", Body=pointer)

    with pytest.raises(OutputError) as info:
        OutputStore(location).read_table("models", SCHEMA)
    assert str(info.value).startswith(f"{location}/CURRENT is damaged (not a pointer")
    store.commit(txn(models=rows(2)))
    assert OutputStore(location).read_table("models", SCHEMA) == rows(2)


# -- one writer ------------------------------------------------------------------------------------


def test_a_second_writer_is_refused_in_one_line_while_the_first_holds_the_catalog(location):
    first, second = OutputStore(location), OutputStore(location)
    with first.locked():
        with pytest.raises(OutputError) as info, second.locked():
            pass
        first.commit(txn(models=rows(1)))
    assert str(info.value) == f"another run is writing {location}; try again when it has finished"
    with second.locked():
        second.commit(txn(models=rows(2)))
    assert OutputStore(location).read_table("models", SCHEMA) == rows(2)


def test_a_lease_left_by_a_killed_run_expires_and_is_taken_over(bucket, s3_env):
    location = f"s3://{bucket}/catalog"
    killed = OutputStore(location, lease_s=1)
    killed._backend.acquire(0, "busy")
    killed._backend.lease._stop.set()  # the process died: nobody renews the lease any more
    killed._backend.lease._thread.join()

    later = OutputStore(location)
    with later.locked(wait_s=120):
        later.commit(txn(models=rows(1)))
    assert later.read_table("models", SCHEMA) == rows(1)


def test_a_run_whose_lease_ran_out_cannot_publish_over_the_run_that_took_it(bucket, s3_env):
    location = f"s3://{bucket}/catalog"
    OutputStore(location).commit(txn(models=rows(1)))
    paused = OutputStore(location, lease_s=1)
    with paused.locked():
        paused._backend.lease._stop.set()  # paused (a stopped VM, a long GC): it stops renewing
        paused._backend.lease._thread.join()
        successor = OutputStore(location)
        with successor.locked(wait_s=120):
            successor.commit(txn(models=rows(2)))
        paused._backend.lease.lost = False  # even a run that does not know it lost the lease

        with pytest.raises(OutputError) as info:
            paused.commit(txn(models=rows(3)))

    assert str(info.value) == (
        f"another run published {location} while this one was writing; nothing of this run was published"
    )
    assert OutputStore(location).read_table("models", SCHEMA) == rows(2)
    assert len([k for k in s3_env.objects(bucket, "catalog/versions/") if not k.endswith("/")]) == 2 * 3


# -- the bucket and its credentials ----------------------------------------------------------------


def test_a_missing_bucket_is_one_line(s3_env):
    with pytest.raises(OutputError) as info, OutputStore("s3://no-such-bucket-here/catalog").locked():
        pass
    assert str(info.value) == "cannot use s3://no-such-bucket-here/catalog: the bucket does not exist"


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("AWS_SECRET_ACCESS_KEY", SECRET, "the secret key does not match the access key (wrong credentials?)"),
        ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000", "the access key is not known to the server (wrong credentials?)"),
    ],
)
def test_wrong_credentials_are_one_line_without_the_secret(bucket, s3_env, monkeypatch, variable, value, reason):
    monkeypatch.setenv(variable, value)
    store = OutputStore(f"s3://{bucket}/catalog")
    with pytest.raises(OutputError) as info, store.locked():
        pass
    assert str(info.value) == f"cannot use s3://{bucket}/catalog: {reason}"
    assert SECRET not in repr(store) + repr(store.where)


def test_explicit_options_are_used_and_never_shown(bucket, s3_env, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name)
    options = {"access_key": s3_env.access_key, "secret_key": s3_env.secret_key, "endpoint_url": s3_env.endpoint}
    store = OutputStore(f"s3://{bucket}/catalog", storage_options=options)
    store.commit(txn(models=rows(1)))
    assert store.read_table("models", SCHEMA) == rows(1)
    assert s3_env.secret_key not in repr(store) + repr(store.where) + repr(store.__dict__)


@pytest.mark.parametrize(
    "location",
    [f"s3://AKIAEXAMPLE:{SECRET}@bucket/x", f"s3://{SECRET}@bucket/x", f"s3://bucket/x?secret_key={SECRET}"],
)
def test_a_credential_in_the_location_is_refused_without_repeating_it(location):
    with pytest.raises(OutputError) as info:
        OutputStore(location)
    assert SECRET not in str(info.value) and "carries credentials" in str(info.value)


@pytest.mark.parametrize(
    ("location", "message"),
    [("ftp://host/x", "unknown location scheme 'ftp'"), ("s3:///x", "not a bucket or container name")],
)
def test_locations_that_are_not_stores_are_one_line(location, message):
    with pytest.raises(OutputError, match=message):
        OutputStore(location)


def test_file_urls_are_local_folders(tmp_path):
    store = OutputStore(f"file://{tmp_path}/out")
    store.commit(txn(models=rows(1)))
    assert pq.read_table(tmp_path / "out" / "models.parquet") == rows(1)


def test_a_bucket_that_turns_unwritable_mid_run_is_one_line_and_loses_nothing(bucket, s3_env):
    location = f"s3://{bucket}/catalog"
    OutputStore(location).commit(txn(models=rows(1)))
    before = s3_env.objects(bucket)
    store = OutputStore(location, lease_s=2)
    with store.locked():
        s3_env.deny_writes(bucket)
        try:
            with pytest.raises(OutputError) as info:
                store.commit(txn(models=rows(2)))
        finally:
            s3_env.allow_writes(bucket)
    assert str(info.value) == f"cannot write outputs to {location}: access denied; previous outputs are intact"
    assert OutputStore(location).read_table("models", SCHEMA) == rows(1)
    after = s3_env.objects(bucket)
    assert {k: v for k, v in after.items() if k != "catalog/LOCK"} == before  # the lease could not be deleted ...
    later = OutputStore(location)
    with later.locked(wait_s=120):  # ... and runs out
        later.commit(txn(models=rows(3)))
    assert later.read_table("models", SCHEMA) == rows(3)
