"""HTTP routes, one module per model, and the path parameter they share."""

from typing import Annotated

from fastapi import Path

# Row ids are positive 32-bit integers (the `id` column): anything else answers 422 before
# it can reach, and upset, the database.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
