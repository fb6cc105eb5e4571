"""The registry of things evidence can be attached to ("subjects").

Each app registers its models from its ``AppConfig.ready``::

    register_subject(
        DialogueTable,
        phase=Evidence.Phase.DIALOGUE_TABLES,
        secretariat_of=lambda table: table.secretariat,
        label=_("Mesa de diálogo"),
    )

URLs address a subject type as ``"<app_label>.<model_name>"`` (for example ``"stl.secretariat"``)
plus the object's primary key. Only registered types can receive evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


def _members_facilitator_and_admins(access) -> bool:
    return access.can_contribute or access.can_manage


@dataclass(frozen=True)
class SubjectType:
    """How one registered model takes part in the evidence vault."""

    model: type[models.Model]
    phase: str
    secretariat_of: Callable
    label: str
    # Who may attach, supersede and withdraw evidence here, from a SecretariatAccess.
    may_attach: Callable = _members_facilitator_and_admins
    # The relations ``str(subject)`` reads, joined when many subjects are fetched at once;
    # None means every foreign key of the model (one level deep).
    select_related: tuple[str, ...] | None = None

    @property
    def key(self) -> str:
        return subject_key(self.model)

    def queryset(self) -> models.QuerySet:
        """Return the subjects of this type ready to be named without further queries."""
        fields = self.select_related
        if fields is None:
            fields = tuple(
                field.name
                for field in self.model._meta.concrete_fields
                if field.is_relation and (field.many_to_one or field.one_to_one)
            )
        manager = self.model._default_manager
        # select_related() without names would follow every non-null relation, recursively.
        return manager.select_related(*fields) if fields else manager.all()

    @property
    def phase_label(self) -> str:
        from evidence.models import Evidence

        return Evidence.Phase(self.phase).label


_REGISTRY: dict[str, SubjectType] = {}


def subject_key(model_or_obj) -> str:
    """Return the URL key ``"<app_label>.<model_name>"`` of a model or instance."""
    opts = model_or_obj._meta
    return f"{opts.app_label}.{opts.model_name}"


def register_subject(
    model: type[models.Model],
    *,
    phase: str,
    secretariat_of: Callable,
    label: str,
    may_attach: Callable | None = None,
    select_related: tuple[str, ...] | None = None,
) -> SubjectType:
    """Let evidence be attached to instances of ``model`` (idempotent for the same model).

    ``secretariat_of(obj)`` returns the STL the object belongs to; it scopes who may see and
    attach. ``may_attach(secretariat_access)`` overrides who may attach (members, the
    facilitator and INAI administrators by default). ``select_related`` names the relations
    ``str(obj)`` reads, so that lists naming many subjects take one query per subject type
    (every foreign key of the model by default).
    """
    subject_type = SubjectType(
        model=model,
        phase=phase,
        secretariat_of=secretariat_of,
        label=label,
        may_attach=may_attach or _members_facilitator_and_admins,
        select_related=tuple(select_related) if select_related is not None else None,
    )
    _REGISTRY[subject_type.key] = subject_type
    return subject_type


def unregister_subject(model: type[models.Model]) -> None:
    """Forget a registered model (for tests)."""
    _REGISTRY.pop(subject_key(model), None)


def subject_type_for_key(key: str) -> SubjectType:
    """Return the registered type for a URL key, or raise LookupError."""
    try:
        return _REGISTRY[key]
    except KeyError:
        raise LookupError(f"{key!r} is not a registered evidence subject") from None


def subject_type_of(obj) -> SubjectType:
    """Return the registered type of a subject instance, or raise LookupError."""
    return subject_type_for_key(subject_key(obj))


def content_type_of(obj):
    """Return the ContentType row of a subject (cached by Django after the first lookup)."""
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)


def registered_subject_types() -> list[SubjectType]:
    return list(_REGISTRY.values())


def subject_prefetch(lookup: str = "subject"):
    """Prefetch the generic ``subject`` of evidence rows with one query per subject model present,
    each joined with what its ``str()`` needs (see ``SubjectType.select_related``)."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    return GenericPrefetch(lookup, [subject_type.queryset() for subject_type in _REGISTRY.values()])


def get_subject(key: str, subject_id) -> tuple[SubjectType, models.Model] | None:
    """Return the registered type and the object a URL names, or None when either is unknown."""
    try:
        subject_type = subject_type_for_key(key)
        return subject_type, subject_type.model._default_manager.get(pk=subject_id)
    except (LookupError, ValueError, TypeError, models.ObjectDoesNotExist):
        return None
