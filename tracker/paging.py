"""Pages of a list: how many pages a total makes, which page to show when asked for one,
and one page of a query.

Every paged list follows one rule: a page past the end shows the last page, never an empty one.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def page_to_show(asked: int, total: int, per_page: int) -> int:
    """The page asked for, or the last one when asked for a page past the end."""
    return max(1, min(asked, page_count(total, per_page)))


def page_links(current: int, pages: int) -> list[int | None]:
    """The page numbers to link to: the first, the last and those either side of `current`,
    None for a gap ("…").

    Worked out from the few numbers shown, never by walking every page: a region's evidence runs to thousands.
    """
    shown = sorted({1, pages, *range(max(1, current - 1), min(pages, current + 1) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


class Paged:
    """For a dataclass holding one page of a list, with its `total` and `per_page`."""

    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


@dataclass
class Page(Paged):
    """One page of a query's rows, with what the page links need."""

    items: list[Any]
    total: int
    page: int
    per_page: int


def paginate(select: sa.Select, page: int, per_page: int) -> Page:
    """The rows of page `page` of `select` (which must be ordered), in a count and one query: past the end,
    the last page."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery())) or 0
    shown = page_to_show(page, total, per_page)
    items = db.session.scalars(select.limit(per_page).offset((shown - 1) * per_page)).all()
    return Page(list(items), total, shown, per_page)
