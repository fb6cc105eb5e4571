from tests.url_matrix import OK, REDIRECT, everyone, expect

signed_in = {
    "anonymous": REDIRECT,
    "alicia": OK,
    "bruno": OK,
    "fernanda": OK,
    "rita": OK,
    "adan": OK,
}

expect(
    "home",
    anonymous=OK,
    alicia=REDIRECT,
    bruno=REDIRECT,
    fernanda=REDIRECT,
    rita=REDIRECT,
    adan=REDIRECT,
)
expect("healthz", **everyone())
expect("login", **everyone())
expect("logout", **everyone(405))  # logging out is POST only
expect("password_reset", **everyone())
expect("password_reset_done", **everyone())
expect(
    "password_reset_confirm",
    kwargs=lambda world: {"uidb64": "MQ", "token": "no-es-valido"},
    public=True,
    **everyone(),
)
expect("password_reset_complete", **everyone())
expect("password_change", **signed_in)
expect("password_change_done", **signed_in)
expect("invitation_accept", kwargs=lambda world: {"key": "no-existe"}, public=True, **everyone(410))
expect("set_language", **everyone(302))
