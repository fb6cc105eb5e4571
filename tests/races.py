"""Run calls at the same instant, each in its own thread and database connection.

Only PostgreSQL can show a lost update or a double insert (SQLite serialises every write): tests
that use ``race`` skip themselves there, and run with ``django_db(transaction=True)``.
"""

import threading

from django.db import connections


def race(*calls):
    """Run each call in its own thread and connection, all at once; return what each gave.

    Each outcome is ``("ok", value)`` or ``("error", exception)``.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread met
            outcomes[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(outcome is not None for outcome in outcomes), "a thread did not finish"
    return outcomes
