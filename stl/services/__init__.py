"""Writes of the stl app, one module per part of the STL's life; import them from here."""

from stl.services.consultations import (  # noqa: F401
    consultation_record,
    consultation_update,
)
from stl.services.decisions import (  # noqa: F401
    decision_close,
    decision_comment_add,
    decision_open,
    decision_vote,
)
from stl.services.dialogue import (  # noqa: F401
    dialogue_table_log,
    dialogue_table_update,
    minutes_answer,
)
from stl.services.neutrality import neutrality_declare  # noqa: F401
from stl.services.prioritization import (  # noqa: F401
    prioritization_compute,
    prioritization_create,
    prioritization_entry_delete,
    prioritization_entry_record,
    prioritization_entry_submit,
    prioritization_methodology_attach,
    prioritization_methodology_regenerate,
)
from stl.services.problems import (  # noqa: F401
    problem_add,
    problem_merge,
)
from stl.services.registry import (  # noqa: F401
    facilitator_assign,
    invitation_accept,
    invitation_check,
    member_deactivate,
    member_invite,
    nucleus_add,
    secretariat_register,
)
