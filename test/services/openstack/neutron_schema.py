"""Create neutron-server's head schema in an sqlite database from the ORM models.

Neutron's alembic migrations use ALTER CONSTRAINT, which sqlite lacks, so setup.sh builds the
schema the way neutron's own unit tests do and then runs `neutron-db-manage stamp heads`.
Run with Debian's interpreter (/usr/bin/python3): a pyenv python on PATH has no neutron.
Usage: /usr/bin/python3 neutron_schema.py sqlite:////path/to/neutron.db
"""
import sys

import sqlalchemy
from neutron.db.migration.models import head  # noqa: F401  registers every model on BASEV2
from neutron_lib.db import model_base


def main(url: str) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        # WAL: readers never block the writer when api and rpc workers share the file
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    model_base.BASEV2.metadata.create_all(engine)
    print(f"neutron schema: {len(model_base.BASEV2.metadata.tables)} tables in {url}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
