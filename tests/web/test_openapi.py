"""Schemathesis calls every operation of /openapi.json and checks each response against the description."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from doesittrain import settings as settings_module
from doesittrain.web.app import create_app
from tests.conftest import EXAMPLE_DATASET


def test_api_conforms_to_its_description(tmp_path):
    app = create_app(settings_module.load(environ={}, home=str(tmp_path), dataset=str(EXAMPLE_DATASET), secret_key="t"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def conforms(case):
            case.call_and_validate()

        conforms()
        checked.append(operation.path)
    assert len(checked) == 5
