"""Active content in PDFs: removed from originals (and the user told), refused in public
versions, found however it is written. Real cases come from pdf.js's test corpus
(tests/evidence/corpus/README.md)."""

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest
from django.core.exceptions import ValidationError

from evidence import services
from evidence.file_checks import sniff_and_check
from evidence.models import Evidence, EvidenceEvent
from evidence.pdf_content import pdf_active_content
from tests.conftest import client_for
from tests.evidence.factories import attach, pdf_file, stored_files, stored_path
from tests.evidence.test_upload_validation import MINIMAL_PDF
from tests.evidence.test_upload_view import form_data, named, upload_url

PDFS = Path(__file__).parent / "corpus" / "pdf"

# pdf.js test file -> what it carries (the kinds as the checks name them)
ACTIVE = {
    "issue6106.pdf": ("javascript", "open_action"),  # alert on opening
    "autoprint.pdf": ("javascript",),  # document script hidden in an object stream
    "text_field_own_canvas_calc.pdf": ("javascript", "additional_actions"),  # field scripts
    "issue17846.pdf": ("launch",),  # links that launch a file
    "issue18030.pdf": ("embedded_files",),  # an attachment
    "xfa_issue14315.pdf": ("javascript", "xfa"),  # an XFA form with scripts
    "issue11442_reduced.pdf": ("open_action",),  # prints itself on opening
}
BENIGN = [
    "nested_outline.pdf",  # an outline and an /OpenAction that only shows page 1
    "issue6151.pdf",  # hex-escaped names (/Lorem#20ipsum…)
    "issue3214.pdf",  # links to web addresses
]
LABELS = {
    "javascript": "JavaScript",
    "open_action": "acciones automáticas al abrirlo",
    "additional_actions": "acciones automáticas de páginas, campos o anotaciones",
    "launch": "acciones que abren programas o archivos",
    "embedded_files": "archivos incrustados",
    "xfa": "formularios XFA",
}
# /J#61vaScript is /JavaScript with an escaped "a": the same name to every PDF reader.
OBFUSCATED = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R /Open#41ction 4 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n"
    b"4 0 obj << /#53 /J#61vaScript /J#53 (app.alert\\(1\\)) >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
PDF_MARKUP_MESSAGE = (
    "El PDF contiene código HTML, de script o de servidor (PHP, ASP, SSI) y no se acepta."
)

pytestmark = pytest.mark.django_db


def kinds_text(name: str) -> str:
    return ", ".join(LABELS[code] for code in ACTIVE[name])


def sniffed(tmp_path, content: bytes, name: str = "acta.pdf"):
    path = tmp_path / name
    path.write_bytes(content)
    return sniff_and_check(name=name, path=path)


def refusal(tmp_path, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as exc_info:
        sniffed(tmp_path, content)
    return exc_info.value


@pytest.mark.parametrize("name", list(ACTIVE))
def test_active_content_of_real_pdfs_is_found(name):
    assert sniff_and_check(name=name, path=PDFS / name).active_content == ACTIVE[name]


@pytest.mark.parametrize("name", list(ACTIVE))
def test_original_is_stored_without_its_active_content(state_a, alicia, name):
    content = (PDFS / name).read_bytes()

    evidence = attach(state_a, alicia, name=name, content=content)

    assert evidence.upload_notices == (
        f"Se quitó del PDF el contenido activo ({kinds_text(name)}); se guardó una copia sin él.",
    )
    stored = stored_path(evidence)
    assert pdf_active_content(path=stored) == ()
    assert evidence.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert evidence.size == stored.stat().st_size
    with pikepdf.open(PDFS / name) as original, pikepdf.open(stored) as copy:
        assert len(copy.pages) == len(original.pages)
    event = EvidenceEvent.objects.get(action=EvidenceEvent.Action.UPLOAD, evidence=evidence)
    assert event.detail["active_content_removed"] == list(ACTIVE[name])
    assert event.detail["uploaded_sha256"] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("name", ["issue6106.pdf", "issue17846.pdf", "issue18030.pdf"])
def test_public_version_with_active_content_is_refused(state_a, alicia, name):
    original = attach(state_a, alicia, contains_personal_data=True)
    files_before = stored_files()

    with pytest.raises(ValidationError) as exc_info:
        services.evidence_add_public_version(
            evidence=original,
            uploaded_file=pdf_file(name, (PDFS / name).read_bytes()),
            user=alicia,
        )

    assert exc_info.value.code == "pdf_active_content"
    assert exc_info.value.messages == [
        "Una versión pública no puede llevar contenido activo y este PDF tiene: "
        f"{kinds_text(name)}. Guárdalo de nuevo como PDF sin él (por ejemplo, con «Imprimir "
        "como PDF») y vuelve a subirlo."
    ]
    assert stored_files() == files_before
    original.refresh_from_db()
    assert original.public_version is None


@pytest.mark.parametrize("name", BENIGN)
def test_benign_pdf_is_stored_byte_for_byte(state_a, alicia, name):
    content = (PDFS / name).read_bytes()

    evidence = attach(state_a, alicia, name=name, content=content)

    assert evidence.upload_notices == ()
    assert stored_path(evidence).read_bytes() == content
    assert "active_content_removed" not in EvidenceEvent.objects.get(evidence=evidence).detail


def test_benign_pdf_is_accepted_as_public_version(state_a, alicia):
    original = attach(state_a, alicia, contains_personal_data=True)
    content = (PDFS / "nested_outline.pdf").read_bytes()

    public = services.evidence_add_public_version(
        evidence=original, uploaded_file=pdf_file("testada.pdf", content), user=alicia
    )

    assert stored_path(public).read_bytes() == content


def test_opening_on_a_page_is_not_active_content():
    with pikepdf.open(PDFS / "nested_outline.pdf") as pdf:
        assert isinstance(pdf.Root.OpenAction, pikepdf.Array)  # a destination

    assert pdf_active_content(path=PDFS / "nested_outline.pdf") == ()


def test_hex_escaped_names_are_read_as_what_they_are(tmp_path, state_a, alicia):
    assert b"/JavaScript" not in OBFUSCATED and b"/OpenAction" not in OBFUSCATED

    assert sniffed(tmp_path, OBFUSCATED).active_content == ("javascript", "open_action")
    evidence = attach(state_a, alicia, content=OBFUSCATED)
    assert pdf_active_content(path=stored_path(evidence)) == ()
    assert b"app.alert" not in stored_path(evidence).read_bytes()


@pytest.mark.parametrize(
    "tail",
    [
        pytest.param(
            b"<html><body><script>alert(document.domain)</script></body></html>", id="html"
        ),
        pytest.param(b"<iframe src=//x.mx/>", id="iframe"),
        pytest.param(b"<?php system($_GET['c']); ?>", id="php"),
        pytest.param(b"<?=`$_GET[0]`?>", id="php-short-echo"),
        pytest.param(b'<%eval request("cmd")%>', id="asp"),
        pytest.param(b'<!--#exec cmd="id" -->', id="ssi"),
    ],
)
def test_html_or_server_code_after_the_header_is_refused(tmp_path, tail):
    error = refusal(tmp_path, MINIMAL_PDF + tail + b"\n")

    assert (error.code, error.messages) == ("embedded_markup", [PDF_MARKUP_MESSAGE])


def test_rich_text_of_annotations_is_not_mistaken_for_html(tmp_path):
    # Annotations keep their rich text as XHTML: <body xmlns="http://www.w3.org/1999/xhtml">.
    content = MINIMAL_PDF.replace(
        b"/MediaBox [0 0 612 792]",
        b'/MediaBox [0 0 612 792] /RC (<body xmlns="http://www.w3.org/1999/xhtml"><p>Nota</p>'
        b"</body>)",
    )

    assert sniffed(tmp_path, content).active_content == ()


def test_password_protected_pdf_is_refused(tmp_path):
    with pikepdf.open(PDFS / "issue6151.pdf") as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer, encryption=pikepdf.Encryption(user="secreto", owner="secreto"))

    error = refusal(tmp_path, buffer.getvalue())

    assert error.code == "pdf_encrypted"
    assert error.messages == [
        "El PDF está protegido con contraseña. Súbelo sin contraseña para poder revisarlo."
    ]


def test_pdf_that_cannot_be_read_is_refused(tmp_path):
    error = refusal(tmp_path, b"%PDF-1.4\n%%EOF\n")

    assert (error.code, error.messages) == (
        "corrupt_file",
        ["El PDF está dañado o no se puede leer."],
    )


def test_upload_page_tells_what_was_removed(state_a, alicia):
    content = (PDFS / "issue6106.pdf").read_bytes()

    response = client_for(alicia).post(
        upload_url(state_a), form_data(named("convocatoria.pdf", content)), follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "«convocatoria.pdf»: Se quitó del PDF el contenido activo (JavaScript, acciones "
        "automáticas al abrirlo); se guardó una copia sin él."
    ) in page
    assert Evidence.objects.get().original_name == "convocatoria.pdf"


def test_pdf_with_too_many_objects_is_refused_before_they_are_read(tmp_path, settings):
    # qpdf keeps every object it reads in memory; the limit keeps a pathological file out.
    settings.EVIDENCE_PDF_MAX_OBJECTS = 5
    content = (PDFS / "issue6106.pdf").read_bytes()

    error = refusal(tmp_path, content)

    assert error.code == "pdf_too_many_objects"
    assert error.messages == [
        "El PDF tiene demasiados objetos internos (más de 5) para revisarlo de forma segura."
    ]
