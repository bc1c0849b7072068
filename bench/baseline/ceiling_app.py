"""The app ceiling: the same routes with no database, what FastAPI alone can serve.

POST /users, GET /users/{id} and GET /users?offset=&limit= behave as in the generated app
(201 with the new user, 409 on a duplicate email, 404 for a missing id, a JSON array of at
most `limit` users ordered by id), but the users live in a dict in the process. The bench
serves it like the `generated` row (one worker, uvicorn's defaults), so the gap between the
two is what the database path costs each request.
"""

from itertools import islice
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, status
from pydantic import BaseModel, Field


class UserCreate(BaseModel):
    name: str = Field(max_length=255)
    email: str = Field(max_length=255)


class UserRead(UserCreate):
    id: int


app = FastAPI()
users: dict[int, UserRead] = {}
emails: set[str] = set()


@app.post("/users", status_code=status.HTTP_201_CREATED)
async def create_user(data: UserCreate) -> UserRead:
    if data.email in emails:
        raise HTTPException(status.HTTP_409_CONFLICT, "email already taken")
    user = UserRead(id=len(users) + 1, **data.model_dump())
    users[user.id] = user
    emails.add(user.email)
    return user


@app.get("/users")
async def list_users(
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[UserRead]:
    return list(islice(users.values(), offset, offset + limit))  # ids in insertion order


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> UserRead:
    user = users.get(user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"User {user_id} not found")
    return user
