"""Commands: init-db, create-user, demo-data, import-procedures — and their bad inputs."""
import json

from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.auth.models import Unit, User
from portal.pages.models import HotlinePage, Procedure, ProcedureField
from survey.models import Counter
from tests.factories import make_unit, make_user, procedure_values


def test_init_db_is_safe_to_run_twice(runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0 and "Database is up to date." in result.output


def test_create_user_reads_the_password_from_stdin(runner, db):
    make_unit(db, code="VP")
    result = runner.invoke(args=["create-user", "thu.ky", "--full-name", "Phạm Thư Ký",
                                 "--role", "secretariat", "--role", "leader", "--unit", "vp",
                                 "--email", "thuky@example.vn"],
                           input="a strong password\n")
    assert result.exit_code == 0, result.output
    assert "Created thu.ky with roles leader, secretariat." in result.output
    user = db.scalar(select(User).where(User.username == "thu.ky"))
    assert user.check_password("a strong password") and user.unit.code == "VP"
    assert "a strong password" not in result.output
    assert db.scalar(select(AuditEntry.action)) == "user.create"


def test_create_user_refuses_bad_input_and_creates_nothing(runner, db):
    make_user(db, username="taken")
    cases = [
        (["create-user", "taken", "--full-name", "X", "--role", "admin"], "already taken"),
        (["create-user", "a b", "--full-name", "X", "--role", "admin"], "USERNAME must be"),
        (["create-user", "ok.name", "--full-name", "X", "--role", "king"], "Unknown role(s): king"),
        (["create-user", "ok.name", "--full-name", "X", "--role", "admin", "--unit", "NOPE"],
         "No unit has the code 'NOPE'"),
        (["create-user", "ok.name", "--full-name", "X", "--role", "admin", "--email", "bad"],
         "is not an email address"),
        (["create-user", "ok.name", "--full-name", " ", "--role", "admin"],
         "--full-name must be 1-200 characters"),
        (["create-user", "ok.name", "--full-name", "X"], "Missing option '--role'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args, input="a strong password\n")
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    result = runner.invoke(args=["create-user", "ok.name", "--full-name", "X", "--role", "admin"],
                           input="short\n")
    assert result.exit_code == 2 and "A password needs at least 10 characters." in result.output
    assert db.scalar(select(func.count()).select_from(User)) == 1


def test_demo_data_loads_everything_and_can_run_again(runner, db, client):
    result = runner.invoke(args=["demo-data", "--password", "demo password 1"])
    assert result.exit_code == 0, result.output
    assert "Demo users: admin, reception, handler, secretariat, leader." in result.output
    procedures = db.scalar(select(func.count()).select_from(Procedure))
    assert procedures >= 30
    fields = set(db.scalars(select(ProcedureField.name)))
    assert {"Đất đai", "Môi trường", "Tài nguyên nước", "Khoáng sản"} <= fields
    assert any("Đo đạc" in name for name in fields)
    assert db.scalar(select(func.count()).select_from(Unit)) >= 7
    assert db.scalar(select(func.count()).select_from(Counter)) >= 3
    assert db.scalar(select(HotlinePage)).numbers
    for role in ("admin", "reception", "handler", "secretariat", "leader"):
        user = db.scalar(select(User).where(User.username == role))
        assert user.roles == {role} and user.check_password("demo password 1")
    again = runner.invoke(args=["demo-data", "--password", "another password"])
    assert again.exit_code == 0, again.output
    assert db.scalar(select(func.count()).select_from(Procedure)) == procedures
    admin = db.scalar(select(User).where(User.username == "admin"))
    db.refresh(admin)
    assert admin.check_password("another password")
    assert client.post("/staff/login", data={"username": "leader",
                                             "password": "another password"}).status_code == 302


def test_demo_data_keeps_an_edited_hotline_page_and_edited_procedures(runner, db):
    runner.invoke(args=["demo-data", "--password", "demo password 1"])
    page = db.scalar(select(HotlinePage))
    page.org_name = "Tên đã sửa"
    procedure = db.scalars(select(Procedure)).first()
    procedure.name = "Thủ tục đã sửa"
    db.commit()
    runner.invoke(args=["demo-data", "--password", "demo password 1"])
    db.refresh(page)
    db.refresh(procedure)
    assert page.org_name == "Tên đã sửa" and procedure.name == "Thủ tục đã sửa"


def test_demo_data_without_a_password_prints_a_random_one(runner, db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    result = runner.invoke(args=["demo-data"])
    password = result.output.split("Their password: ")[1].strip()
    assert len(password) >= 12
    assert db.scalar(select(User).where(User.username == "admin")).check_password(password)


def test_demo_data_if_empty_leaves_an_existing_site_alone(runner, db):
    make_user(db, username="real.person")
    result = runner.invoke(args=["demo-data", "--if-empty", "--password", "demo password 1"])
    assert "not loaded" in result.output
    assert db.scalar(select(func.count()).select_from(Procedure)) == 0


def test_demo_data_refuses_a_short_password(runner, db):
    result = runner.invoke(args=["demo-data", "--password", "short"])
    assert result.exit_code == 2 and "at least 10 characters" in result.output
    assert db.scalar(select(func.count()).select_from(User)) == 0


def write_json(tmp_path, items, name="procedures.json"):
    path = tmp_path / name
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def item(**overrides):
    values = procedure_values(**overrides)
    values.update(postal_return="có", level="một phần", internal_process=[])
    return {key: value for key, value in values.items() if value is not None}


def test_import_procedures_command(runner, db, tmp_path):
    path = write_json(tmp_path, [item(code="1.000500"), item(code="1.000501")])
    dry = runner.invoke(args=["import-procedures", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "2 would be created, 0 updated" in dry.output
    assert db.scalar(select(func.count()).select_from(Procedure)) == 0
    real = runner.invoke(args=["import-procedures", str(path)])
    assert real.exit_code == 0 and "Imported: 2 created, 0 updated." in real.output
    assert db.scalar(select(func.count()).select_from(Procedure)) == 2


def test_import_procedures_command_reports_bad_rows_and_writes_nothing(runner, db, tmp_path):
    path = write_json(tmp_path, [item(code="1.000600"), item(code="1.000601", name="")])
    result = runner.invoke(args=["import-procedures", str(path)])
    assert result.exit_code == 1
    assert "procedures.json, line 2: name is required." in result.output
    assert "Nothing was imported." in result.output
    assert db.scalar(select(func.count()).select_from(Procedure)) == 0


def test_import_procedures_command_with_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["import-procedures", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "No such file" in result.output
