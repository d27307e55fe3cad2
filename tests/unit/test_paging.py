"""Which page numbers a list links to: the first, the last and the neighbours of the current page,
gaps as "…"."""

import pytest

from tracker.paging import page_links


@pytest.mark.parametrize(
    ("current", "pages", "links"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 5, [1, 2, None, 5]),
        (3, 5, [1, 2, 3, 4, 5]),
        (4, 9, [1, None, 3, 4, 5, None, 9]),
        (9, 9, [1, None, 8, 9]),
        (1200, 2400, [1, None, 1199, 1200, 1201, None, 2400]),
    ],
)
def test_the_pages_linked_to(current, pages, links):
    assert page_links(current, pages) == links
