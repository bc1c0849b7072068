"""Registration edits: placed, idempotent, and refused with instructions when the place is gone.

They add lines; ruff then sorts the imports (see test_add_model and test_rendering)."""

import re

import pytest

from fastsqla_cli.add_model import register_model, register_router
from fastsqla_cli.errors import RegistrationError

MAIN = """\
from fastapi import FastAPI

from shop import DESCRIPTION
from shop.routers import health
from shop.routers import user
from shop.settings import Settings


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(health.router)
    app.include_router(user.router)
    # fastsqla: routers (`fastsqla add-model` includes each new router above this line)
    return app
"""

MODELS = """\
\"\"\"Models.\"\"\"

from shop.database import Base as Base
from shop.models.user import User as User

# fastsqla: models (`fastsqla add-model` imports each new model above this line)
"""


def test_router_import_follows_our_imports_and_include_goes_above_the_marker() -> None:
    edited = register_router(
        MAIN, "shop.routers.blog_post", "    app.include_router(blog_post.router)", "shop", "m"
    )
    assert "from shop.settings import Settings\nfrom shop.routers import blog_post\n" in edited
    assert (
        "    app.include_router(user.router)\n    app.include_router(blog_post.router)\n"
        "    # fastsqla: routers" in edited
    )
    assert len(edited.splitlines()) == len(MAIN.splitlines()) + 2


def test_registration_is_idempotent() -> None:
    args = ("shop.routers.post", "    app.include_router(post.router)", "shop", "m")
    once = register_router(MAIN, *args)
    assert register_router(once, *args) == once
    once = register_model(MODELS, "shop.models.post", "Post", "shop", "m")
    assert register_model(once, "shop.models.post", "Post", "shop", "m") == once


def test_model_import_follows_our_imports() -> None:
    edited = register_model(MODELS, "shop.models.blog_post", "BlogPost", "shop", "x")
    assert edited.splitlines()[2:5] == [
        "from shop.database import Base as Base",
        "from shop.models.user import User as User",
        "from shop.models.blog_post import BlogPost as BlogPost",
    ]


def test_a_missing_router_marker_names_the_lines_to_add() -> None:
    text = MAIN.replace("    # fastsqla: routers", "    # (removed)")
    with pytest.raises(RegistrationError) as raised:
        register_router(
            text, "shop.routers.post", "    app.include_router(post.router)", "shop", "shop/main.py"
        )
    message = str(raised.value)
    assert "# fastsqla: routers" in message and "shop/main.py" in message
    assert "from shop.routers import post; app.include_router(post.router)" in message


def test_a_missing_model_marker_names_the_line_to_add() -> None:
    text = MODELS.replace("# fastsqla: models", "# gone")
    with pytest.raises(
        RegistrationError, match=re.escape("from shop.models.post import Post as Post")
    ):
        register_model(text, "shop.models.post", "Post", "shop", "shop/models/__init__.py")


def test_a_file_that_does_not_parse_is_refused() -> None:
    with pytest.raises(RegistrationError, match="does not parse"):
        register_model(MODELS + "def broken(:\n", "shop.models.post", "Post", "shop", "m")
