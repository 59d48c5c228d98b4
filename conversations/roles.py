"""Permissions: one check, applied on the server side to commands and button presses alike."""

from __future__ import annotations

from enum import StrEnum

from conversations.ports import UserView


class Permission(StrEnum):
    STAFF = "staff"
    ADMIN = "admin"


def allows(user: UserView, permission: Permission | None) -> bool:
    """Whether `user`, as stored right now, may do what needs `permission`."""
    if permission is None:
        return True
    if permission is Permission.ADMIN:
        return user.is_admin
    return user.is_staff or user.is_admin
