"""Every model of the project, imported here so that `Base.metadata` knows all tables."""

from demo.database import Base as Base
from demo.models.user import User as User

# fastsqla: models (`fastsqla add-model` imports each new model above this line)
