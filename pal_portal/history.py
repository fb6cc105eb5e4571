"""Who is acting, for django-simple-history, in requests and in Celery tasks alike."""

from contextlib import contextmanager
from contextvars import ContextVar

_acting_user: ContextVar = ContextVar("acting_user", default=None)


def get_history_user(instance=None, request=None, **kwargs):
    """Return the user to record on a history row: the acting user of a task, else the request's."""
    user = _acting_user.get()
    if user is not None:
        return user
    request_user = getattr(request, "user", None)
    if request_user is not None and request_user.is_authenticated:
        return request_user
    return None


@contextmanager
def acting_as(user):
    """Record ``user`` as the author of every history row written inside the block."""
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)
