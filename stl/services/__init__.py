"""Writes of the stl app, one module per part of the STL's life; import them from here."""

from stl.services.registry import (  # noqa: F401
    facilitator_assign,
    invitation_accept,
    invitation_check,
    member_invite,
    nucleus_add,
    secretariat_register,
)
