"""The machine interfaces fuzzed from their own description (issue 14, point 4): schemathesis
generates requests from /api/openapi.json, valid ones and ones its description forbids, and
checks each answer: no server error, a forbidden request refused, and every status, content
type and body as described. In process (the app's WSGI callable: nothing leaves the
machine), a bounded number of examples per operation."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from tests.factories import ITEM_CODES, make_counter, make_response, make_unit

EXAMPLES = 40


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["as described", "outside the description"])
def test_every_interface_answers_as_described(app, db, mode):
    counter = make_counter(db, unit=make_unit(db, name="Phòng Đất đai"))
    for value in (5, 4, 2):  # some answers, so that the figures are not all empty
        make_response(db, counter, {code: value for code in ITEM_CODES})
    db.commit()
    operations = _operations(app)
    # (schemathesis leaves out the description's own path)
    assert {operation.path for operation in operations} >= {"/api/v1/results", "/api/docs"}
    tried = 0
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not operation.definition.raw.get("parameters"):
            continue  # nothing to send outside the description

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy(generation_mode=mode))
        def check(case):
            # uncompressed: a client over HTTP inflates the answer itself, a WSGI call does not
            case.validate_response(case.call(headers={"Accept-Encoding": "identity"}))

        check()
        tried += 1
    assert tried >= 1
