"""Pages of a list: how many pages a total makes, and which page to show when asked for one."""


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def page_to_show(asked: int, total: int, per_page: int) -> int:
    """The page asked for, or the last one when asked for a page past the end."""
    return max(1, min(asked, page_count(total, per_page)))


def page_links(current: int, pages: int) -> list[int | None]:
    """The page numbers to link to: the first, the last and those either side of `current`, None for a gap ("…").

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
