"""The peer of the generated app's many-to-many list (bench part D): FastAPI + async
SQLAlchemy 2.0 as their docs write a many-to-many today, nothing added.

`Post.tags` through an association table (`relationship(secondary=...)`), loaded for a
page with `selectinload`, as SQLAlchemy's asyncio documentation recommends; the same
routes and bodies as the generated project's Tag and Post: POST /tags, POST /posts (with
`tag_ids`), GET /posts?offset=&limit= (each post with its `tag_ids` in id order).
`DATABASE_URL` picks the database; one session per request, `expire_on_commit=False`.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import Column, ForeignKey, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./plain_links.db")

engine = create_async_engine(DATABASE_URL)
sessionmaker = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


posts_tags = Table(
    "posts_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    tags: Mapped[list[Tag]] = relationship(secondary=posts_tags)


class TagCreate(BaseModel):
    name: str = Field(max_length=255)


class PostCreate(BaseModel):
    title: str = Field(max_length=255)
    tag_ids: list[int] = []


class PostRead(PostCreate):
    id: int


def as_read(post: Post) -> dict[str, Any]:
    return {"id": post.id, "title": post.title, "tag_ids": sorted(t.id for t in post.tags)}


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
app = FastAPI(lifespan=lifespan)


@app.post("/tags", status_code=status.HTTP_201_CREATED)
async def create_tag(data: TagCreate, session: SessionDep) -> dict[str, Any]:
    tag = Tag(name=data.name)
    session.add(tag)
    await session.commit()
    return {"id": tag.id, "name": tag.name}


@app.post("/posts", response_model=PostRead, status_code=status.HTTP_201_CREATED)
async def create_post(data: PostCreate, session: SessionDep) -> dict[str, Any]:
    tags = (await session.scalars(select(Tag).where(Tag.id.in_(data.tag_ids)))).all()
    post = Post(title=data.title, tags=list(tags))
    session.add(post)
    await session.commit()
    return as_read(post)


@app.get("/posts", response_model=list[PostRead])
async def list_posts(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    query = select(Post).options(selectinload(Post.tags)).order_by(Post.id)
    posts = await session.scalars(query.offset(offset).limit(limit))
    return [as_read(post) for post in posts]
