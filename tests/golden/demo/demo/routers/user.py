"""CRUD routes for User.

Create, read, list, update and delete under `/users`.
"""

from collections.abc import Sequence
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import Query
from fastapi import status
from sqlalchemy import bindparam
from sqlalchemy import select

from demo import integrity
from demo.database import ConnectionDep
from demo.database import SessionDep
from demo.models.user import User
from demo.routers import RowId
from demo.schemas.user import UserCreate
from demo.schemas.user import UserRead
from demo.schemas.user import UserUpdate

router = APIRouter(prefix="/users", tags=["users"])

UNIQUE_FIELDS: tuple[str, ...] = ("email",)


async def get_user(
    user_id: RowId,
    session: SessionDep,
) -> User:
    """The User named in the path, or 404 Not Found."""
    user = await session.get(User, user_id)
    if user is None:
        detail = f"User {user_id} not found"
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail)
    return user


UserDep = Annotated[User, Depends(get_user)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(
    data: UserCreate,
    session: SessionDep,
) -> User:
    values = data.model_dump()
    user = User(**values)
    session.add(user)
    await integrity.save(session, user, UNIQUE_FIELDS)
    return user


@router.get("", response_model=list[UserRead])
async def list_users(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Sequence[User]:
    query = select(User).order_by(User.id)
    rows = await session.scalars(query.offset(offset).limit(limit))
    return rows.all()


# The hottest route reads through Core on the request's connection, without a session:
# the row goes straight into the response model, with no ORM object to build, track and
# throw away.
READ_ONE = select(User.__table__).where(User.id == bindparam("id"))


@router.get("/{user_id}", response_model=UserRead)
async def read_user(
    user_id: RowId,
    connection: ConnectionDep,
) -> dict[str, Any]:
    row = (await connection.execute(READ_ONE, {"id": user_id})).first()
    if row is None:
        detail = f"User {user_id} not found"
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail)
    return dict(row._mapping)


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(
    data: UserUpdate,
    user: UserDep,
    session: SessionDep,
) -> User:
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(user, name, value)
    await integrity.save(session, user, UNIQUE_FIELDS)
    return user


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(
    user: UserDep,
    session: SessionDep,
) -> None:
    await integrity.delete(session, user)
