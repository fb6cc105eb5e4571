from tests.url_matrix import OK, admins_only, everyone, expect, insiders_only


def stl_a(world):
    return {"pk": world.state_a.pk}


expect("stl:list", **everyone(OK))
expect("stl:create", **admins_only())
expect("stl:dashboard", kwargs=stl_a, **{**insiders_only(), "anonymous": 404})
expect("stl:nucleus_create", kwargs=stl_a, **admins_only())
expect("stl:member_invite", kwargs=stl_a, **admins_only())
expect("stl:facilitator_assign", kwargs=stl_a, **admins_only())
expect("stl:quorum_rule", kwargs=stl_a, **admins_only())
expect("stl:history", kwargs=stl_a, **insiders_only())
expect(
    "stl:member_deactivate",
    kwargs=lambda world: {
        "pk": world.state_a.pk,
        "member_pk": world.state_a.members.get(user=world.alicia).pk,
    },
    **admins_only(405),  # POST only; everyone else learns nothing
)
