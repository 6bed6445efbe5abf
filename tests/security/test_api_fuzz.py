"""Schemathesis over the OpenAPI schema, in process: generated requests to every operation, as a signed-in county
user with real records around, find no server error and no response that breaks the schema."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import checks

from jinguo.core.roles import Role
from jinguo.testing import make_user
from tests.conftest import build_tree, build_users, case_maker, code_lookups, module_records, new_activity
from tests.security.conftest import build_world

schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))))
schema.app = get_wsgi_application()

pytestmark = pytest.mark.django_db  # each operation in its own transaction, rolled back after it

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI handler directly, which closes "old" connections at each request's end — on
    PostgreSQL that would be the test's own connection. Django's test client disconnects the same signal."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def token(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two counties' records of every kind and a county user's token, made once for the module's operations (each
    operation's own writes are rolled back with its test): building them for each of the ~70 operations took half
    of this module's time."""

    def build():
        from jinguo.accounts.services import issue_token

        tree = build_tree()
        users = build_users(tree)
        codes = code_lookups()
        make_case = case_maker(codes)
        build_world(tree["county"], tree["township"], users["staff"], "测试", make_case, new_activity, codes)
        build_world(tree["sister"], tree["sister_township"], users["sister"], "另一县", make_case, new_activity, codes)
        user = make_user("api_fuzz", tree["county"], Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER)
        return issue_token(user)

    yield from module_records(django_db_blocker, tmp_path_factory.mktemp("api_fuzz"), build)


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_operations(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
