"""Fixtures of the feedback tests."""
import pytest

from tests.factories import make_unit, make_user


@pytest.fixture
def people(db):
    unit, other_unit = make_unit(db, name="Phòng Đất đai"), make_unit(db, name="Phòng Nước")
    return {
        "reception": make_user(db, roles=["reception"], full_name="Tiếp Nhận"),
        "handler": make_user(db, roles=["handler"], unit_id=unit.id, full_name="Xử Lý"),
        "other_handler": make_user(db, roles=["handler"], unit_id=other_unit.id),
        "secretariat": make_user(db, roles=["secretariat"], full_name="Văn Phòng"),
        "leader": make_user(db, roles=["leader"]),
        "unit": unit, "other_unit": other_unit,
    }
