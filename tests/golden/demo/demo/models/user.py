"""The User model.

Its rows live in the table `users`.

fastsqla made it with the commands below, and reads them to change it later: keep
them as they are.

    add-model User name:str email:str:unique
"""

from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from demo.database import Base


class User(Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), unique=True)
