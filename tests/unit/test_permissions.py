from __future__ import annotations

import itertools

import pytest

from bot.core.errors import PermissionDenied
from bot.core.permissions import Permission, Standing, check, is_allowed

FLAGS = ("admin", "chair", "member", "owner", "delegate", "involved")


def expected(permission: Permission, s: Standing) -> bool:
    return {
        Permission.CONFIGURE: s.admin,
        Permission.UPDATE_ACTION: s.owner or s.delegate,
        Permission.APPROVE_DATE: s.chair,
        Permission.READ: any(getattr(s, f) for f in FLAGS),
        Permission.ASK_CHALLENGE: s.chair or s.member,
        Permission.ANSWER_CHALLENGE: s.owner or s.delegate,
        Permission.CLOSE_CHALLENGE: s.chair or s.admin,
    }[permission]


@pytest.mark.parametrize("permission", list(Permission))
def test_every_combination_of_standing(permission: Permission) -> None:
    for values in itertools.product([False, True], repeat=len(FLAGS)):
        standing = Standing(**dict(zip(FLAGS, values, strict=True)))
        assert is_allowed(permission, standing) is expected(permission, standing), standing


@pytest.mark.parametrize("permission", list(Permission))
def test_system_may_do_anything(permission: Permission) -> None:
    assert is_allowed(permission, Standing(system=True))


def test_nobody_may_do_anything_but_gets_a_friendly_line() -> None:
    for permission in Permission:
        with pytest.raises(PermissionDenied) as refused:
            check(permission, Standing())
        assert "\n" not in str(refused.value)
        assert len(str(refused.value)) < 200


def test_admin_is_not_automatically_an_owner() -> None:
    assert not is_allowed(Permission.UPDATE_ACTION, Standing(admin=True, chair=True))
    assert not is_allowed(Permission.APPROVE_DATE, Standing(admin=True))
