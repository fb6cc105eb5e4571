"""Uploading through the page: hostile files refused with their message and nothing kept."""

import hashlib
import io
import os

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import Evidence, EvidenceEvent
from tests.conftest import client_for
from tests.evidence.factories import attach, evidence_root, pdf_bytes, stored_files
from tests.evidence.test_upload_validation import (
    HTML,
    LINUX_ELF,
    MINIMAL_PDF,
    SVG,
    WINDOWS_EXE,
    crowded_docx_bytes,
    image_bytes,
    macro_docx_bytes,
    png_html_polyglot,
    zip_bomb_bytes,
)

pytestmark = pytest.mark.django_db


def upload_url(secretariat):
    return reverse(
        "evidence:subject",
        kwargs={
            "pk": secretariat.pk,
            "subject_type": "stl.secretariat",
            "subject_id": secretariat.pk,
        },
    )


def named(name: str, content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def form_data(*files, **extra):
    return {"files": list(files), "kind": "acta", "description": "Acta de instalación", **extra}


def raw_multipart(fields: dict, filename: str, content: bytes, boundary="limite-de-prueba"):
    """Build a body by hand: the test client would strip a path from the file name itself."""
    body = b""
    for key, value in fields.items():
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def vault_snapshot():
    """Everything that must stay unchanged when an upload is refused."""
    return (
        {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in stored_files()},
        list(Evidence.objects.order_by("pk").values_list("pk", "sha256")),
        EvidenceEvent.objects.count(),
        Evidence.history.count(),
    )


def form_errors(response) -> list[str]:
    return list(response.context["panel"]["form"].non_field_errors())


def test_the_description_loses_its_direction_controls(state_a, alicia):
    response = client_for(alicia).post(
        upload_url(state_a),
        form_data(named("acta.pdf", pdf_bytes("acta")), description="\u202eActa\u202c firmada"),
    )

    assert response.status_code == 302
    assert Evidence.objects.get().description == "Acta firmada"


def test_member_uploads_the_installation_act(state_a, alicia):
    content = pdf_bytes("acta")
    client = client_for(alicia)

    response = client.post(
        upload_url(state_a), form_data(named("Acta de instalación.pdf", content))
    )

    assert response.status_code == 302
    assert response["Location"] == upload_url(state_a)
    evidence = Evidence.objects.get()
    assert evidence.original_name == "Acta de instalación.pdf"
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == alicia
    assert evidence.history.get().history_user == alicia
    page = client.get(upload_url(state_a)).content.decode()
    assert "Acta de instalación.pdf" in page
    assert evidence.sha256 in page
    assert "Se adjuntó 1 archivo." in page
    assert "Fase: Instalación del STL" in page


def test_several_files_at_once_each_judged_on_its_own(state_a, alicia):
    response = client_for(alicia).post(
        upload_url(state_a),
        form_data(
            named("acta.pdf", pdf_bytes("a")),
            named("lista.pdf", pdf_bytes("b")),
            named("acta.pdf.exe", MINIMAL_PDF),
        ),
    )

    assert response.status_code == 200
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == [
        "acta.pdf",
        "lista.pdf",
    ]
    assert form_errors(response) == [
        "«acta.pdf.exe»: La extensión .exe no está permitida. Formatos aceptados: PDF, JPG, "
        "PNG, WebP, DOCX, XLSX, PPTX, ODT, ODS, CSV o TXT."
    ]
    assert "Se adjuntaron 2 archivos." in response.content.decode()


def test_upload_is_streamed_to_disk_and_hashed_on_the_way(state_a, alicia, settings, monkeypatch):
    # Even a file Django would keep in memory goes through the evidence upload handler.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    received = []
    from evidence import services

    original = services._spooled

    def spy(uploaded_file):
        received.append(uploaded_file)
        return original(uploaded_file)

    monkeypatch.setattr(services, "_spooled", spy)
    content = pdf_bytes("stream")

    client_for(alicia).post(upload_url(state_a), form_data(named("acta.pdf", content)))

    (upload,) = received
    assert upload.sha256 == hashlib.sha256(content).hexdigest()
    assert upload.temporary_file_path()


def test_large_upload_read_in_many_pieces_is_stored_intact(state_a, alicia):
    # Several read-ahead pieces and parser chunks, with the boundary somewhere in between.
    content = MINIMAL_PDF + os.urandom(3 * 1024 * 1024 + 12345)

    response = client_for(alicia).post(upload_url(state_a), form_data(named("grande.pdf", content)))

    assert response.status_code == 302
    (path,) = stored_files()
    assert path.read_bytes() == content
    assert Evidence.objects.get().sha256 == hashlib.sha256(content).hexdigest()


HOSTILE_UPLOADS = [
    ("logo.svg", SVG, "Los archivos SVG no se aceptan."),
    ("logo.png", SVG, "Los archivos SVG no se aceptan."),
    ("pagina.html", HTML, "Los archivos HTML no se aceptan."),
    ("informe.pdf", HTML, "Los archivos HTML no se aceptan."),
    ("instalador.exe", WINDOWS_EXE, "La extensión .exe no está permitida."),
    ("acta.pdf.exe", MINIMAL_PDF, "La extensión .exe no está permitida."),
    ("informe.pdf", WINDOWS_EXE, "El archivo es un programa ejecutable y no se acepta."),
    ("notas.txt", LINUX_ELF, "El archivo es un programa ejecutable y no se acepta."),
    (
        "acta.pdf",
        image_bytes("PNG"),
        "La extensión .pdf no coincide con el contenido real del archivo (PNG).",
    ),
    (
        "captura.png",
        png_html_polyglot(),
        "La imagen contiene código HTML, de script o de servidor (PHP, ASP, SSI) oculto y no "
        "se acepta.",
    ),
    ("minuta.docx", zip_bomb_bytes(), "posible bomba de descompresión"),
    ("minuta.docx", crowded_docx_bytes(), "demasiados elementos internos"),
    ("macro.docx", macro_docx_bytes(), "El documento contiene macros y no se acepta."),
    ("vacío.pdf", b"", "El archivo está vacío."),
    ("acta\x00.pdf", MINIMAL_PDF, "caracteres de control no permitidos"),
    ("acta\x1b.pdf", MINIMAL_PDF, "caracteres de control no permitidos"),
    ("acta\u202efdp.exe", MINIMAL_PDF, "caracteres de control no permitidos"),
    ("carpeta\\acta.pdf", MINIMAL_PDF, "no puede contener barras"),
]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    HOSTILE_UPLOADS,
    ids=[f"{name!r}-{message[:25]}" for name, _content, message in HOSTILE_UPLOADS],
)
def test_hostile_upload_is_refused_with_its_message_and_nothing_changes(
    state_a, alicia, name, content, message
):
    attach(state_a, alicia, name="acta previa.pdf")
    before = vault_snapshot()

    response = client_for(alicia).post(upload_url(state_a), form_data(named(name, content)))

    assert response.status_code == 200
    (error,) = form_errors(response)
    assert message.rstrip(".") in error
    assert vault_snapshot() == before


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("../../etc/passwd.pdf", "no puede contener barras"),
        ("C:\\Users\\ana\\acta.pdf", "no puede contener barras"),
        ("..", "no puede estar formado solo por puntos"),
    ],
)
def test_path_in_the_file_name_is_refused_not_silently_removed(state_a, alicia, filename, message):
    before = vault_snapshot()
    client = client_for(alicia)
    client.get(upload_url(state_a))  # sets the CSRF cookie the form would carry
    body, content_type = raw_multipart(
        {"kind": "acta", "description": "Acta"}, filename, MINIMAL_PDF
    )

    response = client.post(upload_url(state_a), data=body, content_type=content_type)

    assert response.status_code == 200
    (error,) = form_errors(response)
    assert message in error
    assert vault_snapshot() == before


def test_file_over_the_limit_is_dropped_while_it_streams(state_a, alicia, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 100 * 1024
    before = vault_snapshot()

    response = client_for(alicia).post(
        upload_url(state_a),
        form_data(named("grande.pdf", MINIMAL_PDF + b"0" * (200 * 1024))),
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "«grande.pdf»: El archivo pesa más de 100 KB, el máximo permitido."
    ]
    assert vault_snapshot() == before


def test_oversize_body_is_refused_before_it_is_read(state_a, alicia, settings, monkeypatch):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 10 * 1024
    before = vault_snapshot()
    from evidence import uploads

    def must_not_run(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(uploads.EvidenceUploadHandler, "handle_raw_input", must_not_run)

    response = client_for(alicia).post(
        upload_url(state_a),
        form_data(named("enorme.pdf", MINIMAL_PDF + b"0" * (2 * 1024 * 1024))),
    )

    assert response.status_code == 413
    assert form_errors(response) == [
        "El envío pesa más de 10 KB, el máximo permitido. Sube los archivos en varios envíos."
    ]
    assert vault_snapshot() == before


def test_upload_without_csrf_token_is_refused(state_a, alicia):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alicia)

    response = client.post(upload_url(state_a), form_data(named("acta.pdf", pdf_bytes())))

    assert response.status_code == 403
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_upload_with_the_csrf_token_of_the_page_is_accepted(state_a, alicia):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alicia)
    page = client.get(upload_url(state_a))
    token = page.context["csrf_token"]

    response = client.post(
        upload_url(state_a),
        form_data(named("acta.pdf", pdf_bytes()), csrfmiddlewaretoken=str(token)),
    )

    assert response.status_code == 302
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("alicia", 302),
        ("bruno", 404),
        ("fernanda", 302),
        ("rita", 404),
        ("adan", 302),
    ],
)
def test_who_may_upload(world, persona, status):
    response = world.client(persona).post(
        upload_url(world.state_a), form_data(named("acta.pdf", pdf_bytes()))
    )

    assert response.status_code == status
    assert Evidence.objects.count() == (1 if status == 302 else 0)
    assert len(stored_files()) == (1 if status == 302 else 0)


def test_reviewer_sees_the_list_but_no_upload_form(state_a, alicia, rita):
    attach(state_a, alicia, name="acta.pdf")

    page = client_for(rita).get(upload_url(state_a)).content.decode()

    assert "acta.pdf" in page
    assert 'enctype="multipart/form-data"' not in page
    assert "Sustituir" not in page


def test_subject_of_another_stl_is_404(state_a, state_b, alicia):
    url = reverse(
        "evidence:subject",
        kwargs={"pk": state_a.pk, "subject_type": "stl.secretariat", "subject_id": state_b.pk},
    )

    assert client_for(alicia).get(url).status_code == 404


@pytest.mark.parametrize("subject_type", ["pal_portal.user", "stl.nada", "sin-punto"])
def test_unregistered_subject_types_are_404(state_a, adan, subject_type):
    url = reverse(
        "evidence:subject",
        kwargs={"pk": state_a.pk, "subject_type": subject_type, "subject_id": adan.pk},
    )

    assert client_for(adan).get(url).status_code == 404


def test_upload_goes_back_to_the_embedding_page(state_a, alicia):
    response = client_for(alicia).post(
        upload_url(state_a),
        form_data(named("acta.pdf", pdf_bytes()), next=state_a.get_absolute_url()),
    )

    assert response["Location"] == state_a.get_absolute_url()


def test_upload_never_goes_back_to_another_site(state_a, alicia):
    response = client_for(alicia).post(
        upload_url(state_a), form_data(named("acta.pdf", pdf_bytes()), next="https://evil.example/")
    )

    assert response["Location"] == upload_url(state_a)


SUBJECT_PAGE_QUERIES = 7  # with the count of the paginated files


@pytest.mark.parametrize("files", [1, 20])
def test_subject_page_takes_a_fixed_number_of_queries(
    state_a, alicia, rita, files, django_assert_num_queries
):
    for number in range(files):
        evidence = attach(state_a, alicia, name=f"acta {number}.pdf", contains_personal_data=True)
    client = client_for(rita)
    client.get(upload_url(state_a))  # warm the content-type cache

    with django_assert_num_queries(SUBJECT_PAGE_QUERIES):
        response = client.get(upload_url(state_a))

    assert response.content.decode().count("/descargar/") == files
    assert evidence.original_name in response.content.decode()


def test_storage_folder_is_outside_any_served_url(state_a, alicia, settings):
    evidence = attach(state_a, alicia)

    assert evidence_root().is_relative_to(settings.MEDIA_ROOT)
    guess = settings.MEDIA_URL + "evidence/" + evidence.file.name
    assert client_for(alicia).get(guess).status_code == 404
