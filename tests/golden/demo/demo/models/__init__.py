"""Every model of the project: each module here is imported, so that `Base.metadata` knows
all tables. A model is a module of this package; nothing else lists it."""

from demo.database import Base as Base
from demo.discovery import import_modules

import_modules(__name__, __path__)
