"""Each worker's copies of what every citizen's form reads (portal/snapshots.py, issue 13):
never served after a change. Two apps on one database stand for two worker processes (each
keeps its own copies); tests/survey/test_copies_across_workers.py does it with two real
servers."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal import create_app
from portal.auth.models import Unit
from portal.pages.models import HotlineNumber, HotlinePage, ProcedureField
from portal.snapshots import GROUPS, WATCHED_COLUMNS, CacheStamp
from portal.workdays import today_in_vietnam
from survey.models import Counter, CounterDuty, Item, Questionnaire
from tests.factories import aged_nonce, make_counter, make_user
from tests.factories import survey_answers as answers


def stamps(db) -> dict[str, str]:
    return dict(db.execute(select(CacheStamp.name, CacheStamp.stamp)).all())


def _migration_0022():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "migrations/versions/0022_cache_stamps.py"
    spec = importlib.util.spec_from_file_location("migration_0022", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_watched_table_has_its_triggers(db):
    """A later migration that rebuilds a table on SQLite drops its triggers: this fails then.
    The app watches what the migration made triggers for."""
    migration = _migration_0022()
    assert migration.GROUPS == GROUPS and migration.WATCHED_COLUMNS == WATCHED_COLUMNS
    if db.get_bind().dialect.name == "postgresql":
        found = set(db.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'cache_stamp_%' "
            "AND NOT tgisinternal")))
        expected = {f"cache_stamp_{table}" for tables in GROUPS.values() for table in tables}
    else:
        found = set(db.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'cache_stamp_%'")))
        expected = {f"cache_stamp_{table}_{event}" for tables in GROUPS.values()
                    for table in tables for event in ("insert", "update", "delete")}
    assert found == expected
    assert set(stamps(db)) == set(GROUPS)


def test_each_change_replaces_the_stamp_of_its_group_only(db):
    counter = make_counter(db)
    officer = make_user(db, full_name="Trần Thị Lan")
    page = db.scalar(select(HotlinePage)) or HotlinePage(org_name="Sở", address="Nha Trang",
                                                         rules="Quy chế")
    changes = [
        ("fields", lambda: db.add(ProcedureField(name="Lĩnh vực mới"))),
        ("counters", lambda: setattr(counter, "name", "Quầy đổi tên")),
        ("counters", lambda: setattr(db.get(Unit, counter.unit_id), "name", "Phòng đổi tên")),
        ("duty", lambda: db.add(CounterDuty(counter_id=counter.id, user_id=officer.id,
                                            day=today_in_vietnam()))),
        ("duty", lambda: setattr(officer, "full_name", "Trần Thị Lan Anh")),
        ("duty", lambda: setattr(officer, "active", False)),
        ("questionnaire", lambda: setattr(
            db.scalar(select(Item).where(Item.code == "CC1")), "text", "Một câu khác.")),
        ("questionnaire", lambda: setattr(
            db.scalar(select(Questionnaire).where(Questionnaire.current.is_(True))),
            "instruction", "Hướng dẫn mới.")),
        ("contact", lambda: db.add(page)),
        ("contact", lambda: page.numbers.append(HotlineNumber(label="Đường dây nóng",
                                                              number="0258 3822 222"))),
        (("counters", "duty"), lambda: db.delete(counter)),  # its duty rows go with it
    ]
    for group, change in changes:
        before = stamps(db)
        change()
        db.flush()
        after = stamps(db)
        expected = {group} if isinstance(group, str) else set(group)
        assert {name for name in GROUPS if before[name] != after[name]} == expected, group
    before = stamps(db)
    officer.email = "lan@example.vn"  # not shown on any form: no new copy needed
    officer.password_hash = "x"
    db.flush()
    assert stamps(db) == before


@pytest.fixture
def second_worker(app_config, connection):
    """Another worker process: the same settings and database, copies of its own."""
    other = create_app(app_config)
    other.extensions["db"].sessionmaker.configure(bind=connection,
                                                  join_transaction_mode="create_savepoint")
    yield other
    other.extensions["db"].engine.dispose()


def both_pages(workers, path: str) -> list[str]:
    pages = []
    for worker in workers:
        response = worker.test_client().get(path)
        pages.append(response.get_data(as_text=True) if response.status_code == 200
                     else response.status_code)
    return pages


def test_a_change_is_seen_by_every_worker_at_its_next_request(app, second_worker, db):
    workers = [app, second_worker]
    counter = make_counter(db, name="Quầy Một Cửa số 1")
    path = f"/q/{counter.token}"
    officers = [make_user(db, full_name=name) for name in ("Lê Văn An", "Phạm Thị Bình")]
    for page in both_pages(workers, path):  # both workers now hold their copies
        assert "Quầy Một Cửa số 1" in page and "Lê Văn An" not in page
        assert "Công chức có thái độ giao tiếp lịch sự" in page

    def seen_by_both(change, *expected, absent=()):
        change()
        db.commit()
        for page in both_pages(workers, path):
            for wanted in expected:
                assert wanted in page
            for unwanted in absent:
                assert unwanted not in page

    seen_by_both(lambda: setattr(counter, "name", "Quầy Đất đai"), "Quầy Đất đai",
                 absent=["Quầy Một Cửa số 1"])
    seen_by_both(lambda: setattr(db.get(Unit, counter.unit_id), "name", "Văn phòng Đăng ký"),
                 "Văn phòng Đăng ký")
    seen_by_both(lambda: db.add_all([CounterDuty(counter_id=counter.id, user_id=officer.id,
                                                 day=today_in_vietnam())
                                     for officer in officers]),
                 'name="officer"', "Lê Văn An", "Phạm Thị Bình")
    seen_by_both(lambda: setattr(officers[0], "full_name", "Lê Văn Ân"), "Lê Văn Ân",
                 absent=["Lê Văn An<"])
    seen_by_both(lambda: setattr(officers[1], "active", False),
                 absent=['name="officer"', "Phạm Thị Bình"])
    seen_by_both(lambda: db.add(ProcedureField(name="Tài nguyên nước ngầm")),
                 "Tài nguyên nước ngầm")
    item = db.scalar(select(Item).where(Item.code == "CC1"))
    seen_by_both(lambda: setattr(item, "text", "Công chức lắng nghe Ông/Bà."),
                 "Công chức lắng nghe Ông/Bà.",
                 absent=["Công chức có thái độ giao tiếp lịch sự"])
    page = db.scalar(select(HotlinePage))
    if page is None:
        page = HotlinePage(org_name="Sở Nông nghiệp", address="Nha Trang", rules="Quy chế")
        db.add(page)
        db.commit()
    seen_by_both(lambda: setattr(page, "org_name", "Sở Nông nghiệp và Môi trường Khánh Hòa"),
                 "Sở Nông nghiệp và Môi trường Khánh Hòa")
    seen_by_both(lambda: setattr(counter, "active", False))
    assert both_pages(workers, path) == [404, 404], "a retired counter's link stops at once"


def test_an_answer_is_checked_against_the_changed_questionnaire(app, second_worker, db):
    counter = make_counter(db)
    for worker in (app, second_worker):
        worker.test_client().get(f"/q/{counter.token}")
    current = db.scalar(select(Questionnaire).where(Questionnaire.current.is_(True)))
    item = db.scalar(select(Item).where(Item.code == "PA3"))
    item.code = "PA9"  # a version's statement replaced (as an import of a new version would)
    db.commit()
    for worker in (app, second_worker):
        sent = worker.test_client().post(f"/q/{counter.token}", data=answers(
            nonce=aged_nonce(worker, counter.token, 60), PA9="5"))
        assert sent.status_code == 302
    stored = db.execute(text(
        "SELECT count(*) FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
        "WHERE a.item_code = 'PA9' AND a.value = 5 AND r.questionnaire_id = :version"),
        {"version": current.id}).scalar()
    assert stored == 2, "both workers took the new statement"


def test_a_change_rolled_back_leaves_no_copy_behind(app, db):
    counter = make_counter(db, name="Quầy cũ")
    client = app.test_client()
    assert "Quầy cũ" in client.get(f"/q/{counter.token}").get_data(as_text=True)
    attempt = db.begin_nested()
    counter.name = "Quầy chưa lưu"
    db.flush()
    assert "Quầy chưa lưu" in client.get(f"/q/{counter.token}").get_data(as_text=True)
    attempt.rollback()
    page = client.get(f"/q/{counter.token}").get_data(as_text=True)
    assert "Quầy cũ" in page and "Quầy chưa lưu" not in page


def test_the_copies_are_used_and_belong_to_no_session(app, db):
    """A second citizen's form reads only the stamps (and the form's own look-ups), not the
    counter, questionnaire, officers, fields or contact again; the copies are detached, so a
    request's session can neither write through them nor load through them."""
    from sqlalchemy import event

    counter = make_counter(db)
    officer = make_user(db)
    db.add(CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam()))
    db.commit()
    token = counter.token
    client = app.test_client()
    client.get(f"/q/{token}")
    statements = []
    engine = db.get_bind().engine

    def seen(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(f"/q/{token}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    tables = ("FROM counter", "FROM questionnaire", "FROM survey_item", "FROM staff_user",
              "FROM procedure_field", "FROM hotline_page")
    assert [s for s in statements if any(table in s for table in tables)] == []
    assert any("FROM cache_stamp" in s for s in statements)
    with app.test_request_context():
        from portal.db import get_session
        from survey import shared

        session = get_session()
        target = shared.resolve(session, token)
        questionnaire = shared.questionnaire(session)
        assert target.counter not in session and questionnaire not in session
        assert target.counter.unit.name and questionnaire.dimensions[0].items[0].text


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_questions_kept_are_the_ones_rendered(app, db, language):
    """The second page's questions come from the copy; they must be the first page's."""
    import re

    counter = make_counter(db)
    officers = [make_user(db, full_name=name) for name in ("Lê Văn An", "Phạm Thị Bình")]
    db.add_all([CounterDuty(counter_id=counter.id, user_id=officer.id, day=today_in_vietnam())
                for officer in officers])
    db.commit()

    def shown():
        page = app.test_client().get(f"/q/{counter.token}?lang={language}").get_data(
            as_text=True)
        return re.sub(r'value="[^"]{20,}"', 'value="…"', page)  # the nonce differs

    first, second = shown(), shown()
    assert second == first and first.count('type="radio"') == 19 * 6
    assert "Phạm Thị Bình" in second


def test_without_its_stamp_a_group_is_read_every_time(app, db):
    """A damaged stamp table (a row deleted by hand, a partial restore) must not freeze the
    copies: a group without a stamp is never kept."""
    counter = make_counter(db, name="Quầy trước")
    client = app.test_client()
    assert "Quầy trước" in client.get(f"/q/{counter.token}").get_data(as_text=True)
    db.execute(text("DELETE FROM cache_stamp WHERE name = 'counters'"))
    counter.name = "Quầy sau"
    db.commit()
    assert "Quầy sau" in client.get(f"/q/{counter.token}").get_data(as_text=True)
    counter.name = "Quầy sau nữa"
    db.commit()
    assert "Quầy sau nữa" in client.get(f"/q/{counter.token}").get_data(as_text=True)


def test_a_write_in_the_request_drops_the_stamps_it_read(app, db):
    """Core writes too: a copy read after the request's own change is the changed one."""
    from sqlalchemy import update

    counter = make_counter(db, name="Cũ")
    with app.test_request_context():
        from portal.db import get_session
        from survey import shared

        session = get_session()
        assert shared.resolve(session, counter.token).counter.name == "Cũ"
        session.connection().execute(update(Counter).where(Counter.id == counter.id)
                                     .values(name="Mới"))
        assert shared.resolve(session, counter.token).counter.name == "Mới"
        savepoint = session.begin_nested()
        session.connection().execute(update(Counter).where(Counter.id == counter.id)
                                     .values(name="Bỏ"))
        assert shared.resolve(session, counter.token).counter.name == "Bỏ"
        savepoint.rollback()
        assert shared.resolve(session, counter.token).counter.name == "Mới"
        session.rollback()
