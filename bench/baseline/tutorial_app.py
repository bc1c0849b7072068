"""The app baseline: FastAPI + async SQLAlchemy as the classic tutorials write it.

Deliberately the common pattern, not a tuned one: legacy `declarative_base()` and
`Column(...)`, `sessionmaker(engine, class_=AsyncSession)`, tables created in an
`@app.on_event("startup")` handler, SQLite with default settings (no pragmas), a session
per request through `Depends(get_session)`. Same User model and routes as the generated
app: POST /users (email unique, 409 on a duplicate), GET /users/{id} and the list,
GET /users?offset=&limit= (the tutorials' `.offset().limit()` page, here ordered by id, with
the generated app's parameter names and default page of 20, so that it answers the same
requests with the same JSON array).

The bench serves it with one worker and plain uvicorn (`--loop asyncio --http h11`),
from a temporary working directory, so `tutorial.db` lands there; `DATABASE_URL` points
its PostgreSQL and MariaDB variants elsewhere.
"""

import os

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Column, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./tutorial.db")

engine = create_async_engine(DATABASE_URL)
SessionLocal = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
Base = declarative_base()


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True, index=True)
    name = Column(String(255), nullable=False)
    email = Column(String(255), unique=True, index=True, nullable=False)


class UserCreate(BaseModel):
    name: str
    email: str


class UserRead(UserCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


app = FastAPI()


@app.on_event("startup")
async def startup() -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


async def get_session():  # type: ignore[no-untyped-def]
    async with SessionLocal() as session:
        yield session


@app.post("/users", response_model=UserRead, status_code=201)
async def create_user(
    user: UserCreate,
    session: AsyncSession = Depends(get_session),  # noqa: B008 (the tutorial pattern)
):  # type: ignore[no-untyped-def]
    db_user = User(name=user.name, email=user.email)
    session.add(db_user)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(status_code=409, detail="Email already registered") from None
    await session.refresh(db_user)
    return db_user


@app.get("/users/{user_id}", response_model=UserRead)
async def read_user(
    user_id: int,
    session: AsyncSession = Depends(get_session),  # noqa: B008 (the tutorial pattern)
):  # type: ignore[no-untyped-def]
    result = await session.execute(select(User).where(User.id == user_id))
    user = result.scalar_one_or_none()
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


@app.get("/users", response_model=list[UserRead])
async def read_users(
    offset: int = 0,
    limit: int = 20,
    session: AsyncSession = Depends(get_session),  # noqa: B008 (the tutorial pattern)
):  # type: ignore[no-untyped-def]
    result = await session.execute(select(User).order_by(User.id).offset(offset).limit(limit))
    return result.scalars().all()
