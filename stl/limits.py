"""Bounds of what is typed into the STL registry, in one place.

The model fields carry them (``pal_portal.bounds``), so the forms and the services refuse the
same values with the same message. Dates start at ``pal_portal.bounds.EARLIEST_DATE``.
"""

# An exercise is two years written "2016–2018", from 2000 on. It cannot outlast a state
# government's six-year term.
EXERCISE_LONGEST_YEARS = 6
# The facilitator's neutrality declaration: a page or two.
STATEMENT_MAX_LENGTH = 10_000
