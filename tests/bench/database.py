"""Each bench module works in a database of its own, created empty for the run: on SQLite a
file in its throwaway folder; on PostgreSQL (DATABASE_URL=postgres://…/NAME) the database
NAME_bench_<module>, dropped and created again on the same server. The database DATABASE_URL
names is never touched, whatever it holds, and one module's rows never weigh on another's
figures."""

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def bench_database_url(workdir, label, url=None):
    """The URL of an empty database for the bench module `label`."""
    if not url or not url.startswith("postgres"):
        return f"sqlite:///{workdir}/bench-{label}.sqlite3"
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_{label}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))
