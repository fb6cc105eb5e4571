"""Lists that stay small whatever the data: one page of rows at a time, and the list's filters.

Every list view paginates with :func:`paginate` and renders ``includes/_pagination.html``; its
filters are a :class:`ListFilters` form read from the query string and rendered with
``includes/_filters.html``. Page links keep the filters (Django's ``{% querystring %}``).
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.core.paginator import Page, Paginator

from pal_portal.forms import Form

PAGE_PARAMETER = "page"


def page_size() -> int:
    """Return how many rows one page of a list shows (``PAL_PAGE_SIZE``)."""
    return settings.PAL_PAGE_SIZE


def choice_limit() -> int:
    """Return how many candidates a choice offers at once (``PAL_CHOICE_LIMIT``)."""
    return settings.PAL_CHOICE_LIMIT


class ListPage(Page):
    """A page of a list, with the numbers its page links show (``None`` marks a gap)."""

    @cached_property
    def links(self) -> list[int | None]:
        return [
            number if isinstance(number, int) else None
            for number in self.paginator.get_elided_page_range(
                self.number, on_each_side=2, on_ends=1
            )
        ]


class ListPaginator(Paginator):
    def _get_page(self, *args, **kwargs):
        return ListPage(*args, **kwargs)


def requested_page(request) -> int:
    """Return the page number the request asks for: 1 for anything but a positive whole number."""
    try:
        number = int(request.GET.get(PAGE_PARAMETER, ""))
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def paginate(request, object_list, *, per_page: int | None = None) -> ListPage:
    """Return the page of ``object_list`` the request asks for (an ordered queryset or a list).

    A page number past the end gives the last page, and anything that is not a positive whole
    number the first: a stale or mistyped link never answers 404 nor 500. Costs one count query
    and one query for the page's rows.
    """
    paginator = ListPaginator(object_list, per_page or page_size())
    return paginator.page(min(requested_page(request), paginator.num_pages))


class ListFilters(Form):
    """The filters of a list, read from the query string (a GET form).

    A value that does not validate is ignored, never shown as an error: a stale link still
    lists something. ``values`` holds the filters in force, keyed by field name, ready to be
    passed to the list's selector.
    """

    def __init__(self, data, **kwargs):
        kwargs.setdefault("auto_id", "filtro_%s")
        super().__init__(data, **kwargs)

    @cached_property
    def values(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    @property
    def is_filtered(self) -> bool:
        return bool(self.values)
