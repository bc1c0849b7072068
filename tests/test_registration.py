"""Registration edits: sorted, idempotent, and refused with instructions when the place is gone."""

import re

import pytest

from fastsqla_cli.errors import RegistrationError
from fastsqla_cli.registration import register_model, register_router

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


@pytest.mark.parametrize(
    ("module", "after"),
    [
        ("blog_post", "from shop import DESCRIPTION\n"),
        ("post", "from shop.routers import health\n"),
        ("zebra", "from shop.routers import user\n"),
        ("account", "from shop import DESCRIPTION\n"),
    ],
)
def test_router_import_is_sorted_and_include_goes_above_the_marker(module: str, after: str) -> None:
    edited = register_router(
        MAIN,
        f"shop.routers.{module}",
        f"    app.include_router({module}.router)",
        "shop",
        "shop/main.py",
    )
    assert after + f"from shop.routers import {module}\n" in edited
    assert (
        f"    app.include_router(user.router)\n    app.include_router({module}.router)\n"
        "    # fastsqla: routers" in edited
    )
    assert len(edited.splitlines()) == len(MAIN.splitlines()) + 2


def test_registration_is_idempotent() -> None:
    args = ("shop.routers.post", "    app.include_router(post.router)", "shop", "m")
    once = register_router(MAIN, *args)
    assert register_router(once, *args) == once
    once = register_model(MODELS, "shop.models.post", "Post", "shop", "m")
    assert register_model(once, "shop.models.post", "Post", "shop", "m") == once


def test_model_import_is_sorted() -> None:
    edited = register_model(MODELS, "shop.models.blog_post", "BlogPost", "shop", "x")
    assert edited.splitlines()[2:5] == [
        "from shop.database import Base as Base",
        "from shop.models.blog_post import BlogPost as BlogPost",
        "from shop.models.user import User as User",
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


def test_a_long_import_is_wrapped_and_later_ones_sort_around_it() -> None:
    module, name = (
        "shop.models.international_shipping_destination",
        "InternationalShippingDestination",
    )
    edited = register_model(MODELS, module, name, "shop", "m")
    assert (
        f"from {module} import (\n    {name} as {name},\n)\nfrom shop.models.user import User"
        in edited
    )
    assert register_model(edited, module, name, "shop", "m") == edited
    again = register_model(edited, "shop.models.zone", "Zone", "shop", "m")
    assert again.index("shop.models.user") < again.index("shop.models.zone")
    again = register_model(edited, "shop.models.apple", "Apple", "shop", "m")
    assert again.index("shop.models.apple") < again.index(module)


def test_a_file_that_does_not_parse_is_refused() -> None:
    with pytest.raises(RegistrationError, match="does not parse"):
        register_model(MODELS + "def broken(:\n", "shop.models.post", "Post", "shop", "m")
