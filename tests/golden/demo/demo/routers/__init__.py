"""HTTP routes, one module per model, and the parameters they share: the app serves the
`router` of every module here (see `discovery`); lists take theirs from `listing`."""

from typing import Annotated

from fastapi import Path
from fastapi import Query

# Row ids are positive 32-bit integers (the `id` column): anything else answers 422 before
# it can reach, and upset, the database.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

# The paging of a list made before 0.2.0 (`?offset=&limit=`), kept so that such a router
# still works; 0.2.0's lists page by cursor (`listing`).
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=100)]
