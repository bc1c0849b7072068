"""A peer of the generated app: the same model and routes served through FastCRUD.

FastCRUD (PyPI `fastcrud`) offers two ways: `crud_router`, which writes the routes, and
the `FastCRUD` class called from routes one writes. `crud_router`'s routes answer
differently from the generated app's (its list returns `{"data": [...]}`, 100 rows by
default; its POST answers 200, and 422 for a duplicate, which it looks for with a query of
its own before inserting), so this app uses the second way, as FastCRUD's README shows
it: `FastCRUD(User)` with `create`, `get` and `get_multi` in hand-written routes.

The database set-up is the plain one of `plain_app.py` (SQLAlchemy 2.0 `DeclarativeBase`,
`async_sessionmaker(engine, expire_on_commit=False)`, tables made in a `lifespan`, a
session per request through `Depends(get_session)`), and so are the model, the schemas
and their limits. Routes: POST /users (201, 409 on a duplicate email), GET /users/{id}
(404 when missing), GET /users?offset=&limit= (a JSON array of at most `limit` users, 20
by default, ordered by id), with part E's filters and sort (`name__startswith`, through
FastCRUD's `name__ilike`, `email__in` and `sort=-email`).

`DATABASE_URL` picks the database (SQLite, PostgreSQL or MariaDB). The bench serves it like
the generated app: one worker, uvicorn's defaults, access log on.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, status
from fastcrud import FastCRUD
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastcrud.db")

engine = create_async_engine(DATABASE_URL)
sessionmaker = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), unique=True)


class UserCreate(BaseModel):
    name: str = Field(max_length=255)
    email: str = Field(max_length=255)


class UserRead(UserCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


user_crud = FastCRUD(User)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]

app = FastAPI(lifespan=lifespan)


@app.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(data: UserCreate, session: SessionDep) -> Any:
    try:
        return await user_crud.create(
            session, data, schema_to_select=UserRead, return_as_model=True
        )
    except IntegrityError:
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered") from None


@app.get("/users", response_model=list[UserRead])
async def list_users(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    name__startswith: Annotated[str | None, Query(max_length=255)] = None,
    email__in: Annotated[list[str] | None, Query(max_length=100)] = None,
    sort: Annotated[str, Query(pattern="^(id|-email)$")] = "id",
) -> Any:
    # FastCRUD's own operators: `name__ilike` for a case-insensitive prefix.
    filters: dict[str, Any] = {}
    if name__startswith is not None:
        filters["name__ilike"] = f"{name__startswith}%"
    if email__in is not None:
        filters["email__in"] = email__in
    columns, orders = (["email", "id"], ["desc", "asc"]) if sort == "-email" else ("id", "asc")
    page = await user_crud.get_multi(
        session,
        offset=offset,
        limit=limit,
        sort_columns=columns,
        sort_orders=orders,
        return_total_count=False,
        **filters,
    )
    return page["data"]


@app.get("/users/{user_id}", response_model=UserRead)
async def read_user(user_id: UserId, session: SessionDep) -> Any:
    user = await user_crud.get(session, id=user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user
