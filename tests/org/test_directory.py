"""Directory sign-in against a real OpenLDAP server (R-SEC-2, issue 15).

The suite starts Debian's slapd (``tests/org/slapd.py``) with a few people: 王丽 in the reps group, 孙强
in the disabled-accounts group, 陈静 in no group. The tests skip, saying why, where slapd or the
optional ``baifang[ldap]`` packages are missing (like the browser tests without chromium).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.org import slapd

pytestmark = pytest.mark.skipif(
    not slapd.available(),
    reason="directory sign-in needs Debian's slapd and `pip install baifang[ldap]` (.ci/run installs both)",
)

REPS = f"cn=reps,{slapd.GROUPS}"
DISABLED = f"cn=disabled,{slapd.GROUPS}"
ENTRIES = [
    slapd.person("wangli", "王丽", "ldap-pw-1", mail="wangli@baifang.test", mobile="13900000001"),
    slapd.person("sunqiang", "孙强", "ldap-pw-2"),
    slapd.person("chenjing", "陈静", "ldap-pw-3"),
    slapd.group("reps", ["wangli"]),
    slapd.group("disabled", ["sunqiang"]),
]


@pytest.fixture(scope="module")
def server():
    with slapd.Slapd(ENTRIES) as running:
        yield running


@pytest.fixture
def directory(server, settings, org):
    from baifang.org.models import Position

    rep_position = Position.objects.filter(kind="field_rep").order_by("pk").first()
    settings.BAIFANG_LDAP = {
        "URI": server.uri,
        "BIND_DN": slapd.ROOT_DN,
        "BIND_PASSWORD": slapd.ROOT_PASSWORD,
        "USER_BASE": slapd.PEOPLE,
        "USER_FILTER": "(uid=%(user)s)",
        "GROUP_BASE": slapd.GROUPS,
        "DENY_GROUP": DISABLED,
        "GROUP_POSITIONS": f'{{"{REPS}": {{"position": "{rep_position.code}", "unit": "team1"}}}}',
        "TIMEOUT": 5,
    }
    backends = list(settings.AUTHENTICATION_BACKENDS)
    backends.insert(1, "baifang.org.directory.DirectoryBackend")
    settings.AUTHENTICATION_BACKENDS = backends
    return rep_position


def sign_in(username, password):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def error_text(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_a_directory_user_is_created_on_first_sign_in_with_the_mapped_position(directory):
    from baifang.org.models import User

    client, response = sign_in("wangli", "ldap-pw-1")
    assert response.status_code == 302 and "_auth_user_id" in client.session
    user = User.objects.get(username="wangli")
    assert (user.display_name, user.email, user.phone) == ("王丽", "wangli@baifang.test", "13900000001")
    assert not user.has_usable_password()  # the directory holds the password, Baifang none
    assert user.unit.code == "team1" and list(user.assignments.values_list("position", flat=True)) == [
        directory.pk
    ]
    assert user.data_scope == "own"
    # signing in again creates nothing twice
    sign_in("wangli", "ldap-pw-1")
    assert User.objects.filter(username="wangli").count() == 1 and user.assignments.count() == 1


def test_a_wrong_directory_password_reads_like_a_wrong_local_password(directory):
    from baifang.org.models import User

    UserFactory(username="local", password="local-pw-1")
    _client, wrong_directory = sign_in("wangli", "not-it")
    _client, wrong_local = sign_in("local", "not-it")
    _client, unknown = sign_in("nobody", "not-it")
    assert wrong_directory.status_code == wrong_local.status_code == 200
    assert error_text(wrong_directory) == error_text(wrong_local) == error_text(unknown) != ""
    assert not User.objects.filter(username__in=["wangli", "nobody"]).exists()


def test_a_disabled_account_cannot_sign_in(directory):
    from baifang.org.models import User

    client, response = sign_in("sunqiang", "ldap-pw-2")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert not User.objects.filter(username="sunqiang").exists()


def test_local_accounts_keep_their_passwords_beside_the_directory(directory, org):
    client, response = sign_in("rep", "pw-123456")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_leaving_the_group_takes_the_mapped_position_away(directory, server):
    import ldap

    from baifang.org.models import User

    sign_in("wangli", "ldap-pw-1")
    assert User.objects.get(username="wangli").assignments.count() == 1
    admin = ldap.initialize(server.uri)
    admin.simple_bind_s(slapd.ROOT_DN, slapd.ROOT_PASSWORD)
    admin.modify_s(REPS, [(ldap.MOD_REPLACE, "member", [f"uid=chenjing,{slapd.PEOPLE}".encode()])])
    try:
        sign_in("wangli", "ldap-pw-1")
        assert User.objects.get(username="wangli").assignments.count() == 0  # the directory owns it
        sign_in("chenjing", "ldap-pw-3")
        assert User.objects.get(username="chenjing").assignments.get().position == directory
    finally:
        admin.modify_s(REPS, [(ldap.MOD_REPLACE, "member", [f"uid=wangli,{slapd.PEOPLE}".encode()])])


def test_a_broken_group_mapping_is_refused_clearly():
    from baifang.org.directory import group_positions

    assert group_positions('{"CN=Reps,DC=x": {"position": "rep", "unit": "team1"}}') == {
        "cn=reps,dc=x": ("rep", "team1")
    }
    for bad in ('["cn=reps"]', '{"cn=reps": {"position": "rep"}}'):
        with pytest.raises(ImproperlyConfigured):
            group_positions(bad)
