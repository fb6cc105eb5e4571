"""Bounds of what people write in the co-creation record, in one place.

The model fields carry them (``pal_portal.bounds``), so the forms and the services refuse the
same values with the same message. Dates start at ``pal_portal.bounds.EARLIEST_DATE``.
"""

# People at one dialogue table: open assemblies gather hundreds; ten thousand is a stadium, and
# anything beyond it is a typing mistake.
MAX_ATTENDEES = 10_000
# Participants in, and contributions to, one public consultation: the most populous state
# (Estado de México) has about 17 million inhabitants and no consultation has reached ten
# million people; the limit also stays far below PostgreSQL's integer (2³¹ − 1).
MAX_PARTICIPANTS = 10_000_000
MAX_CONTRIBUTIONS = 10_000_000
# A consultation may be registered before it closes, but no STL exercise plans further ahead
# than its two years.
PLANNING_HORIZON_YEARS = 2

# Texts. Minutes run to a few pages (the signed acta is attached as evidence); agendas,
# descriptions, results and declarations to a page or two; comments and the short descriptions
# of a consultation (channels, who could take part, restrictions) to a paragraph or two.
MINUTES_MAX_LENGTH = 30_000
LONG_TEXT_MAX_LENGTH = 10_000
SHORT_TEXT_MAX_LENGTH = 2_000
COMMENT_MAX_LENGTH = 2_000
# The problems raised at a table or consultation, typed one per line in one box.
PROBLEM_LINES_MAX_LENGTH = LONG_TEXT_MAX_LENGTH
