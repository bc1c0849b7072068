"""Create the users table (User).

Revision ID: 0123456789ab
Revises:
Create Date: 2026-01-02 03:04:05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0123456789ab"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )


def downgrade() -> None:
    op.drop_table("users")  # its indexes and constraints go with it
