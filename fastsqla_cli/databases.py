"""The databases a project may use and the async driver its app takes for each: the CLI's
one source for them. The template says the same in `copier.yml` (the `database` question's
choices) and in the app's `settings.py` (`DRIVERS`); tests/test_check.py holds the three
together."""

# What `fastsqla new --db` takes, the default first.
DATABASES = ("sqlite", "postgresql", "mysql")

# `backend+driver://` in a database URL: the drivers the generated app takes (MariaDB is
# served by the MySQL driver); it refuses any other.
ASYNC_DRIVERS = {
    "sqlite": ("aiosqlite",),
    "postgresql": ("asyncpg",),
    "mysql": ("aiomysql",),
    "mariadb": ("aiomysql",),
}
