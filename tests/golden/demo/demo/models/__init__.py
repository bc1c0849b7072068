"""Every model of the project, imported so that `Base.metadata` knows all tables."""

from demo.database import Base as Base
from demo.models.user import User as User

# fastsqla: models (`fastsqla add-model` imports new models above this line)
