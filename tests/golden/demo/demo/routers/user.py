"""CRUD routes for User.

Create, read, list, update and delete under `/users`.
"""

from typing import Annotated
from typing import Any

from fastapi import Depends
from fastapi import Query
from fastapi import status
from sqlalchemy import bindparam
from sqlalchemy import select

from demo import integrity
from demo import listing
from demo.database import ReadConnectionDep
from demo.database import SessionDep
from demo.errors import NotFound
from demo.errors import responses
from demo.models.user import User
from demo.routers import PrefixedRouter
from demo.routers import RowId
from demo.schemas.user import UserCreate
from demo.schemas.user import UserPage
from demo.schemas.user import UserQuery
from demo.schemas.user import UserRead
from demo.schemas.user import UserUpdate

router = PrefixedRouter(prefix="/users", tags=["users"])


async def get_user(
    user_id: RowId,
    session: SessionDep,
) -> User:
    """The User named in the path; `NotFound` when there is none."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} not found", input=user_id)
    return user


UserDep = Annotated[User, Depends(get_user)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=responses(status.HTTP_400_BAD_REQUEST, status.HTTP_409_CONFLICT),
)
async def create_user(
    data: UserCreate,
    session: SessionDep,
) -> User:
    user = User(**data.model_dump())
    session.add(user)
    await integrity.save(session, user)
    return user


# The reads go through Core on the request's connection, without a session: each row
# goes straight into the response model, with no ORM object to build, track and throw
# away.
READ_ALL = select(User.__table__)
READ_ONE = select(User.__table__).where(User.id == bindparam("id"))


@router.get(
    "",
    response_model=UserPage,
    dependencies=[listing.once_each(UserQuery)],
)
async def list_users(
    params: Annotated[UserQuery, Query()],
    connection: ReadConnectionDep,
) -> dict[str, Any]:
    """A page of User rows, in `id` order unless `sort` says otherwise.

    Filters: `field=value`; `field__in=a&field__in=b`, one of the values;
    `__gt`, `__gte`, `__lt`, `__lte` for numbers and times; `__contains`
    and `__startswith` for text, case-insensitive; `__isnull=true|false`
    for a field that may be empty. Pass `next_cursor` as `cursor`, with the
    same filters and sort, for the next page.
    """
    return await listing.page(connection, READ_ALL, params)


@router.get(
    "/{user_id}",
    response_model=UserRead,
    responses=responses(status.HTTP_404_NOT_FOUND),
)
async def read_user(
    user_id: RowId,
    connection: ReadConnectionDep,
) -> dict[str, Any]:
    row = (await connection.execute(READ_ONE, {"id": user_id})).mappings().first()
    if row is None:
        raise NotFound(f"User {user_id} not found", input=user_id)
    return dict(row)


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    responses=responses(
        status.HTTP_400_BAD_REQUEST, status.HTTP_404_NOT_FOUND, status.HTTP_409_CONFLICT
    ),
)
async def update_user(
    data: UserUpdate,
    user: UserDep,
    session: SessionDep,
) -> User:
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(user, name, value)
    await integrity.save(session, user)
    return user


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(status.HTTP_404_NOT_FOUND, status.HTTP_409_CONFLICT),
)
async def delete_user(
    user: UserDep,
    session: SessionDep,
) -> None:
    await integrity.delete(session, user)
