"""Page through a select() statement with one COUNT and one bounded SELECT.

A list that may grow without end (tickets, the published list) counts only so far
(``count_up_to`` rows past the page): reading every matching row for a number nobody needs
exactly made its first page slower with every ticket (issue 13, point 3). It then says "more
than …"."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from portal.text import whole_number


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    more: bool = False  # more rows match than ``total``, where counting stopped

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means page 1."""
    number = whole_number(raw, 6)
    if number is not None:
        return max(1, number)
    return 1


def paginate(session: Session, statement: Select, page: int, per_page: int,
             count_up_to: int | None = None) -> Page:
    """The page's rows and the number of matching rows; with ``count_up_to``, counted only
    up to that many rows past the page's start (``more`` says there are more)."""
    counted = statement.order_by(None)
    bound = None
    if count_up_to is not None:  # a plain select of one table's rows (no DISTINCT)
        count_up_to = -(-count_up_to // per_page) * per_page  # whole pages: "of more than N"
        bound = (page - 1) * per_page + count_up_to
        # only the WHERE is needed: the database may answer it from an index alone
        counted = counted.with_only_columns(literal_column("1"), maintain_column_froms=True) \
            .limit(bound + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    items = list(session.scalars(statement.limit(per_page).offset((page - 1) * per_page))
                 .unique())
    more = bound is not None and total > bound
    return Page(items=items, total=bound if more else total, page=page, per_page=per_page,
                more=more)
