"""HTTP routes, one module per model, and what they share: the app serves the `router` of
every module here (see `discovery`); lists take their parameters from `listing`."""

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path
from fastapi import Query
from starlette.routing import Match
from starlette.types import Scope

# Row ids are positive 32-bit integers (the `id` column): anything else answers 422 before
# it can reach, and upset, the database.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

# The paging of a list made before 0.2.0 (`?offset=&limit=`), kept so that such a router
# still works; 0.2.0's lists page by cursor (`listing`).
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=100)]


class PrefixedRouter(APIRouter):
    """An `APIRouter` that turns a request outside its prefix away at once.

    FastAPI tries a request against each route of each router in turn, so without this a
    request costs more with every model added. Every route of a router with a prefix is
    under it: one comparison rules them all out (bench/README.md, part C). A plain
    `APIRouter` serves the same routes, only that much slower; once FastAPI skips routers
    by prefix itself (fastapi/fastapi#16159), this class has nothing left to do.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        fixed = self.prefix.split("{", 1)[0]  # up to a path parameter, if it has one
        path, root = scope.get("path", ""), scope.get("root_path", "")
        inside = path.startswith(fixed) or path.startswith(root + fixed)
        return super().matches(scope) if inside else (Match.NONE, {})
