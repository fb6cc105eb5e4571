"""Writes of the co-creation record, one module per part of it; import them from here."""

from cocreation.services.consultations import (  # noqa: F401
    consultation_record,
    consultation_update,
)
from cocreation.services.decisions import (  # noqa: F401
    decision_close,
    decision_comment_add,
    decision_open,
    decision_outcome_rule,
    decision_vote,
)
from cocreation.services.dialogue import (  # noqa: F401
    dialogue_table_log,
    dialogue_table_update,
    minutes_answer,
)
from cocreation.services.neutrality import neutrality_declare  # noqa: F401
from cocreation.services.prioritization import (  # noqa: F401
    prioritization_compute,
    prioritization_create,
    prioritization_entry_delete,
    prioritization_entry_record,
    prioritization_entry_submit,
    prioritization_methodology_attach,
    prioritization_methodology_regenerate,
)
from cocreation.services.problems import (  # noqa: F401
    problem_add,
    problem_merge,
)
